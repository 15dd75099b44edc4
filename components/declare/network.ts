/**
 * The one place a network of the project is declared: lab segments, RLOC networks, LAN exposers'
 * LANs. Every one is replaced delete-first (host/lifecycle.ts: Docker refuses a second network of
 * the same name) and carries the lab's labels and the segment it stands for.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { LabelMap, toDockerLabels } from "../labels";

export interface NetworkSpec {
  /** The Docker network name. */
  name: string;
  driver: "bridge" | "macvlan";
  internal: boolean;
  subnet: string;
  gateway: string;
  /** Hands out addresses from this range only (a LAN shared with a DHCP server). */
  ipRange?: string;
  /** IPv6 on the network: its prefix and Docker's gateway there (a second IPAM entry). */
  ipv6?: { subnet: string; gateway: string };
  /** Driver options: the bridge's name and MTU, or a macvlan's parent and mode. */
  options?: Record<string, string>;
  labels: LabelMap;
}

/** The provider's inputs for a spec. Pure. */
export function networkArgs(spec: NetworkSpec): docker.NetworkArgs {
  return {
    name: spec.name,
    driver: spec.driver,
    internal: spec.internal,
    ...(spec.ipv6 ? { ipv6: true } : {}),
    ipamConfigs: [
      { subnet: spec.subnet, gateway: spec.gateway, ...(spec.ipRange ? { ipRange: spec.ipRange } : {}) },
      ...(spec.ipv6 ? [{ subnet: spec.ipv6.subnet, gateway: spec.ipv6.gateway }] : []),
    ],
    ...(spec.options ? { options: spec.options } : {}),
    labels: toDockerLabels(spec.labels),
  };
}

export function declareNetwork(resourceName: string, spec: NetworkSpec, opts: pulumi.CustomResourceOptions): docker.Network {
  return new docker.Network(resourceName, networkArgs(spec), { ...opts, deleteBeforeReplace: true });
}

/** A macvlan's driver options: on `parent`, its containers reaching each other directly. */
export function macvlanOptions(parent: string): Record<string, string> {
  return { parent, macvlan_mode: "bridge" };
}
