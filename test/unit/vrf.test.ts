/**
 * VRFs (issue 25, item 6): a node's `vrfs` planned and rendered (the kernel's side in the node's
 * init, FRR's vrf nodes, OSPF and BGP instances per VRF, leaking by import vrf), the default
 * table's protocols blind to VRF interfaces, labs without VRFs unchanged, and every mistake refused
 * with its field and value. The kernel here has no vrf module: packets are the e2e test's
 * (test/e2e/vrf-vlan.test.ts), in the public CI.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { NodePlan, planRoutedLab } from "../../components/routed-lab/plan";
import { renderNodeInit } from "../../components/routed-lab/node-init";
import { FRR_DAEMONS_PATH, FRR_TEMPLATE_PATH, PROTOCOLS, routingChecks, routingDiagram, routingInfo } from "../../components/protocols";
import { configIssues } from "../support/config-issues";
import { bgpChain, dualStack, isisRing, ospfRing } from "../support/routing-labs";
import { VRF_LOOPBACK, vrfPair } from "../support/vrf-labs";

type Spec = ReturnType<typeof vrfPair>;
const nodeOf = (spec: unknown, name: string): NodePlan => planRoutedLab("vrf", spec).nodes.find((n) => n.name === name)!;
const issuesOf = (spec: unknown): string => configIssues(() => planRoutedLab("vrf", spec)).join("\n");

/** The VRF lab with r1's (or r2's) vrfs changed by `change`. */
function withVrfs(change: (vrfs: Record<string, Record<string, unknown>>) => void, router = 0): Spec {
  const spec = structuredClone(vrfPair());
  change(spec.nodes[router].vrfs as unknown as Record<string, Record<string, unknown>>);
  return spec;
}

