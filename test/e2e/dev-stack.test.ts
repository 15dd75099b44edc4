/**
 * The dev stack on the real Docker engine: deploy both labs through the real-Docker mocks, prove
 * them with packets, then tear down and check by label that nothing is left.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PAGE } from "../../stacks/networking-demo";
import { execIn, run, waitFor } from "../support/docker-cli";
import { valueOf } from "../support/run-program";
import {
  DeployedStack,
  deployStack,
  fetchText,
  freePort,
  leftovers,
  newTestRun,
  peakConcurrency,
  sweep,
  waitForNodes,
} from "../support/lab-harness";
import { BRIDGE_NETFILTER, DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();
const HOSTS = ["h1", "h2", "h3"] as const;

describe.skipIf(skipReason)(`dev stack on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let deployed: DeployedStack;
  let demoPort: number;
  const container = (lab: string, node: string) => deployed.outputs.labs[lab].nodes[node].container;

  beforeAll(async () => {
    demoPort = await freePort(4000);
    deployed = await deployStack(testRun, { labs: ["networking-demo", "routed-lan"], demoHostPort: demoPort });
    const all = Object.values(deployed.outputs.labs).flatMap((lab) => Object.values(lab.nodes).map((n) => n.container));
    await waitForNodes(all);
  });

  afterAll(async () => {
    if (deployed) await deployed.mocks.destroyAll();
    await sweep(testRun);
  });

  it("(test double) brings the stack up in parallel and reports how long it took", async () => {
    const client = container("networking-demo", "client-1");
    const fetched = await waitFor(
      async () => {
        const result = await execIn(client, ["curl", "-sf", "--max-time", "2", "http://server-1/"]);
        return result.code === 0 ? Date.now() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(fetched).toBeDefined();
    const peak = peakConcurrency(deployed.mocks.timings);
    console.log(
      `[figures] dev stack bring-up: first resource to first fetch ${((fetched! - deployed.startedAt) / 1000).toFixed(1)} s ` +
        `(deploy ${(deployed.deployMs / 1000).toFixed(1)} s, ${deployed.mocks.timings.length} resources, peak ${peak} at once)`,
    );
    expect(peak).toBeGreaterThan(1);
  });

  it("each lab's probe passed every check, and the results are stack outputs", async () => {
    for (const lab of ["networking-demo", "routed-lan"]) {
      const results = await valueOf(deployed.outputs.probes[lab]);
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => !r.ok)).toEqual([]);
    }
  });

  it("networking demo: the client fetches the server's page by name", async () => {
    const result = await execIn(container("networking-demo", "client-1"), ["curl", "-sf", "--max-time", "3", "http://server-1/"]);
    expect(result.stdout).toBe(DEMO_PAGE);
  });

  it("networking demo: the published port answers on 127.0.0.1 and the network stays internal", async () => {
    expect(await fetchText(`http://127.0.0.1:${demoPort}/`)).toBe(DEMO_PAGE);
    const network = deployed.outputs.labs["networking-demo"].segments.demo.network;
    const inspect = JSON.parse((await run("docker", ["network", "inspect", network])).stdout)[0];
    expect(inspect.Internal).toBe(true);
  });

  it("routed lan: every host pings and fetches every other host", async () => {
    const lab = deployed.outputs.labs["routed-lan"];
    const failures: string[] = [];
    for (const from of HOSTS) {
      for (const to of HOSTS) {
        if (from === to) continue;
        const address = Object.values(lab.nodes[to].addresses)[0];
        const ping = await execIn(lab.nodes[from].container, ["ping", "-c", "1", "-W", "2", address]);
        if (ping.code !== 0) failures.push(`${from} ping ${to} (${address})`);
        const page = await execIn(lab.nodes[from].container, ["curl", "-sf", "--max-time", "3", `http://${address}/`]);
        if (page.stdout.trim() !== to) failures.push(`${from} fetch ${to}: ${JSON.stringify(page.stdout)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("routed lan: the path from h1 to h3 goes through the router (TTL and traceroute)", async () => {
    const lab = deployed.outputs.labs["routed-lan"];
    const h3 = lab.nodes.h3.addresses.lan3;
    const ping = await execIn(lab.nodes.h1.container, ["ping", "-c", "1", "-W", "2", h3]);
    // Linux sends TTL 64; one router on the path takes one off.
    expect(ping.stdout).toMatch(/ttl=63/);
    const trace = await execIn(lab.nodes.h1.container, ["traceroute", "-n", "-w", "1", "-q", "1", "-m", "3", h3]);
    const hops = trace.stdout
      .split("\n")
      .slice(1)
      .filter((line) => line.trim() !== "")
      .map((line) => line.trim().split(/\s+/)[1]);
    expect(hops).toEqual([lab.nodes.r1.addresses.lan1, h3]);
  });

  it("routed lan: with the router's forwarding off, hosts no longer reach each other", async () => {
    const lab = deployed.outputs.labs["routed-lan"];
    const routerPid = (await run("docker", ["inspect", "--format", "{{.State.Pid}}", lab.nodes.r1.container])).stdout.trim();
    const setForwarding = (value: 0 | 1) =>
      // /proc/sys/net shows the network namespace of the writer: nsenter's, i.e. the router's.
      run("nsenter", ["--target", routerPid, "--net", "sh", "-c", `echo ${value} > /proc/sys/net/ipv4/ip_forward`]);
    try {
      expect((await setForwarding(0)).code).toBe(0);
      const ping = await execIn(lab.nodes.h1.container, ["ping", "-c", "1", "-W", "1", lab.nodes.h2.addresses.lan2]);
      expect(ping.code).not.toBe(0);
      // The router itself still answers on its LAN: only forwarding stopped.
      const local = await execIn(lab.nodes.h1.container, ["ping", "-c", "1", "-W", "1", lab.nodes.r1.addresses.lan1]);
      expect(local.code).toBe(0);
    } finally {
      await setForwarding(1);
    }
    const again = await execIn(lab.nodes.h1.container, ["ping", "-c", "1", "-W", "2", lab.nodes.h2.addresses.lan2]);
    expect(again.code).toBe(0);
  });

  it("routed lan: routing between the internal bridges needs the bridge guard, whose rules go when it stops", async () => {
    const lab = deployed.outputs.labs["routed-lan"];
    const guard = `${testRun.prefix}routed-lan-bridge-guard`;
    const crossLan = () => execIn(lab.nodes.h1.container, ["ping", "-c", "1", "-W", "1", lab.nodes.h3.addresses.lan3]);
    expect((await leftovers(testRun)).hostRules).toHaveLength(3);
    // Only where bridged traffic passes through iptables (Docker turns this on) do the rules matter;
    // where the run must prove everything (CI), its absence fails the test instead.
    const noBridgeNetfilter = skipUnless([BRIDGE_NETFILTER]);
    await run("docker", ["stop", "--time", "10", guard], { timeoutMs: 30_000 });
    try {
      expect((await leftovers(testRun)).hostRules).toEqual([]);
      // Docker's isolation rules now drop what the router forwards between bridges.
      if (!noBridgeNetfilter) expect((await crossLan()).code).not.toBe(0);
      else console.warn(`[skipped] isolation once the guard stops: ${noBridgeNetfilter}`);
    } finally {
      await run("docker", ["start", guard]);
    }
    const restored = await waitFor(async () => (await leftovers(testRun)).hostRules.length === 3, { timeoutMs: 10_000 });
    expect(restored).toBe(true);
    expect((await crossLan()).code).toBe(0);
  });

  it("routed lan: nodes found their interfaces by address, whatever ethN Docker gave them", async () => {
    const lab = deployed.outputs.labs["routed-lan"];
    const table = await execIn(lab.nodes.r1.container, ["cat", "/run/netlabs/interfaces"]);
    const rows = table.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(" "));
    expect(rows.map((row) => [row[0], row[2]])).toEqual([
      ["lan1", "10.232.1.1/24"],
      ["lan2", "10.232.2.1/24"],
      ["lan3", "10.232.3.1/24"],
    ]);
    for (const [, ifname, cidr] of rows) {
      const shown = await execIn(lab.nodes.r1.container, ["ip", "-o", "-4", "addr", "show", "dev", ifname]);
      expect(shown.stdout).toContain(`inet ${cidr}`);
    }
  });

  it("teardown removes every container, network and host rule of the run", async () => {
    const before = await leftovers(testRun);
    expect(before.containers.length).toBe(8);
    expect(before.networks.length).toBe(4);
    expect(before.hostRules.length).toBe(3);
    const started = Date.now();
    const failures = await deployed.mocks.destroyAll();
    console.log(`[figures] dev stack teardown: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(failures).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
    expect(await fetchText(`http://127.0.0.1:${demoPort}/`, 1_000)).toBeUndefined();
  });
});
