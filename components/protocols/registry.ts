/**
 * The registered routing protocols, in planning order: a protocol sees the facets of those before
 * it (BGP asks the IGPs before it whether two routers share a domain; BFD collects what every
 * protocol before it wants detected), and lab-wide ones offer their services (BFD's profiles) to all
 * before any plans. A protocol's node or lab field, its fields in a router's plan and in the
 * outputs appear by registering it here.
 */
import { z } from "zod";
import { BfdSpec, bfd } from "./bfd";
import { BgpSpec, bgp } from "./bgp";
import { FrrRouterPlan } from "./frr/config";
import { IsisSpec, isis } from "./isis";
import { OspfInterfaceSpec, OspfLabSpec, OspfSpec, ospf } from "./ospf";
import { RoutingPolicySpec, routing } from "./policy";
import { AnyRoutingProtocol, RouterBase } from "./protocol";
import { ROUTER_FIELDS } from "./router";
import { VrfSpec, vrfs } from "./vrf";

export const PROTOCOLS = [ospf, isis, bgp, bfd, vrfs, routing] as const;

type Registered = (typeof PROTOCOLS)[number];
type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void ? I : never;

type NodeFieldOf<P> = P extends { name: infer Name extends string; nodeSchema: infer Schema extends z.ZodType }
  ? { [K in Name]: z.ZodOptional<Schema> }
  : never;
type LabFieldOf<P> = P extends { name: infer Name extends string; labSchema: infer Schema extends z.ZodType }
  ? { [K in Name]: z.ZodOptional<Schema> }
  : never;
type InterfaceFieldOf<P> = P extends { name: infer Name extends string; interfaceSchema: infer Schema extends z.ZodType }
  ? { [K in Name]: z.ZodOptional<Schema> }
  : never;
type FieldsOf<P> = P extends { plan(...args: never[]): { routers: Map<string, infer Fields> } } ? Fields : never;
type InfoOf<P> = P extends { outputs(...args: never[]): infer Info } ? Info : never;

/** The zod fields of `protocols` on a node (`ospf`, `bgp`), on the lab (`bfd`) or on an interface (`ospf`), each optional. */
export function protocolFields(protocols: readonly AnyRoutingProtocol[], where: "node" | "lab" | "interface"): z.ZodRawShape {
  return Object.fromEntries(
    protocols.flatMap((protocol) => {
      const schema: z.ZodType | undefined =
        where === "node" ? protocol.nodeSchema : where === "lab" ? protocol.labSchema : protocol.interfaceSchema;
      return schema ? [[protocol.name, schema.optional()]] : [];
    }),
  );
}

/**
 * A node's routing fields as users write them, plain data: each registered per-node protocol's,
 * its loopback and router id (the schema is nodeRoutingFields; a unit test keeps the two one set).
 */
export interface NodeRoutingSpec {
  /** OSPFv2 on this router (components/protocols/ospf). */
  ospf?: OspfSpec;
  /** IS-IS on this router (components/protocols/isis). */
  isis?: IsisSpec;
  /** BGP on this router (components/protocols/bgp). */
  bgp?: BgpSpec;
  /** The router's VRFs by name, each with its interfaces, OSPF and BGP (components/protocols/vrf). */
  vrfs?: Record<string, VrfSpec>;
  /** Routing policy, redistribution (`import`) and staticd routes on this router (components/protocols/policy). */
  routing?: RoutingPolicySpec;
  /** A /32 on the router's `lo`, announced by its protocols; iBGP runs between loopbacks when an IGP carries them. */
  loopback?: string;
  /** Router id of its protocols; default: the loopback, else the node's first interface address. */
  routerId?: string;
  /** An IPv6 /128 on the router's `lo`, beside `loopback` (outside every segment's ipv6 prefix). */
  loopback6?: string;
}

/** The lab's routing fields as users write them: each registered protocol's lab field. */
export interface LabRoutingSpec {
  /** The lab's OSPF areas: their kinds (stub, NSSA) and summaries (components/protocols/ospf). */
  ospf?: OspfLabSpec;
  /** BFD on every OSPF adjacency and BGP session of the lab (components/protocols/bfd). */
  bfd?: BfdSpec;
}

/** An interface's routing fields as users write them: each protocol's override for that link. */
export interface InterfaceRoutingSpec {
  /** OSPF on this link, overriding the node's `ospf` (components/protocols/ospf). */
  ospf?: OspfInterfaceSpec;
}

/** A node's routing fields: each registered per-node protocol's, then its loopback and router id. */
export const nodeRoutingFields = { ...protocolFields(PROTOCOLS, "node"), ...ROUTER_FIELDS } as UnionToIntersection<
  NodeFieldOf<Registered>
> &
  typeof ROUTER_FIELDS;

/** The lab's routing fields: each registered lab-wide protocol's. */
export const labRoutingFields = protocolFields(PROTOCOLS, "lab") as UnionToIntersection<LabFieldOf<Registered>>;

/** An interface's routing fields: each registered protocol's interface field. */
export const interfaceRoutingFields = protocolFields(PROTOCOLS, "interface") as UnionToIntersection<InterfaceFieldOf<Registered>>;

/** A router's plan: the routing's own part, every registered protocol's fields, and how FRR runs it. */
export type NodeRoutingPlan = RouterBase & UnionToIntersection<FieldsOf<Registered>> & { frr: FrrRouterPlan };

/** What the outputs show of a router's routing (LabNode.routing). */
export type RoutingInfo = {
  /** The protocols it runs, in the registry's order. */
  protocols: string[];
  routerId: string;
  loopback?: string;
  loopback6?: string;
} & UnionToIntersection<InfoOf<Registered>>;
