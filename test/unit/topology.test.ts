import { describe, expect, it } from "vitest";
import { configIssues } from "../support/config-issues";
import { hostAddress, lastUsableAddress, parseSubnet, subnetsOverlap } from "../../components/net/addressing";
import { renderMermaid } from "../../components/net/mermaid";
import { bridgeNameFor, requiredLabImages } from "../../components/net/topology";
import { RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";

function twoLans(): RoutedLabSpec {
  return {
    segments: [
      { name: "lan1", subnet: "10.1.1.0/24" },
      { name: "lan2", subnet: "10.1.2.0/24" },
    ],
    nodes: [
      {
        name: "r1",
        image: "router",
        router: true,
        interfaces: [
          { segment: "lan1", address: "10.1.1.1" },
          { segment: "lan2", address: "10.1.2.1" },
        ],
      },
      {
        name: "h1",
        image: "client",
        interfaces: [{ segment: "lan1", address: "10.1.1.10" }],
        routes: [{ to: "default", via: "10.1.1.1" }],
      },
    ],
  };
}

/** Plans `spec` and returns the error's issue lines; fails the test if planning succeeds. */
const issuesOf = (spec: unknown, options = {}): string[] => configIssues(() => planRoutedLab("lab", spec, options));

describe("addressing", () => {
  it("parses network CIDRs and refuses host addresses with a hint", () => {
    expect(parseSubnet("10.0.1.0/24")).toEqual({ network: "10.0.1.0", prefixLength: 24, cidr: "10.0.1.0/24" });
    expect(parseSubnet("10.0.1.5/24")).toBe("is not a network address (did you mean 10.0.1.0/24?)");
    expect(parseSubnet("10.0.1.0")).toMatch(/not an IPv4 CIDR/);
    expect(parseSubnet("300.0.1.0/24")).toMatch(/not an IPv4 CIDR/);
    expect(parseSubnet("10.0.0.0/31")).toMatch(/between \/8 and \/30/);
  });

  it("computes host and gateway addresses and overlaps", () => {
    const subnet = parseSubnet("10.0.1.0/24") as Exclude<ReturnType<typeof parseSubnet>, string>;
    expect(hostAddress(subnet, 1)).toBe("10.0.1.1");
    expect(lastUsableAddress(subnet)).toBe("10.0.1.254");
    expect(() => hostAddress(subnet, 255)).toThrow(/outside/);
    const wide = parseSubnet("10.0.0.0/16") as typeof subnet;
    const other = parseSubnet("10.1.0.0/24") as typeof subnet;
    expect(subnetsOverlap(subnet, wide)).toBe(true);
    expect(subnetsOverlap(subnet, other)).toBe(false);
  });
});

describe("planRoutedLab", () => {
  it("plans names, gateways away from .1, bridges and the guard", () => {
    const plan = planRoutedLab("lab", twoLans(), { namePrefix: "t1-" });
    expect(plan.segments.map((s) => [s.networkName, s.gateway])).toEqual([
      ["t1-lab-lan1", "10.1.1.254"],
      ["t1-lab-lan2", "10.1.2.254"],
    ]);
    for (const segment of plan.segments) {
      expect(segment.bridgeName).toBe(bridgeNameFor(segment.networkName));
      expect(segment.bridgeName!.length).toBeLessThanOrEqual(15);
    }
    expect(plan.guardedBridges).toEqual(plan.segments.map((s) => s.bridgeName));
    expect(plan.nodes.map((n) => n.containerName)).toEqual(["t1-lab-r1", "t1-lab-h1"]);
    expect(requiredLabImages(plan)).toEqual(["client", "router"]);
  });

  it("needs no guard without a router", () => {
    const spec = twoLans();
    spec.nodes = spec.nodes.filter((n) => n.name !== "r1");
    spec.nodes[0].routes = [];
    expect(planRoutedLab("lab", spec).guardedBridges).toEqual([]);
  });

  it("publishes through Docker on open segments and through a forwarder on internal ones", () => {
    const spec = twoLans();
    spec.segments[0].internal = false;
    spec.nodes[1].publish = [{ containerPort: 80, hostPort: 8080 }];
    spec.nodes[0].publish = [{ containerPort: 22, hostPort: 2222 }];
    spec.segments[0].internal = true;
    const internalPlan = planRoutedLab("lab", spec);
    expect(internalPlan.nodes[1].publish[0]).toMatchObject({ via: "forwarder", targetAddress: "10.1.1.10", hostAddress: "127.0.0.1" });
    spec.segments[1].internal = false;
    const mixed = planRoutedLab("lab", spec);
    expect(mixed.nodes[0].publish[0]).toMatchObject({ via: "docker", targetAddress: "10.1.2.1" });
  });

  it.each([
    [
      "overlapping subnets",
      (s: any) => (s.segments[1].subnet = "10.1.0.0/16"),
      /segments\[1\]\.subnet: "10.1.0.0\/16" overlaps segment "lan1"/,
    ],
    [
      "a subnet that is not a network",
      (s: any) => (s.segments[0].subnet = "10.1.1.7/24"),
      /segments\[0\]\.subnet: "10.1.1.7\/24" is not a network address/,
    ],
    [
      "an address outside its segment",
      (s: any) => (s.nodes[1].interfaces[0].address = "10.9.9.9"),
      /nodes\[1\]\.interfaces\[0\]\.address: "10.9.9.9" is outside segment "lan1"/,
    ],
    [
      "a broadcast address",
      (s: any) => (s.nodes[1].interfaces[0].address = "10.1.1.255"),
      /"10.1.1.255" is outside segment "lan1".*broadcast/,
    ],
    [
      "a duplicate address",
      (s: any) => (s.nodes[1].interfaces[0].address = "10.1.1.1"),
      /nodes\[1\]\.interfaces\[0\]\.address: "10.1.1.1" is already node "r1"'s address/,
    ],
    [
      "an address taken by Docker's gateway",
      (s: any) => (s.nodes[1].interfaces[0].address = "10.1.1.254"),
      /"10.1.1.254" is already segment "lan1"'s gateway/,
    ],
    [
      "an unknown segment",
      (s: any) => (s.nodes[1].interfaces[0].segment = "lan9"),
      /nodes\[1\]\.interfaces\[0\]\.segment: "lan9" is not a segment of this lab/,
    ],
    [
      "a route via an unreachable next hop",
      (s: any) => (s.nodes[1].routes[0].via = "10.1.2.1"),
      /nodes\[1\]\.routes\[0\]\.via: next hop "10.1.2.1" is not on any segment node "h1" is attached to/,
    ],
    ["a route via the node itself", (s: any) => (s.nodes[1].routes[0].via = "10.1.1.10"), /next hop "10.1.1.10" is the node's own address/],
    [
      "a route to a non-prefix",
      (s: any) => (s.nodes[1].routes[0].to = "10.1.2.5/24"),
      /nodes\[1\]\.routes\[0\]\.to: "10.1.2.5\/24" is not a network address/,
    ],
    ["a duplicate node name", (s: any) => (s.nodes[1].name = "r1"), /nodes\[1\]\.name: "r1" is used by another node/],
    ["a duplicate segment name", (s: any) => (s.segments[1].name = "lan1"), /segments\[1\]\.name: "lan1" is used by another segment/],
    [
      "a gateway outside the subnet",
      (s: any) => (s.segments[0].gateway = "10.2.0.1"),
      /segments\[0\]\.gateway: "10.2.0.1" is not a host address of 10.1.1.0\/24/,
    ],
    [
      "macvlan without parent",
      (s: any) => (s.segments[0].driver = "macvlan"),
      /segments\[0\]\.parent: a macvlan segment needs the host interface/,
    ],
    [
      "a port out of range",
      (s: any) => (s.nodes[1].publish = [{ containerPort: 80, hostPort: 70000 }]),
      /nodes\[1\]\.publish\[0\]\.hostPort: must be a port from 1 to 65535 \(got 70000\)/,
    ],
    ["an unknown field", (s: any) => (s.nodes[1].adress = "x"), /nodes\[1\]: Unrecognized key: "adress"/],
    ["an unknown image", (s: any) => (s.nodes[1].image = "nginx"), /nodes\[1\]\.image/],
    ["a bad node name", (s: any) => (s.nodes[1].name = "H_1"), /nodes\[1\]\.name: must be lowercase.*\(got "H_1"\)/],
    [
      "two interfaces on one segment",
      (s: any) => s.nodes[1].interfaces.push({ segment: "lan1", address: "10.1.1.11" }),
      /nodes\[1\]\.interfaces\[1\]\.segment: "lan1": a node has one interface per segment/,
    ],
  ])("rejects %s, naming the field and the value", (_label, mutate, expected) => {
    const spec = structuredClone(twoLans());
    mutate(spec);
    expect(issuesOf(spec).join("\n")).toMatch(expected);
  });

  it("reports every issue at once", () => {
    const spec: any = twoLans();
    spec.segments[1].subnet = "10.1.0.0/16";
    spec.nodes[1].interfaces[0].address = "10.9.9.9";
    spec.nodes[1].routes[0].via = "10.7.7.7";
    expect(issuesOf(spec)).toHaveLength(3);
  });

  it("rejects a duplicate published host port across nodes", () => {
    const spec = twoLans();
    spec.nodes[0].publish = [{ containerPort: 80, hostPort: 8080 }];
    spec.nodes[1].publish = [{ containerPort: 80, hostPort: 8080 }];
    expect(issuesOf(spec).join("\n")).toMatch(/nodes\[1\]\.publish\[0\]\.hostPort: 127.0.0.1:8080\/tcp is already published by node "r1"/);
  });

  it("rejects a bad lab name and name prefix", () => {
    expect(() => planRoutedLab("Lab_1", twoLans())).toThrow(/name: "Lab_1" must be lowercase/);
    expect(() => planRoutedLab("lab", twoLans(), { namePrefix: "UP" })).toThrow(/namePrefix: "UP"/);
  });
});

describe("renderMermaid", () => {
  it("draws segments, nodes and addressed links", () => {
    const text = renderMermaid(planRoutedLab("lab", twoLans()));
    expect(text.split("\n")[0]).toBe("flowchart LR");
    expect(text).toContain('seg_lan1(["lan1<br/>10.1.1.0/24<br/>bridge"])');
    expect(text).toContain('node_r1["r1<br/>router"]');
    expect(text).toContain("node_h1 ---|10.1.1.10| seg_lan1");
    expect(text.match(/---\|/g)).toHaveLength(3);
  });
});

describe("node files and capabilities (issue 20, points 12 and 13)", () => {
  const withNode = (changes: Record<string, unknown>): RoutedLabSpec => {
    const spec = twoLans();
    spec.nodes[1] = { ...spec.nodes[1], ...changes };
    return spec;
  };
  const pathOf = (issue: string) => issue.slice(0, issue.indexOf(": "));

  it("normalises file paths in the plan, so what is checked is what is uploaded", () => {
    const plan = planRoutedLab("lab", withNode({ files: { "/etc//motd": "hi", "/opt/./lab/../tool.sh": "x" } }));
    expect(plan.nodes[1].files).toEqual({ "/etc/motd": "hi", "/opt/tool.sh": "x" });
  });

  it("refuses a path that normalises into /netlabs, naming the path as given and as normalised", () => {
    expect(configIssues(() => planRoutedLab("lab", withNode({ files: { "/run/./netlabs//ready": "" } })))).toEqual([
      expect.stringMatching(
        /^nodes\[1\]\.files\.\/run\/\.\/netlabs\/\/ready: is under \/netlabs or \/run\/netlabs \("\/run\/netlabs\/ready" once normalised\)/,
      ),
    ]);
  });

  it("refuses two paths that are one file", () => {
    const issues = configIssues(() => planRoutedLab("lab", withNode({ files: { "/etc/motd": "a", "/etc//motd": "b" } })));
    expect(issues).toEqual([expect.stringMatching(/^nodes\[1\]\.files\.\/etc\/\/motd: names the same file as "\/etc\/motd"/)]);
  });

  it("refuses a path that normalises onto one of FRR's files on a router", () => {
    const spec = twoLans();
    spec.nodes[0] = { ...spec.nodes[0], ospf: { area: "0.0.0.0" }, files: { "/etc/frr/./frr.conf": "x" } } as never;
    expect(configIssues(() => planRoutedLab("lab", spec)).map(pathOf)).toContain("nodes[0].files./etc/frr/frr.conf");
  });

  it("refuses ALL and host-reaching capabilities unless the node allows them, and keeps others as they are", () => {
    const issues = configIssues(() => planRoutedLab("lab", withNode({ capabilities: ["NET_RAW", "ALL", "SYS_ADMIN", "BPF"] })));
    expect(issues.map(pathOf)).toEqual(["nodes[1].capabilities[1]", "nodes[1].capabilities[2]", "nodes[1].capabilities[3]"]);
    expect(issues[2]).toMatch(
      /: reaches the host \(it loads BPF programs into the host's kernel\): set allowHostReachingCapabilities: true .*\(got "BPF"\)$/,
    );
    const allowed = planRoutedLab("lab", withNode({ capabilities: ["SYS_ADMIN", "SYS_NICE"], allowHostReachingCapabilities: true }));
    expect(allowed.nodes[1].capabilities).toEqual(["SYS_ADMIN", "SYS_NICE"]);
    const ordinary = planRoutedLab("lab", withNode({ capabilities: ["SYS_RESOURCE", "NET_ADMIN"] }));
    expect(ordinary.nodes[1].capabilities).toEqual(["SYS_RESOURCE", "NET_ADMIN"]);
  });
});
