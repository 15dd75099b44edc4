/**
 * OSPF's depth (issue 25): per-interface settings, areas (ABRs, stub, NSSA, summaries), default
 * route origination; what the plan, the FRR files, the checks, the outputs and the diagram make of
 * them; every inconsistent option refused with its field and value (proof 5); the password a secret
 * end to end.
 */
import * as util from "node:util";
import { describe, expect, it } from "vitest";
import { FRR_TEMPLATE_PATH, routingChecks } from "../../components/protocols";
import { RoutedLab } from "../../components/routed-lab";
import { NODE_INIT_PATH, renderNodeInit } from "../../components/routed-lab/node-init";
import { NodePlan, NodeSpecInput as NodeSpec, RoutedLabSpecInput as RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { configIssues } from "../support/config-issues";
import { AREAS_LINK_PASSWORD, AREAS_SUMMARIES, UNNUMBERED_LOOPBACKS, ospfAreas, unnumberedRing } from "../support/ospf-areas-lab";
import { onIsis, ospfRing } from "../support/routing-labs";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram, valueOf } from "../support/run-program";

const issuesOf = (spec: unknown): string => configIssues(() => planRoutedLab("lab", spec)).join("\n");
const nodeOf = (spec: RoutedLabSpec, name: string): NodePlan => planRoutedLab("lab", spec).nodes.find((n) => n.name === name)!;
const configOf = (spec: RoutedLabSpec, name: string): string => nodeOf(spec, name).files[FRR_TEMPLATE_PATH];
type Link = NonNullable<NodeSpec["interfaces"][number]["ospf"]>;

/**
 * r1 - link - r2 - edge - r3, a LAN on r1 and on r3; `links` gives each end its `ospf`
 * (r1's link, r2's link, r2's edge, r3's edge); `nodes` each router's node `ospf`.
 */
function chain(
  links: [Link?, Link?, Link?, Link?] = [],
  nodes: [NodeSpec["ospf"]?, NodeSpec["ospf"]?, NodeSpec["ospf"]?] = [],
  lab: Partial<RoutedLabSpec> = {},
): RoutedLabSpec {
  const iface = (segment: string, address: string, ospf?: Link) => ({ segment, address, ...(ospf ? { ospf } : {}) });
  const router = (name: string, ospf: NodeSpec["ospf"] | undefined, interfaces: NodeSpec["interfaces"]): NodeSpec => ({
    name,
    image: "router",
    router: true,
    ospf: ospf ?? {},
    interfaces,
  });
  return {
    segments: [
      { name: "lan1", subnet: "10.41.1.0/24" },
      { name: "lan3", subnet: "10.41.3.0/24" },
      { name: "link", subnet: "10.40.12.0/29" },
      { name: "edge", subnet: "10.40.23.0/29" },
    ],
    nodes: [
      router("r1", nodes[0], [iface("lan1", "10.41.1.1"), iface("link", "10.40.12.1", links[0])]),
      router("r2", nodes[1], [iface("link", "10.40.12.2", links[1]), iface("edge", "10.40.23.1", links[2])]),
      router("r3", nodes[2], [iface("edge", "10.40.23.2", links[3]), iface("lan3", "10.41.3.1")]),
    ],
    ...lab,
  };
}

/** The chain with r3 in area 1 behind r2 (an ABR), and the lab's areas. */
const behindAbr = (areas: NonNullable<RoutedLabSpec["ospf"]>["areas"], r3: NodeSpec["ospf"] = { area: "0.0.0.1" }): RoutedLabSpec =>
  chain([undefined, undefined, { area: "0.0.0.1" }], [undefined, undefined, r3], { ospf: { areas } });

