/**
 * Routing generated from the topology, as netlab does it. Pure: from the lab's validated nodes and
 * segments it finds the routers (router.ts), offers them to each registered protocol in order
 * (lab-wide services first, then each protocol's plan with the facets of those before it), and
 * assembles each router's plan: its own part, every protocol's fields, the LANs it must learn, and
 * how FRR runs it. Every mistake is reported with the field path and value.
 */
import { Ipv6Prefix, bounds6, parsePrefix6 } from "../net/addressing6";
import { ConfigIssue } from "../net/errors";
import { planFrr } from "./frr/config";
import {
  AnyRoutingProtocol,
  LabRouter,
  LabServices,
  PlannedProtocol,
  ProtocolRouter,
  ProtocolSummary,
  RouterBase,
  RoutingLab,
} from "./protocol";
import { NodeRoutingPlan, PROTOCOLS } from "./registry";
import { RoutingInput, RoutingNodeInput, checkRouters } from "./router";
import { borrowedInterfaces, unnumberedIssues } from "./unnumbered";

export interface RoutingResult {
  issues: ConfigIssue[];
  /** By node name: only the nodes that run a protocol. */
  routers: Map<string, NodeRoutingPlan>;
}

/** The routers and who is on each segment, as every protocol plans over them. */
interface LabFacts {
  routers: LabRouter[];
  /** By segment: the routers on it (in the lab's order) and their address there (and IPv6 address, where they have one). */
  onSegment: Map<string, { name: string; address: string; address6?: string }[]>;
  /** By router name: its node's fields. */
  fieldsOf: Map<string, RoutingNodeInput["fields"]>;
}

/** `protocols`: the registered ones unless told (a test adds one of its own). */
export function planRouting(input: RoutingInput, protocols: readonly AnyRoutingProtocol[] = PROTOCOLS): RoutingResult {
  const checked = checkRouters(input, protocols);
  checked.issues.push(...unnumberedIssues(input, checked.routers));
  const lab = labFacts(input, checked.routers, ownedInterfaces(protocols, checked.routers));
  // What a protocol that takes interfaces (a VRF's) plans over: every interface.
  const whole = protocols.some((protocol) => protocol.ownInterfaces) ? labFacts(input, checked.routers, new Map()) : lab;
  const summaries = protocols.map(summaryOf);
  const prepared = prepareServices(protocols, lab, input, summaries);
  const planned = planProtocols(protocols, { lab, whole }, input, prepared.services, summaries);
  const expected = expectedPrefixes(lab.routers, planned.facets, (router) => router.lans);
  const expected6 = expectedPrefixes(lab.routers, planned.facets, (router) => router.lans6 ?? []);
  const routers = new Map<string, NodeRoutingPlan>();
  for (const router of lab.routers) {
    const routerId = checked.routerIds.get(router.name);
    if (routerId === undefined) continue;
    const base: RouterBase = {
      routerId,
      loopback: router.loopback,
      ...(router.loopback6 ? { loopback6: router.loopback6 } : {}),
      lans: router.lans,
      ...afterPolicies(expected.get(router.name) ?? [], planned.facets, router.name),
      ...ipv6Lans(router.lans6, expected6.get(router.name)),
    };
    const plan: RouterBase = Object.assign(base, ...planned.fields.map((fields) => fields.get(router.name) ?? {}));
    // Each protocol's fields are its module's type; together they are the registry's NodeRoutingPlan.
    routers.set(router.name, { ...plan, frr: planFrr(protocols, router.name, router.interfaces, plan) } as NodeRoutingPlan);
  }
  return { issues: [...checked.issues, ...prepared.issues, ...planned.issues], routers };
}

/**
 * The prefixes a router must hold, as policies change them (the `filteredPrefixes` facet): those
 * they bring added, those they filter out of it; and those it must not hold, only where there are
 * some, so that labs without policies keep their plans as they were.
 */
function afterPolicies(
  expected: string[],
  planned: PlannedProtocol[],
  router: string,
): Pick<RouterBase, "expectedPrefixes" | "absentPrefixes"> {
  const filters = planned.flatMap((protocol) => protocol.facets.filteredPrefixes?.(router) ?? []);
  if (filters.length === 0) return { expectedPrefixes: expected };
  const [absent, unchecked] = [filters.flatMap((f) => f.absent), filters.flatMap((f) => f.unchecked)];
  const dropped = new Set([...absent, ...unchecked]);
  const expectedPrefixes = [...new Set([...expected, ...filters.flatMap((f) => f.present)])].filter((prefix) => !dropped.has(prefix));
  return {
    expectedPrefixes: expectedPrefixes.sort(comparePrefixes),
    ...(absent.length > 0 ? { absentPrefixes: [...new Set(absent)].sort(comparePrefixes) } : {}),
  };
}

