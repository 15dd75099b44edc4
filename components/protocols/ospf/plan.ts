/**
 * OSPF over the lab's routers: it runs on each segment that another OSPF router shares
 * (point-to-point when there is exactly one such neighbour); the router's other segments are passive
 * and announced. An interface's `ospf` overrides the node's for that link (area, cost, passive,
 * network type, priority, timers, password). Routers that share a segment must agree on area,
 * network type, timers and password. OSPF routers linked this way form a domain, which carries their
 * loopbacks (the IGP facet BGP asks about); the lab's `ospf.areas` gives areas a kind and summaries
 * (areas.ts).
 */
import { ConfigIssue, SECRET_NOT_SHOWN, show } from "../../net/errors";
import {
  DetectedPeer,
  Groups,
  ProtocolPlan,
  ProtocolRouter,
  RouterInterface,
  RoutingLab,
  RunningRouter,
  interfaceFieldPath,
} from "../protocol";
import { AreaFacts, OspfAreaPlan, areaFacts, areaIssues, learnedAs, routerAreaPlans } from "./areas";
import { OspfInterfaceSettings, OspfLabSettings, OspfSettings } from "./schema";

export interface OspfInterfacePlan {
  segment: string;
  address: string;
  prefixLength: number;
  /** No other OSPF router on the segment, or the interface says so: announced, no hellos. */
  passive: boolean;
  /** Exactly one other OSPF router on the segment (and no `network: broadcast`): no DR election. */
  pointToPoint: boolean;
  /** The OSPF routers across the segment, by node name. */
  neighbors: string[];
  /** OSPFv3 on the segment, where the router has an IPv6 address there: the same, among the neighbours with one too. */
  ipv6?: { passive: boolean; pointToPoint: boolean; neighbors: string[] };
  /** The link's own area, where its interface overrides the node's (dotted quad). */
  area?: string;
  /** The link's own cost, where its interface overrides the node's. */
  cost?: number;
  /** The link's own timers, where its interface overrides the node's. */
  helloSeconds?: number;
  deadSeconds?: number;
  /** DR election priority, where its interface gives one. */
  priority?: number;
  /** The interface itself says passive (rather than having no OSPF router across). */
  madePassive?: boolean;
  /** MD5 key: a secret (the router's FRR files become Pulumi secrets; no output shows it). */
  password?: string;
}

export interface OspfPlan {
  /** Dotted quad. */
  area: string;
  cost?: number;
  helloSeconds: number;
  deadSeconds: number;
  interfaces: OspfInterfacePlan[];
  /** The BFD profile of its adjacencies, when the lab runs BFD. */
  bfdProfile?: string;
  /** It runs OSPFv3 too (ospf6d): an interface of its or its loopback has IPv6. */
  ipv6?: boolean;
  /** Every area it is in, sorted, where that is more than its node's area. */
  areas?: string[];
  /** It joins the backbone to another area: an area border router. */
  abr?: boolean;
  /** The lab's settings of the areas it is in that are not plain (a kind, or summaries it announces as ABR). */
  areaSettings?: OspfAreaPlan[];
  /** It originates a default route. */
  defaultOriginate?: { always: boolean; metric?: number; metricType?: number };
  /** It must learn a default route: from an ABR of its stub area, or from an ASBR that always originates one. */
  learnsDefault?: boolean;
}

/** What OSPF adds to a router's plan. */
export interface OspfFields {
  ospf?: OspfPlan;
}

/** An area as FRR shows it: a number becomes its dotted quad. */
export function areaId(area: string | number): string {
  if (typeof area === "string") return area;
  return [24, 16, 8, 0].map((shift) => Math.floor(area / 2 ** shift) % 256).join(".");
}

/** An interface's settings: the node's, with the link's own over them; `own` says which the link gave. */
export interface LinkSettings {
  area: string;
  helloSeconds: number;
  deadSeconds: number;
  cost?: number;
  passive: boolean;
  network?: string;
  priority?: number;
  password?: string;
  own: OspfInterfaceSettings;
}

/** The settings of the router's link on `iface`. */
export function linkSettings(node: OspfSettings, iface: RouterInterface): LinkSettings {
  const own = (iface.fields?.byProtocol.ospf ?? {}) as OspfInterfaceSettings;
  return {
    area: areaId(own.area ?? node.area),
    helloSeconds: own.helloSeconds ?? node.helloSeconds,
    deadSeconds: own.deadSeconds ?? node.deadSeconds,
    cost: own.cost ?? node.cost,
    passive: own.passive ?? false,
    network: own.network,
    priority: own.priority,
    password: own.password,
    own,
  };
}

/** What planning one router's interfaces adds to as it goes. */
interface OspfDraft {
  lab: RoutingLab<OspfSettings, OspfLabSettings>;
  domains: Groups;
  issues: ConfigIssue[];
  /** Per router, its adjacencies as BFD would detect them. */
  peers: Map<string, DetectedPeer[]>;
}

