/**
 * OSPF's areas across the lab: which areas each router is in (an area border router joins the
 * backbone to another), the lab's area kinds (stub, NSSA, with or without summaries) and ranges, and
 * what follows: each area reaches the backbone, no external route is originated in a stub area, and
 * which LANs and default route each router learns once converged (summaries, totally stubby areas).
 */
import { bounds, parseSubnet } from "../../net/addressing";
import { ConfigIssue, show } from "../../net/errors";
import { RunningRouter, interfaceFieldPath } from "../protocol";
import type { OspfFields, OspfPlan } from "./plan";
import { areaId, linkSettings } from "./plan";
import { OspfAreaSettings, OspfLabSettings, OspfSettings } from "./schema";

export const BACKBONE = "0.0.0.0";

/** An area's settings as one router applies them: its kind, and the ranges it announces as a border router. */
export interface OspfAreaPlan {
  id: string;
  kind: string;
  noSummary: boolean;
  ranges: { prefix: string; advertise: boolean; cost?: number }[];
}

/** What the lab's areas are, router by router. */
export interface AreaFacts {
  /** Per router: the areas it is in (its interfaces', and its node's where its loopback is). */
  areasOf: Map<string, Set<string>>;
  /** The lab's settings of each listed area, by dotted quad. */
  settings: Map<string, OspfAreaSettings>;
  /** Per router and LAN prefix (`router\nprefix`): the area it is announced in. */
  lanArea: Map<string, string>;
  /** Per router: its OSPF domain. */
  domainOf: Map<string, string>;
  /** Per router: its default-route origination. */
  originates: Map<string, NonNullable<OspfSettings["defaultOriginate"]>>;
  /** Some router learns a LAN otherwise than as it is (summaries, totally stubby areas). */
  summarizes: boolean;
}

/** The areas each router is in, the lab's area settings, the area of each LAN. */
export function areaFacts(
  running: RunningRouter<OspfSettings>[],
  plans: Map<string, OspfFields>,
  domain: (name: string) => string | undefined,
  lab: OspfLabSettings | undefined,
): AreaFacts {
  const settings = new Map((lab?.areas ?? []).map((area) => [areaId(area.id), area] as const));
  const facts: AreaFacts = {
    areasOf: new Map(),
    settings,
    lanArea: new Map(),
    domainOf: new Map(),
    originates: new Map(),
    summarizes: [...settings.values()].some((area) => area.noSummary || area.ranges.length > 0),
  };
  for (const router of running) {
    const ospf = plans.get(router.name)?.ospf;
    if (!ospf) continue;
    const areas = new Set(ospf.interfaces.map((iface) => iface.area ?? ospf.area));
    if (router.loopback !== undefined || areas.size === 0) areas.add(ospf.area);
    facts.areasOf.set(router.name, areas);
    facts.domainOf.set(router.name, domain(router.name) ?? router.name);
    if (router.settings.defaultOriginate) facts.originates.set(router.name, router.settings.defaultOriginate);
    for (const iface of ospf.interfaces) {
      if (iface.neighbors.length === 0)
        facts.lanArea.set(`${router.name}\n${networkOf(iface.address, iface.prefixLength)}`, iface.area ?? ospf.area);
    }
  }
  return facts;
}

