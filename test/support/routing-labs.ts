/**
 * The dynamic-routing labs of the e2e tier and the benchmark, as RoutedLab descriptions. Pure, so
 * the unit tier checks their plans (sessions, LANs, FRR files) before the e2e tier runs them.
 */
import { BfdSpec, BfdSpecInput } from "../../components/protocols";
import { NodeSpec, RoutedLabSpec, SegmentSpec } from "../../components/routed-lab/plan";

/** The lab's bfd as RoutedLab takes it: true and false (as stack config gives them) are `enabled`. */
const plainBfd = (bfd: BfdSpecInput): BfdSpec => (typeof bfd === "boolean" ? { enabled: bfd } : bfd);

/**
 * An OSPF ring r1 - r2 - r3 - r4 - r1 with a host LAN on r1 and on r3, the opposite corners. r4's
 * interfaces cost more, so traffic between the LANs takes r2 until r1-r2 is cut.
 *
 *   h1 - r1 --l12-- r2
 *        |          |
 *       l41        l23
 *        |          |
 *        r4 --l34-- r3 - h3
 */
export function ospfRing(bfd: BfdSpecInput = true): RoutedLabSpec {
  const link = (a: number, b: number) => `10.20.${a}${b}.0/29`;
  const at = (a: number, b: number, end: number) => `10.20.${a}${b}.${end}`;
  return {
    bfd: plainBfd(bfd),
    segments: [
      { name: "lan1", subnet: "10.21.1.0/24" },
      { name: "lan3", subnet: "10.21.3.0/24" },
      { name: "l12", subnet: link(1, 2) },
      { name: "l23", subnet: link(2, 3) },
      { name: "l34", subnet: link(3, 4) },
      { name: "l41", subnet: link(4, 1) },
    ],
    nodes: [
      router("r1", {}, [
        ["lan1", "10.21.1.1"],
        ["l12", at(1, 2, 1)],
        ["l41", at(4, 1, 2)],
      ]),
      router("r2", {}, [
        ["l12", at(1, 2, 2)],
        ["l23", at(2, 3, 1)],
      ]),
      router("r3", {}, [
        ["lan3", "10.21.3.1"],
        ["l23", at(2, 3, 2)],
        ["l34", at(3, 4, 1)],
      ]),
      router("r4", { cost: 100 }, [
        ["l34", at(3, 4, 2)],
        ["l41", at(4, 1, 1)],
      ]),
      host("h1", "lan1", "10.21.1.10", "10.21.1.1"),
      host("h3", "lan3", "10.21.3.10", "10.21.3.1"),
    ],
  };
}

/** The IGPs a ring or grid can run. */
export type Igp = "ospf" | "isis";

/** A lab's routers on IS-IS (level 2, area 49.0001) instead of OSPF, an OSPF cost as the IS-IS metric. */
export function onIsis(spec: RoutedLabSpec): RoutedLabSpec {
  return {
    ...spec,
    nodes: spec.nodes.map(({ ospf, ...node }) => ({ ...node, ...(ospf ? { isis: ospf.cost ? { metric: ospf.cost } : {} } : {}) })),
  };
}

/** Every address of a lab moved from 10.2x.* to 10.5x.*, so that it can run beside the original. */
function renumbered(spec: RoutedLabSpec): RoutedLabSpec {
  const move = (address: string) => address.replace(/^10\.2([01])\./, "10.5$1.");
  return {
    ...spec,
    segments: spec.segments.map((segment) => ({ ...segment, subnet: move(segment.subnet) })),
    nodes: spec.nodes.map((node) => ({
      ...node,
      interfaces: node.interfaces.map((iface) => ({ ...iface, address: move(iface.address) })),
      ...(node.routes ? { routes: node.routes.map((route) => ({ ...route, via: move(route.via) })) } : {}),
    })),
  };
}

/**
 * The same ring running IS-IS instead of OSPF, on its own addresses (10.50/10.51): r4's interfaces
 * have a higher metric, so traffic between the LANs takes r2 until r1-r2 is cut.
 */
export function isisRing(bfd: BfdSpecInput = true): RoutedLabSpec {
  return renumbered(onIsis(ospfRing(bfd)));
}

/** The ring on either IGP. */
export const ringOn = (igp: Igp, bfd: BfdSpecInput = true): RoutedLabSpec => (igp === "isis" ? isisRing(bfd) : ospfRing(bfd));

/**
 * A lab made dual-stack: each segment gets an IPv6 /64 (2001:db8:<second octet>:<its position>::/64),
 * each interface the address there that ends in its IPv4 address's last octet, each loopback an
 * IPv6 one (2001:db8:ffff::<last octet>), and each IPv4 route through a router its IPv6 twin.
 */
