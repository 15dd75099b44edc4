/**
 * What a routing protocol module implements (ARCHITECTURE.md, Routing protocols): its fields in the
 * lab description, its plan over the lab's routers and segments, its part of each router's FRR
 * configuration, its probe checks, and what the outputs and the diagram show of it. The routing
 * (plan.ts, frr/, outputs.ts) knows protocols only through this interface and the registry's list;
 * a protocol knows the others only through the generic facets of the ones planned before it.
 */
import { z } from "zod";
import { ConfigIssue } from "../net/errors";
import { ProbeCheck } from "../probe/lab-probe";

/** A router's interface: its segment and its address there. */
export interface RouterInterface {
  segment: string;
  address: string;
  prefixLength: number;
  /** Its IPv6 address (RFC 5952 text), where its segment has an IPv6 prefix. */
  ipv6?: string;
  /** That prefix's length, with `ipv6`. */
  ipv6PrefixLength?: number;
  /**
   * Its position in the node's `interfaces` (for field paths) and its protocol fields as parsed, under
   * each protocol's name (`ospf`); absent where no protocol has interface fields.
   */
  fields?: { position: number; byProtocol: Readonly<Record<string, unknown>> };
  /**
   * On an unnumbered segment: the router's loopback it borrows there and the other end's (the
   * neighbour's address as protocols see it); `address` stays Docker's, by which the init finds it.
   */
  borrowed?: { local: string; peer: string };
}

/** The path of a field of a router's interface, for issues: `nodes[2].interfaces[1].ospf.cost`. */
export function interfaceFieldPath(router: { index: number }, iface: RouterInterface, field: string): string {
  return `nodes[${router.index}].interfaces[${iface.fields?.position ?? 0}].${field}`;
}

/** A router (a node running at least one per-node protocol) as every protocol sees it. */
export interface LabRouter {
  /** Position in the lab's nodes, for field paths (`nodes[2].ospf.area`). */
  index: number;
  name: string;
  /** Its valid interfaces, in declaration order. */
  interfaces: RouterInterface[];
  /** A /32 on its `lo`, as the node gives it. */
  loopback?: string;
  /** An IPv6 /128 on its `lo` (RFC 5952 text), as the node gives it. */
  loopback6?: string;
  /** Its LANs: the prefixes of its segments that no other router is on. */
  lans: string[];
  /** Its IPv6 LANs, the same way (absent where it has none). */
  lans6?: string[];
}

/** A router as one protocol sees it: its field of that protocol, when it runs it. */
export interface ProtocolRouter<Settings> extends LabRouter {
  settings?: Settings;
}

/** A router the protocol runs on, with its field. */
export type RunningRouter<Settings> = LabRouter & { settings: Settings };

/** Whether the protocol runs on the router (it has the protocol's field). */
export function isRunning<Settings>(router: ProtocolRouter<Settings>): router is RunningRouter<Settings> {
  return router.settings !== undefined;
}

/** The path of a field of a router's node, for issues: `nodes[2].ospf.area`. */
export function fieldPath(router: LabRouter, field: string): string {
  return `nodes[${router.index}].${field}`;
}

/** What lab-wide protocols offer every protocol's plan, settled before any plans (BFD's profiles). */
export interface LabServices {
  /** Fast failure detection of adjacencies and sessions, by FRR profile name. */
  detection?: { singleHopProfile: string; multihopProfile: string };
}

/** An adjacency or session of a router that wants fast failure detection. */
export interface DetectedPeer {
  /** The peer's address the router's session runs to. */
  address: string;
  /** Between loopbacks rather than over a shared segment. */
  multihop: boolean;
  /** Declare the session in bfdd whole, from this source (the protocol would register it partly first). */
  declare?: { localAddress: string; segment: string };
}

