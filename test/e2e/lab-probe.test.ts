/**
 * LabProbe through the real-Docker mocks, which load its serialized provider the way Pulumi's
 * dynamic-provider host does: checks run against a real lab, results come back as outputs, and
 * failOnError turns a failing check into a failed deploy.
 */
import { LOCAL_HOST } from "../../components/host/docker-host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabProbe } from "../../components/probe/lab-probe";
import { DeployedStack, deployProgram, deployStack, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { valueOf } from "../support/run-program";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`LabProbe on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: DeployedStack;
  const node = (name: string) => lab.outputs.labs["routed-lan"].nodes[name].container;

  beforeAll(async () => {
    lab = await deployStack(testRun, { labs: ["routed-lan"] });
    await waitForNodes(Object.values(lab.outputs.labs["routed-lan"].nodes).map((n) => n.container));
  });
  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("runs its checks on the lab's host and exports the results", async () => {
    const probe = await deployProgram(
      () =>
        new LabProbe("probe", {
          host: LOCAL_HOST,
          timeoutSeconds: 10,
          checks: [
            { kind: "fetch", name: "h1 fetches h3", from: node("h1"), url: "http://10.232.3.10/", expect: "h3" },
            { kind: "reach", name: "h2 reaches h1", from: node("h2"), address: "10.232.1.10" },
            { kind: "file", name: "r1 is ready", container: node("r1"), path: "/run/netlabs/interfaces" },
          ],
        }),
    );
    const results = await valueOf(probe.outputs.results);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ["h1 fetches h3", true],
      ["h2 reaches h1", true],
      ["r1 is ready", true],
    ]);
    expect(await valueOf(probe.outputs.failed)).toBe(0);
  });

  it("reports a failing check, and fails the deploy with failOnError", async () => {
    const unreachable = { kind: "reach" as const, name: "h1 reaches nobody", from: node("h1"), address: "10.232.9.99" };
    const soft = await deployProgram(() => new LabProbe("soft", { host: LOCAL_HOST, timeoutSeconds: 1, checks: [unreachable] }));
    const results = await valueOf(soft.outputs.results);
    expect(results[0]).toMatchObject({ ok: false, detail: `${node("h1")} does not reach 10.232.9.99` });
    await expect(
      deployProgram(() => new LabProbe("hard", { host: LOCAL_HOST, timeoutSeconds: 1, failOnError: true, checks: [unreachable] })),
    ).rejects.toThrow(/lab probe: 1 of 1 checks failed: .* does not reach 10\.232\.9\.99/);
  });
});
