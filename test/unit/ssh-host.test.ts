/**
 * SshHost (ssh2) stays bounded against a host that stalls after the handshake (issue 20, point 6):
 * the command timeout runs from the moment a command is asked for, so a channel that never opens or
 * an exec request never answered times out; keepalives drop a connection that goes silent. The
 * "hosts" are ssh2 servers on loopback, started and ended by each test.
 */
import * as net from "node:net";
import { Server, utils } from "ssh2";
import { afterEach, describe, expect, it } from "vitest";
import { SshHost } from "../../components/host/ssh-host";

/** How the fake host treats a session: answers it, never opens it, or opens it and ignores the exec. */
type Behaviour = "answers" | "never-opens" | "ignores-exec";

interface FakeHost {
  port: number;
  hostKey: string;
  close(): Promise<void>;
}

const clientKey = utils.generateKeyPairSync("ecdsa", { bits: 256 }).private;

async function startHost(behaviour: Behaviour): Promise<FakeHost> {
  const keys = utils.generateKeyPairSync("ecdsa", { bits: 256 });
  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    client.on("authentication", (ctx) => ctx.accept());
    client.on("error", () => undefined);
    client.on("session", (accept) => {
      if (behaviour === "never-opens") return;
      const session = accept();
      session.on("exec", (acceptExec) => {
        if (behaviour === "ignores-exec") return;
        const stream = acceptExec();
        stream.write("hello\n");
        stream.exit(0);
        stream.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    hostKey: keys.public.trim(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP relay in front of a host that can go silent: it keeps the connection and drops every byte. */
async function startRelay(target: number): Promise<{ port: number; silence(): void; close(): Promise<void> }> {
  let silent = false;
  const sockets: net.Socket[] = [];
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(target, "127.0.0.1");
    sockets.push(inbound, outbound);
    inbound.on("data", (data) => silent || outbound.write(data));
    outbound.on("data", (data) => silent || inbound.write(data));
    inbound.on("error", () => undefined);
    outbound.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return {
    port: (relay.address() as net.AddressInfo).port,
    silence: () => (silent = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

describe("SshHost against a host that stalls after the handshake", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const connectTo = (port: number, hostKey: string, more: { commandTimeoutMs?: number; keepaliveIntervalMs?: number } = {}) => {
    const host = new SshHost({ host: "127.0.0.1", port, user: "lab", privateKey: clientKey, hostKey, ...more });
    cleanups.push(() => host.close());
    return host;
  };

  it("(the fake host does answer a command)", async () => {
    const fake = await startHost("answers");
    cleanups.push(fake.close);
    expect(await connectTo(fake.port, fake.hostKey).exec("echo hello")).toEqual({ stdout: "hello\n", stderr: "", code: 0 });
  });

  it.each(["never-opens", "ignores-exec"] as const)(
    "a host that %s: the command times out on time, naming the host and the step",
    async (behaviour) => {
      const fake = await startHost(behaviour);
      cleanups.push(fake.close);
      const started = Date.now();
      await expect(connectTo(fake.port, fake.hostKey, { commandTimeoutMs: 500 }).exec("uname -r")).rejects.toThrow(
        `ssh lab@127.0.0.1:${fake.port}: exec: uname -r: no result within 500 ms`,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
    },
  );

  it("keepalives drop a connection that goes silent, well before the command's own timeout", async () => {
    const fake = await startHost("answers");
    cleanups.push(fake.close);
    const relay = await startRelay(fake.port);
    cleanups.push(relay.close);
    const host = connectTo(relay.port, fake.hostKey, { commandTimeoutMs: 20_000, keepaliveIntervalMs: 200 });
    await host.connect();
    relay.silence();
    const started = Date.now();
    await expect(host.exec("uname -r")).rejects.toThrow(/^ssh lab@127\.0\.0\.1:\d+: exec: uname -r: /);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
