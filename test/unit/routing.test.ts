/**
 * Dynamic routing in RoutedLab: the plan derived from the topology (OSPF interfaces, BGP sessions,
 * LANs, BFD peers), every mistake in the routing fields named with its path and value, the FRR
 * files rendered from the plan, the node init that fills them in and starts FRR, and the lab's
 * outputs, diagram and natural checks.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderMermaid } from "../../components/net/mermaid";
// The schema's input types: these cases give the plain spec and stack config's shorthands alike.
import { NodePlan, NodeSpecInput as NodeSpec, RoutedLabSpecInput as RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { RoutedLab, RoutedLabArgs } from "../../components/routed-lab";
import { renderNodeInit } from "../../components/routed-lab/node-init";
import { BfdSpecInput as BfdSpec, FRR_DAEMONS_PATH, FRR_TEMPLATE_PATH, interfaceToken } from "../../components/protocols";
import { configIssues } from "../support/config-issues";
import { RecordingMocks } from "../support/recording-mocks";
import { bgpChain, ospfGrid, ospfRing } from "../support/routing-labs";
import { runProgram } from "../support/run-program";

const shellWords = (words: string[]) => words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ");
const issuesOf = (spec: unknown): string => configIssues(() => planRoutedLab("lab", spec)).join("\n");
const nodeOf = (spec: RoutedLabSpec, name: string): NodePlan => planRoutedLab("lab", spec).nodes.find((n) => n.name === name)!;

/** Two routers on a link, each with a LAN: the base that the table below breaks one field at a time. */
function pair(r1: Partial<NodeSpec> = {}, r2: Partial<NodeSpec> = {}, lab: Partial<RoutedLabSpec> = {}): RoutedLabSpec {
  return {
    segments: [
      { name: "lan1", subnet: "10.1.1.0/24" },
      { name: "lan2", subnet: "10.1.2.0/24" },
      { name: "link", subnet: "10.0.0.0/29" },
    ],
    nodes: [
      {
        name: "r1",
        image: "router",
        router: true,
        ospf: {},
        interfaces: [
          { segment: "lan1", address: "10.1.1.1" },
          { segment: "link", address: "10.0.0.1" },
        ],
        ...r1,
      },
      {
        name: "r2",
        image: "router",
        router: true,
        ospf: {},
        interfaces: [
          { segment: "lan2", address: "10.1.2.1" },
          { segment: "link", address: "10.0.0.2" },
        ],
        ...r2,
      },
      {
        name: "h1",
        image: "client",
        interfaces: [{ segment: "lan1", address: "10.1.1.10" }],
        routes: [{ to: "default", via: "10.1.1.1" }],
      },
    ],
    ...lab,
  };
}
const h1 = (extra: Partial<NodeSpec>): NodeSpec => ({
  name: "h1",
  image: "client",
  interfaces: [{ segment: "lan1", address: "10.1.1.10" }],
  ...extra,
});
const withH1 = (extra: Partial<NodeSpec>): RoutedLabSpec => {
  const spec = pair();
  spec.nodes[2] = h1(extra);
  return spec;
};
/** Two BGP routers of one ASN with nothing in common, and an eBGP peer each so that only iBGP is at fault. */
function splitAs(r2a: Partial<NodeSpec>, r2b: Partial<NodeSpec>): RoutedLabSpec {
  return {
    segments: [
      { name: "a", subnet: "10.0.1.0/29" },
      { name: "b", subnet: "10.0.2.0/29" },
    ],
    nodes: [
      {
        name: "r1",
        image: "router",
        router: true,
        bgp: { asn: 65001 },
        interfaces: [
          { segment: "a", address: "10.0.1.1" },
          { segment: "b", address: "10.0.2.1" },
        ],
      },
      { name: "r2a", image: "router", router: true, bgp: { asn: 65002 }, interfaces: [{ segment: "a", address: "10.0.1.2" }], ...r2a },
      { name: "r2b", image: "router", router: true, bgp: { asn: 65002 }, interfaces: [{ segment: "b", address: "10.0.2.2" }], ...r2b },
    ],
  };
}