/** What a protocol's plan shows the protocols planned after it: generic, never its own types. */
export interface ProtocolFacets {
  /** Routers that learn each other's LANs through the protocol share a group; undefined: not in it. */
  routeGroup?(router: string): string | undefined;
  /** Of an IGP: routers in one domain reach each other's loopbacks through it. */
  igpDomain?(router: string): string | undefined;
  /** The router's adjacencies and sessions that want fast failure detection. */
  detectedPeers?(router: string): DetectedPeer[];
  /**
   * How `router` learns `origin`'s LAN `prefix` through the protocol: the prefix itself, a summary
   * of it, or null (not at all: filtered, or kept out of a totally stubby area). Without it, every
   * router of a route group learns every LAN of the group as it is.
   */
  learnedAs?(router: string, origin: string, prefix: string): string | null;
  /** Of a protocol with sessions (BGP): the node names the router has a session with. */
  sessionPeers?(router: string): string[];
  /**
   * What policies change of the prefixes the router must hold (routing policy): prefixes it must
   * hold besides its route groups' LANs, prefixes it must not hold, and expected ones no longer
   * checked (undefined: nothing changes).
   */
  filteredPrefixes?(router: string): { present: string[]; absent: string[]; unchecked: string[] } | undefined;
}

/** What a registered protocol says of itself without planning (for other protocols' messages). */
export interface ProtocolDescription {
  /** Its field: on a node (`ospf: {}`) or the lab (`bfd: true`); also its name in outputs. */
  name: string;
  /** As the diagram and messages name it: "OSPF". */
  title: string;
  /** An IGP, and what its domain is called ("OSPF domain"). */
  igp?: { domain: string };
  /**
   * It adds to the protocols a router runs and is none itself (routing policy): it makes no node a
   * router, and messages that list the protocols leave it out.
   */
  addOn?: boolean;
}

/** A registered protocol as the others see it. */
export interface ProtocolSummary extends ProtocolDescription {
  /** Enabled per node (`ospf: {}`) rather than lab-wide (`bfd: true`). */
  perNode: boolean;
}

/** A protocol planned before this one. */
export interface PlannedProtocol extends ProtocolSummary {
  facets: ProtocolFacets;
}

/** The lab as a protocol plans over it. */
export interface RoutingLab<Settings, LabSettings> {
  /** Every router, whether it runs this protocol or not. */
  routers: ProtocolRouter<Settings>[];
  /** The other routers on `segment`, with their address there (and their IPv6 address, where both have one). */
  peersOn(router: LabRouter, segment: string): { router: ProtocolRouter<Settings>; address: string; address6?: string }[];
  /** The lab's field of this protocol. */
  settings?: LabSettings;
  services: LabServices;
  /** The protocols planned before this one, in order. */
  earlier: PlannedProtocol[];
  /** Every registered protocol, planned or not, in order. */
  protocols: ProtocolSummary[];
}

/** The lab before any protocol plans: what a lab-wide protocol settles for all (`prepare`). */
export interface PreparingLab<LabSettings> {
  routers: LabRouter[];
  settings?: LabSettings;
  protocols: ProtocolSummary[];
}

export interface ProtocolPlan<Fields> {
  issues: ConfigIssue[];
  /** Per router name: the fields this protocol adds to the router's plan (a router it leaves out gets none). */
  routers: Map<string, Fields>;
  facets: ProtocolFacets;
}

/** A router's plan as the protocols see it once planned: the routing's own part. */
export interface RouterBase {
  routerId: string;
  loopback?: string;
  /** Its IPv6 /128 on `lo` (RFC 5952 text); the init adds it (frr/start.ts). */
  loopback6?: string;
  /** The router's LANs (segments no other router shares). */
  lans: string[];
  /** Every LAN prefix this router must hold a route to once converged (its own included). */
  expectedPrefixes: string[];
  /** Its IPv6 LANs (absent where it has none). */
  lans6?: string[];
  /** Every IPv6 LAN prefix it must hold a route to once converged (absent where none). */
  expectedPrefixes6?: string[];
  /** Prefixes it must hold no route to once converged: a policy filters them (absent where none). */
  absentPrefixes?: string[];
}

/** An FRR daemon a protocol runs. */
export interface FrrDaemon {
  name: string;
  /** Its options in /etc/frr/daemons. */
  options: string;
  /**
   * Listed in every router's daemons file (`=no` where it does not run). OSPF's, BGP's and BFD's
   * are, as they always were; a later protocol's daemon is listed only where it runs, so that
   * registering it changes no file of a router without it.
   */
  listedWhenOff: boolean;
}

