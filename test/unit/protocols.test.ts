/**
 * The routing protocol seam (components/protocols): a protocol that exists only in this test, RIP,
 * registered beside OSPF, BGP and BFD without a line of theirs changed. It plans over the lab, gets
 * its node field into the lab's schema, renders its FRR section and daemon, is waited for at start,
 * adds its probe checks, outputs and diagram label; BGP runs iBGP over its domain and BFD detects its
 * adjacencies through the generic facets alone. (A stand-in: its FRR lines are plausible, not checked
 * by FRR.)
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DetectedPeer,
  FRR_DAEMONS_PATH,
  Groups,
  FRR_TEMPLATE_PATH,
  NodeRoutingPlan,
  PROTOCOLS,
  RoutingProtocol,
  bfd,
  bgp,
  fieldPath,
  interfaceToken,
  isRunning,
  ospf,
  routingChecks,
  routingDiagram,
  routingInfo,
} from "../../components/protocols";
import { renderNodeInit } from "../../components/routed-lab/node-init";
import { RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { configIssues } from "../support/config-issues";
import { ospfRing } from "../support/routing-labs";

const ripSchema = z.strictObject({ metric: z.number().int().min(1, "must be from 1 to 15").max(15, "must be from 1 to 15").default(1) });
type RipSettings = z.output<typeof ripSchema>;
interface RipFields {
  rip?: { metric: number; neighbors: string[]; segments: string[] };
}

/** RIP on each segment shared with another RIP router; RIP routers so linked form a domain that carries their loopbacks. */
const rip = {
  name: "rip" as const,
  title: "RIP",
  igp: { domain: "RIP domain" },
  nodeSchema: ripSchema,
  plan: (lab) => {
    const domains = new Groups();
    const detected = new Map<string, DetectedPeer[]>();
    const routers = new Map<string, RipFields>();
    const issues = [];
    for (const router of lab.routers.filter(isRunning)) {
      const active = router.interfaces.flatMap((iface) => {
        const peers = lab.peersOn(router, iface.segment).filter((peer) => peer.router.settings !== undefined);
        for (const peer of peers) domains.join(router.name, peer.router.name);
        detected.set(router.name, [
          ...(detected.get(router.name) ?? []),
          ...peers.map((peer) => ({ address: peer.address, multihop: false })),
        ]);
        return peers.length > 0 ? [{ segment: iface.segment, neighbors: peers.map((peer) => peer.router.name) }] : [];
      });
      if (active.length === 0) issues.push({ path: fieldPath(router, "rip"), message: `node "${router.name}" has no RIP neighbour` });
      const segments = active.map((segment) => segment.segment);
      routers.set(router.name, {
        rip: { metric: router.settings.metric, neighbors: active.flatMap((segment) => segment.neighbors), segments },
      });
    }
    const domain = (name: string) => (routers.has(name) ? domains.find(name) : undefined);
    return { issues, routers, facets: { routeGroup: domain, igpDomain: domain, detectedPeers: (name) => detected.get(name) ?? [] } };
  },
  runs: (router) => router.rip !== undefined,
  frr: {
    daemons: [{ name: "ripd", options: "-A 127.0.0.1", listedWhenOff: false }],
    running: (router) => (router.rip ? [{ daemon: "ripd", readyLine: "router rip" }] : []),
    sections: (router) =>
      router.rip
        ? {
            interfaces: router.rip.segments.map((segment) => ({ segment, lines: ["ip rip receive version 2"] })),
            router: [
              "router rip",
              ` default-metric ${router.rip.metric}`,
              ...router.rip.segments.map((segment) => ` network ${interfaceToken(segment)}`),
            ],
          }
        : {},
  },
  checks: (router, { node, container }) => {
    const neighbors = router.rip?.neighbors.length ?? 0;
    return neighbors > 0
      ? [
          {
            kind: "vtysh-count",
            name: `${node} RIP neighbours up (${neighbors})`,
            router: container,
            command: "show ip rip status json",
            path: ["neighbors"],
            stateFields: ["state"],
            upPattern: "^up$",
            want: neighbors,
            counted: "RIP neighbours up",
          },
        ]
      : [];
  },
  outputs: (router): { ripMetric?: number } => (router.rip ? { ripMetric: router.rip.metric } : {}),
  diagram: (router) => `RIP metric ${router.rip?.metric}`,
} satisfies RoutingProtocol<RipSettings, never, RipFields, { ripMetric?: number }>;

