/**
 * Multi-area OSPF on real Docker and FRR (issue 25, proof 1; the lab: test/support/ospf-areas-lab.ts):
 * a backbone of three routers, a stub area and an NSSA behind two area border routers. It
 * converges from the topology alone; the ABRs announce their areas' summaries (b1 holds them, not
 * the LANs inside); the stub area takes no external route but a default from its ABRs, the NSSA
 * none; costs steer h0's way to h1 through b3 (traceroute shows it); the lab's own probe checks
 * (adjacencies, LANs and summaries, the passive link, the default route) pass.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_HOST } from "../../components/host/docker-host";
import { LabProbe } from "../../components/probe/lab-probe";
import { routingChecks } from "../../components/protocols";
import { RoutedLab } from "../../components/routed-lab";
import { traceHops } from "../support/bgp-probes";
import { execIn } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { AREAS_ADDRESSES, AREAS_LANS, AREAS_SUMMARIES, ospfAreas } from "../support/ospf-areas-lab";
import { DOCKER, skipUnless } from "../support/requirements";
import { firstStartedAt, waitForConvergence } from "../support/routing-probes";
import { valueOf } from "../support/run-program";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

/** The IPv4 prefixes in a router's kernel table, as `ip route` names them. */
async function routes(container: string): Promise<string[]> {
  const result = await execIn(container, ["ip", "-4", "route", "show"], 10_000);
  return result.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((prefix) => prefix !== "");
}

/** How many LSAs of a kind the router's OSPF database holds (`external`: type 5, `nssa-external`: type 7). */
async function lsaCount(container: string, kind: "external" | "nssa-external" | "summary"): Promise<number> {
  const result = await execIn(container, ["vtysh", "-c", `show ip ospf database ${kind}`], 10_000);
  return (result.stdout.match(/Link State ID:/g) ?? []).length;
}

describe.skipIf(skipReason)(`multi-area OSPF on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const node = (name: string) => lab.outputs.nodes[name];

  beforeAll(async () => {
    lab = await deployProgram(
      () => new RoutedLab("areas", { spec: ospfAreas(), namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("converges from the topology: every adjacency (the MD5 link too), every LAN or its summary where the plan expects it", async () => {
    const started = await firstStartedAt(Object.values(lab.outputs.nodes).map((n) => n.container));
    const converged = await waitForConvergence(lab.outputs.plan, 90_000);
    expect(converged.pending).toEqual({});
    console.log(`[figures] ospf-areas: first node started to every adjacency and route in place ${Date.now() - started} ms`);
    for (const [from, to] of [
      ["h0", AREAS_ADDRESSES.h1],
      ["h0", AREAS_ADDRESSES.h2],
      ["h1", AREAS_ADDRESSES.h2],
    ]) {
      const ping = await execIn(node(from).container, ["ping", "-c", "1", "-W", "2", to]);
      expect(ping.code, `${from} -> ${to}: ${ping.stdout}`).toBe(0);
    }
  });

  it("the ABRs summarize: b1 (backbone) holds each area's summary and none of the LANs inside it; b3 (their ABR) holds the LANs", async () => {
    const b1 = await routes(node("b1").container);
    expect(b1).toEqual(expect.arrayContaining([AREAS_SUMMARIES.stub, AREAS_SUMMARIES.nssa]));
    for (const lan of [...AREAS_LANS.s1, ...AREAS_LANS.n1]) expect(b1).not.toContain(lan);
    const b3 = await routes(node("b3").container);
    expect(b3).toEqual(expect.arrayContaining([...AREAS_LANS.s1, ...AREAS_LANS.n1]));
    // Each area sees the other's summary, not its LANs.
    const s1 = await routes(node("s1").container);
    expect(s1).toContain(AREAS_SUMMARIES.nssa);
    for (const lan of AREAS_LANS.n1) expect(s1).not.toContain(lan);
  });

  it("the stub area takes no external route but a default from its ABRs; the NSSA takes neither; the backbone takes b1's default", async () => {
    expect(await lsaCount(node("b2").container, "external")).toBeGreaterThan(0);
    expect(await lsaCount(node("s1").container, "external")).toBe(0);
    expect(await routes(node("s1").container)).toContain("default");
    expect(await lsaCount(node("n1").container, "external")).toBe(0);
    expect(await routes(node("b3").container)).toContain("default");
  });

  it("costs steer h0's way to h1 through b3 (b1 - b2 costs 100): traceroute shows b1, b3, s1", async () => {
    expect(await traceHops(node("h0").container, AREAS_ADDRESSES.h1)).toEqual([
      node("b1").addresses.lan0,
      AREAS_ADDRESSES.b3OnB1,
      AREAS_ADDRESSES.s1OnB3,
      AREAS_ADDRESSES.h1,
    ]);
  });

  it("the lab's own probe checks pass: adjacencies, LANs and summaries, b1's passive link, the default route where it reaches", async () => {
    const checks = routingChecks(lab.outputs.plan);
    expect(checks.map((check) => check.name)).toEqual(
      expect.arrayContaining([
        "b1 OSPF passive interfaces, no neighbour there (1)",
        "s1 has the default route OSPF carries",
        "b2 has the default route OSPF carries",
      ]),
    );
    const probe = await deployProgram(() => new LabProbe("areas-probe", { host: LOCAL_HOST, timeoutSeconds: 30, checks }));
    const results = await valueOf(probe.outputs.results);
    expect(results.filter((result) => !result.ok)).toEqual([]);
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
