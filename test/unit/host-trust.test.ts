/**
 * Host trust on every path (issue 20, points 1, 4 and 5): the Docker provider of an ssh:// host is
 * always told to check the host key, ahead of the user's options and whatever ~/.ssh/config says;
 * a host key of any type an OpenSSH server shows is taken, and nothing but one key; an IPv6 host
 * gets the known_hosts line ssh writes for it; the host check (ssh2, with sshPrivateKey) logs in
 * as the provider's user and refuses, by name, what it cannot follow of the provider's path.
 */
import { utils } from "ssh2";
import { describe, expect, it } from "vitest";
import { DockerHost } from "../../components/host/docker-host";
import { hostKeyIssue, knownHostsLine } from "../../components/host/ssh-identity";
import { LabConfigError } from "../../components/net/errors";
import * as os from "node:os";
import { parseStackConfig } from "../../stacks/config";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const providerOpts = (mocks: RecordingMocks): string[] => JSON.parse(mocks.ofType("pulumi:providers:docker")[0].inputs.sshOpts);

describe("the Docker provider checks host keys without a key of the stack (point 1)", () => {
  it("a site stack without sshPrivateKey (the committed sites): StrictHostKeyChecking=yes first, then the user's options", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), {
      config: { dockerHost: "ssh://lab@site-a.lab.example", sshOpts: ["-o", "ServerAliveInterval=10"], labs: ["routed-lan"] },
    });
    expect(providerOpts(mocks)).toEqual(["-o", "StrictHostKeyChecking=yes", "-o", "ServerAliveInterval=10"]);
  });

  it("a DockerHost with no options at all still gets the check", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new DockerHost("h", { host: "ssh://lab@192.0.2.7" }));
    expect(providerOpts(mocks)).toEqual(["-o", "StrictHostKeyChecking=yes"]);
  });

  it("a local socket's provider has no ssh options", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new DockerHost("h", {}));
    expect(mocks.ofType("pulumi:providers:docker")[0].inputs.sshOpts).toBeUndefined();
  });
});

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx4bXBsZUhvc3RLZXlGb3JUZXN0c09ubHkxMjM0NTY3";
/** A key blob as ssh encodes it: the type name, then the key's own fields (here filler bytes). */
const blobOf = (type: string, ...fields: Buffer[]) =>
  Buffer.concat(
    [type, ...fields].map((field) => {
      const bytes = Buffer.from(field);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    }),
  ).toString("base64");

