/**
 * VRFs over the lab's routers: each VRF of a node takes its interfaces out of the node's default
 * table (the other protocols do not see them: protocol.ts, ownInterfaces), into a kernel table of its
 * own, with OSPF and BGP instances of its own. OSPF in a VRF runs on each of its segments that
 * another router's VRF with OSPF shares (point-to-point with exactly one), passive elsewhere; BGP in
 * a VRF peers with each router whose VRF on a shared segment runs BGP. Routes leak between a node's
 * VRFs through BGP (`import vrf`). Every mistake names the field and the value.
 */
import { ConfigIssue, show } from "../../net/errors";
import { areaId } from "../ospf/plan";
import { ProtocolPlan, ProtocolRouter, RoutingLab, RunningRouter, andList, fieldPath, isRunning } from "../protocol";
import { VrfSettings, VrfsSettings } from "./schema";

/** A VRF's tables start above this: 1001 for a node's first VRF, 1002 for its second, ... */
export const VRF_TABLE_BASE = 1000;

export interface VrfInterfacePlan {
  segment: string;
  address: string;
  prefixLength: number;
  /** OSPF of the VRF on this segment, when the VRF runs OSPF. */
  ospf?: { passive: boolean; pointToPoint: boolean; neighbors: string[] };
}

export interface VrfNeighborPlan {
  /** The peer's node name. */
  node: string;
  /** Its address on the shared segment. */
  address: string;
  /** The ASN of its VRF's BGP instance. */
  remoteAs: number;
}

export interface VrfPlan {
  name: string;
  /** Its kernel routing table. */
  table: number;
  interfaces: VrfInterfacePlan[];
  /** A /32 on the VRF's device. */
  loopback?: string;
  ospf?: { area: string; cost?: number; helloSeconds: number; deadSeconds: number };
  bgp?: { asn: number; neighbors: VrfNeighborPlan[] };
  /** The node's VRFs whose routes this one takes (FRR: `import vrf`). */
  import: string[];
}

/** What VRFs add to a router's plan. */
export interface VrfFields {
  vrfs?: VrfPlan[];
}

type VrfRouter = RunningRouter<VrfsSettings>;

/** The segments a node's VRFs take from its default table. */
export function vrfSegments(settings: VrfsSettings): string[] {
  return Object.values(settings).flatMap((vrf) => vrf.interfaces);
}

/** The VRF of `router` that holds `segment`, with its name. */
function vrfOn(router: ProtocolRouter<VrfsSettings>, segment: string): [string, VrfSettings] | undefined {
  return Object.entries(router.settings ?? {}).find(([, vrf]) => vrf.interfaces.includes(segment));
}

export function planVrfs(lab: RoutingLab<VrfsSettings, never>): ProtocolPlan<VrfFields> {
  const issues: ConfigIssue[] = [];
  const routers = new Map<string, VrfFields>();
  for (const router of lab.routers.filter(isRunning)) {
    issues.push(...nodeVrfIssues(router));
    let position = 0;
    const vrfs = Object.entries(router.settings).map(([name, vrf]): VrfPlan => {
      position += 1;
      return {
        name,
        table: vrf.table ?? VRF_TABLE_BASE + position,
        interfaces: vrf.interfaces.flatMap((segment) => planInterface(lab, router, name, vrf, segment, issues)),
        ...(vrf.loopback ? { loopback: vrf.loopback } : {}),
        ...(vrf.ospf ? { ospf: { ...vrf.ospf, area: areaId(vrf.ospf.area) } } : {}),
        ...(vrf.bgp ? { bgp: { asn: vrf.bgp.asn, neighbors: bgpNeighbors(lab, router, vrf) } } : {}),
        import: vrf.import,
      };
    });
    routers.set(router.name, { vrfs });
  }
  return { issues, routers, facets: {} };
}

/** The router's interface on `segment` in VRF `name`: its OSPF neighbours there, who must agree with it. */
function planInterface(
  lab: RoutingLab<VrfsSettings, never>,
  router: VrfRouter,
  name: string,
  vrf: VrfSettings,
  segment: string,
  issues: ConfigIssue[],
): VrfInterfacePlan[] {
  const iface = router.interfaces.find((candidate) => candidate.segment === segment);
  if (!iface) return []; // reported by nodeVrfIssues
  const plan: VrfInterfacePlan = { segment, address: iface.address, prefixLength: iface.prefixLength };
  if (!vrf.ospf) return [plan];
  const peers = lab.peersOn(router, segment).flatMap((peer) => {
    const theirs = vrfOn(peer.router, segment);
    return theirs?.[1].ospf ? [{ node: peer.router, vrf: theirs[0], ospf: theirs[1].ospf }] : [];
  });
  for (const peer of peers) {
    if (peer.node.index > router.index) continue; // reported once per pair, on the later node
    const at = (field: string) => fieldPath(router, `vrfs.${name}.ospf.${field}`);
    const differs = (field: "area" | "helloSeconds" | "deadSeconds", mine: unknown, their: unknown) => {
      if (mine !== their) {
        issues.push({
          path: at(field),
          message: `${show(mine)} differs from node ${show(peer.node.name)}'s ${show(their)} (VRF ${show(peer.vrf)}) on segment ${show(segment)}: OSPF neighbours must agree`,
        });
      }
    };
    differs("area", areaId(vrf.ospf.area), areaId(peer.ospf.area));
    differs("helloSeconds", vrf.ospf.helloSeconds, peer.ospf.helloSeconds);
    differs("deadSeconds", vrf.ospf.deadSeconds, peer.ospf.deadSeconds);
  }
  const neighbors = peers.map((peer) => peer.node.name);
  return [{ ...plan, ospf: { passive: peers.length === 0, pointToPoint: peers.length === 1, neighbors } }];
}

