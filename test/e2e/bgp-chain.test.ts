/**
 * An eBGP chain of three ASes on real Docker and FRR, the middle AS two routers with iBGP between
 * loopbacks that OSPF carries: h1 (AS 65001) reaches h3 (AS 65003), and each end router sees the
 * far LAN with the expected AS path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { bgpPeers, traceHops } from "../support/bgp-probes";
import { execIn, waitFor } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { bgpChain } from "../support/routing-labs";
import { bestAsPath, ospfStates, waitForConvergence } from "../support/routing-probes";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`eBGP chain with an iBGP pair on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const node = (name: string) => lab.outputs.nodes[name];

  beforeAll(async () => {
    lab = await deployProgram(
      () => new RoutedLab("chain", { spec: bgpChain(), namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("brings up eBGP on the links, OSPF and iBGP between r2a's and r2b's loopbacks, and every route", async () => {
    const converged = await waitForConvergence(lab.outputs.plan, 60_000);
    expect(converged.pending).toEqual({});
    console.log(`[figures] bgp-chain: every session and route in place ${converged.ms} ms after the nodes were ready`);
    expect(await ospfStates(node("r2a").container)).toEqual(["Full/-"]);
    const peers = await bgpPeers(node("r2a").container);
    expect(peers.map((p) => `${p.peer} ${p.state}`).sort()).toEqual(["10.30.101.1 Established", "10.30.255.22 Established"]);
    // The loopback arrives by OSPF.
    const route = await execIn(node("r2a").container, ["ip", "-4", "route", "show", "10.30.255.22"]);
    expect(route.stdout).toMatch(/via 10\.30\.102\.2 .*proto ospf/);
  });

  it("h1 reaches h3 across the three ASes, and back", async () => {
    const reached = await waitFor(
      async () => (await execIn(node("h1").container, ["ping", "-c", "1", "-W", "2", "10.30.3.10"])).code === 0,
      {
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
    expect(reached).toBe(true);
    expect((await execIn(node("h3").container, ["ping", "-c", "1", "-W", "2", "10.30.1.10"])).code).toBe(0);
    expect(await traceHops(node("h1").container, "10.30.3.10")).toEqual([
      "10.30.1.1",
      "10.30.101.2",
      "10.30.102.2",
      "10.30.103.2",
      "10.30.3.10",
    ]);
  });

  it("each end router sees the far LAN through AS 65002 from the far AS", async () => {
    expect(await bestAsPath(node("r3").container, "10.30.1.0/24")).toBe("65002 65001");
    expect(await bestAsPath(node("r1").container, "10.30.3.0/24")).toBe("65002 65003");
    // Inside AS 65002 the route from the far side comes over iBGP: the AS path is the neighbour's only.
    expect(await bestAsPath(node("r2a").container, "10.30.3.0/24")).toBe("65003");
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
