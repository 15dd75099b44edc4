/**
 * VLANs (issue 25, item 6): bridge nodes with access and trunk ports, addresses in VLANs (untagged
 * behind an access port or a native VLAN, 802.1Q subinterfaces behind a trunk: a router on a stick),
 * as planned and as the node's init builds them; every mistake refused with its field and value.
 * The kernel here has neither 8021q nor bridge VLAN filtering: packets are the e2e test's
 * (test/e2e/vrf-vlan.test.ts), in the public CI.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { NodePlan, planRoutedLab } from "../../components/routed-lab/plan";
import { renderNodeInit } from "../../components/routed-lab/node-init";
import { vlanKernelNeeds, planVlans } from "../../components/vlan";
import { configIssues } from "../support/config-issues";
import { VLAN_HOSTS, vlanStick, vlanTrunk } from "../support/vlan-labs";

type Spec = ReturnType<typeof vlanTrunk>;
type Loose = Record<string, unknown> & { vlans: { ports?: Record<string, unknown>[]; interfaces?: Record<string, unknown>[] } };
const nodeOf = (spec: unknown, name: string): NodePlan => planRoutedLab("vlan", spec).nodes.find((n) => n.name === name)!;
const issuesOf = (spec: unknown): string => configIssues(() => planRoutedLab("vlan", spec)).join("\n");

/** The trunk lab (or the stick lab) with node `index` changed by `change`. */
function changed(index: number, change: (node: Loose) => void, base: () => Spec = vlanTrunk): Spec {
  const spec = structuredClone(base());
  change(spec.nodes[index] as unknown as Loose);
  return spec;
}

describe("VLANs: the plan and what the init builds", () => {
  it("a bridge node: its ports access or trunk, NET_ADMIN kept", () => {
    const sw1 = nodeOf(vlanTrunk(), "sw1");
    expect(sw1.vlan).toEqual({
      ports: [
        { segment: "a1", access: 10 },
        { segment: "a2", access: 20 },
        { segment: "trunk", trunk: [10, 20] },
      ],
      interfaces: [],
    });
    expect(sw1.capabilities).toContain("NET_ADMIN");
  });

  it("its init: a bridge with VLAN filtering and no default VLAN, access ports untagged, the trunk tagged", () => {
    const init = renderNodeInit(nodeOf(vlanTrunk(), "sw1"));
    const lines = [
      'ip link show nlbridge >/dev/null 2>&1 || ip link add nlbridge type bridge vlan_filtering 1 vlan_default_pvid 0 || { log "cannot create the VLAN bridge: the kernel\'s bridge needs VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"; exit 79; }',
      'ip link set "$NETLABS_IF_A1" master nlbridge',
      'bridge vlan add dev "$NETLABS_IF_A1" vid 10 pvid untagged',
      'bridge vlan add dev "$NETLABS_IF_A2" vid 20 pvid untagged',
      'ip link set "$NETLABS_IF_TRUNK" master nlbridge',
      'bridge vlan add dev "$NETLABS_IF_TRUNK" vid 10 ||',
      'bridge vlan add dev "$NETLABS_IF_TRUNK" vid 20 ||',
      "ip link set nlbridge up",
    ];
    let at = init.indexOf('echo "a2 $NETLABS_IF_A2');
    for (const line of lines) {
      const next = init.indexOf(line, at);
      expect(next, line).toBeGreaterThan(at);
      at = next;
    }
    expect(init.indexOf("touch /run/netlabs/ready")).toBeGreaterThan(at);
  });

  it("a host behind an access port holds its VLAN address on its interface, untagged", () => {
    const h1 = nodeOf(vlanTrunk(), "h1");
    expect(h1.vlan?.interfaces).toEqual([{ segment: "a1", vlan: 10, address: VLAN_HOSTS.h1.address, prefixLength: 24, tagged: false }]);
    expect(renderNodeInit(h1)).toContain(
      `ip addr replace ${VLAN_HOSTS.h1.address}/24 dev "$NETLABS_IF_A1" || { log "cannot add VLAN 10's address ${VLAN_HOSTS.h1.address}/24 on segment a1"; exit 79; }`,
    );
  });

  it("a router on a stick: an 802.1Q subinterface per tagged VLAN, the native VLAN on the interface", () => {
    const r1 = nodeOf(vlanStick(), "r1");
    expect(r1.vlan?.interfaces.map((iface) => [iface.vlan, iface.tagged])).toEqual([
      [10, true],
      [20, true],
      [30, false],
    ]);
    const init = renderNodeInit(r1);
    expect(init).toContain(
      'ip link show "$NETLABS_IF_STICK.10" >/dev/null 2>&1 || ip link add link "$NETLABS_IF_STICK" name "$NETLABS_IF_STICK.10" type vlan id 10 || { log "cannot add VLAN 10 on segment stick: the kernel needs the 8021q module"; exit 79; }',
    );
    expect(init).toContain('ip link set "$NETLABS_IF_STICK.20" up');
    expect(init).toContain('ip addr replace 10.94.20.1/24 dev "$NETLABS_IF_STICK.20"');
    expect(init).toContain('ip addr replace 10.94.30.1/24 dev "$NETLABS_IF_STICK" ||');
    expect(renderNodeInit(nodeOf(vlanStick(), "sw2"))).toContain('bridge vlan add dev "$NETLABS_IF_STICK" vid 30 pvid untagged');
  });

  it("the kernel features each node needs: 8021q for tagged interfaces, VLAN filtering for bridges", () => {
    const plan = planRoutedLab("vlan", vlanStick());
    const plans = new Map(plan.nodes.flatMap((node) => (node.vlan ? [[node.name, node.vlan] as const] : [])));
    expect(vlanKernelNeeds(plans)).toEqual({ "8021q": ["r1"], "bridge-vlan-filtering": ["sw1", "sw2"] });
    expect(planVlans([], []).plans.size).toBe(0);
  });

  it("a lab of bridges and hosts alone gets its bridges guarded (its frames carry addresses of no segment)", () => {
    const plan = planRoutedLab("vlan", vlanTrunk());
    expect(plan.nodes.some((node) => node.router)).toBe(false);
    expect(plan.guardedBridges).toHaveLength(plan.segments.length);
  });
});

