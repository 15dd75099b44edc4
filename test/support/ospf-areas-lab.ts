/**
 * The multi-area OSPF lab of the unit and e2e tiers and the benchmark (issue 25, proof 1): a
 * backbone of three routers, a stub area and an NSSA behind two area border routers, costs that
 * steer the path, summaries on the ABRs, per-link settings (a password, timers, a broadcast link
 * with priorities, a passive link) and a default route originated by b1. Pure.
 *
 *        h0                    area 0.0.0.0 (backbone): b1, b2, b3
 *        |                     area 0.0.0.1 (stub):     s1, behind b2 and b3, summarized 10.31.0.0/16
 *        b1 ---- (cost 100) --- b2 ------+             area 0.0.0.2 (NSSA):     n1, behind b3, summarized 10.32.0.0/16
 *         \                    | (bcast) |
 *          `------ b3 ---------'        s1 - h1 (and a second LAN)
 *                  |  `----------------'
 *                  n1 - h2 (and a second LAN)
 *
 * h0 to h1: b1 - b3 - s1 (b1 - b2 costs 100); b1 holds the summaries, not the LANs inside them.
 */
import { BfdSpecInput } from "../../components/protocols";
import { NodeSpec, RoutedInterfaceSpec, RoutedLabSpec } from "../../components/routed-lab/plan";
import { ospfRing } from "./routing-labs";

/** The password of the b2 - s1 link (a test's, not a secret of anyone's). */
export const AREAS_LINK_PASSWORD = "lab-md5-key";

export const AREAS_ADDRESSES = {
  h0: "10.30.0.10",
  h1: "10.31.1.10",
  h2: "10.32.1.10",
  /** b3's address on the b1 - b3 link: the second hop from h0 to h1. */
  b3OnB1: "10.30.13.2",
  /** b2's address on the b1 - b2 link: the second hop were the path not steered. */
  b2OnB1: "10.30.12.2",
  /** s1's address towards b3: the third hop. */
  s1OnB3: "10.31.3.2",
};

export const AREAS_SUMMARIES = { stub: "10.31.0.0/16", nssa: "10.32.0.0/16" };
export const AREAS_LANS = { s1: ["10.31.1.0/24", "10.31.2.0/24"], n1: ["10.32.1.0/24", "10.32.2.0/24"] };

export function ospfAreas(): RoutedLabSpec {
  return {
    bfd: { enabled: false },
    ospf: {
      areas: [
        { id: "0.0.0.1", kind: "stub", ranges: [{ prefix: AREAS_SUMMARIES.stub }] },
        { id: "0.0.0.2", kind: "nssa", ranges: [{ prefix: AREAS_SUMMARIES.nssa }] },
      ],
    },
    segments: [
      { name: "lan0", subnet: "10.30.0.0/24" },
      { name: "b12", subnet: "10.30.12.0/29" },
      { name: "b13", subnet: "10.30.13.0/29" },
      { name: "b23", subnet: "10.30.23.0/29" },
      { name: "s2", subnet: "10.31.252.0/29" },
      { name: "s3", subnet: "10.31.3.0/29" },
      { name: "slan1", subnet: "10.31.1.0/24" },
      { name: "slan2", subnet: "10.31.2.0/24" },
      { name: "n3", subnet: "10.32.3.0/29" },
      { name: "nlan1", subnet: "10.32.1.0/24" },
      { name: "nlan2", subnet: "10.32.2.0/24" },
    ],
    nodes: [
      router("b1", "0.0.0.0", "10.255.30.1", { defaultOriginate: { always: true } }, [
        ["lan0", "10.30.0.1", { passive: true }],
        ["b12", "10.30.12.1", { cost: 100 }],
        ["b13", "10.30.13.1", { helloSeconds: 1, deadSeconds: 3 }],
      ]),
      router("b2", "0.0.0.0", "10.255.30.2", {}, [
        ["b12", "10.30.12.2", { cost: 100 }],
        ["b23", "10.30.23.1", { network: "broadcast", priority: 10 }],
        ["s2", "10.31.252.1", { area: "0.0.0.1", password: AREAS_LINK_PASSWORD }],
      ]),
      router("b3", "0.0.0.0", "10.255.30.3", {}, [
        ["b13", "10.30.13.2", { helloSeconds: 1, deadSeconds: 3 }],
        ["b23", "10.30.23.2", { network: "broadcast", priority: 0 }],
        ["s3", "10.31.3.1", { area: "0.0.0.1" }],
        ["n3", "10.32.3.1", { area: "0.0.0.2" }],
      ]),
      router("s1", "0.0.0.1", "10.255.31.1", {}, [
        ["s2", "10.31.252.2", { password: AREAS_LINK_PASSWORD }],
        ["s3", "10.31.3.2", {}],
        ["slan1", "10.31.1.1", {}],
        ["slan2", "10.31.2.1", {}],
      ]),
      router("n1", "0.0.0.2", "10.255.32.1", {}, [
        ["n3", "10.32.3.2", {}],
        ["nlan1", "10.32.1.1", {}],
        ["nlan2", "10.32.2.1", {}],
      ]),
      host("h0", "lan0", AREAS_ADDRESSES.h0, "10.30.0.1"),
      host("h1", "slan1", AREAS_ADDRESSES.h1, "10.31.1.1"),
      host("h2", "nlan1", AREAS_ADDRESSES.h2, "10.32.1.1"),
    ],
    checks: [
      { from: "h0", reach: AREAS_ADDRESSES.h1 },
      { from: "h0", reach: AREAS_ADDRESSES.h2 },
      { from: "h1", reach: AREAS_ADDRESSES.h2 },
    ],
  };
}

function router(
  name: string,
  area: string,
  loopback: string,
  ospf: NonNullable<NodeSpec["ospf"]>,
  interfaces: [string, string, NonNullable<RoutedInterfaceSpec["ospf"]>][],
): NodeSpec {
  return {
    name,
    image: "router",
    router: true,
    loopback,
    ospf: { area, ...ospf },
    interfaces: interfaces.map(([segment, address, link]) => ({
      segment,
      address,
      ...(Object.keys(link).length > 0 ? { ospf: link } : {}),
    })),
  };
}

function host(name: string, segment: string, address: string, gateway: string): NodeSpec {
  return { name, image: "client", interfaces: [{ segment, address }], routes: [{ to: "default", via: gateway }] };
}

/**
 * The OSPF ring of routing-labs.ts (r4's interfaces cost more) with a loopback on each router and
 * every ring link unnumbered: each router's interfaces there borrow its loopback (issue 25, proof 4).
 */
export function unnumberedRing(bfd: BfdSpecInput = true): RoutedLabSpec {
  const ring = ospfRing(bfd);
  return {
    ...ring,
    segments: ring.segments.map((segment) =>
      segment.name.startsWith("l") && segment.name !== "lan1" && segment.name !== "lan3" ? { ...segment, unnumbered: true } : segment,
    ),
    nodes: ring.nodes.map((node) => (node.router ? { ...node, loopback: UNNUMBERED_LOOPBACKS[node.name] } : node)),
  };
}

/** The ring's loopbacks, which its routers' ring interfaces borrow. */
export const UNNUMBERED_LOOPBACKS: Record<string, string> = { r1: "10.29.0.1", r2: "10.29.0.2", r3: "10.29.0.3", r4: "10.29.0.4" };
