/**
 * A host's facts read where its engine runs, the same way for every transport (engine-facts.ts):
 * the parsing of each command's output, the look at the engine's network namespace as a script
 * (run here on this machine's own kernel files, not through any engine), and, with a stand-in
 * `docker` on PATH describing an engine that runs elsewhere (a VM's interfaces), that a unix:// or
 * tcp:// engine is checked against its own facts, not this machine's, and that ssh2's HostCheck
 * path runs the very same docker commands.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { checkEngine, checkEngineAt, readEngineFacts } from "../../components/host/engine-check";
import {
  BASE_IMAGE,
  ENGINE_QUERIES,
  NETWORK_LOOK_SCRIPT,
  engineFacts,
  lookImage,
  networkLookArgs,
  parseEngineVersion,
  parseFibTrie,
  parseIpAddr,
  parseMemTotal,
  parseNetworkLook,
} from "../../components/host/engine-facts";
import { DockerExecTarget, dockerExecTarget, dockerTlsFiles } from "../../components/host/host-exec";
import { hostFactNotes } from "../../components/host/host-facts";
import { SshHost } from "../../components/host/ssh-host";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { stackFileConfig } from "../support/stack-files";
import { StandInEngine, lookOutput, withStandInDocker } from "../support/stand-in-docker";

const UNIX = "unix:///var/run/docker.sock";
const LOCAL: DockerExecTarget = dockerExecTarget(UNIX);
const ok = (stdout: string) => ({ code: 0, stdout, stderr: "" });
const failed = (stderr: string, code = 1) => ({ code, stdout: "", stderr });

/** An interface name this machine surely lacks: the stand-in's engine runs "elsewhere" (a VM). */
const VM_ONLY = "nl-vm-only0";
const thisMachine = fs.readdirSync("/sys/class/net");
const VM_ENGINE: StandInEngine = {
  images: [`${BASE_IMAGE}`, "docker-netlabs/router:0123456789abcdef"],
  interfaces: ["eth0", "lo", VM_ONLY],
  addresses: ["127.0.0.1", "192.168.65.3"],
};