describe("routing validation: every mistake named with its field and value", () => {
  it.each<[string, RoutedLabSpec, RegExp]>([
    ["ospf on a host", withH1({ ospf: {} }), /^nodes\[2\]\.ospf: node "h1" is not a router: ospf runs only on a node with router: true$/m],
    ["bgp on a host", withH1({ bgp: { asn: 65009 } }), /^nodes\[2\]\.bgp: node "h1" is not a router/m],
    ["a protocol on an image without FRR", pair({ image: "client" }), /^nodes\[0\]\.image: "client" has no FRR/m],
    [
      "ASN 0",
      pair({ ospf: undefined, bgp: { asn: 0 } }, { ospf: undefined, bgp: { asn: 2 } }),
      /^nodes\[0\]\.bgp\.asn: must be an ASN from 1 to 4294967295 \(got 0\)$/m,
    ],
    [
      "ASN above 32 bits",
      pair({ bgp: { asn: 4294967296 } }),
      /^nodes\[0\]\.bgp\.asn: must be an ASN from 1 to 4294967295 \(got 4294967296\)$/m,
    ],
    ["ASN not whole", pair({ bgp: { asn: 65001.5 } }), /^nodes\[0\]\.bgp\.asn: must be an ASN from 1 to 4294967295 \(got 65001\.5\)$/m],
    [
      "ASN as text",
      pair({ bgp: { asn: "65001" as unknown as number } }),
      /^nodes\[0\]\.bgp\.asn: must be an ASN from 1 to 4294967295 \(got "65001"\)$/m,
    ],
    ["ASN missing", pair({ bgp: {} as { asn: number } }), /^nodes\[0\]\.bgp\.asn: must be an ASN from 1 to 4294967295$/m],
    ["bgp not an object", pair({ bgp: 65001 as unknown as { asn: number } }), /^nodes\[0\]\.bgp: .*\(got 65001\)$/m],
    ["ospf not an object", pair({ ospf: true as unknown as object }), /^nodes\[0\]\.ospf: .*\(got true\)$/m],
    ["unknown key in ospf", pair({ ospf: { aera: 1 } as object }), /^nodes\[0\]\.ospf: Unrecognized key: "aera"$/m],
    ["unknown key in bgp", pair({ bgp: { asn: 1, as: 2 } as { asn: number } }), /^nodes\[0\]\.bgp: Unrecognized key: "as"$/m],
    ["unknown routing key on a node", pair({ ospfArea: 1 } as Partial<NodeSpec>), /^nodes\[0\]: Unrecognized key: "ospfArea"$/m],
    [
      "explicit router ids twice",
      pair({ routerId: "1.1.1.1" }, { routerId: "1.1.1.1" }),
      /^nodes\[1\]\.routerId: router id "1\.1\.1\.1" is also node "r1"'s router id$/m,
    ],
    [
      "a loopback that is another router's id",
      pair({ routerId: "9.9.9.9" }, { loopback: "9.9.9.9" }),
      /^nodes\[1\]\.loopback: router id "9\.9\.9\.9" is also node "r1"'s router id$/m,
    ],
    [
      "a router id that is another router's first address",
      pair({}, { routerId: "10.1.1.1" }),
      /^nodes\[1\]\.routerId: router id "10\.1\.1\.1" is also node "r1"'s router id$/m,
    ],
    ["router id 0.0.0.0", pair({ routerId: "0.0.0.0" }), /^nodes\[0\]\.routerId: "0\.0\.0\.0" cannot be a router id$/m],
    ["router id not an address", pair({ routerId: "r1" }), /^nodes\[0\]\.routerId: must be an IPv4 address \(got "r1"\)$/m],
    [
      "area in words",
      pair({ ospf: { area: "backbone" } }),
      /^nodes\[0\]\.ospf\.area: must be an area: a dotted quad such as "0\.0\.0\.0" or a number from 0 to 4294967295 \(got "backbone"\)$/m,
    ],
    ["area of three parts", pair({ ospf: { area: "0.0.1" } }), /^nodes\[0\]\.ospf\.area: must be an area.*\(got "0\.0\.1"\)$/m],
    ["negative area", pair({ ospf: { area: -1 } }), /^nodes\[0\]\.ospf\.area: must be an area.*\(got -1\)$/m],
    ["area above 32 bits", pair({ ospf: { area: 4294967296 } }), /^nodes\[0\]\.ospf\.area: must be an area.*\(got 4294967296\)$/m],
    ["area not whole", pair({ ospf: { area: 1.5 } }), /^nodes\[0\]\.ospf\.area: must be an area.*\(got 1\.5\)$/m],
    [
      "areas differing across a link",
      pair({}, { ospf: { area: 1 } }),
      /^nodes\[1\]\.ospf\.area: "0\.0\.0\.1" differs from node "r1"'s "0\.0\.0\.0" on segment "link": routers that share a segment must be in one area$/m,
    ],
    [
      "hello intervals differing",
      pair({}, { ospf: { helloSeconds: 2, deadSeconds: 8 } }),
      /^nodes\[1\]\.ospf\.helloSeconds: 2 differs from node "r1"'s 1 on segment "link": OSPF neighbours must agree$/m,
    ],
    [
      "dead intervals differing",
      pair({}, { ospf: { deadSeconds: 8 } }),
      /^nodes\[1\]\.ospf\.deadSeconds: 8 differs from node "r1"'s 4 on segment "link"/m,
    ],
    [
      "dead interval not above hello",
      pair({ ospf: { helloSeconds: 4 } }),
      /^nodes\[0\]\.ospf\.deadSeconds: 4 must be more than helloSeconds \(4\)$/m,
    ],
    ["hello interval 0", pair({ ospf: { helloSeconds: 0 } }), /^nodes\[0\]\.ospf\.helloSeconds: must be from 1 to 65535 s \(got 0\)$/m],
    ["cost 0", pair({ ospf: { cost: 0 } }), /^nodes\[0\]\.ospf\.cost: must be from 1 to 65535 \(got 0\)$/m],
    ["cost above 65535", pair({ ospf: { cost: 65536 } }), /^nodes\[0\]\.ospf\.cost: must be from 1 to 65535 \(got 65536\)$/m],
    [
      "keepalive not below hold",
      pair({ bgp: { asn: 1, keepaliveSeconds: 5, holdSeconds: 5 } }, { bgp: { asn: 2 } }),
      /^nodes\[0\]\.bgp\.keepaliveSeconds: 5 must be less than holdSeconds \(5\)$/m,
    ],
    ["hold below 3 s", pair({ bgp: { asn: 1, holdSeconds: 2 } }), /^nodes\[0\]\.bgp\.holdSeconds: must be from 3 to 65535 s \(got 2\)$/m],
    [
      "iBGP routers with nothing in common",
      splitAs({}, {}),
      /^nodes\[2\]\.bgp\.asn: 65002 is also node "r2a"'s ASN, but the two cannot reach each other for iBGP/m,
    ],
    [
      "iBGP loopbacks without OSPF to carry them",
      splitAs({ loopback: "10.9.0.1" }, { loopback: "10.9.0.2" }),
      /^nodes\[2\]\.bgp\.asn: 65002 is also node "r2a"'s ASN, but the two cannot reach each other/m,
    ],
    [
      "iBGP loopbacks in two OSPF domains",
      splitAs({ loopback: "10.9.0.1", ospf: {} }, { loopback: "10.9.0.2", ospf: {} }),
      /^nodes\[2\]\.bgp\.asn: .*cannot reach each other/m,
    ],
    [
      "a BGP router with no neighbour",
      pair({ ospf: undefined, bgp: { asn: 65001 } }),
      /^nodes\[0\]\.bgp: node "r1" \(AS 65001\) has no BGP neighbour/m,
    ],
    [
      "BFD without any protocol",
      pair({ ospf: undefined }, { ospf: undefined }, { bfd: true }),
      /^bfd: true: BFD runs on OSPF, IS-IS and BGP adjacencies, but no node has ospf, isis, bgp or vrfs$/m,
    ],
    ["BFD interval below 10 ms", pair({}, {}, { bfd: { intervalMs: 5 } }), /^bfd\.intervalMs: must be from 10 to 60000 ms \(got 5\)$/m],
    ["BFD multiplier 1", pair({}, {}, { bfd: { multiplier: 1 } }), /^bfd\.multiplier: must be from 2 to 255 \(got 1\)$/m],
    ["unknown key in bfd", pair({}, {}, { bfd: { interval: 100 } as object }), /^bfd: Unrecognized key: "interval"$/m],
    ["bfd as text", pair({}, {}, { bfd: "yes" as unknown as boolean }), /^bfd: .*\(got "yes"\)$/m],
    [
      "multihop BFD that detects no later than the single-hop sessions",
      { ...bgpChain(), bfd: { intervalMs: 100, multiplier: 3, multihop: { intervalMs: 100 } } },
      /^bfd\.multihop: \{"intervalMs":100\}: multihop BFD would detect a dead peer in 300 ms \(100 ms x 3\), no later than the single-hop sessions' 300 ms \(100 ms x 3\); it must be slower, or an OSPF or IS-IS reroute tears the iBGP sessions between loopbacks down$/m,
    ],
    [
      "a multihop BFD interval below 10 ms",
      { ...bgpChain(), bfd: { multihop: { intervalMs: 5 } } },
      /^bfd\.multihop\.intervalMs: must be from 10 to 60000 ms \(got 5\)$/m,
    ],
    [
      "a multihop BFD multiplier of 1",
      { ...bgpChain(), bfd: { multihop: { multiplier: 1 } } },
      /^bfd\.multihop\.multiplier: must be from 2 to 255 \(got 1\)$/m,
    ],
    [
      "an unknown key in bfd.multihop",
      { ...bgpChain(), bfd: { multihop: { interval: 300 } as object } },
      /^bfd\.multihop: Unrecognized key: "interval"$/m,
    ],
    [
      "multihop BFD timers in a lab without iBGP between loopbacks",
      pair({}, {}, { bfd: { multihop: { intervalMs: 300 } } }),
      /^bfd\.multihop: \{"intervalMs":300\}: no BFD session is multihop; only iBGP between loopbacks \(both routers with a loopback and ospf or isis\) runs one$/m,
    ],
    [
      "a loopback inside a segment",
      pair({ loopback: "10.1.2.99" }),
      /^nodes\[0\]\.loopback: "10\.1\.2\.99" is inside segment "lan2" \(10\.1\.2\.0\/24\); a loopback is an address of its own$/m,
    ],
    [
      "the same loopback twice",
      pair({ loopback: "10.9.0.1" }, { loopback: "10.9.0.1" }),
      /^nodes\[1\]\.loopback: "10\.9\.0\.1" is already node "r1"'s loopback$/m,
    ],
    ["loopback 0.0.0.0", pair({ loopback: "0.0.0.0" }), /^nodes\[0\]\.loopback: "0\.0\.0\.0" cannot be a loopback address$/m],
    [
      "a loopback on a node without a protocol",
      withH1({ loopback: "10.9.0.9" }),
      /^nodes\[2\]\.loopback: "10\.9\.0\.9": only a node with ospf, isis, bgp or vrfs has a loopback$/m,
    ],
    [
      "a router id on a node without a protocol",
      withH1({ routerId: "10.9.0.9" }),
      /^nodes\[2\]\.routerId: "10\.9\.0\.9": only a node with ospf, isis, bgp or vrfs has a routerId$/m,
    ],
    [
      "a node file where FRR's configuration goes",
      pair({ files: { "/etc/frr/daemons": "bgpd=yes\n" } }),
      /^nodes\[0\]\.files\.\/etc\/frr\/daemons: "\/etc\/frr\/daemons" is written by the node's routing/m,
    ],
  ])("refuses %s", (_case, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });

  it("reports every routing mistake of a lab at once", () => {
    const text = issuesOf(pair({ bgp: { asn: 0 } }, { routerId: "nope", ospf: { area: "x" } }));
    expect(text.split("\n")).toHaveLength(3);
  });

  it.each<[string, RoutedLabSpec]>([
    ["the largest ASN, 4294967295, and ASN 1", pair({ ospf: undefined, bgp: { asn: 4294967295 } }, { ospf: undefined, bgp: { asn: 1 } })],
    ["areas as numbers, 0 and the largest", pair({ ospf: { area: 4294967295 } }, { ospf: { area: "255.255.255.255" } })],
    ["bfd false without any protocol", pair({ ospf: undefined }, { ospf: undefined }, { bfd: false })],
    [
      "slow timers that agree",
      pair(
        { ospf: { helloSeconds: 10, deadSeconds: 40 } },
        { ospf: { helloSeconds: 10, deadSeconds: 40 } },
        { bfd: { intervalMs: 60000, multiplier: 255 } },
      ),
    ],
    ["static routes beside OSPF", pair({ routes: [{ to: "10.99.0.0/16", via: "10.1.1.10" }] })],
    ["multihop BFD just slower than single-hop (303 ms against 300 ms)", { ...bgpChain(), bfd: { multihop: { intervalMs: 101 } } }],
  ])("accepts %s", (_case, spec) => {
    expect(() => planRoutedLab("lab", spec)).not.toThrow();
  });

  it("shows a numeric area as FRR does, as a dotted quad", () => {
    expect(nodeOf(pair({ ospf: { area: 1 } }, { ospf: { area: 1 } }), "r1").routing!.ospf!.area).toBe("0.0.0.1");
    expect(nodeOf(pair({ ospf: { area: 4294967295 } }, { ospf: { area: "255.255.255.255" } }), "r1").routing!.ospf!.area).toBe(
      "255.255.255.255",
    );
  });
});

