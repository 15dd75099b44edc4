/**
 * The routing protocols on dual-stack labs, on real Docker and FRR (issue 21): the OSPF ring with
 * OSPFv3 beside OSPFv2 (IPv6 ping and an HTTP fetch over IPv6 between the LANs, a one-sided cut
 * rerouting IPv6 through r4 too), the IS-IS ring carrying IPv6 on its adjacencies, and the eBGP chain with BGP sessions over IPv6 (the far IPv6 LAN
 * learned with the expected AS path).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { RoutedLabSpec } from "../../components/routed-lab/plan";
import { execIn, waitFor } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { DOCKER, skipUnless } from "../support/requirements";
import { bgpChain, dualStack, isisRing, ospfRing } from "../support/routing-labs";
import { bestAsPath, cutLink, interfaceHolding, waitForConvergence } from "../support/routing-probes";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);

/** The dual-stack ring with a web node beside h3 (lan3), for a fetch over IPv6. */
function ringWithWeb(): RoutedLabSpec {
  const ring = dualStack(ospfRing());
  const lan3 = ring.segments.find((segment) => segment.name === "lan3")!;
  const r3 = ring.nodes.find((node) => node.name === "r3")!.interfaces.find((iface) => iface.segment === "lan3")!;
  const web6 = lan3.ipv6!.replace("/64", "20");
  ring.nodes.push({
    name: "web",
    image: "web",
    interfaces: [{ segment: "lan3", address: "10.21.3.20", ipv6: web6 }],
    routes: [
      { to: "default", via: r3.address },
      { to: "default6", via: r3.ipv6! },
    ],
  });
  return ring;
}