describe("parsing what the engine says", () => {
  it("version, platform and kernel from docker version's Server JSON; nothing from anything else", () => {
    const server = { Version: "27.3.1", ApiVersion: "1.47", Os: "linux", Arch: "arm64", KernelVersion: "6.10.14-linuxkit" };
    expect(parseEngineVersion(`${JSON.stringify(server)}\n`)).toEqual({
      dockerVersion: "27.3.1",
      platform: "linux/arm64",
      kernel: "6.10.14-linuxkit",
    });
    expect(parseEngineVersion(JSON.stringify({ ...server, Os: undefined }))?.platform).toBe("none");
    for (const odd of ["", "null", "{}", "Client: Docker Engine", '{"Version": 27}', '{"Version":"dev"}']) {
      expect(parseEngineVersion(odd), odd).toBeUndefined();
    }
  });

  it("memory from docker info's MemTotal, in bytes", () => {
    expect(parseMemTotal("8222093312\n")).toBe(8222093312);
    for (const odd of ["", "0", "-1", "null", "8e99999", "lots"]) expect(parseMemTotal(odd), odd).toBeUndefined();
  });

  it("addresses from `ip -o -4 addr show`, without prefix length, once each", () => {
    const lines = [
      "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
      "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever",
      "4: eth0    inet 192.0.2.9/24 brd 192.0.2.255 scope global secondary eth0\\       valid_lft forever",
      "7: br-1    inet 999.0.0.1/24 scope global br-1",
      "garbage",
    ];
    expect(parseIpAddr(lines)).toEqual(["127.0.0.1", "192.0.2.2", "192.0.2.9"]);
  });

  it("local addresses from /proc/net/fib_trie: leaves with a /32 host LOCAL entry, not networks or broadcasts", () => {
    const trie = [
      "Main:",
      "  +-- 0.0.0.0/0 3 0 4",
      "     +-- 10.247.0.0/22 3 0 4",
      "        |-- 10.247.1.0",
      "           /24 link UNICAST",
      "        +-- 10.247.1.254/31 1 0 0",
      "           |-- 10.247.1.254",
      "              /32 host LOCAL",
      "           |-- 10.247.1.255",
      "              /32 link BROADCAST",
      "     +-- 127.0.0.0/8 2 0 2",
      "        +-- 127.0.0.0/31 1 0 0",
      "           |-- 127.0.0.0",
      "              /8 host LOCAL",
      "           |-- 127.0.0.1",
      "              /32 host LOCAL",
      "Local:",
      "           |-- 127.0.0.1",
      "              /32 host LOCAL",
    ];
    expect(parseFibTrie(trie)).toEqual(["10.247.1.254", "127.0.0.1"]);
  });

  it("the look's sections: interfaces sorted, addresses by ip or fib_trie, bridge netfilter; odd output is no look", () => {
    const engine = { interfaces: ["lo", "eth0"], addresses: ["127.0.0.1", "192.0.2.7"], bridgeNetfilter: "absent" };
    for (const addressListing of ["ip", "fib_trie"] as const) {
      expect(parseNetworkLook(lookOutput({ ...engine, addressListing }))).toEqual({
        interfaces: ["eth0", "lo"],
        addresses: ["127.0.0.1", "192.0.2.7"],
        bridgeNetfilter: "absent",
      });
    }
    expect(parseNetworkLook("== interfaces\nlo\n== bridge-nf-call-iptables\nmaybe\n== ip-addr\n")?.bridgeNetfilter).toBe("unknown");
    expect(parseNetworkLook("")).toBeUndefined();
    expect(parseNetworkLook("sh: exec format error")).toBeUndefined();
    expect(parseNetworkLook("== interfaces\nlo\n")).toBeUndefined();
  });

  it("the image to look with: the base image, else a lab image (the same one every time), never a pulled one", () => {
    const lab = ["docker-netlabs/web:aa", "docker-netlabs/client:bb", "<none>:<none>"];
    expect(lookImage(ok([...lab, BASE_IMAGE].join("\n")))).toBe(BASE_IMAGE);
    expect(lookImage(ok(lab.join("\n")))).toBe("docker-netlabs/client:bb");
    expect(lookImage(ok("<none>:<none>\n"))).toBeUndefined();
    expect(lookImage(ok(""))).toBeUndefined();
    expect(lookImage(failed("permission denied"))).toBeUndefined();
  });

  it("the look is a removed, unprivileged, read-only container in the engine's network namespace, never pulled", () => {
    const argv = networkLookArgs(BASE_IMAGE);
    const option = (name: string) => argv[argv.indexOf(name) + 1];
    expect(argv[0]).toBe("run");
    expect(argv).toContain("--rm");
    expect(argv).toContain("--read-only");
    expect([option("--pull"), option("--network"), option("--user"), option("--cap-drop"), option("--entrypoint")]).toEqual([
      "never",
      "host",
      "65534:65534",
      "ALL",
      "sh",
    ]);
    expect(argv.slice(-3)).toEqual([BASE_IMAGE, "-c", NETWORK_LOOK_SCRIPT]);
  });
});

describe("the look's script on a real kernel (this machine's own files, read with sh: no engine)", () => {
  const run = (env: NodeJS.ProcessEnv) => execFileSync("/bin/sh", ["-c", NETWORK_LOOK_SCRIPT], { env, timeout: 10_000 }).toString();

  it("is valid sh", () => {
    execFileSync("sh", ["-n"], { input: NETWORK_LOOK_SCRIPT });
  });

  it("lists the namespace's interfaces and addresses with ip, and with sh builtins alone (an image without ip)", () => {
    // Containers come and go on this machine (veths, bridges): what was there before and after bounds each listing.
    // `ip` itself where this machine has it (Node's own list leaves out interfaces that are down).
    const addressesHere = () => {
      try {
        return parseIpAddr(execFileSync("ip", ["-o", "-4", "addr", "show"], { timeout: 10_000, stdio: "pipe" }).toString().split("\n"));
      } catch {
        return undefined;
      }
    };
    const before = { interfaces: fs.readdirSync("/sys/class/net"), addresses: addressesHere() };
    const withIp = run({ PATH: process.env.PATH });
    const withoutIp = run({ PATH: "/nonexistent" });
    const after = { interfaces: fs.readdirSync("/sys/class/net"), addresses: addressesHere() };
    expect(withoutIp).toContain("== fib_trie");
    const within = (seen: string[] | undefined, key: "interfaces" | "addresses") => {
      const [was, is] = [before[key], after[key]];
      if (!was || !is) return; // no `ip` here to compare the addresses with
      for (const item of was.filter((name) => is.includes(name))) expect(seen, key).toContain(item);
      for (const item of seen ?? []) expect([...was, ...is], key).toContain(item);
    };
    for (const output of [withIp, withoutIp]) {
      const look = parseNetworkLook(output);
      within(look?.interfaces, "interfaces");
      within(look?.addresses, "addresses");
      expect(look?.addresses).toContain("127.0.0.1");
      expect(["0", "1", "absent"]).toContain(look?.bridgeNetfilter);
    }
  });
});

