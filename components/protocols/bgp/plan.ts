/**
 * BGP over the lab's routers: an eBGP session per shared segment with each BGP router of another
 * ASN; iBGP between every two routers of one ASN, between their loopbacks when an IGP planned
 * before it has both in one domain (which carries the loopbacks), otherwise over their first shared
 * segment. A router announces its LANs and its loopback.
 */
import { ConfigIssue, show } from "../../net/errors";
import { Groups, ProtocolPlan, RoutingLab, RunningRouter, fieldPath, isRunning, orList } from "../protocol";
import { BgpSettings } from "./schema";

export interface BgpNeighborPlan {
  /** The peer's node name. */
  node: string;
  /** The peer's address this router connects to. */
  address: string;
  remoteAs: number;
  /** Between loopbacks (iBGP over an IGP): sourced from `lo`, multihop. */
  overLoopback: boolean;
  /** The session's BFD when the lab runs BFD: multihop between loopbacks, single-hop otherwise. */
  bfd: false | "single-hop" | "multihop";
  /** A single-hop session: the segment it runs on and this router's address there. */
  link?: { segment: string; localAddress: string };
  /** 6: an IPv6 session, carrying IPv6 unicast (absent: IPv4, carrying IPv4 unicast). */
  family?: number;
}

export interface BgpPlan {
  asn: number;
  keepaliveSeconds: number;
  holdSeconds: number;
  neighbors: BgpNeighborPlan[];
  /** Prefixes announced: the router's LANs, then its loopback. */
  networks: string[];
  /** IPv6 prefixes announced over its IPv6 sessions: its IPv6 LANs, then its IPv6 loopback (absent where none). */
  networks6?: string[];
  /** The BFD profiles of its single-hop and multihop sessions, when the lab runs BFD. */
  bfdProfiles?: { singleHop: string; multihop: string };
}

/** What BGP adds to a router's plan. */
export interface BgpFields {
  bgp?: BgpPlan;
}

type BgpRouter = RunningRouter<BgpSettings>;

/** What planning the sessions adds to as it goes. */
interface BgpDraft {
  lab: RoutingLab<BgpSettings, never>;
  issues: ConfigIssue[];
  /** Per BGP router, its sessions in the order they are found. */
  sessions: Map<string, BgpNeighborPlan[]>;
  /** Routers joined by sessions: they learn each other's LANs. */
  groups: Groups;
}

export function planBgp(lab: RoutingLab<BgpSettings, never>): ProtocolPlan<BgpFields> {
  const bgpRouters = lab.routers.filter(isRunning);
  const draft: BgpDraft = { lab, issues: [], sessions: new Map(bgpRouters.map((router) => [router.name, []])), groups: new Groups() };
  ebgpSessions(bgpRouters, draft);
  ibgpSessions(bgpRouters, draft);
  for (const router of bgpRouters) {
    const blamed = draft.issues.some((issue) => issue.path === fieldPath(router, "bgp.asn"));
    if (draft.sessions.get(router.name)?.length === 0 && !blamed) {
      draft.issues.push({
        path: fieldPath(router, "bgp"),
        message: `node ${show(router.name)} (AS ${router.settings.asn}) has no BGP neighbour: no other BGP router shares a segment or its ASN with it`,
      });
    }
  }
  const detection = lab.services.detection;
  const bfdProfiles = detection ? { singleHop: detection.singleHopProfile, multihop: detection.multihopProfile } : undefined;
  const routers = new Map(
    bgpRouters.map((router): [string, BgpFields] => {
      const { asn, keepaliveSeconds, holdSeconds } = router.settings;
      const neighbors = draft.sessions.get(router.name) ?? [];
      const networks = [...router.lans, ...(router.loopback ? [`${router.loopback}/32`] : [])];
      const networks6 = [...(router.lans6 ?? []), ...(router.loopback6 ? [`${router.loopback6}/128`] : [])];
      const v6 = networks6.length > 0 ? { networks6 } : {};
      return [
        router.name,
        { bgp: { asn, keepaliveSeconds, holdSeconds, neighbors, networks, ...v6, ...(bfdProfiles ? { bfdProfiles } : {}) } },
      ];
    }),
  );
  return {
    issues: draft.issues,
    routers,
    facets: {
      routeGroup: (name) => (draft.sessions.has(name) ? draft.groups.find(name) : undefined),
      sessionPeers: (name) => [...new Set((draft.sessions.get(name) ?? []).map((session) => session.node))],
      detectedPeers: (name) =>
        (draft.sessions.get(name) ?? [])
          .filter((session) => session.bfd)
          .map((session) => ({
            address: session.address,
            multihop: session.overLoopback,
            // bgpd registers a single-hop session without its source first (bfd/frr.ts): bfdd declares it whole.
            ...(session.link ? { declare: { localAddress: session.link.localAddress, segment: session.link.segment } } : {}),
          })),
    },
  };
}

/**
 * A session from one router to another; `on`: the segment of a single-hop session (the routers'
 * addresses there are its ends); `family` 6: over IPv6, carrying IPv6 unicast.
 */
