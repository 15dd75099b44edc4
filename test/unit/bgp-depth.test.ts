/**
 * BGP's depth (issue 25): route reflectors, per-session options, communities, originate, multihop,
 * unnumbered sessions, the password as a secret, the checks and the diagram; every inconsistency
 * refused with its field and value. Labs without these fields render as before (bgp.test.ts,
 * routing.test.ts keep their files).
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { FRR_TEMPLATE_PATH, routingChecks } from "../../components/protocols";
import { RoutedLab } from "../../components/routed-lab";
import { NodeSpec, RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { configIssues } from "../support/config-issues";
import { RecordingMocks } from "../support/recording-mocks";
import { BGP_REFLECTORS_PASSWORD, bgpChain, bgpReflectors, bgpSessionOptions, dualStack } from "../support/routing-labs";
import { runProgram } from "../support/run-program";

const routerOf = (spec: unknown, name: string) => planRoutedLab("lab", spec).nodes.find((n) => n.name === name)!;
const bgpOf = (spec: unknown, name: string) => routerOf(spec, name).routing!.bgp!;
const configOf = (spec: unknown, name: string) => routerOf(spec, name).files[FRR_TEMPLATE_PATH];
const sessionsOf = (spec: unknown, name: string) => bgpOf(spec, name).neighbors.map((n) => `${n.node}@${n.address}`);

/** The lab with one node's bgp changed. */
function withBgp(spec: RoutedLabSpec, node: string, change: (bgp: NonNullable<NodeSpec["bgp"]>) => NodeSpec["bgp"]): RoutedLabSpec {
  return { ...spec, nodes: spec.nodes.map((n) => (n.name === node ? { ...n, bgp: change(n.bgp!) } : n)) };
}
const issuesOf = (spec: unknown) => configIssues(() => planRoutedLab("lab", spec));

