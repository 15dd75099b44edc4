/**
 * HostCheck as the Pulumi engine drives it: after `check` and `diff`, the engine calls `update`, and
 * the dynamic-provider host stores what update returns (plus `__provider`) as the new state. These
 * tests call the provider object directly, and the provider as serialized for that host.
 */
import * as pulumi from "@pulumi/pulumi";
import { spawn } from "node:child_process";
import { AddressInfo } from "node:net";
import { Server, utils } from "ssh2";
import { describe, expect, it } from "vitest";
import { localPlatform } from "../../components/host/docker-host";
import { HostCheck, hostCheckProvider } from "../../components/host/host-check";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { withStandInDocker } from "../support/stand-in-docker";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString: (code: string) => any = require("require-from-string");

/**
 * A private key ssh2 can read. ECDSA, not ed25519: ssh2's own ed25519 generator writes a key its
 * parser refuses ("Malformed OpenSSH private key") in 13 of 3,000 keys here, which failed CI once.
 */
function readableKey(): string {
  return utils.generateKeyPairSync("ecdsa", { bits: 256 }).private;
}

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx4bXBsZUhvc3RLZXlGb3JUZXN0c09ubHkxMjM0NTY3";
const SECRET = "c2VjcmV0LWtleS1tYXRlcmlhbA";
const KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET}==\n-----END OPENSSH PRIVATE KEY-----\n`;
const facts = { kernel: "6.1.0", dockerVersion: "26.1.5", interfaces: ["lo", "eth0", "eth1"], addresses: ["127.0.0.1", "192.0.2.7"] };
const inputs = {
  host: "127.0.0.1",
  port: 1,
  user: "lab",
  privateKey: KEY,
  hostKey: HOST_KEY,
  needs: { interfaces: ["eth1"], minDockerMajor: 20 },
};

/** What the dynamic-provider host (@pulumi/pulumi cmd/dynamic-provider, `update`) stores as the new state. */
async function engineUpdate(provider: pulumi.dynamic.ResourceProvider, olds: any, news: any): Promise<Record<string, unknown>> {
  const result: any = provider.update ? ((await provider.update("127.0.0.1:1", olds, news)) ?? {}) : {};
  return Object.assign(result.outs ?? {}, { __provider: news.__provider });
}

describe("HostCheck provider", () => {
  it("diff reports a change when the host or what the labs need changes, not for new facts alone", async () => {
    const olds = { ...inputs, facts };
    expect(await hostCheckProvider.diff!("h", olds, { ...inputs, facts: { ...facts, interfaces: ["lo", "veth1"] } })).toEqual({
      changes: false,
    });
    expect(await hostCheckProvider.diff!("h", olds, { ...inputs, needs: { interfaces: ["eth2"], minDockerMajor: 20 } })).toEqual({
      changes: true,
    });
  });

  it("update keeps every output: the facts check read in this run, the host, its needs", async () => {
    const olds = { ...inputs, facts: { ...facts, interfaces: ["lo"] }, __provider: "p" };
    const news = { ...inputs, needs: { interfaces: ["eth0", "eth1"], minDockerMajor: 20 }, facts, __provider: "p" };
    const state = await engineUpdate(hostCheckProvider, olds, news);
    expect(state).toEqual({ ...news });
    expect(state.facts).toEqual(facts);
  });

  it("update without facts from check reads them again (and a failure names the host and step, never the key)", async () => {
    // A key ssh2 can read, and a closed port: the read is attempted and fails at connect.
    const privateKey = readableKey();
    const news = { ...inputs, privateKey, needs: { interfaces: ["eth0"] } };
    const update = hostCheckProvider.update?.("h", { ...inputs, facts }, news) ?? Promise.reject(new Error("no update"));
    await expect(update).rejects.toThrow(/^ssh lab@127\.0\.0\.1:1: connect: .*ECONNREFUSED/);
    await update.catch((error: Error) => expect(error.message).not.toContain(privateKey.split("\n")[1]));
  });

  it("a key ssh2 cannot read: an error naming the host and the step, not the key or ssh2's words", async () => {
    const failure = hostCheckProvider.check!({}, { ...inputs, privateKey: KEY });
    await expect(failure).rejects.toThrow(
      "ssh lab@127.0.0.1:1: key: the private key cannot be read (an unencrypted OpenSSH or PEM key is needed)",
    );
    await failure.catch((error: Error) => {
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain("Cannot parse");
    });
  });

  it("is registered with the key secret, and its serialized provider (what the engine loads) updates too", async () => {
    const mocks = new RecordingMocks();
    await runProgram(
      mocks,
      () => new HostCheck("site-check", { host: "192.0.2.7", user: "lab", privateKey: KEY, hostKey: HOST_KEY, needs: {} }),
    );
    const [check] = mocks.ofType("pulumi-nodejs:dynamic/netlabs:HostCheck");
    expect(check.secretPaths).toEqual(["privateKey"]);
    const provider: pulumi.dynamic.ResourceProvider = requireFromString(check.inputs.__provider).handler();
    const news = { ...check.inputs, facts };
    expect(await engineUpdate(provider, { ...check.inputs, facts: { ...facts, kernel: "5.10" } }, news)).toMatchObject({
      facts,
      host: "192.0.2.7",
    });
  });

  it("its serialized provider carries SshHost (ssh2, host key checked): check reaches the host and names the step that failed", async () => {
    const mocks = new RecordingMocks();
    await runProgram(
      mocks,
      () => new HostCheck("site-check", { host: "127.0.0.1", port: 1, user: "lab", privateKey: KEY, hostKey: HOST_KEY, needs: {} }),
    );
    const [check] = mocks.ofType("pulumi-nodejs:dynamic/netlabs:HostCheck");
    const provider: pulumi.dynamic.ResourceProvider = requireFromString(check.inputs.__provider).handler();
    const privateKey = readableKey();
    await expect(provider.check!({}, { ...check.inputs, privateKey })).rejects.toThrow(/^ssh lab@127\.0\.0\.1:1: connect: .*ECONNREFUSED/);
    await expect(provider.check!({}, { ...check.inputs, privateKey: KEY })).rejects.toThrow(
      /^ssh lab@127\.0\.0\.1:1: key: the private key cannot be read/,
    );
  });
});

/**
 * An SSH server on loopback (ssh2's own) that runs each command with the local sh: behind it, the
 * stand-in docker on PATH plays the host's engine. Accepts any key; its host key is returned.
 */
async function shellServer(): Promise<{ port: number; hostKey: string; close: () => void }> {
  const keys = utils.generateKeyPairSync("ecdsa", { bits: 256 });
  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    client.on("authentication", (context) => (context.method === "publickey" ? context.accept() : context.reject(["publickey"])));
    client.on("session", (accept) =>
      accept().on("exec", (acceptExec, _reject, info) => {
        const stream = acceptExec();
        const child = spawn("/bin/sh", ["-c", info.command], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.pipe(stream, { end: false });
        child.stderr.pipe(stream.stderr, { end: false });
        child.on("close", (code) => {
          stream.exit(code ?? 1);
          stream.end();
        });
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, hostKey: keys.public, close: () => server.close() };
}

describe("HostCheck reads the engine's own facts, with the same docker commands as a local engine", () => {
  it("its serialized provider, over ssh2 to a host whose engine (a stand-in) runs elsewhere: an interface only the engine has passes, one it lacks is named", async () => {
    const server = await shellServer();
    try {
      const mocks = new RecordingMocks();
      const needs = { interfaces: ["nl-vm-only0", "eth9"], minDockerMajor: 20 };
      await runProgram(
        mocks,
        () =>
          new HostCheck("site-check", {
            host: "127.0.0.1",
            port: server.port,
            user: "lab",
            privateKey: KEY,
            hostKey: server.hostKey,
            needs,
          }),
      );
      const [check] = mocks.ofType("pulumi-nodejs:dynamic/netlabs:HostCheck");
      const provider: pulumi.dynamic.ResourceProvider = requireFromString(check.inputs.__provider).handler();
      const engine = { images: ["debian:bookworm-slim"], interfaces: ["eth0", "lo", "nl-vm-only0"], addresses: ["127.0.0.1"] };
      await withStandInDocker(engine, async (docker) => {
        const result = await provider.check!({}, { ...check.inputs, privateKey: readableKey() });
        expect(result.failures).toEqual([
          { property: "interfaces", reason: `host lab@127.0.0.1:${server.port} has no interface "eth9" (it has eth0, lo, nl-vm-only0)` },
        ]);
        expect(result.inputs.facts).toMatchObject({
          dockerVersion: "27.3.1",
          platform: "linux/arm64",
          interfaces: ["eth0", "lo", "nl-vm-only0"],
        });
        // The host ran docker itself: no -H, the queries, then the look in the engine's network namespace.
        expect(docker.calls().map((call) => call.slice(0, 3))).toEqual([
          ["version", "--format", "{{json .Server}}"],
          ["info", "--format", "{{json .MemTotal}}"],
          ["image", "ls", "--format"],
          ["run", "--rm", "--pull"],
        ]);
      });
    } finally {
      server.close();
    }
  });
});

describe("lab images are built for the engine's platform", () => {
  /** Recording mocks whose HostCheck reads `platform` as the host's engine platform. */
  class HostWithPlatform extends RecordingMocks {
    constructor(private readonly platform: string) {
      super();
    }
    newResource(args: pulumi.runtime.MockResourceArgs) {
      const result = super.newResource(args);
      if (args.type === "pulumi-nodejs:dynamic/netlabs:HostCheck") result.state.facts = { ...facts, platform: this.platform };
      return result;
    }
  }

  const buildPlatforms = (mocks: RecordingMocks) => mocks.ofType("docker:index/image:Image").map((image) => image.inputs.build.platform);

  it("an ssh:// host's images: the platform its HostCheck read (an arm64 host from an amd64 machine)", async () => {
    const mocks = new HostWithPlatform("linux/arm64");
    await runProgram(mocks, () => buildStack(readStackConfig()), {
      config: { dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: KEY, sshHostKey: HOST_KEY, labs: ["routed-lan"] },
      secretKeys: ["sshPrivateKey"],
    });
    expect(buildPlatforms(mocks).length).toBeGreaterThan(0);
    expect(new Set(buildPlatforms(mocks))).toEqual(new Set(["linux/arm64"]));
  });

  it("a local socket's images: this machine's platform, named", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), { config: { labs: ["routed-lan"] } });
    expect(new Set(buildPlatforms(mocks))).toEqual(new Set([localPlatform()]));
    expect(localPlatform()).toMatch(/^linux\/(amd64|arm64)$/);
  });
});
