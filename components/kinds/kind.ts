/**
 * A node kind: what a node of that kind is on its host, in the spirit of containerlab's `nodes/`
 * (one folder per kind, one interface, registered). A kind gives its default image and main
 * process, and turns the node's plan into the container the declarer creates (components/declare):
 * capabilities, sysctls, devices, init, readiness. Kinds are pure: they declare nothing themselves.
 */
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec } from "../declare/container";
import { RestartPolicy } from "../host/lifecycle";
import { OwnImageName } from "../images/lab-image";
import { LabelMap } from "../labels";

/** What the declaring component resolved for the node: its image, its networks' names, labels, restart policy. */
export interface KindContext {
  image: pulumi.Input<string>;
  /** Docker network name (or a Network's name output) by segment. */
  networks: Record<string, pulumi.Input<string>>;
  labels: LabelMap;
  /** What Docker does after a daemon restart (none: the container stays down). */
  restart?: RestartPolicy;
}

export interface NodeKind<Plan> {
  /** The kind's name, e.g. "frr-router". */
  name: string;
  /** The own image (a folder of images/) its nodes run unless they name another. */
  image?: OwnImageName;
  /** The node's container, from its plan. */
  container(plan: Plan, context: KindContext): ContainerSpec;
}
