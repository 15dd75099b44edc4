/**
 * RoutedLab's plan: the lab's topology (net/topology.ts) with the routing its protocols derive from
 * it (each router's plan and FRR files). Pure; every problem is reported at once with the field
 * path and the value, before anything is created.
 */
import { z } from "zod";
import { LabConfigError } from "../net/errors";
import {
  PlanOptions,
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
  FRR_CAPABILITIES,
  FRR_DAEMONS_PATH,
  FRR_RESERVED_PATHS,
  FRR_TEMPLATE_PATH,
  FRR_VTYSH_PATH,
  VTYSH_CONF,
  renderDaemons,
  renderFrrTemplate,
} from "./routing/frr-config";
import { NodeRoutingPlan, planRouting } from "./routing/plan";
import { bfdSchema, nodeRoutingFields } from "./routing/schema";

export type { PlanOptions, SegmentSpec } from "../net/topology";

export const routedLabSpecSchema = labSpecSchema(nodeRoutingFields, {
  /**
   * BFD on every OSPF and BGP adjacency: true (100 ms x 3), or { intervalMs, multiplier, multihop? };
   * iBGP between loopbacks runs multihop BFD, by default 3 x intervalMs with the same multiplier.
   */
  bfd: bfdSchema.optional(),
});

/** What users write (defaults optional). */
export type RoutedLabSpec = z.input<typeof routedLabSpecSchema>;
export type NodeSpec = RoutedLabSpec["nodes"][number];

export interface NodePlan extends TopologyNodePlan {
  /** OSPF/BGP/BFD on FRR, for a node with a protocol; its FRR files are among `files`. */
  routing?: NodeRoutingPlan;
}

export interface LabPlan extends TopologyPlan {
  nodes: NodePlan[];
}

/**
 * Validates a lab description as a whole and returns its plan.
 * Throws LabConfigError listing every problem, naming each field and value.
 */
export function planRoutedLab(lab: string, spec: unknown, options: PlanOptions = {}): LabPlan {
  const input = parseLabSpec(lab, spec, routedLabSpecSchema, options);
  const topology = planTopology(lab, input, options);
  const routing = planRouting({
    nodes: input.nodes.map((node, index) => ({
      index,
      name: node.name,
      router: node.router,
      image: node.image,
      interfaces: topology.nodes[index].interfaces,
      files: node.files,
      ospf: node.ospf,
      bgp: node.bgp,
      loopback: node.loopback,
      routerId: node.routerId,
    })),
    segments: topology.segments,
    bfd: input.bfd,
    addressOwners: topology.addressOwners,
    reservedPaths: FRR_RESERVED_PATHS,
  });
  const nodes: NodePlan[] = topology.nodes.map((node) => {
    const plan = routing.routers.get(node.name);
    return plan ? { ...node, ...withRouting(node, plan) } : node;
  });
  const checks = planLabChecks(input.checks, nodes);
  const issues = [...topology.issues, ...routing.issues, ...checks.issues];
  if (issues.length > 0) throw new LabConfigError(labSubject(lab), issues);
  return { lab, segments: topology.segments, nodes, checks: checks.checks, guardedBridges: guardedBridgesOf(topology.segments, nodes) };
}

/**
 * A router with a protocol keeps only the capabilities FRR needs (FRR_CAPABILITIES, measured) and
 * those its node asks for; Docker's other defaults are dropped. Never privileged.
 */
function withRouting(
  node: TopologyNodePlan,
  routing: NodeRoutingPlan,
): Pick<NodePlan, "routing" | "files" | "capabilities" | "dropDefaultCapabilities"> {
  return {
    routing,
    files: {
      ...node.files,
      [FRR_TEMPLATE_PATH]: renderFrrTemplate(node.name, routing),
      [FRR_DAEMONS_PATH]: renderDaemons(routing),
      [FRR_VTYSH_PATH]: VTYSH_CONF,
    },
    capabilities: [...new Set([...FRR_CAPABILITIES, ...node.capabilities])].sort(),
    dropDefaultCapabilities: true,
  };
}

/** A router's protocols for its box in the lab's diagram: OSPF area, BGP AS, BFD, router id. */
export function routingLabel(node: NodePlan): string[] {
  const routing = node.routing;
  if (!routing) return [];
  const protocols = [
    ...(routing.ospf ? [`OSPF area ${routing.ospf.area}`] : []),
    ...(routing.bgp ? [`BGP AS ${routing.bgp.asn}`] : []),
    ...(routing.bfd ? ["BFD"] : []),
  ];
  return [protocols.join(", "), `id ${routing.routerId}`];
}
