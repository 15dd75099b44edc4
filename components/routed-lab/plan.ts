/**
 * RoutedLab's plan: the lab's topology (net/topology.ts) with the routing its protocols derive from
 * it (components/protocols: each router's plan and FRR files). Pure; every problem is reported at
 * once with the field path and the value, before anything is created.
 */
import { z } from "zod";
import { ConfigIssue, LabConfigError, show } from "../net/errors";
import {
  InterfacePlan,
  PlanOptions,
  SegmentPlan,
  TopologyNodePlan,
  TopologyPlan,
  guardedBridgesOf,
  labSpecSchema,
  labSubject,
  parseLabSpec,
  planLabChecks,
  planTopology,
} from "../net/topology";
import {
  AnyRoutingProtocol,
  FRR_CAPABILITIES,
  InterfaceRoutingSpec,
  LabRoutingSpec,
  NodeRoutingPlan,
  NodeRoutingSpec,
  PROTOCOLS,
  interfaceRoutingFields,
  labRoutingFields,
  nodeRoutingFields,
  planRouting,
  protocolFields,
} from "../protocols";
import { ROUTER_FIELDS } from "../protocols/router";
import { VlanNodePlan, VlansSettings, VlansSpec, planVlans, vlansSchema } from "../vlan";

export type { PlanOptions } from "../net/topology";
export type {
  CheckSpec,
  ImpairmentSpec,
  InterfaceSpec,
  NodeDefaultsSpec,
  PublishSpec,
  RouteSpec,
  SegmentSpec,
  TopologyNodeSpec,
  VxlanSpec,
} from "../net/spec";
import type { CheckSpec, InterfaceSpec, NodeDefaultsSpec, SegmentSpec, TopologyNodeSpec } from "../net/spec";
import type { RouterInterface } from "../protocols";

/** A lab description: the topology's fields, and the registered protocols' on its nodes and on itself. */
export const routedLabSpecSchema = labSpecSchema(
  { ...nodeRoutingFields, vlans: vlansSchema.optional() },
  labRoutingFields,
  interfaceRoutingFields,
);

/**
 * A lab description as users write it (RoutedLabArgs.spec): plain data, defaults optional. The
 * schema checks it, and also takes the shorthands stack config may hold (RoutedLabSpecInput).
 */
export interface RoutedLabSpec extends LabRoutingSpec {
  /** The lab's Docker networks (at least one). */
  segments: SegmentSpec[];
  /** Its containers (at least one). */
  nodes: NodeSpec[];
  /** What the lab is for, checked by its probe once it is up. */
  checks?: CheckSpec[];
  /** Resources every node gets unless it says otherwise (cpus, memoryMiB). */
  nodeDefaults?: NodeDefaultsSpec;
}

/** A node's address on one segment, and its routing protocols' settings for that link. */
export interface RoutedInterfaceSpec extends InterfaceSpec, InterfaceRoutingSpec {}

/** A node: its place in the topology, and its routing protocols' fields (a router with FRR). */
export interface NodeSpec extends TopologyNodeSpec, NodeRoutingSpec {
  /** Its addresses, one per segment it is on (at least one), each with its protocols' settings there. */
  interfaces: RoutedInterfaceSpec[];
  /** Its VLANs: the ports of its VLAN-aware bridge (a bridge node), its addresses in VLANs (components/vlan). */
  vlans?: VlansSpec;
}

/**
 * What the schema takes: a RoutedLabSpec, or the forms stack config may hold besides (`image:
 * { ref }`, `bfd: true`, a numeric OSPF area), which it reads as their plain equivalents.
 */
export type RoutedLabSpecInput = z.input<typeof routedLabSpecSchema>;
export type NodeSpecInput = RoutedLabSpecInput["nodes"][number];

export interface NodePlan extends TopologyNodePlan {
  /** Its protocols on FRR, for a node with a protocol; its FRR files are among `files`. */
  routing?: NodeRoutingPlan;
  /** Its VLANs, for a node with `vlans` (components/vlan). */
  vlan?: VlanNodePlan;
}