/** RIP before BGP (which runs iBGP over the IGPs before it) and BFD (which detects what those before it want). */
const WITH_RIP = [ospf, rip, bgp, bfd];

/**
 * h1 - r1 --l12-- r2 --l23-- r3 - h3, RIP on all three, BFD on: r1 and r3 share AS 65001 and no
 * segment, so their iBGP runs between loopbacks that only RIP carries.
 */
function ripChain(r1: object = {}): RoutedLabSpec {
  const router = (name: string, extra: object, interfaces: [string, string][]) => ({
    name,
    image: "router" as const,
    router: true,
    rip: {},
    interfaces: interfaces.map(([segment, address]) => ({ segment, address })),
    ...extra,
  });
  const spec = {
    bfd: true,
    segments: [
      { name: "lan1", subnet: "10.40.1.0/24" },
      { name: "lan3", subnet: "10.40.3.0/24" },
      { name: "l12", subnet: "10.40.12.0/29" },
      { name: "l23", subnet: "10.40.23.0/29" },
    ],
    nodes: [
      router("r1", { bgp: { asn: 65001 }, loopback: "10.40.255.1", ...r1 }, [
        ["lan1", "10.40.1.1"],
        ["l12", "10.40.12.1"],
      ]),
      router("r2", {}, [
        ["l12", "10.40.12.2"],
        ["l23", "10.40.23.1"],
      ]),
      router("r3", { bgp: { asn: 65001 }, loopback: "10.40.255.3" }, [
        ["lan3", "10.40.3.1"],
        ["l23", "10.40.23.2"],
      ]),
      {
        name: "h1",
        image: "client" as const,
        interfaces: [{ segment: "lan1", address: "10.40.1.10" }],
        routes: [{ to: "default", via: "10.40.1.1" }],
      },
    ],
  };
  // The spec carries a field only the test's registry knows.
  return spec as unknown as RoutedLabSpec;
}

const planned = planRoutedLab("rip", ripChain(), {}, WITH_RIP);
const nodeOf = (name: string) => {
  const node = planned.nodes.find((candidate) => candidate.name === name);
  if (!node?.routing) throw new Error(`${name} has no routing`);
  return { ...node, routing: node.routing as NodeRoutingPlan & RipFields };
};

