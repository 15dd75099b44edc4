/**
 * OSPF's depth on the real engine (issue 25): the multi-area lab's convergence from first node
 * started and its routers' memory, beside the plain OSPF ring's; the ring of unnumbered links'
 * failover under a one-sided cut with BFD (target under 1 s, as the numbered ring's).
 */
import { RoutedLab } from "../../components/routed-lab";
import { RoutedLabSpec } from "../../components/routed-lab/plan";
import { measureOutage, nextHop } from "../../test/support/bgp-probes";
import { waitFor } from "../../test/support/docker-cli";
import { TEST_LABEL, deployProgram, newTestRun, sweep } from "../../test/support/lab-harness";
import { UNNUMBERED_LOOPBACKS, ospfAreas, unnumberedRing } from "../../test/support/ospf-areas-lab";
import { ospfRing } from "../../test/support/routing-labs";
import { cutLink, firstStartedAt, memoryMiB, waitForConvergence } from "../../test/support/routing-probes";

export interface OspfDepthRun {
  /** The multi-area lab: first node started to every adjacency and route (summaries included). */
  areasConvergenceMs: number;
  /** Median memory of its routers, MiB. */
  areasRouterMiB: number;
  /** The plain OSPF ring's median router memory, MiB, measured in the same run, BFD off as in the multi-area lab, so that the two differ in their OSPF alone. */
  ringRouterMiB: number;
  /** The unnumbered ring: first node started to converged, and the outage of a one-sided r1-r2 cut (BFD 100 ms x 3). */
  unnumberedConvergenceMs: number;
  unnumberedOutageMs: number;
}

/** Deploys a lab, waits for it to converge; `measure` runs on it before teardown. */
async function onLab<T>(name: string, spec: RoutedLabSpec, measure: (lab: RoutedLab, convergenceMs: number) => Promise<T>): Promise<T> {
  const testRun = newTestRun();
  try {
    const deployed = await deployProgram(
      () => new RoutedLab(name, { spec, namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }),
    );
    const lab = deployed.outputs;
    const started = await firstStartedAt(Object.values(lab.nodes).map((n) => n.container));
    const converged = await waitForConvergence(lab.plan, 120_000);
    if (converged.ms === undefined) throw new Error(`${name}: not converged: ${JSON.stringify(converged.pending)}`);
    const result = await measure(lab, Date.now() - started);
    await deployed.mocks.destroyAll();
    return result;
  } finally {
    await sweep(testRun);
  }
}

/** The median memory of the lab's routers. */
async function routerMiB(lab: RoutedLab): Promise<number> {
  const routers = lab.plan.nodes.filter((node) => node.routing).map((node) => node.containerName);
  const memory = Object.values(await memoryMiB(routers)).sort((a, b) => a - b);
  return memory[Math.floor(memory.length / 2)];
}

export async function ospfDepthOnce(): Promise<OspfDepthRun> {
  const areas = await onLab("areas", ospfAreas(), async (lab, ms) => ({ ms, mib: await routerMiB(lab) }));
  const ringRouterMiB = await onLab("ring", ospfRing(false), (lab) => routerMiB(lab));
  const unnumbered = await onLab("unnumbered", unnumberedRing(true), async (lab, ms) => {
    const h3 = lab.plan.nodes.find((node) => node.name === "h3")!.interfaces[0].address;
    const r1 = lab.nodes.r1.container;
    if (!(await waitFor(async () => (await nextHop(r1, h3)) === UNNUMBERED_LOOPBACKS.r2, { timeoutMs: 30_000 })))
      throw new Error("unnumbered ring: r1 never took r2");
    let cut: { restore: () => Promise<void> } | undefined;
    const outage = await measureOutage(
      lab.nodes.h1.container,
      h3,
      async () => {
        cut = await cutLink(r1, lab.nodes.r1.addresses.l12, "l12");
      },
      { seconds: 8 },
    );
    await cut?.restore();
    return { ms, outageMs: outage.outageMs };
  });
  return {
    areasConvergenceMs: areas.ms,
    areasRouterMiB: areas.mib,
    ringRouterMiB,
    unnumberedConvergenceMs: unnumbered.ms,
    unnumberedOutageMs: unnumbered.outageMs,
  };
}
