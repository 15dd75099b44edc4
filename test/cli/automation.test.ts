/**
 * The third tier: the dev stack's configuration through the real Pulumi CLI and the Automation API
 * (local file backend, a copy of the project): preview, up with every probe passing and packets
 * through each lab, a second up with no changes, `preview --refresh --expect-no-changes` (the
 * drift check of docs/sites-and-pull-requests.md), and destroy from another workspace that never ran the program (a fresh
 * copy of the project, an empty HOME, `--run-program`). It needs the `pulumi` binary, its Docker
 * provider plugin and a Docker engine; where any is missing it is skipped with the reason, since
 * neither the CLI nor plugins can be downloaded on every machine.
 */
import { UpResult } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_QUESTION } from "../../components/bgp";
import { DEMO_PAGE } from "../../stacks/networking-demo";
import { execIn, waitFor } from "../support/docker-cli";
import { fetchText, freePort, newTestRun } from "../support/lab-harness";
import {
  CliSite,
  InFlight,
  changesOf,
  CLI_TIER,
  destroyFromFreshWorkspace,
  devStackConfig,
  failedProbes,
  newSite,
  stackLeftovers,
  tearDown,
  within,
  writeStackConfig,
} from "./support/cli-stack";
import { skipUnless } from "../support/requirements";

const skipReason = skipUnless(CLI_TIER);
if (skipReason) console.warn(`[skipped] Pulumi CLI tier: ${skipReason}`);
const testRun = newTestRun();

/** Polls a command in a container until its output is `expected` (or 60 s pass); returns the last output. */
async function outputOf(container: string, command: string[], expected: string): Promise<string> {
  let last = "";
  await waitFor(
    async () => {
      last = (await execIn(container, command)).stdout;
      return last === expected;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  return last;
}

describe.skipIf(skipReason)(`dev stack through the Pulumi CLI${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const stackName = `cli-${testRun.id}`;
  let site: CliSite;
  let demoPort: number;
  let up: UpResult | undefined;
  const deployed = (): UpResult => {
    if (!up) throw new Error("the stack was not deployed (see the up test)");
    return up;
  };

  beforeAll(async () => {
    demoPort = await freePort(4000);
    site = await newSite(stackName);
    // The dev stack's own configuration, with this run's name prefix and a free host port.
    writeStackConfig(site, { ...devStackConfig(), namePrefix: testRun.prefix, demoHostPort: demoPort });
  });

  afterAll(() => tearDown(site, testRun, stackName), 900_000);

  it("previews the creation of the whole dev stack", async () => {
    const preview = await site.stack.preview({ diff: true, signal: within(5) });
    expect(preview.changeSummary.create).toBeGreaterThan(20);
  });

  it("deploys it in parallel (more than one resource in flight at once), and every probe of every lab passes", async () => {
    const inFlight = new InFlight();
    up = await site.stack.up({ onEvent: inFlight.onEvent, signal: within(14) });
    expect(up.summary.result).toBe("succeeded");
    // The product claim behind the e2e tier's "(test double)" peak concurrency, from the real engine.
    expect(inFlight.peak()).toBeGreaterThan(1);
    const probes = up.outputs.probes.value;
    expect(Object.keys(probes).sort()).toEqual(["bgp-triangle", "networking-demo", "routed-lan"]);
    for (const results of Object.values(probes) as unknown[][]) expect(results.length).toBeGreaterThan(0);
    expect(failedProbes(probes)).toEqual([]);
  }, 900_000);

  it("networking-demo: the client fetches server-1 by name, and the published port answers", async () => {
    const labs = deployed().outputs.labs.value;
    const client = labs["networking-demo"].nodes["client-1"].container;
    expect(await outputOf(client, ["curl", "-sf", "--max-time", "2", "http://server-1/"], DEMO_PAGE)).toBe(DEMO_PAGE);
    expect(await fetchText(`http://127.0.0.1:${demoPort}/`)).toBe(DEMO_PAGE);
  });

  it("routed-lan: h1 fetches h3 through r1", async () => {
    const lab = deployed().outputs.labs.value["routed-lan"];
    expect(lab.nodes.h1.addresses.lan1).toBe("10.232.1.10");
    const url = `http://${lab.nodes.h3.addresses.lan3}/`;
    expect(await outputOf(lab.nodes.h1.container, ["curl", "-sf", "--max-time", "2", url], "h3\n")).toBe("h3\n");
  });

  it("bgp-triangle: HOST fetches the web server's page", async () => {
    const lab = deployed().outputs.labs.value["bgp-triangle"];
    const url = `http://${lab.nodes.web.addresses["web-lan"]}/`;
    expect(await outputOf(lab.nodes.host.container, ["curl", "-sf", "--max-time", "2", url], DEFAULT_QUESTION)).toBe(DEFAULT_QUESTION);
  });

  it("changes nothing on a second up", async () => {
    deployed();
    const again = await site.stack.up({ signal: within(10) });
    expect(changesOf(again.summary)).toEqual({});
  }, 900_000);

  it("finds no drift: preview --refresh --expect-no-changes succeeds right after up", async () => {
    deployed();
    // expectNoChanges makes the CLI exit non-zero (and this call throw) on any proposed change.
    const preview = await site.stack.preview({ refresh: true, expectNoChanges: true, diff: true, signal: within(10) });
    const changes = Object.entries(preview.changeSummary).filter(([op, count]) => op !== "same" && op !== "refresh" && !!count);
    expect(changes).toEqual([]);
  }, 900_000);

  it("destroys everything from a workspace that never ran the program (fresh copy, empty HOME, --run-program)", async () => {
    deployed();
    const destroyed = await destroyFromFreshWorkspace(site);
    expect(destroyed.summary.result).toBe("succeeded");
    expect(destroyed.summary.resourceChanges?.delete).toBeGreaterThan(20);
    expect(await stackLeftovers(stackName, testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  }, 900_000);
});