describe("VRFs: the plan and what it renders", () => {
  const r1 = nodeOf(vrfPair(), "r1");
  const r2 = nodeOf(vrfPair(), "r2");

  it("the default table's OSPF sees only the interfaces outside every VRF", () => {
    expect(r1.routing?.ospf?.interfaces.map((iface) => iface.segment)).toEqual(["core"]);
    expect(r1.routing?.expectedPrefixes).toEqual([]);
  });

  it("each VRF gets its table, interfaces, OSPF adjacencies and BGP sessions", () => {
    expect(r2.routing?.vrfs).toEqual([
      {
        name: "red",
        table: 1001,
        loopback: VRF_LOOPBACK,
        interfaces: [
          { segment: "red-b", address: "10.91.2.1", prefixLength: 24, ospf: { passive: true, pointToPoint: false, neighbors: [] } },
          { segment: "core-red", address: "10.90.1.2", prefixLength: 29, ospf: { passive: false, pointToPoint: true, neighbors: ["r1"] } },
        ],
        ospf: { area: "0.0.0.0", helloSeconds: 1, deadSeconds: 4 },
        import: [],
      },
      {
        name: "blue",
        table: 1002,
        loopback: VRF_LOOPBACK,
        interfaces: [
          { segment: "blue-b", address: "10.92.2.1", prefixLength: 24 },
          { segment: "core-blue", address: "10.90.2.2", prefixLength: 29 },
        ],
        bgp: { asn: 65102, neighbors: [{ node: "r1", address: "10.90.2.1", remoteAs: 65101 }] },
        import: [],
      },
    ]);
  });

  it("FRR: a vrf node each, the VRF interfaces with their vrf, OSPF and BGP instances per VRF", () => {
    const text = r2.files[FRR_TEMPLATE_PATH];
    for (const block of [
      "vrf red\nexit\n!\nvrf blue\nexit\n!",
      "interface @IF_red-b@ vrf red\n description red-b\n ip ospf area 0.0.0.0\n ip ospf passive\nexit",
      "interface @IF_core-red@ vrf red\n description core-red\n ip ospf area 0.0.0.0\n ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 4\nexit",
      "interface @IF_core-blue@ vrf blue\n description core-blue\nexit",
      "router ospf vrf red\n ospf router-id 10.255.0.2\n log-adjacency-changes",
      " redistribute connected\nexit",
      "router bgp 65102 vrf blue\n bgp router-id 10.255.0.2",
      " neighbor 10.90.2.1 remote-as 65101\n neighbor 10.90.2.1 description r1\n neighbor 10.90.2.1 timers connect 1\n address-family ipv4 unicast\n  redistribute connected\n exit-address-family\nexit",
    ]) {
      expect(text).toContain(block);
    }
    // The default table's OSPF stays on its own interfaces.
    expect(text).toContain("interface @IF_core@\n description core\n ip ospf area 0.0.0.0");
    expect(text).not.toMatch(/^interface @IF_core-red@$/m);
    expect(text).not.toContain("import vrf");
    expect(r1.files[FRR_DAEMONS_PATH]).toMatch(/^ospfd=yes\nbgpd=yes\nbfdd=no$/m);
  });

  it("leaking: each VRF imports the other through BGP, the OSPF-learned routes of red in its BGP table", () => {
    const text = nodeOf(vrfPair(true), "r1").files[FRR_TEMPLATE_PATH];
    expect(text).toContain(
      "router bgp 65101 vrf red\n bgp router-id 10.255.0.1\n bgp log-neighbor-changes\n no bgp ebgp-requires-policy\n no bgp network import-check\n timers bgp 1 3\n neighbor 10.90.1.2 remote-as 65102",
    );
    expect(text).toContain("  redistribute connected\n  redistribute ospf\n  import vrf blue\n exit-address-family");
    expect(text).toContain("  redistribute connected\n  import vrf red\n exit-address-family");
  });

  it("the init builds each VRF in the kernel once its interfaces are found, before routes and FRR", () => {
    const init = renderNodeInit(r2);
    const setup = [
      'ip link show red >/dev/null 2>&1 || ip link add red type vrf table 1001 || { log "cannot create VRF red (table 1001): the kernel needs the vrf module"; exit 78; }',
      "ip link set red up",
      "ip route replace unreachable default metric 4278198272 vrf red",
      'ip link set "$NETLABS_IF_RED_B" master red || { log "cannot move segment red-b\'s interface into VRF red"; exit 78; }',
      'ip link set "$NETLABS_IF_CORE_RED" master red || { log "cannot move segment core-red\'s interface into VRF red"; exit 78; }',
      `ip addr replace ${VRF_LOOPBACK}/32 dev red || { log "cannot add VRF red's loopback ${VRF_LOOPBACK}"; exit 78; }`,
      "ip link show blue >/dev/null 2>&1 || ip link add blue type vrf table 1002",
    ];
    let at = init.indexOf('echo "blue-b $NETLABS_IF_BLUE_B');
    for (const line of setup) {
      const next = init.indexOf(line, at);
      expect(next, line).toBeGreaterThan(at);
      at = next;
    }
    expect(init.indexOf("ip route del default")).toBeGreaterThan(at);
    expect(init.indexOf("/usr/lib/frr/frrinit.sh start")).toBeGreaterThan(at);
    expect(init).toContain(
      "grep -qx 'router ospf vrf red' && vtysh -d bgpd -c 'show running-config' 2>/dev/null | grep -qx 'router bgp 65102 vrf blue'",
    );
    expect(init).toContain('log "FRR up: zebra staticd ospfd bgpd"');
  });

  it("outputs, diagram and natural checks name the VRFs", () => {
    expect(routingInfo(r2.routing!)).toMatchObject({ protocols: ["ospf", "vrfs"], vrfs: ["red", "blue"] });
    expect(routingDiagram(r2.routing)).toEqual(["OSPF area 0.0.0.0, VRF red, blue", "id 10.255.0.2"]);
    const checks = routingChecks({ nodes: [{ name: "r2", containerName: "vrf-r2", routing: r2.routing }] });
    expect(checks).toContainEqual(
      expect.objectContaining({
        name: "r2 OSPF adjacencies up in VRF red (1)",
        command: "show ip ospf vrf all neighbor json",
        path: ["red", "neighbors"],
        want: 1,
      }),
    );
    expect(checks).toContainEqual(
      expect.objectContaining({ name: "r2 BGP sessions Established in VRF blue (1)", command: "show bgp vrf blue summary json", want: 1 }),
    );
  });

  it("labs without vrfs: every file, init and plan as without the VRF module registered", () => {
    const without = PROTOCOLS.filter((protocol) => protocol.name !== "vrfs");
    for (const spec of [ospfRing(), isisRing(), bgpChain(), dualStack(ospfRing()), dualStack(bgpChain())]) {
      const withIt = planRoutedLab("lab", spec).nodes;
      const before = planRoutedLab("lab", spec, {}, without).nodes;
      expect(withIt.map((node) => node.files)).toEqual(before.map((node) => node.files));
      expect(withIt.map(renderNodeInit)).toEqual(before.map(renderNodeInit));
      expect(withIt.map((node) => node.routing)).toEqual(before.map((node) => node.routing));
    }
  });
});

describe("VRFs: every node's init is valid sh", () => {
  it("sh -n reads each", () => {
    for (const node of planRoutedLab("lab", vrfPair(true)).nodes) execFileSync("sh", ["-n"], { input: renderNodeInit(node) });
  });
});

