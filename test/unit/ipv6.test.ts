/**
 * IPv6 in RoutedLab (issue 21, the foundation): a segment's ipv6 prefix, an interface's ipv6, a
 * router's loopback6, IPv6 static routes and checks; what they become (Docker's IPv6 IPAM, each
 * container's IPv6 address and sysctls, the node init, the bridge guard's ip6tables rules), what the
 * outputs and the diagram show, and every mistake named with its field and value.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bridgeRuleSteps } from "../../components/host/host-guard-script";
import { RoutedLab } from "../../components/routed-lab";
import { renderNodeInit } from "../../components/routed-lab/node-init";
import { NodePlan, RoutedLabSpecInput, planRoutedLab } from "../../components/routed-lab/plan";
import { configIssues } from "../support/config-issues";
import { networkCreateArgs, networkEmulator } from "../support/double/network";
import { DUAL_STACK, dualStackLab } from "../support/ipv6-labs";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const issuesOf = (spec: unknown): string => configIssues(() => planRoutedLab("lab", spec)).join("\n");
const nodeOf = (spec: unknown, name: string): NodePlan => planRoutedLab("lab", spec).nodes.find((n) => n.name === name)!;

/** The dual-stack lab with `change` applied to a copy. */
function changed(change: (spec: RoutedLabSpecInput) => void): RoutedLabSpecInput {
  const spec = structuredClone(dualStackLab()) as RoutedLabSpecInput;
  change(spec);
  return spec;
}

/** The dual-stack lab's router r1 running OSPF with loopbacks of both families. */
function withLoopback6(loopback6: string, node = 1): RoutedLabSpecInput {
  return changed((spec) => Object.assign(spec.nodes[node], { ospf: {}, loopback: "10.255.0.1", loopback6 }));
}

describe("IPv6 plan", () => {
  it("gives a segment its prefix and Docker's IPv6 gateway on the prefix's last address", () => {
    const plan = planRoutedLab("lab", dualStackLab());
    expect(plan.segments[0]).toMatchObject({
      subnet: { cidr: "10.61.1.0/24" },
      gateway: "10.61.1.254",
      ipv6: { network: "2001:db8:61:1::", prefixLength: 64, cidr: "2001:db8:61:1::/64" },
      gateway6: "2001:db8:61:1:ffff:ffff:ffff:ffff",
    });
    const point = planRoutedLab("p", {
      segments: [{ name: "p2p", subnet: "10.0.0.0/30", ipv6: "2001:db8::/127" }],
      nodes: [{ name: "a", image: "client", interfaces: [{ segment: "p2p", address: "10.0.0.1", ipv6: "2001:db8::" }] }],
    });
    // A /127 has two addresses, both usable (RFC 6164): Docker's gateway takes the last.
    expect(point.segments[0].gateway6).toBe("2001:db8::1");
    expect(point.nodes[0].interfaces[0]).toMatchObject({ ipv6: "2001:db8::", ipv6PrefixLength: 127 });
  });

  it("keeps each interface's IPv6 address in RFC 5952 text with its prefix length, for the protocols to read", () => {
    const spec = changed((s) => (s.nodes[0].interfaces[0].ipv6 = "2001:DB8:61:1:0:0:0:10"));
    expect(nodeOf(spec, "h1").interfaces).toEqual([
      { segment: "lan1", address: "10.61.1.10", prefixLength: 24, ipv6: "2001:db8:61:1::10", ipv6PrefixLength: 64, aliases: [] },
    ]);
  });

  it("plans IPv6 routes with canonical addresses, default6 for ::/0, beside the IPv4 ones as given", () => {
    expect(nodeOf(dualStackLab(), "h1").routes).toEqual([
      { to: "default", via: "10.61.1.1" },
      { to: "default6", via: "2001:db8:61:1::1" },
    ]);
    expect(nodeOf(dualStackLab(), "web").routes).toEqual([{ to: "default6", via: "2001:db8:61:2::1" }]);
    const spelled = changed((s) => (s.nodes[2].routes![0] = { to: "2001:DB8:61:1:0::/64", via: "2001:db8:61:2:0::1" }));
    expect(nodeOf(spelled, "h2").routes[0]).toEqual({ to: "2001:db8:61:1::/64", via: "2001:db8:61:2::1" });
  });

  it("gives a router its loopback6 (canonical), in its routing plan and outputs", () => {
    const plan = planRoutedLab("lab", withLoopback6("2001:DB8:FF::1"));
    expect(plan.nodes[1].routing).toMatchObject({ loopback: "10.255.0.1", loopback6: "2001:db8:ff::1" });
  });

  it("takes IPv6 targets in checks: a ping and a fetch of a bracketed URL", () => {
    expect(planRoutedLab("lab", dualStackLab()).checks).toEqual([
      { from: "h1", container: "lab-h1", reach: "2001:db8:61:2::10" },
      { from: "h2", container: "lab-h2", reach: "2001:db8:61:1::10" },
      { from: "h1", container: "lab-h1", fetch: "http://[2001:db8:61:2::20]/", expect: "docker-netlabs" },
    ]);
  });

  it("marks IPv4-only nodes as before: no IPv6 fields on them", () => {
    const ipv4 = changed((s) => {
      s.segments[0].ipv6 = undefined;
      for (const iface of s.nodes.flatMap((n) => n.interfaces)) if (iface.segment === "lan1") iface.ipv6 = undefined;
      s.nodes[0].routes = [{ to: "default", via: "10.61.1.1" }];
    });
    const h1 = nodeOf(ipv4, "h1");
    expect("dropDockerDefaultRoute6" in h1).toBe(false);
    expect("ipv6" in h1.interfaces[0]).toBe(false);
    expect("ipv6" in planRoutedLab("lab", ipv4).segments[0]).toBe(false);
  });
});