export function dualStack(spec: RoutedLabSpec): RoutedLabSpec {
  const prefixOf = new Map(spec.segments.map((segment, i) => [segment.name, `2001:db8:${segment.subnet!.split(".")[1]}:${i + 1}::`]));
  const lastOctet = (address: string) => address.split(".")[3];
  const twin = new Map<string, string>();
  for (const node of spec.nodes) {
    for (const iface of node.interfaces) twin.set(iface.address, `${prefixOf.get(iface.segment)}${lastOctet(iface.address)}`);
  }
  const routes6 = (routes: NonNullable<RoutedLabSpec["nodes"][number]["routes"]>) =>
    routes.flatMap((route) => {
      const via = twin.get(route.via);
      return via && route.to === "default" ? [route, { to: "default6", via }] : [route];
    });
  return {
    ...spec,
    segments: spec.segments.map((segment) => ({ ...segment, ipv6: `${prefixOf.get(segment.name)}/64` })),
    nodes: spec.nodes.map((node) => ({
      ...node,
      interfaces: node.interfaces.map((iface) => ({ ...iface, ipv6: twin.get(iface.address)! })),
      ...(node.loopback ? { loopback6: `2001:db8:ffff::${lastOctet(node.loopback)}` } : {}),
      ...(node.routes ? { routes: routes6(node.routes) } : {}),
    })),
  };
}

/**
 * An eBGP chain of three ASes, the middle one two routers running iBGP between loopbacks that OSPF
 * carries:  h1 - r1 (AS 65001) - r2a ~ r2b (AS 65002, OSPF) - r3 (AS 65003) - h3.
 */
export function bgpChain(): RoutedLabSpec {
  return {
    bfd: plainBfd(true),
    segments: [
      { name: "lan1", subnet: "10.30.1.0/24" },
      { name: "lan3", subnet: "10.30.3.0/24" },
      { name: "l1a", subnet: "10.30.101.0/29" },
      { name: "lab", subnet: "10.30.102.0/29" },
      { name: "lb3", subnet: "10.30.103.0/29" },
    ],
    nodes: [
      {
        ...router("r1", undefined, [
          ["lan1", "10.30.1.1"],
          ["l1a", "10.30.101.1"],
        ]),
        bgp: { asn: 65001 },
      },
      {
        ...router("r2a", {}, [
          ["l1a", "10.30.101.2"],
          ["lab", "10.30.102.1"],
        ]),
        bgp: { asn: 65002 },
        loopback: "10.30.255.21",
      },
      {
        ...router("r2b", {}, [
          ["lab", "10.30.102.2"],
          ["lb3", "10.30.103.1"],
        ]),
        bgp: { asn: 65002 },
        loopback: "10.30.255.22",
      },
      {
        ...router("r3", undefined, [
          ["lb3", "10.30.103.2"],
          ["lan3", "10.30.3.1"],
        ]),
        bgp: { asn: 65003 },
      },
      host("h1", "lan1", "10.30.1.10", "10.30.1.1"),
      host("h3", "lan3", "10.30.3.10", "10.30.3.1"),
    ],
  };
}

export interface GridLab {
  spec: RoutedLabSpec;
  routers: string[];
  /** Edge router to the host on its LAN. */
  hosts: { router: string; host: string; address: string }[];
}

/**
 * A rows x cols grid of OSPF routers `r<row>-<col>`, each linked to its right and lower neighbour
 * by a /29, and a host LAN with one host on every router of the grid's edge.
 */
export function ospfGrid(rows = 4, cols = 5, bfd: BfdSpecInput = true): GridLab {
  const segments: SegmentSpec[] = [];
  const nodes = new Map<string, NodeSpec>();
  const name = (r: number, c: number) => `r${r}-${c}`;
  const hosts: GridLab["hosts"] = [];
  for (let r = 1; r <= rows; r++) {
    for (let c = 1; c <= cols; c++) {
      const node: NodeSpec = { name: name(r, c), image: "router", router: true, ospf: {}, interfaces: [] };
      nodes.set(node.name, node);
      if (r === 1 || r === rows || c === 1 || c === cols) {
        const lan = hosts.length + 1;
        segments.push({ name: `lan${lan}`, subnet: `10.41.${lan}.0/24` });
        node.interfaces.push({ segment: `lan${lan}`, address: `10.41.${lan}.1` });
        hosts.push({ router: node.name, host: `h${lan}`, address: `10.41.${lan}.10` });
      }
    }
  }
  let links = 0;
  const connect = (a: string, b: string) => {
    const base = links * 8;
    const subnet = `10.40.${base >> 8}.${base & 255}`;
    const prefix = subnet.slice(0, subnet.lastIndexOf("."));
    const first = base & 255;
    segments.push({ name: `x${links}`, subnet: `${subnet}/29` });
    nodes.get(a)!.interfaces.push({ segment: `x${links}`, address: `${prefix}.${first + 1}` });
    nodes.get(b)!.interfaces.push({ segment: `x${links}`, address: `${prefix}.${first + 2}` });
    links++;
  };
  for (let r = 1; r <= rows; r++) {
    for (let c = 1; c <= cols; c++) {
      if (c < cols) connect(name(r, c), name(r, c + 1));
      if (r < rows) connect(name(r, c), name(r + 1, c));
    }
  }
  const hostNodes = hosts.map((edge, i) => host(edge.host, `lan${i + 1}`, edge.address, `10.41.${i + 1}.1`));
  return { spec: { bfd: plainBfd(bfd), segments, nodes: [...nodes.values(), ...hostNodes] }, routers: [...nodes.keys()], hosts };
}

