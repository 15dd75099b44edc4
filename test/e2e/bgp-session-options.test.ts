/**
 * BGP session options on real Docker and FRR (issue 25): eBGP multihop between loopbacks carried
 * by two static routes (and a password, and timers of its own), an unnumbered session between IPv6
 * link-local addresses carrying IPv4, localAs, passive and removePrivateAs, each seen in FRR's
 * state and ha reaching hd across the four ASes. The lab is dual-stack: the multihop pair carries
 * IPv6 between its IPv6 loopbacks too, over IPv6 static routes, and ha reaches hd over IPv6.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { bgpPeers } from "../support/bgp-probes";
import { execIn, waitFor } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { bgpSessionOptions, dualStack } from "../support/routing-labs";
import { bestAsPath, waitForConvergence } from "../support/routing-probes";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`BGP session options on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const node = (name: string) => lab.outputs.nodes[name];
  const neighbour = async (router: string, peer: string) =>
    JSON.parse((await execIn(node(router).container, ["vtysh", "-c", `show bgp neighbors ${peer} json`])).stdout)[peer];

  beforeAll(async () => {
    lab = await deployProgram(
      () =>
        new RoutedLab("opts", { spec: dualStack(bgpSessionOptions()), namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("converges, and ha reaches hd across the four ASes", async () => {
    const converged = await waitForConvergence(lab.outputs.plan, 90_000);
    expect(converged.pending).toEqual({});
    console.log(`[figures] bgp-session-options: every session and route in place ${converged.ms} ms after the nodes were ready`);
    const reached = await waitFor(
      async () => (await execIn(node("ha").container, ["ping", "-c", "1", "-W", "2", "10.70.4.10"])).code === 0,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(reached).toBe(true);
    const hd6 = node("hd").addresses6!.land;
    expect((await execIn(node("ha").container, ["ping", "-6", "-c", "1", "-W", "2", hd6])).code).toBe(0);
  });

  it("runs a-b between loopbacks, multihop, with its own timers, over both static routes", async () => {
    const session = await neighbour("a", "10.70.255.2");
    expect(session.bgpState).toBe("Established");
    expect([session.hostLocal, session.hostForeign]).toEqual(["10.70.255.1", "10.70.255.2"]);
    expect([session.bgpTimerConfiguredKeepAliveIntervalMsecs, session.bgpTimerConfiguredHoldTimeMsecs]).toEqual([2000, 6000]);
    const statics = await execIn(node("a").container, ["ip", "route", "show", "10.70.255.2/32"]);
    expect(statics.stdout).toMatch(/nexthop via 10\.71\.1\.2 [\s\S]*nexthop via 10\.71\.2\.2 /);
    expect((await execIn(node("a").container, ["ip", "route", "show", "10.70.2.0/24"])).stdout).toMatch(/proto bgp/);
    const session6 = await neighbour("a", node("b").routing!.loopback6!);
    expect([session6.bgpState, session6.hostLocal]).toEqual(["Established", node("a").routing!.loopback6]);
  });

  it("runs b-c unnumbered on the interface, carrying IPv4, with b shown to c as AS 65020", async () => {
    const peers = await bgpPeers(node("c").container);
    const onInterface = peers.find((peer) => /^eth\d+$/.test(peer.peer));
    expect(onInterface?.state).toBe("Established");
    expect(await bestAsPath(node("c").container, "10.70.2.0/24")).toBe("65020 65002");
    expect((await execIn(node("c").container, ["ip", "route", "show", "10.70.1.0/24"])).stdout).toMatch(/proto bgp/);
  });

  it("lets d open c-d (c is passive), and c strips the private ASNs before its own", async () => {
    const session = await neighbour("c", "10.71.4.2");
    expect([session.bgpState, session.portLocal]).toEqual(["Established", 179]);
    expect(await bestAsPath(node("d").container, "10.70.1.0/24")).toBe("65003");
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
