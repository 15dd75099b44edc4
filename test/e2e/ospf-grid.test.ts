/**
 * A generated 4x5 grid of 20 OSPF routers on this one machine, with a host on each of the 14 edge
 * routers: the time from the first node started to full reachability, memory per router, and
 * every adjacency up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { execIn, waitFor } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { ospfGrid } from "../support/routing-labs";
import { firstStartedAt, labPending, memoryMiB, waitForConvergence } from "../support/routing-probes";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();
// BFD off: on this 2-core machine the 20 routers and 14 hosts keep the load near 30, and BFD at
// 100 ms x 3 flaps there (sessions 1 of 2 up, OSPF torn down with them; measured). The ring and the
// chain prove BFD; docs/routing.md says to give a large lab slower BFD or none.
const grid = ospfGrid(4, 5, false);

/** Whether every host reaches every other host's address (one ping each, in parallel per source). */
async function unreachablePairs(containerOf: (host: string) => string): Promise<string[]> {
  const failures = await Promise.all(
    grid.hosts.map(async (from) => {
      const missing: string[] = [];
      for (const to of grid.hosts.filter((other) => other !== from)) {
        const ping = await execIn(containerOf(from.host), ["ping", "-c", "1", "-W", "1", to.address], 10_000);
        if (ping.code !== 0) missing.push(`${from.host}->${to.host}`);
      }
      return missing;
    }),
  );
  return failures.flat();
}

describe.skipIf(skipReason)(`OSPF grid of 20 routers on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const container = (name: string) => lab.outputs.nodes[name].container;

  beforeAll(async () => {
    lab = await deployProgram(
      () =>
        new RoutedLab("grid", {
          spec: grid.spec,
          namePrefix: testRun.prefix,
          labels: { [TEST_LABEL]: testRun.id },
          readyTimeoutSeconds: 180,
        }),
    );
    await waitForNodes(
      Object.values(lab.outputs.nodes).map((n) => n.container),
      180_000,
    );
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("reaches full reachability: every adjacency up, every router holding every LAN, every host reaching every host", async () => {
    const started = await firstStartedAt(Object.values(lab.outputs.nodes).map((n) => n.container));
    const converged = await waitForConvergence(lab.outputs.plan, 120_000);
    expect(converged.pending).toEqual({});
    const reachable = await waitFor(async () => (await unreachablePairs(container)).length === 0, { timeoutMs: 60_000, intervalMs: 500 });
    const fullAt = Date.now();
    expect(reachable ? [] : await unreachablePairs(container)).toEqual([]);
    console.log(
      `[figures] ospf-grid 4x5 (20 routers, 14 hosts): deploy ${(lab.deployMs / 1000).toFixed(1)} s; ` +
        `first node started to full reachability ${((fullAt - started) / 1000).toFixed(1)} s`,
    );
  });

  it("holds every adjacency: 31 links, each Full at both ends", async () => {
    expect(await labPending(lab.outputs.plan)).toEqual({});
    const links = lab.outputs.plan.segments.filter((segment) => segment.name.startsWith("x"));
    expect(links).toHaveLength(31);
  });

  it("measures memory per router", async () => {
    const memory = await memoryMiB(grid.routers.map(container));
    const values = Object.values(memory);
    expect(values).toHaveLength(20);
    expect(values.every((mib) => mib > 0 && Number.isFinite(mib))).toBe(true);
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `[figures] ospf-grid memory per router: median ${sorted[10].toFixed(1)} MiB, max ${sorted[19].toFixed(1)} MiB, all 20 ${values.reduce((a, b) => a + b, 0).toFixed(0)} MiB`,
    );
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
