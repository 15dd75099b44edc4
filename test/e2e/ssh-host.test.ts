/**
 * The ssh2 host module against a real OpenSSH server on 127.0.0.1 (its own config, host key and
 * authorized key): one connection reused for all work, host facts, and a clear error naming the
 * host and the step, within the timeout, for a wrong key, an unknown host key, a closed port,
 * a host that never answers, and a command that never ends.
 */
import { execFileSync } from "node:child_process";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshHost, SshHostError } from "../../components/host/ssh-host";
import { freePort } from "../support/lab-harness";
import { SshdFixture, startSshd, strangerKeyPair } from "../support/sshd";
import { SSHD, skipUnless } from "../support/requirements";

const skipReason = skipUnless([SSHD]);
if (skipReason) console.warn(`[skipped] ssh host tests: ${skipReason}`);

async function failure(promise: Promise<unknown>): Promise<{ error: SshHostError; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SshHostError);
    return { error: error as SshHostError, ms: Date.now() - started };
  }
  throw new Error("expected an SshHostError");
}

describe.skipIf(skipReason)(`SshHost against a real sshd${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let sshd: SshdFixture;
  const target = () => ({ host: "127.0.0.1", port: sshd.port, user: sshd.user, privateKey: sshd.privateKey, hostKey: sshd.hostPublicKey });

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => sshd && (await sshd.stop()));

  it("does all its work over one connection and reads the host's facts", async () => {
    const host = new SshHost(target());
    try {
      const facts = await host.facts();
      expect(facts.kernel).toBe(execFileSync("uname", ["-r"]).toString().trim());
      expect(facts.interfaces).toContain("lo");
      expect(["0", "1", "absent"]).toContain(facts.bridgeNetfilter);
      for (let i = 0; i < 5; i++) expect((await host.exec(`echo ${i}`)).stdout).toBe(`${i}\n`);
      expect(host.connectionsOpened).toBe(1);
    } finally {
      await host.close();
    }
  });

  it("a wrong key: an auth error naming the host", async () => {
    const { error } = await failure(new SshHost({ ...target(), privateKey: strangerKeyPair().privateKey }).exec("true"));
    expect(error.step).toBe("auth");
    expect(error.message).toContain(`ssh ${sshd.user}@127.0.0.1:${sshd.port}: auth:`);
  });

  it("an unknown host key: refused before authenticating", async () => {
    const { error } = await failure(new SshHost({ ...target(), hostKey: strangerKeyPair().publicKey }).exec("true"));
    expect(error.step).toBe("host-key");
  });

  it("a closed port: a connect error at once", async () => {
    const closed = await freePort(0);
    const { error, ms } = await failure(new SshHost({ ...target(), port: closed, connectTimeoutMs: 2_000 }).exec("true"));
    expect(error.step).toBe("connect");
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(2_000);
  });

  it("a host that accepts and never answers: a connect error within the timeout", async () => {
    const silent = net.createServer(() => undefined); // accepts, says nothing
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const { error, ms } = await failure(new SshHost({ ...target(), port, connectTimeoutMs: 1_500 }).exec("true"));
      expect(error.step).toBe("connect");
      expect(error.message).toMatch(/handshake/i);
      expect(ms).toBeGreaterThanOrEqual(1_400);
      expect(ms).toBeLessThan(4_000);
    } finally {
      silent.close();
    }
  });

  it("a command that never ends: an exec error within the command timeout", async () => {
    const host = new SshHost(target());
    try {
      const { error, ms } = await failure(host.exec("sleep 5", 500));
      expect(error.step).toBe("exec");
      expect(error.message).toContain("sleep 5: no result within 500 ms");
      expect(ms).toBeLessThan(2_000);
    } finally {
      await host.close();
    }
  });
});
