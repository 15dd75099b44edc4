/**
 * What a composition is: the config keys it reads (its slice, typed by stacks/keys.ts), a pure
 * `plan` that validates the slice into the exact arguments `create` passes to its lab component,
 * and `create`, which only declares resources. `plan` also says what the lab needs of its host and
 * what it occupies there (subnets, host ports, Docker names), for the checks across labs.
 * buildStack plans every composition of the stack before it registers anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { OwnImageName } from "../components/images/lab-image";
import { LabCommonArgs, LabResource } from "../components/lab";
import { LabConfigError } from "../components/net/errors";
import { requiredLabImages } from "../components/net/topology";
import { LabPlan, netemInterfaces } from "../components/routed-lab/plan";
import { ConfigSlice, LabKey, configPath } from "./keys";

export type { LabCommonArgs };

/** What a lab needs of its host: own images, and the interfaces and addresses it sits on. */
export interface LabNeeds {
  /** The own images (images/) its nodes and routers run: built on the host, or preloaded there. */
  images: OwnImageName[];
  /** Macvlan parents and tunnel underlay devices. */
  interfaces: string[];
  /** Local ends of tunnels. */
  addresses: string[];
  /** Kernel features its nodes need (vrf, 8021q, bridge-vlan-filtering), each with the node and its field; absent when none. */
  kernelFeatures?: { feature: string; node: string; field: string }[];
  /** Interfaces impaired with delay, jitter or loss (netem), each described. */
  netem?: string[];
  /** The memory its nodes may use together, MiB, when any sets it. */
  memoryMiB?: number;
  /** Its nodes that ask for CPUs. */
  cpus?: { what: string; cpus: number }[];
}

/**
 * What a lab occupies on its host, each item with the config key it comes from (or
 * `docker-netlabs:labs` for a lab's fixed values), so that a clash names the key to change.
 */
export interface LabFootprint {
  subnets: { path: string; cidr: string; what: string }[];
  /** Host ports the lab listens on. */
  ports: { path: string; address: string; port: number; protocol: "tcp" | "udp"; what: string }[];
  /** Docker container and network names the lab creates. */
  names: { path: string; name: string; kind: "container" | "network" }[];
}

export interface CompositionPlan<Args> {
  args: Args;
  needs: LabNeeds;
  footprint: LabFootprint;
}

/** Stack settings that shape every lab's plan (Docker names). */
export interface PlanContext {
  namePrefix: string;
}

export interface Composition<K extends LabKey, R extends K, Args> {
  /** The config keys this composition reads. */
  reads: readonly K[];
  /** Those it cannot do without: each missing one is an error naming it. */
  requires: readonly R[];
  /** Validates the slice; throws LabConfigError whose paths are config keys (docker-netlabs:...). */
  plan(lab: string, slice: ConfigSlice<K, R>, context: PlanContext): CompositionPlan<Args>;
  /** Declares the lab with the planned arguments; validates nothing the plan has not. */
  create(lab: string, args: Args, common: LabCommonArgs, opts: pulumi.ComponentResourceOptions): LabResource;
}

/** A composition, its key types kept for `plan` and erased for the registry. */
export function defineComposition<K extends LabKey, R extends K, Args>(composition: Composition<K, R, Args>): Composition<K, R, Args> {
  return composition;
}

/**
 * Runs a component's pure plan and renames the fields of its errors to the config keys they came
 * from: `rename` maps a component path (`eidSubnet`, `nodes[0].name`) to a config path
 * (`oorSite.eidSubnet`), or undefined when the field is the lab's own (then `docker-netlabs:labs`).
 */
export function fromConfig<T>(lab: string, plan: () => T, rename: (componentPath: string) => string | undefined): T {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof LabConfigError)) throw error;
    throw new LabConfigError(
      "stack configuration",
      error.issues.map((issue) => {
        const key = rename(issue.path);
        return key === undefined
          ? { path: configPath("labs"), message: `lab ${lab}: ${issue.path}: ${issue.message}` }
          : { path: configPath(key), message: issue.message };
      }),
    );
  }
}