describe("facts from the commands' outputs", () => {
  const version = ok(JSON.stringify({ Version: "26.1.5", Os: "linux", Arch: "amd64", KernelVersion: "6.1.0-28-amd64" }));
  const images = ok(`${BASE_IMAGE}\ndocker-netlabs/router:0123456789abcdef\n`);

  it("an engine that does not answer: no version, nothing else asked, what the CLI said kept", () => {
    const facts = engineFacts({ version: failed("Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?") });
    expect(facts).toMatchObject({ dockerVersion: "none", platform: "none", images: [] });
    expect(facts.unanswered).toBe("Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?");
    expect(facts.interfaces).toBeUndefined();
  });

  it("without a look wanted: the engine's facts, its network unknown and unremarked", () => {
    const facts = engineFacts({ version, info: ok("4000000000\n"), images });
    expect(facts).toEqual({
      dockerVersion: "26.1.5",
      platform: "linux/amd64",
      kernel: "6.1.0-28-amd64",
      memoryBytes: 4000000000,
      images: ["docker-netlabs/router:0123456789abcdef"],
      bridgeNetfilter: "unknown",
    });
  });

  it("a look wanted but no image to look with, or a look that failed: the network unknown, saying why", () => {
    expect(engineFacts({ version, info: failed("x"), images: ok(""), lookWanted: true })).toMatchObject({
      networkUnknown: expect.stringMatching(/neither debian:bookworm-slim nor a docker-netlabs\/\* image .*nothing is pulled/),
    });
    const refused = engineFacts({
      version,
      images,
      look: failed("docker: Error response from daemon: no such image\nmore", 125),
      lookWanted: true,
    });
    expect(refused.interfaces).toBeUndefined();
    expect(refused.networkUnknown).toBe(
      "the look at the engine's network namespace failed: docker: Error response from daemon: no such image",
    );
  });

  it("the notes name what was not checked and why, only when something needed it", () => {
    const facts = engineFacts({ version, images: ok(""), lookWanted: true });
    expect(hostFactNotes("h", facts, { interfaces: ["eth1"], addresses: ["192.0.2.7"] })).toEqual([
      expect.stringMatching(
        /^host h: interfaces eth1 and addresses 192\.0\.2\.7 not checked ahead: the engine has neither .*load debian:bookworm-slim/,
      ),
    ]);
    expect(hostFactNotes("h", facts, { images: ["docker-netlabs/router:x"] })).toEqual([]);
    expect(hostFactNotes("h", { ...facts, interfaces: ["lo"] }, { interfaces: ["eth1"] })).toEqual([]);
  });
});

