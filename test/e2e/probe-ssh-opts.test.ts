/**
 * LabProbe on an ssh:// site whose key is ONLY in the stack's sshOpts (no sshPrivateKey/sshHostKey):
 * the Docker provider reaches the host with those options, and so must the probe, which runs
 * `ssh <sshOpts> ... -- host docker exec ...` with the local ssh binary. Before, the probe ran
 * `docker -H ssh://...`, whose ssh ignores the options: every check failed on auth.
 * Then the probe's provider is driven as `pulumi up` drives it after a node is replaced: diff sees
 * the new container id, update runs the checks again on the host, read (refresh) keeps the outputs.
 * Needs: a Docker engine, /usr/sbin/sshd and the `ssh` client (scripts/prepare-machine.sh).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sshLabel, sshPrefix } from "../../components/host/host-exec";
import { ProbeInputs, probeProvider } from "../../components/probe/lab-probe";
import { DeployedStack, deployStack, freePort, newTestRun, sweep } from "../support/lab-harness";
import { valueOf } from "../support/run-program";
import { SshdFixture, startSshd } from "../support/sshd";
import { DOCKER, SSHD, SSH_CLIENT, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER, SSHD, SSH_CLIENT]);
if (skipReason) console.warn(`[skipped] probe through sshOpts: ${skipReason}`);

describe.skipIf(skipReason)(`LabProbe through the stack's sshOpts${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let sshd: SshdFixture;
  let dir: string;
  let deployed: DeployedStack;
  let sshOpts: string[];
  const run = newTestRun();

  beforeAll(async () => {
    sshd = await startSshd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-sshopts-"));
    fs.writeFileSync(path.join(dir, "key"), sshd.privateKey, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "known_hosts"), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`, { mode: 0o600 });
    sshOpts = [
      "-i",
      path.join(dir, "key"),
      "-o",
      `UserKnownHostsFile=${path.join(dir, "known_hosts")}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "ServerAliveInterval=10",
    ];
    deployed = await deployStack(run, {
      dockerHost: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
      sshOpts,
      labs: ["networking-demo"],
      demoHostPort: await freePort(4200),
    });
  });
  afterAll(async () => {
    if (deployed) await deployed.mocks.destroyAll();
    await sweep(run);
    if (sshd) await sshd.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("probes the lab over ssh with the options alone", async () => {
    const results = await valueOf(deployed.outputs.probes["networking-demo"]);
    expect(results.map((r) => [r.name, r.ok])).toEqual([["client-1 fetches server-1 by name", true]]);
  });

  it("after a container is replaced: diff sees its new id, update runs the checks again on the host, refresh keeps them", async () => {
    const target = { kind: "ssh" as const, host: "127.0.0.1", port: sshd.port, user: sshd.user, sshOpts };
    const news: ProbeInputs = {
      dockerHost: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
      ssh: { label: sshLabel(target), argv: sshPrefix(target) },
      containerIds: ["id-before"],
      checks: deployed.outputs.components.labs["networking-demo"].probeChecks(),
      timeoutSeconds: 10,
      failOnError: false,
    };
    const olds = (await probeProvider.create(news)).outs;
    expect(olds.failed).toBe(0);
    expect(await probeProvider.diff!("p", olds, news)).toEqual({ changes: false });
    const replaced = { ...news, containerIds: ["id-after"] };
    expect(await probeProvider.diff!("p", olds, replaced)).toEqual({ changes: true });
    const { outs } = await probeProvider.update!("p", olds, replaced);
    expect(outs).toMatchObject({ containerIds: ["id-after"], passed: 1, failed: 0 });
    expect(await probeProvider.read!("p", outs)).toEqual({ id: "p", props: outs });
  });
});
