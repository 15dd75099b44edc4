/**
 * What a router's routing table must and must not hold once its policies apply, for the probe
 * (ARCHITECTURE.md, Routing protocols): a prefix another router imports into a protocol through a
 * policy that denies it is absent from the routers that learn it only that way; one it permits is
 * present. A prefix a BGP session's policy denies is no longer expected anywhere in the BGP group
 * but at its owner (it may still arrive another way). Policies are evaluated on the lab's own
 * prefixes, which carry no communities: a verdict that depends on a community is not checked.
 */
import { RoutingLab } from "../protocol";
import { PolicyFields, PolicyPlan } from "./plan";
import { RoutingSettings, parsePrefix4 } from "./schema";

/** Per router: prefixes it must hold, must not hold, and those no longer checked. */
export type FilteredPrefixes = Map<string, { present: string[]; absent: string[]; unchecked: string[] }>;

type Verdict = "permit" | "deny" | "unknown";
type Lab = RoutingLab<RoutingSettings, never>;

/** Whether a prefix list permits `cidr`: its first matching entry decides, none matching denies. */
function prefixListVerdict(plan: PolicyPlan, name: string, cidr: string): "permit" | "deny" {
  const route = parsePrefix4(cidr);
  if (typeof route === "string") return "deny";
  for (const entry of plan.prefixLists.find((list) => list.name === name)?.entries ?? []) {
    const range = parsePrefix4(entry.prefix);
    if (typeof range === "string" || route.length < range.length || !inside(route.network, range)) continue;
    const [low, high] =
      entry.min === undefined && entry.max === undefined ? [range.length, range.length] : [entry.min ?? range.length, entry.max ?? 32];
    if (route.length >= low && route.length <= high) return entry.action === "deny" ? "deny" : "permit";
  }
  return "deny";
}

function inside(address: string, range: { network: string; length: number }): boolean {
  const value = (text: string) => text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - range.length);
  return Math.floor(value(address) / size) === Math.floor(value(range.network) / size);
}

/**
 * A policy's verdict on one of the lab's prefixes (no policy: permit). An entry that matches a
 * community may match the route or not: the verdict is known only when both ways agree.
 */
export function policyVerdict(plan: PolicyPlan, policy: string | undefined, cidr: string): Verdict {
  if (policy === undefined) return "permit";
  const entries = plan.policies.find((candidate) => candidate.name === policy)?.entries ?? [];
  const from = (start: number): Verdict => {
    for (let e = start; e < entries.length; e++) {
      const entry = entries[e];
      if (entry.matchPrefix !== undefined && prefixListVerdict(plan, entry.matchPrefix, cidr) === "deny") continue;
      const action = entry.action === "deny" ? "deny" : "permit";
      if (entry.matchCommunity === undefined) return action;
      const otherwise = from(e + 1);
      return otherwise === action ? action : "unknown";
    }
    return "deny";
  };
  return from(0);
}

/** The group of `router` in the protocol `name` planned earlier (undefined: it does not run it). */
function groupOf(lab: Lab, name: string, router: string): string | undefined {
  return lab.earlier.find((planned) => planned.name === name)?.facets.routeGroup?.(router);
}

/** The prefixes a router announces of its own: its LANs and its loopback. */
function ownPrefixes(router: Lab["routers"][number]): string[] {
  return [...router.lans, ...(router.loopback ? [`${router.loopback}/32`] : [])];
}

/** What `router` redistributes from `source`: its connected networks, its static routes, or the others' prefixes of a protocol group. */
function sourcePrefixes(lab: Lab, router: Lab["routers"][number], plan: PolicyPlan, source: string): string[] {
  // IPv4 ones: what IPv4 unicast redistributes and the IPv4 routing table holds.
  if (source === "static") return plan.staticRoutes.filter((route) => !route.to.includes(":")).map((route) => route.to);
  if (source === "connected") {
    return [
      ...router.interfaces.flatMap((iface) => {
        const prefix = parsePrefix4(`${iface.address}/${iface.prefixLength}`);
        return typeof prefix === "string" ? [networkOf(iface.address, iface.prefixLength)] : [prefix.cidr];
      }),
      ...(router.loopback ? [`${router.loopback}/32`] : []),
    ];
  }
  const group = groupOf(lab, source, router.name);
  if (group === undefined) return [];
  return lab.routers.filter((other) => other.name !== router.name && groupOf(lab, source, other.name) === group).flatMap(ownPrefixes);
}

