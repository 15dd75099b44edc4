/**
 * The routing protocols on dual-stack labs (issue 21): OSPFv3 beside OSPFv2, IS-IS carrying IPv6
 * on its adjacencies, BGP sessions over IPv6 carrying IPv6 unicast, BFD on the IPv6 adjacencies and
 * sessions, and the natural checks of IPv6 adjacencies, sessions and routes. IPv4 labs keep every
 * file they had (golden and routing tests).
 */
import { describe, expect, it } from "vitest";
import { FRR_DAEMONS_PATH, FRR_TEMPLATE_PATH } from "../../components/protocols";
import { NodePlan, RoutedLabSpecInput as RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { routingChecks } from "../../components/protocols/outputs";
import { configIssues } from "../support/config-issues";
import { bgpChain, dualStack, isisRing, ospfRing } from "../support/routing-labs";

const planOf = (spec: RoutedLabSpec) => planRoutedLab("lab", spec);
const nodeOf = (spec: RoutedLabSpec, name: string): NodePlan => planOf(spec).nodes.find((n) => n.name === name)!;
const checkNames = (spec: RoutedLabSpec, node: string) =>
  routingChecks(planOf(spec))
    .filter((check) => "router" in check && check.router.endsWith(`-${node}`))
    .map((check) => check.name);

describe("OSPF on a dual-stack ring: OSPFv3 beside OSPFv2", () => {
  const ring = () => dualStack(ospfRing());

  it("runs OSPFv3 on each interface with IPv6, point-to-point on the links and passive on the LANs", () => {
    const r1 = nodeOf(ring(), "r1").routing!;
    expect(r1.ospf?.ipv6).toBe(true);
    expect(r1.ospf?.interfaces.map((iface) => [iface.segment, iface.ipv6])).toEqual([
      ["lan1", { passive: true, pointToPoint: false, neighbors: [] }],
      ["l12", { passive: false, pointToPoint: true, neighbors: ["r2"] }],
      ["l41", { passive: false, pointToPoint: true, neighbors: ["r4"] }],
    ]);
    expect(nodeOf(ring(), "r2").routing?.expectedPrefixes6).toEqual(["2001:db8:21:1::/64", "2001:db8:21:2::/64"]);
    // BFD watches the OSPFv3 adjacencies too.
    expect(r1.bfdPeers).toEqual(["10.20.12.2", "2001:db8:20:3::2", "10.20.41.1", "2001:db8:20:6::1"]);
  });

  it("renders ospf6d's configuration and starts ospf6d", () => {
    const r1 = nodeOf(ring(), "r1");
    const text = r1.files[FRR_TEMPLATE_PATH];
    expect(text).toMatch(
      /interface @IF_l12@\n description l12\n ip ospf area 0\.0\.0\.0\n[^!]*\n ipv6 ospf6 area 0\.0\.0\.0\n ipv6 ospf6 network point-to-point\n ipv6 ospf6 hello-interval 1\n ipv6 ospf6 dead-interval 4\n ipv6 ospf6 bfd profile netlabs\nexit/,
    );
    expect(text).toMatch(
      /interface @IF_lan1@\n description lan1\n ip ospf area 0\.0\.0\.0\n ip ospf passive\n ipv6 ospf6 area 0\.0\.0\.0\n ipv6 ospf6 passive\nexit/,
    );
    expect(text).toContain(
      "router ospf6\n ospf6 router-id 10.21.1.1\n log-adjacency-changes\n timers throttle spf 0 50 500\n timers lsa min-arrival 0\nexit",
    );
    expect(nodeOf(ring(), "r4").files[FRR_TEMPLATE_PATH]).toContain(" ipv6 ospf6 cost 100\n");
    expect(r1.files[FRR_DAEMONS_PATH]).toMatch(/^ospf6d=yes$/m);
    expect(r1.routing?.frr.readyLines).toContainEqual({ daemon: "ospf6d", line: "router ospf6" });
    // The IPv4 ring does not name ospf6d.
    expect(nodeOf(ospfRing(), "r1").files[FRR_DAEMONS_PATH]).not.toMatch(/ospf6d/);
    expect(nodeOf(ospfRing(), "r1").files[FRR_TEMPLATE_PATH]).not.toMatch(/ospf6|ipv6/);
  });

  it("checks OSPFv3 adjacencies and a route to every IPv6 LAN", () => {
    expect(checkNames(ring(), "r2")).toEqual([
      "r2 OSPF adjacencies up (2)",
      "r2 OSPFv3 adjacencies up (2)",
      "r2 BFD sessions up (4)",
      "r2 has a route to every LAN (2)",
      "r2 has a route to every IPv6 LAN (2)",
    ]);
    const routes6 = routingChecks(planOf(ring())).find((check) => check.name === "r2 has a route to every IPv6 LAN (2)");
    expect(routes6).toMatchObject({ kind: "routes", family: 6, prefixes: ["2001:db8:21:1::/64", "2001:db8:21:2::/64"] });
  });
});

describe("IS-IS on a dual-stack ring: one adjacency, both families", () => {
  it("adds ipv6 router isis on each interface with IPv6", () => {
    const text = nodeOf(dualStack(isisRing()), "r1").files[FRR_TEMPLATE_PATH];
    expect(text).toMatch(
      /interface @IF_l12@\n description l12\n ip router isis lab\n ipv6 router isis lab\n isis network point-to-point\n/,
    );
    expect(nodeOf(dualStack(isisRing()), "r2").routing?.expectedPrefixes6).toEqual(["2001:db8:51:1::/64", "2001:db8:51:2::/64"]);
    expect(nodeOf(isisRing(), "r1").files[FRR_TEMPLATE_PATH]).not.toMatch(/ipv6/);
  });
});

describe("IPv6 routing mistakes named with field and value", () => {
  it("refuses an IPv6 loopback on a router without any IPv6 interface", () => {
    const spec = ospfRing();
    spec.nodes[0] = { ...spec.nodes[0], loopback: "10.255.0.1", loopback6: "2001:db8:ffff::1" };
    expect(configIssues(() => planOf(spec))).toContain(
      'nodes[0].loopback6: "2001:db8:ffff::1": no interface of node "r1" has IPv6, so its protocols could announce it to no one (give an interface ipv6)',
    );
  });
});

describe("BGP on a dual-stack chain: sessions over IPv6 carry IPv6 unicast", () => {
  const chain = () => dualStack(bgpChain());

  it("pairs each eBGP session with an IPv6 one, and iBGP between the IPv6 loopbacks OSPF carries", () => {
    const r1 = nodeOf(chain(), "r1").routing!.bgp!;
    expect(r1.neighbors.filter((n) => n.family === 6)).toEqual([
      expect.objectContaining({ node: "r2a", address: "2001:db8:30:3::2", remoteAs: 65002, overLoopback: false, family: 6 }),
    ]);
    expect(r1.networks6).toEqual(["2001:db8:30:1::/64"]);
    const r2a = nodeOf(chain(), "r2a").routing!.bgp!;
    expect(r2a.neighbors.filter((n) => n.family === 6 && n.remoteAs === 65002)).toEqual([
      expect.objectContaining({ node: "r2b", address: "2001:db8:ffff::22", overLoopback: true, family: 6 }),
    ]);
  });

  it("renders an IPv6 unicast family with its sessions and networks, and keeps IPv6 sessions out of IPv4's", () => {
    const text = nodeOf(chain(), "r1").files[FRR_TEMPLATE_PATH];
    expect(text).toContain(" neighbor 2001:db8:30:3::2 remote-as 65002\n");
    expect(text).toMatch(/ address-family ipv4 unicast\n[\s\S]*  no neighbor 2001:db8:30:3::2 activate\n exit-address-family\n/);
    expect(text).toContain(
      " address-family ipv6 unicast\n  network 2001:db8:30:1::/64\n  neighbor 2001:db8:30:3::2 activate\n exit-address-family\n",
    );
    expect(checkNames(chain(), "r1")).toContain("r1 BGP IPv6 sessions Established (1)");
    expect(nodeOf(bgpChain(), "r1").files[FRR_TEMPLATE_PATH]).not.toMatch(/ipv6|2001:/);
  });
});
