/**
 * The e2e suite of a routing ring (test/support/routing-labs.ts: ospfRing, isisRing) on real Docker
 * and FRR: four routers, a host LAN on two opposite ones, no static route between routers. The hosts
 * reach each other; a one-sided cut of r1-r2 is seen by r2's BFD and reroutes through r4 (the outage
 * is printed; how fast is the bench's to judge) and traceroute shows the other way round; the path
 * comes back once the link does. The same assertions for every IGP the ring runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { RoutedLabSpec } from "../../components/routed-lab/plan";
import { measureOutage, nextHop, traceHops } from "./bgp-probes";
import { execIn, run, waitFor } from "./docker-cli";
import { FRR_LOG_PATH } from "../../components/protocols/frr/config";
import { traceRouters } from "./failover-trace";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "./lab-harness";
import { DOCKER, skipUnless } from "./requirements";
import { cutLink, firstStartedAt, waitForConvergence } from "./routing-probes";

/**
 * Before a cut: r2's bfdd logs its sessions' state changes (FRR 8.4 logs them only when debugging,
 * and the IGP deletes a session that went down along with its adjacency, so `show bfd peers` no
 * longer shows it afterwards).
 */
async function logBfdStateChanges(router: string): Promise<void> {
  const on = await execIn(router, [
    "vtysh",
    "-c",
    "debug bfd peer",
    "-c",
    "configure terminal",
    "-c",
    `log file ${FRR_LOG_PATH} debugging`,
  ]);
  if (on.code !== 0) throw new Error(`${router}: cannot turn BFD's debug log on: ${on.stderr}${on.stdout}`);
}

/** r2's bfdd saw r1 fall silent: its session to r1 went from up to down, its detection time expired ("control-expired"). */
async function bfdSawItGo(router: string, peer: string): Promise<void> {
  const wentDown = new RegExp(`state-change: \\[mhop:no peer:${peer.replace(/\./g, "\\.")} [^\\]]*\\] up -> down reason:control-expired`);
  const logOf = async () => {
    const logs = await run("docker", ["logs", router], { timeoutMs: 10_000 });
    if (logs.code !== 0) throw new Error(`docker logs ${router}: ${logs.stderr}`);
    return `${logs.stdout}${logs.stderr}`;
  };
  await waitFor(async () => wentDown.test(await logOf()), { timeoutMs: 5_000 });
  expect(await logOf()).toMatch(wentDown);
}

/**
 * `figure`: how the ring's figures are named in the output ("ospf-ring"); `title`: its IGP, for the
 * suite's name; `borrowed`: on a ring of unnumbered links, each router's loopback, which its ring
 * interfaces hold instead (traceroute's hops, next hops and BFD peers are those).
 */
