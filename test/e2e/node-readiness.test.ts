/**
 * A node that crashes or never becomes ready fails the deploy, naming the node and showing the
 * tail of its log (NodesReady over the nodes' readiness healthcheck), and nothing is left behind.
 * The real provider does not check that a container keeps running (terraform-provider-docker v4),
 * so without the lab's own readiness gate each of these deploys would "succeed".
 */
import { afterAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { TEST_LABEL, deployProgram, leftovers, newTestRun, sweep } from "../support/lab-harness";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

/** A one-segment lab whose node `bad` is given `node`'s fields, next to a healthy node. */
function labWith(bad: Record<string, unknown>, readyTimeoutSeconds?: number) {
  return () =>
    new RoutedLab("ready", {
      namePrefix: testRun.prefix,
      labels: { [TEST_LABEL]: testRun.id },
      readyTimeoutSeconds,
      spec: {
        segments: [{ name: "lan", subnet: "10.233.1.0/24" }],
        nodes: [
          { name: "good", image: "client", interfaces: [{ segment: "lan", address: "10.233.1.10" }] },
          { name: "bad", image: "client", interfaces: [{ segment: "lan", address: "10.233.1.11" }], ...bad },
        ],
      },
    });
}

describe.skipIf(skipReason)(`node readiness on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(() => sweep(testRun));

  it("a node whose init command fails fails the deploy, naming it and showing its log", async () => {
    const failed = deployProgram(labWith({ commands: ["echo configuring; exit 3"] }));
    await expect(failed).rejects.toThrow(
      /node bad \(container \S+-ready-bad\) (exited with code 74|restarted \d+ time).*configuring.*command 1 failed/s,
    );
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it("a node whose command hangs past its commandTimeoutSeconds fails the deploy, naming the command (issue 20, point 11)", async () => {
    const started = Date.now();
    // The lab's readiness wait (60 s) is far above the command's limit (2 s): the command's bound, not the gate's, ends it.
    const failed = deployProgram(labWith({ commands: ["echo stuck; sleep 600"], commandTimeoutSeconds: 2 }, 60));
    await expect(failed).rejects.toThrow(
      /node bad \(container \S+-ready-bad\) (exited with code 77|restarted \d+ time\(s\)( \(last exit code 77\))?).*stuck.*command 1 did not finish within 2 s: echo stuck; sleep 600/s,
    );
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it("a node whose main process exits fails the deploy with its exit code", async () => {
    const failed = deployProgram(labWith({ command: ["sh", "-c", "echo main gives up >&2; exit 5"] }));
    await expect(failed).rejects.toThrow(/node bad .*(exited with code 5|restarted \d+ time\(s\) \(last exit code 5\)).*main gives up/s);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it("a node that never becomes ready fails the deploy when its time is up", async () => {
    const started = Date.now();
    const failed = deployProgram(labWith({ commands: ["echo waiting for ever; sleep 600"] }, 8));
    await expect(failed).rejects.toThrow(/node bad \(container \S+\) not ready within 8 s.*waiting for ever/s);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it("a lab whose nodes all become ready deploys, with each node's time to ready", async () => {
    const deployed = await deployProgram(labWith({}));
    try {
      const readyMs = await new Promise<Record<string, number>>((resolve) => deployed.outputs.ready.readyMs.apply(resolve));
      expect(Object.keys(readyMs).sort()).toEqual(["bad", "good"]);
      console.log(`[figures] node readiness: ${JSON.stringify(readyMs)} ms after the gate's first poll`);
    } finally {
      expect(await deployed.mocks.destroyAll()).toEqual([]);
    }
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