describe("sshHostKey (point 4)", () => {
  const ecdsa = utils.generateKeyPairSync("ecdsa", { bits: 256 }).public.trim();
  const sk = `sk-ssh-ed25519@openssh.com ${blobOf("sk-ssh-ed25519@openssh.com", Buffer.alloc(32, 7), Buffer.from("ssh:"))}`;

  it.each([
    ["an ECDSA key (ssh-keyscan's default for many hosts)", ecdsa],
    ["an ed25519 key with a comment", `${ED25519} root@site-a`],
    ["a FIDO (sk-) key", sk],
    ["an ed25519 key with surrounding blanks", `  ${ED25519}\n`],
  ])("accepts %s", (_, key) => {
    expect(hostKeyIssue(key)).toBeUndefined();
    expect(() => parseStackConfig({ dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: "k".repeat(20), sshHostKey: key })).not.toThrow();
  });

  it.each([
    ["a second key on another line", `${ED25519}\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAttackerKeyAttackerKeyAttackerKey0000000`],
    ["characters after the base64 with no space", `${ED25519}!!`],
    ["a key blob of another type than it names", `ssh-rsa ${ED25519.split(" ")[1]}`],
    ["a DSA key (removed from OpenSSH)", `ssh-dss ${blobOf("ssh-dss", Buffer.alloc(8))}`],
    ["a made-up ssh- type", `ssh-anything ${blobOf("ssh-anything")}`],
    ["only the base64", ED25519.split(" ")[1]],
  ])("refuses %s, naming the key and the value", (_, key) => {
    expect(hostKeyIssue(key)).toMatch(/^must be a known_hosts key/);
    try {
      parseStackConfig({ dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: "k".repeat(20), sshHostKey: key });
      expect.unreachable("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(LabConfigError);
      expect((error as Error).message).toContain(`docker-netlabs:sshHostKey: must be a known_hosts key`);
      expect((error as Error).message).toContain(`(got "${key}")`);
    }
  });

  it("an IPv6 host's known_hosts line has one pair of brackets, and none on port 22", () => {
    expect(knownHostsLine({ scheme: "ssh", host: "[2001:db8::7]", port: 2222 }, ED25519)).toBe(`[2001:db8::7]:2222 ${ED25519}\n`);
    expect(knownHostsLine({ scheme: "ssh", host: "[2001:db8::7]" }, ED25519)).toBe(`2001:db8::7 ${ED25519}\n`);
    expect(knownHostsLine({ scheme: "ssh", host: "192.0.2.7", port: 2222 }, `${ED25519} comment`)).toBe(`[192.0.2.7]:2222 ${ED25519}\n`);
  });

  it("DockerHost refuses an identity whose host key is not one, before anything is registered", async () => {
    const mocks = new RecordingMocks();
    const created = runProgram(
      mocks,
      () => new DockerHost("h", { host: "ssh://lab@192.0.2.7", sshIdentity: { privateKey: "k", hostKey: `${ED25519} x\ny` } }),
    );
    await expect(created).rejects.toThrow(/sshIdentity\.hostKey: must be a known_hosts key/);
    expect(mocks.resources).toEqual([]);
  });
});

describe("the host check reaches the host as the provider does (point 5)", () => {
  const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n";
  const stack = (config: Record<string, unknown>) => {
    const mocks = new RecordingMocks();
    const run = runProgram(mocks, () => buildStack(readStackConfig()), {
      config: { sshPrivateKey: KEY, sshHostKey: ED25519, labs: ["routed-lan"], ...config },
      secretKeys: ["sshPrivateKey"],
    });
    return { mocks, run };
  };

  it("logs in as the user the URL names, at the host without an IPv6 address's brackets", async () => {
    const { mocks, run } = stack({ dockerHost: "ssh://netops@[2001:db8::7]:2222" });
    await run;
    expect(mocks.ofType("pulumi-nodejs:dynamic/netlabs:HostCheck")[0].inputs).toMatchObject({
      user: "netops",
      host: "2001:db8::7",
      port: 2222,
    });
  });

  it("refuses a URL without a user (ssh would not log in as root), naming the local user, before anything is registered", async () => {
    const { mocks, run } = stack({ dockerHost: "ssh://192.0.2.7" });
    const local = os.userInfo().username;
    await expect(run).rejects.toThrow(
      new RegExp(
        `docker-netlabs:dockerHost: names no user: .*local user name \\("${local}"\\); name it, e\\.g\\. ssh://${local}@192\\.0\\.2\\.7 \\(got "ssh://192\\.0\\.2\\.7"\\)`,
      ),
    );
    expect(mocks.resources).toEqual([]);
  });

  it.each([
    [["-o", "ProxyJump=bastion"], 1, "ProxyJump"],
    [["-J", "bastion"], 1, "ProxyJump"],
    [["-o", "ServerAliveInterval=5", "-6"], 2, "AddressFamily"],
  ])("refuses %j, which it cannot follow, at the option's element", async (sshOpts, index, word) => {
    const { mocks, run } = stack({ dockerHost: "ssh://lab@192.0.2.7", sshOpts });
    await expect(run).rejects.toThrow(
      new RegExp(`docker-netlabs:sshOpts\\[${index}\\]: ssh option ${word} is one the host check cannot follow`),
    );
    expect(mocks.resources).toEqual([]);
  });

  it("without sshPrivateKey there is no host check, and ProxyJump and a URL without a user are the provider's to follow", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), {
      config: { dockerHost: "ssh://192.0.2.7", sshOpts: ["-J", "bastion"], labs: ["routed-lan"] },
    });
    expect(mocks.ofType("pulumi-nodejs:dynamic/netlabs:HostCheck")).toEqual([]);
    expect(providerOpts(mocks)).toEqual(["-o", "StrictHostKeyChecking=yes", "-J", "bastion"]);
  });

  it("the DockerHost component refuses the same", async () => {
    const mocks = new RecordingMocks();
    const created = runProgram(
      mocks,
      () =>
        new DockerHost("h", { host: "ssh://192.0.2.7", sshOpts: ["-J", "bastion"], sshIdentity: { privateKey: KEY, hostKey: ED25519 } }),
    );
    await expect(created).rejects.toThrow(
      /- host: "ssh:\/\/192\.0\.2\.7" names no user[^\n]*\n {2}- sshOpts\[1\]: ssh option ProxyJump .*\(got "bastion"\)/,
    );
    expect(mocks.resources).toEqual([]);
  });
});
