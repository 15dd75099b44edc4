/**
 * The RLOC network of a LISP lab, and the own OOR image as a stack gives it. The network is a
 * macvlan on the host's uplink when a parent is named, else a bridge; replaced delete-first as
 * every lab network is (host/lifecycle.ts).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { declareNetwork, macvlanOptions } from "../declare/network";
import { LabImages } from "../images/lab-image";
import { LabSegment } from "../lab";
import { LabelMap, labLabels } from "../labels";
import { OWN_OOR_IMAGE } from "./oor-router";

/** An RLOC network as planned: its subnet, Docker's gateway on it, a bridge or a macvlan on `parent`. */
export interface RlocNetworkPlan {
  /** The RLOC network's subnet. */
  subnet: string;
  /** Docker's gateway address on it. */
  gateway: string;
  /** A host interface: the RLOC network is a macvlan on it; without one, a bridge. */
  parent?: string;
}

export interface RlocNetworkArgs extends RlocNetworkPlan {
  internal: boolean;
  namePrefix: string;
  labels?: LabelMap;
}

/** The RLOC network of a LISP lab: a macvlan on the host's uplink when a parent is named, else a bridge. */
export function rlocNetwork(name: string, args: RlocNetworkArgs, parent: pulumi.Resource): docker.Network {
  return declareNetwork(
    `${name}-rloc`,
    {
      name: `${args.namePrefix}${name}-rloc`,
      driver: args.parent ? "macvlan" : "bridge",
      internal: args.internal,
      subnet: args.subnet,
      gateway: args.gateway,
      ...(args.parent ? { options: macvlanOptions(args.parent) } : {}),
      labels: { ...labLabels(`${args.namePrefix}${name}`, args.labels), "io.docker-netlabs.segment": "rloc" },
    },
    { parent },
  );
}

/**
 * The own OOR image as the stack gives it (labImages: preloaded: its digest tag), for routers that
 * run the own image; undefined otherwise, and then OorRouter builds it or pulls the one named.
 */
export function givenOorImage(image: string | undefined, images: Partial<LabImages>): pulumi.Input<string> | undefined {
  return (image ?? OWN_OOR_IMAGE) === OWN_OOR_IMAGE ? images.oor : undefined;
}

/** The RLOC network as a lab segment of the outputs. */
export function rlocSegment(name: string, namePrefix: string, rloc: RlocNetworkPlan): LabSegment {
  return { network: `${namePrefix}${name}-rloc`, subnet: rloc.subnet, gateway: rloc.gateway, driver: rloc.parent ? "macvlan" : "bridge" };
}