export interface LabPlan extends TopologyPlan {
  nodes: NodePlan[];
}

/**
 * Validates a lab description as a whole and returns its plan; `protocols`: the registered ones
 * unless told (a test adds one of its own). Throws LabConfigError listing every problem, naming each
 * field and value.
 */
export function planRoutedLab(
  lab: string,
  spec: unknown,
  options: PlanOptions = {},
  protocols: readonly AnyRoutingProtocol[] = PROTOCOLS,
): LabPlan {
  const input = parseLabSpec(lab, spec, specSchemaFor(protocols), options);
  const topology = planTopology(lab, input, options);
  const routing = planRouting(
    {
      nodes: input.nodes.map((node, index) => ({
        index,
        name: node.name,
        router: node.router,
        image: topology.nodes[index].image,
        interfaces: withProtocolFields(topology.nodes[index].interfaces, node.interfaces, protocols),
        files: node.files,
        fields: node,
      })),
      segments: topology.segments,
      labFields: input,
      addressOwners: topology.addressOwners,
    },
    protocols,
  );
  const vlans = planVlans(
    input.nodes.map((node, index) => ({
      index,
      name: node.name,
      router: node.router,
      segments: topology.nodes[index].interfaces.map((iface) => iface.segment),
      vlans: (node as { vlans?: VlansSettings }).vlans,
    })),
    topology.segments,
  );
  const nodes: NodePlan[] = topology.nodes.map((node) => {
    const plan = routing.routers.get(node.name);
    return withVlans(plan ? { ...node, ...withRouting(node, plan) } : node, vlans.plans.get(node.name));
  });
  const checks = planLabChecks(input.checks, nodes);
  const issues = [
    ...topology.issues,
    ...routing.issues,
    ...vlans.issues,
    ...checks.issues,
    ...ospfMtuIssues(input.nodes, topology.segments, nodes),
  ];
  if (issues.length > 0) throw new LabConfigError(labSubject(lab), issues);
  return { lab, segments: topology.segments, nodes, checks: checks.checks, guardedBridges: guardedBridges(topology.segments, nodes) };
}

/** A node with VLANs sets up links and addresses: it keeps NET_ADMIN. */
function withVlans(node: NodePlan, vlan: VlanNodePlan | undefined): NodePlan {
  if (!vlan) return node;
  return { ...node, vlan, capabilities: [...new Set([...node.capabilities, "NET_ADMIN"])].sort() };
}

/**
 * The bridges the lab's guard opens: those of a lab with a router, and of a lab with VLANs, whose
 * frames carry addresses of no segment (Docker's isolation rules would drop them where bridged
 * traffic passes iptables: ARCHITECTURE.md, Host preparation).
 */
function guardedBridges(segments: LabPlan["segments"], nodes: NodePlan[]): string[] {
  const guarded = guardedBridgesOf(segments, nodes);
  if (guarded.length > 0 || !nodes.some((node) => node.vlan)) return guarded;
  return segments.flatMap((segment) => (segment.bridgeName ? [segment.bridgeName] : []));
}

/** The interfaces whose impairment needs netem (delay, jitter or loss), each described for the host check's message. */
export function netemInterfaces(plan: LabPlan): string[] {
  return plan.nodes.flatMap((node) =>
    node.interfaces
      .filter(
        ({ impairment }) =>
          impairment?.delayMs !== undefined || impairment?.jitterMs !== undefined || impairment?.lossPercent !== undefined,
      )
      .map((iface) => `lab ${plan.lab} node ${node.name}'s interface ${iface.address} on segment ${iface.segment}`),
  );
}

/** The MTU an interface has: its own, else its segment's (a stretched one's tunnel MTU), else Ethernet's. */
function interfaceMtu(iface: InterfacePlan, segment: SegmentPlan | undefined): number {
  return iface.mtu ?? segment?.mtu ?? segment?.vxlan?.mtu ?? 1500;
}