describe("IPv6 mistakes, each named with its field and value", () => {
  it.each<[string, RoutedLabSpecInput, RegExp]>([
    [
      "a malformed prefix",
      changed((s) => (s.segments[0].ipv6 = "2001:db8:61:zz::/64")),
      /^segments\[0\]\.ipv6: "2001:db8:61:zz::\/64" is not an IPv6 prefix such as 2001:db8:1::\/64$/m,
    ],
    [
      "a prefix wider than /64",
      changed((s) => (s.segments[0].ipv6 = "2001:db8:61::/48")),
      /^segments\[0\]\.ipv6: "2001:db8:61::\/48" needs a prefix length between \/64 and \/127$/m,
    ],
    [
      "a /128 prefix",
      changed((s) => (s.segments[0].ipv6 = "2001:db8:61:1::/128")),
      /^segments\[0\]\.ipv6: "2001:db8:61:1::\/128" needs a prefix length between \/64 and \/127$/m,
    ],
    [
      "a prefix that is no network address",
      changed((s) => (s.segments[0].ipv6 = "2001:db8:61:1::1/64")),
      /^segments\[0\]\.ipv6: "2001:db8:61:1::1\/64" is not a network address \(did you mean 2001:db8:61:1::\/64\?\)$/m,
    ],
    [
      "a link-local prefix",
      changed((s) => (s.segments[0].ipv6 = "fe80::/64")),
      /^segments\[0\]\.ipv6: "fe80::\/64" is a link-local prefix; a segment's is a unicast one/m,
    ],
    [
      "overlapping prefixes",
      changed((s) => (s.segments[1].ipv6 = "2001:db8:61:1::ff00/120")),
      /^segments\[1\]\.ipv6: "2001:db8:61:1::ff00\/120" overlaps segment "lan1" \(2001:db8:61:1::\/64\)$/m,
    ],
    [
      "an IPv6-only segment",
      changed((s) => ((s.segments[0] as { subnet?: string }).subnet = undefined)),
      /^segments\[0\]\.subnet: segment "lan1" has ipv6 "2001:db8:61:1::\/64" and no subnet: IPv6-only segments are refused/m,
    ],
    [
      "a stretched segment with IPv6",
      changed((s) => Object.assign(s.segments[0], { gateway: "10.61.1.253", vxlan: { id: 42, remote: "192.0.2.2" } })),
      /^segments\[0\]\.ipv6: "2001:db8:61:1::\/64": a stretched segment carries IPv4 only/m,
    ],
    [
      "ipv6 on an interface whose segment has none",
      changed((s) => {
        s.segments[0].ipv6 = undefined;
        s.nodes[1].interfaces[0].ipv6 = undefined;
        s.nodes[0].routes = [];
      }),
      /^nodes\[0\]\.interfaces\[0\]\.ipv6: "2001:db8:61:1::10" is on segment "lan1", which has no ipv6 prefix: give the segment its ipv6 first$/m,
    ],
    [
      "an interface without ipv6 on a segment with IPv6",
      changed((s) => (s.nodes[3].interfaces[0].ipv6 = undefined)),
      /^nodes\[3\]\.interfaces\[0\]\.ipv6: segment "lan2" has IPv6 \(2001:db8:61:2::\/64\): give the interface its IPv6 address there/m,
    ],
    [
      "a malformed interface address",
      changed((s) => (s.nodes[0].interfaces[0].ipv6 = "2001:db8:61:1::10%eth0")),
      /^nodes\[0\]\.interfaces\[0\]\.ipv6: "2001:db8:61:1::10%eth0" is not an IPv6 address$/m,
    ],
    [
      "an address outside the segment's prefix",
      changed((s) => (s.nodes[0].interfaces[0].ipv6 = "2001:db8:61:2::10")),
      /^nodes\[0\]\.interfaces\[0\]\.ipv6: "2001:db8:61:2::10" is outside segment "lan1"'s IPv6 prefix \(2001:db8:61:1::\/64\)/m,
    ],
    [
      "the prefix's Subnet-Router anycast address",
      changed((s) => (s.nodes[0].interfaces[0].ipv6 = "2001:db8:61:1::")),
      /^nodes\[0\]\.interfaces\[0\]\.ipv6: "2001:db8:61:1::" is outside .* or is its Subnet-Router anycast address$/m,
    ],
    [
      "Docker's IPv6 gateway",
      changed((s) => (s.nodes[0].interfaces[0].ipv6 = "2001:db8:61:1:ffff:ffff:ffff:ffff")),
      /^nodes\[0\]\.interfaces\[0\]\.ipv6: "2001:db8:61:1:ffff:ffff:ffff:ffff" is already segment "lan1"'s IPv6 gateway$/m,
    ],
    [
      "a duplicate address, spelled otherwise",
      changed((s) => (s.nodes[3].interfaces[0].ipv6 = "2001:DB8:61:2:0:0:0:10")),
      /^nodes\[3\]\.interfaces\[0\]\.ipv6: "2001:DB8:61:2:0:0:0:10" is already node "h2"'s IPv6 address$/m,
    ],
    [
      "a next hop not on-link",
      changed((s) => (s.nodes[0].routes![1] = { to: "default6", via: "2001:db8:61:2::1" })),
      /^nodes\[0\]\.routes\[1\]\.via: next hop "2001:db8:61:2::1" is not on-link: no IPv6 segment node "h1" is attached to holds it$/m,
    ],
    [
      "a next hop that is the node's own address",
      changed((s) => (s.nodes[0].routes![1] = { to: "default6", via: "2001:db8:61:1::10" })),
      /^nodes\[0\]\.routes\[1\]\.via: next hop "2001:db8:61:1::10" is the node's own IPv6 address$/m,
    ],
    [
      "an IPv6 destination with an IPv4 next hop",
      changed((s) => (s.nodes[0].routes![1] = { to: "2001:db8:61:2::/64", via: "10.61.1.1" })),
      /^nodes\[0\]\.routes\[1\]\.via: "10.61.1.1" is not an IPv6 address; a route to "2001:db8:61:2::\/64" \(IPv6\) takes an IPv6 next hop$/m,
    ],
    [
      "an IPv4 destination with an IPv6 next hop",
      changed((s) => (s.nodes[0].routes![0] = { to: "10.61.2.0/24", via: "2001:db8:61:1::1" })),
      /^nodes\[0\]\.routes\[0\]\.via: "2001:db8:61:1::1" is not an IPv4 address; a route to "10.61.2.0\/24" \(IPv4\) takes an IPv4 next hop$/m,
    ],
    [
      "a malformed IPv6 destination",
      changed((s) => (s.nodes[0].routes![1] = { to: "2001:db8:61:2::1/64", via: "2001:db8:61:1::1" })),
      /^nodes\[0\]\.routes\[1\]\.to: "2001:db8:61:2::1\/64" is not a network address \(did you mean 2001:db8:61:2::\/64\?\) \(or "default6"\)$/m,
    ],
    [
      "default6 and ::/0 on one node",
      changed((s) => s.nodes[0].routes!.push({ to: "::/0", via: "2001:db8:61:1::1" })),
      /^nodes\[0\]\.routes\[2\]\.to: "::\/0" has another route on this node$/m,
    ],
    [
      "loopback6 inside a segment's prefix",
      withLoopback6("2001:db8:61:1::99"),
      /^nodes\[1\]\.loopback6: "2001:db8:61:1::99" is inside segment "lan1"'s IPv6 prefix \(2001:db8:61:1::\/64\); a loopback is an address of its own$/m,
    ],
    [
      "a malformed loopback6",
      withLoopback6("2001:db8:ff::1/128"),
      /^nodes\[1\]\.loopback6: must be an IPv6 address \(got "2001:db8:ff::1\/128"\)$/m,
    ],
    [
      "a link-local loopback6",
      withLoopback6("fe80::1"),
      /^nodes\[1\]\.loopback6: "fe80::1" cannot be a loopback address \(it is a link-local address\)$/m,
    ],
    [
      "loopback6 on a node without a protocol",
      changed((s) => Object.assign(s.nodes[1], { loopback6: "2001:db8:ff::1" })),
      /^nodes\[1\]\.loopback6: "2001:db8:ff::1": only a node with ospf, isis, bgp or vrfs has a loopback6$/m,
    ],
    [
      "one loopback6 on two routers",
      changed((s) => {
        s.nodes.push({
          name: "r2",
          image: "router",
          router: true,
          ospf: {},
          loopback6: "2001:db8:ff::1",
          interfaces: [{ segment: "lan2", address: "10.61.2.2", ipv6: "2001:db8:61:2::2" }],
        });
        Object.assign(s.nodes[1], { ospf: {}, loopback6: "2001:db8:ff:0::1" });
      }),
      /^nodes\[4\]\.loopback6: "2001:db8:ff::1" is already node "r1"'s IPv6 loopback$/m,
    ],
    [
      "a check that reaches no address",
      changed((s) => (s.checks![0] = { from: "h1", reach: "2001:db8:61:2::zz" })),
      /^checks\[0\]\.reach: must be an IPv4 or IPv6 address \(got "2001:db8:61:2::zz"\)$/m,
    ],
  ])("%s", (_, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });
});

