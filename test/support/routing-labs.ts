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