export function planOspf(lab: RoutingLab<OspfSettings, OspfLabSettings>): ProtocolPlan<OspfFields> {
  const draft: OspfDraft = { lab, domains: new Groups(), issues: [], peers: new Map() };
  const routers = new Map<string, OspfFields>();
  const running = lab.routers.flatMap((router) => (router.settings ? [{ ...router, settings: router.settings }] : []));
  for (const router of running) {
    const { area, cost, helloSeconds, deadSeconds } = router.settings;
    draft.peers.set(router.name, []);
    const interfaces = router.interfaces.map((iface) => planInterface(router, iface, draft));
    const bfdProfile = lab.services.detection?.singleHopProfile;
    const ipv6 = router.loopback6 !== undefined || interfaces.some((iface) => iface.ipv6);
    routers.set(router.name, {
      ospf: {
        area: areaId(area),
        cost,
        helloSeconds,
        deadSeconds,
        interfaces,
        ...(bfdProfile ? { bfdProfile } : {}),
        ...(ipv6 ? { ipv6 } : {}),
      },
    });
  }
  const domain = (name: string) => (routers.has(name) ? draft.domains.find(name) : undefined);
  const facts = areaFacts(running, routers, domain, lab.settings);
  draft.issues.push(...areaIssues(facts, running, lab.settings));
  for (const router of running) Object.assign(routers.get(router.name)?.ospf ?? {}, routerAreaPlans(facts, router));
  return {
    issues: draft.issues,
    routers,
    facets: {
      routeGroup: domain,
      igpDomain: domain,
      detectedPeers: (name) => draft.peers.get(name) ?? [],
      ...(facts.summarizes
        ? { learnedAs: (router: string, origin: string, prefix: string) => learnedAs(facts, router, origin, prefix) }
        : {}),
    },
  };
}

export type { AreaFacts };

/** The router's interface on one segment: its OSPF neighbours there, who must agree with it. */
function planInterface(router: RunningRouter<OspfSettings>, iface: RouterInterface, draft: OspfDraft): OspfInterfacePlan {
  const mine = linkSettings(router.settings, iface);
  const onSegment = draft.lab.peersOn(router, iface.segment).filter((peer) => peer.router.settings !== undefined);
  // A passive end forms no adjacency: neither end counts the other as a neighbour.
  const peers = mine.passive ? [] : onSegment.filter((peer) => !peerLink(peer.router, iface.segment).passive);
  const peers6 = iface.ipv6 ? peers.filter((peer) => peer.address6 !== undefined) : [];
  for (const peer of peers) {
    draft.domains.join(router.name, peer.router.name);
    draft.peers.get(router.name)?.push({ address: peer.address, multihop: false });
    // Reported once per pair, on the later node.
    if (peer.router.index < router.index) {
      const defaultNetwork = peers.length === 1 ? "point-to-point" : "broadcast";
      draft.issues.push(...disagreements(router, iface, peer.router, iface.segment, defaultNetwork));
    }
  }
  // OSPFv3's adjacencies, detected by BFD over IPv6.
  for (const peer of peers6) draft.peers.get(router.name)?.push({ address: peer.address6!, multihop: false });
  draft.issues.push(...linkIssues(router, iface, mine, peers.length));
  const pointToPoint = peers.length === 1 && mine.network !== "broadcast";
  return {
    segment: iface.segment,
    address: iface.address,
    prefixLength: iface.prefixLength,
    passive: peers.length === 0,
    pointToPoint,
    neighbors: peers.map((peer) => peer.router.name),
    ...(iface.ipv6
      ? { ipv6: { passive: peers6.length === 0, pointToPoint: peers6.length === 1, neighbors: peers6.map((peer) => peer.router.name) } }
      : {}),
    ...overrides(router.settings, mine),
  };
}

/** The link's own values in the plan: only those its interface sets (a lab without them plans as before). */
function overrides(node: OspfSettings, link: LinkSettings): Partial<OspfInterfacePlan> {
  const own = link.own;
  return {
    ...(own.area !== undefined && link.area !== areaId(node.area) ? { area: link.area } : {}),
    ...(own.cost !== undefined ? { cost: own.cost } : {}),
    ...(own.helloSeconds !== undefined ? { helloSeconds: own.helloSeconds } : {}),
    ...(own.deadSeconds !== undefined ? { deadSeconds: own.deadSeconds } : {}),
    ...(own.priority !== undefined ? { priority: own.priority } : {}),
    ...(own.passive ? { madePassive: true } : {}),
    ...(own.password !== undefined ? { password: own.password } : {}),
  };
}

