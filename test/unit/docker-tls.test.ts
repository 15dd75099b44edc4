/**
 * A tcp:// Docker host only with TLS (issue 20, point 3): without the CA, certificate and key the
 * stack is refused (a plain Docker API is root for anyone on the path); with them, the provider
 * gets the three as secrets and the Docker CLI (readiness, probes, lease) owner-only files and
 * --tlsverify. $HOME is a temp folder here, so the files land there.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DockerHost, hostConnection } from "../../components/host/docker-host";
import { DockerExecTarget, dockerExecTarget, dockerTlsFiles, remoteDockerArgv } from "../../components/host/host-exec";
import { LabConfigError } from "../../components/net/errors";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const certificate = (body: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(body).toString("base64")}\n-----END CERTIFICATE-----\n`;
const CA = certificate("test CA, not a real certificate");
const CERT = certificate("test client, not a real certificate");
const KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const KEY_LINE = KEY.split("\n")[1];
const TCP = "tcp://192.0.2.7:2376";
const TLS_KEYS = ["dockerTlsCa", "dockerTlsCert", "dockerTlsKey"];
const WITH_TLS = { dockerHost: TCP, dockerTlsCa: CA, dockerTlsCert: CERT, dockerTlsKey: KEY, labs: ["routed-lan"] };

async function stack(config: Record<string, unknown>): Promise<{ mocks: RecordingMocks; error?: LabConfigError }> {
  const mocks = new RecordingMocks();
  try {
    await runProgram(mocks, () => buildStack(readStackConfig()), { config, secretKeys: TLS_KEYS });
    return { mocks };
  } catch (error) {
    expect(error).toBeInstanceOf(LabConfigError);
    expect((error as Error).message).not.toContain(KEY_LINE);
    return { mocks, error: error as LabConfigError };
  }
}

describe("a tcp:// Docker host", () => {
  let home: string;
  const savedHome = process.env.HOME;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-tls-"));
    process.env.HOME = home;
  });
  afterEach(() => {
    process.env.HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("without TLS is refused at dockerHost, naming the keys it needs, with nothing registered", async () => {
    const { mocks, error } = await stack({ dockerHost: "tcp://192.0.2.7:2375", labs: ["routed-lan"] });
    expect(error?.message).toMatch(
      /docker-netlabs:dockerHost: a tcp:\/\/ Docker API without TLS is root on the host for anyone on the path: set docker-netlabs:dockerTlsCa, docker-netlabs:dockerTlsCert, docker-netlabs:dockerTlsKey .*\(got "tcp:\/\/192\.0\.2\.7:2375"\)/,
    );
    expect(mocks.resources).toEqual([]);
  });

  it("with part of TLS is refused, naming what is missing", async () => {
    const { error } = await stack({ ...WITH_TLS, dockerTlsKey: undefined });
    expect(error?.message).toMatch(/docker-netlabs:dockerHost: .*: set docker-netlabs:dockerTlsKey \(secrets\)/);
  });

  it("TLS keys on another host are refused, their values not shown", async () => {
    const { error } = await stack({ ...WITH_TLS, dockerHost: "unix:///var/run/docker.sock" });
    for (const key of TLS_KEYS)
      expect(error?.message).toContain(`docker-netlabs:${key}: is only for a tcp:// dockerHost (secret, not shown)`);
  });

  it("a key that is not PEM is named, not shown", async () => {
    const { error } = await stack({ ...WITH_TLS, dockerTlsKey: `x${KEY_LINE}` });
    expect(error?.message).toContain("docker-netlabs:dockerTlsKey: must be a private key in PEM form (secret, not shown)");
  });

  it("with TLS: the provider gets the three as secrets, and nothing else carries the key", async () => {
    const { mocks, error } = await stack(WITH_TLS);
    expect(error).toBeUndefined();
    const [provider] = mocks.ofType("pulumi:providers:docker");
    expect(provider.inputs).toMatchObject({ host: TCP, caMaterial: CA, certMaterial: CERT, keyMaterial: KEY });
    expect(provider.secretPaths).toEqual(expect.arrayContaining(["caMaterial", "certMaterial", "keyMaterial"]));
    for (const resource of mocks.resources.filter((r) => r !== provider)) {
      const plain = { ...resource.inputs };
      for (const secretPath of resource.secretPaths) delete plain[secretPath.split(/[.[]/)[0]];
      expect(JSON.stringify(plain), `${resource.type} ${resource.name}`).not.toContain(KEY_LINE);
    }
  });

  it("with TLS: the Docker CLI's files are written owner-only, and readiness and probes run docker --tlsverify with them", async () => {
    const { mocks } = await stack(WITH_TLS);
    const files = dockerTlsFiles(TCP);
    expect(path.dirname(files.ca).startsWith(path.join(home, ".docker-netlabs", "tls"))).toBe(true);
    expect(fs.statSync(path.dirname(files.ca)).mode & 0o777).toBe(0o700);
    expect([files.ca, files.cert, files.key].map((file) => fs.statSync(file).mode & 0o777)).toEqual([0o600, 0o600, 0o600]);
    expect([files.ca, files.cert, files.key].map((file) => fs.readFileSync(file, "utf8"))).toEqual([CA, CERT, KEY]);
    const argv = ["docker", "--tlsverify", "--tlscacert", files.ca, "--tlscert", files.cert, "--tlskey", files.key, "-H", TCP, "ps"];
    // What the labs on the host take (readiness, probes and the lease run docker with it).
    expect(remoteDockerArgv(hostConnection(TCP).exec as DockerExecTarget, ["ps"])).toEqual(argv);
    expect(remoteDockerArgv(dockerExecTarget(TCP), ["ps"])).toEqual(argv);
    const [ready] = mocks.ofType("pulumi-nodejs:dynamic/netlabs:NodesReady");
    expect(ready.inputs.target).toEqual({ kind: "local", dockerHost: TCP, tls: files });
    // A local socket is unchanged.
    expect(remoteDockerArgv(hostConnection("unix:///var/run/docker.sock").exec as DockerExecTarget, ["ps"])).toEqual([
      "docker",
      "-H",
      "unix:///var/run/docker.sock",
      "ps",
    ]);
  });

  it("the DockerHost component refuses tcp:// without tls, and tls elsewhere", async () => {
    for (const [args, expected] of [
      [{ host: TCP }, /- tls: a tcp:\/\/ Docker API without TLS/],
      [{ host: "ssh://lab@192.0.2.7", tls: { ca: CA, cert: CERT, key: KEY } }, /- tls: TLS is only for tcp:\/\/ hosts/],
    ] as const) {
      const mocks = new RecordingMocks();
      await expect(runProgram(mocks, () => new DockerHost("h", args))).rejects.toThrow(expected);
      expect(mocks.resources).toEqual([]);
    }
  });
});
