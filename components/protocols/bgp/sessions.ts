/**
 * Per-session options (`bgp.sessions`, one entry per neighbour, netlab's bgp.session names): each
 * entry must name a session that exists, or one that multihop makes between loopbacks. A router's
 * own side (localAs, allowasIn, asOverride, passive, removePrivateAs, timers, defaultOriginate)
 * applies to its sessions with that neighbour; what belongs to the session as a whole (password,
 * gtsm, multihop, unnumbered) may be set at either end and applies to both. A password reaches the
 * FRR file as a token; its value travels beside it as a secret (`BgpPlan.secrets`).
 */
import { SECRET_NOT_SHOWN, show } from "../../net/errors";
import { fieldPath } from "../protocol";
import type { BgpDraft, BgpNeighborPlan, BgpRouter } from "./plan";
import { addSession, inOneIgpDomain } from "./plan";
import { BgpSessionSettings } from "./schema";

/** A session's options as FRR gets them (only those set). */
export interface BgpSessionOptions {
  /** The ASN this router shows the neighbour. */
  localAs?: number;
  allowasIn?: number;
  asOverride?: boolean;
  passive?: boolean;
  /** The token standing for the session's password in the FRR file; its value is among the router's `secrets`. */
  password?: string;
  /** GTSM: the neighbour's greatest distance in hops. */
  gtsm?: number;
  removePrivateAs?: boolean;
  /** eBGP multihop: the TTL of the session's packets. */
  multihop?: number;
  timers?: { keepaliveSeconds: number; holdSeconds: number };
  defaultOriginate?: boolean;
}

/** `router`'s entry for `neighbor` and its index, the first when named twice. */
function entryOf(router: BgpRouter, neighbor: string): { entry: BgpSessionSettings; index: number } | undefined {
  const index = (router.settings.sessions ?? []).findIndex((entry) => entry.neighbor === neighbor);
  return index < 0 ? undefined : { entry: router.settings.sessions![index], index };
}

/** The options of the session between two routers as a whole: from either end's entry, `a`'s first. */
export function sessionWide(a: BgpRouter, b: BgpRouter): Pick<BgpSessionSettings, "multihop" | "unnumbered" | "gtsm" | "password"> {
  const [ours, theirs] = [entryOf(a, b.name)?.entry, entryOf(b, a.name)?.entry];
  return {
    multihop: ours?.multihop ?? theirs?.multihop,
    unnumbered: ours?.unnumbered ?? theirs?.unnumbered,
    gtsm: ours?.gtsm ?? theirs?.gtsm,
    password: ours?.password ?? theirs?.password,
  };
}

/** Where a session-wide option was set: the path of `field` in the first of the two entries that sets it. */
function whereSet(a: BgpRouter, b: BgpRouter, field: keyof BgpSessionSettings): string {
  for (const [router, other] of [
    [a, b],
    [b, a],
  ]) {
    const found = entryOf(router, other.name);
    if (found && found.entry[field] !== undefined) return fieldPath(router, `bgp.sessions[${found.index}].${field}`);
  }
  return fieldPath(a, "bgp.sessions");
}

/**
 * eBGP multihop: a session between the loopbacks of two routers of different ASNs. The loopbacks
 * are carried by an IGP when one has both in a domain, else by static routes over each segment
 * they share.
 */
export function multihopSessions(bgpRouters: BgpRouter[], draft: BgpDraft): void {
  bgpRouters.forEach((a, i) => {
    for (const b of bgpRouters.slice(i + 1)) {
      const hops = sessionWide(a, b).multihop;
      if (hops === undefined) continue;
      const at = whereSet(a, b, "multihop");
      if (a.settings.asn === b.settings.asn) {
        draft.issues.push({
          path: at,
          message: `${hops}: multihop is for eBGP, and nodes ${show(a.name)} and ${show(b.name)} are both in AS ${a.settings.asn} (iBGP between loopbacks is multihop already)`,
        });
        continue;
      }
      const missing = [a, b].filter((router) => router.loopback === undefined).map((router) => show(router.name));
      if (missing.length > 0) {
        draft.issues.push({
          path: at,
          message: `${hops}: multihop runs between loopbacks, and node ${missing.join(" and node ")} has none (give it a loopback)`,
        });
        continue;
      }
      if (!inOneIgpDomain(draft.lab, a.name, b.name) && !staticRoutesBetween(a, b, draft)) {
        draft.issues.push({
          path: at,
          message: `${hops}: no route carries the loopbacks of nodes ${show(a.name)} and ${show(b.name)}: they share no segment (for a static route) and no IGP domain`,
        });
        continue;
      }
      addSession(draft, a, b, b.loopback!);
      addSession(draft, b, a, a.loopback!);
      multihopSessions6(a, b, draft);
    }
  });
}