describe("routing plan", () => {
  it("OSPF ring: links point-to-point, host LANs passive, every router learns both LANs, BFD on every adjacency", () => {
    const plan = planRoutedLab("ring", ospfRing());
    const r1 = plan.nodes.find((n) => n.name === "r1")!.routing!;
    expect(r1.routerId).toBe("10.21.1.1");
    expect(r1.ospf!.interfaces.map((i) => [i.segment, i.passive, i.pointToPoint, i.neighbors])).toEqual([
      ["lan1", true, false, []],
      ["l12", false, true, ["r2"]],
      ["l41", false, true, ["r4"]],
    ]);
    expect(r1.bfdPeers).toEqual(["10.20.12.2", "10.20.41.1"]);
    expect(r1.lans).toEqual(["10.21.1.0/24"]);
    for (const router of ["r1", "r2", "r3", "r4"]) {
      expect(plan.nodes.find((n) => n.name === router)!.routing!.expectedPrefixes).toEqual(["10.21.1.0/24", "10.21.3.0/24"]);
    }
    expect(plan.nodes.find((n) => n.name === "r4")!.routing!.ospf!.cost).toBe(100);
    expect(plan.nodes.filter((n) => n.routing).map((n) => n.name)).toEqual(["r1", "r2", "r3", "r4"]);
  });

  it("eBGP chain with an iBGP pair: eBGP on the links, iBGP between loopbacks over OSPF, LANs announced", () => {
    const plan = planRoutedLab("chain", bgpChain());
    const routing = (name: string) => plan.nodes.find((n) => n.name === name)!.routing!;
    const sessions = (name: string) =>
      routing(name).bgp!.neighbors.map(
        (s) => `${s.node}@${s.address} AS${s.remoteAs}${s.overLoopback ? " lo" : ""}${s.bfd ? ` bfd ${s.bfd}` : ""}`,
      );
    expect(sessions("r1")).toEqual(["r2a@10.30.101.2 AS65002 bfd single-hop"]);
    expect(sessions("r2a")).toEqual(["r1@10.30.101.1 AS65001 bfd single-hop", "r2b@10.30.255.22 AS65002 lo bfd multihop"]);
    expect(sessions("r2b")).toEqual(["r3@10.30.103.2 AS65003 bfd single-hop", "r2a@10.30.255.21 AS65002 lo bfd multihop"]);
    expect(sessions("r3")).toEqual(["r2b@10.30.103.1 AS65002 bfd single-hop"]);
    expect(routing("r1").bgp!.networks).toEqual(["10.30.1.0/24"]);
    expect(routing("r2a").bgp!.networks).toEqual(["10.30.255.21/32"]);
    expect(routing("r2a").routerId).toBe("10.30.255.21");
    expect(routing("r2a").ospf!.interfaces.map((i) => [i.segment, i.passive])).toEqual([
      ["l1a", true],
      ["lab", false],
    ]);
    for (const router of ["r1", "r2a", "r2b", "r3"]) expect(routing(router).expectedPrefixes).toEqual(["10.30.1.0/24", "10.30.3.0/24"]);
  });

  it("iBGP without loopbacks runs over the segment the two routers share", () => {
    const spec = pair({ ospf: undefined, bgp: { asn: 65001 } }, { ospf: undefined, bgp: { asn: 65001 } });
    const r1 = nodeOf(spec, "r1").routing!;
    expect(r1.bgp!.neighbors).toEqual([
      {
        node: "r2",
        address: "10.0.0.2",
        remoteAs: 65001,
        overLoopback: false,
        bfd: false,
        link: { segment: "link", localAddress: "10.0.0.1" },
      },
    ]);
    expect(r1.bgp!.networks).toEqual(["10.1.1.0/24"]);
  });

  it("three OSPF routers on one segment elect a DR: not point-to-point, two neighbours each", () => {
    const spec = pair();
    spec.nodes.push({ name: "r3", image: "router", router: true, ospf: {}, interfaces: [{ segment: "link", address: "10.0.0.3" }] });
    const link = nodeOf(spec, "r1").routing!.ospf!.interfaces.find((i) => i.segment === "link")!;
    expect([link.pointToPoint, link.neighbors]).toEqual([false, ["r2", "r3"]]);
    expect(nodeOf(spec, "r1").files[FRR_TEMPLATE_PATH]).not.toContain("point-to-point");
  });

  it("a 4x5 grid: 20 routers, a host on each of the 14 edge routers, every router learning all 14 LANs", () => {
    const grid = ospfGrid(4, 5);
    const plan = planRoutedLab("grid", grid.spec);
    expect(grid.routers).toHaveLength(20);
    expect(grid.hosts).toHaveLength(14);
    const routers = plan.nodes.filter((n) => n.routing);
    expect(routers).toHaveLength(20);
    for (const router of routers) expect(router.routing!.expectedPrefixes).toHaveLength(14);
    const interior = plan.nodes.find((n) => n.name === "r2-2")!.routing!;
    expect(interior.ospf!.interfaces.every((i) => i.pointToPoint)).toBe(true);
    expect(interior.ospf!.interfaces).toHaveLength(4);
    expect(interior.bfdPeers).toHaveLength(4);
  });

  it("is deterministic: the same description gives byte-identical files", () => {
    const first = JSON.stringify(planRoutedLab("chain", bgpChain()).nodes.map((n) => n.files));
    expect(JSON.stringify(planRoutedLab("chain", bgpChain()).nodes.map((n) => n.files))).toBe(first);
  });
});

