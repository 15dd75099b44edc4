/**
 * The BGP triangle on real Docker and real FRR: sessions, the question fetched along R1-R2, a
 * one-sided cut of R1-R2 that R2's BFD detects and the path moves around (the outage is printed;
 * how fast is the bench's to judge), the path's return, and R3 restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_QUESTION } from "../../components/bgp";
import { bgpNeighbor, bgpPeers, measureOutage, nextHop, traceHops, waitForEstablished } from "../support/bgp-probes";
import { bfdPeer } from "../support/routing-probes";
import { execIn, run, waitFor } from "../support/docker-cli";
import { valueOf } from "../support/run-program";
import { DeployedStack, deployStack, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();
const LAB = "bgp-triangle";

describe.skipIf(skipReason)(`BGP triangle on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let deployed: DeployedStack;
  const node = (name: string) => deployed.outputs.labs[LAB].nodes[name];
  const routers = () => ["r1", "r2", "r3"].map((r) => node(r).container);
  const fetchQuestion = () =>
    execIn(node("host").container, ["curl", "-sf", "--max-time", "2", `http://${node("web").addresses["web-lan"]}/`]);

  beforeAll(async () => {
    deployed = await deployStack(testRun, { labs: [LAB] });
    await waitForNodes(Object.values(deployed.outputs.labs[LAB].nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (deployed) await deployed.mocks.destroyAll();
    await sweep(testRun);
  });

  it("FRR accepts the rendered configuration and every session is Established", async () => {
    for (const router of routers()) {
      const check = await execIn(router, ["vtysh", "--dryrun", "-f", "/etc/frr/frr.conf"]);
      expect(check.code, `${router}: ${check.stdout}${check.stderr}`).toBe(0);
    }
    const waited = await waitForEstablished(routers(), 2, 60_000);
    expect(waited).toBeDefined();
    for (const router of routers()) {
      expect((await bgpPeers(router)).map((p) => p.state)).toEqual(["Established", "Established"]);
    }
  });

  it("HOST retrieves the question from WEB_SERVER, through R1 then R2", async () => {
    const fetched = await waitFor(async () => ((await fetchQuestion()).code === 0 ? Date.now() : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(fetched).toBeDefined();
    console.log(
      `[figures] bgp-triangle bring-up: first resource to HOST's first fetch ${((fetched! - deployed.startedAt) / 1000).toFixed(1)} s`,
    );
    expect((await fetchQuestion()).stdout).toBe(DEFAULT_QUESTION);
    // While sessions come up, R1 (or R2, for the way back) may first learn the other LAN through R3;
    // once converged the shorter AS path over R1-R2 wins in both directions. (Traceroute shows each
    // hop by the address its reply leaves from, so the way back matters too.)
    const converged = await waitFor(
      async () =>
        (await nextHop(node("r1").container, node("web").addresses["web-lan"])) === node("r2").addresses.r1r2 &&
        (await nextHop(node("r2").container, node("host").addresses["host-lan"])) === node("r1").addresses.r1r2,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(converged).toBe(true);
    const hops = await traceHops(node("host").container, node("web").addresses["web-lan"]);
    expect(hops).toEqual([node("r1").addresses["host-lan"], node("r2").addresses.r1r2, node("web").addresses["web-lan"]]);
  });

  it("the lab's probe saw every session Established and HOST fetching the question", async () => {
    const results = await valueOf(deployed.outputs.probes[LAB]);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ["r1 sessions Established", true],
      ["r2 sessions Established", true],
      ["r3 sessions Established", true],
      ["HOST retrieves the question", true],
    ]);
  });

  it("HOST and WEB_SERVER route only via their router", async () => {
    expect(await nextHop(node("host").container, "11.0.0.1")).toBe(node("r1").addresses["host-lan"]);
    expect(await nextHop(node("web").container, "10.0.0.10")).toBe(node("r2").addresses["web-lan"]);
  });

  it("a one-sided cut of R1-R2: R2's BFD sees R1 fall silent and drops the session (not the hold timer); traffic moves through R3", async () => {
    const r1r2 = deployed.outputs.labs[LAB].segments.r1r2.network;
    const r2 = node("r2").container;
    const r1Address = node("r1").addresses.r1r2;
    const outage = await measureOutage(node("host").container, node("web").addresses["web-lan"], () =>
      run("docker", ["network", "disconnect", r1r2, node("r1").container]),
    );
    // How fast is the bench's figure (npm run bench -- bgp); here, the mechanism.
    console.log(
      `[figures] bgp-triangle failover (BFD 100 ms x 3): outage ${outage.outageMs} ms (${outage.sent - outage.received} of ${outage.sent} probes lost)`,
    );
    expect(outage.received).toBeGreaterThan(0);
    // R2's side stays up: only BFD (or the 3 s hold timer) can tell it R1 is gone. BFD must have.
    await waitFor(async () => (await bfdPeer(r2, r1Address))?.status === "down", { timeoutMs: 5_000 });
    expect(await bfdPeer(r2, r1Address)).toEqual({ status: "down", diagnostic: "control detection time expired" });
    const session = await bgpNeighbor(r2, r1Address);
    expect(session.state).not.toBe("Established");
    // BFD, not the hold timer: R2's bgpd resets the session itself and tells R1 so with a Cease, subcode
    // BFD Down (FRR 8.4: "BGP Notification send", "Cease/BFD Down"); had R1's side noticed first it
    // would read "BFD down received". The hold timer would give "Hold Timer Expired".
    expect(`${session.lastResetDueTo}; ${session.lastNotificationReason}`).toMatch(
      /^(BFD down received|BGP Notification send; Cease\/BFD Down)/,
    );
    expect((await fetchQuestion()).stdout).toBe(DEFAULT_QUESTION);
    const hops = await traceHops(node("host").container, node("web").addresses["web-lan"]);
    expect(hops).toEqual([
      node("r1").addresses["host-lan"],
      node("r3").addresses.r1r3,
      node("r2").addresses.r2r3,
      node("web").addresses["web-lan"],
    ]);
  });

  it("restoring the link brings the path back to R1-R2", async () => {
    const r1r2 = deployed.outputs.labs[LAB].segments.r1r2.network;
    const started = Date.now();
    await run("docker", ["network", "connect", "--ip", node("r1").addresses.r1r2, "--alias", "r1", r1r2, node("r1").container]);
    const back = await waitFor(
      async () => (await nextHop(node("r1").container, node("web").addresses["web-lan"])) === node("r2").addresses.r1r2,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );
    expect(back).toBe(true);
    console.log(`[figures] bgp-triangle recovery: link back to R1-R2 path in ${Date.now() - started} ms`);
    expect(await waitForEstablished(routers(), 2, 30_000)).toBeDefined();
    const returned = await waitFor(
      async () => (await nextHop(node("r2").container, node("host").addresses["host-lan"])) === node("r1").addresses.r1r2,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(returned).toBe(true);
    const hops = await traceHops(node("host").container, node("web").addresses["web-lan"]);
    expect(hops).toEqual([node("r1").addresses["host-lan"], node("r2").addresses.r1r2, node("web").addresses["web-lan"]]);
  });

  it("restarting R3 re-establishes its sessions with no manual step", async () => {
    const started = Date.now();
    const restarted = await run("docker", ["restart", "--time", "5", node("r3").container], { timeoutMs: 60_000 });
    expect(restarted.code).toBe(0);
    const waited = await waitForEstablished(routers(), 2, 60_000);
    expect(waited).toBeDefined();
    console.log(`[figures] bgp-triangle R3 restart: all sessions Established again ${Date.now() - started} ms after the restart began`);
    expect((await fetchQuestion()).stdout).toBe(DEFAULT_QUESTION);
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await deployed.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