export function ringSuite(figure: string, title: string, spec: RoutedLabSpec, borrowed?: Record<string, string>): void {
  const skipReason = skipUnless([DOCKER]);
  if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
  const testRun = newTestRun();
  const hostAddress = (name: string) => spec.nodes.find((n) => n.name === name)!.interfaces[0].address;
  const [h1, h3] = [hostAddress("h1"), hostAddress("h3")];

  describe.skipIf(skipReason)(`${title} ring on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
    let lab: Deployed<RoutedLab>;
    const node = (name: string) => lab.outputs.nodes[name];
    /** A router's address on a ring link: its own, or the loopback it borrows there. */
    const linkAddress = (name: string, segment: string) => borrowed?.[name] ?? node(name).addresses[segment];
    /** The way h1 -> h3 as traceroute shows it, each hop by the address its reply leaves from. */
    const viaR2 = () => [node("r1").addresses.lan1, linkAddress("r2", "l12"), linkAddress("r3", "l23"), h3];
    const viaR4 = () => [node("r1").addresses.lan1, linkAddress("r4", "l41"), linkAddress("r3", "l34"), h3];
    /** Both directions settled on one side of the ring (r1's and r3's next hops). */
    const settledVia = (side: "r2" | "r4") =>
      waitFor(
        async () =>
          (await nextHop(node("r1").container, h3)) === linkAddress(side, side === "r2" ? "l12" : "l41") &&
          (await nextHop(node("r3").container, h1)) === linkAddress(side, side === "r2" ? "l23" : "l34"),
        { timeoutMs: 30_000, intervalMs: 100 },
      );

    beforeAll(async () => {
      lab = await deployProgram(() => new RoutedLab("ring", { spec, namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }));
      await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
    });

    afterAll(async () => {
      if (lab) await lab.mocks.destroyAll();
      await sweep(testRun);
    });

    it("converges with no static route between routers: every adjacency up, every router holding both LANs", async () => {
      expect(lab.outputs.plan.nodes.filter((n) => n.router).every((n) => n.routes.length === 0)).toBe(true);
      const started = await firstStartedAt(Object.values(lab.outputs.nodes).map((n) => n.container));
      const converged = await waitForConvergence(lab.outputs.plan, 60_000);
      expect(converged.pending).toEqual({});
      console.log(`[figures] ${figure}: first node started to every adjacency and route in place ${Date.now() - started} ms`);
      const ping = await execIn(node("h1").container, ["ping", "-c", "1", "-W", "2", h3]);
      expect(ping.code, ping.stdout).toBe(0);
      expect(ping.stdout).toMatch(/ttl=61/);
      expect((await execIn(node("h3").container, ["ping", "-c", "1", "-W", "2", h1])).code).toBe(0);
    });

    it("takes r2, since r4's interfaces cost more; traceroute shows it", async () => {
      expect(await settledVia("r2")).toBe(true);
      expect(await traceHops(node("h1").container, h3)).toEqual(viaR2());
    });

    let cut: { restore: () => Promise<void> } | undefined;

    it("a one-sided cut of r1-r2: r2's BFD sees r1 fall silent, the path reroutes through r4 and traceroute goes the other way round", async () => {
      await logBfdStateChanges(node("r2").container);
      const trace = traceRouters(
        ["r1", "r2", "r3", "r4"].map((r) => node(r).container),
        20,
      );
      const outage = await measureOutage(
        node("h1").container,
        h3,
        async () => {
          cut = await cutLink(node("r1").container, node("r1").addresses.l12, borrowed ? "l12" : undefined);
        },
        { seconds: 8 },
      );
      console.log(
        `[figures] ${figure} failover (BFD 100 ms x 3): outage ${outage.outageMs} ms (${outage.sent - outage.received} of ${outage.sent} probes lost), beginning ${outage.silenceBeganMs} ms after the cut was called`,
      );
      const traced = await trace.stop();
      // How fast is the bench's figure (npm run bench -- routing, target 1 s); a slow failover still
      // shows, in the test's output, what each router did and when.
      if (outage.outageMs >= 1000) console.log(`[diag] ${figure} slow failover, what the routers did:\n${traced}`);
      expect(outage.received).toBeGreaterThan(0);
      // r2's side stays up: only BFD (or the IGP's own dead or hold time) tells it r1 is gone. BFD must have.
      await bfdSawItGo(node("r2").container, linkAddress("r1", "l12"));
      expect(await settledVia("r4")).toBe(true);
      expect(await traceHops(node("h1").container, h3)).toEqual(viaR4());
    });

    it("restoring r1-r2 brings the path back through r2", async () => {
      const started = Date.now();
      await cut!.restore();
      expect(await settledVia("r2")).toBe(true);
      console.log(`[figures] ${figure} recovery: link back to the path through r2 in ${Date.now() - started} ms`);
      expect(await traceHops(node("h1").container, h3)).toEqual(viaR2());
      expect((await waitForConvergence(lab.outputs.plan, 30_000)).pending).toEqual({});
    });

    it("teardown leaves nothing of the lab behind", async () => {
      expect(await lab.mocks.destroyAll()).toEqual([]);
      expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
    });
  });
}
