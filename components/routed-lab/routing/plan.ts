/**
 * Routing generated from the topology, as netlab does it. Pure: from the lab's validated nodes and
 * segments it derives, per router, its OSPF interfaces, BGP sessions, announced LANs and BFD peers,
 * and reports every mistake with the field path and value.
 *
 * - OSPF runs on a router's segments that another OSPF router shares (point-to-point when there is
 *   exactly one such neighbour); its other segments are passive and announced.
 * - eBGP: one session per shared segment with each BGP router of another ASN.
 * - iBGP: a full mesh per ASN; over loopbacks when both routers have one and run OSPF in one OSPF
 *   domain (which carries the loopbacks), otherwise over their first shared segment.
 * - A router's LANs are its segments that no other OSPF or BGP router shares; BGP announces them
 *   and the loopback.
 * - BFD (the lab's `bfd`) on every OSPF adjacency and every BGP session. An iBGP session between
 *   loopbacks gets a multihop BFD session with slower timers of its own (`bfd.multihop`, default 3 x
 *   the interval, the same multiplier: 900 ms at 100 ms x 3): when a link fails, OSPF's single-hop
 *   BFD detects it and OSPF moves the loopbacks to another path (a silent failure in the OSPF ring:
 *   about 270 ms of outage at 100 ms x 3, measured) well within that time, so the iBGP session
 *   survives the reroute, while a dead peer is still detected long before the BGP hold time. A
 *   multihop override that would detect a failure no later than the single-hop sessions is refused:
 *   the reroute would tear the iBGP sessions down.
 */
import { z } from "zod";
import { Ipv4Subnet, subnetContains } from "../../net/addressing";
import { ConfigIssue, show } from "../../net/errors";
import { BFD_INTERVAL_MS, DEFAULT_BFD, bfdSchema, bgpSchema, ospfSchema } from "./schema";

export interface RoutingNodeInput {
  /** Position in the spec's nodes (for field paths). */
  index: number;
  name: string;
  router: boolean;
  image: string | { ref: string };
  /** The node's valid interfaces, in declaration order. */
  interfaces: { segment: string; address: string; prefixLength: number }[];
  files: Record<string, string>;
  ospf?: z.output<typeof ospfSchema>;
  bgp?: z.output<typeof bgpSchema>;
  loopback?: string;
  routerId?: string;
}

export interface RoutingInput {
  nodes: RoutingNodeInput[];
  segments: { name: string; subnet: Ipv4Subnet }[];
  bfd?: z.output<typeof bfdSchema>;
  /** Every address the lab uses already (gateways, interfaces), with its owner for messages. */
  addressOwners: ReadonlyMap<string, string>;
  /** Paths the routing writes into a router; a node file there is refused. */
  reservedPaths: readonly string[];
}

export interface BfdTimers {
  intervalMs: number;
  multiplier: number;
}

/** How much slower than the lab's BFD interval the multihop sessions run by default. */
export const MULTIHOP_BFD_FACTOR = 3;

/**
 * The multihop sessions' timers: the user's `bfd.multihop`, else MULTIHOP_BFD_FACTOR x the interval
 * (at most FRR's 60 s) and the same multiplier.
 */
export function multihopBfdTimers(bfd: BfdTimers, override: Partial<BfdTimers> = {}): BfdTimers {
  return {
    intervalMs: override.intervalMs ?? Math.min(bfd.intervalMs * MULTIHOP_BFD_FACTOR, BFD_INTERVAL_MS.max),
    multiplier: override.multiplier ?? bfd.multiplier,
  };
}

export interface OspfInterfacePlan {
  segment: string;
  address: string;
  prefixLength: number;
  /** No other OSPF router on the segment: announced, no hellos. */
  passive: boolean;
  /** Exactly one other OSPF router on the segment: no DR election. */
  pointToPoint: boolean;
  /** The OSPF routers across the segment, by node name. */
  neighbors: string[];
}

export interface OspfPlan {
  /** Dotted quad. */
  area: string;
  cost?: number;
  helloSeconds: number;
  deadSeconds: number;
  interfaces: OspfInterfacePlan[];
}

