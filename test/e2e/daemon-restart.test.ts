/**
 * A lab comes back by itself after its Docker daemon restarts (or its host reboots): nodes restart
 * with their policy, find their interfaces again, re-add their routes, rerun their commands; the
 * bridge guard re-adds its rules; published ports answer again. A lab whose restart policy is "no"
 * stays down. The daemon restarted is an emulated host's (test/support/emulated-hosts.ts), started
 * and ended by this test, never the machine's own.
 */
import * as docker from "@pulumi/docker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { DockerTarget, dockerUnavailableReason, execIn, run, waitFor } from "../support/docker-cli";
import { EmulatedHost, EmulatedHosts, emulatedHostsUnavailableReason, startEmulatedHosts } from "../support/emulated-hosts";
import { Deployed, TEST_LABEL, deployProgram, freePort, newTestRun } from "../support/lab-harness";
import { ensureLocalImage } from "../support/stretch-sites";

const skipReason = dockerUnavailableReason() ?? emulatedHostsUnavailableReason();
if (skipReason) console.warn(`[skipped] daemon restart: ${skipReason}`);
const testRun = newTestRun();

interface Labs {
  up: RoutedLab;
  down: RoutedLab;
}

describe.skipIf(skipReason)(`a lab across a Docker daemon restart${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let emulated: EmulatedHosts;
  let host: EmulatedHost;
  let target: DockerTarget;
  let deployed: Deployed<Labs>;
  let hostPort: number;

  const container = (lab: RoutedLab, node: string) => lab.nodes[node].container;
  /** What the lab is for: across the router both ways, the command's address, the published port. */
  const labWorks = async (labs: Labs): Promise<string[]> => {
    const failures: string[] = [];
    const h1 = container(labs.up, "h1");
    const h2 = container(labs.up, "h2");
    if ((await execIn(h1, ["curl", "-sf", "--max-time", "2", "http://10.234.2.10/"], 5_000, target)).stdout.trim() !== "h2") failures.push("h1 fetches h2");
    if ((await execIn(h2, ["ping", "-c", "1", "-W", "1", "10.234.1.99"], 5_000, target)).code !== 0) failures.push("h2 reaches h1's command-added address");
    const published = await run("ip", ["netns", "exec", host.netns, "curl", "-sf", "--max-time", "2", `http://127.0.0.1:${hostPort}/`], { timeoutMs: 5_000 });
    if (published.stdout.trim() !== "h2") failures.push(`127.0.0.1:${hostPort} answers on the host`);
    return failures;
  };

  beforeAll(async () => {
    const images = await Promise.all(["router", "client", "web"].map(ensureLocalImage));
    emulated = await startEmulatedHosts(["debian:bookworm-slim", ...images]);
    host = emulated.hosts[0];
    target = host.target;
    hostPort = await freePort(18080);
    const [router, client, web] = images;
    deployed = await deployProgram(() => {
      const provider = new docker.Provider("emulated-a", { host: target.host });
      const common = { namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id }, dockerHost: target.host, images: { router, client, web } };
      const up = new RoutedLab(
        "comeback",
        {
          ...common,
          spec: {
            segments: [
              { name: "lan1", subnet: "10.234.1.0/24" },
              { name: "lan2", subnet: "10.234.2.0/24" },
            ],
            nodes: [
              { name: "r1", image: "router", router: true, interfaces: [{ segment: "lan1", address: "10.234.1.1" }, { segment: "lan2", address: "10.234.2.1" }] },
              {
                name: "h1", image: "client",
                interfaces: [{ segment: "lan1", address: "10.234.1.10" }],
                routes: [{ to: "10.234.2.0/24", via: "10.234.1.1" }],
                // Kernel state, gone after a restart: the command must run again.
                commands: ['ip addr add 10.234.1.99/24 dev "$NETLABS_IF_LAN1"'],
              },
              {
                name: "h2", image: "web",
                interfaces: [{ segment: "lan2", address: "10.234.2.10" }],
                routes: [{ to: "10.234.1.0/24", via: "10.234.2.1" }],
                files: { "/srv/www/index.html": "h2\n" },
                publish: [{ containerPort: 80, hostPort }],
              },
            ],
          },
        },
        { provider },
      );
      const down = new RoutedLab(
        "staydown",
        { ...common, restart: "no", spec: { segments: [{ name: "lan", subnet: "10.234.9.0/24" }], nodes: [{ name: "n1", image: "client", interfaces: [{ segment: "lan", address: "10.234.9.10" }] }] } },
        { provider },
      );
      return { up, down };
    });
  });

  afterAll(async () => {
    const failures = deployed ? await deployed.mocks.destroyAll() : [];
    await emulated?.stop();
    expect(failures).toEqual([]);
  });

  it("works once deployed", async () => {
    expect(await labWorks(deployed.outputs)).toEqual([]);
  });

  it("comes back by itself after the daemon restarts; the lab whose policy is 'no' stays down", async () => {
    const restarted = await emulated.restartEngine(host);
    const answeredAt = Date.now();
    let failures: string[] = ["not checked"];
    await waitFor(async () => (failures = await labWorks(deployed.outputs)).length === 0, { timeoutMs: 90_000, intervalMs: 200 });
    const recoveredMs = Date.now() - answeredAt;
    console.log(
      `[figures] daemon restart: dockerd stopped in ${restarted.stoppedMs} ms, answered ${restarted.answeringMs} ms after start; ` +
        `lab checks passing ${recoveredMs} ms after the engine answered`,
    );
    if (failures.length > 0) {
      const ps = await run("docker", ["-H", target.host, "ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
      const rules = await run("ip", ["netns", "exec", host.netns, "sh", "-c", "iptables -S FORWARD; iptables -S DOCKER-ISOLATION-STAGE-1; iptables -S DOCKER-ISOLATION-STAGE-2; iptables -S DOCKER-USER; iptables-legacy -S FORWARD 2>&1 | head -5; sysctl net.bridge.bridge-nf-call-iptables"]);
      const r1ping = await execIn(container(deployed.outputs.up, "r1"), ["ping", "-c", "1", "-W", "1", "10.234.2.10"], 5_000, target);
      const h1route = await execIn(container(deployed.outputs.up, "h1"), ["ip", "-4", "route"], 5_000, target);
      console.log(`[debug] r1 ping h2: ${r1ping.code}; h1 routes: ${h1route.stdout}`);
      const routes = await execIn(container(deployed.outputs.up, "h1"), ["ip", "-4", "addr"], 5_000, target);
      const r1 = await execIn(container(deployed.outputs.up, "r1"), ["ip", "-4", "route"], 5_000, target);
      console.log(`[debug] ${ps.stdout}\n${rules.stdout}\n${routes.stdout}\n${r1.stdout}`);
    }
    expect(failures).toEqual([]);
    const state = async (name: string) =>
      (await run("docker", ["-H", target.host, "inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", name], { timeoutMs: 10_000 })).stdout.trim();
    // Docker's own view follows within a few health intervals.
    for (const node of ["r1", "h1", "h2"]) {
      const name = container(deployed.outputs.up, node);
      await waitFor(async () => (await state(name)) === "running healthy", { timeoutMs: 15_000 });
      expect(await state(name)).toBe("running healthy");
    }
    expect(await state(container(deployed.outputs.down, "n1"))).toMatch(/^exited /);
  });

  it("destroy leaves nothing on the host: containers, networks, host rules", async () => {
    expect(await deployed.mocks.destroyAll()).toEqual([]);
    const left = async (args: string[]) =>
      (await run("docker", ["-H", target.host, ...args, "--filter", `label=${TEST_LABEL}=${testRun.id}`, "--format", "{{.Names}}{{.Name}}"])).stdout.trim();
    expect(await left(["ps", "-a"])).toBe("");
    expect(await left(["network", "ls"])).toBe("");
    expect(await emulated.inHost(host, ["iptables", "-S", "DOCKER-USER"])).not.toContain(testRun.prefix);
  });
});