describe("a protocol registered in a test only, beside OSPF, BGP and BFD", () => {
  it("gets its node field into the lab's schema by registering: without it the field is unknown", () => {
    expect(configIssues(() => planRoutedLab("rip", ripChain())).join("\n")).toMatch(/^nodes\[0\]: Unrecognized key: "rip"$/m);
    expect(configIssues(() => planRoutedLab("rip", ripChain({ rip: { metric: 16 } }), {}, WITH_RIP)).join("\n")).toMatch(
      /^nodes\[0\]\.rip\.metric: must be from 1 to 15 \(got 16\)$/m,
    );
  });

  it("plans: its fields in each router's plan, its issues with their path, the LANs its domain teaches", () => {
    expect(nodeOf("r2").routing.rip).toEqual({ metric: 1, neighbors: ["r1", "r3"], segments: ["l12", "l23"] });
    expect(nodeOf("r2").routing.bgp).toBeUndefined();
    for (const router of ["r1", "r2", "r3"]) expect(nodeOf(router).routing.expectedPrefixes).toEqual(["10.40.1.0/24", "10.40.3.0/24"]);
    const lone = ripChain();
    lone.segments.push({ name: "lan9", subnet: "10.40.9.0/24" });
    lone.nodes.push({
      name: "r9",
      image: "router",
      router: true,
      rip: {},
      interfaces: [{ segment: "lan9", address: "10.40.9.1" }],
    } as RoutedLabSpec["nodes"][number]);
    expect(configIssues(() => planRoutedLab("rip", lone, {}, WITH_RIP))).toContain('nodes[4].rip: node "r9" has no RIP neighbour');
  });

  it("is an IGP to BGP and a source of adjacencies to BFD, through the facets alone", () => {
    const r1 = nodeOf("r1").routing;
    expect(r1.bgp?.neighbors).toEqual([{ node: "r3", address: "10.40.255.3", remoteAs: 65001, overLoopback: true, bfd: "multihop" }]);
    expect(r1.bfdPeers).toEqual(["10.40.12.2", "10.40.255.3"]);
    expect(r1.bfdMultihop).toEqual({ intervalMs: 300, multiplier: 3 });
    // Registered after BGP, it is no IGP BGP can use: the routers' messages name what can.
    expect(configIssues(() => planRoutedLab("rip", ripChain(), {}, [...PROTOCOLS, rip]))).toContain(
      'nodes[2].bgp.asn: 65001 is also node "r1"\'s ASN, but the two cannot reach each other for iBGP: give both a loopback and ospf in one OSPF domain or isis in one IS-IS domain, or attach them to a common segment',
    );
    expect(configIssues(() => planRoutedLab("rip", ripChain({ image: "client" }), {}, WITH_RIP))).toContain(
      'nodes[0].image: "client" has no FRR: a node with ospf, rip or bgp runs the router image (or an image of yours with FRR)',
    );
  });

  it("renders its FRR section among the others, and its daemon only where it runs", () => {
    const text = nodeOf("r1").files[FRR_TEMPLATE_PATH];
    expect(text).toContain("interface @IF_l12@\n description l12\n ip rip receive version 2\nexit\n!\n");
    expect(text).toContain("router rip\n default-metric 1\n network @IF_l12@\nexit\n!\nrouter bgp 65001\n");
    expect(text).not.toContain("interface @IF_lan1@");
    expect(nodeOf("r1").files[FRR_DAEMONS_PATH]).toMatch(/^ospfd=no\nripd=yes\nbgpd=yes\nbfdd=yes\n/m);
    expect(nodeOf("r1").files[FRR_DAEMONS_PATH]).toContain(
      'ripd_options="   -A 127.0.0.1"\nbgpd_options="   -A 127.0.0.1"\nstaticd_options=',
    );
  });

  it("changes no file of a router that does not run it", () => {
    const without = planRoutedLab("ring", ospfRing());
    const withRip = planRoutedLab("ring", ospfRing(), {}, WITH_RIP);
    expect(withRip.nodes.map((node) => node.files)).toEqual(without.nodes.map((node) => node.files));
    expect(withRip.nodes.map(renderNodeInit)).toEqual(without.nodes.map(renderNodeInit));
  });

  it("is started and waited for by the router's init, and its interface settings follow a reconnected segment", () => {
    const script = renderNodeInit(nodeOf("r1"));
    expect(script).toContain("vtysh -d ripd -c 'show running-config' 2>/dev/null | grep -qx 'router rip'");
    expect(script).toContain('log "FRR up: zebra staticd ripd bgpd bfdd"');
    expect(script).toContain(
      `-c 'description l12' -c 'ip rip receive version 2' >/dev/null 2>&1 || log "cannot apply segment l12's RIP settings to $now"`,
    );
  });

  it("adds its probe checks, its outputs and its diagram label", () => {
    const checks = routingChecks(planned, WITH_RIP).map((check) => check.name);
    expect(checks.filter((name) => name.startsWith("r1 "))).toEqual([
      "r1 RIP neighbours up (1)",
      "r1 BGP sessions Established (1)",
      "r1 BFD sessions up (2)",
      "r1 has a route to every LAN (2)",
    ]);
    expect(routingInfo(nodeOf("r1").routing, WITH_RIP)).toEqual({
      protocols: ["rip", "bgp", "bfd"],
      routerId: "10.40.255.1",
      ripMetric: 1,
      asn: 65001,
      bfd: true,
      loopback: "10.40.255.1",
    });
    expect(routingDiagram(nodeOf("r2").routing, WITH_RIP)).toEqual(["RIP metric 1, BFD", "id 10.40.12.2"]);
  });
});