export interface BgpNeighborPlan {
  /** The peer's node name. */
  node: string;
  /** The peer's address this router connects to. */
  address: string;
  remoteAs: number;
  /** Between loopbacks (iBGP over OSPF): sourced from `lo`, multihop. */
  overLoopback: boolean;
  /** The session's BFD when the lab runs BFD: multihop between loopbacks, single-hop otherwise. */
  bfd: false | "single-hop" | "multihop";
  /** A single-hop session: the segment it runs on and this router's address there. */
  link?: { segment: string; localAddress: string };
}

export interface BgpPlan {
  asn: number;
  keepaliveSeconds: number;
  holdSeconds: number;
  neighbors: BgpNeighborPlan[];
  /** Prefixes announced: the router's LANs, then its loopback. */
  networks: string[];
}

export interface NodeRoutingPlan {
  routerId: string;
  loopback?: string;
  ospf?: OspfPlan;
  bgp?: BgpPlan;
  /** BFD timers, when the lab runs BFD. */
  bfd?: BfdTimers;
  /** Timers of the multihop BFD sessions, when one of this router's BGP sessions has one. */
  bfdMultihop?: BfdTimers;
  /** Addresses of the BFD peers this router should see up, single-hop and multihop. */
  bfdPeers: string[];
  /** The router's LANs (segments no other protocol router shares). */
  lans: string[];
  /** Every LAN prefix this router must hold a route to once converged (its own included). */
  expectedPrefixes: string[];
}

export interface RoutingResult {
  issues: ConfigIssue[];
  /** By node name: only the nodes that run a protocol. */
  routers: Map<string, NodeRoutingPlan>;
}

/** An area as FRR shows it: a number becomes its dotted quad. */
export function areaId(area: string | number): string {
  if (typeof area === "string") return area;
  return [24, 16, 8, 0].map((shift) => Math.floor(area / 2 ** shift) % 256).join(".");
}

