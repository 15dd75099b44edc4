/**
 * What is wrong with a router's `routing` field alone: names that refer to no list or policy,
 * communities that are malformed, a list mixing standard and large communities, prefix ranges FRR
 * refuses, imports from no known source, static routes with neither or both of `via` and `discard`.
 * What it means beside the router's protocols is checked in plan.ts.
 */
import { isIpv4Address } from "../../net/addressing";
import { isIpv6Address, parsePrefix6 } from "../../net/addressing6";
import { ConfigIssue, show } from "../../net/errors";
import { orList } from "../protocol";
import { IMPORT_SOURCES, POLICY_NAME, RoutingSettings, parsePrefix4 } from "./schema";

/** "standard" ("65000:100": two numbers to 65535), "large" ("1:2:3": three to 4294967295), or undefined when neither. */
export function communityKind(text: string): "standard" | "large" | undefined {
  const parts = text.split(":");
  if (!parts.every((part) => /^\d{1,10}$/.test(part))) return undefined;
  if (parts.length === 2 && parts.every((part) => Number(part) <= 65535)) return "standard";
  if (parts.length === 3 && parts.every((part) => Number(part) <= 4294967295)) return "large";
  return undefined;
}

const COMMUNITY_FORMS = 'a standard community "65000:100" (two numbers to 65535) or a large one "65000:1:2" (three numbers to 4294967295)';

export function routingNodeIssues(settings: RoutingSettings, at: (field: string) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const field = (path: string) => at(`routing.${path}`);
  for (const kind of ["prefix", "community", "policy"] as const) {
    for (const name of Object.keys(settings[kind] ?? {})) {
      if (!POLICY_NAME.test(name))
        issues.push({ path: field(kind), message: `${show(name)} must be a name: a letter, then up to 62 letters, digits, - or _` });
    }
  }
  prefixListIssues(settings, field, issues);
  communityListIssues(settings, field, issues);
  policyIssues(settings, field, issues);
  for (const [into, sources] of Object.entries(settings.import ?? {})) {
    for (const [source, entry] of Object.entries(sources ?? {})) {
      if (!(IMPORT_SOURCES as readonly string[]).includes(source) || source === into) {
        const allowed = IMPORT_SOURCES.filter((known) => known !== into);
        issues.push({
          path: field(`import.${into}`),
          message: `${show(source)} cannot be imported into ${into}: import ${orList(allowed)}`,
        });
      }
      if (entry.policy !== undefined) issues.push(...unknownPolicy(settings, entry.policy, field(`import.${into}.${source}.policy`)));
    }
  }
  for (const [peer, session] of Object.entries(settings.bgpSessions ?? {})) {
    for (const direction of ["policyIn", "policyOut"] as const) {
      const name = session[direction];
      if (name !== undefined) issues.push(...unknownPolicy(settings, name, field(`bgpSessions.${peer}.${direction}`)));
    }
  }
  (settings.static ?? []).forEach((route, r) => {
    issues.push(...staticRouteIssues(route, field(`static[${r}]`)));
  });
  return issues;
}

function unknownPolicy(settings: RoutingSettings, name: string, path: string): ConfigIssue[] {
  if (settings.policy?.[name] !== undefined) return [];
  const known = Object.keys(settings.policy ?? {});
  return [
    {
      path,
      message: `${show(name)} is no policy of this router's routing.policy${known.length > 0 ? ` (it has ${known.map(show).join(", ")})` : " (it has none)"}`,
    },
  ];
}

/** FRR takes `ge` and `le` with prefix length < ge <= le <= 32. */
function prefixListIssues(settings: RoutingSettings, field: (path: string) => string, issues: ConfigIssue[]): void {
  for (const [name, entries] of Object.entries(settings.prefix ?? {})) {
    entries.forEach((entry, e) => {
      const prefix = parsePrefix4(entry.prefix);
      if (typeof prefix === "string") return; // refused by the schema
      const at = (part: string) => field(`prefix.${name}[${e}].${part}`);
      if (entry.min !== undefined && entry.min <= prefix.length) {
        issues.push({ path: at("min"), message: `${entry.min} must be longer than ${entry.prefix}'s own length (${prefix.length})` });
      }
      if (entry.max !== undefined && entry.max < (entry.min ?? prefix.length + 1)) {
        const floor = entry.min !== undefined ? `min (${entry.min})` : `longer than ${entry.prefix}'s own length (${prefix.length})`;
        issues.push({ path: at("max"), message: `${entry.max} must be at least ${floor}` });
      }
    });
  }
}