/** A protocol's part of a router's FRR configuration (frr/config.ts assembles them). */
export interface FrrSections {
  /** Top-level lines (staticd's routes, prefix and community lists): right after the header, before every node. */
  global?: string[];
  /** Nodes that other sections refer to (BFD's profiles): first, after the header. */
  preamble?: string[];
  /** Its lines in the `lo` interface node. */
  loopback?: string[];
  /** Its lines in each segment's interface node (the interface as `interfaceToken(segment)`). */
  interfaces?: { segment: string; lines: string[] }[];
  /** Its own router node, after every interface node. */
  router?: string[];
  /** Its lines hold a secret (an authentication key): the router's files become Pulumi secrets. */
  secret?: boolean;
  /**
   * Values its lines refer to by token (a session's password): by token. The text keeps the token;
   * the node's file gets the values as a Pulumi secret (kinds/lab-node.ts), so no rendered text,
   * output or message holds them.
   */
  secrets?: Record<string, unknown>;
}

/** Where a router's checks run and how they are named. */
export interface CheckTarget {
  node: string;
  container: string;
}

/**
 * A routing protocol. `Settings`: its node field as parsed; `LabSettings`: its lab field as parsed;
 * `Fields`: what it adds to a router's plan (NodeRoutingPlan); `Info`: what it adds to the router's
 * output (LabNode.routing).
 */
export interface RoutingProtocol<Settings = unknown, LabSettings = unknown, Fields extends object = object, Info extends object = object>
  extends ProtocolDescription {
  /** Schema of the node field that runs the protocol on a router (`ospf: {}`). */
  nodeSchema?: z.ZodType<Settings>;
  /** Schema of the lab field (`bfd: true`). */
  labSchema?: z.ZodType<LabSettings>;
  /**
   * The segments whose interfaces its node field takes out of the router's default table (a VRF's):
   * the other protocols do not see them, and this one sees every interface. Absent: it takes none.
   */
  ownInterfaces?(settings: Settings): string[];
  /** Schema of the field on a router's interface that overrides its node field for that link (`ospf: { cost }`). */
  interfaceSchema?: z.ZodType;
  /** What is wrong with a router's own field, alone (`at` gives a field's path). */
  nodeIssues?(settings: Settings, at: (field: string) => string): ConfigIssue[];
  /** Lab-wide: what it offers every protocol's plan, and what is wrong with its lab field. */
  prepare?(lab: PreparingLab<LabSettings>): { issues: ConfigIssue[]; services: LabServices };
  plan(lab: RoutingLab<Settings, LabSettings>): ProtocolPlan<Fields>;
  /** Whether the router runs it. */
  runs(router: Fields): boolean;
  frr: {
    /** Every daemon it may run, for the daemons file. */
    daemons: FrrDaemon[];
    /**
     * The daemons it runs on the router, each with a line of its running configuration that shows it
     * loaded the router's (a basic regular expression for `grep -x`).
     */
    running(router: RouterBase & Fields): { daemon: string; readyLine: string }[];
    sections(router: RouterBase & Fields): FrrSections;
    /**
     * Shell lines the node's init runs once its interfaces are found, before its routes and FRR
     * (a VRF's device in the kernel); `log` names what failed. Absent or empty: none.
     */
    setup?(router: RouterBase & Fields): string[];
  };
  /** The probe's checks of a router that runs it. */
  checks(router: RouterBase & Fields, target: CheckTarget): ProbeCheck[];
  /** What the router's output shows of it (every router: absent fields when it does not run it). */
  outputs(router: Fields): Info;
  /** What the router's box in the diagram shows of it ("OSPF area 0.0.0.0"), when it runs it. */
  diagram(router: Fields): string;
}

/** A protocol of any settings and fields, as the registry lists them. */
// biome-ignore lint/suspicious/noExplicitAny: each protocol's own types are checked in its module; the list holds them all
export type AnyRoutingProtocol = RoutingProtocol<any, any, any, any>;

/** "a or b", "a, b or c". */
export function orList(words: string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** "A and B", "A, B and C". */
export function andList(words: string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** A minimal union-find over router names: domains, groups of routers in session. */
export class Groups {
  private parent = new Map<string, string>();
  find(name: string): string {
    const up = this.parent.get(name) ?? name;
    if (up === name) return name;
    const root = this.find(up);
    this.parent.set(name, root);
    return root;
  }
  join(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent.set(rb, ra);
  }
}
