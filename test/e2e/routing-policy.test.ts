/**
 * Routing policy on real Docker and FRR (components/protocols/policy), with packets:
 * - redistribution both ways between OSPF and BGP, each through a policy that filters one prefix:
 *   the filtered prefixes absent where they would arrive, the others present and reached; and
 *   staticd's route kinds: a discard route drops, a recursive next hop resolves, a route of higher
 *   distance yields to OSPF's;
 * - a local-preference policy matching a community choosing the exit between two eBGP neighbours,
 *   against a shorter AS path (traceroute shows it).
 * The lab's own probe checks (routingChecks) run on it through LabProbe, the filtered ones included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_HOST } from "../../components/host/docker-host";
import { LabProbe } from "../../components/probe/lab-probe";
import { routingChecks } from "../../components/protocols";
import { RoutedLab } from "../../components/routed-lab";
import { RoutedLabSpec } from "../../components/routed-lab/plan";
import { traceHops } from "../support/bgp-probes";
import { execIn } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { localPreference, redistribution } from "../support/policy-labs";
import { DOCKER, skipUnless } from "../support/requirements";
import { bestAsPath, missingRoutes, waitForConvergence } from "../support/routing-probes";
import { valueOf } from "../support/run-program";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

async function deployLab(name: string, spec: RoutedLabSpec): Promise<Deployed<RoutedLab>> {
  const lab = await deployProgram(() => new RoutedLab(name, { spec, namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }));
  await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  return lab;
}

const routingOf = (lab: Deployed<RoutedLab>, name: string) => lab.outputs.plan.nodes.find((node) => node.name === name)!.routing!;
const ping = async (container: string, address: string) => (await execIn(container, ["ping", "-c", "1", "-W", "2", address])).code === 0;
const vtysh = async (container: string, command: string) => (await execIn(container, ["vtysh", "-c", command], 10_000)).stdout;
const kernelRoute = async (container: string, prefix: string) =>
  (await execIn(container, ["ip", "-4", "route", "show", prefix])).stdout.trim();

/** The lab's own routing checks, run by LabProbe on its host; name → ok, detail. */
async function probeResults(lab: Deployed<RoutedLab>): Promise<{ name: string; ok: boolean; detail: string }[]> {
  const probe = await deployProgram(
    () => new LabProbe("policy-probe", { host: LOCAL_HOST, timeoutSeconds: 10, checks: routingChecks(lab.outputs.plan) }),
  );
  const results = await valueOf(probe.outputs.results);
  await probe.mocks.destroyAll();
  return results;
}

