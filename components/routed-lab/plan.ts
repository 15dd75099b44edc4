/**
 * RoutedLab's plan: the lab's topology (net/topology.ts) with the routing its protocols derive from
 * it (components/protocols: each router's plan and FRR files). Pure; every problem is reported at
 * once with the field path and the value, before anything is created.
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
  AnyRoutingProtocol,
  FRR_CAPABILITIES,
  NodeRoutingPlan,
  PROTOCOLS,
  labRoutingFields,
  nodeRoutingFields,
  planRouting,
  protocolFields,
} from "../protocols";
import { ROUTER_FIELDS } from "../protocols/router";

export type { PlanOptions, SegmentSpec } from "../net/topology";

/** A lab description: the topology's fields, and the registered protocols' on its nodes and on itself. */
export const routedLabSpecSchema = labSpecSchema(nodeRoutingFields, labRoutingFields);

/** What users write (defaults optional). */
export type RoutedLabSpec = z.input<typeof routedLabSpecSchema>;
export type NodeSpec = RoutedLabSpec["nodes"][number];

export interface NodePlan extends TopologyNodePlan {
  /** Its protocols on FRR, for a node with a protocol; its FRR files are among `files`. */
  routing?: NodeRoutingPlan;
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
        image: node.image,
        interfaces: topology.nodes[index].interfaces,
        files: node.files,
        fields: node,
      })),
      segments: topology.segments,
      labFields: input,
      addressOwners: topology.addressOwners,
    },
    protocols,
  );
  const nodes: NodePlan[] = topology.nodes.map((node) => {
    const plan = routing.routers.get(node.name);
    return plan ? { ...node, ...withRouting(node, plan) } : node;
  });
  const checks = planLabChecks(input.checks, nodes);
  const issues = [...topology.issues, ...routing.issues, ...checks.issues];
  if (issues.length > 0) throw new LabConfigError(labSubject(lab), issues);
  return { lab, segments: topology.segments, nodes, checks: checks.checks, guardedBridges: guardedBridgesOf(topology.segments, nodes) };
}

/** The schema of a lab description with `protocols`' fields. */
function specSchemaFor(protocols: readonly AnyRoutingProtocol[]): typeof routedLabSpecSchema {
  if (protocols === PROTOCOLS) return routedLabSpecSchema;
  // Another list (a test's) parses its own protocols' fields; the topology's fields are typed the same.
  return labSpecSchema(
    { ...protocolFields(protocols, "node"), ...ROUTER_FIELDS },
    protocolFields(protocols, "lab"),
  ) as unknown as typeof routedLabSpecSchema;
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
