/**
 * iBGP with two route reflectors and four clients over OSPF, on real Docker and FRR (issue 25's
 * proof 2, without its policy part): no client peers with another, yet each learns the others'
 * LANs through the reflectors; the eBGP neighbour's communities are seen where expected, its
 * originated prefix is held (a discard route) and learned; its session to c4 runs with a TCP MD5
 * password; the stub site gets a default route from c2 (with GTSM). The lab's own probe checks
 * for all this pass on the running lab, and one that should not hold fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_HOST } from "../../components/host/docker-host";
import { LabProbe, VtyshCountCheck } from "../../components/probe/lab-probe";
import { RoutedLab } from "../../components/routed-lab";
import { bgpNeighbor, bgpPeers, nextHop, traceHops } from "../support/bgp-probes";
import { execIn, waitFor } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { BGP_REFLECTORS_PASSWORD, bgpReflectors } from "../support/routing-labs";
import { waitForConvergence } from "../support/routing-probes";
import { valueOf } from "../support/run-program";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

/** `show bgp ipv4 unicast <prefix> json` in a router: its paths. */
async function bgpPaths(container: string, prefix: string): Promise<any[]> {
  const result = await execIn(container, ["vtysh", "-c", `show bgp ipv4 unicast ${prefix} json`], 10_000);
  return JSON.parse(result.stdout).paths ?? [];
}

/** The TTLs of BGP packets `container` receives from `source` (keepalives: one a second), from tcpdump. */
async function bgpTtls(container: string, source: string): Promise<number[]> {
  const capture = await execIn(
    container,
    ["timeout", "6", "tcpdump", "-n", "-v", "-c", "3", "-i", "any", `tcp port 179 and src host ${source}`],
    15_000,
  );
  return [...new Set([...capture.stdout.matchAll(/\bttl (\d+)/g)].map((match) => Number(match[1])))];
}