function networkOf(address: string, length: number): string {
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - length);
  const network = Math.floor(value / size) * size;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".")}/${length}`;
}

export function filteredPrefixes(lab: Lab, plans: ReadonlyMap<string, PolicyFields>): FilteredPrefixes {
  const result: FilteredPrefixes = new Map();
  const entry = (name: string) => {
    const found = result.get(name) ?? { present: [], absent: [], unchecked: [] };
    result.set(name, found);
    return found;
  };
  importedPrefixes(lab, plans, entry);
  sessionFiltered(lab, plans, entry);
  return new Map(
    [...result].map(([name, found]) => [
      name,
      { present: unique(found.present), absent: unique(found.absent), unchecked: unique(found.unchecked) },
    ]),
  );
}

const unique = (prefixes: string[]) => [...new Set(prefixes)].sort();

type Entry = (name: string) => { present: string[]; absent: string[]; unchecked: string[] };

/** Imports: per target router, each imported prefix permitted by some importer (present) or denied by all (absent). */
function importedPrefixes(lab: Lab, plans: ReadonlyMap<string, PolicyFields>, entry: Entry): void {
  // Per target protocol group, per prefix: the importers' verdicts, and the source groups it comes from.
  const verdicts = new Map<string, { into: string; group: string; prefix: string; verdicts: Verdict[]; importers: string[] }>();
  for (const router of lab.routers) {
    const plan = plans.get(router.name)?.policy;
    for (const imported of plan?.imports ?? []) {
      const group = groupOf(lab, imported.into, router.name);
      if (!plan || group === undefined) continue;
      for (const prefix of sourcePrefixes(lab, router, plan, imported.from)) {
        const key = `${imported.into}/${group}/${prefix}`;
        const found = verdicts.get(key) ?? { into: imported.into, group, prefix, verdicts: [], importers: [] };
        found.verdicts.push(policyVerdict(plan, imported.policy, prefix));
        found.importers.push(router.name);
        verdicts.set(key, found);
      }
    }
  }
  for (const { into, group, prefix, verdicts: all, importers } of verdicts.values()) {
    if (all.includes("unknown") && !all.includes("permit")) continue;
    const present = all.includes("permit");
    for (const target of lab.routers) {
      if (groupOf(lab, into, target.name) !== group || importers.includes(target.name) || ownPrefixes(target).includes(prefix)) continue;
      // What is imported is there whatever else holds it; what is filtered, only where nothing else brings it.
      if (present) entry(target.name).present.push(prefix);
      else if (!learnsOtherwise(lab, target, prefix, plans)) entry(target.name).absent.push(prefix);
    }
  }
}

/** The router has the prefix without the import: a static route, a connected network, or learned in a protocol group of its owner. */
function learnsOtherwise(lab: Lab, target: Lab["routers"][number], prefix: string, plans: ReadonlyMap<string, PolicyFields>): boolean {
  if (plans.get(target.name)?.policy?.staticRoutes.some((route) => route.to === prefix)) return true;
  if (target.interfaces.some((iface) => networkOf(iface.address, iface.prefixLength) === prefix)) return true;
  const owners = lab.routers.filter((other) => ownPrefixes(other).includes(prefix));
  return owners.some((owner) =>
    lab.earlier.some((planned) => {
      const group = planned.facets.routeGroup?.(owner.name);
      return group !== undefined && group === planned.facets.routeGroup?.(target.name);
    }),
  );
}

/**
 * A prefix BGP carries in a group (a router's own, or imported into BGP) that a session policy there
 * may deny is no longer checked anywhere in the group but at its owner: it may or may not arrive
 * another way. (Over-approximated: every session policy is tried on every prefix of the group.)
 */
function sessionFiltered(lab: Lab, plans: ReadonlyMap<string, PolicyFields>, entry: Entry): void {
  for (const router of lab.routers) {
    const plan = plans.get(router.name)?.policy;
    const group = groupOf(lab, "bgp", router.name);
    const policies = (plan?.sessions ?? [])
      .flatMap((session) => [session.policyIn, session.policyOut])
      .filter((name) => name !== undefined);
    if (!plan || group === undefined || policies.length === 0) continue;
    const members = lab.routers.filter((other) => groupOf(lab, "bgp", other.name) === group);
    const carried = new Set(
      members.flatMap((member) => {
        const imports = (plans.get(member.name)?.policy?.imports ?? []).filter((imported) => imported.into === "bgp");
        return [
          ...ownPrefixes(member),
          ...imports.flatMap((imported) => sourcePrefixes(lab, member, plans.get(member.name)!.policy!, imported.from)),
        ];
      }),
    );
    const denied = [...carried].filter((prefix) => policies.some((policy) => policyVerdict(plan, policy, prefix) !== "permit"));
    for (const other of members) entry(other.name).unchecked.push(...denied.filter((prefix) => !ownPrefixes(other).includes(prefix)));
  }
}
