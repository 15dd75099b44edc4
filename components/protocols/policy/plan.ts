/**
 * The `routing` field over the lab: a router imports only from protocols it runs into protocols it
 * runs, puts policies only on BGP sessions it has, prepends only with an ASN of its own, and routes
 * statically through no address of its own. Each router's plan is its lists, policies, imports,
 * session policies and staticd routes as FRR renders them (frr.ts).
 */
import { ConfigIssue, show } from "../../net/errors";
import { PlannedProtocol, ProtocolPlan, RoutingLab, RunningRouter, andList, fieldPath, isRunning } from "../protocol";
import { FilteredPrefixes, filteredPrefixes } from "./expect";
import { RoutingSettings, parsePrefix4 } from "./schema";
import { communityKind, isIpv6Destination } from "./validate";
import { canonicalIpv6, isIpv6Address, parsePrefix6 } from "../../net/addressing6";

export interface PolicyEntryPlan {
  action: string;
  matchPrefix?: string;
  matchCommunity?: { name: string; large: boolean };
  set?: { locpref?: number; med?: number; prepend?: number; standard?: string[]; large?: string[]; append: boolean };
}

export interface PolicyPlan {
  prefixLists: { name: string; entries: { action: string; prefix: string; min?: number; max?: number }[] }[];
  communityLists: { name: string; large: boolean; entries: { action: string; community: string }[] }[];
  policies: { name: string; entries: PolicyEntryPlan[] }[];
  /** Redistribution: into "bgp" or "ospf", from a source, through a policy. */
  imports: { into: string; from: string; policy?: string }[];
  /** Policies on the BGP sessions with a neighbour (by node name). */
  sessions: { peer: string; policyIn?: string; policyOut?: string }[];
  /** staticd's routes; `to` a CIDR (the default as 0.0.0.0/0). */
  staticRoutes: { to: string; via?: string; discard: boolean; distance?: number }[];
}

/** What the routing field adds to a router's plan. */
export interface PolicyFields {
  policy?: PolicyPlan;
}

type PolicyRouter = RunningRouter<RoutingSettings>;

/** The router runs the protocol `name` (planned before this module): it is in one of its route groups. */
function runsEarlier(lab: RoutingLab<RoutingSettings, never>, name: string, router: string): boolean {
  return lab.earlier.find((planned) => planned.name === name)?.facets.routeGroup?.(router) !== undefined;
}

export function planPolicy(lab: RoutingLab<RoutingSettings, never>): ProtocolPlan<PolicyFields> & { filtered: FilteredPrefixes } {
  const issues: ConfigIssue[] = [];
  const routers = new Map<string, PolicyFields>();
  for (const router of lab.routers.filter(isRunning)) {
    issues.push(...protocolIssues(lab, router), ...staticIssues(router));
    routers.set(router.name, { policy: policyPlan(router.settings) });
  }
  const filtered = filteredPrefixes(lab, routers);
  return { issues, routers, facets: { filteredPrefixes: (name) => filtered.get(name) }, filtered };
}

/** Imports, session policies and prepends against the protocols the router runs. */
function protocolIssues(lab: RoutingLab<RoutingSettings, never>, router: PolicyRouter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const runs = (name: string) => runsEarlier(lab, name, router.name);
  const running = lab.earlier.filter((planned: PlannedProtocol) => runs(planned.name)).map((planned) => planned.name);
  const runsText = running.length > 0 ? `it runs ${andList(running)}` : "it runs no routing protocol";
  for (const [into, sources] of Object.entries(router.settings.import ?? {})) {
    if (!runs(into)) {
      issues.push({
        path: fieldPath(router, `routing.import.${into}`),
        message: `node ${show(router.name)} does not run ${into}, so nothing can be imported into it (${runsText})`,
      });
    }
    for (const source of Object.keys(sources ?? {})) {
      if (source !== "connected" && source !== "static" && source !== into && !runs(source)) {
        issues.push({
          path: fieldPath(router, `routing.import.${into}.${source}`),
          message: `node ${show(router.name)} does not run ${source}: it has no ${source} routes to import (${runsText})`,
        });
      }
    }
  }
  issues.push(...sessionIssues(lab, router, runs("bgp"), runsText));
  if (!runs("bgp")) {
    for (const [name, entries] of Object.entries(router.settings.policy ?? {})) {
      entries.forEach((entry, e) => {
        if (entry.set?.prepend !== undefined) {
          issues.push({
            path: fieldPath(router, `routing.policy.${name}[${e}].set.prepend`),
            message: `${entry.set.prepend}: node ${show(router.name)} runs no BGP, so it has no ASN to prepend`,
          });
        }
      });
    }
  }
  return issues;
}

