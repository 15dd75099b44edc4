/**
 * Host guards on the real engine: a guard whose setup fails fails the deploy with its log (its
 * readiness gate), and a guard killed without its teardown leaves nothing for good: the next
 * deploy mends what it left, and destroy removes its rules even when its container is gone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { HostGuard } from "../../components/host/host-guard";
import { promiscuousSteps } from "../../components/host/host-guard-script";
import { buildLabImages } from "../../components/images/lab-image";
import { RoutedLab } from "../../components/routed-lab";
import { run } from "../support/docker-cli";
import { DOCKER, skipUnless } from "../support/requirements";
import { TEST_LABEL, deployProgram, hostRulesStrict, leftovers, newTestRun, redeployProgram, sweep } from "../support/lab-harness";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

/** A router between `lans` internal LANs (a bridge guard with a rule per LAN's bridge), one host on each. */
function routerLab(lans: number) {
  const indexes = Array.from({ length: lans }, (_, i) => i + 1);
  return () =>
    new RoutedLab("guarded", {
      namePrefix: testRun.prefix,
      labels: { [TEST_LABEL]: testRun.id },
      spec: {
        segments: indexes.map((i) => ({ name: `lan${i}`, subnet: `10.237.${i}.0/24` })),
        nodes: [
          { name: "r1", image: "router", router: true, interfaces: indexes.map((i) => ({ segment: `lan${i}`, address: `10.237.${i}.1` })) },
          ...indexes.map((i) => ({
            name: `h${i}`,
            image: "client",
            interfaces: [{ segment: `lan${i}`, address: `10.237.${i}.10` }],
            routes: [{ to: "10.237.0.0/16", via: `10.237.${i}.1` }],
          })),
        ],
      },
    });
}

/** The bridges the rules name (their -i), sorted. */
const bridgesOf = (rules: string[]) => rules.map((rule) => / -i (\S+) /.exec(rule)![1]).sort();

/** The guard as `docker kill -s KILL` leaves it: dead, its teardown never run. */
async function killGuard(container: string): Promise<void> {
  const killed = await run("docker", ["kill", "-s", "KILL", container], { timeoutMs: 30_000 });
  expect(killed.code, killed.stderr).toBe(0);
  const state = await run("docker", ["inspect", "--format", "{{.State.Running}}", container]);
  expect(state.stdout.trim()).toBe("false");
}

describe.skipIf(skipReason)(`host guards on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(() => sweep(testRun));

  it("a guard whose setup fails (a missing device) fails the deploy, naming it and showing its log (issue 20, point 9)", async () => {
    const started = Date.now();
    const failed = deployProgram(() => {
      const image = buildLabImages("guard-image", undefined, ["router"]).router!;
      return new HostGuard("missing-device", {
        steps: promiscuousSteps("nlmissing0"),
        image,
        containerName: `${testRun.prefix}missing-device-promisc`,
        capabilities: ["NET_ADMIN"],
        labels: { [TEST_LABEL]: testRun.id },
      });
    });
    await expect(failed).rejects.toThrow(
      /node host guard \(container \S+-missing-device-promisc\) (exited with code 2|restarted \d+ time).*host guard: failed: ip link show dev 'nlmissing0'/s,
    );
    // Failed at once, not after the gate's whole wait.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it("a guard killed without its teardown: the next deploy mends its rules, destroy leaves none (issue 20, point 10)", async () => {
    const guard = `${testRun.prefix}guarded-bridge-guard`;
    const first = await deployProgram(routerLab(3));
    let last: typeof first | undefined = first;
    try {
      const bridges = bridgesOf(await hostRulesStrict(testRun));
      expect(bridges).toHaveLength(3);
      await killGuard(guard);
      // Its rules outlive it.
      expect(bridgesOf(await hostRulesStrict(testRun))).toEqual(bridges);
      // The lab loses lan3 while its guard is dead: the new guard replaces the lost one and
      // leaves only the rules of the bridges the lab still has.
      last = undefined;
      const second = await redeployProgram(first, routerLab(2));
      last = second;
      const mended = bridgesOf(await hostRulesStrict(testRun));
      expect(mended).toHaveLength(2);
      expect(bridges).toEqual(expect.arrayContaining(mended));
      expect((await run("docker", ["inspect", "--format", "{{.State.Health.Status}}", guard])).stdout.trim()).toBe("healthy");
      // Killed again, then destroyed: its container goes without a teardown, its rules go too.
      await killGuard(guard);
      expect(bridgesOf(await hostRulesStrict(testRun))).toEqual(mended);
      last = undefined;
      expect(await second.mocks.destroyAll()).toEqual([]);
      expect(await hostRulesStrict(testRun)).toEqual([]);
      expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
    } finally {
      if (last) await last.mocks.destroyAll();
    }
  });
});