describe("OSPF areas: the plan", () => {
  it("makes routers with links in the backbone and another area ABRs, and each router expects the other areas' LANs as their summaries", () => {
    const spec = ospfAreas();
    const b3 = nodeOf(spec, "b3").routing!.ospf!;
    expect(b3).toMatchObject({ area: "0.0.0.0", areas: ["0.0.0.0", "0.0.0.1", "0.0.0.2"], abr: true });
    expect(nodeOf(spec, "s1").routing!.ospf!.abr).toBeUndefined();
    expect(nodeOf(spec, "s1").routing!.ospf!.areas).toBeUndefined();
    expect(nodeOf(spec, "b1").routing!.expectedPrefixes).toEqual(["10.30.0.0/24", AREAS_SUMMARIES.stub, AREAS_SUMMARIES.nssa]);
    expect(nodeOf(spec, "b3").routing!.expectedPrefixes).toEqual([
      "10.30.0.0/24",
      "10.31.1.0/24",
      "10.31.2.0/24",
      "10.32.1.0/24",
      "10.32.2.0/24",
    ]);
    expect(nodeOf(spec, "s1").routing!.expectedPrefixes).toEqual(["10.30.0.0/24", "10.31.1.0/24", "10.31.2.0/24", AREAS_SUMMARIES.nssa]);
  });

  it("renders the area kinds on every router in them, ranges on the ABRs only, and the default route's origination", () => {
    const spec = ospfAreas();
    expect(configOf(spec, "b3")).toContain(
      [" area 0.0.0.1 stub", " area 0.0.0.1 range 10.31.0.0/16", " area 0.0.0.2 nssa", " area 0.0.0.2 range 10.32.0.0/16", "exit"].join(
        "\n",
      ),
    );
    expect(configOf(spec, "s1")).toContain(" timers lsa min-arrival 0\n area 0.0.0.1 stub\nexit");
    expect(configOf(spec, "n1")).toContain(" area 0.0.0.2 nssa\nexit");
    expect(configOf(spec, "b1")).toContain(" default-information originate always\nexit");
    const totally = behindAbr([{ id: "0.0.0.1", kind: "stub", noSummary: true, ranges: [{ prefix: "10.41.0.0/16", advertise: false }] }]);
    expect(configOf(totally, "r2")).toContain(" area 0.0.0.1 stub no-summary\n area 0.0.0.1 range 10.41.0.0/16 not-advertise\n");
    const metric = chain([], [{ defaultOriginate: { metric: 20, metricType: 1 } }]);
    expect(configOf(metric, "r1")).toContain(" default-information originate metric 20 metric-type 1\n");
  });

  it("a totally stubby area learns no other area's LAN, only its ABR's default; a range not advertised hides its LANs", () => {
    const totally = behindAbr([{ id: "0.0.0.1", kind: "stub", noSummary: true }]);
    expect(nodeOf(totally, "r3").routing!.expectedPrefixes).toEqual(["10.41.3.0/24"]);
    expect(nodeOf(totally, "r3").routing!.ospf!.learnsDefault).toBe(true);
    expect(nodeOf(totally, "r1").routing!.expectedPrefixes).toEqual(["10.41.1.0/24", "10.41.3.0/24"]);
    const hidden = behindAbr([{ id: "0.0.0.1", ranges: [{ prefix: "10.41.0.0/16", advertise: false }] }]);
    expect(nodeOf(hidden, "r1").routing!.expectedPrefixes).toEqual(["10.41.1.0/24"]);
    expect(nodeOf(hidden, "r3").routing!.expectedPrefixes).toEqual(["10.41.1.0/24", "10.41.3.0/24"]);
  });

  it("renders each link's own settings over the node's, and keeps a lab without them as it was", () => {
    const text = configOf(
      chain([
        { cost: 7, helloSeconds: 2, deadSeconds: 8, network: "broadcast", priority: 5 },
        { helloSeconds: 2, deadSeconds: 8, network: "broadcast" },
      ]),
      "r1",
    );
    expect(text).toContain(
      [
        "interface @IF_link@",
        " description link",
        " ip ospf area 0.0.0.0",
        " ip ospf hello-interval 2",
        " ip ospf dead-interval 8",
        " ip ospf priority 5",
        " ip ospf cost 7",
        "exit",
      ].join("\n"),
    );
    const plain = configOf(chain(), "r1");
    expect(plain).toContain(
      [
        "interface @IF_link@",
        " description link",
        " ip ospf area 0.0.0.0",
        " ip ospf network point-to-point",
        " ip ospf hello-interval 1",
        " ip ospf dead-interval 4",
        "exit",
      ].join("\n"),
    );
    expect(plain).not.toMatch(/area 0\.0\.0\.0 |default-information|priority|authentication/);
  });

  it("a passive link forms no adjacency at either end, and the probe checks it passive", () => {
    const spec = chain([{ passive: true }]);
    expect(nodeOf(spec, "r1").routing!.ospf!.interfaces[1]).toMatchObject({ passive: true, neighbors: [] });
    expect(nodeOf(spec, "r2").routing!.ospf!.interfaces[0]).toMatchObject({ passive: true, neighbors: [] });
    const checks = routingChecks(planRoutedLab("lab", spec));
    expect(checks).toContainEqual(
      expect.objectContaining({
        name: "r1 OSPF passive interfaces, no neighbour there (2)",
        command: "show ip ospf interface json",
        want: 2,
      }),
    );
    expect(routingChecks(planRoutedLab("lab", chain())).some((check) => check.name.includes("passive"))).toBe(false);
  });

  it("checks the default route where one reaches: the stub's routers, and the routers of regular areas from an ASBR that always originates", () => {
    const names = routingChecks(planRoutedLab("lab", ospfAreas()))
      .filter((check) => check.name.includes("default"))
      .map((check) => check.name);
    expect(names).toEqual([
      "b2 has the default route OSPF carries",
      "b3 has the default route OSPF carries",
      "s1 has the default route OSPF carries",
    ]);
    // An ASBR only in an NSSA: its default would be a type-7 LSA, not counted on anywhere.
    const nssa = behindAbr([{ id: "0.0.0.1", kind: "nssa" }], { area: "0.0.0.1", defaultOriginate: { always: true } });
    expect(planRoutedLab("lab", nssa).nodes.filter((node) => node.routing?.ospf?.learnsDefault)).toEqual([]);
    // The same router in the backbone: every other router of the domain learns it.
    const backbone = chain([], [undefined, undefined, { defaultOriginate: { always: true } }]);
    expect(
      planRoutedLab("lab", backbone)
        .nodes.filter((node) => node.routing?.ospf?.learnsDefault)
        .map((node) => node.name),
    ).toEqual(["r1", "r2"]);
  });

  it("shows areas, kinds and roles in the outputs and the diagram", async () => {
    const lab = await runProgram(
      new RecordingMocks(),
      () => new RoutedLab("areas", { spec: ospfAreas(), images: { router: "r:1", client: "c:1" } }),
    );
    const nodes = await valueOf(lab.nodes);
    expect(nodes.b3.routing).toMatchObject({ area: "0.0.0.0", areas: ["0.0.0.0", "0.0.0.1", "0.0.0.2"], abr: true });
    expect(nodes.s1.routing).toMatchObject({ area: "0.0.0.1" });
    expect(nodes.s1.routing).not.toHaveProperty("abr");
    const mermaid = await valueOf(lab.mermaid);
    expect(mermaid).toContain("OSPF areas 0.0.0.0, 0.0.0.1 stub, 0.0.0.2 NSSA (ABR)");
    expect(mermaid).toContain("OSPF area 0.0.0.0 (ASBR)");
  });
});

