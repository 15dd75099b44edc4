/**
 * `npm run lab:capture` on real Docker (issue 23, proof 5): a stack with two OSPF routers (hellos
 * every second) is deployed; the script, given only the stack's file, plans it to find r1's
 * container and its interface on `core` (by segment name, and by kernel name), captures 3 s to a
 * file, and `tcpdump -r` (in the lab's router image: the machine has no tcpdump) reads OSPF hellos
 * from it. Ctrl-C (SIGINT) ends a capture cleanly: exit 0, a readable file, no capture container left.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { NODE_READY_PATH } from "../../components/routed-lab/node-init";
import { LOCAL_DOCKER, docker, execIn, run, waitFor } from "../support/docker-cli";
import { EmulatedHost, EmulatedHosts, startEmulatedHosts } from "../support/emulated-hosts";
import { DeployedStack, deployStack, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { DOCKER, EMULATED_HOSTS, SSHD, SSH_CLIENT, skipUnless } from "../support/requirements";
import { ensureLocalImage, stretchImages } from "../support/stretch-sites";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();
const ROOT = path.resolve(__dirname, "../..");
const OSPF = { area: "0.0.0.0", helloSeconds: 1, deadSeconds: 4 };

const CONFIG = {
  labs: ["routed-lab"],
  routedLab: {
    segments: [{ name: "core", subnet: "10.237.0.0/24" }],
    nodes: [
      { name: "r1", image: "router", router: true, ospf: OSPF, interfaces: [{ segment: "core", address: "10.237.0.1" }] },
      { name: "r2", image: "router", router: true, ospf: OSPF, interfaces: [{ segment: "core", address: "10.237.0.2" }] },
    ],
  },
};

describe.skipIf(skipReason)(`npm run lab:capture on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let deployed: DeployedStack | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-capture-"));
  const stackFile = path.join(dir, "Pulumi.capture.yaml");
  let routerImage = "";

  beforeAll(async () => {
    deployed = await deployStack(testRun, CONFIG);
    await waitForNodes([`${testRun.prefix}routed-lab-r1`, `${testRun.prefix}routed-lab-r2`]);
    routerImage = (await docker(LOCAL_DOCKER, ["inspect", "--format", "{{.Config.Image}}", `${testRun.prefix}routed-lab-r1`])).trim();
    const config = { ...CONFIG, namePrefix: testRun.prefix };
    fs.writeFileSync(
      stackFile,
      stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`docker-netlabs:${k}`, v])) }),
    );
  }, 300_000);

  afterAll(async () => {
    if (deployed) await deployed.mocks.destroyAll();
    await sweep(testRun);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  /** What `tcpdump -r` reads of a pcap file, run in the lab's router image. */
  async function readPcap(file: string): Promise<string> {
    const read = await run(
      "docker",
      ["run", "--rm", "-i", "--pull", "never", "--network", "none", "--entrypoint", "tcpdump", routerImage, "-n", "-r", "-"],
      {
        input: fs.readFileSync(file),
      },
    );
    expect(read.code, read.stderr).toBe(0);
    return read.stdout;
  }

  const captureArgs = (iface: string, file: string, more: string[] = []) => [
    "--import",
    "tsx",
    "scripts/lab-capture.ts",
    "r1",
    iface,
    "--stack",
    stackFile,
    "-w",
    file,
    ...more,
  ];
  const captureContainers = async () =>
    (await docker(LOCAL_DOCKER, ["ps", "-a", "--filter", "label=io.docker-netlabs.role=capture", "--format", "{{.Names}}"]))
      .split("\n")
      .filter((name) => name.startsWith(testRun.prefix));

  it("3 s of r1's interface on core (named by segment, then by kernel name): pcap that tcpdump -r reads, with OSPF hellos", async () => {
    const file = path.join(dir, "core.pcap");
    const started = Date.now();
    const captured = await run(process.execPath, captureArgs("core", file, ["--seconds", "3"]), { cwd: ROOT, timeoutMs: 60_000 });
    console.log(`[figure] lab:capture of 3 s took ${Date.now() - started} ms in all`);
    expect(captured.code, captured.stderr).toBe(0);
    expect(await readPcap(file)).toMatch(/10\.237\.0\.[12] > 224\.0\.0\.5: OSPFv2, Hello/);

    const device = (
      await docker(LOCAL_DOCKER, [
        "exec",
        `${testRun.prefix}routed-lab-r1`,
        "sh",
        "-c",
        "ip -o -4 addr show | awk '$4 ~ /^10.237.0.1\\// { print $2 }'",
      ])
    ).trim();
    const byName = path.join(dir, "by-name.pcap");
    const again = await run(process.execPath, captureArgs(device, byName, ["--seconds", "3"]), { cwd: ROOT, timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(await readPcap(byName)).toMatch(/OSPFv2, Hello/);
    expect(await captureContainers()).toEqual([]);
  }, 180_000);

  it("Ctrl-C stops it cleanly: exit 0, a readable file with hellos, the capture container removed", async () => {
    const file = path.join(dir, "interrupted.pcap");
    const child = spawn(process.execPath, captureArgs("core", file), { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const started = Date.now();
    // Start-up: until tcpdump has written the pcap header.
    while (Date.now() - started < 30_000 && !(fs.existsSync(file) && fs.statSync(file).size >= 24)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.log(`[figure] lab:capture start-up (to the pcap header): ${Date.now() - started} ms`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // What the terminal sends on Ctrl-C: SIGINT to the foreground group (the script and its docker client).
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    process.kill(-child.pid!, "SIGINT");
    expect(await exited, stderr).toBe(0);
    expect(await readPcap(file)).toMatch(/OSPFv2, Hello/);
    expect(await captureContainers()).toEqual([]);
  }, 120_000);
});

const sshSkip = skipUnless([DOCKER, SSHD, SSH_CLIENT, EMULATED_HOSTS]);
if (sshSkip && !skipReason) console.warn(`[skipped] lab:capture over ssh://: ${sshSkip}`);

/**
 * The same over ssh:// on an emulated host (test/support/emulated-hosts.ts: a dockerd of its own in
 * a network namespace of its own, reached through its sshd): the lab runs there, the capture
 * container starts there, and the script reaches it with the stack's sshOpts alone.
 */
describe.skipIf(sshSkip)(`npm run lab:capture over ssh:// on an emulated host${sshSkip ? ` (skipped: ${sshSkip})` : ""}`, () => {
  const sshRun = newTestRun();
  let emulated: EmulatedHosts | undefined;
  let host: EmulatedHost | undefined;
  let deployed: DeployedStack | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-capture-ssh-"));
  const stackFile = path.join(dir, "Pulumi.remote.yaml");

  beforeAll(async () => {
    emulated = await startEmulatedHosts(await stretchImages());
    host = emulated.hosts[0];
    const url = new URL(host.dockerHost);
    const known = url.port && url.port !== "22" ? `[${url.hostname}]:${url.port}` : url.hostname;
    fs.writeFileSync(path.join(dir, "key"), host.sshd.privateKey, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "known_hosts"), `${known} ${host.sshd.hostPublicKey}\n`, { mode: 0o600 });
    const sshOpts = ["-i", path.join(dir, "key"), "-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "IdentitiesOnly=yes"];
    // The emulated host has no egress: its lab images were loaded ahead (stretchImages).
    const config = { ...CONFIG, dockerHost: host.dockerHost, sshOpts, labImages: "preloaded" };
    deployed = await deployStack(sshRun, config);
    const target = host.target;
    const nodes = [`${sshRun.prefix}routed-lab-r1`, `${sshRun.prefix}routed-lab-r2`];
    const ready = await waitFor(
      async () => {
        for (const node of nodes) if ((await execIn(node, ["test", "-f", NODE_READY_PATH], 5_000, target)).code !== 0) return false;
        return true;
      },
      { timeoutMs: 90_000 },
    );
    expect(ready, "r1 and r2 ready on the emulated host").toBe(true);
    const values = { ...config, namePrefix: sshRun.prefix };
    fs.writeFileSync(
      stackFile,
      stringify({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`docker-netlabs:${k}`, v])) }),
    );
  }, 600_000);

  afterAll(async () => {
    if (deployed) await deployed.mocks.destroyAll();
    if (emulated) await emulated.stop();
    await sweep(sshRun);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  const captureLeft = async () =>
    (await docker(host!.target, ["ps", "-a", "--filter", "label=io.docker-netlabs.role=capture", "--format", "{{.Names}}"]))
      .split("\n")
      .filter((name) => name.startsWith(sshRun.prefix));

  it("3 s of r1's interface on core, over ssh: pcap with OSPF hellos; Ctrl-C there too leaves no capture container", async () => {
    // The lab's containers are on the emulated host's engine, not this one.
    const local = await docker(LOCAL_DOCKER, ["ps", "-a", "--filter", `name=${sshRun.prefix}routed-lab-r1`, "--format", "{{.Names}}"]);
    expect(local.trim()).toBe("");
    const file = path.join(dir, "remote.pcap");
    const started = Date.now();
    const captured = await run(
      process.execPath,
      ["--import", "tsx", "scripts/lab-capture.ts", "r1", "core", "--stack", stackFile, "-w", file, "--seconds", "3"],
      { cwd: ROOT, timeoutMs: 90_000 },
    );
    console.log(`[figure] lab:capture of 3 s over ssh:// on an emulated host took ${Date.now() - started} ms in all`);
    expect(captured.code, captured.stderr).toBe(0);
    const image = await ensureLocalImage("router");
    const read = await run(
      "docker",
      ["run", "--rm", "-i", "--pull", "never", "--network", "none", "--entrypoint", "tcpdump", image, "-n", "-r", "-"],
      { input: fs.readFileSync(file) },
    );
    expect(read.stdout).toMatch(/10\.237\.0\.[12] > 224\.0\.0\.5: OSPFv2, Hello/);

    const interrupted = path.join(dir, "interrupted.pcap");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/lab-capture.ts", "r1", "core", "--stack", stackFile, "-w", interrupted],
      { cwd: ROOT, stdio: "ignore", detached: true },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const begun = Date.now();
    while (Date.now() - begun < 30_000 && !(fs.existsSync(interrupted) && fs.statSync(interrupted).size >= 24)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.log(`[figure] lab:capture start-up over ssh:// on an emulated host (to the pcap header): ${Date.now() - begun} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    process.kill(-child.pid!, "SIGINT");
    expect(await exited).toBe(0);
    expect(await captureLeft()).toEqual([]);
  }, 240_000);
});
