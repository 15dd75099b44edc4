/**
 * Bad input and failures half way: a clear error, and nothing left behind on the engine.
 */
import { afterAll, describe, expect, it } from "vitest";
import { docker, LOCAL_DOCKER } from "../support/docker-cli";
import { TEST_LABEL, deployStack, leftovers, newTestRun, sweep } from "../support/lab-harness";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`failures on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(async () => {
    await sweep(testRun);
    await docker(LOCAL_DOCKER, ["network", "rm", `${testRun.prefix}squatter`]).catch(() => undefined);
  });

  it("rejects invalid config with the key and value named, creating nothing", async () => {
    await expect(deployStack(testRun, { demoHostPort: 0 })).rejects.toThrow(/docker-netlabs:demoHostPort: .*\(got 0\)/);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it("removes what it had created when the engine refuses a resource half way", async () => {
    // Another network already holds the routed lab's lan2 subnet: Docker refuses to create lan2.
    await docker(LOCAL_DOCKER, [
      "network",
      "create",
      "--internal",
      "--subnet",
      "10.232.2.0/24",
      "--label",
      `${TEST_LABEL}=squatter-${testRun.id}`,
      `${testRun.prefix}squatter`,
    ]);
    await expect(deployStack(testRun, { labs: ["routed-lan"] })).rejects.toThrow(
      /routed-lan-lan2.*Pool overlaps.*removed [1-9]\d* resources created before the failure\)$/s,
    );
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