describe("IPv6 rendered", () => {
  it("waits for each IPv6 address on the interface its IPv4 one found, and sets IPv6 routes", () => {
    const h1 = renderNodeInit(nodeOf(dualStackLab(), "h1"));
    expect(h1).toContain('wait_for6 "$NETLABS_IF_LAN1" 2001:db8:61:1::10 || exit 71');
    expect(h1).toContain('echo "lan1 $NETLABS_IF_LAN1 10.61.1.10/24 2001:db8:61:1::10/64" >> /run/netlabs/interfaces');
    expect(h1).toContain(
      'ip -6 route replace default via 2001:db8:61:1::1 || { log "cannot add IPv6 route default6 via 2001:db8:61:1::1"; exit 73; }',
    );
    const h2 = renderNodeInit(nodeOf(dualStackLab(), "h2"));
    expect(h2).toContain("ip -6 route del default 2>/dev/null || true");
    expect(h2).toContain("ip -6 route replace 2001:db8:61:1::/64 via 2001:db8:61:2::1 ||");
    // h1 has an IPv6 default of its own: Docker's is replaced, not dropped first.
    expect(h1).not.toContain("ip -6 route del default");
    const r1 = renderNodeInit(nodeOf(dualStackLab(), "r1"));
    expect(r1).toContain('[ "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" = 1 ] || { log "IPv6 forwarding is off');
    for (const script of [h1, h2, r1]) execFileSync("sh", ["-n"], { input: script });
  });

  it("finds an IPv6 address in real `ip -o -6 addr show dev` output (not a longer one, not another interface's)", () => {
    const script = renderNodeInit(nodeOf(dualStackLab(), "h1"));
    const finder = script.split("\n").find((line) => line.startsWith("has_addr6()"))!;
    const sample = [
      "55: eth0    inet6 2001:db8:61:1::10/64 scope global nodad \\       valid_lft forever preferred_lft forever",
      "55: eth0    inet6 fe80::42:acff:fe11:2/64 scope link \\       valid_lft forever preferred_lft forever",
    ].join("\n");
    const probe = `ip() { printf '%s\\n' '${sample}'; }\n${finder}\nfor a in 2001:db8:61:1::10 2001:db8:61:1::1 2001:db8:61:1::100; do has_addr6 eth0 $a && echo $a; done; true`;
    expect(execFileSync("sh", ["-c", probe]).toString()).toBe("2001:db8:61:1::10\n");
  });

  it("adds a router's loopback6 to lo as a /128 beside its loopback", () => {
    const script = renderNodeInit(planRoutedLab("lab", withLoopback6("2001:db8:ff::1")).nodes[1]);
    expect(script).toContain("ip addr replace 10.255.0.1/32 dev lo");
    expect(script).toContain('ip -6 addr replace 2001:db8:ff::1/128 dev lo || { log "cannot add IPv6 loopback 2001:db8:ff::1"; exit 75; }');
  });

  it("declares each IPv6 segment's network with IPv6 and a second IPAM entry, each container with its IPv6 address and sysctls", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new RoutedLab("v6", { spec: dualStackLab() }));
    const network = mocks.named("v6-lan1").inputs;
    expect(network.ipv6).toBe(true);
    expect(network.ipamConfigs).toEqual([
      { subnet: "10.61.1.0/24", gateway: "10.61.1.254" },
      { subnet: "2001:db8:61:1::/64", gateway: "2001:db8:61:1:ffff:ffff:ffff:ffff" },
    ]);
    const container = (name: string) => mocks.named(`v6-${name}`).inputs;
    expect(container("r1").networksAdvanced.map((n: { ipv6Address?: string }) => n.ipv6Address)).toEqual([
      DUAL_STACK.lan1.ipv6.replace("::/64", "::1"),
      "2001:db8:61:2::1",
    ]);
    expect(container("h1").sysctls).toEqual({ "net.ipv6.conf.all.accept_ra": "0", "net.ipv6.conf.default.accept_ra": "0" });
    expect(container("r1").sysctls).toEqual({
      "net.ipv4.ip_forward": "1",
      "net.ipv4.conf.all.rp_filter": "0",
      "net.ipv6.conf.all.accept_ra": "0",
      "net.ipv6.conf.default.accept_ra": "0",
      "net.ipv6.conf.all.forwarding": "1",
      "net.ipv6.conf.default.forwarding": "1",
    });
    const guard = mocks.resources.find(
      (r) => r.name.startsWith("v6-bridge-guard") && r.type === "docker:index/container:Container",
    )!.inputs;
    expect(JSON.stringify(guard)).toContain("ip6tables-nft ip6tables-legacy");
  });

  it("shows IPv6 in the outputs and the diagram", async () => {
    const lab = await runProgram(new RecordingMocks(), () => new RoutedLab("v6", { spec: dualStackLab() }));
    expect(lab.nodes.h1).toMatchObject({ addresses: { lan1: "10.61.1.10" }, addresses6: { lan1: "2001:db8:61:1::10" } });
    expect(lab.segments.lan2).toMatchObject({
      subnet: "10.61.2.0/24",
      ipv6: "2001:db8:61:2::/64",
      gateway6: "2001:db8:61:2:ffff:ffff:ffff:ffff",
    });
    expect(lab.mermaid).toContain('seg_lan1(["lan1<br/>10.61.1.0/24<br/>2001:db8:61:1::/64<br/>bridge"])');
    expect(lab.mermaid).toContain('node_h1 ---|"10.61.1.10<br/>2001:db8:61:1::10"| seg_lan1');
    const routed = await runProgram(new RecordingMocks(), () => new RoutedLab("v6", { spec: withLoopback6("2001:db8:ff::1") as never }));
    expect(routed.nodes.r1.routing).toMatchObject({ loopback: "10.255.0.1", loopback6: "2001:db8:ff::1" });
  });

  it("admits bridged IPv6 in ip6tables on the IPv6 bridges only, and sweeps those rules too", () => {
    const ipv4 = bridgeRuleSteps(["nl-a", "nl-b"], "docker-netlabs:lab");
    const both = bridgeRuleSteps(["nl-a", "nl-b"], "docker-netlabs:lab", ["nl-b"]);
    expect(JSON.stringify(ipv4)).not.toContain("ip6tables");
    expect(both.setup.slice(0, ipv4.setup.length)).toEqual(ipv4.setup);
    expect(both.setup.slice(ipv4.setup.length)).toEqual([
      `{ [ -z "$IP6T" ] || "$IP6T" -w 5 -C DOCKER-USER '-i' 'nl-b' '-m' 'physdev' '--physdev-is-bridged' '-m' 'comment' '--comment' 'docker-netlabs:lab' '-j' 'ACCEPT' 2>/dev/null || "$IP6T" -w 5 -I DOCKER-USER '-i' 'nl-b' '-m' 'physdev' '--physdev-is-bridged' '-m' 'comment' '--comment' 'docker-netlabs:lab' '-j' 'ACCEPT'; }`,
    ]);
    expect(both.sweep!.join("\n")).toContain("for b in ip6tables-nft ip6tables-legacy; do");
    for (const lines of [both.prelude!, both.setup, both.teardown, both.sweep!]) {
      execFileSync("sh", ["-n"], { input: `f() {\n${lines.join("\n")}\n}\n` });
    }
  });
});

