/**
 * OSPF over the lab's routers: it runs on each segment that another OSPF router shares
 * (point-to-point when there is exactly one such neighbour); the router's other segments are passive
 * and announced. Routers that share a segment must agree on area and timers. OSPF routers linked
 * this way form a domain, which carries their loopbacks (the IGP facet BGP asks about).
 */
import { ConfigIssue, show } from "../../net/errors";
import { DetectedPeer, Groups, ProtocolPlan, ProtocolRouter, RouterInterface, RoutingLab, RunningRouter } from "../protocol";
import { OspfSettings } from "./schema";

export interface OspfInterfacePlan {
  segment: string;
  address: string;
  prefixLength: number;
  /** No other OSPF router on the segment: announced, no hellos. */
  passive: boolean;
  /** Exactly one other OSPF router on the segment: no DR election. */
  pointToPoint: boolean;
  /** The OSPF routers across the segment, by node name. */
  neighbors: string[];
  /** OSPFv3 on the segment, where the router has an IPv6 address there: the same, among the neighbours with one too. */
  ipv6?: { passive: boolean; pointToPoint: boolean; neighbors: string[] };
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

/** What planning one router's interfaces adds to as it goes. */
interface OspfDraft {
  lab: RoutingLab<OspfSettings, never>;
  domains: Groups;
  issues: ConfigIssue[];
  /** Per router, its adjacencies as BFD would detect them. */
  peers: Map<string, DetectedPeer[]>;
}

export function planOspf(lab: RoutingLab<OspfSettings, never>): ProtocolPlan<OspfFields> {
  const draft: OspfDraft = { lab, domains: new Groups(), issues: [], peers: new Map() };
  const routers = new Map<string, OspfFields>();
  for (const router of lab.routers) {
    if (!router.settings) continue;
    const running = { ...router, settings: router.settings };
    const { area, cost, helloSeconds, deadSeconds } = router.settings;
    draft.peers.set(router.name, []);
    const interfaces = router.interfaces.map((iface) => planInterface(running, iface, draft));
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
  return {
    issues: draft.issues,
    routers,
    facets: { routeGroup: domain, igpDomain: domain, detectedPeers: (name) => draft.peers.get(name) ?? [] },
  };
}

/** The router's interface on one segment: its OSPF neighbours there, who must agree with it. */
function planInterface(router: RunningRouter<OspfSettings>, iface: RouterInterface, draft: OspfDraft): OspfInterfacePlan {
  const peers = draft.lab.peersOn(router, iface.segment).filter((peer) => peer.router.settings !== undefined);
  const peers6 = iface.ipv6 ? peers.filter((peer) => peer.address6 !== undefined) : [];
  for (const peer of peers) {
    draft.domains.join(router.name, peer.router.name);
    draft.peers.get(router.name)?.push({ address: peer.address, multihop: false });
    // Reported once per pair, on the later node.
    if (peer.router.index < router.index) draft.issues.push(...disagreements(router, peer.router, iface.segment));
  }
  // OSPFv3's adjacencies, detected by BFD over IPv6.
  for (const peer of peers6) draft.peers.get(router.name)?.push({ address: peer.address6!, multihop: false });
  return {
    segment: iface.segment,
    address: iface.address,
    prefixLength: iface.prefixLength,
    passive: peers.length === 0,
    pointToPoint: peers.length === 1,
    neighbors: peers.map((peer) => peer.router.name),
    ...(iface.ipv6
      ? { ipv6: { passive: peers6.length === 0, pointToPoint: peers6.length === 1, neighbors: peers6.map((peer) => peer.router.name) } }
      : {}),
  };
}

/** What two OSPF routers on one segment disagree on: area, hello and dead intervals. */
function disagreements(router: RunningRouter<OspfSettings>, peer: ProtocolRouter<OspfSettings>, segment: string): ConfigIssue[] {
  const mine = router.settings;
  const theirs = peer.settings;
  if (!theirs) return [];
  const issues: ConfigIssue[] = [];
  const disagree = (field: string, value: unknown, their: unknown, why: string) =>
    issues.push({
      path: `nodes[${router.index}].ospf.${field}`,
      message: `${show(value)} differs from node ${show(peer.name)}'s ${show(their)} on segment ${show(segment)}: ${why}`,
    });
  const [area, theirArea] = [areaId(mine.area), areaId(theirs.area)];
  if (theirArea !== area) disagree("area", area, theirArea, "routers that share a segment must be in one area");
  if (theirs.helloSeconds !== mine.helloSeconds)
    disagree("helloSeconds", mine.helloSeconds, theirs.helloSeconds, "OSPF neighbours must agree");
  if (theirs.deadSeconds !== mine.deadSeconds) disagree("deadSeconds", mine.deadSeconds, theirs.deadSeconds, "OSPF neighbours must agree");
  return issues;
}

/** The issues of a router's own OSPF field, alone. */
export function ospfNodeIssues(settings: OspfSettings, at: (field: string) => string): ConfigIssue[] {
  return settings.deadSeconds <= settings.helloSeconds
    ? [{ path: at("ospf.deadSeconds"), message: `${settings.deadSeconds} must be more than helloSeconds (${settings.helloSeconds})` }]
    : [];
}
