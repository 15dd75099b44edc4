/**
 * A site stack on an ssh:// host through the Pulumi CLI: a real OpenSSH server on 127.0.0.1
 * (test/support/sshd.ts) whose sessions reach the local engine, its key as a secret in the stack
 * file and its host key beside it, as docs/sites-and-pull-requests.md describes. `pulumi up`
 * (with a HOME of its own, where the program writes ~/.docker-netlabs/ssh), the probe passes over
 * SSH, the lab answers; then that HOME is gone and `pulumi destroy --run-program` from a fresh
 * copy of the project with another empty HOME removes everything: only the program, run again,
 * can write the key files the provider's ssh options name. Skipped with the reason where the
 * `pulumi` CLI, its docker plugin, a Docker engine, sshd or an ssh client is missing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UpResult } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PAGE } from "../../stacks/networking-demo";
import { execIn, waitFor } from "../support/docker-cli";
import { freePort, newTestRun } from "../support/lab-harness";
import { SshdFixture, startSshd } from "../support/sshd";
import {
  CliSite,
  CLI_TIER,
  destroyFromFreshWorkspace,
  failedProbes,
  newSite,
  stackLeftovers,
  tearDown,
  within,
  writeStackConfig,
} from "./support/cli-stack";
import { SSHD, SSH_CLIENT, skipUnless } from "../support/requirements";

const skipReason = skipUnless([...CLI_TIER, SSHD, SSH_CLIENT]);
if (skipReason) console.warn(`[skipped] Pulumi CLI tier (ssh:// site): ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`an ssh:// site through the Pulumi CLI${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const stackName = `cli-${testRun.id}`;
  let sshd: SshdFixture | undefined;
  let site: CliSite;
  let up: UpResult | undefined;

  beforeAll(async () => {
    sshd = await startSshd();
    // HOME of its own: the program writes the key files there, not into the user's home.
    site = await newSite(stackName, { ownHome: true });
    writeStackConfig(site, {
      dockerHost: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
      sshHostKey: sshd.hostPublicKey,
      labs: ["networking-demo"],
      namePrefix: testRun.prefix,
      demoHostPort: await freePort(4100),
    });
    await site.stack.setConfig("docker-netlabs:sshPrivateKey", { value: sshd.privateKey, secret: true });
  });

  afterAll(async () => {
    // The stack goes first, while the SSH server it is reached through still runs.
    await tearDown(site, testRun, stackName);
    if (sshd) await sshd.stop();
  }, 900_000);

  it("keeps the key a secret in the stack file", () => {
    const file = fs.readFileSync(path.join(site.workDir, `Pulumi.${stackName}.yaml`), "utf8");
    expect(file).toMatch(/docker-netlabs:sshPrivateKey:\s*\n\s*secure:/);
    expect(file).not.toContain(sshd!.privateKey.split("\n")[1]);
  });

  it("deploys through ssh://, the probe passes over SSH, and the client fetches server-1 by name", async () => {
    const before = sshd!.connections();
    up = await site.stack.up({ signal: within(10) });
    expect(up.summary.result).toBe("succeeded");
    // Everything reached the engine through the SSH server: the provider (at least once), the
    // readiness gate, the probe and the host check (one each); the e2e tier counts this through the double.
    expect(sshd!.connections() - before).toBeGreaterThanOrEqual(4);
    const probes = up.outputs.probes.value;
    expect(probes["networking-demo"].length).toBeGreaterThan(0);
    expect(failedProbes(probes)).toEqual([]);
    // The program wrote the identity under this workspace's HOME.
    expect(fs.readdirSync(path.join(site.home!, ".docker-netlabs", "ssh")).some((file) => file.endsWith(".key"))).toBe(true);
    // The engine behind the SSH server is this machine's: the lab's containers are here.
    const client = up.outputs.labs.value["networking-demo"].nodes["client-1"].container;
    const page = await waitFor(
      async () => {
        const result = await execIn(client, ["curl", "-sf", "--max-time", "2", "http://server-1/"]);
        return result.stdout === DEMO_PAGE && result.stdout;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(page).toBe(DEMO_PAGE);
  }, 900_000);

  it("destroys from a fresh copy with an empty HOME and --run-program, the first HOME gone", async () => {
    if (!up) throw new Error("the stack was not deployed (see the up test)");
    // The key files the state's provider settings name no longer exist: only running the program writes them again.
    fs.rmSync(path.join(site.home!, ".docker-netlabs"), { recursive: true, force: true });
    const destroyed = await destroyFromFreshWorkspace(site);
    expect(destroyed.summary.result).toBe("succeeded");
    expect(destroyed.summary.resourceChanges?.delete).toBeGreaterThan(0);
    expect(destroyed.identityFiles.some((file) => file.endsWith(".key"))).toBe(true);
    expect(await stackLeftovers(stackName, testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  }, 900_000);
});
