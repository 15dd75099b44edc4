/**
 * A running lab changed through its stack file, as a user does: the `routed-lab` composition with
 * `docker-netlabs:routedLab` (r1 between two LANs, h1 and h2), then a node added (h3), a route
 * changed (h1's), a segment's subnet changed (lan2: a network replacement, delete-before-replace,
 * its nodes replaced with it). After each `pulumi up`: which Docker resources were created,
 * replaced or left alone (from the engine's events, and the summary's counts), the Docker objects
 * behind them (ids kept or new, none left over, exactly the stack's), the probe, and packets from
 * h1 to h2 across r1. Then a plain destroy from the same workspace. Skipped with the reason where
 * the `pulumi` CLI, its docker plugin or a Docker engine is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, LOCAL_DOCKER, execIn } from "../support/docker-cli";
import { newTestRun } from "../support/lab-harness";
import {
  CONTAINER,
  Change,
  ChangeLog,
  CliSite,
  NETWORK,
  StackObjects,
  changesOf,
  CLI_TIER,
  failedProbes,
  newSite,
  stackLeftovers,
  stackObjects,
  tearDown,
  within,
  writeStackConfig,
} from "./support/cli-stack";
import { V1, V2, V3, V4, Version, fromH1, routedLab } from "../support/changing-lab";
import { skipUnless } from "../support/requirements";

const skipReason = skipUnless(CLI_TIER);
if (skipReason) console.warn(`[skipped] Pulumi CLI tier (lab changes): ${skipReason}`);
const testRun = newTestRun();
const LAB = "routed-lab";

describe.skipIf(skipReason)(`a running lab changed through the Pulumi CLI${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const stackName = `cli-${testRun.id}`;
  const prefix = testRun.prefix;
  const containerName = (node: string) => `${prefix}${LAB}-${node}`;
  const networkName = (segment: string) => `${prefix}${LAB}-${segment}`;
  const guard = `${prefix}${LAB}-bridge-guard`;
  let site: CliSite;
  /** The stack's Docker objects after the previous step. */
  let before: StackObjects | undefined;

  beforeAll(async () => {
    site = await newSite(stackName);
    writeStackConfig(site, { labs: [LAB], namePrefix: prefix });
  });

  afterAll(() => tearDown(site, testRun, stackName), 900_000);

  /** Writes the lab's new description and runs `pulumi up`, recording what happened to each resource. */
  async function upWith(version: Version) {
    writeStackConfig(site, { routedLab: routedLab(version) });
    const log = new ChangeLog();
    const result = await site.stack.up({ onEvent: log.onEvent, signal: within(10) });
    expect(result.summary.result).toBe("succeeded");
    expect(failedProbes(result.outputs.probes.value)).toEqual([]);
    return { result, log };
  }

  /**
   * The Docker objects now: exactly `expected` (names to what happened to them), their ids kept for
   * "unchanged" and new for "created" and "replaced", and nothing else with the stack's label.
   */
  async function expectObjects(kind: "containers" | "networks", expected: Record<string, Change>): Promise<void> {
    const now = (await stackObjects(stackName))[kind];
    expect(Object.keys(now).sort()).toEqual(Object.keys(expected).sort());
    const observed = Object.fromEntries(
      Object.keys(expected).map((name) => {
        const old = before?.[kind][name];
        return [name, old === undefined ? "created" : old === now[name] ? "unchanged" : "replaced"];
      }),
    );
    expect(observed).toEqual(expected);
  }

  /** h1 reaches h2 across r1 (one hop: TTL 63) and fetches its page. */
  async function expectH1ReachesH2(h2: string): Promise<void> {
    const { ping, page } = await fromH1(containerName("h1"), h2);
    expect(ping, `h1 cannot ping ${h2}`).toMatch(/ttl=63/);
    expect(page).toBe("h2\n");
  }

  const containerChanges = (log: ChangeLog, nodes: string[]) =>
    log.all(CONTAINER, [...nodes.map((n) => `${LAB}-${n}`), `${LAB}-bridge-guard`]);
  const networkChanges = (log: ChangeLog) => log.all(NETWORK, [`${LAB}-lan1`, `${LAB}-lan2`]);
  const snapshot = async () => (before = await stackObjects(stackName));

  it("builds the first lab: r1 between lan1 (h1) and lan2 (h2)", async () => {
    const { log } = await upWith(V1);
    expect(containerChanges(log, ["r1", "h1", "h2"])).toEqual({
      "routed-lab-r1": "created",
      "routed-lab-h1": "created",
      "routed-lab-h2": "created",
      "routed-lab-bridge-guard": "created",
    });
    expect(networkChanges(log)).toEqual({ "routed-lab-lan1": "created", "routed-lab-lan2": "created" });
    await expectObjects("containers", {
      [containerName("r1")]: "created",
      [containerName("h1")]: "created",
      [containerName("h2")]: "created",
      [guard]: "created",
    });
    await expectObjects("networks", { [networkName("lan1")]: "created", [networkName("lan2")]: "created" });
    await expectH1ReachesH2("10.247.2.10");
    await snapshot();
  }, 900_000);

  it("adds a node (h3): only h3 is created, nothing else is replaced; the readiness gate and the probe run again", async () => {
    const { result, log } = await upWith(V2);
    expect(containerChanges(log, ["r1", "h1", "h2", "h3"])).toEqual({
      "routed-lab-r1": "unchanged",
      "routed-lab-h1": "unchanged",
      "routed-lab-h2": "unchanged",
      "routed-lab-h3": "created",
      "routed-lab-bridge-guard": "unchanged",
    });
    expect(networkChanges(log)).toEqual({ "routed-lab-lan1": "unchanged", "routed-lab-lan2": "unchanged" });
    // Besides the containers, only the readiness gate and the probe run again (as the test double plays it).
    expect(log.changedExcept([CONTAINER])).toEqual({ "routed-lab-ready": "updated", [`${prefix}routed-lab-probe`]: "updated" });
    const changes = changesOf(result.summary);
    expect(changes.create).toBe(1);
    expect(changes.delete).toBeUndefined();
    await expectObjects("containers", {
      [containerName("r1")]: "unchanged",
      [containerName("h1")]: "unchanged",
      [containerName("h2")]: "unchanged",
      [containerName("h3")]: "created",
      [guard]: "unchanged",
    });
    await expectObjects("networks", { [networkName("lan1")]: "unchanged", [networkName("lan2")]: "unchanged" });
    await expectH1ReachesH2("10.247.2.10");
    const h3 = await execIn(containerName("h1"), ["curl", "-sf", "--max-time", "3", "http://10.247.2.11/"]);
    expect(h3.stdout).toBe("h3\n");
    await snapshot();
  }, 900_000);

  it("changes h1's route: h1 is replaced, the other nodes and the networks stay", async () => {
    const { result, log } = await upWith(V3);
    expect(containerChanges(log, ["r1", "h1", "h2", "h3"])).toEqual({
      "routed-lab-r1": "unchanged",
      "routed-lab-h1": "replaced",
      "routed-lab-h2": "unchanged",
      "routed-lab-h3": "unchanged",
      "routed-lab-bridge-guard": "unchanged",
    });
    expect(networkChanges(log)).toEqual({ "routed-lab-lan1": "unchanged", "routed-lab-lan2": "unchanged" });
    const changes = changesOf(result.summary);
    expect(changes.replace).toBeGreaterThanOrEqual(1);
    expect(changes.create).toBeUndefined();
    expect(changes.delete).toBeUndefined();
    await expectObjects("containers", {
      [containerName("r1")]: "unchanged",
      [containerName("h1")]: "replaced",
      [containerName("h2")]: "unchanged",
      [containerName("h3")]: "unchanged",
      [guard]: "unchanged",
    });
    await expectObjects("networks", { [networkName("lan1")]: "unchanged", [networkName("lan2")]: "unchanged" });
    const route = await execIn(containerName("h1"), ["ip", "-4", "route", "show", "default"]);
    expect(route.stdout).toMatch(/default via 10\.247\.1\.1\b/);
    await expectH1ReachesH2("10.247.2.10");
    await snapshot();
  }, 900_000);

  it("changes lan2's subnet: lan2 is replaced (delete before replace) with its nodes r1, h2, h3; lan1 and h1 stay", async () => {
    const { result, log } = await upWith(V4);
    expect(containerChanges(log, ["r1", "h1", "h2", "h3"])).toEqual({
      "routed-lab-r1": "replaced",
      "routed-lab-h1": "unchanged",
      "routed-lab-h2": "replaced",
      "routed-lab-h3": "replaced",
      "routed-lab-bridge-guard": "unchanged",
    });
    expect(networkChanges(log)).toEqual({ "routed-lab-lan1": "unchanged", "routed-lab-lan2": "replaced" });
    const changes = changesOf(result.summary);
    expect(changes.replace).toBeGreaterThanOrEqual(4);
    expect(changes.create).toBeUndefined();
    expect(changes.delete).toBeUndefined();
    await expectObjects("containers", {
      [containerName("r1")]: "replaced",
      [containerName("h1")]: "unchanged",
      [containerName("h2")]: "replaced",
      [containerName("h3")]: "replaced",
      [guard]: "unchanged",
    });
    await expectObjects("networks", { [networkName("lan1")]: "unchanged", [networkName("lan2")]: "replaced" });
    const subnet = await docker(LOCAL_DOCKER, [
      "network",
      "inspect",
      "-f",
      "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
      networkName("lan2"),
    ]);
    expect(subnet.trim()).toBe("10.247.22.0/24");
    await expectH1ReachesH2("10.247.22.10");
    await snapshot();
  }, 900_000);

  it("destroys the changed lab: nothing of it is left", async () => {
    const destroyed = await site.stack.destroy({ signal: within(8) });
    expect(destroyed.summary.result).toBe("succeeded");
    expect(await stackLeftovers(stackName, testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  }, 900_000);
});
