/**
 * The routing field's part of a router's FRR configuration: staticd's routes and the prefix and
 * community lists (top-level lines), the policies as route-maps (a preamble: the protocols refer to
 * them), and the redistribution and session policies in `router bgp` and `router ospf` nodes of
 * their own, after the protocols' (FRR merges a router node entered again, as it reads the file and
 * in the integrated configuration its init loads: checked with FRR 8.4).
 */
import { BgpFields } from "../bgp";
import { IsisFields } from "../isis";
import { ISIS_TAG } from "../isis/frr";
import { FrrSections, RouterBase } from "../protocol";
import { PolicyEntryPlan, PolicyPlan } from "./plan";

/** FRR's protocol names in `redistribute`. */
const REDISTRIBUTED: Record<string, string> = { connected: "connected", static: "static", ospf: "ospf", isis: "isis", bgp: "bgp" };

type PolicyRouter = RouterBase & BgpFields & IsisFields;

export function policySections(router: PolicyRouter, policy: PolicyPlan): FrrSections {
  const global = [...staticLines(policy), ...listLines(policy)];
  const routeMaps = policy.policies.flatMap((map, m) => [
    ...(m > 0 ? ["exit", "!"] : []),
    ...map.entries.flatMap((entry, e) => [...(e > 0 ? ["exit", "!"] : []), ...routeMapEntry(map.name, entry, e, router.bgp?.asn)]),
  ]);
  const nodes = [bgpLines(router, policy), ospfLines(policy), isisLines(router, policy)].filter((lines) => lines.length > 0);
  // One section: each router node after the first is opened after the previous one's exit.
  const routerNodes = nodes.flatMap((lines, n) => [...(n > 0 ? ["exit", "!"] : []), ...lines]);
  return {
    ...(global.length > 0 ? { global } : {}),
    ...(routeMaps.length > 0 ? { preamble: routeMaps } : {}),
    ...(routerNodes.length > 0 ? { router: routerNodes } : {}),
  };
}

function staticLines(policy: PolicyPlan): string[] {
  return policy.staticRoutes.map(
    (route) =>
      `${route.to.includes(":") ? "ipv6" : "ip"} route ${route.to} ${route.discard ? "blackhole" : route.via}${route.distance !== undefined ? ` ${route.distance}` : ""}`,
  );
}

function listLines(policy: PolicyPlan): string[] {
  return [
    ...policy.prefixLists.flatMap((list) =>
      list.entries.map(
        (entry, e) =>
          `ip prefix-list ${list.name} seq ${(e + 1) * 10} ${entry.action} ${entry.prefix}${entry.min !== undefined ? ` ge ${entry.min}` : ""}${entry.max !== undefined ? ` le ${entry.max}` : ""}`,
      ),
    ),
    ...policy.communityLists.flatMap((list) =>
      list.entries.map(
        (entry, e) =>
          `bgp ${list.large ? "large-community-list" : "community-list"} standard ${list.name} seq ${(e + 1) * 10} ${entry.action} ${entry.community}`,
      ),
    ),
  ];
}

function routeMapEntry(name: string, entry: PolicyEntryPlan, index: number, asn: number | undefined): string[] {
  const set = entry.set;
  const additive = set?.append ? " additive" : "";
  return [
    `route-map ${name} ${entry.action} ${(index + 1) * 10}`,
    ...(entry.matchPrefix !== undefined ? [` match ip address prefix-list ${entry.matchPrefix}`] : []),
    ...(entry.matchCommunity
      ? [` match ${entry.matchCommunity.large ? "large-community" : "community"} ${entry.matchCommunity.name}`]
      : []),
    ...(set?.locpref !== undefined ? [` set local-preference ${set.locpref}`] : []),
    ...(set?.med !== undefined ? [` set metric ${set.med}`] : []),
    ...(set?.prepend !== undefined && asn !== undefined ? [` set as-path prepend ${Array(set.prepend).fill(asn).join(" ")}`] : []),
    ...(set?.standard ? [` set community ${set.standard.join(" ")}${additive}`] : []),
    ...(set?.large ? [` set large-community ${set.large.join(" ")}${additive}`] : []),
  ];
}

/** Imports into BGP and session policies, in BGP's IPv4 unicast family. */
function bgpLines(router: PolicyRouter, policy: PolicyPlan): string[] {
  if (!router.bgp) return [];
  const imports = policy.imports
    .filter((entry) => entry.into === "bgp")
    .map((entry) => `  redistribute ${REDISTRIBUTED[entry.from]}${entry.policy ? ` route-map ${entry.policy}` : ""}`);
  const sessions = policy.sessions.flatMap((session) =>
    router
      .bgp!.neighbors.filter((neighbor) => neighbor.node === session.peer && neighbor.family !== 6)
      .flatMap((neighbor) => [
        ...(session.policyIn ? [`  neighbor ${neighbor.address} route-map ${session.policyIn} in`] : []),
        ...(session.policyOut ? [`  neighbor ${neighbor.address} route-map ${session.policyOut} out`] : []),
      ]),
  );
  if (imports.length + sessions.length === 0) return [];
  return [`router bgp ${router.bgp.asn}`, " address-family ipv4 unicast", ...imports, ...sessions, " exit-address-family"];
}

function ospfLines(policy: PolicyPlan): string[] {
  const imports = policy.imports
    .filter((entry) => entry.into === "ospf")
    .map((entry) => ` redistribute ${REDISTRIBUTED[entry.from]}${entry.policy ? ` route-map ${entry.policy}` : ""}`);
  return imports.length > 0 ? ["router ospf", ...imports] : [];
}

/** Imports into IS-IS, at the router's level (level-2 where it runs both). */
function isisLines(router: PolicyRouter, policy: PolicyPlan): string[] {
  if (!router.isis) return [];
  const level = router.isis.level === "level-1" ? "level-1" : "level-2";
  const imports = policy.imports
    .filter((entry) => entry.into === "isis")
    .map((entry) => ` redistribute ipv4 ${REDISTRIBUTED[entry.from]} ${level}${entry.policy ? ` route-map ${entry.policy}` : ""}`);
  return imports.length > 0 ? [`router isis ${ISIS_TAG}`, ...imports] : [];
}
