/**
 * LabProbe as the Pulumi engine drives it: diff, update and read called on the provider object (and
 * on the provider as serialized for the dynamic-provider host), remote docker commands run through
 * `ssh` with the Docker provider's options, and secrets kept out of inputs, results and errors.
 * `docker` and `ssh` are stand-in scripts on PATH that record their argv: no engine, no host.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { remoteDockerArgv, remoteDockerCommandLine, SSH_EXEC_DEFAULTS } from "../../components/host/host-exec";
import { ProbeCheck, ProbeInputs, ProbeOutputs, probeProvider } from "../../components/probe/lab-probe";
import { bfdSessionsCheck, bgpSessionsCheck, ospfNeighborsCheck } from "../../components/protocols";
import { readStackConfig } from "../../stacks/config";
import { buildStack } from "../../stacks";
import { DEMO_PAGE } from "../../stacks/networking-demo";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString: (code: string) => any = require("require-from-string");

const PROBE = "pulumi-nodejs:dynamic/netlabs:LabProbe";
const CONTAINER = "docker:index/container:Container";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx4bXBsZUhvc3RLZXlGb3JUZXN0c09ubHkxMjM0NTY3";

/** Stand-in `docker` and `ssh` on PATH: each call appends {bin, argv} to a log, prints FAKE_STDOUT/FAKE_STDERR, exits FAKE_EXIT. */
class FakeBins {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-fake-bin-"));
  readonly log = path.join(this.dir, "calls.jsonl");
  private readonly saved = { ...process.env };