function addSession(draft: BgpDraft, from: BgpRouter, to: BgpRouter, address: string, on?: string, family?: number): void {
  const overLoopback = on === undefined;
  const link = from.interfaces.find((iface) => iface.segment === on);
  const localAddress = family === 6 ? link?.ipv6 : link?.address;
  draft.sessions.get(from.name)?.push({
    node: to.name,
    address,
    remoteAs: to.settings.asn,
    overLoopback,
    bfd: draft.lab.services.detection === undefined ? false : overLoopback ? "multihop" : "single-hop",
    ...(link && localAddress ? { link: { segment: link.segment, localAddress } } : {}),
    ...(family === 6 ? { family } : {}),
  });
  draft.groups.join(from.name, to.name);
}

/** eBGP: one session per shared segment with each BGP router of another ASN. */
function ebgpSessions(bgpRouters: BgpRouter[], draft: BgpDraft): void {
  for (const router of bgpRouters) {
    for (const iface of router.interfaces) {
      for (const peer of draft.lab.peersOn(router, iface.segment)) {
        const other = peer.router;
        if (!isRunning(other) || other.settings.asn === router.settings.asn) continue;
        addSession(draft, router, other, peer.address, iface.segment);
        if (peer.address6) addSession(draft, router, other, peer.address6, iface.segment, 6);
      }
    }
  }
}

/** iBGP: a full mesh per ASN, between loopbacks an IGP carries, else over a shared segment. */
function ibgpSessions(bgpRouters: BgpRouter[], draft: BgpDraft): void {
  const earlierOfAsn = new Map<number, BgpRouter[]>();
  for (const router of bgpRouters) {
    const earlier = earlierOfAsn.get(router.settings.asn) ?? [];
    earlierOfAsn.set(router.settings.asn, earlier);
    for (const peer of earlier) {
      if (router.loopback !== undefined && peer.loopback !== undefined && inOneIgpDomain(draft.lab, router.name, peer.name)) {
        addSession(draft, peer, router, router.loopback);
        addSession(draft, router, peer, peer.loopback);
        ibgpSessions6(draft, router, peer);
        continue;
      }
      const shared = sharedSegment(router, peer);
      if (shared) {
        addSession(draft, peer, router, shared.address, shared.segment);
        addSession(draft, router, peer, shared.peerAddress, shared.segment);
        ibgpSessions6(draft, router, peer);
        continue;
      }
      draft.issues.push({ path: fieldPath(router, "bgp.asn"), message: unreachableIbgp(draft.lab, router, peer) });
    }
    earlier.push(router);
  }
}

/** iBGP over IPv6 beside an IPv4 session: between IPv6 loopbacks an IGP carries, else over a segment both have IPv6 on. */
function ibgpSessions6(draft: BgpDraft, router: BgpRouter, peer: BgpRouter): void {
  if (router.loopback6 !== undefined && peer.loopback6 !== undefined && inOneIgpDomain(draft.lab, router.name, peer.name)) {
    addSession(draft, peer, router, router.loopback6, undefined, 6);
    addSession(draft, router, peer, peer.loopback6, undefined, 6);
    return;
  }
  for (const iface of router.interfaces) {
    const theirs = peer.interfaces.find((candidate) => candidate.segment === iface.segment);
    if (iface.ipv6 && theirs?.ipv6) {
      addSession(draft, peer, router, iface.ipv6, iface.segment, 6);
      addSession(draft, router, peer, theirs.ipv6, iface.segment, 6);
      return;
    }
  }
}

/** Whether an IGP planned before BGP has both routers in one domain. */
function inOneIgpDomain(lab: RoutingLab<BgpSettings, never>, a: string, b: string): boolean {
  return lab.earlier.some((planned) => {
    const domain = planned.facets.igpDomain?.(a);
    return domain !== undefined && domain === planned.facets.igpDomain?.(b);
  });
}

/** The first segment of `router` that `peer` is on too, with both addresses there. */
function sharedSegment(router: BgpRouter, peer: BgpRouter): { segment: string; address: string; peerAddress: string } | undefined {
  for (const iface of router.interfaces) {
    const theirs = peer.interfaces.find((candidate) => candidate.segment === iface.segment);
    if (theirs) return { segment: iface.segment, address: iface.address, peerAddress: theirs.address };
  }
  return undefined;
}

function unreachableIbgp(lab: RoutingLab<BgpSettings, never>, router: BgpRouter, peer: BgpRouter): string {
  const igps = lab.earlier.flatMap((protocol) => (protocol.igp ? [`${protocol.name} in one ${protocol.igp.domain}`] : []));
  const ways =
    igps.length > 0 ? `give both a loopback and ${orList(igps)}, or attach them to a common segment` : "attach them to a common segment";
  return `${router.settings.asn} is also node ${show(peer.name)}'s ASN, but the two cannot reach each other for iBGP: ${ways}`;
}

/** The issues of a router's own BGP field, alone. */
export function bgpNodeIssues(settings: BgpSettings, at: (field: string) => string): ConfigIssue[] {
  return settings.keepaliveSeconds >= settings.holdSeconds
    ? [
        {
          path: at("bgp.keepaliveSeconds"),
          message: `${settings.keepaliveSeconds} must be less than holdSeconds (${settings.holdSeconds})`,
        },
      ]
    : [];
}