describe("FRR files", () => {
  it("renders the ring's r1: BFD profile, passive LAN, point-to-point links with fast hellos and BFD, lab-speed SPF", () => {
    expect(nodeOf(ospfRing(), "r1").files[FRR_TEMPLATE_PATH]).toBe(
      [
        "! docker-netlabs: generated FRR configuration of r1; interface names are filled in when the node starts",
        "frr defaults traditional",
        "hostname r1",
        "log file /var/log/frr/frr.log informational",
        "log timestamp precision 3",
        "service integrated-vtysh-config",
        "!",
        "bfd",
        " profile netlabs",
        "  detect-multiplier 3",
        "  receive-interval 100",
        "  transmit-interval 100",
        " exit",
        "exit",
        "!",
        "interface @IF_lan1@",
        " description lan1",
        " ip ospf area 0.0.0.0",
        " ip ospf passive",
        "exit",
        "!",
        "interface @IF_l12@",
        " description l12",
        " ip ospf area 0.0.0.0",
        " ip ospf network point-to-point",
        " ip ospf hello-interval 1",
        " ip ospf dead-interval 4",
        " ip ospf bfd",
        " ip ospf bfd profile netlabs",
        "exit",
        "!",
        "interface @IF_l41@",
        " description l41",
        " ip ospf area 0.0.0.0",
        " ip ospf network point-to-point",
        " ip ospf hello-interval 1",
        " ip ospf dead-interval 4",
        " ip ospf bfd",
        " ip ospf bfd profile netlabs",
        "exit",
        "!",
        "router ospf",
        " ospf router-id 10.21.1.1",
        " log-adjacency-changes",
        " timers throttle spf 0 50 500",
        " timers throttle lsa all 100",
        " timers lsa min-arrival 0",
        "exit",
        "!",
        "end",
        "",
      ].join("\n"),
    );
    expect(nodeOf(ospfRing(), "r4").files[FRR_TEMPLATE_PATH]).toContain(" ip ospf cost 100\n");
  });

  it("renders iBGP between loopbacks: lo in OSPF, update-source lo, next-hop-self, multihop BFD on that session", () => {
    const text = nodeOf(bgpChain(), "r2a").files[FRR_TEMPLATE_PATH];
    expect(text).toContain("interface lo\n ip ospf area 0.0.0.0\n ip ospf passive\nexit\n");
    expect(text).toContain(
      " neighbor 10.30.255.22 remote-as 65002\n neighbor 10.30.255.22 description r2b\n neighbor 10.30.255.22 timers connect 1\n neighbor 10.30.255.22 update-source lo\n neighbor 10.30.255.22 bfd profile netlabs-multihop\n",
    );
    expect(text).toContain(" neighbor 10.30.101.1 bfd profile netlabs\n");
    expect(text).toContain("  network 10.30.255.21/32\n  neighbor 10.30.255.22 next-hop-self\n exit-address-family");
    expect(text).not.toContain("neighbor 10.30.101.1 next-hop-self");
  });

  it("leaves BFD out entirely when the lab has none, and starts only the daemons a router needs", () => {
    const r1 = nodeOf(ospfRing(false), "r1");
    expect(r1.files[FRR_TEMPLATE_PATH]).not.toMatch(/bfd/);
    expect(r1.files[FRR_DAEMONS_PATH]).toMatch(/^ospfd=yes\nbgpd=no\nbfdd=no$/m);
    expect(nodeOf(bgpChain(), "r1").files[FRR_DAEMONS_PATH]).toMatch(/^ospfd=no\nbgpd=yes\nbfdd=yes$/m);
    expect(nodeOf(bgpChain(), "r2a").files[FRR_DAEMONS_PATH]).toMatch(/^ospfd=yes\nbgpd=yes\nbfdd=yes$/m);
  });

  it("gives a router with a protocol FRR's capabilities only (Docker's others dropped) plus its own, and keeps a node without one as it was", () => {
    const r1 = nodeOf(ospfRing(), "r1");
    expect([r1.capabilities, r1.dropDefaultCapabilities]).toEqual([
      ["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW", "SETGID", "SETUID", "SYS_ADMIN"],
      true,
    ]);
    // SYS_PTRACE reaches the host: the node says it allows that (issue 20, point 13).
    expect(nodeOf(pair({ capabilities: ["SYS_PTRACE", "NET_RAW"], allowHostReachingCapabilities: true }), "r1").capabilities).toEqual(
      [
        ...["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW", "SETGID", "SETUID", "SYS_ADMIN"],
        "SYS_PTRACE",
      ].sort(),
    );
    const h = nodeOf(ospfRing(), "h1");
    expect([h.routing, h.capabilities, h.dropDefaultCapabilities, h.files]).toEqual([undefined, [], false, {}]);
  });
});

