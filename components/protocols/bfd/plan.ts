/**
 * BFD on every adjacency and session the protocols planned before it want detected (their
 * `detectedPeers` facet): OSPF's adjacencies and BGP's sessions today. A session between loopbacks
 * (iBGP) gets a multihop BFD session with slower timers of its own (`bfd.multihop`, default 3 x the
 * interval, the same multiplier: 900 ms at 100 ms x 3): when a link fails, the IGP's single-hop BFD
 * detects it and the IGP moves the loopbacks to another path (a silent failure in the OSPF ring:
 * about 270 ms of outage at 100 ms x 3, measured) well within that time, so the iBGP session survives
 * the reroute, while a dead peer is still detected long before the BGP hold time. A multihop
 * override that would detect a failure no later than the single-hop sessions is refused: the reroute
 * would tear the iBGP sessions down.
 */
import { ConfigIssue, show } from "../../net/errors";
import { DetectedPeer, LabServices, PreparingLab, ProtocolPlan, ProtocolSummary, RoutingLab, andList, orList } from "../protocol";
import { BFD_MULTIHOP_PROFILE, BFD_PROFILE } from "./frr";
import { BFD_INTERVAL_MS, BfdSettings, DEFAULT_BFD } from "./schema";

export interface BfdTimers {
  intervalMs: number;
  multiplier: number;
}

/** A single-hop session bfdd declares whole: its peer, its source and the segment it runs on. */
export interface BfdDeclaredPeer {
  address: string;
  localAddress: string;
  segment: string;
}

/** What BFD adds to a router's plan. */
export interface BfdFields {
  /** BFD timers, when the lab runs BFD. */
  bfd?: BfdTimers;
  /** Timers of the multihop BFD sessions, when one of this router's sessions has one. */
  bfdMultihop?: BfdTimers;
  /** Addresses of the BFD peers this router should see up, single-hop and multihop. */
  bfdPeers: string[];
  /** The single-hop sessions declared in bfdd whole. */
  bfdDeclared: BfdDeclaredPeer[];
}

/** How much slower than the lab's BFD interval the multihop sessions run by default. */
export const MULTIHOP_BFD_FACTOR = 3;

/**
 * The multihop sessions' timers: the user's `bfd.multihop`, else MULTIHOP_BFD_FACTOR x the interval
 * (at most FRR's 60 s) and the same multiplier.
 */
export function multihopBfdTimers(bfd: BfdTimers, override: Partial<BfdTimers> = {}): BfdTimers {
  return {
    intervalMs: override.intervalMs ?? Math.min(bfd.intervalMs * MULTIHOP_BFD_FACTOR, BFD_INTERVAL_MS.max),
    multiplier: override.multiplier ?? bfd.multiplier,
  };
}

/** The lab's timers from its `bfd` field: none when it is off. */
function labTimers(settings: BfdSettings | undefined): { single?: BfdTimers; multihop?: BfdTimers; override?: Partial<BfdTimers> } {
  if (settings === undefined || settings === false) return {};
  const single = settings === true ? { ...DEFAULT_BFD } : { intervalMs: settings.intervalMs, multiplier: settings.multiplier };
  const override = typeof settings === "object" ? settings.multihop : undefined;
  return { single, multihop: multihopBfdTimers(single, override), override };
}

/** The IGPs registered, for messages: by field ("ospf") and by title ("OSPF"). */
const igpsOf = (protocols: ProtocolSummary[]) => protocols.filter((protocol) => protocol.igp);

/** Before any plans: whether the lab runs BFD (the profiles every protocol refers to), and what is wrong with its field. */
export function prepareBfd(lab: PreparingLab<BfdSettings>): { issues: ConfigIssue[]; services: LabServices } {
  const { single, multihop, override } = labTimers(lab.settings);
  if (!single || !multihop) return { issues: [], services: {} };
  const issues: ConfigIssue[] = [];
  if (lab.routers.length === 0) {
    const perNode = lab.protocols.filter((protocol) => protocol.perNode && !protocol.addOn);
    // A router is made by any node protocol; BFD rides on the IGPs' adjacencies and BGP's sessions.
    const carriers = perNode.filter((protocol) => protocol.igp || protocol.name === "bgp");
    issues.push({
      path: "bfd",
      message: `${show(lab.settings)}: BFD runs on ${andList(carriers.map((p) => p.title))} adjacencies, but no node has ${orList(perNode.map((p) => p.name))}`,
    });
  }
  const detection = (timers: BfdTimers) => `${timers.intervalMs * timers.multiplier} ms (${timers.intervalMs} ms x ${timers.multiplier})`;
  if (override && multihop.intervalMs * multihop.multiplier <= single.intervalMs * single.multiplier) {
    const igps = orList(igpsOf(lab.protocols).map((p) => p.title));
    issues.push({
      path: "bfd.multihop",
      message:
        `${show(override)}: multihop BFD would detect a dead peer in ${detection(multihop)}, no later than ` +
        `the single-hop sessions' ${detection(single)}; it must be slower, or an ${igps} reroute tears the iBGP sessions between loopbacks down`,
    });
  }
  return { issues, services: { detection: { singleHopProfile: BFD_PROFILE, multihopProfile: BFD_MULTIHOP_PROFILE } } };
}

export function planBfd(lab: RoutingLab<never, BfdSettings>): ProtocolPlan<BfdFields> {
  const { single, multihop, override } = labTimers(lab.settings);
  const routers = new Map(
    lab.routers.map((router): [string, BfdFields] => {
      const peers: DetectedPeer[] = single ? lab.earlier.flatMap((planned) => planned.facets.detectedPeers?.(router.name) ?? []) : [];
      return [
        router.name,
        {
          bfd: single,
          ...(peers.some((peer) => peer.multihop) ? { bfdMultihop: multihop } : {}),
          // Multihop ones too: bfdd lists them among its peers (`"multihop": true` in `show bfd peers json`).
          bfdPeers: [...new Set(peers.map((peer) => peer.address))],
          bfdDeclared: peers.flatMap((peer) => (peer.declare ? [{ address: peer.address, ...peer.declare }] : [])),
        },
      ];
    }),
  );
  const issues: ConfigIssue[] = [];
  if (override && ![...routers.values()].some((fields) => fields.bfdMultihop)) {
    const igps = orList(igpsOf(lab.protocols).map((p) => p.name));
    issues.push({
      path: "bfd.multihop",
      message: `${show(override)}: no BFD session is multihop; only iBGP between loopbacks (both routers with a loopback and ${igps}) runs one`,
    });
  }
  return { issues, routers, facets: {} };
}