describe("(test double) the Network provider with IPv6", () => {
  const inputs = {
    name: "lan",
    driver: "bridge",
    internal: true,
    ipv6: true,
    ipamConfigs: [
      { subnet: "10.61.1.0/24", gateway: "10.61.1.254" },
      { subnet: "2001:db8:61:1::/64", gateway: "2001:db8:61:1:ffff:ffff:ffff:ffff" },
    ],
  };

  it("creates the network with --ipv6 and each IPAM entry's subnet and gateway", () => {
    expect(networkCreateArgs("lan", inputs)).toEqual([
      "network",
      "create",
      "--driver",
      "bridge",
      "--internal",
      "--ipv6",
      "--subnet",
      "10.61.1.0/24",
      "--gateway",
      "10.61.1.254",
      "--subnet",
      "2001:db8:61:1::/64",
      "--gateway",
      "2001:db8:61:1:ffff:ffff:ffff:ffff",
      "lan",
    ]);
  });

  it("takes ipam_config as a set (its order is no change) and replaces on ipv6", () => {
    const network = {
      type: "Network",
      resourceType: "docker:index/network:Network",
      name: "lan",
      id: "lan",
      inputs,
      destroy: async () => {},
      dependencies: [],
    };
    const reordered = { ...inputs, ipamConfigs: [...inputs.ipamConfigs].reverse() };
    expect(networkEmulator.diff(network, reordered)).toMatchObject({ changes: false });
    expect(networkEmulator.diff(network, { ...inputs, ipv6: false })).toMatchObject({ changes: true, replace: true });
  });
});