describe("an OSPF password is a secret", () => {
  it("renders MD5 authentication on both ends of the link", () => {
    for (const name of ["b2", "s1"]) {
      expect(configOf(ospfAreas(), name)).toContain(
        ` ip ospf authentication message-digest\n ip ospf message-digest-key 1 md5 ${AREAS_LINK_PASSWORD}\n`,
      );
    }
  });

  it("reaches the engine only inside secret inputs (the FRR template and the init), never in an output, label or the diagram", async () => {
    const mocks = new RecordingMocks();
    const lab = await runProgram(mocks, () => new RoutedLab("areas", { spec: ospfAreas(), images: { router: "r:1", client: "c:1" } }));
    const container = (node: string) =>
      mocks.resources.find((r) => r.type === "docker:index/container:Container" && r.name.endsWith(`-${node}`))!;
    for (const node of ["b2", "s1"]) {
      const uploads = container(node).inputs.uploads as { file: string; content: string }[];
      const holding = uploads.filter((upload) => upload.content.includes(AREAS_LINK_PASSWORD)).map((upload) => upload.file);
      expect(holding.sort()).toEqual([FRR_TEMPLATE_PATH, NODE_INIT_PATH].sort());
      expect(container(node).secretPaths).toEqual(expect.arrayContaining([expect.stringMatching(/^uploads/)]));
    }
    // A router without a password keeps its inputs as they were: nothing secret.
    expect(container("b1").secretPaths).toEqual([]);
    for (const resource of mocks.resources) {
      const { uploads: _uploads, ...rest } = resource.inputs as Record<string, unknown>;
      expect(JSON.stringify(rest)).not.toContain(AREAS_LINK_PASSWORD);
    }
    const shown = JSON.stringify([await valueOf(lab.nodes), await valueOf(lab.mermaid), lab.probeChecks()]);
    expect(shown).not.toContain(AREAS_LINK_PASSWORD);
  });

  it("is never shown in an error: a bad one, or two ends that differ", () => {
    const bad = issuesOf(chain([{ password: "far too long for an md5 key" }, { password: "far too long for an md5 key" }]));
    expect(bad).toMatch(
      /^nodes\[0\]\.interfaces\[1\]\.ospf\.password: must be 1 to 16 printable characters without spaces \(FRR's MD5 key\) \(secret, not shown\)$/m,
    );
    expect(bad).not.toContain("far too long");
    const differ = issuesOf(chain([{ password: "alpha" }, { password: "bravo" }]));
    expect(differ).toMatch(
      /^nodes\[1\]\.interfaces\[0\]\.ospf\.password: \(secret, not shown\) on segment "link": node "r1"'s differs; both ends of a link must have one password$/m,
    );
    expect(differ).not.toMatch(/alpha|bravo/);
  });
});

describe("OSPF validation: every inconsistent option refused with its field and value (proof 5)", () => {
  it.each<[string, RoutedLabSpec, RegExp]>([
    [
      "a link's area differs from the other end's",
      chain([{ area: "0.0.0.1" }]),
      /^nodes\[1\]\.ospf\.area: "0\.0\.0\.0" differs from node "r1"'s "0\.0\.0\.1" on segment "link": routers that share a segment must be in one area$/m,
    ],
    [
      "an area reported on the link that sets it",
      chain([undefined, { area: "0.0.0.1" }]),
      /^nodes\[1\]\.interfaces\[0\]\.ospf\.area: "0\.0\.0\.1" differs from node "r1"'s "0\.0\.0\.0" on segment "link"/m,
    ],
    [
      "a link's hello interval differs",
      chain([undefined, { helloSeconds: 2, deadSeconds: 8 }]),
      /^nodes\[1\]\.interfaces\[0\]\.ospf\.helloSeconds: 2 differs from node "r1"'s 1 on segment "link": OSPF neighbours must agree$/m,
    ],
    [
      "a link's dead interval differs",
      chain([undefined, { deadSeconds: 9 }]),
      /^nodes\[1\]\.interfaces\[0\]\.ospf\.deadSeconds: 9 differs from node "r1"'s 4 on segment "link": OSPF neighbours must agree$/m,
    ],
    [
      "a link's dead interval not above its hello interval",
      chain([{ helloSeconds: 5 }, { helloSeconds: 5 }]),
      /^nodes\[0\]\.interfaces\[1\]\.ospf\.helloSeconds: dead interval 4 must be more than the hello interval \(5\) on segment "link"$/m,
    ],
    [
      "the network types differ (broadcast against the default point-to-point)",
      chain([undefined, { network: "broadcast" }]),
      /^nodes\[1\]\.interfaces\[0\]\.ospf\.network: "broadcast" differs from node "r1"'s "point-to-point" on segment "link": OSPF neighbours must use one network type$/m,
    ],
    [
      "a network type that is none",
      chain([{ network: "nbma" }]),
      /^nodes\[0\]\.interfaces\[1\]\.ospf\.network: must be "point-to-point" or "broadcast" \(got "nbma"\)$/m,
    ],
    [
      "point-to-point on a segment of three routers",
      {
        ...chain(),
        nodes: chain().nodes.map((node, i) =>
          i === 2
            ? { ...node, interfaces: [{ segment: "link", address: "10.40.12.3", ospf: { network: "point-to-point" } }, node.interfaces[1]] }
            : node,
        ),
      },
      /^nodes\[2\]\.interfaces\[0\]\.ospf\.network: "point-to-point" on segment "link", where 2 other OSPF routers are: a point-to-point link has one neighbour \(use "broadcast"\)$/m,
    ],
    [
      "a priority on a point-to-point link",
      chain([{ priority: 3 }]),
      /^nodes\[0\]\.interfaces\[1\]\.ospf\.priority: 3: segment "link" elects no designated router \(it is point-to-point\); a priority needs a broadcast link$/m,
    ],
    [
      "a priority above 255",
      chain([{ priority: 256 }]),
      /^nodes\[0\]\.interfaces\[1\]\.ospf\.priority: must be from 0 to 255 \(got 256\)$/m,
    ],
    ["a link cost of 0", chain([{ cost: 0 }]), /^nodes\[0\]\.interfaces\[1\]\.ospf\.cost: must be from 1 to 65535 \(got 0\)$/m],
    ["an unknown link field", chain([{ costs: 5 } as Link]), /^nodes\[0\]\.interfaces\[1\]\.ospf: Unrecognized key: "costs"$/m],
    [
      "a password on one end only",
      chain([{ password: "alpha" }]),
      /^nodes\[1\]\.interfaces\[0\]\.ospf\.password: \(secret, not shown\) on segment "link": node "r1" authenticates; both ends of a link must have one password$/m,
    ],
    [
      "an area with no path to area 0",
      chain([undefined, undefined, { area: "0.0.0.2" }], [{ area: "0.0.0.1" }, { area: "0.0.0.1" }, { area: "0.0.0.2" }]),
      /^nodes\[0\]\.ospf\.area: "0\.0\.0\.1": no router of this area is also in the backbone \(0\.0\.0\.0\), so the area has no path to area 0/m,
    ],
    [
      "the other area of the same domain, on its first router's link",
      chain([undefined, undefined, { area: "0.0.0.2" }], [{ area: "0.0.0.1" }, { area: "0.0.0.1" }, { area: "0.0.0.2" }]),
      /^nodes\[1\]\.interfaces\[1\]\.ospf\.area: "0\.0\.0\.2": no router of this area is also in the backbone/m,
    ],
    [
      "an ASBR in a stub area",
      behindAbr([{ id: "0.0.0.1", kind: "stub" }], { area: "0.0.0.1", defaultOriginate: { always: true } }),
      /^nodes\[2\]\.ospf\.defaultOriginate: node "r3" is in stub area "0\.0\.0\.1": a router originating external routes \(an ASBR\) cannot be in a stub area/m,
    ],
    [
      "a metric type of 3",
      chain([], [{ defaultOriginate: { metricType: 3 } }]),
      /^nodes\[0\]\.ospf\.defaultOriginate\.metricType: must be from 1 to 2 \(got 3\)$/m,
    ],
    [
      "an area listed twice",
      behindAbr([{ id: "0.0.0.1" }, { id: "0.0.0.1", kind: "stub" }]),
      /^ospf\.areas\[1\]\.id: "0\.0\.0\.1" is listed twice$/m,
    ],
    [
      "a stub backbone",
      behindAbr([{ id: "0.0.0.0", kind: "stub" }]),
      /^ospf\.areas\[0\]\.kind: "stub": the backbone \(0\.0\.0\.0\) is a regular area$/m,
    ],
    [
      "a kind that is none",
      behindAbr([{ id: "0.0.0.1", kind: "tiny" }]),
      /^ospf\.areas\[0\]\.kind: must be "regular", "stub", "nssa" \(got "tiny"\)$/m,
    ],
    [
      "no summaries refused by a regular area",
      behindAbr([{ id: "0.0.0.1", noSummary: true }]),
      /^ospf\.areas\[0\]\.noSummary: true: only a stub or NSSA area can refuse summaries \(kind is "regular"\)$/m,
    ],
    [
      "an area no router is in",
      behindAbr([{ id: 7 as unknown as string }]),
      /^ospf\.areas\[0\]\.id: "0\.0\.0\.7": no OSPF router has an interface in this area$/m,
    ],
    [
      "a range of an area without a border router",
      chain([], [{ area: "0.0.0.1" }, { area: "0.0.0.1" }, { area: "0.0.0.1" }], {
        ospf: { areas: [{ id: "0.0.0.1", ranges: [{ prefix: "10.41.0.0/16" }] }] },
      }),
      /^ospf\.areas\[0\]\.ranges\[0\]\.prefix: "10\.41\.0\.0\/16": area "0\.0\.0\.1" has no border router \(a router in it and in the backbone\) to announce the summary$/m,
    ],
    [
      "a range that is no network address",
      behindAbr([{ id: "0.0.0.1", ranges: [{ prefix: "10.41.3.0/16" }] }]),
      /^ospf\.areas\[0\]\.ranges\[0\]\.prefix: is not a network address \(did you mean 10\.41\.0\.0\/16\?\) \(got "10\.41\.3\.0\/16"\)$/m,
    ],
    [
      "a cost on a range not advertised",
      behindAbr([{ id: "0.0.0.1", ranges: [{ prefix: "10.41.0.0/16", advertise: false, cost: 5 }] }]),
      /^ospf\.areas\[0\]\.ranges\[0\]\.cost: 5: a range that is not advertised has no cost$/m,
    ],
  ])("%s", (_name, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });

  it("accepts the valid forms: a single non-backbone area alone, a broadcast link at both ends, the multi-area lab", () => {
    expect(() => planRoutedLab("lab", chain([], [{ area: "0.0.0.3" }, { area: "0.0.0.3" }, { area: "0.0.0.3" }]))).not.toThrow();
    expect(() => planRoutedLab("lab", chain([{ network: "broadcast", priority: 0 }, { network: "broadcast" }]))).not.toThrow();
    expect(() => planRoutedLab("lab", ospfAreas())).not.toThrow();
  });
});

describe("unnumbered links (a segment's unnumbered)", () => {
  const ringNode = (name: string) => planRoutedLab("lab", unnumberedRing()).nodes.find((node) => node.name === name)!;

  it("borrow the loopback: the init swaps Docker's address for `<loopback>/32 peer <the other's>` before FRR starts, and again on a reconnected segment", () => {
    const init = renderNodeInit(ringNode("r1"));
    const swap = 'ip addr del 10.20.12.1/29 dev "$NETLABS_IF_L12" && ip addr add 10.29.0.1/32 peer 10.29.0.2/32 dev "$NETLABS_IF_L12"';
    expect(init).toContain(`${swap} || { log "cannot borrow 10.29.0.1 on segment l12"; exit 75; }`);
    expect(init.indexOf(swap)).toBeLessThan(init.indexOf("frrinit.sh start"));
    expect(init).toContain('ip addr del 10.20.12.1/29 dev "$now" && ip addr add 10.29.0.1/32 peer 10.29.0.2/32 dev "$now"');
    // The LAN stays numbered.
    expect(init).not.toContain("ip addr del 10.21.1.1/24");
  });

  it("run OSPF point-to-point there, with BFD to the neighbour's loopback; IS-IS the same", () => {
    const r1 = ringNode("r1").routing!;
    expect(r1.ospf!.interfaces.map((iface) => [iface.segment, iface.pointToPoint])).toEqual([
      ["lan1", false],
      ["l12", true],
      ["l41", true],
    ]);
    expect(r1.bfdPeers).toEqual([UNNUMBERED_LOOPBACKS.r2, UNNUMBERED_LOOPBACKS.r4]);
    const isis = planRoutedLab("lab", onIsis(unnumberedRing())).nodes.find((node) => node.name === "r1")!.routing!;
    expect(isis.bfdPeers).toEqual([UNNUMBERED_LOOPBACKS.r2, UNNUMBERED_LOOPBACKS.r4]);
  });

  it("leave a numbered lab's plan and init as they were", () => {
    const numbered = planRoutedLab("lab", ospfRing()).nodes.find((node) => node.name === "r1")!;
    expect(numbered.routing!.frr.unnumbered).toBeUndefined();
    expect(renderNodeInit(numbered)).not.toContain("peer");
  });

  const unnumbered = (spec: RoutedLabSpec, segment: string): RoutedLabSpec => ({
    ...spec,
    segments: spec.segments.map((s) => (s.name === segment ? { ...s, unnumbered: true } : s)),
  });
  it.each<[string, RoutedLabSpec, RegExp]>([
    [
      "a router without a loopback",
      unnumbered(chain(), "link"),
      /^segments\[2\]\.unnumbered: true: node "r1" on segment "link" has no loopback to borrow \(an unnumbered link joins two routers with a loopback each\)$/m,
    ],
    [
      "a host on the segment",
      unnumbered(unnumberedRing(), "lan1"),
      /^segments\[0\]\.unnumbered: true: node "h1" on segment "lan1" has no loopback to borrow/m,
    ],
    [
      "a broadcast network on it",
      {
        ...unnumberedRing(),
        nodes: unnumberedRing().nodes.map((node) =>
          node.name === "r1" || node.name === "r2"
            ? {
                ...node,
                interfaces: node.interfaces.map((iface) =>
                  iface.segment === "l12" ? { ...iface, ospf: { network: "broadcast" } } : iface,
                ),
              }
            : node,
        ),
      },
      /^nodes\[0\]\.interfaces\[1\]\.ospf\.network: "broadcast" on unnumbered segment "l12": an unnumbered link is point-to-point$/m,
    ],
  ])("refuses %s, naming the field", (_name, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });

  it("refuses a segment of three nodes", () => {
    const spec = unnumbered(chain(), "link");
    spec.nodes = spec.nodes.map((node, i) =>
      i === 2
        ? { ...node, interfaces: [...node.interfaces, { segment: "link", address: "10.40.12.3" }] }
        : { ...node, loopback: `10.49.0.${i + 1}` },
    );
    expect(issuesOf(spec)).toMatch(
      /^segments\[2\]\.unnumbered: true: segment "link" has 3 nodes; an unnumbered link joins exactly two routers$/m,
    );
  });
});

describe("OSPF's depth from stack config", () => {
  /** The chain as a routed-lab stack's config, on the local engine. */
  const stackOf = (spec: RoutedLabSpec) => ({ labs: ["routed-lab"], dockerHost: "unix:///var/run/docker.sock", routedLab: spec });
  const errorOf = async (config: Record<string, unknown>): Promise<string> => {
    const mocks = new RecordingMocks();
    try {
      await runProgram(mocks, () => buildStack(readStackConfig()), { config });
    } catch (error) {
      expect(mocks.resources).toEqual([]);
      return `${(error as Error).message}\n${util.inspect(error, { depth: 10 })}`;
    }
    throw new Error("expected the stack to be refused");
  };

  it("names the key of a bad password and never shows it, nor two passwords that differ", async () => {
    const bad = await errorOf(stackOf(chain([{ password: "far too long for an md5 key" }, { password: "far too long for an md5 key" }])));
    expect(bad).toMatch(/docker-netlabs:routedLab\.nodes\[0\]\.interfaces\[1\]\.ospf\.password: .*\(secret, not shown\)/);
    expect(bad).not.toContain("far too long");
    const differ = await errorOf(stackOf(chain([{ password: "alpha-key" }, { password: "bravo-key" }])));
    expect(differ).toMatch(
      /docker-netlabs:routedLab\.nodes\[1\]\.interfaces\[0\]\.ospf\.password: \(secret, not shown\) on segment "link"/,
    );
    expect(differ).not.toMatch(/alpha-key|bravo-key/);
  });

  it("names the lab's areas by key, an area given as a number as its dotted quad", async () => {
    const text = await errorOf(stackOf(behindAbr([{ id: 9 as unknown as string }])));
    expect(text).toMatch(/docker-netlabs:routedLab\.ospf\.areas\[0\]\.id: "0\.0\.0\.9": no OSPF router has an interface in this area/);
  });
});
