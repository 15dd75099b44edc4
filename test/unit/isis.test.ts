/**
 * IS-IS as a routing protocol module (components/protocols/isis): its plan over the topology, its
 * FRR section, its checks and outputs, and every mistake in its field named with path and value.
 */
import { describe, expect, it } from "vitest";
import { FRR_DAEMONS_PATH, FRR_TEMPLATE_PATH } from "../../components/protocols";
import { networkEntityTitle, systemId } from "../../components/protocols/isis";
import { NodePlan, NodeSpecInput as NodeSpec, RoutedLabSpecInput as RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { RoutedLab } from "../../components/routed-lab";
import { configIssues } from "../support/config-issues";
import { RecordingMocks } from "../support/recording-mocks";
import { isisRing, ospfRing } from "../support/routing-labs";
import { runProgram, valueOf } from "../support/run-program";

const nodeOf = (spec: RoutedLabSpec, name: string): NodePlan => planRoutedLab("lab", spec).nodes.find((n) => n.name === name)!;
const issuesOf = (spec: unknown): string => configIssues(() => planRoutedLab("lab", spec)).join("\n");

/** Two IS-IS routers on a link, each with a LAN; the fields given replace r1's and r2's `isis`. */
function pair(r1: NodeSpec["isis"] = {}, r2: NodeSpec["isis"] = {}, extra: Partial<NodeSpec> = {}): RoutedLabSpec {
  return {
    segments: [
      { name: "lan1", subnet: "10.61.1.0/24" },
      { name: "lan2", subnet: "10.61.2.0/24" },
      { name: "link", subnet: "10.60.0.0/29" },
    ],
    nodes: [
      {
        name: "r1",
        image: "router",
        router: true,
        isis: r1,
        interfaces: [
          { segment: "lan1", address: "10.61.1.1" },
          { segment: "link", address: "10.60.0.1" },
        ],
        ...extra,
      },
      {
        name: "r2",
        image: "router",
        router: true,
        isis: r2,
        interfaces: [
          { segment: "lan2", address: "10.61.2.1" },
          { segment: "link", address: "10.60.0.2" },
        ],
      },
    ],
  };
}

describe("IS-IS plan", () => {
  it("runs point-to-point on each ring link and passive on the LANs, and each router expects every LAN", () => {
    const r1 = nodeOf(isisRing(), "r1").routing!;
    expect(r1.isis?.interfaces).toEqual([
      { segment: "lan1", passive: true, pointToPoint: false, neighbors: [] },
      { segment: "l12", passive: false, pointToPoint: true, neighbors: ["r2"] },
      { segment: "l41", passive: false, pointToPoint: true, neighbors: ["r4"] },
    ]);
    expect(r1.isis).toMatchObject({
      area: "49.0001",
      level: "level-2",
      helloSeconds: 1,
      holdMultiplier: 3,
      bfdProfile: expect.any(String),
    });
    expect(nodeOf(isisRing(), "r2").routing!.expectedPrefixes).toEqual(["10.51.1.0/24", "10.51.3.0/24"]);
    expect(r1.bfdPeers).toEqual(["10.50.12.2", "10.50.41.1"]);
  });

  it("derives the NET from the router id", () => {
    expect(systemId("10.0.0.1")).toBe("0100.0000.0001");
    expect(systemId("192.168.255.12")).toBe("1921.6825.5012");
    expect(networkEntityTitle("49.0001", "10.0.0.1")).toBe("49.0001.0100.0000.0001.00");
  });

  it("renders FRR's isisd configuration, with BFD on its adjacencies, and starts isisd only where it runs", () => {
    const r1 = nodeOf(isisRing(), "r1");
    const text = r1.files[FRR_TEMPLATE_PATH];
    expect(text).toContain(
      [
        "router isis lab",
        " net 49.0001.0100.5100.1001.00", // router id 10.51.1.1, its first address
        " is-type level-2-only",
        " metric-style wide",
        " log-adjacency-changes",
      ].join("\n"),
    );
    expect(text).toMatch(
      /interface @IF_l12@\n description l12\n ip router isis lab\n isis network point-to-point\n isis hello-interval 1\n isis hello-multiplier 3\n isis bfd\n isis bfd profile \S+\n/,
    );
    expect(text).toMatch(/interface @IF_lan1@\n description lan1\n ip router isis lab\n isis passive\n/);
    expect(nodeOf(isisRing(), "r4").files[FRR_TEMPLATE_PATH]).toContain(" isis metric 100\n");
    // The instance before the interfaces that name it: isisd refuses a metric above 63 read before the instance's metric style.
    expect(text.indexOf("router isis lab")).toBeLessThan(text.indexOf("interface @IF_"));
    expect(r1.files[FRR_DAEMONS_PATH]).toMatch(/^isisd=yes$/m);
    expect(r1.routing!.frr.readyLines).toContainEqual({ daemon: "isisd", line: "router isis lab" });
    // A router without IS-IS: its daemons file does not name isisd at all (unchanged by registering IS-IS).
    expect(nodeOf(ospfRing(), "r1").files[FRR_DAEMONS_PATH]).not.toMatch(/isisd/);
  });

  it("checks every adjacency Up, and shows area and level in outputs and the diagram", async () => {
    const mocks = new RecordingMocks();
    const lab = await runProgram(mocks, () => new RoutedLab("ring", { spec: isisRing(), images: { router: "r:1", client: "c:1" } }));
    const checks = lab.probeChecks();
    expect(checks).toContainEqual(
      expect.objectContaining({ kind: "vtysh-count", name: "r1 IS-IS adjacencies Up (2)", command: "show isis neighbor json", want: 2 }),
    );
    expect(checks.map((check) => check.name)).toContain("r2 has a route to every LAN (2)");
    const nodes = await valueOf(lab.nodes);
    expect(nodes.r1.routing).toMatchObject({ protocols: ["isis", "bfd"], isisArea: "49.0001", isisLevel: "level-2" });
    expect(await valueOf(lab.mermaid)).toContain("IS-IS 49.0001 level-2");
  });

  it("joins IS-IS and level-2 routers of different areas; level-1 only within an area", () => {
    expect(() => planRoutedLab("lab", pair({ area: "49.0001" }, { area: "49.0002" }))).not.toThrow();
    expect(nodeOf(pair({ area: "49.0001" }, { area: "49.0002" }), "r1").routing!.isis!.interfaces[1].neighbors).toEqual(["r2"]);
    expect(nodeOf(pair({ level: "level-1-2" }, { level: "level-1" }), "r2").routing!.isis!.interfaces[1].neighbors).toEqual(["r1"]);
  });
});

describe("IS-IS validation: every mistake named with its field and value", () => {
  it.each<[string, RoutedLabSpec, RegExp]>([
    [
      "an area that is not an ISO area id",
      pair({ area: "1" }),
      /^nodes\[0\]\.isis\.area: must be an ISO area id: two hex digits, then groups of four, such as "49\.0001" \(got "1"\)$/m,
    ],
    [
      "an unknown level",
      pair({ level: "level-3" }),
      /^nodes\[0\]\.isis\.level: must be "level-1", "level-2", "level-1-2" \(got "level-3"\)$/m,
    ],
    ["a metric of 0", pair({ metric: 0 }), /^nodes\[0\]\.isis\.metric: must be from 1 to 16777215 \(got 0\)$/m],
    ["an unknown key", pair({ cost: 5 } as object), /^nodes\[0\]\.isis: Unrecognized key: "cost"$/m],
    [
      "level-1 beside level-2 only",
      pair({ level: "level-2" }, { level: "level-1" }),
      /^nodes\[1\]\.isis\.level: "level-1" in area "49\.0001" forms no adjacency with node "r1"'s on segment "link" "level-2" in area "49\.0001": one runs only level 1, the other only level 2$/m,
    ],
    [
      "level-1 neighbours in two areas",
      pair({ level: "level-1", area: "49.0001" }, { level: "level-1-2", area: "49.0002" }),
      /^nodes\[1\]\.isis\.area: "level-1-2" in area "49\.0002" forms no adjacency with node "r1"'s on segment "link" "level-1" in area "49\.0001": level-1 neighbours must be in one area, or both run level 2$/m,
    ],
    [
      "hello timers that differ",
      pair({ helloSeconds: 2 }, {}),
      /^nodes\[1\]\.isis\.helloSeconds: 1 differs from node "r1"'s on segment "link" 2: IS-IS neighbours must agree$/m,
    ],
    [
      "isis on a node without FRR",
      pair({}, {}, { image: "client" }),
      /^nodes\[0\]\.image: "client" has no FRR: a node with ospf, isis, bgp or vrfs runs the router image \(or an image of yours with FRR\)$/m,
    ],
  ])("refuses %s", (_case, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });
});