/** BGP sessions of a VRF: each router whose VRF on a segment of this one runs BGP too. */
function bgpNeighbors(lab: RoutingLab<VrfsSettings, never>, router: VrfRouter, vrf: VrfSettings): VrfNeighborPlan[] {
  return vrf.interfaces.flatMap((segment) =>
    lab.peersOn(router, segment).flatMap((peer) => {
      const theirs = vrfOn(peer.router, segment)?.[1].bgp;
      return theirs ? [{ node: peer.router.name, address: peer.address, remoteAs: theirs.asn }] : [];
    }),
  );
}

/** What is wrong with one node's VRFs, alone: interfaces, tables, loopbacks, leaking. */
function nodeVrfIssues(router: VrfRouter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = Object.keys(router.settings);
  const holder = new Map<string, string>();
  const tables = new Map<number, string>();
  let position = 0;
  for (const [name, vrf] of Object.entries(router.settings)) {
    position += 1;
    const at = (field: string) => fieldPath(router, `vrfs.${name}${field}`);
    if (vrf.interfaces.length === 0) {
      issues.push({
        path: at(".interfaces"),
        message: `VRF ${show(name)} of node ${show(router.name)} has no interfaces: give it at least one segment`,
      });
    }
    vrf.interfaces.forEach((segment, i) => {
      const issue = interfaceIssue(router, name, segment, holder);
      if (issue) issues.push({ path: at(`.interfaces[${i}]`), message: issue });
      else holder.set(segment, name);
    });
    const table = vrf.table ?? VRF_TABLE_BASE + position;
    const other = tables.get(table);
    if (other) issues.push({ path: at(".table"), message: `${table} is already VRF ${show(other)}'s table on node ${show(router.name)}` });
    else tables.set(table, name);
    if (vrf.ospf && vrf.ospf.deadSeconds <= vrf.ospf.helloSeconds) {
      issues.push({
        path: at(".ospf.deadSeconds"),
        message: `${vrf.ospf.deadSeconds} must be more than helloSeconds (${vrf.ospf.helloSeconds})`,
      });
    }
    if (vrf.loopback === "0.0.0.0" || vrf.loopback === "255.255.255.255") {
      issues.push({ path: at(".loopback"), message: `${show(vrf.loopback)} cannot be a loopback address` });
    }
    vrf.import.forEach((source, i) => {
      const issue = importIssue(router, name, source, names);
      if (issue) issues.push({ path: at(`.import[${i}]`), message: issue });
    });
  }
  return issues;
}

/** An interface of the node, in no other VRF, IPv4 only. */
function interfaceIssue(router: VrfRouter, vrf: string, segment: string, holder: ReadonlyMap<string, string>): string | undefined {
  const iface = router.interfaces.find((candidate) => candidate.segment === segment);
  if (!iface) {
    const segments = router.interfaces.map((candidate) => candidate.segment);
    return `${show(segment)} is not a segment of node ${show(router.name)}'s interfaces (it has ${andList(segments.map((s) => show(s)))})`;
  }
  const other = holder.get(segment);
  if (other === vrf) return `${show(segment)} is listed twice in VRF ${show(vrf)}`;
  if (other) return `${show(segment)} is already in VRF ${show(other)}: an interface is in one VRF at most`;
  if (iface.ipv6) {
    return `${show(segment)}: the interface has IPv6 (${iface.ipv6}), and VRFs carry IPv4 only here (moving an interface into a VRF drops the IPv6 addresses Docker gave it)`;
  }
  return undefined;
}

/** Leaking takes routes from another VRF of the node, through BGP in both. */
function importIssue(router: VrfRouter, vrf: string, source: string, names: string[]): string | undefined {
  if (source === vrf) return `${show(source)} is this VRF itself`;
  if (!names.includes(source)) {
    return `${show(source)} is not a VRF of node ${show(router.name)} (it has ${andList(names.map((name) => show(name)))}): leaking takes routes from another VRF of the same node`;
  }
  const missing = [vrf, source].filter((name) => router.settings[name]?.bgp === undefined);
  if (missing.length > 0) {
    return `${show(source)}: leaking runs through BGP in both VRFs (FRR's import vrf); give ${andList(missing.map((name) => `vrfs.${name}`))} a bgp with its asn`;
  }
  return undefined;
}