describe("a unix:// engine is asked for its own facts (a stand-in docker describes one in a VM)", () => {
  it("reads them through the exec target: -H, the queries, and the look only when wanted", async () => {
    await withStandInDocker(VM_ENGINE, (docker) => {
      const facts = readEngineFacts(LOCAL, { network: false });
      expect(facts).toMatchObject({
        dockerVersion: "27.3.1",
        platform: "linux/arm64",
        kernel: "6.10.14-linuxkit",
        memoryBytes: 8222093312,
      });
      expect(facts.images).toEqual(["docker-netlabs/router:0123456789abcdef"]);
      expect(facts.interfaces).toBeUndefined();
      expect(docker.calls()).toEqual(Object.values(ENGINE_QUERIES).map((args) => ["-H", UNIX, ...args]));

      const withNetwork = readEngineFacts(LOCAL, { network: true });
      expect(withNetwork.interfaces).toEqual(["eth0", "lo", VM_ONLY]);
      expect(withNetwork.addresses).toEqual(["127.0.0.1", "192.168.65.3"]);
      expect(docker.calls().at(-1)).toEqual(["-H", UNIX, ...networkLookArgs(BASE_IMAGE)]);
    });
  });

  it("an interface this machine lacks but the engine has passes; one the engine lacks fails, naming it and what it has", async () => {
    expect(thisMachine).not.toContain(VM_ONLY);
    await withStandInDocker(VM_ENGINE, () => {
      expect(checkEngine(UNIX, LOCAL, { interfaces: [VM_ONLY], addresses: ["192.168.65.3"], minDockerMajor: 20 })).toMatchObject({
        issues: [],
        notes: [],
      });
      // One this machine has if it can (it is not asked), else any other.
      const present = thisMachine.find((name) => !VM_ENGINE.interfaces!.includes(name)) ?? "eth7";
      expect(checkEngine(UNIX, LOCAL, { interfaces: [present], addresses: ["127.0.0.2"] }).issues).toEqual([
        { path: "interfaces", message: `host ${UNIX} has no interface "${present}" (it has eth0, lo, ${VM_ONLY})` },
        { path: "addresses", message: `host ${UNIX} holds no address 127.0.0.2 (it has 127.0.0.1, 192.168.65.3)` },
      ]);
    });
  });

  it("an engine without an image to look with: interfaces and addresses skipped with a note, no look, no pull", async () => {
    await withStandInDocker({ ...VM_ENGINE, images: [] }, (docker) => {
      const check = checkEngine(UNIX, LOCAL, { interfaces: ["eth9"] });
      expect(check.issues).toEqual([]);
      expect(check.notes).toEqual([expect.stringMatching(/^host unix:\/\/\/var\/run\/docker\.sock: interfaces eth9 not checked ahead/)]);
      expect(docker.calls().map((call) => call[2])).toEqual(["version", "info", "image"]);
    });
  });

  it("an engine that does not answer: one issue at dockerHost with what the CLI said, nothing else asked", async () => {
    await withStandInDocker({ answers: false }, (docker) => {
      expect(checkEngine(UNIX, LOCAL, { interfaces: ["eth9"], images: ["docker-netlabs/router:x"] }).issues).toEqual([
        {
          path: "dockerHost",
          message: `no Docker engine answers at ${UNIX}: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`,
        },
      ]);
      expect(docker.calls().length).toBe(1);
    });
  });

  it("an engine too old for the labs is named", async () => {
    await withStandInDocker({ ...VM_ENGINE, version: "19.03.15" }, () => {
      expect(checkEngine(UNIX, LOCAL, { images: [], interfaces: ["lo"], minDockerMajor: 20 }).issues).toEqual([
        { path: "dockerHost", message: `host ${UNIX} runs Docker 19.03.15; this lab needs 20 or later` },
      ]);
    });
  });
});