/** A minimal union-find over names: OSPF domains and BGP-connected routers. */
class Groups {
  private parent = new Map<string, string>();
  find(name: string): string {
    const up = this.parent.get(name) ?? name;
    if (up === name) return name;
    const root = this.find(up);
    this.parent.set(name, root);
    return root;
  }
  join(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

export function planRouting(input: RoutingInput): RoutingResult {
  const issues: ConfigIssue[] = [];
  const at = (node: RoutingNodeInput, field: string) => `nodes[${node.index}].${field}`;
  const runsProtocol = (node: RoutingNodeInput) => node.ospf !== undefined || node.bgp !== undefined;
  const routers = input.nodes.filter(runsProtocol);

  // Per node: what a protocol needs of it, its loopback and its router id.
  const routerIdOwner = new Map<string, string>();
  const loopbackOwner = new Map<string, string>();
  const routerIds = new Map<string, string>();
  for (const node of input.nodes) {
    if (!runsProtocol(node)) {
      for (const field of ["loopback", "routerId"] as const) {
        if (node[field] !== undefined) {
          issues.push({ path: at(node, field), message: `${show(node[field])}: only a node with ospf or bgp has a ${field}` });
        }
      }
      continue;
    }
    const protocol = node.ospf ? "ospf" : "bgp";
    if (!node.router) {
      issues.push({
        path: at(node, protocol),
        message: `node ${show(node.name)} is not a router: ${protocol} runs only on a node with router: true`,
      });
    }
    if (typeof node.image === "string" && node.image !== "router") {
      issues.push({
        path: at(node, "image"),
        message: `${show(node.image)} has no FRR: a node with ospf or bgp runs the router image (or an image of yours with FRR)`,
      });
    }
    for (const file of Object.keys(node.files)) {
      if (input.reservedPaths.includes(file)) {
        issues.push({
          path: at(node, `files.${file}`),
          message: `${show(file)} is written by the node's routing; a router's FRR configuration is generated`,
        });
      }
    }
    if (node.ospf && node.ospf.deadSeconds <= node.ospf.helloSeconds) {
      issues.push({
        path: at(node, "ospf.deadSeconds"),
        message: `${node.ospf.deadSeconds} must be more than helloSeconds (${node.ospf.helloSeconds})`,
      });
    }
    if (node.bgp && node.bgp.keepaliveSeconds >= node.bgp.holdSeconds) {
      issues.push({
        path: at(node, "bgp.keepaliveSeconds"),
        message: `${node.bgp.keepaliveSeconds} must be less than holdSeconds (${node.bgp.holdSeconds})`,
      });
    }
    if (node.loopback !== undefined) {
      const inSegment = input.segments.find((segment) => subnetContains(segment.subnet, node.loopback!));
      const owner = input.addressOwners.get(node.loopback) ?? loopbackOwner.get(node.loopback);
      if (node.loopback === "0.0.0.0" || node.loopback === "255.255.255.255") {
        issues.push({ path: at(node, "loopback"), message: `${show(node.loopback)} cannot be a loopback address` });
      } else if (inSegment) {
        issues.push({
          path: at(node, "loopback"),
          message: `${show(node.loopback)} is inside segment ${show(inSegment.name)} (${inSegment.subnet.cidr}); a loopback is an address of its own`,
        });
      } else if (owner) {
        issues.push({ path: at(node, "loopback"), message: `${show(node.loopback)} is already ${owner}` });
      } else loopbackOwner.set(node.loopback, `node ${show(node.name)}'s loopback`);
    }
    const [routerId, source] =
      node.routerId !== undefined
        ? [node.routerId, "routerId"]
        : node.loopback !== undefined
          ? [node.loopback, "loopback"]
          : [node.interfaces[0]?.address, "interfaces[0].address"];
    if (routerId === undefined) continue; // no valid interface: already reported
    if (routerId === "0.0.0.0") {
      issues.push({ path: at(node, source), message: `${show(routerId)} cannot be a router id` });
      continue;
    }
    const other = routerIdOwner.get(routerId);
    if (other) {
      issues.push({ path: at(node, source), message: `router id ${show(routerId)} is also node ${show(other)}'s router id` });
    } else routerIdOwner.set(routerId, node.name);
    routerIds.set(node.name, routerId);
  }

  const bfd: BfdTimers | undefined =
    input.bfd === undefined || input.bfd === false
      ? undefined
      : input.bfd === true
        ? { ...DEFAULT_BFD }
        : { intervalMs: input.bfd.intervalMs, multiplier: input.bfd.multiplier };
  if (bfd && routers.length === 0) {
    issues.push({ path: "bfd", message: `${show(input.bfd)}: BFD runs on OSPF and BGP adjacencies, but no node has ospf or bgp` });
  }
  const multihopOverride = typeof input.bfd === "object" ? input.bfd.multihop : undefined;
  const bfdMultihop = bfd ? multihopBfdTimers(bfd, multihopOverride) : undefined;
  if (bfd && bfdMultihop && multihopOverride) {
    const detection = (timers: BfdTimers) => `${timers.intervalMs * timers.multiplier} ms (${timers.intervalMs} ms x ${timers.multiplier})`;
    if (bfdMultihop.intervalMs * bfdMultihop.multiplier <= bfd.intervalMs * bfd.multiplier) {
      issues.push({
        path: "bfd.multihop",
        message:
          `${show(multihopOverride)}: multihop BFD would detect a dead peer in ${detection(bfdMultihop)}, no later than ` +
          `the single-hop sessions' ${detection(bfd)}; it must be slower, or an OSPF reroute tears the iBGP sessions between loopbacks down`,
      });
    }
  }

  // Who runs what on each segment.
  const onSegment = new Map<string, { node: RoutingNodeInput; address: string }[]>();
  for (const node of routers) {
    for (const iface of node.interfaces) {
      if (!onSegment.has(iface.segment)) onSegment.set(iface.segment, []);
      onSegment.get(iface.segment)!.push({ node, address: iface.address });
    }
  }
  const others = (node: RoutingNodeInput, segment: string, which: (n: RoutingNodeInput) => boolean) =>
    (onSegment.get(segment) ?? []).filter((member) => member.node !== node && which(member.node));
  const lansOf = (node: RoutingNodeInput) => node.interfaces.filter((iface) => others(node, iface.segment, () => true).length === 0);
  const subnetOf = new Map(input.segments.map((segment) => [segment.name, segment.subnet.cidr]));

  // OSPF: interfaces, agreement between neighbours, domains.
  const ospfDomains = new Groups();
  const ospfPlans = new Map<string, OspfPlan>();
  for (const node of routers.filter((n) => n.ospf)) {
    const ospf = node.ospf!;
    const area = areaId(ospf.area);
    const interfaces: OspfInterfacePlan[] = node.interfaces.map((iface) => {
      const peers = others(node, iface.segment, (n) => n.ospf !== undefined);
      for (const peer of peers) {
        ospfDomains.join(node.name, peer.node.name);
        // Reported once per pair, on the later node.
        if (peer.node.index > node.index) continue;
        const theirs = peer.node.ospf!;
        const disagree = (field: string, mine: unknown, their: unknown, why: string) =>
          issues.push({
            path: at(node, `ospf.${field}`),
            message: `${show(mine)} differs from node ${show(peer.node.name)}'s ${show(their)} on segment ${show(iface.segment)}: ${why}`,
          });
        if (areaId(theirs.area) !== area) disagree("area", area, areaId(theirs.area), "routers that share a segment must be in one area");
        if (theirs.helloSeconds !== ospf.helloSeconds)
          disagree("helloSeconds", ospf.helloSeconds, theirs.helloSeconds, "OSPF neighbours must agree");
        if (theirs.deadSeconds !== ospf.deadSeconds)
          disagree("deadSeconds", ospf.deadSeconds, theirs.deadSeconds, "OSPF neighbours must agree");
      }
      return {
        segment: iface.segment,
        address: iface.address,
        prefixLength: iface.prefixLength,
        passive: peers.length === 0,
        pointToPoint: peers.length === 1,
        neighbors: peers.map((peer) => peer.node.name),
      };
    });
    ospfPlans.set(node.name, { area, cost: ospf.cost, helloSeconds: ospf.helloSeconds, deadSeconds: ospf.deadSeconds, interfaces });
  }

  // BGP: eBGP per shared segment, iBGP mesh per ASN.
  const neighbors = new Map<string, BgpNeighborPlan[]>(routers.filter((n) => n.bgp).map((n) => [n.name, []]));
  const bgpGroups = new Groups();
  /** `on`: the segment of a single-hop session (the routers' addresses there are its ends). */
  const session = (from: RoutingNodeInput, to: RoutingNodeInput, address: string, on?: string) => {
    const overLoopback = on === undefined;
    const link = from.interfaces.find((iface) => iface.segment === on);
    neighbors.get(from.name)!.push({
      node: to.name,
      address,
      remoteAs: to.bgp!.asn,
      overLoopback,
      bfd: bfd === undefined ? false : overLoopback ? "multihop" : "single-hop",
      ...(link ? { link: { segment: link.segment, localAddress: link.address } } : {}),
    });
    bgpGroups.join(from.name, to.name);
  };
  const bgpRouters = routers.filter((n) => n.bgp);
  for (const node of bgpRouters) {
    for (const iface of node.interfaces) {
      for (const peer of others(node, iface.segment, (n) => n.bgp !== undefined && n.bgp.asn !== node.bgp!.asn)) {
        session(node, peer.node, peer.address, iface.segment);
      }
    }
  }
  bgpRouters.forEach((node, i) => {
    for (const peer of bgpRouters.slice(0, i).filter((n) => n.bgp!.asn === node.bgp!.asn)) {
      const viaLoopbacks =
        node.loopback !== undefined &&
        peer.loopback !== undefined &&
        node.ospf &&
        peer.ospf &&
        ospfDomains.find(node.name) === ospfDomains.find(peer.name);
      if (viaLoopbacks) {
        session(peer, node, node.loopback!);
        session(node, peer, peer.loopback!);
        continue;
      }
      const shared = node.interfaces.find((iface) => peer.interfaces.some((theirs) => theirs.segment === iface.segment));
      if (shared) {
        session(peer, node, shared.address, shared.segment);
        session(node, peer, peer.interfaces.find((theirs) => theirs.segment === shared.segment)!.address, shared.segment);
        continue;
      }
      issues.push({
        path: at(node, "bgp.asn"),
        message:
          `${node.bgp!.asn} is also node ${show(peer.name)}'s ASN, but the two cannot reach each other for iBGP: ` +
          "give both a loopback and ospf in one OSPF domain, or attach them to a common segment",
      });
    }
  });
  if (multihopOverride && ![...neighbors.values()].some((sessions) => sessions.some((s) => s.bfd === "multihop"))) {
    issues.push({
      path: "bfd.multihop",
      message: `${show(multihopOverride)}: no BFD session is multihop; only iBGP between loopbacks (both routers with a loopback and ospf) runs one`,
    });
  }
  for (const node of bgpRouters) {
    if (neighbors.get(node.name)!.length === 0 && !issues.some((issue) => issue.path === at(node, "bgp.asn"))) {
      issues.push({
        path: at(node, "bgp"),
        message: `node ${show(node.name)} (AS ${node.bgp!.asn}) has no BGP neighbour: no other BGP router shares a segment or its ASN with it`,
      });
    }
  }

  // Per router: LANs, what it must learn, BFD peers.
  const lanPrefixes = new Map(routers.map((node) => [node.name, lansOf(node).map((iface) => subnetOf.get(iface.segment)!)]));
  const plans = new Map<string, NodeRoutingPlan>();
  for (const node of routers) {
    const routerId = routerIds.get(node.name);
    if (routerId === undefined) continue;
    const ospf = ospfPlans.get(node.name);
    const lans = lanPrefixes.get(node.name)!;
    const learnedFrom = routers.filter(
      (other) =>
        other === node ||
        (ospf && other.ospf && ospfDomains.find(other.name) === ospfDomains.find(node.name)) ||
        (node.bgp && other.bgp && bgpGroups.find(other.name) === bgpGroups.find(node.name)),
    );
    const expectedPrefixes = [...new Set(learnedFrom.flatMap((other) => lanPrefixes.get(other.name)!))].sort(comparePrefixes);
    const sessions = neighbors.get(node.name);
    const bgp: BgpPlan | undefined = node.bgp
      ? {
          asn: node.bgp.asn,
          keepaliveSeconds: node.bgp.keepaliveSeconds,
          holdSeconds: node.bgp.holdSeconds,
          neighbors: sessions!,
          networks: [...lans, ...(node.loopback ? [`${node.loopback}/32`] : [])],
        }
      : undefined;
    const bfdPeers = bfd
      ? [
          ...new Set([
            ...(ospf?.interfaces ?? []).flatMap((iface) =>
              others(node, iface.segment, (n) => iface.neighbors.includes(n.name)).map((peer) => peer.address),
            ),
            // Multihop ones too: bfdd lists them among its peers (`"multihop": true` in `show bfd peers json`).
            ...(sessions ?? []).filter((s) => s.bfd).map((s) => s.address),
          ]),
        ]
      : [];
    const multihop = (sessions ?? []).some((s) => s.bfd === "multihop");
    plans.set(node.name, {
      routerId,
      loopback: node.loopback,
      ospf,
      bgp,
      bfd,
      ...(multihop ? { bfdMultihop } : {}),
      bfdPeers,
      lans,
      expectedPrefixes,
    });
  }
  return { issues, routers: plans };
}

/** Orders CIDR prefixes by address, then length. */
function comparePrefixes(a: string, b: string): number {
  const key = (cidr: string) => {
    const [address, length] = cidr.split("/");
    return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0) * 64 + Number(length);
  };
  return key(a) - key(b);
}
