/**
 * A lab comes back by itself after its Docker daemon restarts (or its host reboots): nodes restart
 * with their policy, find their interfaces again, re-add their routes, rerun their commands; the
 * bridge guard re-adds its rules; published ports answer again. A lab whose restart policy is "no"
 * stays down. The daemon restarted is an emulated host's (test/support/emulated-hosts.ts), started
 * and ended by this test, never the machine's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, execIn, run, waitFor } from "../support/docker-cli";
import { TEST_LABEL, newTestRun } from "../support/lab-harness";
import { RestartLab, startRestartLab } from "../support/restart-lab";
import { DOCKER, EMULATED_HOSTS, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER, EMULATED_HOSTS]);
if (skipReason) console.warn(`[skipped] daemon restart: ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`a lab across a Docker daemon restart${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: RestartLab;
  let stopped = false;

  const container = (which: "up" | "down", node: string) => lab.deployed.outputs[which].nodes[node].container;

  beforeAll(async () => {
    lab = await startRestartLab(testRun);
  });

  afterAll(async () => {
    const failures = lab && !stopped ? await lab.stop() : [];
    expect(failures).toEqual([]);
  });

  it("works once deployed", async () => {
    expect(await lab.failures()).toEqual([]);
  });

  it("comes back by itself after the daemon restarts; the lab whose policy is 'no' stays down", async () => {
    const { emulated, host, target } = lab;
    const restarted = await emulated.restartEngine(host);
    const answeredAt = Date.now();
    let failures: string[] = ["not checked"];
    await waitFor(async () => (failures = await lab.failures()).length === 0, { timeoutMs: 90_000, intervalMs: 200 });
    const recoveredMs = Date.now() - answeredAt;
    console.log(
      `[figures] daemon restart: dockerd stopped in ${restarted.stoppedMs} ms, answered ${restarted.answeringMs} ms after start; ` +
        `lab checks passing ${recoveredMs} ms after the engine answered`,
    );
    if (failures.length > 0) {
      const ps = await run("docker", ["-H", target.host, "ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
      const rules = await run("ip", [
        "netns",
        "exec",
        host.netns,
        "sh",
        "-c",
        "iptables -S FORWARD; iptables -S DOCKER-ISOLATION-STAGE-1; iptables -S DOCKER-ISOLATION-STAGE-2; iptables -S DOCKER-USER; iptables-legacy -S FORWARD 2>&1 | head -5; sysctl net.bridge.bridge-nf-call-iptables",
      ]);
      const r1ping = await execIn(container("up", "r1"), ["ping", "-c", "1", "-W", "1", "10.234.2.10"], 5_000, target);
      const h1route = await execIn(container("up", "h1"), ["ip", "-4", "route"], 5_000, target);
      console.log(`[debug] r1 ping h2: ${r1ping.code}; h1 routes: ${h1route.stdout}`);
      const routes = await execIn(container("up", "h1"), ["ip", "-4", "addr"], 5_000, target);
      const r1 = await execIn(container("up", "r1"), ["ip", "-4", "route"], 5_000, target);
      console.log(`[debug] ${ps.stdout}\n${rules.stdout}\n${routes.stdout}\n${r1.stdout}`);
    }
    expect(failures).toEqual([]);
    const state = async (name: string) =>
      (
        await run("docker", ["-H", target.host, "inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", name], {
          timeoutMs: 10_000,
        })
      ).stdout.trim();
    // Docker's own view follows within a few health intervals.
    for (const node of ["r1", "h1", "h2"]) {
      const name = container("up", node);
      await waitFor(async () => (await state(name)) === "running healthy", { timeoutMs: 15_000 });
      expect(await state(name)).toBe("running healthy");
    }
    expect(await state(container("down", "n1"))).toMatch(/^exited /);
  });

  it("destroy leaves nothing on the host: containers, networks, host rules", async () => {
    const { emulated, host, target } = lab;
    stopped = true;
    const destroyFailures = await lab.deployed.mocks.destroyAll();
    expect(destroyFailures).toEqual([]);
    // docker() throws when the listing fails: an empty answer is the engine's, not a broken command's.
    const left = async (args: string[], name: string) =>
      (await docker(target, [...args, "--filter", `label=${TEST_LABEL}=${testRun.id}`, "--format", name])).trim();
    expect(await left(["ps", "-a"], "{{.Names}}")).toBe("");
    expect(await left(["network", "ls"], "{{.Name}}")).toBe("");
    // inHost throws on a failed listing, and the chain must be there (the engine made it).
    const rules = await emulated.inHost(host, ["iptables", "-w", "5", "-S", "DOCKER-USER"]);
    expect(rules).toMatch(/^-N DOCKER-USER$/m);
    expect(rules).not.toContain(testRun.prefix);
    await emulated.stop();
  });
});
