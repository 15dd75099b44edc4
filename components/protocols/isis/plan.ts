/**
 * IS-IS over the lab's routers: it runs on each segment that another IS-IS router shares, where the
 * two can form an adjacency (point-to-point when there is exactly one such neighbour); the router's
 * other segments are passive and announced. Routers joined by adjacencies form a domain, which
 * carries their loopbacks (the IGP facet BGP asks about).
 */
import { ConfigIssue, show } from "../../net/errors";
import { DetectedPeer, Groups, ProtocolPlan, ProtocolRouter, RouterInterface, RoutingLab, RunningRouter } from "../protocol";
import { IsisSettings } from "./schema";

export interface IsisInterfacePlan {
  segment: string;
  /** No other IS-IS router on the segment: announced, no hellos. */
  passive: boolean;
  /** Exactly one other IS-IS router on the segment: no DIS election. */
  pointToPoint: boolean;
  /** The IS-IS routers across the segment, by node name. */
  neighbors: string[];
  /** It carries IPv6 too (the router has an IPv6 address there): one adjacency, both families. */
  ipv6?: boolean;
}

export interface IsisPlan {
  area: string;
  level: IsisSettings["level"];
  metric?: number;
  helloSeconds: number;
  holdMultiplier: number;
  interfaces: IsisInterfacePlan[];
  /** The BFD profile of its adjacencies, when the lab runs BFD. */
  bfdProfile?: string;
}

/** What IS-IS adds to a router's plan. */
export interface IsisFields {
  isis?: IsisPlan;
}

const runsLevel1 = (settings: IsisSettings) => settings.level !== "level-2";
const runsLevel2 = (settings: IsisSettings) => settings.level !== "level-1";

/** Whether two IS-IS routers on one segment form an adjacency: L1 within one area, or L2. */
export function canAdjoin(a: IsisSettings, b: IsisSettings): boolean {
  const level1 = runsLevel1(a) && runsLevel1(b) && a.area.toLowerCase() === b.area.toLowerCase();
  return level1 || (runsLevel2(a) && runsLevel2(b));
}

interface IsisDraft {
  lab: RoutingLab<IsisSettings, never>;
  domains: Groups;
  issues: ConfigIssue[];
  peers: Map<string, DetectedPeer[]>;
}

export function planIsis(lab: RoutingLab<IsisSettings, never>): ProtocolPlan<IsisFields> {
  const draft: IsisDraft = { lab, domains: new Groups(), issues: [], peers: new Map() };
  const routers = new Map<string, IsisFields>();
  for (const router of lab.routers) {
    if (!router.settings) continue;
    const running = { ...router, settings: router.settings };
    draft.peers.set(router.name, []);
    const interfaces = router.interfaces.map((iface) => planInterface(running, iface, draft));
    const { area, level, metric, helloSeconds, holdMultiplier } = router.settings;
    const bfdProfile = lab.services.detection?.singleHopProfile;
    routers.set(router.name, {
      isis: { area, level, metric, helloSeconds, holdMultiplier, interfaces, ...(bfdProfile ? { bfdProfile } : {}) },
    });
  }
  const domain = (name: string) => (routers.has(name) ? draft.domains.find(name) : undefined);
  return {
    issues: draft.issues,
    routers,
    facets: { routeGroup: domain, igpDomain: domain, detectedPeers: (name) => draft.peers.get(name) ?? [] },
  };
}

/** The router's interface on one segment: the IS-IS routers there it forms an adjacency with. */
function planInterface(router: RunningRouter<IsisSettings>, iface: RouterInterface, draft: IsisDraft): IsisInterfacePlan {
  const others = draft.lab.peersOn(router, iface.segment).filter((peer) => peer.router.settings !== undefined);
  const peers = others.filter((peer) => canAdjoin(router.settings, peer.router.settings!));
  for (const peer of others) {
    // Reported once per pair, on the later node.
    if (peer.router.index < router.index) draft.issues.push(...disagreements(router, peer.router, iface.segment));
  }
  for (const peer of peers) {
    draft.domains.join(router.name, peer.router.name);
    draft.peers.get(router.name)?.push({ address: peer.address, multihop: false });
  }
  return {
    segment: iface.segment,
    passive: peers.length === 0,
    pointToPoint: peers.length === 1,
    neighbors: peers.map((peer) => peer.router.name),
    ...(iface.ipv6 ? { ipv6: true } : {}),
  };
}

/** What two IS-IS routers on one segment disagree on: levels and areas that form no adjacency, hello timers. */
function disagreements(router: RunningRouter<IsisSettings>, peer: ProtocolRouter<IsisSettings>, segment: string): ConfigIssue[] {
  const mine = router.settings;
  const theirs = peer.settings!;
  const issues: ConfigIssue[] = [];
  const at = (field: string) => `nodes[${router.index}].isis.${field}`;
  const onSegment = `node ${show(peer.name)}'s on segment ${show(segment)}`;
  if (!canAdjoin(mine, theirs)) {
    const levels = [mine.level, theirs.level].sort().join(" ");
    const disjoint = levels === "level-1 level-2";
    const why = disjoint ? "one runs only level 1, the other only level 2" : "level-1 neighbours must be in one area, or both run level 2";
    issues.push({
      path: disjoint ? at("level") : at("area"),
      message: `${show(mine.level)} in area ${show(mine.area)} forms no adjacency with ${onSegment} ${show(theirs.level)} in area ${show(theirs.area)}: ${why}`,
    });
  }
  for (const field of ["helloSeconds", "holdMultiplier"] as const) {
    if (mine[field] !== theirs[field]) {
      issues.push({
        path: at(field),
        message: `${show(mine[field])} differs from ${onSegment} ${show(theirs[field])}: IS-IS neighbours must agree`,
      });
    }
  }
  return issues;
}
