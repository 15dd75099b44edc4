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
import { LOCAL_DOCKER, docker, run } from "../support/docker-cli";
import { DeployedStack, deployStack, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { DOCKER, SSHD, SSH_CLIENT, skipUnless } from "../support/requirements";
import { SshdFixture, startSshd } from "../support/sshd";

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

const sshSkip = skipUnless([DOCKER, SSHD, SSH_CLIENT]);
if (sshSkip && !skipReason) console.warn(`[skipped] lab:capture over ssh://: ${sshSkip}`);

/**
 * The same over ssh://: the stack's dockerHost is an sshd (test/support/sshd.ts) whose sessions see
 * the engine's socket as another host's, reached with the stack's sshOpts alone, as the provider
 * reaches it. (Not an emulated host with its own dockerd: the lab runs on this engine.)
 */
describe.skipIf(sshSkip)(`npm run lab:capture over ssh://${sshSkip ? ` (skipped: ${sshSkip})` : ""}`, () => {
  const sshRun = newTestRun();
  let sshd: SshdFixture | undefined;
  let deployed: DeployedStack | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-capture-ssh-"));
  let config: Record<string, unknown> = {};

  beforeAll(async () => {
    sshd = await startSshd();
    fs.writeFileSync(path.join(dir, "key"), sshd.privateKey, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "known_hosts"), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`, { mode: 0o600 });
    const sshOpts = ["-i", path.join(dir, "key"), "-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "IdentitiesOnly=yes"];
    config = { ...CONFIG, dockerHost: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`, sshOpts };
    deployed = await deployStack(sshRun, config);
    await waitForNodes([`${sshRun.prefix}routed-lab-r1`, `${sshRun.prefix}routed-lab-r2`]);
  }, 300_000);

  afterAll(async () => {
    if (deployed) await deployed.mocks.destroyAll();
    await sweep(sshRun);
    if (sshd) await sshd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it("3 s of r1's interface on core, over ssh: pcap with OSPF hellos; Ctrl-C there too leaves no capture container", async () => {
    const stackFile = path.join(dir, "Pulumi.remote.yaml");
    const values = { ...config, namePrefix: sshRun.prefix };
    fs.writeFileSync(
      stackFile,
      stringify({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`docker-netlabs:${k}`, v])) }),
    );
    const file = path.join(dir, "remote.pcap");
    const captured = await run(
      process.execPath,
      ["--import", "tsx", "scripts/lab-capture.ts", "r1", "core", "--stack", stackFile, "-w", file, "--seconds", "3"],
      {
        cwd: ROOT,
        timeoutMs: 60_000,
      },
    );
    expect(captured.code, captured.stderr).toBe(0);
    const image = (await docker(LOCAL_DOCKER, ["inspect", "--format", "{{.Config.Image}}", `${sshRun.prefix}routed-lab-r1`])).trim();
    const read = await run(
      "docker",
      ["run", "--rm", "-i", "--pull", "never", "--network", "none", "--entrypoint", "tcpdump", image, "-n", "-r", "-"],
      {
        input: fs.readFileSync(file),
      },
    );
    expect(read.stdout).toMatch(/OSPFv2, Hello/);

    const interrupted = path.join(dir, "interrupted.pcap");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/lab-capture.ts", "r1", "core", "--stack", stackFile, "-w", interrupted],
      {
        cwd: ROOT,
        stdio: "ignore",
        detached: true,
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const started = Date.now();
    while (Date.now() - started < 30_000 && !(fs.existsSync(interrupted) && fs.statSync(interrupted).size >= 24)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.log(`[figure] lab:capture start-up over ssh:// (to the pcap header): ${Date.now() - started} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    process.kill(-child.pid!, "SIGINT");
    expect(await exited).toBe(0);
    const left = await docker(LOCAL_DOCKER, ["ps", "-a", "--filter", "label=io.docker-netlabs.role=capture", "--format", "{{.Names}}"]);
    expect(left.split("\n").filter((name) => name.startsWith(sshRun.prefix))).toEqual([]);
  }, 180_000);
});