/** A router's IPv6 LANs and expected IPv6 prefixes, only where it has some: IPv4 labs' plans stay as they were. */
function ipv6Lans(lans6: string[] | undefined, expected6: string[] | undefined): Pick<RouterBase, "lans6" | "expectedPrefixes6"> {
  return {
    ...(lans6 && lans6.length > 0 ? { lans6 } : {}),
    ...(expected6 && expected6.length > 0 ? { expectedPrefixes6: expected6 } : {}),
  };
}

function summaryOf(protocol: AnyRoutingProtocol): ProtocolSummary {
  return {
    name: protocol.name,
    title: protocol.title,
    igp: protocol.igp,
    perNode: protocol.nodeSchema !== undefined,
    ...(protocol.addOn ? { addOn: true } : {}),
  };
}

/** By router name: the segments a protocol's field takes out of its default table (protocol.ts, ownInterfaces). */
function ownedInterfaces(protocols: readonly AnyRoutingProtocol[], nodes: RoutingNodeInput[]): Map<string, Set<string>> {
  const owned = new Map<string, Set<string>>();
  for (const node of nodes) {
    const segments = protocols.flatMap((protocol) => {
      const settings = node.fields[protocol.name];
      return protocol.ownInterfaces && settings !== undefined ? protocol.ownInterfaces(settings) : [];
    });
    if (segments.length > 0) owned.set(node.name, new Set(segments));
  }
  return owned;
}

/**
 * Each router's LANs: its segments no other router is on; `owned`: interfaces left out, by router;
 * on an unnumbered segment a router's interface borrows its loopback.
 */
function labFacts(input: RoutingInput, all: RoutingNodeInput[], owned: ReadonlyMap<string, ReadonlySet<string>>): LabFacts {
  const byName = new Map(all.map((node) => [node.name, node]));
  const unnumbered = new Set(input.segments.filter((segment) => segment.unnumbered).map((segment) => segment.name));
  const nodes = all.map((node) => {
    const leftOut = owned.get(node.name);
    const kept = leftOut ? node.interfaces.filter((iface) => !leftOut.has(iface.segment)) : node.interfaces;
    const interfaces = borrowedInterfaces({ ...node, interfaces: kept }, unnumbered, byName);
    return interfaces === node.interfaces ? node : { ...node, interfaces };
  });
  const onSegment = new Map<string, { name: string; address: string; address6?: string }[]>();
  for (const node of nodes) {
    for (const iface of node.interfaces) {
      const members = onSegment.get(iface.segment) ?? [];
      // On an unnumbered link, a router's address there is its loopback.
      members.push({ name: node.name, address: iface.borrowed?.local ?? iface.address, ...(iface.ipv6 ? { address6: iface.ipv6 } : {}) });
      onSegment.set(iface.segment, members);
    }
  }
  const subnetOf = new Map(input.segments.map((segment) => [segment.name, segment.subnet.cidr]));
  const prefix6Of = new Map(input.segments.flatMap((segment) => (segment.ipv6 ? [[segment.name, segment.ipv6.cidr] as const] : [])));
  const alone = (segment: string) => (onSegment.get(segment)?.length ?? 0) <= 1;
  const routers = nodes.map(({ index, name, interfaces, fields }) => ({
    index,
    name,
    interfaces,
    loopback: fields.loopback,
    ...(fields.loopback6 ? { loopback6: fields.loopback6 } : {}),
    lans: interfaces.flatMap((iface) => {
      const subnet = subnetOf.get(iface.segment);
      return subnet !== undefined && alone(iface.segment) ? [subnet] : [];
    }),
    ...lans6Of(interfaces, prefix6Of, alone),
  }));
  return { routers, onSegment, fieldsOf: new Map(nodes.map((node) => [node.name, node.fields])) };
}

/** A router's IPv6 LANs: the prefixes of its segments with IPv6 that no other router is on (absent where none). */
function lans6Of(
  interfaces: RoutingNodeInput["interfaces"],
  prefix6Of: ReadonlyMap<string, string>,
  alone: (segment: string) => boolean,
): { lans6?: string[] } {
  const lans6 = interfaces.flatMap((iface) => {
    const prefix = prefix6Of.get(iface.segment);
    return prefix !== undefined && iface.ipv6 !== undefined && alone(iface.segment) ? [prefix] : [];
  });
  return lans6.length > 0 ? { lans6 } : {};
}

/** The lab-wide protocols' services (BFD's profiles), settled before any protocol plans. */
function prepareServices(
  protocols: readonly AnyRoutingProtocol[],
  lab: LabFacts,
  input: RoutingInput,
  summaries: ProtocolSummary[],
): { issues: ConfigIssue[]; services: LabServices } {
  const issues: ConfigIssue[] = [];
  let services: LabServices = {};
  for (const protocol of protocols) {
    const prepared = protocol.prepare?.({ routers: lab.routers, settings: input.labFields[protocol.name], protocols: summaries });
    if (!prepared) continue;
    issues.push(...prepared.issues);
    services = { ...services, ...prepared.services };
  }
  return { issues, services };
}