describe.skipIf(skipReason)(`routing policy on real Docker and FRR${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(() => sweep(testRun));

  describe("OSPF and BGP redistributed both ways through policies, and staticd's route kinds", () => {
    let lab: Deployed<RoutedLab>;
    const node = (name: string) => lab.outputs.nodes[name].container;

    beforeAll(async () => {
      lab = await deployLab("redist", redistribution());
    });
    afterAll(async () => {
      if (lab) await lab.mocks.destroyAll();
    });

    it("converges with what each policy permits: r1 learns r3's lan3 by OSPF, r3 learns r1's lan1 by BGP", async () => {
      const converged = await waitForConvergence(lab.outputs.plan, 60_000);
      expect(converged.pending).toEqual({});
      console.log(`[figures] redistribution: every permitted route in place ${converged.ms} ms after the nodes were ready`);
      // Imported into OSPF as an external route with the policy's metric (MED 50).
      expect(await vtysh(node("r1"), "show ip route 10.52.3.0/24")).toMatch(/Known via "ospf", distance 110, metric 50/);
      expect(await vtysh(node("r3"), "show ip route 10.52.1.0/24")).toMatch(/Known via "bgp"/);
      expect(await bestAsPath(node("r3"), "10.52.1.0/24")).toBe("65001");
    });

    it("leaves out the prefix each policy filters, while r2 holds both", async () => {
      expect(await missingRoutes(node("r1"), ["10.52.4.0/24"])).toEqual(["10.52.4.0/24"]);
      expect(await missingRoutes(node("r3"), ["10.52.2.0/24"])).toEqual(["10.52.2.0/24"]);
      expect(await missingRoutes(node("r2"), ["10.52.2.0/24", "10.52.4.0/24"])).toEqual([]);
      expect(await ping(node("h1"), "10.52.3.10")).toBe(true);
      expect(await ping(node("h3"), "10.52.1.10")).toBe(true);
      // lan4's router address is out of h1's reach, lan2's out of h3's.
      expect(await ping(node("h1"), "10.52.4.1")).toBe(false);
      expect(await ping(node("h3"), "10.52.2.1")).toBe(false);
    });

    it("passes the lab's probe checks, the filtered prefixes' absence among them", async () => {
      const results = await probeResults(lab);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expect(results.filter((result) => result.name.includes("what its policies filter")).map((result) => result.detail)).toEqual([
        `${node("r1")} has no route to 10.52.4.0/24`,
        `${node("r3")} has no route to 10.52.2.0/24`,
      ]);
    });

    it("drops at r3 what its discard route matches, though BGP and OSPF carry the route to it", async () => {
      expect(await kernelRoute(node("r3"), "10.52.90.0/24")).toMatch(/^blackhole 10\.52\.90\.0\/24 proto static/);
      expect(await kernelRoute(node("r1"), "10.52.90.0/24")).toMatch(/via 10\.52\.12\.2 .*proto ospf/);
      expect(await ping(node("h1"), "10.52.90.1")).toBe(false);
      const hops = await traceHops(node("h1"), "10.52.90.1");
      expect(hops.slice(0, 2)).toEqual(["10.52.1.1", "10.52.12.2"]);
      // r3 discards it before it could answer, even with the time exceeded of a last hop.
      expect(hops.slice(2).every((hop) => hop === "*")).toBe(true);
    });

    it("resolves r1's static route through a next hop three hops away (recursive), and h1 reaches it", async () => {
      expect(await vtysh(node("r1"), "show ip route 10.52.77.0/24")).toMatch(
        /Known via "static", distance 1, metric 0, best\n.*\n +10\.52\.3\.10 \(recursive\), weight 1\n +\* +10\.52\.12\.2, via /,
      );
      expect(await kernelRoute(node("r1"), "10.52.77.0/24")).toMatch(/via 10\.52\.12\.2 .*proto static/);
      expect(await ping(node("h1"), "10.52.77.10")).toBe(true);
      expect(await traceHops(node("h1"), "10.52.77.10")).toEqual(["10.52.1.1", "10.52.12.2", "10.52.23.2", "10.52.77.10"]);
    });

    it("gives r2 a default route by redistribution: r3's static default, imported into BGP", async () => {
      expect(await kernelRoute(node("r2"), "default")).toMatch(/^default (nhid \d+ )?via 10\.52\.23\.2 .*proto bgp/);
      expect(routingOf(lab, "r2").expectedPrefixes).toContain("0.0.0.0/0");
    });

    it("keeps r1's static route of distance 250 as a backup behind OSPF's", async () => {
      const shown = await vtysh(node("r1"), "show ip route 10.52.3.0/24 json");
      const routes: { protocol: string; distance: number; selected?: boolean }[] = JSON.parse(shown)["10.52.3.0/24"];
      expect(routes.map((route) => [route.protocol, route.distance, route.selected === true]).sort()).toEqual([
        ["ospf", 110, true],
        ["static", 250, false],
      ]);
      expect(await kernelRoute(node("r1"), "10.52.3.0/24")).toMatch(/proto ospf/);
    });

    it("teardown leaves nothing of the lab behind", async () => {
      expect(await lab.mocks.destroyAll()).toEqual([]);
    });
  });

  describe("a local-preference policy choosing the exit between two eBGP neighbours", () => {
    let lab: Deployed<RoutedLab>;
    const node = (name: string) => lab.outputs.nodes[name].container;

    beforeAll(async () => {
      lab = await deployLab("locpref", localPreference());
    });
    afterAll(async () => {
      if (lab) await lab.mocks.destroyAll();
    });

    it("converges, and the lab's probe checks pass", async () => {
      const converged = await waitForConvergence(lab.outputs.plan, 60_000);
      expect(converged.pending).toEqual({});
      expect((await probeResults(lab)).filter((result) => !result.ok)).toEqual([]);
    });

    it("r1 prefers x2's route, tagged 65030:1, at local preference 200 over x1's shorter AS path", async () => {
      const shown = JSON.parse(await vtysh(node("r1"), "show bgp ipv4 unicast 10.53.9.0/24 json"));
      const paths: any[] = shown.paths;
      const best = paths.find((path) => path.bestpath?.overall);
      expect(best).toMatchObject({ locPrf: 200, aspath: { string: "65030 65030 65030" }, community: { string: "65030:1" } });
      const other = paths.find((path) => !path.bestpath?.overall);
      expect(other?.aspath?.string).toBe("65020");
      expect(await bestAsPath(node("r1"), "10.53.9.0/24")).toBe("65030 65030 65030");
    });

    it("h1's packets to hd leave through x2 (traceroute)", async () => {
      expect(await ping(node("h1"), "10.53.9.10")).toBe(true);
      expect(await traceHops(node("h1"), "10.53.9.10")).toEqual(["10.53.1.1", "10.53.12.2", "10.53.9.10"]);
    });

    it("teardown leaves nothing of the lab behind", async () => {
      expect(await lab.mocks.destroyAll()).toEqual([]);
    });
  });

  it("leaves nothing of either lab behind", async () => {
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