/** Deploys a lab for one describe block, and removes it (and anything of the run) afterwards. */
function deployed(name: string, spec: () => RoutedLabSpec): { lab: () => Deployed<RoutedLab>; testRun: ReturnType<typeof newTestRun> } {
  const testRun = newTestRun();
  let lab: Deployed<RoutedLab> | undefined;
  beforeAll(async () => {
    lab = await deployProgram(
      () => new RoutedLab(name, { spec: spec(), namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });
  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });
  return { lab: () => lab!, testRun };
}

describe.skipIf(skipReason)(`dual-stack OSPF ring (OSPFv3 beside OSPFv2)${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const { lab, testRun } = deployed("ring6", ringWithWeb);
  const node = (name: string) => lab().outputs.nodes[name];
  const v6 = (name: string, segment: string) =>
    lab()
      .outputs.plan.nodes.find((n) => n.name === name)!
      .interfaces.find((i) => i.segment === segment)!.ipv6!;
  /** The interface a router's IPv6 route to `address` leaves by (OSPFv3's next hops are link-local: the interface tells the way). */
  const outOf6 = async (container: string, address: string) =>
    /\bdev (\S+)/.exec((await execIn(container, ["ip", "-6", "route", "get", address])).stdout)?.[1];
  /** r1's interface on a segment, found by its IPv4 address there. */
  const r1On = (segment: string) => interfaceHolding(node("r1").container, node("r1").addresses[segment]);

  it("converges on both families: OSPF and OSPFv3 adjacencies, BFD, every IPv4 and IPv6 LAN routed", async () => {
    const converged = await waitForConvergence(lab().outputs.plan, 60_000);
    expect(converged.pending).toEqual({});
    console.log(`[figures] dual-stack ospf-ring: every adjacency and route of both families ${converged.ms} ms after the nodes were ready`);
  });

  it("h1 pings h3 over IPv6 and fetches from the web node over IPv6", async () => {
    const ping = await execIn(node("h1").container, ["ping", "-6", "-c", "1", "-W", "2", v6("h3", "lan3")]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const fetched = await execIn(node("h1").container, ["curl", "-sf", "-g", "--max-time", "3", `http://[${v6("web", "lan3")}]/`]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain("docker-netlabs");
    expect(await outOf6(node("r1").container, v6("h3", "lan3"))).toBe(await r1On("l12"));
  });

  it("a one-sided cut of r1-r2 reroutes IPv6 through r4 too", async () => {
    await cutLink(node("r1").container, node("r1").addresses.l12);
    const towardsR4 = await r1On("l41");
    const rerouted = await waitFor(async () => (await outOf6(node("r1").container, v6("h3", "lan3"))) === towardsR4, {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    expect(rerouted).toBe(true);
    // The way back: r2 learns of the cut from r1's new LSA, flooded round the ring.
    const back = await waitFor(
      async () => (await execIn(node("h1").container, ["ping", "-6", "-c", "1", "-W", "1", v6("h3", "lan3")])).code === 0,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(back).toBe(true);
  });

  it("teardown leaves nothing behind", async () => {
    expect(await lab().mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});

describe.skipIf(skipReason)(`dual-stack IS-IS ring (one adjacency, both families)${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const { lab, testRun } = deployed("isis6", () => dualStack(isisRing()));
  const node = (name: string) => lab().outputs.nodes[name];
  const h3 = () => lab().outputs.plan.nodes.find((n) => n.name === "h3")!.interfaces[0].ipv6!;
  const outOf6 = async (container: string, address: string) =>
    /\bdev (\S+)/.exec((await execIn(container, ["ip", "-6", "route", "get", address])).stdout)?.[1];
  const r1On = (segment: string) => interfaceHolding(node("r1").container, node("r1").addresses[segment]);

  it("routes IPv6 over the IS-IS adjacencies: every IPv6 LAN learned, h1 pings h3 over IPv6 through r2", async () => {
    const converged = await waitForConvergence(lab().outputs.plan, 60_000);
    expect(converged.pending).toEqual({});
    const ping = await execIn(node("h1").container, ["ping", "-6", "-c", "1", "-W", "2", h3()]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    expect(await outOf6(node("r1").container, h3())).toBe(await r1On("l12"));
  });

  it("a one-sided cut of r1-r2 reroutes IPv6 through r4", async () => {
    await cutLink(node("r1").container, node("r1").addresses.l12);
    const towardsR4 = await r1On("l41");
    expect(
      await waitFor(async () => (await outOf6(node("r1").container, h3())) === towardsR4, { timeoutMs: 10_000, intervalMs: 100 }),
    ).toBe(true);
    // The way back waits for r2's BFD to take its IS-IS adjacency with r1 down (both families go with it).
    const back = await waitFor(async () => (await execIn(node("h1").container, ["ping", "-6", "-c", "1", "-W", "1", h3()])).code === 0, {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    expect(back).toBe(true);
  });

  it("teardown leaves nothing behind", async () => {
    expect(await lab().mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});

describe.skipIf(skipReason)(`dual-stack eBGP chain (sessions over IPv6)${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const { lab, testRun } = deployed("chain6", () => dualStack(bgpChain()));
  const node = (name: string) => lab().outputs.nodes[name];

  it("learns the far IPv6 LANs with the expected AS paths, and h1 reaches h3 over IPv6", async () => {
    const converged = await waitForConvergence(lab().outputs.plan, 60_000);
    expect(converged.pending).toEqual({});
    const plan = lab().outputs.plan;
    const lan6 = (segment: string) => plan.segments.find((s) => s.name === segment)!.ipv6!.cidr;
    expect(await bestAsPath(node("r1").container, lan6("lan3"))).toBe("65002 65003");
    expect(await bestAsPath(node("r3").container, lan6("lan1"))).toBe("65002 65001");
    const h3 = plan.nodes.find((n) => n.name === "h3")!.interfaces[0].ipv6!;
    const reached = await waitFor(async () => (await execIn(node("h1").container, ["ping", "-6", "-c", "1", "-W", "2", h3])).code === 0, {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect(reached).toBe(true);
  });

  it("teardown leaves nothing behind", async () => {
    expect(await lab().mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