describe("BFD on iBGP between loopbacks", () => {
  const chainWith = (bfd: BfdSpec | undefined): RoutedLabSpec => ({ ...bgpChain(), bfd });
  const frr = (spec: RoutedLabSpec, name: string) => nodeOf(spec, name).files[FRR_TEMPLATE_PATH];
  /** The `bfd` node of a configuration, its lines from `bfd` to its `exit`, without the declared peers. */
  const bfdNode = (text: string): string[] => {
    const lines = text.split("\n");
    const start = lines.indexOf("bfd");
    const node = start < 0 ? [] : lines.slice(start, lines.indexOf("exit", start) + 1);
    return node.filter((_, i) => !node.slice(0, i + 1).some((line, j) => line.startsWith(" peer ") && node.indexOf(" exit", j) >= i));
  };
  const profile = (name: string, intervalMs: number, multiplier: number) => [
    ` profile ${name}`,
    `  detect-multiplier ${multiplier}`,
    `  receive-interval ${intervalMs}`,
    `  transmit-interval ${intervalMs}`,
    " exit",
  ];

  it("gives both routers of the pair a multihop profile and puts the session to the other's loopback on it", () => {
    for (const [router, peer] of [
      ["r2a", "10.30.255.22"],
      ["r2b", "10.30.255.21"],
    ]) {
      const text = frr(bgpChain(), router);
      expect(bfdNode(text)).toEqual(["bfd", ...profile("netlabs", 100, 3), " !", ...profile("netlabs-multihop", 300, 3), "exit"]);
      expect(text).toContain(` neighbor ${peer} update-source lo\n neighbor ${peer} bfd profile netlabs-multihop\n`);
      expect(text.match(/bfd profile netlabs-multihop/g)).toHaveLength(1);
    }
  });

  it.each<[string, BfdSpec, number, number]>([
    ["true: 3 x 100 ms, x 3 (900 ms)", true, 300, 3],
    ["its own timers: 3 x 50 ms, the same multiplier", { intervalMs: 50, multiplier: 4 }, 150, 4],
    ["a slow interval: at most FRR's 60000 ms", { intervalMs: 25000, multiplier: 2 }, 60000, 2],
    ["bfd.multihop's interval", { multihop: { intervalMs: 500 } }, 500, 3],
    ["bfd.multihop's multiplier, with the derived interval", { intervalMs: 200, multihop: { multiplier: 5 } }, 600, 5],
  ])("derives the multihop timers from the lab's bfd %s", (_case, bfd, intervalMs, multiplier) => {
    const r2a = nodeOf(chainWith(bfd), "r2a");
    expect(r2a.routing!.bfdMultihop).toEqual({ intervalMs, multiplier });
    expect(bfdNode(r2a.files[FRR_TEMPLATE_PATH]).slice(7, -1)).toEqual(profile("netlabs-multihop", intervalMs, multiplier));
  });

  it("keeps OSPF adjacencies and single-hop BGP sessions on the lab's own profile and timers", () => {
    const spec = chainWith({ intervalMs: 50, multiplier: 4 });
    const text = frr(spec, "r2a");
    expect(bfdNode(text).slice(0, 6)).toEqual(["bfd", ...profile("netlabs", 50, 4)]);
    expect(text).toContain("interface @IF_lab@\n description lab\n ip ospf area 0.0.0.0\n ip ospf network point-to-point\n");
    expect(text).toContain(" ip ospf bfd\n ip ospf bfd profile netlabs\nexit\n");
    expect(text).toContain(" neighbor 10.30.101.1 timers connect 1\n neighbor 10.30.101.1 bfd profile netlabs\n");
    expect(nodeOf(spec, "r2a").routing!.bfd).toEqual({ intervalMs: 50, multiplier: 4 });
  });

  it("renders no multihop profile on a router without a session between loopbacks", () => {
    // eBGP only, in a lab whose middle pair has one; OSPF only; iBGP over a shared segment.
    const ibgpOnLink = pair({ ospf: undefined, bgp: { asn: 65001 } }, { ospf: undefined, bgp: { asn: 65001 } }, { bfd: true });
    const cases: [RoutedLabSpec, string][] = [
      [bgpChain(), "r1"],
      [bgpChain(), "r3"],
      [ospfRing(), "r1"],
      [ibgpOnLink, "r1"],
    ];
    for (const [spec, router] of cases) {
      const node = nodeOf(spec, router);
      expect(node.routing!.bfdMultihop).toBeUndefined();
      expect(bfdNode(node.files[FRR_TEMPLATE_PATH])).toEqual(["bfd", ...profile("netlabs", 100, 3), "exit"]);
      expect(node.files[FRR_TEMPLATE_PATH]).not.toContain("multihop");
    }
    expect(nodeOf(ibgpOnLink, "r1").routing!.bgp!.neighbors.map((n) => n.bfd)).toEqual(["single-hop"]);
    // A single-hop session is declared whole in bfdd; a multihop one is left to bgpd.
    expect(frr(ibgpOnLink, "r1")).toContain(" peer 10.0.0.2 local-address 10.0.0.1 interface @IF_link@\n  profile netlabs\n exit\n");
    expect(frr(bgpChain(), "r2a")).not.toMatch(/ peer 10\.30\.255\./);
    expect(frr(ibgpOnLink, "r1")).toContain(" neighbor 10.0.0.2 bfd profile netlabs\n");
  });

  it.each<[string, BfdSpec | undefined]>([
    ["false", false],
    ["left out", undefined],
  ])("runs no BFD at all when the lab's bfd is %s", (_case, bfd) => {
    const spec = chainWith(bfd);
    for (const router of ["r1", "r2a", "r2b", "r3"]) {
      const node = nodeOf(spec, router);
      expect(node.files[FRR_TEMPLATE_PATH]).not.toMatch(/bfd/);
      expect(node.files[FRR_DAEMONS_PATH]).toMatch(/^bfdd=no$/m);
      expect([node.routing!.bfd, node.routing!.bfdMultihop, node.routing!.bfdPeers]).toEqual([undefined, undefined, []]);
      expect(node.routing!.bgp!.neighbors.every((n) => n.bfd === false)).toBe(true);
    }
  });

  it("counts the multihop session among the pair's BFD peers, which the lab's checks and convergence wait for", () => {
    const plan = planRoutedLab("chain", bgpChain());
    const peers = (name: string) => plan.nodes.find((n) => n.name === name)!.routing!.bfdPeers;
    expect(peers("r2a")).toEqual(["10.30.102.2", "10.30.101.1", "10.30.255.22"]);
    expect(peers("r2b")).toEqual(["10.30.102.1", "10.30.103.2", "10.30.255.21"]);
    expect(peers("r1")).toEqual(["10.30.101.2"]);
  });
});