describe("VRFs: every mistake refused with its field and value", () => {
  it.each<[string, Spec, RegExp]>([
    [
      "an interface in two VRFs",
      withVrfs((vrfs) => {
        vrfs.blue.interfaces = ["blue-a", "core-blue", "red-a"];
      }),
      /^nodes\[0\]\.vrfs\.blue\.interfaces\[2\]: "red-a" is already in VRF "red": an interface is in one VRF at most$/m,
    ],
    [
      "a VRF with no interfaces",
      withVrfs((vrfs) => {
        vrfs.green = {};
      }),
      /^nodes\[0\]\.vrfs\.green\.interfaces: VRF "green" of node "r1" has no interfaces: give it at least one segment$/m,
    ],
    [
      "a segment the node is not on",
      withVrfs((vrfs) => {
        vrfs.red.interfaces = ["red-a", "core-red", "red-b"];
      }),
      /^nodes\[0\]\.vrfs\.red\.interfaces\[2\]: "red-b" is not a segment of node "r1"'s interfaces \(it has "core", "core-red", "core-blue", "red-a" and "blue-a"\)$/m,
    ],
    [
      "a segment twice in one VRF",
      withVrfs((vrfs) => {
        vrfs.red.interfaces = ["red-a", "core-red", "red-a"];
      }),
      /^nodes\[0\]\.vrfs\.red\.interfaces\[2\]: "red-a" is listed twice in VRF "red"$/m,
    ],
    [
      "two VRFs on one table",
      withVrfs((vrfs) => {
        vrfs.blue.table = 1001;
      }),
      /^nodes\[0\]\.vrfs\.blue\.table: 1001 is already VRF "red"'s table on node "r1"$/m,
    ],
    [
      "the kernel's main table",
      withVrfs((vrfs) => {
        vrfs.red.table = 254;
      }),
      /^nodes\[0\]\.vrfs\.red\.table: 253, 254 and 255 are the kernel's default, main and local tables \(got 254\)$/m,
    ],
    [
      "a VRF named like the node's own interfaces",
      withVrfs((vrfs) => {
        vrfs.eth0 = { interfaces: ["core"] };
      }),
      /^nodes\[0\]\.vrfs\.eth0: "eth0" is a name the node uses already \(default, lo, eth<N>\)$/m,
    ],
    [
      "leaking from a VRF that does not exist",
      withVrfs((vrfs) => {
        vrfs.red.import = ["green"];
        vrfs.red.bgp = { asn: 65101 };
      }),
      /^nodes\[0\]\.vrfs\.red\.import\[0\]: "green" is not a VRF of node "r1" \(it has "red" and "blue"\): leaking takes routes from another VRF of the same node$/m,
    ],
    [
      "a VRF leaking from itself",
      withVrfs((vrfs) => {
        vrfs.blue.import = ["blue"];
      }),
      /^nodes\[0\]\.vrfs\.blue\.import\[0\]: "blue" is this VRF itself$/m,
    ],
    [
      "leaking without BGP in both VRFs",
      withVrfs((vrfs) => {
        vrfs.blue.import = ["red"];
      }),
      /^nodes\[0\]\.vrfs\.blue\.import\[0\]: "red": leaking runs through BGP in both VRFs \(FRR's import vrf\); give vrfs\.red a bgp with its asn$/m,
    ],
    [
      "OSPF neighbours in a VRF in different areas",
      withVrfs((vrfs) => {
        vrfs.red.ospf = { area: "0.0.0.1" };
      }, 1),
      /^nodes\[1\]\.vrfs\.red\.ospf\.area: "0\.0\.0\.1" differs from node "r1"'s "0\.0\.0\.0" \(VRF "red"\) on segment "core-red": OSPF neighbours must agree$/m,
    ],
    [
      "a dead interval not above the hellos",
      withVrfs((vrfs) => {
        vrfs.red.ospf = { helloSeconds: 4, deadSeconds: 4 };
      }),
      /^nodes\[0\]\.vrfs\.red\.ospf\.deadSeconds: 4 must be more than helloSeconds \(4\)$/m,
    ],
    [
      "a loopback that cannot be one",
      withVrfs((vrfs) => {
        vrfs.red.loopback = "0.0.0.0";
      }),
      /^nodes\[0\]\.vrfs\.red\.loopback: "0\.0\.0\.0" cannot be a loopback address$/m,
    ],
    [
      "vrfs on a node that is not a router",
      (() => {
        const spec = structuredClone(vrfPair());
        (spec.nodes[2] as unknown as Record<string, unknown>).vrfs = { red: { interfaces: ["red-a"] } };
        return spec;
      })(),
      /^nodes\[2\]\.vrfs: node "h1" is not a router: vrfs runs only on a node with router: true$/m,
    ],
  ])("refuses %s", (_case, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });

  it("refuses an interface with IPv6 in a VRF (Docker's IPv6 addresses would go)", () => {
    const spec = structuredClone(vrfPair()) as unknown as { segments: Record<string, unknown>[]; nodes: Record<string, unknown>[] };
    spec.segments[3].ipv6 = "2001:db8:91:1::/64";
    (spec.nodes[0].interfaces as Record<string, unknown>[])[3].ipv6 = "2001:db8:91:1::1";
    (spec.nodes[2].interfaces as Record<string, unknown>[])[0].ipv6 = "2001:db8:91:1::10";
    expect(issuesOf(spec)).toMatch(
      /^nodes\[0\]\.vrfs\.red\.interfaces\[0\]: "red-a": the interface has IPv6 \(2001:db8:91:1::1\), and VRFs carry IPv4 only here/m,
    );
  });

  it("the lab above is valid as given, with leaking too", () => {
    expect(() => planRoutedLab("vrf", vrfPair())).not.toThrow();
    expect(() => planRoutedLab("vrf", vrfPair(true))).not.toThrow();
  });
});