/** A RoutedLab plan's needs: its images, the macvlan parents and tunnel ends it sits on. */
export function routedLabNeeds(plan: LabPlan): LabNeeds {
  const kernelFeatures = kernelFeaturesOf(plan);
  return {
    images: requiredLabImages(plan),
    interfaces: plan.segments.flatMap((segment) => [segment.parent, segment.vxlan?.device].filter((name): name is string => !!name)),
    addresses: plan.segments.flatMap((segment) => (segment.vxlan?.local ? [segment.vxlan.local] : [])),
    ...(kernelFeatures.length > 0 ? { kernelFeatures } : {}),
    ...routedLabResourceNeeds(plan),
  };
}

/** What a RoutedLab's impairments and node resources need of the host: netem, memory, CPUs (only what it uses). */
function routedLabResourceNeeds(plan: LabPlan): Pick<LabNeeds, "netem" | "memoryMiB" | "cpus"> {
  const netem = netemInterfaces(plan);
  const memories = plan.nodes.flatMap((node) => (node.memoryMiB !== undefined ? [node.memoryMiB] : []));
  const cpus = plan.nodes.flatMap((node) =>
    node.cpus !== undefined ? [{ what: `lab ${plan.lab} node ${node.name}`, cpus: node.cpus }] : [],
  );
  return {
    ...(netem.length > 0 ? { netem } : {}),
    ...(memories.length > 0 ? { memoryMiB: memories.reduce((sum, memory) => sum + memory, 0) } : {}),
    ...(cpus.length > 0 ? { cpus } : {}),
  };
}

/** What its nodes need of the host's kernel: VRF devices, 802.1Q subinterfaces, bridges with VLAN filtering. */
function kernelFeaturesOf(plan: LabPlan): NonNullable<LabNeeds["kernelFeatures"]> {
  return plan.nodes.flatMap((node) => [
    ...(node.routing?.vrfs?.length ? [{ feature: "vrf", node: node.name, field: "vrfs" }] : []),
    ...(node.vlan?.ports.length ? [{ feature: "bridge-vlan-filtering", node: node.name, field: "vlans.ports" }] : []),
    ...(node.vlan?.interfaces.some((iface) => iface.tagged) ? [{ feature: "8021q", node: node.name, field: "vlans.interfaces" }] : []),
  ]);
}

/**
 * A RoutedLab plan's footprint: its segments' subnets and networks, its nodes' and helpers'
 * containers (bridge guard, tunnel guard, port forwarders: names RoutedLab gives them), its host
 * ports. `pathOf` names the config key of a segment, node or published port (by index).
 */
export function routedLabFootprint(
  plan: LabPlan,
  labName: string,
  pathOf: { segment(index: number): string; node(index: number): string; publish(node: number, index: number): string },
): LabFootprint {
  const footprint: LabFootprint = { subnets: [], ports: [], names: [] };
  plan.segments.forEach((segment, i) => {
    footprint.subnets.push({ path: pathOf.segment(i), cidr: segment.subnet.cidr, what: `lab ${plan.lab}'s segment ${segment.name}` });
    footprint.names.push({ path: pathOf.segment(i), name: segment.networkName, kind: "network" });
  });
  const labPath = configPath("labs");
  if (plan.guardedBridges.length > 0) footprint.names.push({ path: labPath, name: `${labName}-bridge-guard`, kind: "container" });
  if (plan.segments.some((segment) => segment.vxlan))
    footprint.names.push({ path: labPath, name: `${labName}-tunnels`, kind: "container" });
  plan.nodes.forEach((node, n) => {
    footprint.names.push({ path: pathOf.node(n), name: node.containerName, kind: "container" });
    node.publish.forEach((port, p) => {
      const what = `lab ${plan.lab}'s node ${node.name}`;
      footprint.ports.push({ path: pathOf.publish(n, p), address: port.hostAddress, port: port.hostPort, protocol: port.protocol, what });
      if (port.via === "forwarder") {
        footprint.names.push({
          path: pathOf.publish(n, p),
          name: `${node.containerName}-publish-${port.hostPort}-${port.protocol}`,
          kind: "container",
        });
      }
    });
  });
  return footprint;
}