describe.skipIf(skipReason)(`BGP route reflectors over OSPF on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const node = (name: string) => lab.outputs.nodes[name];
  const loopbackOf = (name: string) => node(name).routing!.loopback!;

  beforeAll(async () => {
    lab = await deployProgram(
      () => new RoutedLab("rr", { spec: bgpReflectors(), namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("converges: every session, adjacency and route the plan wants", async () => {
    const converged = await waitForConvergence(lab.outputs.plan, 90_000);
    expect(converged.pending).toEqual({});
    console.log(`[figures] bgp-reflectors: every session and route in place ${converged.ms} ms after the nodes were ready`);
  });

  it("peers each client with the two reflectors only, never with another client", async () => {
    const clients = ["c1", "c2", "c3", "c4"];
    for (const client of clients) {
      const peers = (await bgpPeers(node(client).container)).filter((p) => p.state === "Established").map((p) => p.peer);
      expect(peers).toEqual(expect.arrayContaining([loopbackOf("rr1"), loopbackOf("rr2")]));
      expect(peers.filter((peer) => clients.some((other) => loopbackOf(other) === peer))).toEqual([]);
    }
    const reflected = await bgpPaths(node("c1").container, "10.61.3.0/24");
    expect(reflected.length).toBeGreaterThan(0);
    for (const path of reflected) {
      expect(path.originatorId).toBe(loopbackOf("c3"));
      expect(JSON.stringify(path.clusterList)).toContain("10.60.255.100");
    }
  });

  it("h1 reaches h3 through the reflectors' OSPF core, and the isp's LAN", async () => {
    const reached = await waitFor(
      async () => (await execIn(node("h1").container, ["ping", "-c", "1", "-W", "2", "10.61.3.10"])).code === 0,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(reached).toBe(true);
    expect(await traceHops(node("h1").container, "10.61.3.10")).toEqual([
      "10.61.1.1",
      "10.60.101.1",
      "10.60.100.2",
      "10.60.103.2",
      "10.61.3.10",
    ]);
    expect((await execIn(node("h3").container, ["ping", "-c", "1", "-W", "2", "10.62.0.10"])).code).toBe(0);
    expect((await execIn(node("hs").container, ["ping", "-c", "1", "-W", "2", "10.61.1.10"])).code).toBe(0);
  });

  it("carries the isp's communities through the reflectors, and its originated prefix with its discard route", async () => {
    for (const router of ["c1", "c2", "c3"]) {
      const paths = await bgpPaths(node(router).container, "10.62.0.0/24");
      expect(paths.length, router).toBeGreaterThan(0);
      for (const path of paths) {
        expect(path.community?.string, router).toBe("65100:100");
        expect(path.largeCommunity?.string, router).toBe("65100:1:1");
      }
    }
    expect((await execIn(node("isp").container, ["ip", "route", "show", "198.51.100.0/24"])).stdout).toMatch(
      /^blackhole 198\.51\.100\.0\/24/,
    );
    expect((await execIn(node("c3").container, ["ip", "route", "show", "198.51.100.0/24"])).stdout).toMatch(/proto bgp/);
  });

  it("runs the isp-c4 session with its password (a wrong one takes it down), and GTSM on c2-site", async () => {
    expect((await bgpNeighbor(node("c4").container, "10.60.204.2")).state).toBe("Established");
    const setPassword = (password: string) =>
      execIn(node("isp").container, [
        "vtysh",
        "-c",
        "configure terminal",
        "-c",
        "router bgp 65100",
        "-c",
        `neighbor 10.60.204.1 password ${password}`,
      ]);
    const state = async () => (await bgpNeighbor(node("c4").container, "10.60.204.2")).state;
    expect((await setPassword("not-the-one")).code).toBe(0);
    expect(await waitFor(async () => (await state()) !== "Established", { timeoutMs: 15_000, intervalMs: 200 })).toBe(true);
    // Still down a while later: c4 refuses every segment signed with the wrong key.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await state()).not.toBe("Established");
    expect((await setPassword(BGP_REFLECTORS_PASSWORD)).code).toBe(0);
    expect(await waitFor(async () => (await state()) === "Established", { timeoutMs: 30_000, intervalMs: 200 })).toBe(true);
    // GTSM: c2 sends site its BGP packets with TTL 255 (and site drops any below 254); plain eBGP sends TTL 1.
    expect(await bgpTtls(node("site").container, "10.60.202.1")).toEqual([255]);
    expect(await bgpTtls(node("isp").container, "10.60.201.1")).toEqual([1]);
  });

  it("gives the stub site a default route from c2, and no one else one", async () => {
    expect(await nextHop(node("site").container, "203.0.113.1")).toBe("10.60.202.1");
    const route = await execIn(node("site").container, ["ip", "route", "show", "default"]);
    expect(route.stdout).toMatch(/via 10\.60\.202\.1 .*proto bgp/);
    expect((await execIn(node("c3").container, ["ip", "route", "show", "default", "proto", "bgp"])).stdout.trim()).toBe("");
  });

  it("passes the lab's own BGP checks, and fails one that should not hold", async () => {
    const depth = lab.outputs
      .probeChecks()
      .filter((check) => /route reflector|community|default route/.test(check.name)) as VtyshCountCheck[];
    expect(depth.length).toBeGreaterThanOrEqual(12 + 4 + 1);
    const wrong: VtyshCountCheck = {
      ...depth.find((check) => check.command.includes(" community 65100:100"))!,
      name: "a community nobody sets",
      command: "show bgp ipv4 unicast community 65100:999 json",
    };
    const probe = await deployProgram(() => new LabProbe("rr-probe", { host: LOCAL_HOST, timeoutSeconds: 20, checks: [...depth, wrong] }));
    const results = await valueOf(probe.outputs.results);
    expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual(["a community nobody sets"]);
    await probe.mocks.destroyAll();
  });

  // exitPolicyHook (bgpReflectors): the policy module's local preference will choose the exit; until
  // then BGP's own tie-break does, the exit nearest by OSPF: c4 for h3's traffic to the isp's LAN.
  it("leaves AS 65000 through the exit nearest by OSPF (c4 for h3) until a policy chooses", async () => {
    const hops = await traceHops(node("h3").container, "10.62.0.10");
    // c3, rr2, c4, then the isp (which answers from the address of its own way back, its choice) and hx.
    expect([hops.length, ...hops.slice(0, 3), hops[4]]).toEqual([5, "10.61.3.1", "10.60.103.1", "10.60.104.2", "10.62.0.10"]);
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
