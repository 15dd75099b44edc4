/**
 * The real-Docker mocks' @pulumi/command support: a local and a remote (real sshd on loopback)
 * Command run `create` on deploy and `delete` on destroy, with create's output in delete's env.
 */
import * as command from "@pulumi/command";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RealDockerMocks } from "../support/real-docker-mocks";
import { runProgram, valueOf } from "../support/run-program";
import { SshdFixture, startSshd } from "../support/sshd";
import { SSHD, skipUnless } from "../support/requirements";

const skipReason = skipUnless([SSHD]);
if (skipReason) console.warn(`[skipped] remote command tests: ${skipReason}`);

describe("(test double) command resources in the real tier", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-cmd-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("(test double) local Command: create now, delete on destroy", async () => {
    const marker = path.join(dir, "local");
    const mocks = new RealDockerMocks();
    const stdout = await runProgram(mocks, () => {
      const cmd = new command.local.Command("mark", {
        create: `echo created > ${marker} && echo "hello $WHO"`,
        delete: `test "$PULUMI_COMMAND_STDOUT" = "hello lab" && rm ${marker}`,
        environment: { WHO: "lab" },
      });
      return cmd.stdout;
    });
    mocks.assertNoErrors();
    expect(await valueOf(stdout)).toBe("hello lab");
    expect(fs.readFileSync(marker, "utf8")).toBe("created\n");
    expect(await mocks.destroyAll()).toEqual([]);
    expect(fs.existsSync(marker)).toBe(false);
  });

  describe.skipIf(skipReason)(`remote Command over a real sshd${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
    let sshd: SshdFixture;
    beforeAll(async () => {
      sshd = await startSshd();
    });
    afterAll(async () => sshd && (await sshd.stop()));

    it("(test double) runs create over SSH and delete on destroy", async () => {
      const marker = path.join(dir, "remote");
      const mocks = new RealDockerMocks();
      const stdout = await runProgram(mocks, () => {
        const cmd = new command.remote.Command("mark", {
          connection: { host: "127.0.0.1", port: sshd.port, user: sshd.user, privateKey: sshd.privateKey },
          create: `echo created > ${marker} && uname -s`,
          delete: `test "$PULUMI_COMMAND_STDOUT" = Linux && rm ${marker}`,
        });
        return cmd.stdout;
      });
      mocks.assertNoErrors();
      expect(await valueOf(stdout)).toBe("Linux");
      expect(fs.existsSync(marker)).toBe(true);
      expect(await mocks.destroyAll()).toEqual([]);
      expect(fs.existsSync(marker)).toBe(false);
    });
  });
});
