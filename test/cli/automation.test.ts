/**
 * The third tier: the dev stack's configuration through the real Pulumi CLI and the Automation API
 * (local file backend): preview, up, a second up with no changes, destroy. It needs the `pulumi`
 * binary, its Docker provider plugin and a Docker engine; where any is missing it is skipped with
 * the reason, since neither the CLI nor plugins can be downloaded on every machine.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PAGE } from "../../stacks/networking-demo";
import { execIn } from "../support/docker-cli";
import { fetchText, freePort, leftovers, newTestRun, sweep } from "../support/lab-harness";

const ROOT = path.resolve(__dirname, "../..");

function cliUnavailableReason(): string | undefined {
  try {
    execFileSync("pulumi", ["version"], { stdio: "pipe", timeout: 20_000 });
  } catch {
    return "no `pulumi` binary on PATH (the CLI cannot be installed on this machine: it downloads binaries)";
  }
  try {
    execFileSync("docker", ["info"], { stdio: "pipe", timeout: 15_000 });
  } catch {
    return "no Docker engine answers";
  }
  return undefined;
}

const skipReason = cliUnavailableReason();
if (skipReason) console.warn(`[skipped] Pulumi CLI tier: ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`dev stack through the Pulumi CLI${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let stack: Stack;
  let stateDir: string;
  let demoPort: number;
  const stackName = `cli-${testRun.id}`;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-state-"));
    demoPort = await freePort(4000);
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName, workDir: ROOT },
      // PULUMI_BACKEND_URL takes precedence over Pulumi.yaml's backend: this run's state stays in a temp folder.
      { envVars: { PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_CONFIG_PASSPHRASE: "netlabs-cli-test" } },
    );
    // The dev stack's own configuration, with this run's name prefix and a free host port.
    const dev = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
    const config: Record<string, { value: string }> = {};
    for (const [key, value] of Object.entries(dev)) config[key] = { value: typeof value === "string" ? value : JSON.stringify(value) };
    config["docker-netlabs:namePrefix"] = { value: testRun.prefix };
    config["docker-netlabs:demoHostPort"] = { value: String(demoPort) };
    await stack.setAllConfig(config);
  });

  afterAll(async () => {
    if (stack) {
      await stack.destroy().catch(() => undefined);
      await stack.workspace.removeStack(stackName).catch(() => undefined);
    }
    fs.rmSync(path.join(ROOT, `Pulumi.${stackName}.yaml`), { force: true });
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    await sweep(testRun);
  });

  it("previews the creation of the whole dev stack", async () => {
    const preview = await stack.preview({ diff: true });
    expect(preview.changeSummary.create).toBeGreaterThan(20);
  });

  it("deploys it, and the labs answer", async () => {
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    const labs = up.outputs.labs.value;
    expect(labs["routed-lan"].nodes.h1.addresses.lan1).toBe("10.232.1.10");
    const client = labs["networking-demo"].nodes["client-1"].container;
    let page = "";
    for (let attempt = 0; attempt < 30 && page !== DEMO_PAGE; attempt++) {
      page = (await execIn(client, ["curl", "-sf", "--max-time", "2", "http://server-1/"])).stdout;
      if (page !== DEMO_PAGE) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(page).toBe(DEMO_PAGE);
    expect(await fetchText(`http://127.0.0.1:${demoPort}/`)).toBe(DEMO_PAGE);
  });

  it("changes nothing on a second up", async () => {
    const again = await stack.up();
    const changes = Object.entries(again.summary.resourceChanges ?? {}).filter(([kind]) => kind !== "same");
    expect(changes).toEqual([]);
  });

  it("destroys everything it created", async () => {
    const destroyed = await stack.destroy();
    expect(destroyed.summary.result).toBe("succeeded");
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