/** A session policy names a BGP neighbour of the router. */
function sessionIssues(lab: RoutingLab<RoutingSettings, never>, router: PolicyRouter, runsBgp: boolean, runsText: string): ConfigIssue[] {
  const sessions = Object.keys(router.settings.bgpSessions ?? {});
  if (sessions.length === 0) return [];
  if (!runsBgp) {
    return [
      {
        path: fieldPath(router, "routing.bgpSessions"),
        message: `node ${show(router.name)} has no BGP sessions to put policies on (${runsText})`,
      },
    ];
  }
  const peersOf = lab.earlier.find((planned) => planned.name === "bgp")?.facets.sessionPeers;
  if (!peersOf) return [];
  const peers = peersOf(router.name);
  return sessions
    .filter((peer) => !peers.includes(peer))
    .map((peer) => ({
      path: fieldPath(router, `routing.bgpSessions.${peer}`),
      message: `${show(peer)} is not a BGP neighbour of node ${show(router.name)} (its neighbours: ${peers.map(show).join(", ") || "none"})`,
    }));
}

/** Each destination once; no next hop of the router's own. */
function staticIssues(router: PolicyRouter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const own = new Set([
    ...router.interfaces.flatMap((iface) => [iface.address, ...(iface.ipv6 ? [iface.ipv6] : [])]),
    ...(router.loopback ? [router.loopback] : []),
    ...(router.loopback6 ? [router.loopback6] : []),
  ]);
  const seen = new Set<string>();
  (router.settings.static ?? []).forEach((route, r) => {
    const at = (part: string) => fieldPath(router, `routing.static[${r}]${part}`);
    const to = staticDestination(route.to);
    if (seen.has(to)) issues.push({ path: at(".to"), message: `${show(route.to)} has another static route on this router` });
    seen.add(to);
    const via = route.via !== undefined && isIpv6Address(route.via) ? canonicalIpv6(route.via) : route.via;
    if (via !== undefined && own.has(via))
      issues.push({ path: at(".via"), message: `next hop ${show(route.via)} is the router's own address` });
  });
  return issues;
}

/** A static route's destination as FRR writes it (an IPv6 one in RFC 5952 text). */
export function staticDestination(to: string): string {
  if (to === "default") return "0.0.0.0/0";
  if (to === "default6") return "::/0";
  const prefix = isIpv6Destination(to) ? parsePrefix6(to) : parsePrefix4(to);
  return typeof prefix === "string" ? to : prefix.cidr;
}

function policyPlan(settings: RoutingSettings): PolicyPlan {
  const communityLarge = (name: string) => communityKind(settings.community?.[name]?.[0]?.community ?? "") === "large";
  return {
    prefixLists: Object.entries(settings.prefix ?? {}).map(([name, entries]) => ({
      name,
      entries: entries.map(({ action, prefix, min, max }) => ({
        action,
        prefix,
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
      })),
    })),
    communityLists: Object.entries(settings.community ?? {}).map(([name, entries]) => ({
      name,
      large: communityLarge(name),
      entries: entries.map(({ action, community }) => ({ action, community })),
    })),
    policies: Object.entries(settings.policy ?? {}).map(([name, entries]) => ({
      name,
      entries: entries.map(
        (entry): PolicyEntryPlan => ({
          action: entry.action,
          ...(entry.match?.prefix !== undefined ? { matchPrefix: entry.match.prefix } : {}),
          ...(entry.match?.community !== undefined
            ? { matchCommunity: { name: entry.match.community, large: communityLarge(entry.match.community) } }
            : {}),
          ...(entry.set ? { set: setPlan(entry.set) } : {}),
        }),
      ),
    })),
    imports: Object.entries(settings.import ?? {}).flatMap(([into, sources]) =>
      Object.entries(sources ?? {}).map(([from, entry]) => ({
        into,
        from,
        ...(entry.policy !== undefined ? { policy: entry.policy } : {}),
      })),
    ),
    sessions: Object.entries(settings.bgpSessions ?? {}).map(([peer, session]) => ({ peer, ...session })),
    staticRoutes: (settings.static ?? []).map((route) => ({
      to: staticDestination(route.to),
      ...(route.via !== undefined ? { via: isIpv6Address(route.via) ? canonicalIpv6(route.via) : route.via } : {}),
      discard: route.discard,
      ...(route.distance !== undefined ? { distance: route.distance } : {}),
    })),
  };
}

/** What a policy entry sets, its communities flattened. */
function setPlan(set: NonNullable<NonNullable<RoutingSettings["policy"]>[string][number]["set"]>): NonNullable<PolicyEntryPlan["set"]> {
  const { community, ...attributes } = set;
  return {
    ...attributes,
    ...(community?.standard ? { standard: community.standard } : {}),
    ...(community?.large ? { large: community.large } : {}),
    append: community?.append ?? false,
  };
}