/**
 * IPv6 beside a multihop pair's IPv4 session: between their IPv6 loopbacks (an IGP domain or static
 * routes over the segments both have IPv6 on carry them), else one session per such segment.
 */
function multihopSessions6(a: BgpRouter, b: BgpRouter, draft: BgpDraft): void {
  const shared6 = a.interfaces.flatMap((own) => {
    const theirs = b.interfaces.find((iface) => iface.segment === own.segment);
    return own.ipv6 && theirs?.ipv6 ? [{ segment: own.segment, own: own.ipv6, theirs: theirs.ipv6 }] : [];
  });
  if (a.loopback6 !== undefined && b.loopback6 !== undefined && (shared6.length > 0 || inOneIgpDomain(draft.lab, a.name, b.name))) {
    if (!inOneIgpDomain(draft.lab, a.name, b.name)) {
      for (const link of shared6) {
        addStatic(draft, a, { prefix: `${b.loopback6}/128`, via: link.theirs });
        addStatic(draft, b, { prefix: `${a.loopback6}/128`, via: link.own });
      }
    }
    addSession(draft, a, b, b.loopback6, undefined, 6);
    addSession(draft, b, a, a.loopback6, undefined, 6);
    return;
  }
  for (const link of shared6) {
    addSession(draft, a, b, link.theirs, link.segment, 6);
    addSession(draft, b, a, link.own, link.segment, 6);
  }
}

function addStatic(draft: BgpDraft, router: BgpRouter, route: { prefix: string; via: string }): void {
  draft.staticRoutes.set(router.name, [...(draft.staticRoutes.get(router.name) ?? []), route]);
}

/** Static routes from each of two routers to the other's loopback, one per shared segment; false when they share none. */
function staticRoutesBetween(a: BgpRouter, b: BgpRouter, draft: BgpDraft): boolean {
  const shared = a.interfaces.flatMap((own) => {
    const theirs = b.interfaces.find((iface) => iface.segment === own.segment);
    return theirs ? [{ own: own.address, theirs: theirs.address }] : [];
  });
  if (shared.length === 0) return false;
  for (const link of shared) {
    addStatic(draft, a, { prefix: `${b.loopback}/32`, via: link.theirs });
    addStatic(draft, b, { prefix: `${a.loopback}/32`, via: link.own });
  }
  return true;
}

/**
 * Checks every router's session entries and applies them to its sessions (and the session-wide
 * ones to the neighbour's too); returns each router's secrets (its sessions' passwords by token).
 */
export function applySessionOptions(bgpRouters: BgpRouter[], draft: BgpDraft): Map<string, Record<string, unknown>> {
  const byName = new Map(bgpRouters.map((router) => [router.name, router]));
  const secrets = new Map<string, Record<string, unknown>>();
  for (const router of bgpRouters) {
    (router.settings.sessions ?? []).forEach((entry, index) => {
      const at = (field: string) => fieldPath(router, `bgp.sessions[${index}].${field}`);
      const neighbor = byName.get(entry.neighbor);
      const issue = neighborIssue(router, entry, index, neighbor, draft);
      if (issue) {
        draft.issues.push({ path: at("neighbor"), message: issue });
        return;
      }
      if (!neighbor) return;
      const found = entryIssues(router, neighbor, entry, draft);
      draft.issues.push(...found.map(({ field, message }) => ({ path: at(field), message })));
      if (found.length > 0) return;
      applyEntry(router, neighbor, entry, draft, secrets);
    });
  }
  return secrets;
}

