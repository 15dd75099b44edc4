/**
 * A running lab changed, as a second `pulumi up` does it: the `routed-lab` composition deployed
 * with `docker-netlabs:routedLab` (r1 between lan1 with h1 and lan2 with h2), then a node added
 * (h3), a route changed (h1's), a segment's subnet changed (lan2). The test double plays the
 * engine's diff, replace and delete steps as the real engine and providers take them. After each
 * step: which resources were created, replaced, updated or kept (the steps, and the Docker objects'
 * ids), h1 reaching h2 across r1, and nothing left of replaced objects; then destroy leaves nothing.
 * A network without delete-before-replace shows why the product sets it: its replacement fails.
 */
import * as docker from "@pulumi/docker";
import { afterAll, describe, expect, it } from "vitest";
import { docker as dockerCli, execIn, LOCAL_DOCKER } from "../support/docker-cli";
import {
  DeployedStack,
  TEST_LABEL,
  deployProgram,
  deployStack,
  dockerIds,
  leftovers,
  newTestRun,
  redeployProgram,
  redeployStack,
  sweep,
} from "../support/lab-harness";
import { StepKind } from "../support/real-docker-mocks";
import { V1, V2, V3, V4, Version, fromH1, routedLab } from "../support/changing-lab";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();
const LAB = "routed-lab";
const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";