describe("route reflectors", () => {
  const spec = bgpReflectors();

  it("peers each reflector with the other and with every client, and no client with another", () => {
    expect(sessionsOf(spec, "rr1")).toEqual([
      "rr2@10.60.255.2",
      "c1@10.60.255.11",
      "c2@10.60.255.12",
      "c3@10.60.255.13",
      "c4@10.60.255.14",
    ]);
    expect(sessionsOf(spec, "c1")).toEqual(["isp@10.60.201.2", "rr1@10.60.255.1", "rr2@10.60.255.2"]);
    expect(sessionsOf(spec, "c3")).toEqual(["rr1@10.60.255.1", "rr2@10.60.255.2"]);
    const rr1 = bgpOf(spec, "rr1");
    expect(rr1.neighbors.filter((n) => n.reflectorClient).map((n) => n.node)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(rr1.reflector).toEqual({ clusterId: "10.60.255.100", clients: ["c1", "c2", "c3", "c4"] });
    expect(bgpOf(spec, "c2").reflector).toEqual({ reflectors: ["rr1", "rr2"] });
    const config = configOf(spec, "rr1");
    expect(config).toContain(" bgp router-id 10.60.255.1\n bgp cluster-id 10.60.255.100\n");
    expect(config).toContain("  neighbor 10.60.255.11 route-reflector-client\n");
    expect(config).not.toContain("10.60.255.2 route-reflector-client");
    expect(configOf(spec, "c1")).not.toContain("route-reflector-client");
  });

  it("serves only the clients a reflector names, each router still a client of some reflector", () => {
    const named = withBgp(
      withBgp(spec, "rr1", (bgp) => ({ ...bgp, clients: ["c1", "c2"] })),
      "rr2",
      (bgp) => ({ ...bgp, clients: ["c3", "c4"] }),
    );
    expect(sessionsOf(named, "rr1")).toEqual(["rr2@10.60.255.2", "c1@10.60.255.11", "c2@10.60.255.12"]);
    expect(sessionsOf(named, "c3")).toEqual(["rr2@10.60.255.2"]);
    const orphan = withBgp(
      withBgp(spec, "rr1", (bgp) => ({ ...bgp, clients: ["c1"] })),
      "rr2",
      (bgp) => ({ ...bgp, clients: ["c3", "c4"] }),
    );
    expect(issuesOf(orphan)).toEqual([
      "nodes[3].bgp: node \"c2\" (AS 65000) has no iBGP session: its AS has route reflectors and it is no reflector's client (list it in a reflector's clients)",
    ]);
  });

  it("refuses clients and cluster ids that do not fit, naming field and value", () => {
    const bad = withBgp(
      withBgp(spec, "rr1", (bgp) => ({ ...bgp, clients: ["c1", "c1", "isp", "rr2", "nobody", "h1", "rr1"] })),
      "c3",
      (bgp) => ({ ...bgp, clients: ["c4"], clusterId: "10.0.0.1" }),
    );
    expect(issuesOf(bad)).toEqual([
      'nodes[4].bgp.clients: ["c4"]: only a route reflector has clients (set routeReflector: true)',
      'nodes[4].bgp.clusterId: "10.0.0.1": only a route reflector has a cluster id (set routeReflector: true)',
      'nodes[0].bgp.clients[1]: "c1" is named twice',
      'nodes[0].bgp.clients[2]: "isp" is in AS 65100, not the reflector\'s AS 65000: a client is an iBGP neighbour',
      'nodes[0].bgp.clients[3]: "rr2" is a route reflector itself: the reflectors of an AS peer with each other as non-clients',
      'nodes[0].bgp.clients[4]: "nobody" is no router of the lab',
      'nodes[0].bgp.clients[5]: "h1" is no router of the lab',
      'nodes[0].bgp.clients[6]: "rr1" is the reflector itself',
    ]);
    expect(issuesOf(withBgp(spec, "rr1", (bgp) => ({ ...bgp, clusterId: "10.0.0" })))[0]).toMatch(
      /^nodes\[0\]\.bgp\.clusterId: must be an IPv4 address \(got "10\.0\.0"\)/,
    );
  });

  it("checks what the configuration promises: reflected routes, communities where announced, the default route", () => {
    const lab = planRoutedLab("rr", spec);
    const names = (router: string) => {
      const routing = lab.nodes.find((n) => n.name === router)!.routing!;
      return routingChecks({ nodes: [{ name: router, containerName: router, routing }] }).map((check) => check.name);
    };
    expect(names("c1")).toEqual(
      expect.arrayContaining([
        "c1 learns c2's 10.61.2.0/24 through a route reflector",
        "c1 learns c3's 10.61.3.0/24 through a route reflector",
        "c1 learns c4's 10.61.4.0/24 through a route reflector",
        "c1 sees isp's 10.62.0.0/24 with community 65100:100",
        "c1 sees isp's 10.62.0.0/24 with large community 65100:1:1",
      ]),
    );
    expect(names("site")).toContain("site has the default route c2 originates");
    expect(names("rr1").filter((name) => /reflector|community|default/.test(name))).toEqual([]);
  });

  it("draws reflectors with their cluster and clients with their reflectors", async () => {
    const lab = await runProgram(new RecordingMocks(), () => new RoutedLab("rr", { spec }));
    expect(lab.mermaid).toContain("BGP AS 65000, route reflector (cluster 10.60.255.100)");
    expect(lab.mermaid).toContain("BGP AS 65000, RR client of rr1, rr2");
    expect(lab.mermaid).toContain("BGP AS 65100<br/>");
  });
});

describe("what a router announces", () => {
  it("sets its communities on every network through one route-map, originates prefixes with a discard route, and may keep its loopback", () => {
    const isp = configOf(bgpReflectors(), "isp");
    expect(isp).toContain("route-map NETLABS-BGP-ANNOUNCE permit 10\n set community 65100:100\n set large-community 65100:1:1\nexit\n!\n");
    expect(isp).toContain("!\nip route 198.51.100.0/24 blackhole\n!\nrouter bgp 65100\n");
    expect(isp).toContain(
      "  network 10.62.0.0/24 route-map NETLABS-BGP-ANNOUNCE\n  network 10.62.255.1/32 route-map NETLABS-BGP-ANNOUNCE\n  network 198.51.100.0/24 route-map NETLABS-BGP-ANNOUNCE\n",
    );
    const quiet = withBgp(bgpReflectors(), "isp", (bgp) => ({ ...bgp, advertiseLoopback: false }));
    expect(bgpOf(quiet, "isp").networks).toEqual(["10.62.0.0/24", "198.51.100.0/24"]);
  });

  it("renders a lab that sets none of the new fields, or sets them to their defaults, as before", () => {
    const chain = bgpChain();
    const defaults = {
      ...chain,
      nodes: chain.nodes.map((n) =>
        n.bgp ? { ...n, bgp: { ...n.bgp, sessions: [], advertiseLoopback: true, routeReflector: false, originate: [] } } : n,
      ),
    };
    for (const router of ["r1", "r2a", "r2b", "r3"]) expect(configOf(defaults, router)).toBe(configOf(chain, router));
  });

  it("refuses originated prefixes and communities that do not fit", () => {
    const bad = withBgp(bgpReflectors(), "isp", (bgp) => ({
      ...bgp,
      originate: ["198.51.100.1/24", "0.0.0.0/0", "10.62.0.0/24", "2001:db8::/32", "nonsense"],
      communities: { standard: ["65100:100", "70000:1"], large: ["1:2"] },
    }));
    expect(issuesOf(bad)).toEqual([
      'nodes[6].bgp.communities.standard[1]: must be a standard community AA:NN (0-65535), or no-export, no-advertise, local-AS, no-peer, blackhole or graceful-shutdown (got "70000:1")',
      'nodes[6].bgp.communities.large[0]: must be a large community A:B:C, each (0-4294967295) (got "1:2")',
    ]);
    const originate = withBgp(bgpReflectors(), "isp", (bgp) => ({
      ...bgp,
      originate: ["198.51.100.1/24", "0.0.0.0/0", "10.62.0.0/24", "2001:db8::/32", "nonsense", "192.0.2.0/24", "192.0.2.0/24"],
    }));
    expect(issuesOf(originate)).toEqual([
      'nodes[6].bgp.originate[0]: "198.51.100.1/24" is not a network address (did you mean 198.51.100.0/24?)',
      'nodes[6].bgp.originate[1]: "0.0.0.0/0" needs a prefix length from /1 to /32 (a default route is a session\'s defaultOriginate)',
      'nodes[6].bgp.originate[2]: "10.62.0.0/24" is announced already (a LAN, the loopback or an earlier entry)',
      'nodes[6].bgp.originate[3]: "2001:db8::/32": node "isp" has no IPv6 session to announce it on',
      'nodes[6].bgp.originate[4]: "nonsense" is not an IPv4 or IPv6 prefix such as 192.0.2.0/24',
      'nodes[6].bgp.originate[6]: "192.0.2.0/24" is announced already (a LAN, the loopback or an earlier entry)',
    ]);
    const silent = withBgp(bgpReflectors(), "rr1", (bgp) => ({ ...bgp, advertiseLoopback: false, communities: { standard: ["65000:1"] } }));
    expect(issuesOf(silent)).toEqual([
      'nodes[0].bgp.communities: node "rr1" announces nothing to attach communities to (no LAN, loopback or originate)',
    ]);
  });
});

describe("session options", () => {
  const spec = bgpSessionOptions();

  it("runs eBGP multihop between loopbacks, each carried by a static route over both links", () => {
    expect(sessionsOf(spec, "a")).toEqual(["b@10.70.255.2"]);
    expect(bgpOf(spec, "a").staticRoutes).toEqual([
      { prefix: "10.70.255.2/32", via: "10.71.1.2" },
      { prefix: "10.70.255.2/32", via: "10.71.2.2" },
    ]);
    const a = configOf(spec, "a");
    expect(a).toContain("ip route 10.70.255.2/32 10.71.1.2\nip route 10.70.255.2/32 10.71.2.2\n!\nrouter bgp 65001\n");
    expect(a).toContain(
      " neighbor 10.70.255.2 update-source lo\n neighbor 10.70.255.2 password @SECRET_BGP_b@\n neighbor 10.70.255.2 ebgp-multihop 2\n neighbor 10.70.255.2 timers 2 6\n",
    );
    expect(a).toContain("  neighbor 10.70.255.2 allowas-in 1\n");
    // Set at a alone, the session's multihop and password reach b too; a's timers and allowasIn stay a's.
    const b = configOf(spec, "b");
    expect(b).toContain(" neighbor 10.70.255.1 password @SECRET_BGP_a@\n neighbor 10.70.255.1 ebgp-multihop 2\n");
    expect(b).not.toMatch(/10\.70\.255\.1 (timers 2 6|allowas-in)/);
  });

  it("adds no static route where an IGP carries both loopbacks", () => {
    const overOspf = {
      ...spec,
      nodes: spec.nodes.map((n) => (n.name === "a" || n.name === "b" ? { ...n, ospf: {} } : n)),
    };
    expect(sessionsOf(overOspf, "a")).toEqual(["b@10.70.255.2"]);
    expect(bgpOf(overOspf, "a").staticRoutes).toBeUndefined();
    expect(configOf(overOspf, "a")).not.toContain("ip route");
  });

  it("carries IPv6 beside a dual-stack multihop pair: between IPv6 loopbacks, over IPv6 static routes", () => {
    const dual = dualStack(spec);
    expect(sessionsOf(dual, "a")).toEqual(["b@10.70.255.2", "b@2001:db8:ffff::2"]);
    expect(bgpOf(dual, "a").staticRoutes?.filter((route) => route.prefix.includes(":"))).toEqual([
      { prefix: "2001:db8:ffff::2/128", via: "2001:db8:71:5::2" },
      { prefix: "2001:db8:ffff::2/128", via: "2001:db8:71:6::2" },
    ]);
    expect(configOf(dual, "a")).toContain("ipv6 route 2001:db8:ffff::2/128 2001:db8:71:5::2\n");
    expect(configOf(dual, "a")).toContain(" neighbor 2001:db8:ffff::2 ebgp-multihop 2\n");
  });

  it("runs an unnumbered session on the interface, carrying IPv4 and IPv6, with the localAs its peer expects", () => {
    const b = configOf(spec, "b");
    expect(b).toContain(
      " neighbor @IF_bc@ interface remote-as 65003\n neighbor @IF_bc@ description c\n neighbor @IF_bc@ timers connect 1\n neighbor @IF_bc@ local-as 65020\n",
    );
    expect(b).toContain(" address-family ipv6 unicast\n  neighbor @IF_bc@ activate\n exit-address-family\n");
    expect(configOf(spec, "c")).toContain(" neighbor @IF_bc@ interface remote-as 65020\n");
    expect(bgpOf(spec, "c").neighbors.find((n) => n.node === "b")).toMatchObject({ unnumbered: true, bfd: false });
  });

  it("sets the router's own side only: passive, removePrivateAs, default-originate, GTSM at both ends", () => {
    const c = configOf(spec, "c");
    expect(c).toContain(" neighbor 10.71.4.2 passive\n");
    expect(c).toContain("  neighbor 10.71.4.2 remove-private-AS\n");
    expect(configOf(spec, "d")).not.toContain("passive");
    const gtsm = withBgp(spec, "d", (bgp) => ({
      ...bgp,
      sessions: [{ neighbor: "c", gtsm: 1, defaultOriginate: true, asOverride: true }],
    }));
    expect(configOf(gtsm, "c")).toContain(" neighbor 10.71.4.2 ttl-security hops 1\n");
    expect(configOf(gtsm, "d")).toContain(" neighbor 10.71.4.1 ttl-security hops 1\n");
    expect(configOf(gtsm, "d")).toContain("  neighbor 10.71.4.1 as-override\n  neighbor 10.71.4.1 default-originate\n");
    expect(bgpOf(gtsm, "c").announce?.expect?.defaultFrom).toEqual(["d"]);
  });

  it("keeps the password out of every plan and file text, and hands it to the container as a secret", async () => {
    const plan = planRoutedLab("opt", spec);
    expect(JSON.stringify(plan.nodes.map((n) => n.files))).not.toContain(BGP_REFLECTORS_PASSWORD);
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new RoutedLab("opt", { spec }));
    const a = mocks.ofType("docker:index/container:Container").find((c) => c.inputs.name === "opt-a")!;
    const index = a.inputs.uploads.findIndex((u: { file: string }) => u.file === FRR_TEMPLATE_PATH);
    expect(a.secretPaths).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^uploads(\\[${index}\\])?`))]));
    expect(a.inputs.uploads[index].content).toContain(` neighbor 10.70.255.2 password ${BGP_REFLECTORS_PASSWORD}\n`);
    const d = mocks.ofType("docker:index/container:Container").find((c) => c.inputs.name === "opt-d")!;
    expect(d.secretPaths).toEqual([]);
  });

  it("takes a password as a Pulumi secret, resolved only in the container's file", async () => {
    const secret = withBgp(spec, "a", (bgp) => ({
      ...bgp,
      sessions: [{ neighbor: "b", multihop: 2, password: pulumi.secret("from-config") }],
    }));
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new RoutedLab("opt", { spec: secret }));
    const b = mocks.ofType("docker:index/container:Container").find((c) => c.inputs.name === "opt-b")!;
    expect(b.inputs.uploads.find((u: { file: string }) => u.file === FRR_TEMPLATE_PATH).content).toContain(
      " neighbor 10.70.255.1 password from-config\n",
    );
    expect(b.secretPaths.length).toBeGreaterThan(0);
  });

  it("refuses options that do not fit the session, naming field and value (never a password's)", () => {
    const at = (node: string, sessions: unknown[]) => (s: RoutedLabSpec) =>
      withBgp(s, node, (bgp) => ({ ...bgp, sessions: sessions as never }));
    const cases: [(s: RoutedLabSpec) => RoutedLabSpec, string][] = [
      [at("b", [{ neighbor: "c", localAs: 65002 }]), "nodes[1].bgp.sessions[0].localAs: 65002 is this router's own ASN (bgp.asn)"],
      [
        at("b", [{ neighbor: "c", localAs: 65003 }]),
        'nodes[1].bgp.sessions[0].localAs: 65003 is node "c"\'s ASN: the session would be iBGP to it',
      ],
      [at("c", [{ neighbor: "nobody" }]), 'nodes[2].bgp.sessions[0].neighbor: "nobody" is no router of the lab'],
      [at("c", [{ neighbor: "ha" }]), 'nodes[2].bgp.sessions[0].neighbor: "ha" is no router of the lab'],
      [at("c", [{ neighbor: "c" }]), 'nodes[2].bgp.sessions[0].neighbor: "c" is this router itself'],
      [at("c", [{ neighbor: "d" }, { neighbor: "d" }]), 'nodes[2].bgp.sessions[1].neighbor: "d" is named twice (one entry per neighbour)'],
      [
        at("c", [{ neighbor: "a" }]),
        'nodes[2].bgp.sessions[0].neighbor: node "c" has no session with "a" (AS 65001): they share no segment (set multihop for eBGP between loopbacks)',
      ],
      [
        at("c", [{ neighbor: "a", multihop: 3 }]),
        'nodes[2].bgp.sessions[0].multihop: 3: multihop runs between loopbacks, and node "c" has none (give it a loopback)',
      ],
      [
        at("d", [{ neighbor: "c", gtsm: 2, multihop: 2 }]),
        'nodes[3].bgp.sessions[0].multihop: 2: multihop runs between loopbacks, and node "c" and node "d" has none (give it a loopback)',
      ],
      [
        at("a", [{ neighbor: "b", multihop: 2, gtsm: 2 }]),
        "nodes[0].bgp.sessions[0].gtsm: 2: GTSM and multihop exclude each other (FRR refuses ttl-security with ebgp-multihop)",
      ],
      [
        at("d", [{ neighbor: "c", passive: true }]),
        'nodes[3].bgp.sessions[0].passive: true: node "c" is passive towards this router too, so neither would open the session',
      ],
      [
        at("d", [{ neighbor: "c", keepaliveSeconds: 5 }]),
        "nodes[3].bgp.sessions[0].keepaliveSeconds: keepalive 5 s must be less than hold 3 s on this session",
      ],
      [
        at("d", [{ neighbor: "c", unnumbered: true }]),
        'nodes[3].bgp.sessions[0].unnumbered: true: no segment of nodes "d" and "c" has IPv6 at both ends: an unnumbered session runs between IPv6 link-local addresses',
      ],
      [
        at("b", [{ neighbor: "a", password: "other-one" }]),
        'nodes[1].bgp.sessions[0].password: node "a" sets a different password for this session (or one not known before deploy): set it at one end, both ends get it (secret, not shown)',
      ],
      [
        at("c", [{ neighbor: "b", unnumbered: true, password: "unsigned-1" }]),
        'nodes[2].bgp.sessions[0].password: an unnumbered session with node "b" takes no password: FRR would not sign it (use a numbered session) (secret, not shown)',
      ],
      [
        at("b", [{ neighbor: "a", password: "has space" }]),
        "nodes[1].bgp.sessions[0].password: must be 1 to 80 printable characters without spaces (or a Pulumi secret) (secret, not shown)",
      ],
    ];
    for (const [change, issue] of cases) expect(issuesOf(change(spec))).toContain(issue);
    for (const [change] of cases) expect(issuesOf(change(spec)).join("\n")).not.toMatch(/other-one|has space|unsigned-1/);
  });

  it("refuses eBGP-only options on iBGP, multihop on iBGP and without a route", () => {
    const rr = bgpReflectors();
    const ibgp = withBgp(rr, "c1", (bgp) => ({
      ...bgp,
      sessions: [{ neighbor: "rr1", localAs: 65010, asOverride: true, removePrivateAs: true }],
    }));
    expect(issuesOf(ibgp)).toEqual([
      'nodes[2].bgp.sessions[0].localAs: 65010: localAs is for eBGP sessions, and node "rr1" is in this router\'s AS (65000)',
      'nodes[2].bgp.sessions[0].asOverride: true: asOverride is for eBGP sessions, and node "rr1" is in this router\'s AS (65000)',
      'nodes[2].bgp.sessions[0].removePrivateAs: true: removePrivateAs is for eBGP sessions, and node "rr1" is in this router\'s AS (65000)',
    ]);
    expect(issuesOf(withBgp(rr, "c1", (bgp) => ({ ...bgp, sessions: [{ neighbor: "rr1", multihop: 2 }] })))).toEqual([
      'nodes[2].bgp.sessions[0].multihop: 2: multihop is for eBGP, and nodes "rr1" and "c1" are both in AS 65000 (iBGP between loopbacks is multihop already)',
    ]);
    expect(issuesOf(withBgp(rr, "c1", (bgp) => ({ ...bgp, sessions: [{ neighbor: "c3" }] })))).toEqual([
      'nodes[2].bgp.sessions[0].neighbor: node "c1" has no session with "c3": in AS 65000, with route reflectors, only reflectors and their clients peer',
    ]);
    // site and isp: different ASes with loopbacks only on isp, no shared segment, no IGP.
    const far = withBgp(
      withBgp(rr, "site", (bgp) => bgp),
      "isp",
      (bgp) => ({ ...bgp, sessions: [{ neighbor: "rr1", multihop: 4 }] }),
    );
    expect(issuesOf(far)).toEqual([
      'nodes[6].bgp.sessions[0].multihop: 4: no route carries the loopbacks of nodes "rr1" and "isp": they share no segment (for a static route) and no IGP domain',
    ]);
  });
});