describe("VLANs: every node's init is valid sh", () => {
  it("sh -n reads each", () => {
    for (const node of planRoutedLab("lab", vlanStick()).nodes) execFileSync("sh", ["-n"], { input: renderNodeInit(node) });
  });
});

describe("VLANs: every mistake refused with its field and value", () => {
  it.each<[string, Spec, RegExp]>([
    [
      "a VLAN id above 4094",
      changed(0, (sw) => {
        sw.vlans.ports![0].access = 4095;
      }),
      /^nodes\[0\]\.vlans\.ports\[0\]\.access: must be a VLAN id from 1 to 4094 \(got 4095\)$/m,
    ],
    [
      "a VLAN id 0 on a trunk",
      changed(0, (sw) => {
        sw.vlans.ports![2].trunk = [10, 0];
      }),
      /^nodes\[0\]\.vlans\.ports\[2\]\.trunk\[1\]: must be a VLAN id from 1 to 4094 \(got 0\)$/m,
    ],
    [
      "an access port on two VLANs",
      changed(0, (sw) => {
        sw.vlans.ports!.push({ segment: "a1", access: 20 });
      }),
      /^nodes\[0\]\.vlans\.ports\[3\]\.segment: "a1" is already ports\[0\]; as access 20 too it would be an access port on two VLANs/m,
    ],
    [
      "a port both access and trunk",
      changed(0, (sw) => {
        sw.vlans.ports![0].trunk = [20];
      }),
      /^nodes\[0\]\.vlans\.ports\[0\]: access 10 and trunk \[20\]: a port is an access port of one VLAN or a trunk, not both$/m,
    ],
    [
      "a port with no VLAN",
      changed(0, (sw) => {
        sw.vlans.ports![0] = { segment: "a1" };
      }),
      /^nodes\[0\]\.vlans\.ports\[0\]: carries no VLAN: give access \(a VLAN id\) or trunk \(VLAN ids\)$/m,
    ],
    [
      "a trunk with a VLAN twice",
      changed(0, (sw) => {
        sw.vlans.ports![2].trunk = [10, 20, 10];
      }),
      /^nodes\[0\]\.vlans\.ports\[2\]\.trunk: VLAN 10 is listed twice in \[10,20,10\]$/m,
    ],
    [
      "a native VLAN the trunk does not carry",
      changed(0, (sw) => {
        sw.vlans.ports![2].native = 30;
      }),
      /^nodes\[0\]\.vlans\.ports\[2\]\.native: 30 is not one of the trunk's VLANs \[10,20\]$/m,
    ],
    [
      "a native VLAN on an access port",
      changed(0, (sw) => {
        sw.vlans.ports![0].native = 10;
      }),
      /^nodes\[0\]\.vlans\.ports\[0\]\.native: 10: native is a trunk's untagged VLAN; an access port's VLAN is its access$/m,
    ],
    [
      "a port on a segment the node is not on",
      changed(0, (sw) => {
        sw.vlans.ports![0].segment = "b1";
      }),
      /^nodes\[0\]\.vlans\.ports\[0\]\.segment: "b1" is not a segment of node "sw1"'s interfaces$/m,
    ],
    [
      "a bridge of one port",
      changed(0, (sw) => {
        sw.vlans.ports = [{ segment: "trunk", trunk: [10] }];
      }),
      /^nodes\[0\]\.vlans\.ports: node "sw1" has one bridge port: a bridge needs two at least$/m,
    ],
    [
      "a bridge node that is a router",
      changed(0, (sw) => {
        sw.router = true;
      }),
      /^nodes\[0\]\.vlans\.ports: node "sw1" is a router: a bridge node bridges/m,
    ],
    [
      "a host in a VLAN its access port does not carry",
      changed(2, (h1) => {
        h1.vlans.interfaces![0].vlan = 20;
      }),
      /^nodes\[2\]\.vlans\.interfaces\[0\]\.vlan: 20 is not carried on segment "a1": node "sw1"'s port there is an access port of VLAN 10$/m,
    ],
    [
      "a VLAN address without its prefix length",
      changed(2, (h1) => {
        h1.vlans.interfaces![0].address = "10.94.0.11";
      }),
      /^nodes\[2\]\.vlans\.interfaces\[0\]\.address: "10\.94\.0\.11" is not an IPv4 address with its VLAN's prefix length, such as 10\.94\.0\.11\/24 \(\/8 to \/30\)$/m,
    ],
    [
      "a VLAN address inside a segment",
      changed(2, (h1) => {
        h1.vlans.interfaces![0].address = "10.95.1.5/24";
      }),
      /^nodes\[2\]\.vlans\.interfaces\[0\]\.address: "10\.95\.1\.5\/24" is inside segment "a1" \(10\.95\.1\.0\/29\); a VLAN's addresses are its own$/m,
    ],
    [
      "a VLAN address another node holds",
      changed(4, (h3) => {
        h3.vlans.interfaces![0].address = `${VLAN_HOSTS.h1.address}/24`;
      }),
      /^nodes\[4\]\.vlans\.interfaces\[0\]\.address: "10\.94\.0\.11\/24" is already node "h1"'s address in VLAN 10$/m,
    ],
    [
      "a node twice in one VLAN on one segment",
      changed(2, (h1) => {
        h1.vlans.interfaces!.push({ segment: "a1", vlan: 10, address: "10.94.0.21/24" });
      }),
      /^nodes\[2\]\.vlans\.interfaces\[1\]\.vlan: 10: node "h1" has an address in VLAN 10 on segment "a1" already$/m,
    ],
    [
      "a bridge port that holds a VLAN address of its node",
      changed(0, (sw) => {
        sw.vlans.interfaces = [{ segment: "trunk", vlan: 10, address: "10.94.0.1/24" }];
      }),
      /^nodes\[0\]\.vlans\.ports\[2\]\.segment: "trunk" is a bridge port and one of the node's vlans\.interfaces: a port carries no address of its bridge node$/m,
    ],
  ])("refuses %s", (_case, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });

  it("the labs above are valid as given", () => {
    expect(() => planRoutedLab("vlan", vlanTrunk())).not.toThrow();
    expect(() => planRoutedLab("vlan", vlanStick())).not.toThrow();
  });
});