/** Each protocol's plan in order, each seeing the facets of those before it. */
function planProtocols(
  protocols: readonly AnyRoutingProtocol[],
  { lab, whole }: { lab: LabFacts; whole: LabFacts },
  input: RoutingInput,
  services: LabServices,
  summaries: ProtocolSummary[],
): { issues: ConfigIssue[]; fields: Map<string, object>[]; facets: PlannedProtocol[] } {
  const planned: PlannedProtocol[] = [];
  const issues: ConfigIssue[] = [];
  const fields: Map<string, object>[] = [];
  for (const protocol of protocols) {
    const plan = protocol.plan({
      ...protocolView(protocol, protocol.ownInterfaces ? whole : lab),
      settings: protocol.labSchema ? input.labFields[protocol.name] : undefined,
      services,
      earlier: [...planned],
      protocols: summaries,
    });
    issues.push(...plan.issues);
    fields.push(plan.routers);
    planned.push({ ...summaryOf(protocol), facets: plan.facets });
  }
  return { issues, fields, facets: planned };
}

/** The routers as one protocol sees them: each with its field of that protocol. */
function protocolView(protocol: AnyRoutingProtocol, lab: LabFacts): Pick<RoutingLab<unknown, unknown>, "routers" | "peersOn"> {
  const settingsOf = (name: string) => (protocol.nodeSchema ? lab.fieldsOf.get(name)?.[protocol.name] : undefined);
  const routers: ProtocolRouter<unknown>[] = lab.routers.map((router) => ({ ...router, settings: settingsOf(router.name) }));
  const byName = new Map(routers.map((router) => [router.name, router]));
  return {
    routers,
    peersOn: (router, segment) =>
      (lab.onSegment.get(segment) ?? []).flatMap((member) => {
        const peer = byName.get(member.name);
        if (!peer || member.name === router.name) return [];
        const own6 = router.interfaces.find((iface) => iface.segment === segment)?.ipv6;
        return [{ router: peer, address: member.address, ...(own6 && member.address6 ? { address6: member.address6 } : {}) }];
      }),
  };
}

/**
 * Every LAN prefix each router must learn: its own, and those of every router that shares a route
 * group with it in some protocol (an OSPF domain, routers in BGP sessions). Routers of one group
 * share one list.
 */
function expectedPrefixes(
  routers: LabRouter[],
  planned: PlannedProtocol[],
  lansOf: (router: LabRouter) => string[],
): Map<string, string[]> {
  const groupsOf = new Map(routers.map((router) => [router.name, [] as string[]]));
  const members = new Map<string, LabRouter[]>();
  planned.forEach((protocol, i) => {
    for (const router of routers) {
      const group = protocol.facets.routeGroup?.(router.name);
      if (group === undefined) continue;
      const key = `${i}/${group}`;
      groupsOf.get(router.name)?.push(key);
      const inGroup = members.get(key) ?? [];
      inGroup.push(router);
      members.set(key, inGroup);
    }
  });
  if (planned.some((protocol) => protocol.facets.learnedAs)) return viewedPrefixes(routers, planned, groupsOf, members, lansOf);
  const byGroups = new Map<string, string[]>();
  return new Map(
    routers.map((router) => {
      const groups = groupsOf.get(router.name) ?? [];
      const key = groups.length > 0 ? groups.join("\n") : `\n${router.name}`;
      let prefixes = byGroups.get(key);
      if (!prefixes) {
        const from = [router, ...groups.flatMap((group) => members.get(group) ?? [])];
        prefixes = [...new Set(from.flatMap(lansOf))].sort(comparePrefixes);
        byGroups.set(key, prefixes);
      }
      return [router.name, prefixes];
    }),
  );
}

/**
 * The same, where a protocol says how a router learns another's LAN (a summary, or not at all):
 * each router's own list, through each of its groups' protocol's view.
 */
function viewedPrefixes(
  routers: LabRouter[],
  planned: PlannedProtocol[],
  groupsOf: Map<string, string[]>,
  members: Map<string, LabRouter[]>,
  lansOf: (router: LabRouter) => string[],
): Map<string, string[]> {
  return new Map(
    routers.map((router) => {
      const prefixes = new Set(lansOf(router));
      for (const group of groupsOf.get(router.name) ?? []) {
        const view = planned[Number(group.split("/")[0])].facets.learnedAs;
        for (const origin of members.get(group) ?? []) {
          if (origin.name === router.name) continue;
          for (const lan of lansOf(origin)) {
            const learned = view ? view(router.name, origin.name, lan) : lan;
            if (learned !== null) prefixes.add(learned);
          }
        }
      }
      return [router.name, [...prefixes].sort(comparePrefixes)];
    }),
  );
}

/** Orders CIDR prefixes by address, then length (IPv4 and IPv6 alike, as whole numbers). */
function comparePrefixes(a: string, b: string): number {
  const key = (cidr: string) => {
    const [address, length] = cidr.split("/");
    const value = address.includes(":")
      ? bounds6(parsePrefix6(`${address}/128`) as Ipv6Prefix)[0]
      : BigInt(address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0));
    return value * 256n + BigInt(length);
  };
  const [ka, kb] = [key(a), key(b)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
