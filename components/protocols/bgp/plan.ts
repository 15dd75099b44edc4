/**
 * BGP over the lab's routers: an eBGP session per shared segment with each BGP router of another
 * ASN; iBGP between routers of one ASN, between their loopbacks when an IGP planned before it has
 * both in one domain (which carries the loopbacks), otherwise over their first shared segment. An
 * ASN without route reflectors is a full mesh; with them, each reflector peers with the other
 * reflectors and with its clients only. A router announces its LANs, its loopback (unless told
 * not to) and the prefixes it originates. Per-session options (sessions.ts) and what a router
 * announces (announce.ts) are planned on top of the sessions found here.
 */
import { ConfigIssue, show } from "../../net/errors";
import { Groups, ProtocolPlan, RoutingLab, RunningRouter, fieldPath, isRunning, orList } from "../protocol";
import { interfaceToken } from "../frr/config";
import { BgpAnnouncement, planAnnouncements } from "./announce";
import { ReflectorPlan, markReflectorClients, planReflectors } from "./reflectors";
import { BgpSessionOptions, applySessionOptions, multihopSessions, sessionWide } from "./sessions";
import { BgpSettings } from "./schema";

export interface BgpNeighborPlan {
  /** The peer's node name. */
  node: string;
  /** The peer's address this router connects to (an unnumbered session: the interface's token). */
  address: string;
  remoteAs: number;
  /** Between loopbacks (iBGP over an IGP, eBGP multihop): sourced from `lo`, multihop. */
  overLoopback: boolean;
  /** The session's BFD when the lab runs BFD: multihop between loopbacks, single-hop otherwise. */
  bfd: false | "single-hop" | "multihop";
  /** A single-hop session: the segment it runs on and this router's address there. */
  link?: { segment: string; localAddress: string };
  /** 6: an IPv6 session, carrying IPv6 unicast (absent: IPv4, carrying IPv4 unicast). */
  family?: number;
  /** On the segment's interface, between IPv6 link-local addresses (FRR's `neighbor <interface> interface`); carries IPv4 and, where both have it, IPv6. */
  unnumbered?: boolean;
  /** This router reflects routes to the neighbour: it is one of its clients. */
  reflectorClient?: boolean;
  /** The session's options, where it has any. */
  options?: BgpSessionOptions;
}

export interface BgpPlan {
  asn: number;
  keepaliveSeconds: number;
  holdSeconds: number;
  neighbors: BgpNeighborPlan[];
  /** Prefixes announced: the router's LANs, then its loopback (unless not advertised), then those it originates. */
  networks: string[];
  /** IPv6 prefixes announced over its IPv6 sessions: its IPv6 LANs, then its IPv6 loopback (absent where none). */
  networks6?: string[];
  /** The BFD profiles of its single-hop and multihop sessions, when the lab runs BFD. */
  bfdProfiles?: { singleHop: string; multihop: string };
  /** As a route reflector: its cluster id, if set, and its clients; as a client: its reflectors. */
  reflector?: ReflectorPlan;
  /** What it announces beyond the plain `network`s: communities, originated prefixes and their discard routes, what others should see. */
  announce?: BgpAnnouncement;
  /** Static routes to multihop neighbours' loopbacks that no IGP carries: prefix and next hop. */
  staticRoutes?: { prefix: string; via: string }[];
  /** The values of its FRR file's secret tokens (sessions' passwords), by token: never in the file's text. */
  secrets?: Record<string, unknown>;
}

/** What BGP adds to a router's plan. */
export interface BgpFields {
  bgp?: BgpPlan;
}

export type BgpRouter = RunningRouter<BgpSettings>;

/** What planning the sessions adds to as it goes. */
export interface BgpDraft {
  lab: RoutingLab<BgpSettings, never>;
  issues: ConfigIssue[];
  /** Per BGP router, its sessions in the order they are found. */
  sessions: Map<string, BgpNeighborPlan[]>;
  /** Routers joined by sessions: they learn each other's LANs. */
  groups: Groups;
  /** The iBGP pairs planned, and which of them a reflector serves. */
  reflectors: ReturnType<typeof planReflectors>;
  /** Per router: static routes to multihop neighbours' loopbacks. */
  staticRoutes: Map<string, { prefix: string; via: string }[]>;
}