/** Why an entry names no session of the router (undefined: it does). */
function neighborIssue(
  router: BgpRouter,
  entry: BgpSessionSettings,
  index: number,
  neighbor: BgpRouter | undefined,
  draft: BgpDraft,
): string | undefined {
  const name = show(entry.neighbor);
  if (entry.neighbor === router.name) return `${name} is this router itself`;
  if ((router.settings.sessions ?? []).slice(0, index).some((earlier) => earlier.neighbor === entry.neighbor))
    return `${name} is named twice (one entry per neighbour)`;
  if (!neighbor) {
    return draft.lab.routers.some((other) => other.name === entry.neighbor)
      ? `${name} runs no BGP: options need a session with a BGP router`
      : `${name} is no router of the lab`;
  }
  if ((draft.sessions.get(router.name) ?? []).some((session) => session.node === neighbor.name)) return undefined;
  const wide = sessionWide(router, neighbor);
  // A multihop or unnumbered session that could not be made is reported where that option is set.
  if (wide.multihop !== undefined) return undefined;
  if (wide.unnumbered) return unnumberedIssue(router, neighbor) ? undefined : `${name}: no session runs with it`;
  if (neighbor.settings.asn === router.settings.asn && draft.reflectors.hasReflectors(router.settings.asn))
    return `node ${show(router.name)} has no session with ${name}: in AS ${router.settings.asn}, with route reflectors, only reflectors and their clients peer`;
  if (neighbor.settings.asn !== router.settings.asn)
    return `node ${show(router.name)} has no session with ${name} (AS ${neighbor.settings.asn}): they share no segment (set multihop for eBGP between loopbacks)`;
  return `node ${show(router.name)} has no session with ${name}`;
}

/** Why an unnumbered session cannot run between two routers (undefined: it runs on some segment). */
function unnumberedIssue(router: BgpRouter, neighbor: BgpRouter): string | undefined {
  const shared = router.interfaces.filter((iface) => neighbor.interfaces.some((theirs) => theirs.segment === iface.segment));
  if (shared.length === 0) return `nodes ${show(router.name)} and ${show(neighbor.name)} share no segment for an unnumbered session`;
  const both6 = shared.some((iface) => iface.ipv6 && neighbor.interfaces.find((theirs) => theirs.segment === iface.segment)?.ipv6);
  if (!both6)
    return `no segment of nodes ${show(router.name)} and ${show(neighbor.name)} has IPv6 at both ends: an unnumbered session runs between IPv6 link-local addresses`;
  return undefined;
}

/** What is wrong with an entry for an existing session: field and message. */
function entryIssues(
  router: BgpRouter,
  neighbor: BgpRouter,
  entry: BgpSessionSettings,
  draft: BgpDraft,
): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  const ibgp = neighbor.settings.asn === router.settings.asn;
  const ebgpOnly = `is for eBGP sessions, and node ${show(neighbor.name)} is in this router's AS (${router.settings.asn})`;
  if (entry.localAs !== undefined) {
    if (ibgp) issues.push({ field: "localAs", message: `${entry.localAs}: localAs ${ebgpOnly}` });
    else if (entry.localAs === router.settings.asn)
      issues.push({ field: "localAs", message: `${entry.localAs} is this router's own ASN (bgp.asn)` });
    else if (entry.localAs === neighbor.settings.asn)
      issues.push({ field: "localAs", message: `${entry.localAs} is node ${show(neighbor.name)}'s ASN: the session would be iBGP to it` });
  }
  if (ibgp && entry.asOverride) issues.push({ field: "asOverride", message: `true: asOverride ${ebgpOnly}` });
  if (ibgp && entry.removePrivateAs) issues.push({ field: "removePrivateAs", message: `true: removePrivateAs ${ebgpOnly}` });
  const wide = sessionWide(router, neighbor);
  if (entry.gtsm !== undefined && wide.multihop !== undefined)
    issues.push({
      field: "gtsm",
      message: `${entry.gtsm}: GTSM and multihop exclude each other (FRR refuses ttl-security with ebgp-multihop)`,
    });
  if (entry.unnumbered) {
    const issue = unnumberedIssue(router, neighbor);
    if (issue) issues.push({ field: "unnumbered", message: `true: ${issue}` });
  }
  // FRR 8.4 is reported to set no TCP MD5 key on an interface peer (FRRouting/frr#12625): refused rather than silently open.
  if (entry.password !== undefined && wide.unnumbered)
    issues.push({
      field: "password",
      message: `an unnumbered session with node ${show(neighbor.name)} takes no password: FRR would not sign it (use a numbered session) ${SECRET_NOT_SHOWN}`,
    });
  const theirs = entryOf(neighbor, router.name)?.entry;
  const later = draft.lab.routers.findIndex((r) => r.name === router.name) > draft.lab.routers.findIndex((r) => r.name === neighbor.name);
  if (entry.passive && theirs?.passive && later)
    issues.push({
      field: "passive",
      message: `true: node ${show(neighbor.name)} is passive towards this router too, so neither would open the session`,
    });
  if (
    entry.password !== undefined &&
    theirs?.password !== undefined &&
    later &&
    !(typeof entry.password === "string" && entry.password === theirs.password)
  )
    issues.push({
      field: "password",
      message: `node ${show(neighbor.name)} sets a different password for this session (or one not known before deploy): set it at one end, both ends get it ${SECRET_NOT_SHOWN}`,
    });
  const keepalive = entry.keepaliveSeconds ?? router.settings.keepaliveSeconds;
  const hold = entry.holdSeconds ?? router.settings.holdSeconds;
  if ((entry.keepaliveSeconds !== undefined || entry.holdSeconds !== undefined) && keepalive >= hold)
    issues.push({
      field: entry.keepaliveSeconds !== undefined ? "keepaliveSeconds" : "holdSeconds",
      message: `keepalive ${keepalive} s must be less than hold ${hold} s on this session`,
    });
  return issues;
}