/** The peer's link on the segment (the node's settings when it has no interface there: none to compare). */
function peerLink(peer: ProtocolRouter<OspfSettings>, segment: string): LinkSettings {
  const iface = peer.interfaces.find((candidate) => candidate.segment === segment);
  return linkSettings(peer.settings!, iface ?? { segment, address: "", prefixLength: 0 });
}

/** What is wrong with a link's own settings: timers, and a point-to-point network with several neighbours. */
function linkIssues(router: RunningRouter<OspfSettings>, iface: RouterInterface, link: LinkSettings, neighbours: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const own = link.own;
  if ((own.helloSeconds !== undefined || own.deadSeconds !== undefined) && link.deadSeconds <= link.helloSeconds) {
    issues.push({
      path: interfaceFieldPath(router, iface, own.deadSeconds !== undefined ? "ospf.deadSeconds" : "ospf.helloSeconds"),
      message: `dead interval ${link.deadSeconds} must be more than the hello interval (${link.helloSeconds}) on segment ${show(iface.segment)}`,
    });
  }
  if (own.network === "point-to-point" && neighbours > 1) {
    issues.push({
      path: interfaceFieldPath(router, iface, "ospf.network"),
      message: `"point-to-point" on segment ${show(iface.segment)}, where ${neighbours} other OSPF routers are: a point-to-point link has one neighbour (use "broadcast")`,
    });
  }
  if (own.network === "broadcast" && iface.borrowed) {
    issues.push({
      path: interfaceFieldPath(router, iface, "ospf.network"),
      message: `"broadcast" on unnumbered segment ${show(iface.segment)}: an unnumbered link is point-to-point`,
    });
  }
  if (own.priority !== undefined && (neighbours === 0 || (neighbours === 1 && own.network !== "broadcast"))) {
    issues.push({
      path: interfaceFieldPath(router, iface, "ospf.priority"),
      message: `${own.priority}: segment ${show(iface.segment)} elects no designated router (it is ${neighbours === 0 ? "passive" : "point-to-point"}); a priority needs a broadcast link`,
    });
  }
  return issues;
}

/** What two OSPF routers on one segment disagree on: area, network type, hello and dead intervals, password. */
function disagreements(
  router: RunningRouter<OspfSettings>,
  iface: RouterInterface,
  peer: ProtocolRouter<OspfSettings>,
  segment: string,
  defaultNetwork: string,
): ConfigIssue[] {
  if (!peer.settings) return [];
  const mine = linkSettings(router.settings, iface);
  const theirs = peerLink(peer, segment);
  const issues: ConfigIssue[] = [];
  // The node's field where the link does not set its own (a lab without interface fields reads as before).
  const pathOf = (field: keyof OspfInterfaceSettings) =>
    mine.own[field] !== undefined ? interfaceFieldPath(router, iface, `ospf.${field}`) : `nodes[${router.index}].ospf.${field}`;
  const disagree = (field: keyof OspfInterfaceSettings, value: unknown, their: unknown, why: string) =>
    issues.push({
      path: pathOf(field),
      message: `${show(value)} differs from node ${show(peer.name)}'s ${show(their)} on segment ${show(segment)}: ${why}`,
    });
  if (theirs.area !== mine.area) disagree("area", mine.area, theirs.area, "routers that share a segment must be in one area");
  if (theirs.helloSeconds !== mine.helloSeconds)
    disagree("helloSeconds", mine.helloSeconds, theirs.helloSeconds, "OSPF neighbours must agree");
  if (theirs.deadSeconds !== mine.deadSeconds) disagree("deadSeconds", mine.deadSeconds, theirs.deadSeconds, "OSPF neighbours must agree");
  const [network, theirNetwork] = [mine.network ?? defaultNetwork, theirs.network ?? defaultNetwork];
  if (network !== theirNetwork) disagree("network", network, theirNetwork, "OSPF neighbours must use one network type");
  if (theirs.password !== mine.password) {
    issues.push({
      path: interfaceFieldPath(router, iface, "ospf.password"),
      message: `${SECRET_NOT_SHOWN} on segment ${show(segment)}: ${passwordMismatch(mine.password, theirs.password, peer.name)}; both ends of a link must have one password`,
    });
  }
  return issues;
}

/** How two ends' passwords differ, showing neither. */
function passwordMismatch(mine: string | undefined, theirs: string | undefined, peer: string): string {
  if (mine === undefined) return `node ${show(peer)} authenticates`;
  return theirs === undefined ? `node ${show(peer)} does not authenticate` : `node ${show(peer)}'s differs`;
}

/** The issues of a router's own OSPF field, alone. */
export function ospfNodeIssues(settings: OspfSettings, at: (field: string) => string): ConfigIssue[] {
  return settings.deadSeconds <= settings.helloSeconds
    ? [{ path: at("ospf.deadSeconds"), message: `${settings.deadSeconds} must be more than helloSeconds (${settings.helloSeconds})` }]
    : [];
}
