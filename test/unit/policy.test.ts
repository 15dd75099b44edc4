/**
 * Routing policy, redistribution and staticd routes (components/protocols/policy): what FRR gets of
 * a router's `routing` field, what the probe checks of it, and every refusal at preview with its
 * field and value.
 */
import { describe, expect, it } from "vitest";
import { FRR_TEMPLATE_PATH, routingChecks, routingDiagram, routingInfo } from "../../components/protocols";
import { NodeSpec, RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { configIssues } from "../support/config-issues";
import { localPreference, policyKinds, redistribution } from "../support/policy-labs";
import { ospfRing } from "../support/routing-labs";

const frrOf = (spec: RoutedLabSpec, node: string) =>
  planRoutedLab("policy", spec).nodes.find((n) => n.name === node)!.files[FRR_TEMPLATE_PATH] as string;
const routingOf = (spec: RoutedLabSpec, node: string) => planRoutedLab("policy", spec).nodes.find((n) => n.name === node)!.routing!;

/** A copy of `spec` with the routing field of `node` replaced (or other fields of the node set). */
function withNode(spec: RoutedLabSpec, node: string, fields: Partial<NodeSpec>): RoutedLabSpec {
  return { ...spec, nodes: spec.nodes.map((n) => (n.name === node ? { ...n, ...fields } : n)) };
}
const withRouting = (spec: RoutedLabSpec, node: string, routing: NodeSpec["routing"]) => withNode(spec, node, { routing });
const r2Routing = () => redistribution().nodes.find((n) => n.name === "r2")!.routing!;

describe("routing policy in FRR's configuration", () => {
  it("renders prefix lists and policies as prefix-lists and route-maps, and redistribution in router nodes entered again", () => {
    const text = frrOf(redistribution(), "r2");
    expect(text).toContain(
      [
        "ip prefix-list r1-lan2 seq 10 permit 10.52.2.0/24",
        "ip prefix-list r3-lan4 seq 10 permit 10.52.4.0/24",
        "!",
        "route-map ospf-to-bgp deny 10",
        " match ip address prefix-list r1-lan2",
        "exit",
        "!",
        "route-map ospf-to-bgp permit 20",
        "exit",
        "!",
      ].join("\n"),
    );
    // After BGP's and OSPF's own nodes: the protocols' modules are untouched.
    expect(text).toMatch(
      /coalesce-time 50\n[\s\S]*exit\n!\nrouter bgp 65001\n address-family ipv4 unicast\n  redistribute ospf route-map ospf-to-bgp\n exit-address-family\nexit\n!\nrouter ospf\n redistribute bgp route-map bgp-to-ospf\nexit\n!\nend\n$/,
    );
  });

  it("renders staticd's route kinds: discard, a recursive next hop, a distance, the default", () => {
    expect(frrOf(redistribution(), "r1")).toContain("!\nip route 10.52.77.0/24 10.52.3.10\nip route 10.52.3.0/24 10.52.12.2 250\n!\n");
    expect(frrOf(redistribution(), "r3")).toContain("ip route 10.52.90.0/24 blackhole\n");
    expect(frrOf(policyKinds(), "r1")).toContain("ip route 0.0.0.0/0 blackhole 254\n");
    // IPv6 ones in staticd too, in RFC 5952 text; not among the IPv4 prefixes the probe expects.
    expect(frrOf(policyKinds(), "r1")).toContain(
      "ipv6 route ::/0 blackhole 254\nipv6 route 2001:db8:90::/48 blackhole\nipv6 route 2001:db8:91::/64 2001:db8:ff::1 30\n",
    );
    expect(routingOf(policyKinds(), "r2").expectedPrefixes.some((prefix) => prefix.includes(":"))).toBe(false);
    // staticd is waited for (its first route loaded), and still not listed twice among the daemons.
    const r3 = routingOf(redistribution(), "r3");
    expect(r3.frr.readyLines).toContainEqual({ daemon: "staticd", line: "ip route 10.52.90.0/24 blackhole" });
    expect(r3.frr.daemons).toEqual(["bgpd"]);
  });

  it("renders session policies, communities, local preference, MED and AS-path prepend", () => {
    const r1 = frrOf(localPreference(), "r1");
    expect(r1).toContain("bgp community-list standard from-x2 seq 10 permit 65030:1\n");
    expect(r1).toContain("route-map prefer-x2 permit 10\n match community from-x2\n set local-preference 200\nexit\n");
    expect(r1).toContain(
      "router bgp 65010\n address-family ipv4 unicast\n  neighbor 10.53.12.2 route-map prefer-x2 in\n exit-address-family\n",
    );
    const x2 = frrOf(localPreference(), "x2");
    expect(x2).toContain("route-map to-r1 permit 10\n set as-path prepend 65030 65030\n set community 65030:1\nexit\n");
    expect(x2).toContain("  redistribute connected\n  neighbor 10.53.12.1 route-map to-r1 out\n");
    const kinds = frrOf(policyKinds(), "r1");
    expect(kinds).toContain(
      "ip prefix-list lans seq 10 permit 10.54.0.0/16 ge 24 le 24\nip prefix-list lans seq 20 deny 10.0.0.0/8 le 32\n",
    );
    expect(kinds).toContain("bgp large-community-list standard big seq 10 permit 65002:1:2\n");
    expect(kinds).toContain(" match large-community big\n set local-preference 50\n set metric 7\n");
    expect(kinds).toContain(" set community 65001:1 65001:2 additive\n set large-community 65001:0:1 additive\n");
    expect(kinds).toContain(
      "router isis lab\n redistribute ipv4 bgp level-2 route-map static-only-lans\n redistribute ipv4 ospf level-2\n redistribute ipv4 static level-2\nexit\n",
    );
    expect(kinds).toContain(" redistribute connected\n redistribute isis\nexit\n");
  });

  it("adds nothing to a router's files unless it uses a field: an empty routing field renders as none", () => {
    const plain = ospfRing();
    const empty = withRouting(plain, "r1", {});
    expect(frrOf(empty, "r1")).toBe(frrOf(plain, "r1"));
    expect(planRoutedLab("policy", empty).nodes[0].files).toEqual(planRoutedLab("policy", plain).nodes[0].files);
    expect(routingOf(plain, "r1").absentPrefixes).toBeUndefined();
  });

  it("shows the policies in the outputs and the imports in the diagram", () => {
    const r2 = routingOf(redistribution(), "r2");
    expect(routingInfo(r2)).toMatchObject({ protocols: ["ospf", "bgp", "routing"], policies: ["ospf-to-bgp", "bgp-to-ospf"] });
    expect(routingDiagram(r2)[0]).toBe("OSPF area 0.0.0.0, BGP AS 65001, imports ospf→bgp bgp→ospf");
    expect(routingDiagram(routingOf(localPreference(), "r1"))[0]).toBe("BGP AS 65010, policy");
    expect(routingDiagram(routingOf(redistribution(), "r1"))[0]).toBe("OSPF area 0.0.0.0, static routes");
  });
});

describe("the probe follows the policies", () => {
  it("expects what an import permits and checks that what it filters is absent", () => {
    const plan = planRoutedLab("redistribution", redistribution());
    const r1 = plan.nodes.find((n) => n.name === "r1")!.routing!;
    const r3 = plan.nodes.find((n) => n.name === "r3")!.routing!;
    // r1 (OSPF) gets r3's lan3 through r2's import, not lan4; r3 (BGP) gets r1's lan1, not lan2.
    expect(r1.expectedPrefixes).toEqual(["10.52.1.0/24", "10.52.2.0/24", "10.52.3.0/24"]);
    expect(r1.absentPrefixes).toEqual(["10.52.4.0/24"]);
    expect(r3.expectedPrefixes).toEqual(["10.52.1.0/24", "10.52.3.0/24", "10.52.4.0/24"]);
    expect(r3.absentPrefixes).toEqual(["10.52.2.0/24"]);
    const checks = routingChecks(plan).filter((check) => check.kind === "routes" && check.absent);
    expect(checks).toEqual([
      {
        kind: "routes",
        name: "r1 has no route to what its policies filter (1)",
        router: "redistribution-r1",
        prefixes: ["10.52.4.0/24"],
        absent: true,
      },
      {
        kind: "routes",
        name: "r3 has no route to what its policies filter (1)",
        router: "redistribution-r3",
        prefixes: ["10.52.2.0/24"],
        absent: true,
      },
    ]);
  });

  it("no longer expects a prefix a session policy may deny, nor claims it absent", () => {
    const spec = withRouting(localPreference(), "r1", {
      prefix: { dst: [{ prefix: "10.53.9.0/24" }] },
      policy: { "no-dst": [{ action: "deny", match: { prefix: "dst" } }, {}] },
      bgpSessions: { x2: { policyIn: "no-dst" } },
    });
    expect(routingOf(localPreference(), "r1").expectedPrefixes).toContain("10.53.9.0/24");
    const r1 = routingOf(spec, "r1");
    expect(r1.expectedPrefixes).not.toContain("10.53.9.0/24");
    expect(r1.absentPrefixes).toBeUndefined();
  });

  it("does not check a verdict that depends on a community the lab's prefixes may carry", () => {
    const spec = withRouting(redistribution(), "r2", {
      ...r2Routing(),
      community: { c: [{ community: "65000:1" }] },
      policy: { ...r2Routing().policy, "ospf-to-bgp": [{ action: "deny", match: { community: "c" } }, {}] },
    });
    expect(routingOf(spec, "r3").absentPrefixes).toBeUndefined();
  });
});

describe("routing validation: every mistake named with its field and value", () => {
  const issuesOf = (spec: RoutedLabSpec) => configIssues(() => planRoutedLab("policy", spec)).join("\n");
  const r2 = (routing: NodeSpec["routing"]) => withRouting(redistribution(), "r2", { ...r2Routing(), ...routing });
  const r1 = (routing: NodeSpec["routing"]) => withRouting(redistribution(), "r1", routing);

  it.each<[string, RoutedLabSpec, RegExp]>([
    [
      "an import through a policy that does not exist",
      r2({ import: { bgp: { ospf: { policy: "nope" } } } }),
      /^nodes\[1\]\.routing\.import\.bgp\.ospf\.policy: "nope" is no policy of this router's routing\.policy \(it has "ospf-to-bgp", "bgp-to-ospf"\)$/m,
    ],
    [
      "a session policy that does not exist",
      r2({ bgpSessions: { r3: { policyOut: "gone" } } }),
      /^nodes\[1\]\.routing\.bgpSessions\.r3\.policyOut: "gone" is no policy of this router's routing\.policy/m,
    ],
    [
      "a match on a prefix list that does not exist",
      r2({ policy: { p: [{ match: { prefix: "nope" } }] } }),
      /^nodes\[1\]\.routing\.policy\.p\[0\]\.match\.prefix: "nope" is no prefix list of this router's routing\.prefix$/m,
    ],
    [
      "a match on a community list that does not exist",
      r2({ policy: { p: [{ match: { community: "nope" } }] } }),
      /^nodes\[1\]\.routing\.policy\.p\[0\]\.match\.community: "nope" is no community list of this router's routing\.community$/m,
    ],
    [
      "a prefix that is not a prefix",
      r2({ prefix: { x: [{ prefix: "10.52.2.0/33" }] } }),
      /^nodes\[1\]\.routing\.prefix\.x\[0\]\.prefix: must be an IPv4 prefix: is not an IPv4 prefix such as "10\.1\.0\.0\/16" \(got "10\.52\.2\.0\/33"\)$/m,
    ],
    [
      "a prefix with host bits",
      r2({ prefix: { x: [{ prefix: "10.52.2.1/24" }] } }),
      /^nodes\[1\]\.routing\.prefix\.x\[0\]\.prefix: must be an IPv4 prefix: has host bits set \(did you mean 10\.52\.2\.0\/24\?\) \(got "10\.52\.2\.1\/24"\)$/m,
    ],
    [
      "a prefix range no longer than the prefix",
      r2({ prefix: { x: [{ prefix: "10.52.0.0/16", min: 16 }] } }),
      /^nodes\[1\]\.routing\.prefix\.x\[0\]\.min: 16 must be longer than 10\.52\.0\.0\/16's own length \(16\)$/m,
    ],
    [
      "a prefix range whose max is below its min",
      r2({ prefix: { x: [{ prefix: "10.52.0.0/16", min: 24, max: 20 }] } }),
      /^nodes\[1\]\.routing\.prefix\.x\[0\]\.max: 20 must be at least min \(24\)$/m,
    ],
    [
      "a malformed community in a list",
      r2({ community: { c: [{ community: "65000:70000" }] } }),
      /^nodes\[1\]\.routing\.community\.c\[0\]\.community: "65000:70000" is not a standard community "65000:100" \(two numbers to 65535\) or a large one/m,
    ],
    [
      "a community list mixing standard and large",
      r2({ community: { c: [{ community: "65000:1" }, { community: "65000:1:2" }] } }),
      /^nodes\[1\]\.routing\.community\.c\[1\]\.community: "65000:1:2" is a large community, the list's first is standard: a list holds one kind$/m,
    ],
    [
      "a malformed community set by a policy",
      r2({ policy: { p: [{ set: { community: { standard: ["65000"] } } }] } }),
      /^nodes\[1\]\.routing\.policy\.p\[0\]\.set\.community\.standard\[0\]: "65000" is not a standard community/m,
    ],
    [
      "a deny entry that sets something",
      r2({ policy: { p: [{ action: "deny", set: { locpref: 10 } }] } }),
      /^nodes\[1\]\.routing\.policy\.p\[0\]\.set: a deny entry drops the routes it matches: it sets nothing/m,
    ],
    [
      "an action that is neither permit nor deny",
      r2({ policy: { p: [{ action: "allow" }] } }),
      /^nodes\[1\]\.routing\.policy\.p\[0\]\.action: must be "permit" or "deny" \(got "allow"\)$/m,
    ],
    [
      "a policy name FRR would not take",
      r2({ policy: { "bad name": [{}] } }),
      /^nodes\[1\]\.routing\.policy: "bad name" must be a name: a letter, then up to 62 letters, digits, - or _$/m,
    ],
    ["a policy without entries", r2({ policy: { p: [] } }), /^nodes\[1\]\.routing\.policy\.p: a list needs at least one entry/m],
    [
      "an import into a protocol the router does not run",
      r1({ import: { bgp: { connected: {} } } }),
      /^nodes\[0\]\.routing\.import\.bgp: node "r1" does not run bgp, so nothing can be imported into it \(it runs ospf\)$/m,
    ],
    [
      "an import from a protocol the router does not run",
      withRouting(redistribution(), "r3", { import: { bgp: { ospf: {} } } }),
      /^nodes\[2\]\.routing\.import\.bgp\.ospf: node "r3" does not run ospf: it has no ospf routes to import \(it runs bgp\)$/m,
    ],
    [
      "an import into IS-IS on a router without it",
      r2({ import: { isis: { bgp: {} } } }),
      /^nodes\[1\]\.routing\.import\.isis: node "r2" does not run isis, so nothing can be imported into it \(it runs ospf and bgp\)$/m,
    ],
    [
      "an import from no known source",
      r2({ import: { ospf: { rip: {} } } }),
      /^nodes\[1\]\.routing\.import\.ospf: "rip" cannot be imported into ospf: import connected, static, isis or bgp$/m,
    ],
    [
      "a protocol imported into itself",
      r2({ import: { bgp: { bgp: {} } } }),
      /^nodes\[1\]\.routing\.import\.bgp: "bgp" cannot be imported into bgp: import connected, static, ospf or isis$/m,
    ],
    [
      "a session policy towards a node that is no BGP neighbour",
      r2({ bgpSessions: { r1: { policyIn: "bgp-to-ospf" } } }),
      /^nodes\[1\]\.routing\.bgpSessions\.r1: "r1" is not a BGP neighbour of node "r2" \(its neighbours: "r3"\)$/m,
    ],
    [
      "session policies on a router without BGP",
      r1({ policy: { p: [{}] }, bgpSessions: { r2: { policyIn: "p" } } }),
      /^nodes\[0\]\.routing\.bgpSessions: node "r1" has no BGP sessions to put policies on \(it runs ospf\)$/m,
    ],
    [
      "an AS-path prepend on a router without BGP",
      r1({ policy: { p: [{ set: { prepend: 2 } }] } }),
      /^nodes\[0\]\.routing\.policy\.p\[0\]\.set\.prepend: 2: node "r1" runs no BGP, so it has no ASN to prepend$/m,
    ],
    [
      "a blackhole route with a via",
      r1({ static: [{ to: "10.52.90.0/24", discard: true, via: "10.52.12.2" }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.via: "10\.52\.12\.2": a discard route drops what it matches and has no next hop \(give via or discard, not both\)$/m,
    ],
    [
      "a static route with neither via nor discard",
      r1({ static: [{ to: "10.52.90.0/24" }] }),
      /^nodes\[0\]\.routing\.static\[0\]: needs a next hop \(via\) or discard: true$/m,
    ],
    [
      "a static route to something that is not a prefix",
      r1({ static: [{ to: "10.52.90.0", discard: true }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.to: "10\.52\.90\.0" is not an IPv4 prefix such as "10\.1\.0\.0\/16" \(or "default"\)$/m,
    ],
    [
      "a static next hop that is not an address",
      r1({ static: [{ to: "10.52.90.0/24", via: "r2" }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.via: "r2" is not an IPv4 address \(the route to "10\.52\.90\.0\/24" is IPv4\)$/m,
    ],
    [
      "an IPv4 static route through an IPv6 next hop",
      r1({ static: [{ to: "10.52.90.0/24", via: "2001:db8::1" }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.via: "2001:db8::1" is not an IPv4 address \(the route to "10\.52\.90\.0\/24" is IPv4\)$/m,
    ],
    [
      "an IPv6 static route through an IPv4 next hop",
      r1({ static: [{ to: "2001:db8:90::/48", via: "10.52.12.2" }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.via: "10\.52\.12\.2" is not an IPv6 address \(the route to "2001:db8:90::\/48" is IPv6\)$/m,
    ],
    [
      "an IPv6 static route to something that is not a prefix",
      r1({ static: [{ to: "2001:db8:90::1/200", discard: true }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.to: "2001:db8:90::1\/200" .*\(or "default6"\)$/m,
    ],
    [
      "a static next hop of the router's own",
      r1({ static: [{ to: "10.52.90.0/24", via: "10.52.12.1" }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.via: next hop "10\.52\.12\.1" is the router's own address$/m,
    ],
    [
      "the same static destination twice",
      r1({
        static: [
          { to: "default", discard: true },
          { to: "0.0.0.0/0", via: "10.52.12.2" },
        ],
      }),
      /^nodes\[0\]\.routing\.static\[1\]\.to: "0\.0\.0\.0\/0" has another static route on this router$/m,
    ],
    [
      "a distance out of range",
      r1({ static: [{ to: "10.52.90.0/24", discard: true, distance: 256 }] }),
      /^nodes\[0\]\.routing\.static\[0\]\.distance: must be from 1 to 255 \(got 256\)$/m,
    ],
    [
      "an unknown key in a policy entry",
      r2({ policy: { p: [{ set: { localPreference: 200 } as object }] } }),
      /^nodes\[1\]\.routing\.policy\.p\[0\]\.set: Unrecognized key: "localPreference"$/m,
    ],
    [
      "routing on a node that runs no protocol",
      withNode(redistribution(), "r1", { ospf: undefined, routing: { static: [{ to: "10.52.90.0/24", discard: true }] } }),
      /^nodes\[0\]\.routing: node "r1" runs no routing protocol: routing applies to a router with ospf, isis, bgp or vrfs$/m,
    ],
  ])("refuses %s", (_case, spec, expected) => {
    expect(issuesOf(spec)).toMatch(expected);
  });

  it("accepts every lab of the policy tests", () => {
    for (const [name, spec] of [
      ["redistribution", redistribution()],
      ["local-preference", localPreference()],
      ["policy-kinds", policyKinds()],
    ] as const) {
      expect(() => planRoutedLab(name, spec)).not.toThrow();
    }
  });
});
