/**
 * Host guards on the real engine: a guard whose setup fails fails the deploy with its log (its
 * readiness gate), and a guard killed without its teardown leaves nothing for good: the next
 * deploy mends what it left, and destroy removes its rules even when its container is gone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { HostGuard } from "../../components/host/host-guard";
import { promiscuousSteps } from "../../components/host/host-guard-script";
import { buildLabImages } from "../../components/images/lab-image";
import { dockerUnavailableReason } from "../support/docker-cli";
import { TEST_LABEL, deployProgram, leftovers, newTestRun, sweep } from "../support/lab-harness";

const skipReason = dockerUnavailableReason();
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

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
});