function router(name: string, ospf: { cost?: number } | undefined, interfaces: [string, string][]): NodeSpec {
  return {
    name,
    image: "router",
    router: true,
    ...(ospf ? { ospf } : {}),
    interfaces: interfaces.map(([segment, address]) => ({ segment, address })),
  };
}

function host(name: string, segment: string, address: string, gateway: string): NodeSpec {
  return { name, image: "client", interfaces: [{ segment, address }], routes: [{ to: "default", via: gateway }] };
}

/**
 * iBGP with route reflectors (issue 25's proof 2, without its policy part): AS 65000 runs OSPF on
 * two reflectors rr1 and rr2 (one cluster, 10.60.255.100) and four clients, c1 and c2 on rr1, c3
 * and c4 on rr2; no client peers with another. The eBGP neighbour isp (AS 65100) is on c1 and on
 * c4, announces its LAN and an originated prefix with a standard and a large community, and uses a
 * password towards c4; the stub site (AS 65200) on c2 gets a default route from c2 (GTSM on that
 * session). Hosts: h1 on c1, h3 on c3, hx on isp, hs on site.
 *
 *   h1 - c1 - rr1 ==== rr2 - c3 - h3
 *        |     |        |
 *        |    c2        c4
 *        |     |        |
 *        |   site - hs  |
 *        +---- isp -----+
 *               |
 *              hx
 *
 * Which exit AS 65000 takes to the isp is BGP's own choice today (the IGP-nearest: c4 for c3, c1
 * for c1). `exitPolicyHook` is where the policy module's local preference plugs in to choose one
 * (its test then traces h3 to hx through that exit).
 */
export function bgpReflectors(exitPolicyHook: (spec: RoutedLabSpec) => RoutedLabSpec = (spec) => spec): RoutedLabSpec {
  const link = (name: string, third: number) => ({ name, subnet: `10.60.${third}.0/29` });
  const at = (third: number, end: number) => `10.60.${third}.${end}`;
  const core = (name: string, loopback: number, bgp: NonNullable<NodeSpec["bgp"]>, interfaces: [string, string][]): NodeSpec => ({
    ...router(name, {}, interfaces),
    loopback: `10.60.255.${loopback}`,
    bgp,
  });
  const reflector = { asn: 65000, routeReflector: true, clusterId: "10.60.255.100" };
  return exitPolicyHook({
    bfd: plainBfd(false),
    segments: [
      link("rr", 100),
      link("r1c1", 101),
      link("r1c2", 102),
      link("r2c3", 103),
      link("r2c4", 104),
      link("xc1", 201),
      link("xc4", 204),
      link("sc2", 202),
      { name: "lan1", subnet: "10.61.1.0/24" },
      { name: "lan2", subnet: "10.61.2.0/24" },
      { name: "lan3", subnet: "10.61.3.0/24" },
      { name: "lan4", subnet: "10.61.4.0/24" },
      { name: "lanx", subnet: "10.62.0.0/24" },
      { name: "lans", subnet: "10.63.0.0/24" },
    ],
    nodes: [
      core("rr1", 1, reflector, [
        ["rr", at(100, 1)],
        ["r1c1", at(101, 1)],
        ["r1c2", at(102, 1)],
      ]),
      core("rr2", 2, reflector, [
        ["rr", at(100, 2)],
        ["r2c3", at(103, 1)],
        ["r2c4", at(104, 1)],
      ]),
      core("c1", 11, { asn: 65000 }, [
        ["lan1", "10.61.1.1"],
        ["r1c1", at(101, 2)],
        ["xc1", at(201, 1)],
      ]),
      core("c2", 12, { asn: 65000, sessions: [{ neighbor: "site", defaultOriginate: true, gtsm: 1 }] }, [
        ["lan2", "10.61.2.1"],
        ["r1c2", at(102, 2)],
        ["sc2", at(202, 1)],
      ]),
      core("c3", 13, { asn: 65000 }, [
        ["lan3", "10.61.3.1"],
        ["r2c3", at(103, 2)],
      ]),
      core("c4", 14, { asn: 65000 }, [
        ["lan4", "10.61.4.1"],
        ["r2c4", at(104, 2)],
        ["xc4", at(204, 1)],
      ]),
      {
        ...router("isp", undefined, [
          ["lanx", "10.62.0.1"],
          ["xc1", at(201, 2)],
          ["xc4", at(204, 2)],
        ]),
        loopback: "10.62.255.1",
        bgp: {
          asn: 65100,
          originate: ["198.51.100.0/24"],
          communities: { standard: ["65100:100"], large: ["65100:1:1"] },
          sessions: [{ neighbor: "c4", password: BGP_REFLECTORS_PASSWORD }],
        },
      },
      {
        ...router("site", undefined, [
          ["lans", "10.63.0.1"],
          ["sc2", at(202, 2)],
        ]),
        bgp: { asn: 65200 },
      },
      host("h1", "lan1", "10.61.1.10", "10.61.1.1"),
      host("h3", "lan3", "10.61.3.10", "10.61.3.1"),
      host("hx", "lanx", "10.62.0.10", "10.62.0.1"),
      host("hs", "lans", "10.63.0.10", "10.63.0.1"),
    ],
  });
}