export function planBgp(lab: RoutingLab<BgpSettings, never>): ProtocolPlan<BgpFields> {
  const bgpRouters = lab.routers.filter(isRunning);
  const issues: ConfigIssue[] = [];
  const draft: BgpDraft = {
    lab,
    issues,
    sessions: new Map(bgpRouters.map((router) => [router.name, []])),
    groups: new Groups(),
    reflectors: planReflectors(bgpRouters, lab.routers, issues),
    staticRoutes: new Map(),
  };
  ebgpSessions(bgpRouters, draft);
  ibgpSessions(bgpRouters, draft);
  markReflectorClients(draft.sessions, draft.reflectors);
  multihopSessions(bgpRouters, draft);
  const secrets = applySessionOptions(bgpRouters, draft);
  noNeighbourIssues(bgpRouters, draft);
  const announcements = planAnnouncements(bgpRouters, draft);
  const detection = lab.services.detection;
  const bfdProfiles = detection ? { singleHop: detection.singleHopProfile, multihop: detection.multihopProfile } : undefined;
  const routers = new Map(
    bgpRouters.map((router): [string, BgpFields] => [router.name, { bgp: routerPlan(router, draft, announcements, secrets, bfdProfiles) }]),
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

/** One router's BGP plan from what planning found; the depth's fields only where it has them. */
function routerPlan(
  router: BgpRouter,
  draft: BgpDraft,
  announcements: ReturnType<typeof planAnnouncements>,
  secrets: Map<string, Record<string, unknown>>,
  bfdProfiles: BgpPlan["bfdProfiles"],
): BgpPlan {
  const { asn, keepaliveSeconds, holdSeconds } = router.settings;
  const neighbors = draft.sessions.get(router.name) ?? [];
  const announced = announcements.get(router.name);
  const reflector = draft.reflectors.planOf(router.name);
  const statics = draft.staticRoutes.get(router.name);
  const ownSecrets = secrets.get(router.name);
  const networks6 = announced?.networks6 ?? [];
  return {
    asn,
    keepaliveSeconds,
    holdSeconds,
    neighbors,
    networks: announced?.networks ?? [],
    ...(networks6.length > 0 ? { networks6 } : {}),
    ...(bfdProfiles ? { bfdProfiles } : {}),
    ...(reflector ? { reflector } : {}),
    ...(announced?.announce ? { announce: announced.announce } : {}),
    ...(statics && statics.length > 0 ? { staticRoutes: statics } : {}),
    ...(ownSecrets ? { secrets: ownSecrets } : {}),
  };
}

/** A router with no session at all, or outside its AS's reflection: named, unless its ASN is already blamed. */
function noNeighbourIssues(bgpRouters: BgpRouter[], draft: BgpDraft): void {
  for (const router of bgpRouters) {
    const blamed = draft.issues.some((issue) => issue.path === fieldPath(router, "bgp.asn"));
    if (blamed) continue;
    if (draft.reflectors.hasReflectors(router.settings.asn) && draft.reflectors.planOf(router.name) === undefined) {
      draft.issues.push({
        path: fieldPath(router, "bgp"),
        message: `node ${show(router.name)} (AS ${router.settings.asn}) has no iBGP session: its AS has route reflectors and it is no reflector's client (list it in a reflector's clients)`,
      });
    } else if (draft.sessions.get(router.name)?.length === 0) {
      draft.issues.push({
        path: fieldPath(router, "bgp"),
        message: `node ${show(router.name)} (AS ${router.settings.asn}) has no BGP neighbour: no other BGP router shares a segment or its ASN with it`,
      });
    }
  }
}

/**
 * A session from one router to another; `on`: the segment of a single-hop session (the routers'
 * addresses there are its ends); `family` 6: over IPv6, carrying IPv6 unicast.
 */
export function addSession(draft: BgpDraft, from: BgpRouter, to: BgpRouter, address: string, on?: string, family?: number): void {
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

/**
 * An unnumbered session on `segment` from one router to another: named by the interface (its
 * token), between IPv6 link-local addresses. BFD is left out: bfdd would need the peer's
 * link-local address, which only the running routers know.
 */
function addUnnumberedSession(draft: BgpDraft, from: BgpRouter, to: BgpRouter, segment: string): void {
  draft.sessions.get(from.name)?.push({
    node: to.name,
    address: interfaceToken(segment),
    remoteAs: to.settings.asn,
    overLoopback: false,
    bfd: false,
    unnumbered: true,
  });
  draft.groups.join(from.name, to.name);
}

/** The sessions of a pair on one segment: one unnumbered session, or IPv4 and (where both have it) IPv6. */
function segmentSessions(draft: BgpDraft, from: BgpRouter, to: BgpRouter, segment: string, address: string, address6?: string): void {
  if (sessionWide(from, to).unnumbered) {
    if (address6 === undefined) return; // refused in sessions.ts: the segment has no IPv6 at both ends
    addUnnumberedSession(draft, from, to, segment);
    return;
  }
  addSession(draft, from, to, address, segment);
  if (address6) addSession(draft, from, to, address6, segment, 6);
}

/** eBGP: one session per shared segment with each BGP router of another ASN (unless the pair runs multihop between loopbacks). */
function ebgpSessions(bgpRouters: BgpRouter[], draft: BgpDraft): void {
  for (const router of bgpRouters) {
    for (const iface of router.interfaces) {
      for (const peer of draft.lab.peersOn(router, iface.segment)) {
        const other = peer.router;
        if (!isRunning(other) || other.settings.asn === router.settings.asn) continue;
        if (sessionWide(router, other).multihop !== undefined) continue;
        segmentSessions(draft, router, other, iface.segment, peer.address, peer.address6);
      }
    }
  }
}

/** iBGP: per ASN a full mesh, or reflectors with each other and their clients; between loopbacks an IGP carries, else over a shared segment. */
function ibgpSessions(bgpRouters: BgpRouter[], draft: BgpDraft): void {
  const earlierOfAsn = new Map<number, BgpRouter[]>();
  for (const router of bgpRouters) {
    const earlier = earlierOfAsn.get(router.settings.asn) ?? [];
    earlierOfAsn.set(router.settings.asn, earlier);
    for (const peer of earlier) {
      if (!draft.reflectors.peers(router.name, peer.name)) continue;
      if (router.loopback !== undefined && peer.loopback !== undefined && inOneIgpDomain(draft.lab, router.name, peer.name)) {
        addSession(draft, peer, router, router.loopback);
        addSession(draft, router, peer, peer.loopback);
        ibgpSessions6(draft, router, peer);
        continue;
      }
      const shared = sharedSegment(router, peer);
      if (shared) {
        // IPv6 beside IPv4 comes from ibgpSessions6; an unnumbered session needs IPv6 on this segment at both ends.
        const unnumbered = sessionWide(router, peer).unnumbered === true;
        const [toRouter6, toPeer6] = unnumbered ? [shared6(router, peer, shared.segment), shared6(peer, router, shared.segment)] : [];
        segmentSessions(draft, peer, router, shared.segment, shared.address, toRouter6);
        segmentSessions(draft, router, peer, shared.segment, shared.peerAddress, toPeer6);
        if (!unnumbered) ibgpSessions6(draft, router, peer);
        continue;
      }
      draft.issues.push({ path: fieldPath(router, "bgp.asn"), message: unreachableIbgp(draft.lab, router, peer) });
    }
    earlier.push(router);
  }
}

/** `router`'s IPv6 address on `segment` when `peer` has one there too (the peer's side of an unnumbered session needs both). */
function shared6(router: BgpRouter, peer: BgpRouter, segment: string): string | undefined {
  const own = router.interfaces.find((iface) => iface.segment === segment)?.ipv6;
  return own && peer.interfaces.find((iface) => iface.segment === segment)?.ipv6 ? own : undefined;
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
export function inOneIgpDomain(lab: RoutingLab<BgpSettings, never>, a: string, b: string): boolean {
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
  const issues: ConfigIssue[] =
    settings.keepaliveSeconds >= settings.holdSeconds
      ? [
          {
            path: at("bgp.keepaliveSeconds"),
            message: `${settings.keepaliveSeconds} must be less than holdSeconds (${settings.holdSeconds})`,
          },
        ]
      : [];
  if (!settings.routeReflector) {
    if (settings.clients !== undefined)
      issues.push({
        path: at("bgp.clients"),
        message: `${show(settings.clients)}: only a route reflector has clients (set routeReflector: true)`,
      });
    if (settings.clusterId !== undefined)
      issues.push({
        path: at("bgp.clusterId"),
        message: `${show(settings.clusterId)}: only a route reflector has a cluster id (set routeReflector: true)`,
      });
  }
  return issues;
}