describe.skipIf(skipReason)(`a running lab changed on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const containerName = (node: string) => `${testRun.prefix}${LAB}-${node}`;
  const networkName = (segment: string) => `${testRun.prefix}${LAB}-${segment}`;
  let deployed: DeployedStack | undefined;
  /** Docker ids by object name after the previous step. */
  let before: { containers: Record<string, string>; networks: Record<string, string> } | undefined;

  afterAll(async () => {
    if (deployed) await deployed.mocks.destroyAll();
    await sweep(testRun);
  }, 300_000);

  const config = (version: Version) => ({ labs: [LAB], routedLab: routedLab(version), probes: true, failOnProbe: true });

  const objects = () => dockerIds(testRun);

  /** What the deploy did to the lab's containers and networks, by resource name. */
  function stepsOf(kind: string, names: string[]): Record<string, StepKind | undefined> {
    return Object.fromEntries(names.map((name) => [name, deployed!.mocks.steps.get(`${kind}::${name}`)]));
  }

  /** The Docker objects now: exactly these names, ids kept where "same" and new where created or replaced. */
  async function expectObjects(expected: { containers: Record<string, StepKind>; networks: Record<string, StepKind> }) {
    const now = await objects();
    for (const kind of ["containers", "networks"] as const) {
      expect(Object.keys(now[kind]).sort()).toEqual(Object.keys(expected[kind]).sort());
      const observed = Object.fromEntries(
        Object.keys(expected[kind]).map((name) => {
          const old = before?.[kind][name];
          return [name, old === undefined ? "create" : old === now[kind][name] ? "same" : "replace"];
        }),
      );
      expect(observed).toEqual(expected[kind]);
    }
    before = now;
  }

  /** h1 reaches `address` across r1 (one hop: TTL 63) and fetches the page `page`. */
  async function expectH1Reaches(address: string, page: string) {
    const fetched = await fromH1(containerName("h1"), address);
    expect(fetched.ping, `h1 cannot ping ${address}`).toMatch(/ttl=63/);
    expect(fetched.page).toBe(`${page}\n`);
  }

  const nodes = (names: string[]) => [...names.map((n) => `${LAB}-${n}`), `${LAB}-bridge-guard`];
  const containers = (steps: Record<string, StepKind>) =>
    Object.fromEntries(
      Object.entries(steps).map(([node, step]) => [node === "guard" ? `${testRun.prefix}${LAB}-bridge-guard` : containerName(node), step]),
    );

  it("(test double) builds the first lab: r1 between lan1 (h1) and lan2 (h2)", async () => {
    deployed = await deployStack(testRun, config(V1));
    expect(stepsOf(CONTAINER, nodes(["r1", "h1", "h2"]))).toEqual({
      "routed-lab-r1": "create",
      "routed-lab-h1": "create",
      "routed-lab-h2": "create",
      "routed-lab-bridge-guard": "create",
    });
    await expectObjects({
      containers: containers({ r1: "create", h1: "create", h2: "create", guard: "create" }),
      networks: { [networkName("lan1")]: "create", [networkName("lan2")]: "create" },
    });
    await expectH1Reaches("10.247.2.10", "h2");
  }, 600_000);

  it("(test double) adds a node (h3): only h3 is created; the probe and readiness gate run again", async () => {
    deployed = await redeployStack(testRun, deployed!, config(V2));
    expect(stepsOf(CONTAINER, nodes(["r1", "h1", "h2", "h3"]))).toEqual({
      "routed-lab-r1": "same",
      "routed-lab-h1": "same",
      "routed-lab-h2": "same",
      "routed-lab-h3": "create",
      "routed-lab-bridge-guard": "same",
    });
    expect(stepsOf(NETWORK, [`${LAB}-lan1`, `${LAB}-lan2`])).toEqual({ "routed-lab-lan1": "same", "routed-lab-lan2": "same" });
    const others = [...deployed.mocks.steps].filter(([key, step]) => step !== "same" && !key.startsWith(CONTAINER));
    expect(Object.fromEntries(others.map(([key, step]) => [key.split("::").pop(), step]))).toEqual({
      "routed-lab-ready": "update",
      [`${testRun.prefix}routed-lab-probe`]: "update",
    });
    await expectObjects({
      containers: containers({ r1: "same", h1: "same", h2: "same", h3: "create", guard: "same" }),
      networks: { [networkName("lan1")]: "same", [networkName("lan2")]: "same" },
    });
    await expectH1Reaches("10.247.2.10", "h2");
    await expectH1Reaches("10.247.2.11", "h3");
  }, 600_000);

  it("(test double) changes h1's route: h1 alone is replaced (delete before replace), the rest stays", async () => {
    deployed = await redeployStack(testRun, deployed!, config(V3));
    expect(stepsOf(CONTAINER, nodes(["r1", "h1", "h2", "h3"]))).toEqual({
      "routed-lab-r1": "same",
      "routed-lab-h1": "replace",
      "routed-lab-h2": "same",
      "routed-lab-h3": "same",
      "routed-lab-bridge-guard": "same",
    });
    await expectObjects({
      containers: containers({ r1: "same", h1: "replace", h2: "same", h3: "same", guard: "same" }),
      networks: { [networkName("lan1")]: "same", [networkName("lan2")]: "same" },
    });
    const route = await execIn(containerName("h1"), ["ip", "-4", "route", "show", "default"]);
    expect(route.stdout).toMatch(/default via 10\.247\.1\.1\b/);
    await expectH1Reaches("10.247.2.10", "h2");
  }, 600_000);

  it("(test double) changes lan2's subnet: lan2 is replaced with r1, h2 and h3 deleted first; lan1 and h1 stay", async () => {
    deployed = await redeployStack(testRun, deployed!, config(V4));
    expect(stepsOf(CONTAINER, nodes(["r1", "h1", "h2", "h3"]))).toEqual({
      "routed-lab-r1": "replace",
      "routed-lab-h1": "same",
      "routed-lab-h2": "replace",
      "routed-lab-h3": "replace",
      "routed-lab-bridge-guard": "same",
    });
    expect(stepsOf(NETWORK, [`${LAB}-lan1`, `${LAB}-lan2`])).toEqual({ "routed-lab-lan1": "same", "routed-lab-lan2": "replace" });
    await expectObjects({
      containers: containers({ r1: "replace", h1: "same", h2: "replace", h3: "replace", guard: "same" }),
      networks: { [networkName("lan1")]: "same", [networkName("lan2")]: "replace" },
    });
    const subnet = await dockerCli(LOCAL_DOCKER, [
      "network",
      "inspect",
      "-f",
      "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
      networkName("lan2"),
    ]);
    expect(subnet.trim()).toBe("10.247.22.0/24");
    await expectH1Reaches("10.247.22.10", "h2");
  }, 600_000);

  it("destroys the changed lab: nothing of it is left", async () => {
    const failures = await deployed!.mocks.destroyAll();
    deployed = undefined;
    expect(failures).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  }, 300_000);

  it("(test double) a network replaced create-before-delete (the provider's default) fails on the name; delete-before-replace works", async () => {
    const name = `${testRun.prefix}bare`;
    const network = (subnet: string, deleteBeforeReplace: boolean) => () =>
      new docker.Network(
        "bare",
        { name, internal: true, ipamConfigs: [{ subnet }], labels: [{ label: TEST_LABEL, value: testRun.id }] },
        { deleteBeforeReplace },
      );
    let current = await deployProgram(network("10.247.31.0/24", false));
    await expect(redeployProgram(current, network("10.247.32.0/24", false))).rejects.toThrow(/already exists/);
    current = await deployProgram(network("10.247.31.0/24", true));
    current = await redeployProgram(current, network("10.247.32.0/24", true));
    expect(current.mocks.steps.get(`${NETWORK}::bare`)).toBe("replace");
    const subnet = await dockerCli(LOCAL_DOCKER, ["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", name]);
    expect(subnet.trim()).toBe("10.247.32.0/24");
    expect(await current.mocks.destroyAll()).toEqual([]);
  }, 300_000);
});