/** The isp-c4 session's password in bgpReflectors (a test value: the lab is throwaway). */
export const BGP_REFLECTORS_PASSWORD = "netlabs-md5-test";

/**
 * BGP session options on a chain of four ASes:
 *
 *   ha - a ==ab1/ab2== b --bc (IPv6)-- c --cd-- d - hd
 *
 * a-b: eBGP multihop between loopbacks, carried by a static route over each of the two links, with
 * a password and timers of its own; b-c: unnumbered, on bc's interfaces (IPv6 link-local), b shows
 * c the ASN 65020 (localAs); c-d: c is passive and strips the private ASNs before its own from what
 * it sends d (removePrivateAs: d sees a's LAN through AS 65003 alone); a and d accept their own AS
 * once in a path (allowasIn).
 */
export function bgpSessionOptions(): RoutedLabSpec {
  const lan = (name: string, third: number) => ({ name, subnet: `10.70.${third}.0/24` });
  const link = (name: string, third: number) => ({ name, subnet: `10.71.${third}.0/29` });
  // bc carries IPv6: its interfaces' addresses end as their IPv4 ones.
  const onBc = (node: NodeSpec): NodeSpec => ({
    ...node,
    interfaces: node.interfaces.map((iface) =>
      iface.segment === "bc" ? { ...iface, ipv6: `2001:db8:71:3::${iface.address.split(".")[3]}` } : iface,
    ),
  });
  const spec: RoutedLabSpec = {
    bfd: plainBfd(false),
    segments: [
      lan("lana", 1),
      lan("lanb", 2),
      lan("lanc", 3),
      lan("land", 4),
      link("ab1", 1),
      link("ab2", 2),
      { ...link("bc", 3), ipv6: "2001:db8:71:3::/64" },
      link("cd", 4),
    ],
    nodes: [
      {
        ...router("a", undefined, [
          ["lana", "10.70.1.1"],
          ["ab1", "10.71.1.1"],
          ["ab2", "10.71.2.1"],
        ]),
        loopback: "10.70.255.1",
        bgp: {
          asn: 65001,
          sessions: [{ neighbor: "b", multihop: 2, password: BGP_REFLECTORS_PASSWORD, keepaliveSeconds: 2, holdSeconds: 6, allowasIn: 1 }],
        },
      },
      {
        ...router("b", undefined, [
          ["lanb", "10.70.2.1"],
          ["ab1", "10.71.1.2"],
          ["ab2", "10.71.2.2"],
          ["bc", "10.71.3.1"],
        ]),
        loopback: "10.70.255.2",
        bgp: { asn: 65002, sessions: [{ neighbor: "c", localAs: 65020 }] },
      },
      {
        ...router("c", undefined, [
          ["lanc", "10.70.3.1"],
          ["bc", "10.71.3.2"],
          ["cd", "10.71.4.1"],
        ]),
        bgp: {
          asn: 65003,
          sessions: [
            { neighbor: "b", unnumbered: true },
            { neighbor: "d", passive: true, removePrivateAs: true },
          ],
        },
      },
      {
        ...router("d", undefined, [
          ["land", "10.70.4.1"],
          ["cd", "10.71.4.2"],
        ]),
        bgp: { asn: 65004, sessions: [{ neighbor: "c", allowasIn: 1 }] },
      },
      host("ha", "lana", "10.70.1.10", "10.70.1.1"),
      host("hd", "land", "10.70.4.10", "10.70.4.1"),
    ],
  };
  return { ...spec, nodes: spec.nodes.map(onBc) };
}