describe("a tcp:// engine is asked the same way, with its TLS files", () => {
  it("writes the TLS material where the CLI reads it, then runs every command with --tlsverify and those files", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-facts-home-"));
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    const url = "tcp://192.0.2.7:2376";
    try {
      await withStandInDocker(VM_ENGINE, (docker) => {
        const check = checkEngineAt(url, { interfaces: [VM_ONLY, "eth7"] }, { ca: "CA", cert: "CERT", key: "KEY" });
        expect(check.issues).toEqual([
          { path: "interfaces", message: `host ${url} has no interface "eth7" (it has eth0, lo, ${VM_ONLY})` },
        ]);
        const files = dockerTlsFiles(url);
        expect(fs.readFileSync(files.key, "utf8")).toBe("KEY\n");
        const tls = ["--tlsverify", "--tlscacert", files.ca, "--tlscert", files.cert, "--tlskey", files.key, "-H", url];
        for (const call of docker.calls()) expect(call.slice(0, tls.length)).toEqual(tls);
        expect(docker.calls().length).toBe(4);
      });
    } finally {
      process.env.HOME = savedHome;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("an ssh:// host's HostCheck reads the same facts with the same commands", () => {
  /** SshHost with its ssh2 exec replaced by a local shell: what runs "on the host" is the stand-in docker. */
  class ShellHost extends SshHost {
    constructor() {
      super({ host: "192.0.2.7", user: "lab", privateKey: "unused", hostKey: "ssh-ed25519 AAAA" });
    }
    async exec(command: string) {
      try {
        return { stdout: execFileSync("/bin/sh", ["-c", command], { timeout: 10_000, stdio: "pipe" }).toString(), stderr: "", code: 0 };
      } catch (error) {
        const failure = error as { status?: number; stdout?: Buffer; stderr?: Buffer };
        return { stdout: String(failure.stdout ?? ""), stderr: String(failure.stderr ?? ""), code: failure.status ?? 1 };
      }
    }
  }

  it("the commands the host runs are the local CLI's, word for word, and so are the facts", async () => {
    await withStandInDocker(VM_ENGINE, async (docker) => {
      const overSsh = await new ShellHost().facts();
      const sshCalls = docker.calls();
      const local = readEngineFacts(LOCAL, { network: true });
      const localCalls = docker.calls().slice(sshCalls.length);
      expect(overSsh).toEqual(local);
      expect(overSsh.interfaces).toContain(VM_ONLY);
      expect(localCalls.map((call) => call.slice(2))).toEqual(sshCalls);
    });
  });

  it("a host whose engine does not answer: dockerVersion none, as HostCheck reports it", async () => {
    await withStandInDocker({ answers: false }, async () => {
      expect(await new ShellHost().facts()).toMatchObject({ dockerVersion: "none", unanswered: expect.stringContaining("Cannot connect") });
    });
  });
});

describe("a stack checks its unix:// or tcp:// engine when it plans", () => {
  /** The stretch-a site on the local engine, its tunnel on `device` from `local`. */
  const stretchHalf = (device: string, local: string, extra: Record<string, unknown> = {}) => {
    const config = stackFileConfig("stretch-a");
    delete config.dockerHost;
    Object.assign(config.routedLab.segments[0].vxlan, { device, local });
    return { ...config, ...extra };
  };

  it("an engine in a VM: the tunnel on an interface and address only the engine holds is accepted", async () => {
    expect(thisMachine).not.toContain(VM_ONLY);
    const mocks = new RecordingMocks();
    await withStandInDocker(VM_ENGINE, () =>
      runProgram(mocks, () => buildStack(readStackConfig()), { config: stretchHalf(VM_ONLY, "192.168.65.3") }),
    );
    expect(mocks.named("routed-lab-tunnels").inputs.uploads[0].content).toContain(`local 192.168.65.3 dev '${VM_ONLY}'`);
  });

  it("an engine without an image to look with: the lab is declared, with a note naming what was not checked", async () => {
    const mocks = new RecordingMocks();
    const warned: string[] = [];
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warned.push(message));
    try {
      await withStandInDocker({ ...VM_ENGINE, images: [] }, () =>
        runProgram(mocks, () => buildStack(readStackConfig()), { config: stretchHalf("eth9", "198.51.100.21") }),
      );
    } finally {
      warn.mockRestore();
    }
    expect(mocks.named("routed-lab-tunnels")).toBeDefined();
    expect(warned).toEqual([
      `host ${UNIX}: interfaces eth9 and addresses 198.51.100.21 not checked ahead: the engine has neither debian:bookworm-slim nor a docker-netlabs/* image to look at its network namespace with (nothing is pulled for it). Docker refuses a missing macvlan parent when it creates the network; to have them checked before, load debian:bookworm-slim or a lab image there.`,
    ]);
  });

  it("an engine that does not answer: named at dockerHost, creating nothing", async () => {
    const mocks = new RecordingMocks();
    await withStandInDocker({ answers: false }, () =>
      expect(runProgram(mocks, () => buildStack(readStackConfig()), { config: stretchHalf("eth9", "198.51.100.21") })).rejects.toThrow(
        `docker-netlabs:dockerHost: no Docker engine answers at ${UNIX}: Cannot connect to the Docker daemon`,
      ),
    );
    expect(mocks.resources).toEqual([]);
  });

  it("a stack whose labs need nothing of the host asks the engine nothing", async () => {
    await withStandInDocker({ answers: false }, async (docker) => {
      await runProgram(new RecordingMocks(), () => buildStack(readStackConfig()), { config: { labs: ["routed-lan"] } });
      expect(docker.calls()).toEqual([]);
    });
  });

  it("a tcp:// engine (TLS): an interface it lacks is named at dockerHost, the material never shown", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-facts-home-"));
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    const url = "tcp://192.0.2.7:2376";
    const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(body).toString("base64")}\n-----END CERTIFICATE-----\n`;
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const tls = { dockerTlsCa: pem("test CA"), dockerTlsCert: pem("test client"), dockerTlsKey: key };
    const mocks = new RecordingMocks();
    try {
      const failure = await withStandInDocker(VM_ENGINE, (docker) =>
        runProgram(mocks, () => buildStack(readStackConfig()), {
          config: stretchHalf("eth9", "192.168.65.3", { dockerHost: url, ...tls }),
          secretKeys: Object.keys(tls),
        }).then(
          () => undefined,
          (error: Error) => {
            expect(docker.calls().every((call) => call.includes("--tlsverify"))).toBe(true);
            return error;
          },
        ),
      );
      expect(failure?.message).toContain(`docker-netlabs:dockerHost: host ${url} has no interface "eth9" (it has eth0, lo, ${VM_ONLY})`);
      for (const secret of Object.values(tls)) expect(failure?.message).not.toContain(secret.split("\n")[1]);
      expect(mocks.resources).toEqual([]);
    } finally {
      process.env.HOME = savedHome;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