describe("node init of a router with a protocol", () => {
  const r2a = nodeOf(bgpChain(), "r2a");
  const script = renderNodeInit(r2a);

  it("is valid sh: routes, loopback, FRR's configuration, FRR started, ready only once its daemons run it", () => {
    execFileSync("sh", ["-n"], { input: script });
    const order = [
      "NETLABS_IF_LAB=$(wait_for 10.30.102.1)",
      "ip addr replace 10.30.255.21/32 dev lo",
      `sed -e "s/@IF_l1a@/$NETLABS_IF_L1A/g" -e "s/@IF_lab@/$NETLABS_IF_LAB/g" /netlabs/frr.conf.in > /etc/frr/frr.conf`,
      "rm -f /var/run/frr/*.pid",
      "/usr/lib/frr/frrinit.sh start",
      "vtysh -d zebra -c 'show running-config' 2>/dev/null | grep -qx 'hostname r2a'",
      "vtysh -d ospfd -c 'show running-config' 2>/dev/null | grep -qx 'router ospf'",
      "vtysh -d bgpd -c 'show running-config' 2>/dev/null | grep -qx 'router bgp 65002'",
      "vtysh -d bfdd -c 'show running-config' 2>/dev/null | grep -qx ' *profile netlabs'",
      "until frr_loaded; do",
      "exit 76",
      "touch /run/netlabs/ready",
    ];
    const positions = order.map((needle) => script.indexOf(needle));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it("keeps static routes beside the protocol, added before FRR starts", () => {
    const node = nodeOf(pair({ routes: [{ to: "10.99.0.0/16", via: "10.1.1.10" }] }), "r1");
    const text = renderNodeInit(node);
    expect(text.indexOf("ip route replace 10.99.0.0/16 via 10.1.1.10")).toBeGreaterThan(0);
    expect(text.indexOf("ip route replace 10.99.0.0/16")).toBeLessThan(text.indexOf("frrinit.sh start"));
  });

  it("fills in every interface token with the interface found for its segment", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-frr-"));
    try {
      const template = path.join(dir, "frr.conf.in");
      const output = path.join(dir, "frr.conf");
      fs.writeFileSync(template, r2a.files[FRR_TEMPLATE_PATH]);
      const line = script
        .split("\n")
        .find((l) => l.startsWith("sed "))!
        .replace("/netlabs/frr.conf.in", template)
        .replace("/etc/frr/frr.conf", output);
      execFileSync("sh", ["-c", line], { env: { ...process.env, NETLABS_IF_L1A: "eth7", NETLABS_IF_LAB: "eth3" } });
      const text = fs.readFileSync(output, "utf8");
      expect(text).toContain("interface eth7\n description l1a\n");
      expect(text).toContain("interface eth3\n description lab\n");
      expect(text).not.toContain("@IF_");
      expect(text.replace(/eth7/g, interfaceToken("l1a")).replace(/eth3/g, interfaceToken("lab"))).toBe(r2a.files[FRR_TEMPLATE_PATH]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies a segment's OSPF settings to the interface it comes back on after a reconnect", () => {
    const r1 = nodeOf(ospfRing(), "r1");
    const init = renderNodeInit(r1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-follow-"));
    try {
      // Stand-ins: `ip` lists the addresses in a file the test changes; `vtysh` records its arguments.
      const addresses = path.join(dir, "addresses");
      const line = (index: number, name: string, cidr: string) =>
        `${index}: ${name}    inet ${cidr} brd + scope global ${name}\\       valid_lft forever`;
      const before = [line(1, "eth0", "10.21.1.1/24"), line(2, "eth1", "10.20.12.1/29"), line(3, "eth2", "10.20.41.2/29")];
      fs.writeFileSync(addresses, before.join("\n") + "\n");
      fs.writeFileSync(path.join(dir, "ip"), `#!/bin/sh\n[ "$1" = -o ] && cat ${addresses}\nexit 0\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, "vtysh"), `#!/bin/sh\nprintf '%s|' "$@" >> ${dir}/vtysh.log; echo >> ${dir}/vtysh.log\n`, {
        mode: 0o755,
      });
      fs.writeFileSync(path.join(dir, "frr.conf.in"), r1.files[FRR_TEMPLATE_PATH]);
      const start = init.indexOf("follow_interfaces() {");
      const follow = init
        .slice(start, init.indexOf("\n}\n", start) + 3)
        .replaceAll("/netlabs/frr.conf.in", `${dir}/frr.conf.in`)
        .replaceAll("/etc/frr/frr.conf", `${dir}/frr.conf`);
      const helper = init.split("\n").find((l) => l.startsWith("iface_with()"))!;
      const script = [
        "set -u",
        'log() { echo "$*" >&2; }',
        helper,
        "NETLABS_IF_LAN1=eth0 NETLABS_IF_L12=eth1 NETLABS_IF_L41=eth2",
        follow,
        "follow_interfaces & pid=$!",
        "sleep 0.8",
        // r1 is disconnected from l12 and connected again: the address is back, on eth5.
        `printf '%s\\n' ${shellWords([before[0], before[2], line(5, "eth5", "10.20.12.1/29")])} > ${addresses}`,
        "sleep 1.5",
        "kill $pid",
      ].join("\n");
      execFileSync("sh", ["-c", script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      const applied = fs.readFileSync(path.join(dir, "vtysh.log"), "utf8").trim().split("\n");
      expect(applied).toEqual([
        [
          "configure terminal",
          "interface eth5",
          "description l12",
          "ip ospf area 0.0.0.0",
          "ip ospf network point-to-point",
          "ip ospf hello-interval 1",
          "ip ospf dead-interval 4",
          "ip ospf bfd",
          "ip ospf bfd profile netlabs",
        ]
          .map((word) => `-c|${word}|`)
          .join(""),
      ]);
      const conf = fs.readFileSync(path.join(dir, "frr.conf"), "utf8");
      expect(conf).toContain("interface eth5\n description l12\n");
      expect(conf).toContain("interface eth2\n description l41\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts nothing of FRR on a node without a protocol", () => {
    expect(renderNodeInit(nodeOf(ospfRing(), "h1"))).not.toContain("frr");
  });
});

describe("RoutedLab with routing", () => {
  it("outputs each router's protocols, ASN, area and router id, and draws them", async () => {
    const mocks = new RecordingMocks();
    const lab = await runProgram(mocks, () => new RoutedLab("chain", { spec: bgpChain(), namePrefix: "x-" }));
    expect(lab.nodes.r2a.routing).toEqual({
      protocols: ["ospf", "bgp", "bfd"],
      routerId: "10.30.255.21",
      asn: 65002,
      area: "0.0.0.0",
      loopback: "10.30.255.21",
      bfd: true,
    });
    expect(lab.nodes.r1.routing).toEqual({ protocols: ["bgp", "bfd"], routerId: "10.30.1.1", asn: 65001, bfd: true });
    expect(lab.nodes.h1.routing).toBeUndefined();
    expect(lab.mermaid).toContain('node_r2a["r2a<br/>router<br/>OSPF area 0.0.0.0, BGP AS 65002, BFD<br/>id 10.30.255.21"]');
    expect(lab.mermaid).toContain('node_h1["h1<br/>host"]');
    const r1 = mocks.ofType("docker:index/container:Container").find((c) => c.inputs.name === "x-chain-r1")!.inputs;
    expect(r1.capabilities).toEqual({
      drops: ["ALL"],
      adds: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW", "SETGID", "SETUID", "SYS_ADMIN"],
    });
    expect(r1.privileged).toBeUndefined();
    expect(r1.uploads.map((u: { file: string }) => u.file)).toEqual([
      "/netlabs/init.sh",
      "/etc/frr/daemons",
      "/etc/frr/vtysh.conf",
      FRR_TEMPLATE_PATH,
    ]);
  });

  it("checks every adjacency and every router's routes to the LANs it should learn", async () => {
    const lab = await runProgram(new RecordingMocks(), () => new RoutedLab("chain", { spec: bgpChain() }));
    const checks = lab.probeChecks();
    expect(checks.map((c) => c.name)).toEqual([
      "h1 reaches 10.30.1.1 (route default)",
      "h3 reaches 10.30.3.1 (route default)",
      "r1 BGP sessions Established (1)",
      "r1 BFD sessions up (1)",
      "r1 has a route to every LAN (2)",
      "r2a OSPF adjacencies up (1)",
      "r2a BGP sessions Established (2)",
      "r2a BFD sessions up (3)",
      "r2a has a route to every LAN (2)",
      "r2b OSPF adjacencies up (1)",
      "r2b BGP sessions Established (2)",
      "r2b BFD sessions up (3)",
      "r2b has a route to every LAN (2)",
      "r3 BGP sessions Established (1)",
      "r3 BFD sessions up (1)",
      "r3 has a route to every LAN (2)",
    ]);
    expect(checks.find((c) => c.name === "r3 has a route to every LAN (2)")).toEqual({
      kind: "routes",
      name: "r3 has a route to every LAN (2)",
      router: "chain-r3",
      prefixes: ["10.30.1.0/24", "10.30.3.0/24"],
    });
  });

  it("creates nothing when a routing field is wrong", async () => {
    const mocks = new RecordingMocks();
    await expect(
      runProgram(mocks, () => new RoutedLab("lab", { spec: pair({ bgp: { asn: 0 } }) as RoutedLabArgs["spec"] })),
    ).rejects.toThrow(/nodes\[0\]\.bgp\.asn/);
    expect(mocks.resources).toEqual([]);
  });

  it("draws a lab without routing as before", () => {
    expect(renderMermaid(planRoutedLab("lab", pair({ ospf: undefined }, { ospf: undefined })))).toContain('node_r1["r1<br/>router"]');
  });
});