/** The prefix (CIDR) an address and length are in. */
function networkOf(address: string, prefixLength: number): string {
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefixLength);
  const network = Math.floor(value / size) * size;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".")}/${prefixLength}`;
}

/** A router joins the backbone to another area. */
function isAbr(areas: ReadonlySet<string>): boolean {
  return areas.size > 1 && areas.has(BACKBONE);
}

/** An area whose border routers send in no inter-area routes (totally stubby, totally NSSA). */
function sendsNoSummaries(area: OspfAreaSettings | undefined): boolean {
  return area !== undefined && area.kind !== "regular" && area.noSummary;
}

/** How `router` learns `origin`'s LAN: itself in its own area, else as the area's range says, else not at all in a totally stubby area. */
export function learnedAs(facts: AreaFacts, router: string, origin: string, prefix: string): string | null {
  const area = facts.lanArea.get(`${origin}\n${prefix}`);
  const mine = facts.areasOf.get(router);
  if (area === undefined || mine === undefined || mine.has(area)) return prefix;
  if ([...mine].every((id) => sendsNoSummaries(facts.settings.get(id)))) return null;
  const range = (facts.settings.get(area)?.ranges ?? []).find((candidate) => covers(candidate.prefix, prefix));
  if (!range) return prefix;
  return range.advertise ? canonical(range.prefix) : null;
}

/** Whether the range holds the whole prefix. */
function covers(range: string, prefix: string): boolean {
  const [outer, inner] = [parseSubnet(range), parseSubnet(prefix)];
  if (typeof outer === "string" || typeof inner === "string" || inner.prefixLength < outer.prefixLength) return false;
  const [[lo, hi], [from, to]] = [bounds(outer), bounds(inner)];
  return from >= lo && to <= hi;
}

/** A range as FRR and `ip route` show it: its network address. */
function canonical(range: string): string {
  const parsed = parseSubnet(range);
  return typeof parsed === "string" ? range : parsed.cidr;
}

/** What the router's plan gets of the areas: its areas, whether it is an ABR, its area settings, its default route. */
export function routerAreaPlans(facts: AreaFacts, router: RunningRouter<OspfSettings>): Partial<OspfPlan> {
  const areas = facts.areasOf.get(router.name) ?? new Set<string>();
  const abr = isAbr(areas);
  const node = areaId(router.settings.area);
  const areaSettings = [...areas].sort(compareAreas).flatMap((id): OspfAreaPlan[] => {
    const area = facts.settings.get(id);
    if (!area || (area.kind === "regular" && (!abr || area.ranges.length === 0))) return [];
    return [{ id, kind: area.kind, noSummary: area.noSummary, ranges: abr ? area.ranges : [] }];
  });
  const originate = facts.originates.get(router.name);
  return {
    ...(areas.size > 1 || (areas.size === 1 && !areas.has(node)) ? { areas: [...areas].sort(compareAreas) } : {}),
    ...(abr ? { abr } : {}),
    ...(areaSettings.length > 0 ? { areaSettings } : {}),
    ...(originate ? { defaultOriginate: originate } : {}),
    ...(learnsDefault(facts, router.name, abr) ? { learnsDefault: true } : {}),
  };
}

/** Areas by number. */
function compareAreas(a: string, b: string): number {
  const value = (id: string) => id.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return value(a) - value(b);
}

/**
 * A router learns a default route from its stub area's border router (every stub area, and a
 * totally NSSA), or from a router of its domain that always originates one, where externals reach
 * (a regular area or the backbone).
 */
function learnsDefault(facts: AreaFacts, router: string, abr: boolean): boolean {
  const areas = [...(facts.areasOf.get(router) ?? [])].map((id) => facts.settings.get(id));
  const fromAbr = !abr && areas.some((settings) => settings?.kind === "stub" || (settings?.kind === "nssa" && settings.noSummary));
  const domain = facts.domainOf.get(router);
  const fromAsbr =
    reachesExternals(facts, router) &&
    [...facts.originates].some(
      ([origin, how]) => origin !== router && how.always && facts.domainOf.get(origin) === domain && reachesExternals(facts, origin),
    );
  return fromAbr || fromAsbr;
}

/**
 * The router is in a regular area (the backbone included), where external routes flood; an ASBR
 * only in an NSSA is not counted on (its default would be a type-7 LSA, translated or not).
 */
function reachesExternals(facts: AreaFacts, router: string): boolean {
  return [...(facts.areasOf.get(router) ?? [])].some((id) => {
    const settings = facts.settings.get(id);
    return settings === undefined || settings.kind === "regular";
  });
}

/** What is wrong with the lab's areas and the routers in them. */
export function areaIssues(facts: AreaFacts, running: RunningRouter<OspfSettings>[], lab: OspfLabSettings | undefined): ConfigIssue[] {
  return [...labAreaIssues(facts, lab), ...backboneIssues(facts, running), ...asbrIssues(facts, running)];
}

/** The lab's list of areas: each once, the backbone regular, summaries only where a border router announces them. */
function labAreaIssues(facts: AreaFacts, lab: OspfLabSettings | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const inArea = (id: string) => [...facts.areasOf.values()].some((areas) => areas.has(id));
  const hasAbr = (id: string) => [...facts.areasOf.values()].some((areas) => areas.has(id) && isAbr(areas));
  (lab?.areas ?? []).forEach((area, i) => {
    const at = `ospf.areas[${i}]`;
    const id = areaId(area.id);
    if (seen.has(id)) issues.push({ path: `${at}.id`, message: `${show(id)} is listed twice` });
    seen.add(id);
    if (id === BACKBONE && area.kind !== "regular") {
      issues.push({ path: `${at}.kind`, message: `${show(area.kind)}: the backbone (0.0.0.0) is a regular area` });
    }
    if (area.noSummary && area.kind === "regular") {
      issues.push({ path: `${at}.noSummary`, message: `true: only a stub or NSSA area can refuse summaries (kind is "regular")` });
    }
    if (!inArea(id)) {
      issues.push({ path: `${at}.id`, message: `${show(id)}: no OSPF router has an interface in this area` });
      return;
    }
    area.ranges.forEach((range, j) => {
      if (range.cost !== undefined && !range.advertise) {
        issues.push({ path: `${at}.ranges[${j}].cost`, message: `${range.cost}: a range that is not advertised has no cost` });
      }
      if (!hasAbr(id)) {
        issues.push({
          path: `${at}.ranges[${j}].prefix`,
          message: `${show(range.prefix)}: area ${show(id)} has no border router (a router in it and in the backbone) to announce the summary`,
        });
      }
    });
  });
  return issues;
}

/** Where the router's field of an area is: its node's area, else the first interface in it. */
function areaPath(router: RunningRouter<OspfSettings>, area: string): string {
  if (areaId(router.settings.area) === area) return `nodes[${router.index}].ospf.area`;
  const iface = router.interfaces.find((candidate) => linkSettings(router.settings, candidate).area === area);
  return iface ? interfaceFieldPath(router, iface, "ospf.area") : `nodes[${router.index}].ospf.area`;
}

/** In a domain of several areas, every area has a border router to the backbone (no virtual links). */
function backboneIssues(facts: AreaFacts, running: RunningRouter<OspfSettings>[]): ConfigIssue[] {
  const byDomain = new Map<string, RunningRouter<OspfSettings>[]>();
  for (const router of running) {
    const domain = facts.domainOf.get(router.name) ?? router.name;
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), router]);
  }
  const issues: ConfigIssue[] = [];
  for (const routers of byDomain.values()) {
    const areas = new Set(routers.flatMap((router) => [...(facts.areasOf.get(router.name) ?? [])]));
    if (areas.size < 2) continue;
    for (const area of [...areas].sort(compareAreas)) {
      if (area === BACKBONE) continue;
      const members = routers.filter((router) => facts.areasOf.get(router.name)?.has(area));
      if (members.some((router) => facts.areasOf.get(router.name)?.has(BACKBONE))) continue;
      issues.push({
        path: areaPath(members[0], area),
        message: `${show(area)}: no router of this area is also in the backbone (0.0.0.0), so the area has no path to area 0 (other areas reach it only through the backbone; virtual links are not offered)`,
      });
    }
  }
  return issues;
}

/** An ASBR (a router originating a default route) has no interface in a stub area: stub areas take no external routes. */
function asbrIssues(facts: AreaFacts, running: RunningRouter<OspfSettings>[]): ConfigIssue[] {
  return running.flatMap((router) => {
    if (!facts.originates.has(router.name)) return [];
    const stub = [...(facts.areasOf.get(router.name) ?? [])].find((id) => facts.settings.get(id)?.kind === "stub");
    return stub === undefined
      ? []
      : [
          {
            path: `nodes[${router.index}].ospf.defaultOriginate`,
            message: `node ${show(router.name)} is in stub area ${show(stub)}: a router originating external routes (an ASBR) cannot be in a stub area (make it an NSSA, or the router's links another area)`,
          },
        ];
  });
}