/**
 * OSPF neighbours must agree on the MTU (RFC 2328 10.6: a Database Description larger than the
 * interface's MTU is refused, and the adjacency stays in ExStart). Each pair once, at the later node's interface.
 */
function ospfMtuIssues(specs: { interfaces: { segment: string }[] }[], segments: SegmentPlan[], nodes: NodePlan[]): ConfigIssue[] {
  const segmentOf = new Map(segments.map((segment) => [segment.name, segment]));
  const indexOf = new Map(nodes.map((node, index) => [node.name, index]));
  const issues: ConfigIssue[] = [];
  nodes.forEach((node, n) => {
    for (const ospf of node.routing?.ospf?.interfaces ?? []) {
      const iface = node.interfaces.find((candidate) => candidate.segment === ospf.segment);
      if (!iface || ospf.passive) continue;
      const mtu = interfaceMtu(iface, segmentOf.get(ospf.segment));
      for (const neighbor of ospf.neighbors) {
        const other = nodes[indexOf.get(neighbor) ?? -1];
        const theirs = other?.interfaces.find((candidate) => candidate.segment === ospf.segment);
        if (!theirs || (indexOf.get(neighbor) ?? -1) > n) continue;
        const their = interfaceMtu(theirs, segmentOf.get(ospf.segment));
        if (their === mtu) continue;
        const k = specs[n].interfaces.findIndex((spec) => spec.segment === ospf.segment);
        issues.push({
          path: `nodes[${n}].interfaces[${k}].mtu`,
          message: `${mtu}: OSPF neighbour ${show(neighbor)} has MTU ${their} on segment ${show(ospf.segment)}; OSPF would stay in ExStart (give both the same MTU)`,
        });
      }
    }
  });
  return issues;
}

/** The schema of a lab description with `protocols`' fields. */
function specSchemaFor(protocols: readonly AnyRoutingProtocol[]): typeof routedLabSpecSchema {
  if (protocols === PROTOCOLS) return routedLabSpecSchema;
  // Another list (a test's) parses its own protocols' fields; the topology's fields are typed the same.
  return labSpecSchema(
    { ...protocolFields(protocols, "node"), ...ROUTER_FIELDS, vlans: vlansSchema.optional() },
    protocolFields(protocols, "lab"),
    protocolFields(protocols, "interface"),
  ) as unknown as typeof routedLabSpecSchema;
}

/** The node's valid interfaces, each with its position in the spec and the protocol fields its spec gives it. */
function withProtocolFields(
  interfaces: RouterInterface[],
  specs: readonly Readonly<Record<string, unknown>>[],
  protocols: readonly AnyRoutingProtocol[],
): RouterInterface[] {
  const names = protocols.filter((protocol) => protocol.interfaceSchema !== undefined).map((protocol) => protocol.name);
  if (names.length === 0) return interfaces;
  return interfaces.map((iface) => {
    const position = specs.findIndex((spec) => spec.segment === iface.segment);
    const spec = specs[position] ?? {};
    const byProtocol = Object.fromEntries(names.flatMap((name) => (spec[name] !== undefined ? [[name, spec[name]]] : [])));
    return { ...iface, fields: { position, byProtocol } };
  });
}

/**
 * A router with a protocol gets FRR's files, and keeps only the capabilities FRR needs
 * (FRR_CAPABILITIES, measured) and those its node asks for; Docker's other defaults are dropped.
 * Never privileged.
 */
function withRouting(
  node: TopologyNodePlan,
  routing: NodeRoutingPlan,
): Pick<NodePlan, "routing" | "files" | "capabilities" | "dropDefaultCapabilities"> {
  return {
    routing,
    files: { ...node.files, ...routing.frr.files },
    capabilities: [...new Set([...FRR_CAPABILITIES, ...node.capabilities])].sort(),
    dropDefaultCapabilities: true,
  };
}