  constructor() {
    for (const bin of ["docker", "ssh"]) {
      const file = path.join(this.dir, bin);
      fs.writeFileSync(
        file,
        [
          `#!${process.execPath}`,
          `require("fs").appendFileSync(${JSON.stringify(this.log)}, JSON.stringify({ bin: ${JSON.stringify(bin)}, argv: process.argv.slice(2) }) + "\\n");`,
          `process.stdout.write(process.env.FAKE_STDOUT ?? "");`,
          `process.stderr.write(process.env.FAKE_STDERR ?? "");`,
          `process.exitCode = Number(process.env.FAKE_EXIT ?? 0);`,
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
    }
    process.env.PATH = `${this.dir}${path.delimiter}${process.env.PATH}`;
  }

  answer(stdout: string, exit = 0, stderr = ""): void {
    Object.assign(process.env, { FAKE_STDOUT: stdout, FAKE_EXIT: String(exit), FAKE_STDERR: stderr });
  }

  calls(): { bin: string; argv: string[] }[] {
    return fs.existsSync(this.log)
      ? fs
          .readFileSync(this.log, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];
  }

  restore(): void {
    for (const key of Object.keys(process.env)) if (!(key in this.saved)) delete process.env[key];
    Object.assign(process.env, this.saved);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const sshTarget = {
  kind: "ssh" as const,
  host: "192.0.2.7",
  port: 2222,
  user: "lab",
  sshOpts: ["-i", "/k/id.key", "-o", "UserKnownHostsFile=/k/kh", "-o", "StrictHostKeyChecking=yes", "-o", "ProxyJump=bastion"],
};

describe("remote docker argv (host-exec)", () => {
  it("is `ssh <sshOpts> <bounds> -T -l user -p port -- host docker <args>`, each remote word quoted", () => {
    expect(remoteDockerArgv(sshTarget, ["exec", "r1", "cat", "/run/it's here"])).toEqual([
      "ssh",
      "-o",
      "StrictHostKeyChecking=yes",
      ...sshTarget.sshOpts,
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
      "-o",
      "ServerAliveInterval=10",
      "-o",
      "ServerAliveCountMax=3",
      "-T",
      "-l",
      "lab",
      "-p",
      "2222",
      "--",
      "192.0.2.7",
      "'docker'",
      "'exec'",
      "'r1'",
      "'cat'",
      `'/run/it'\\''s here'`,
    ]);
    // The user's options come first: ssh keeps the first value of an option, so theirs win over the bounds.
    const argv = remoteDockerArgv({ ...sshTarget, sshOpts: ["-o", "ConnectTimeout=3"] }, ["ps"]);
    expect(argv.indexOf("ConnectTimeout=3")).toBeLessThan(argv.indexOf("ConnectTimeout=10"));
    expect(SSH_EXEC_DEFAULTS).toContain("BatchMode=yes");
  });

  it("leaves out -l and -p when the URL has none, and unbrackets an IPv6 host", () => {
    expect(remoteDockerArgv({ kind: "ssh", host: "[2001:db8::7]", sshOpts: [] }, ["ps"]).slice(-4)).toEqual(
      ["-T", "--", "2001:db8::7", "'docker'", "'ps'"].slice(-4),
    );
    const argv = remoteDockerArgv({ kind: "ssh", host: "[2001:db8::7]", sshOpts: [] }, ["ps"]);
    expect(argv).not.toContain("-l");
    expect(argv).not.toContain("-p");
    expect(argv.slice(argv.indexOf("--"))).toEqual(["--", "2001:db8::7", "'docker'", "'ps'"]);
  });

  it("runs the local CLI against a unix:// or tcp:// engine", () => {
    expect(remoteDockerArgv({ kind: "local", dockerHost: "tcp://10.0.0.1:2375" }, ["ps"])).toEqual([
      "docker",
      "-H",
      "tcp://10.0.0.1:2375",
      "ps",
    ]);
  });

  describe("through a local shell and the remote shell", () => {
    let fake: FakeBins;
    beforeEach(() => (fake = new FakeBins()));
    afterEach(() => fake.restore());

    it("every word reaches docker on the host unchanged (quotes, spaces, $, ;)", () => {
      const args = ["exec", "c 1", "sh", "-c", `echo 'x' "$HOME"; exit 3`, "a\\b"];
      // The local Command runs the line with sh: ssh must get exactly remoteDockerArgv's words.
      execFileSync("sh", ["-c", remoteDockerCommandLine(sshTarget, args)]);
      const [ssh] = fake.calls();
      expect(["ssh", ...ssh.argv]).toEqual(remoteDockerArgv(sshTarget, args));
      // ssh joins the words after the host with spaces for the remote shell: docker gets `args`.
      const remote = ssh.argv.slice(ssh.argv.indexOf("--") + 2).join(" ");
      execFileSync("sh", ["-c", remote]);
      expect(fake.calls()[1]).toEqual({ bin: "docker", argv: args });
    });
  });
});

/** The probe's inputs as LabProbe registers them in a stack, and its provider as the engine would load it. */
async function registeredProbe(config: Record<string, unknown>) {
  const mocks = new RecordingMocks();
  await runProgram(mocks, () => buildStack(readStackConfig()), { config, secretKeys: ["sshPrivateKey"] });
  const probe = mocks.named(`${(config.labs as string[])[0]}-probe`);
  const { __provider: serialized, ...inputs } = probe.inputs;
  return { mocks, probe, inputs: inputs as ProbeInputs, serialized: serialized as string };
}

const check: ProbeCheck = { kind: "fetch", name: "h1 fetches h3", from: "h1", url: "http://10.0.0.3/", expect: "h3" };
const local = (overrides: Partial<ProbeInputs> = {}): ProbeInputs => ({
  dockerHost: "unix:///var/run/docker.sock",
  containerIds: ["id-h1", "id-r1"],
  checks: [check],
  timeoutSeconds: 0,
  failOnError: false,
  ...overrides,
});

describe("LabProbe provider: diff, update, read", () => {
  let fake: FakeBins;
  beforeEach(() => (fake = new FakeBins()));
  afterEach(() => fake.restore());

  it("diff: no change for the same inputs; a change when a container is replaced (a new id under the same name)", async () => {
    const olds = { ...local(), results: [], passed: 1, failed: 0 } as ProbeOutputs;
    expect(await probeProvider.diff!("p", olds, local())).toMatchObject({ changes: false });
    expect(await probeProvider.diff!("p", olds, local({ containerIds: ["id-h1", "id-r1-new"] }))).toMatchObject({ changes: true });
    // At preview a container being replaced has no id yet: the engine passes its unknown sentinel.
    expect(await probeProvider.diff!("p", olds, local({ containerIds: ["id-h1", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"] }))).toMatchObject({
      changes: true,
    });
    expect(await probeProvider.diff!("p", olds, local({ checks: [{ ...check, expect: "other" }] }))).toMatchObject({ changes: true });
    // A new key file (rotated key) reaches the same host: not a reason to probe again.
    const withSsh = (argv: string[]) => local({ dockerHost: "ssh://lab@192.0.2.7", ssh: { label: "lab@192.0.2.7:22", argv } });
    expect(
      await probeProvider.diff!("p", { ...withSsh(["ssh", "-i", "/a"]), results: [], passed: 1, failed: 0 }, withSsh(["ssh", "-i", "/b"])),
    ).toMatchObject({
      changes: false,
    });
  });

  it("update runs the checks again and returns every output, not only the results", async () => {
    fake.answer("h3\n");
    const news = local({ containerIds: ["id-h1", "id-r1-new"] });
    const olds = { ...local(), results: [{ name: check.name, ok: false, detail: "stale", ms: 1 }], passed: 0, failed: 1 };
    const { outs } = await probeProvider.update!("p", olds, news);
    expect(outs).toMatchObject({ ...news, passed: 1, failed: 0 });
    expect(outs.results).toEqual([{ name: check.name, ok: true, detail: "h1 fetched http://10.0.0.3/", ms: expect.any(Number) }]);
    expect(fake.calls()).toEqual([
      { bin: "docker", argv: ["-H", "unix:///var/run/docker.sock", "exec", "h1", "curl", "-sf", "--max-time", "3", "http://10.0.0.3/"] },
    ]);
  });

  it("read (refresh) keeps the outputs and runs nothing", async () => {
    const props = {
      ...local(),
      results: [{ name: check.name, ok: true, detail: "h1 fetched http://10.0.0.3/", ms: 5 }],
      passed: 1,
      failed: 0,
    };
    expect(probeProvider.read).toBeDefined();
    expect(await probeProvider.read!("p", props)).toEqual({ id: "p", props });
    expect(fake.calls()).toEqual([]);
  });
});

describe("LabProbe routing checks, judged on FRR 8.4's JSON and the kernel's routes", () => {
  let fake: FakeBins;
  beforeEach(() => (fake = new FakeBins()));
  afterEach(() => fake.restore());
  const once = async (probe: ProbeCheck) => (await probeProvider.create(local({ checks: [probe] }))).outs.results[0];

  it("ospf: neighbours Full, or 2-Way between DROthers, count as up; Init does not", async () => {
    const probe: ProbeCheck = ospfNeighborsCheck("r1 OSPF", "r1", 2);
    const neighbors = (...states: string[]) =>
      JSON.stringify({
        neighbors: Object.fromEntries(states.map((state, i) => [`10.0.0.${i + 1}`, [{ nbrState: state, ifaceName: `eth${i}` }]])),
      });
    fake.answer(neighbors("Full/-", "2-Way/DROther"));
    expect(await once(probe)).toMatchObject({ ok: true, detail: "r1: 2 of 2 OSPF neighbours up (Full/-, 2-Way/DROther)" });
    fake.answer(neighbors("Full/-", "Init/-"));
    expect(await once(probe)).toMatchObject({ ok: false, detail: "r1: 1 of 2 OSPF neighbours up (Full/-, Init/-)" });
    expect(fake.calls().at(-1)!.argv.slice(2)).toEqual(["exec", "r1", "vtysh", "-c", "show ip ospf neighbor json"]);
  });

  it("bgp: counts the IPv4 unicast peers whose session is Established", async () => {
    const probe: ProbeCheck = bgpSessionsCheck("r1 BGP", "r1", 2);
    const peers = (...states: string[]) =>
      JSON.stringify({
        ipv4Unicast: { peers: Object.fromEntries(states.map((state, i) => [`10.0.0.${i + 2}`, { state, remoteAs: 65002 + i }])) },
      });
    fake.answer(peers("Established", "Established"));
    expect(await once(probe)).toMatchObject({ ok: true, detail: "r1: 2 of 2 sessions Established" });
    fake.answer(peers("Established", "Active"));
    expect(await once(probe)).toMatchObject({ ok: false, detail: "r1: 1 of 2 sessions Established" });
    fake.answer("% bgpd is not running\n");
    expect(await once(probe)).toMatchObject({ ok: false, detail: "r1: 0 of 2 sessions Established" });
    expect(fake.calls().at(-1)!.argv.slice(2)).toEqual(["exec", "r1", "vtysh", "-c", "show bgp summary json"]);
  });

  it("bfd: counts peers whose status is up, single-hop and multihop", async () => {
    const probe: ProbeCheck = bfdSessionsCheck("r1 BFD", "r1", 2);
    fake.answer(
      JSON.stringify([
        { multihop: false, peer: "10.0.0.2", interface: "eth1", status: "up" },
        // iBGP between loopbacks, as FRR 8.4's bfdd lists it.
        { multihop: true, peer: "10.255.0.2", local: "10.255.0.1", vrf: "default", status: "up" },
      ]),
    );
    expect(await once(probe)).toMatchObject({ ok: true, detail: "r1: 2 of 2 BFD sessions up" });
    fake.answer(
      JSON.stringify([
        { peer: "10.0.0.2", status: "up" },
        { peer: "10.0.0.6", status: "down" },
      ]),
    );
    expect(await once(probe)).toMatchObject({ ok: false, detail: "r1: 1 of 2 BFD sessions up" });
    fake.answer("% bfdd is not running\n");
    expect((await once(probe)).ok).toBe(false);
  });

  it("vtysh-count: `*` in the path takes every item or value there, for answers nested in lists", async () => {
    const probe: ProbeCheck = {
      kind: "vtysh-count",
      name: "r1 nested",
      router: "r1",
      command: "show nested json",
      path: ["areas", "*", "circuits"],
      stateFields: ["state"],
      upPattern: "^Up$",
      want: 3,
      counted: "adjacencies Up",
      showStates: true,
    };
    fake.answer(
      JSON.stringify({ areas: [{ circuits: [{ state: "Up" }, { state: "Initializing" }] }, { circuits: { eth2: { state: "Up" } } }] }),
    );
    expect(await once(probe)).toMatchObject({ ok: false, detail: "r1: 2 of 3 adjacencies Up (Up, Initializing, Up)" });
    fake.answer(JSON.stringify({ areas: [{ circuits: [{ state: "Up" }, { state: "Up" }] }, { circuits: [{ state: "Up" }] }] }));
    expect(await once(probe)).toMatchObject({ ok: true, detail: "r1: 3 of 3 adjacencies Up (Up, Up, Up)" });
    expect(fake.calls().at(-1)!.argv.slice(2)).toEqual(["exec", "r1", "vtysh", "-c", "show nested json"]);
  });

  it("routes: every prefix must head a line of `ip -4 route show`, single or multipath", async () => {
    const probe: ProbeCheck = { kind: "routes", name: "r1 routes", router: "r1", prefixes: ["10.21.1.0/24", "10.21.3.0/24"] };
    fake.answer(
      "10.20.12.0/29 dev eth1 proto kernel scope link src 10.20.12.1\n10.21.1.0/24 dev eth0 proto kernel scope link src 10.21.1.1\n" +
        "10.21.3.0/24 proto ospf metric 20 \n\tnexthop via 10.20.12.2 dev eth1 weight 1 \n\tnexthop via 10.20.41.1 dev eth2 weight 1 \n",
    );
    expect(await once(probe)).toMatchObject({ ok: true, detail: "r1 has a route to 10.21.1.0/24, 10.21.3.0/24" });
    fake.answer("10.21.1.0/24 dev eth0 proto kernel scope link src 10.21.1.1\n10.21.3.10 via 10.20.12.2 dev eth1\n");
    expect(await once(probe)).toMatchObject({ ok: false, detail: "r1 has no route to 10.21.3.0/24" });
    expect(fake.calls().at(-1)!.argv.slice(2)).toEqual(["exec", "r1", "ip", "-4", "route", "show"]);
  });

  it("routes absent (a policy filters them): none may be held; blackhole, default and host routes are read as prefixes", async () => {
    const probe: ProbeCheck = { kind: "routes", name: "r1 filtered", router: "r1", prefixes: ["10.52.4.0/24"], absent: true };
    fake.answer("10.52.3.0/24 via 10.52.12.2 dev eth2 proto ospf metric 20\n");
    expect(await once(probe)).toMatchObject({ ok: true, detail: "r1 has no route to 10.52.4.0/24" });
    fake.answer("10.52.3.0/24 via 10.52.12.2 dev eth2 proto ospf metric 20\n10.52.4.0/24 via 10.52.12.2 dev eth2 proto ospf metric 20\n");
    expect(await once(probe)).toMatchObject({ ok: false, detail: "r1 has a route to 10.52.4.0/24, which its lab's policies filter" });
    const held: ProbeCheck = { kind: "routes", name: "r3", router: "r3", prefixes: ["10.52.90.0/24", "0.0.0.0/0", "10.52.255.2/32"] };
    fake.answer(
      "default via 10.52.23.1 dev eth0 proto bgp metric 20\nblackhole 10.52.90.0/24 proto static metric 20\n10.52.255.2 via 10.52.23.1 dev eth0\n",
    );
    expect(await once(held)).toMatchObject({ ok: true });
  });
});

describe("LabProbe in a stack", () => {
  it("takes the ids of every container of its lab as an input", async () => {
    const { mocks, inputs } = await registeredProbe({ labs: ["routed-lan"] });
    const labContainers = mocks.ofType(CONTAINER).filter((c) => c.inputs.name.startsWith("routed-lan-"));
    // h1-h3, r1, and the bridge guard: a guard replaced changes forwarding as much as a node does.
    expect(labContainers.map((c) => c.inputs.name).sort()).toEqual(
      expect.arrayContaining(["routed-lan-h1", "routed-lan-h2", "routed-lan-h3", "routed-lan-r1"]),
    );
    expect([...inputs.containerIds].sort()).toEqual(labContainers.map((c) => `${c.name}-id`).sort());
  });

  describe("on an ssh:// host", () => {
    let fake: FakeBins;
    beforeEach(() => (fake = new FakeBins()));
    afterEach(() => fake.restore());
    const site = {
      dockerHost: "ssh://lab@192.0.2.7:2222",
      sshPrivateKey: KEY,
      sshHostKey: HOST_KEY,
      // (Not ProxyJump: with sshPrivateKey the host check could not follow it, so config refuses it.)
      sshOpts: ["-o", "ServerAliveInterval=5", "-o", "ConnectTimeout=7"],
      labs: ["networking-demo"],
    };

    it("runs docker through ssh with the Docker provider's options, from the provider as serialized for the engine", async () => {
      const { mocks, inputs, serialized } = await registeredProbe(site);
      const providerOpts: string[] = JSON.parse(mocks.ofType("pulumi:providers:docker")[0].inputs.sshOpts);
      expect(providerOpts).toEqual(expect.arrayContaining(["ServerAliveInterval=5", "ConnectTimeout=7"]));
      // The dynamic-provider host loads this text with only node_modules and builtins at hand.
      const provider = requireFromString(serialized).handler();
      fake.answer(DEMO_PAGE);
      const { outs } = await provider.create({ ...inputs, timeoutSeconds: 0 });
      expect(outs.failed).toBe(0);
      const [call] = fake.calls();
      const dockerArgs = ["exec", "networking-demo-client-1", "curl", "-sf", "--max-time", "3", "http://server-1/"];
      expect(["ssh", ...call.argv]).toEqual(
        remoteDockerArgv({ kind: "ssh", host: "192.0.2.7", port: 2222, user: "lab", sshOpts: providerOpts }, dockerArgs),
      );
    });

    it("has no key among its inputs, and ssh's failures are named by host and step, never echoed", async () => {
      const { probe, inputs } = await registeredProbe(site);
      expect(JSON.stringify(probe.inputs)).not.toContain("PRIVATE KEY");
      expect(JSON.stringify(probe.inputs)).not.toContain("c2VjcmV0LWtleS1tYXRlcmlhbA");
      const stderr = `Load key "/root/.docker-netlabs/ssh/x.key": c2VjcmV0LWtleS1tYXRlcmlhbA==\nlab@192.0.2.7: Permission denied (publickey).\n`;
      fake.answer("", 255, stderr);
      const started = Date.now();
      const { outs } = await probeProvider.create({ ...inputs, timeoutSeconds: 30 });
      // Auth does not get better by retrying: one attempt, not 30 s of them.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(outs.results).toEqual([
        {
          name: "client-1 fetches server-1 by name",
          ok: false,
          detail: "ssh lab@192.0.2.7:2222: auth: the key was refused",
          ms: expect.any(Number),
        },
      ]);
      expect(JSON.stringify(outs)).not.toContain("c2VjcmV0");
      const failing = probeProvider.create({ ...inputs, timeoutSeconds: 0, failOnError: true });
      await expect(failing).rejects.toThrow(/^lab probe: 1 of 1 checks failed: ssh lab@192\.0\.2\.7:2222: auth: the key was refused$/);
    });

    it("a host-key mismatch and a refused connection are named too", async () => {
      const { inputs } = await registeredProbe(site);
      fake.answer("", 255, "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n");
      expect((await probeProvider.create({ ...inputs, timeoutSeconds: 0 })).outs.results[0].detail).toBe(
        "ssh lab@192.0.2.7:2222: host-key: the host's key is not the known host key",
      );
      fake.answer("", 255, "ssh: connect to host 192.0.2.7 port 2222: Connection refused\n");
      expect((await probeProvider.create({ ...inputs, timeoutSeconds: 0 })).outs.results[0].detail).toBe(
        "ssh lab@192.0.2.7:2222: connect: connection refused",
      );
    });
  });
});

describe("LabProbe registration", () => {
  it("keeps the containers' ids and the ssh argv among the probe's inputs, and nothing of the probe on the Docker provider", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), { config: { labs: ["networking-demo"] } });
    const [probe] = mocks.ofType(PROBE);
    expect(probe.inputs.ssh).toBeUndefined();
    expect(probe.inputs.containerIds.length).toBeGreaterThan(0);
    expect(probe.provider ?? "").not.toMatch(/providers:docker/);
  });
});
