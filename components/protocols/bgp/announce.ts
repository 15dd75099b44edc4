/**
 * What a router announces: its LANs, its loopback (unless `advertiseLoopback: false`), the prefixes
 * it originates (each with a discard route, as netlab does: the router holds what it announces and
 * drops what no more specific route takes), all with its communities; and what others should see
 * of it once converged, for the probe: reflected routes, communities, default routes.
 */
import * as ipaddr from "ipaddr.js";
import { parsePrefix6 } from "../../net/addressing6";
import { show } from "../../net/errors";
import { fieldPath } from "../protocol";
import type { BgpDraft, BgpRouter } from "./plan";

/** What a router announces beyond plain `network`s, and what it should see of others. */
export interface BgpAnnouncement {
  /** Communities set on every prefix it announces (a route-map on its `network`s). */
  communities?: { standard: string[]; large: string[] };
  /** IPv4 prefixes it originates beyond its LANs (among its networks too), each with a discard route. */
  originate?: string[];
  /** IPv6 prefixes it originates (among its networks6 too), each with a discard route. */
  originate6?: string[];
  /** What the probe checks on this router once converged. */
  expect?: BgpExpectations;
}

/** What a router should see of others' announcements. */
export interface BgpExpectations {
  /** Prefixes of other clients of its reflectors, each learned through a reflector. */
  reflected?: { prefix: string; from: string }[];
  /** A neighbour's prefix with each of the communities it sets. */
  communities?: { prefix: string; community: string; large: boolean; from: string }[];
  /** Neighbours that send it a default route. */
  defaultFrom?: string[];
}

interface Announced {
  networks: string[];
  networks6: string[];
  announce?: BgpAnnouncement;
}

export function planAnnouncements(bgpRouters: BgpRouter[], draft: BgpDraft): Map<string, Announced> {
  const announced = new Map(bgpRouters.map((router) => [router.name, announcedBy(router, draft)]));
  const expectations = expectationsOf(bgpRouters, draft, announced);
  for (const [name, expect] of expectations) {
    const entry = announced.get(name);
    if (entry) entry.announce = { ...entry.announce, expect };
  }
  return announced;
}

/** A router's networks and its communities and originated prefixes (issues to the draft). */
function announcedBy(router: BgpRouter, draft: BgpDraft): Announced {
  const { advertiseLoopback, originate = [], communities } = router.settings;
  const loopback = advertiseLoopback === false ? [] : router.loopback ? [`${router.loopback}/32`] : [];
  const loopback6 = advertiseLoopback === false ? [] : router.loopback6 ? [`${router.loopback6}/128`] : [];
  const own = [...router.lans, ...loopback, ...(router.lans6 ?? []), ...loopback6];
  const [originate4, originate6]: [string[], string[]] = [[], []];
  originate.forEach((text, j) => {
    const at = fieldPath(router, `bgp.originate[${j}]`);
    const prefix = originatedPrefix(text);
    const issue =
      prefix.issue ??
      ([...own, ...originate4, ...originate6].includes(prefix.cidr!)
        ? "is announced already (a LAN, the loopback or an earlier entry)"
        : prefix.family === 6 && !(draft.sessions.get(router.name) ?? []).some((s) => s.family === 6 || s.unnumbered)
          ? `: node ${show(router.name)} has no IPv6 session to announce it on`
          : undefined);
    if (issue) draft.issues.push({ path: at, message: `${show(text)}${issue.startsWith(":") ? "" : " "}${issue}` });
    else (prefix.family === 6 ? originate6 : originate4).push(prefix.cidr!);
  });
  const networks = [...router.lans, ...loopback, ...originate4];
  const networks6 = [...(router.lans6 ?? []), ...loopback6, ...originate6];
  const standard = communities?.standard ?? [];
  const large = communities?.large ?? [];
  const tagged = standard.length + large.length > 0;
  if (tagged && networks.length + networks6.length === 0)
    draft.issues.push({
      path: fieldPath(router, "bgp.communities"),
      message: `node ${show(router.name)} announces nothing to attach communities to (no LAN, loopback or originate)`,
    });
  const announce: BgpAnnouncement = {
    ...(tagged ? { communities: { standard, large } } : {}),
    ...(originate4.length > 0 ? { originate: originate4 } : {}),
    ...(originate6.length > 0 ? { originate6 } : {}),
  };
  return { networks, networks6, ...(Object.keys(announce).length > 0 ? { announce } : {}) };
}

/** A prefix a router may originate, as canonical CIDR, or what is wrong with it. */
function originatedPrefix(text: string): { cidr?: string; family?: 4 | 6; issue?: string } {
  if (text.includes(":")) {
    const prefix = parsePrefix6(text, { min: 1, max: 128 });
    return typeof prefix === "string" ? { issue: prefix } : { cidr: prefix.cidr, family: 6 };
  }
  const [address, length, ...rest] = text.split("/");
  if (rest.length > 0 || !/^\d{1,2}$/.test(length ?? "") || !ipaddr.IPv4.isValidFourPartDecimal(address))
    return { issue: "is not an IPv4 or IPv6 prefix such as 192.0.2.0/24" };
  const prefixLength = Number(length);
  if (prefixLength < 1 || prefixLength > 32)
    return { issue: "needs a prefix length from /1 to /32 (a default route is a session's defaultOriginate)" };
  const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();
  if (network !== address) return { issue: `is not a network address (did you mean ${network}/${prefixLength}?)` };
  return { cidr: `${network}/${prefixLength}`, family: 4 };
}

/** Per router: what it should see of reflected routes, communities and default routes. */
function expectationsOf(bgpRouters: BgpRouter[], draft: BgpDraft, announced: Map<string, Announced>): Map<string, BgpExpectations> {
  const expect = new Map<string, Required<BgpExpectations>>();
  const of = (name: string) => {
    const found = expect.get(name) ?? { reflected: [], communities: [], defaultFrom: [] };
    expect.set(name, found);
    return found;
  };
  for (const router of bgpRouters) {
    const own = announced.get(router.name);
    const first = own?.networks[0];
    const sessions = draft.sessions.get(router.name) ?? [];
    const neighbours = [...new Set(sessions.map((session) => session.node))];
    const tags = own?.announce?.communities;
    if (first && tags) {
      for (const neighbour of neighbours) {
        for (const community of tags.standard)
          of(neighbour).communities.push({ prefix: first, community, large: false, from: router.name });
        for (const community of tags.large) of(neighbour).communities.push({ prefix: first, community, large: true, from: router.name });
      }
    }
    for (const session of sessions) {
      if (session.options?.defaultOriginate && !of(session.node).defaultFrom.includes(router.name))
        of(session.node).defaultFrom.push(router.name);
    }
    for (const client of draft.reflectors.planOf(router.name)?.clients ?? []) {
      for (const other of draft.reflectors.planOf(router.name)?.clients ?? []) {
        const prefix = announced.get(other)?.networks[0];
        const reflected = of(client).reflected;
        if (other !== client && prefix && !reflected.some((seen) => seen.from === other)) reflected.push({ prefix, from: other });
      }
    }
  }
  return new Map(
    [...expect].flatMap(([name, found]): [string, BgpExpectations][] => {
      const kept = Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0));
      return Object.keys(kept).length > 0 ? [[name, kept]] : [];
    }),
  );
}
