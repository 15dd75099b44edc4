/**
 * @pulumi/command through the real CLI and the real command provider, as the e2e tier's
 * "(test double)" command tests play it: a local and a remote (the test sshd on 127.0.0.1) Command
 * run `create` on `up` and `delete` on `destroy`, with create's output in delete's environment
 * (PULUMI_COMMAND_STDOUT), which is what NetworkContainer's lease command relies on. An inline
 * program with a throwaway backend. Skipped with the reason where the `pulumi` CLI or its command
 * plugin is missing (and, for the remote one, sshd).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTestRun } from "../support/lab-harness";
import { SSHD, skipUnless } from "../support/requirements";
import { SshdFixture, startSshd } from "../support/sshd";
import { PULUMI_CLI, PULUMI_COMMAND_PLUGIN, inlineSite, tempDir, within } from "./support/cli-stack";

const skipReason = skipUnless([PULUMI_CLI, PULUMI_COMMAND_PLUGIN, SSHD]);
if (skipReason) console.warn(`[skipped] Pulumi CLI tier (commands): ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`command resources through the Pulumi CLI${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const dir = tempDir("commands");
  let sshd: SshdFixture | undefined;

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    if (sshd) await sshd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Up, then destroy, of one inline program; the marker file exists between the two only. */
  async function upThenDestroy(name: string, marker: string, program: () => { stdout: pulumi.Output<string> }) {
    const site = await inlineSite(`cli-${testRun.id}-${name}`, async () => program());
    try {
      const up = await site.stack.up({ signal: within(5) });
      expect(up.summary.result).toBe("succeeded");
      const createdMarker = fs.existsSync(marker) ? fs.readFileSync(marker, "utf8") : undefined;
      const destroyed = await site.stack.destroy({ signal: within(5) });
      expect(destroyed.summary.result).toBe("succeeded");
      return { stdout: up.outputs.stdout.value as string, createdMarker, markerAfterDestroy: fs.existsSync(marker) };
    } finally {
      await site.stack.workspace.removeStack(site.stack.name, { force: true }).catch(() => undefined);
      fs.rmSync(site.backendDir, { recursive: true, force: true });
    }
  }

  it("local Command: create on up, delete on destroy with create's stdout in its environment", async () => {
    const marker = path.join(dir, "local");
    const result = await upThenDestroy("local", marker, () => {
      const cmd = new command.local.Command("mark", {
        create: `echo created > ${marker} && echo "hello $WHO"`,
        delete: `test "$PULUMI_COMMAND_STDOUT" = "hello lab" && rm ${marker}`,
        environment: { WHO: "lab" },
      });
      return { stdout: cmd.stdout };
    });
    expect(result).toEqual({ stdout: "hello lab", createdMarker: "created\n", markerAfterDestroy: false });
  }, 600_000);

  it("remote Command over SSH: create on up, delete on destroy", async () => {
    const marker = path.join(dir, "remote");
    const { port, user, privateKey } = sshd!;
    const result = await upThenDestroy("remote", marker, () => {
      const cmd = new command.remote.Command("mark", {
        connection: { host: "127.0.0.1", port, user, privateKey: pulumi.secret(privateKey) },
        create: `echo created > ${marker} && uname -s`,
        delete: `test "$PULUMI_COMMAND_STDOUT" = Linux && rm ${marker}`,
      });
      return { stdout: cmd.stdout };
    });
    expect(result).toEqual({ stdout: "Linux", createdMarker: "created\n", markerAfterDestroy: false });
  }, 600_000);
});