function communityListIssues(settings: RoutingSettings, field: (path: string) => string, issues: ConfigIssue[]): void {
  for (const [name, entries] of Object.entries(settings.community ?? {})) {
    const kinds = entries.map((entry) => communityKind(entry.community));
    entries.forEach((entry, e) => {
      const path = field(`community.${name}[${e}].community`);
      if (kinds[e] === undefined) issues.push({ path, message: `${show(entry.community)} is not ${COMMUNITY_FORMS}` });
      else if (kinds[0] !== undefined && kinds[e] !== kinds[0]) {
        issues.push({
          path,
          message: `${show(entry.community)} is a ${kinds[e]} community, the list's first is ${kinds[0]}: a list holds one kind`,
        });
      }
    });
  }
}

function policyIssues(settings: RoutingSettings, field: (path: string) => string, issues: ConfigIssue[]): void {
  for (const [name, entries] of Object.entries(settings.policy ?? {})) {
    entries.forEach((entry, e) => {
      const at = (part: string) => field(`policy.${name}[${e}].${part}`);
      const { prefix, community } = entry.match ?? {};
      if (prefix !== undefined && settings.prefix?.[prefix] === undefined) {
        issues.push({ path: at("match.prefix"), message: `${show(prefix)} is no prefix list of this router's routing.prefix` });
      }
      if (community !== undefined && settings.community?.[community] === undefined) {
        issues.push({ path: at("match.community"), message: `${show(community)} is no community list of this router's routing.community` });
      }
      const set = entry.set?.community;
      for (const kind of ["standard", "large"] as const) {
        (set?.[kind] ?? []).forEach((value, v) => {
          if (communityKind(value) !== kind) {
            issues.push({
              path: at(`set.community.${kind}[${v}]`),
              message: `${show(value)} is not a ${kind} community (${COMMUNITY_FORMS})`,
            });
          }
        });
      }
      if (entry.action === "deny" && entry.set !== undefined) {
        issues.push({ path: at("set"), message: "a deny entry drops the routes it matches: it sets nothing (give it action permit)" });
      }
    });
  }
}

/** Whether a static route's destination is IPv6 ("default6", or a prefix with a colon). */
export const isIpv6Destination = (to: string) => to === "default6" || to.includes(":");

function staticRouteIssues(route: NonNullable<RoutingSettings["static"]>[number], path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ipv6 = isIpv6Destination(route.to);
  if (ipv6 && route.to !== "default6") {
    const prefix = parsePrefix6(route.to);
    if (typeof prefix === "string") issues.push({ path: `${path}.to`, message: `${show(route.to)} ${prefix} (or "default6")` });
  } else if (!ipv6 && route.to !== "default") {
    const prefix = parsePrefix4(route.to);
    if (typeof prefix === "string") issues.push({ path: `${path}.to`, message: `${show(route.to)} ${prefix} (or "default")` });
  }
  if (route.discard && route.via !== undefined) {
    issues.push({
      path: `${path}.via`,
      message: `${show(route.via)}: a discard route drops what it matches and has no next hop (give via or discard, not both)`,
    });
  } else if (!route.discard && route.via === undefined) {
    issues.push({ path: `${path}`, message: "needs a next hop (via) or discard: true" });
  } else if (route.via !== undefined && !ipv6 && !isIpv4Address(route.via)) {
    issues.push({ path: `${path}.via`, message: `${show(route.via)} is not an IPv4 address (the route to ${show(route.to)} is IPv4)` });
  } else if (route.via !== undefined && ipv6 && !isIpv6Address(route.via)) {
    issues.push({ path: `${path}.via`, message: `${show(route.via)} is not an IPv6 address (the route to ${show(route.to)} is IPv6)` });
  }
  return issues;
}