/** Sets an entry's options on the router's sessions with the neighbour, the session-wide ones at both ends. */
function applyEntry(
  router: BgpRouter,
  neighbor: BgpRouter,
  entry: BgpSessionSettings,
  draft: BgpDraft,
  secrets: Map<string, Record<string, unknown>>,
): void {
  const own = (draft.sessions.get(router.name) ?? []).filter((session) => session.node === neighbor.name);
  const theirs = (draft.sessions.get(neighbor.name) ?? []).filter((session) => session.node === router.name);
  const timers =
    entry.keepaliveSeconds !== undefined || entry.holdSeconds !== undefined
      ? {
          timers: {
            keepaliveSeconds: entry.keepaliveSeconds ?? router.settings.keepaliveSeconds,
            holdSeconds: entry.holdSeconds ?? router.settings.holdSeconds,
          },
        }
      : {};
  const ownSide: BgpSessionOptions = {
    ...(entry.localAs !== undefined ? { localAs: entry.localAs } : {}),
    ...(entry.allowasIn !== undefined ? { allowasIn: entry.allowasIn } : {}),
    ...(entry.asOverride ? { asOverride: true } : {}),
    ...(entry.passive ? { passive: true } : {}),
    ...(entry.removePrivateAs ? { removePrivateAs: true } : {}),
    ...timers,
    ...(entry.defaultOriginate ? { defaultOriginate: true } : {}),
  };
  for (const session of own) setOptions(session, ownSide);
  const wide: BgpSessionOptions = {
    ...(entry.gtsm !== undefined ? { gtsm: entry.gtsm } : {}),
    ...(entry.multihop !== undefined ? { multihop: entry.multihop } : {}),
  };
  for (const session of [...own, ...theirs]) setOptions(session, wide);
  if (entry.localAs !== undefined) for (const session of theirs) session.remoteAs = entry.localAs;
  if (entry.password !== undefined) {
    addPassword(secrets, router.name, own, neighbor.name, entry.password);
    addPassword(secrets, neighbor.name, theirs, router.name, entry.password);
  }
}

function setOptions(session: BgpNeighborPlan, options: BgpSessionOptions): void {
  if (Object.keys(options).length > 0) session.options = { ...session.options, ...options };
}

/** The password of a router's sessions with `peer`: a token in its file, the value among its secrets. */
function addPassword(
  secrets: Map<string, Record<string, unknown>>,
  router: string,
  sessions: BgpNeighborPlan[],
  peer: string,
  password: unknown,
): void {
  const token = `@SECRET_BGP_${peer}@`;
  secrets.set(router, { ...secrets.get(router), [token]: password });
  for (const session of sessions) setOptions(session, { password: token });
}
