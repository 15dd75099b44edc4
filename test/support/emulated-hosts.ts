/**
 * Docker hosts on one machine (two by default), for the tests of labs that span hosts. Each
 * emulated host is a network namespace with its own dockerd (own data root, exec root and socket;
 * its bridges, iptables and host-network containers live in that namespace) and its own OpenSSH
 * server in that namespace, whose sessions see the host's interfaces and its engine at
 * /var/run/docker.sock. The test reaches each server over a management veth pair (169.254.x.y,
 * link-local, on this machine only). The underlay "wire" between the hosts is a bridge in a
 * namespace of its own, with one veth to each host: one L2 segment that joins the emulated hosts
 * and nothing else (no uplink, no route out).
 *
 * The hosts have no registry and no egress: the images a lab needs are built on the local engine
 * and loaded into each. Everything is removed by `stop`, which ends only the processes it started.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DockerTarget, LOCAL_DOCKER, docker, run, waitFor } from "./docker-cli";
import { EMULATED_HOSTS } from "./requirements";
import { SshdFixture, startSshd } from "./sshd";

export interface EmulatedHost {
  /** "a", "b", "c", … */
  name: string;
  netns: string;
  /** The engine, for the test's own docker CLI calls. */
  target: DockerTarget;
  /** ssh://root@<management address>:22, for the site's stack config, with `sshd`'s keys. */
  dockerHost: string;
  sshd: SshdFixture;
  /** The host's underlay interface and address (10.77.0.<n>/24, n = 1 for host a; all hosts on one wire). */
  underlayDevice: string;
  underlayAddress: string;
  /** The host's end of its management link (sshd listens there). */
  managementDevice: string;
}

export interface EmulatedHosts {
  hosts: EmulatedHost[];
  /** Runs a command in a host's network namespace (the host's own `ip`, `iptables`). */
  inHost(host: EmulatedHost, argv: string[]): Promise<string>;
  /**
   * Restarts a host's dockerd (the one this fixture started, by its PID: SIGTERM, as a service
   * manager stops it, then the same command line) and resolves once the engine answers again,
   * with the time that took.
   */
  restartEngine(host: EmulatedHost): Promise<{ stoppedMs: number; answeringMs: number }>;
  stop(): Promise<void>;
}

const STATE_ROOT = "/var/lib/netlabs-emu";
const RUN_ROOT = "/run/netlabs-emu";

/** Why no emulated hosts can be started here (tests go through `skipUnless([EMULATED_HOSTS])`). */
export const emulatedHostsUnavailableReason = (): string | undefined => EMULATED_HOSTS.missing();

interface Daemon {
  child: ChildProcess;
  dataRoot: string;
  runDir: string;
  log: string;
}

/** Starts `count` emulated hosts (2 to 6) and loads `images` (built on the local engine) into each. */
export async function startEmulatedHosts(images: string[], count = 2): Promise<EmulatedHosts> {
  if (count < 2 || count > 6) throw new Error(`emulated hosts: ${count} asked, 2 to 6 supported`);
  const id = randomBytes(3).toString("hex");
  const names = ["a", "b", "c", "d", "e", "f"].slice(0, count);
  const wireNetns = `nle-${id}-wire`;
  const netnsOf = (name: string) => `nle-${id}-${name}`;
  const managementNet = `169.254.${64 + (parseInt(id.slice(0, 2), 16) % 128)}`;
  const daemons: Daemon[] = [];
  const sshds: SshdFixture[] = [];
  const created = { netns: [] as string[] };

  const stop = async () => {
    for (const sshd of sshds) await sshd.stop();
    for (const daemon of daemons) await stopDaemon(daemon);
    for (const netns of created.netns) await run("ip", ["netns", "delete", netns], { timeoutMs: 10_000 });
    for (const root of [STATE_ROOT, RUN_ROOT]) removeIfEmpty(root);
  };

  try {
    for (const name of names) {
      const netns = netnsOf(name);
      await must("ip", ["netns", "add", netns]);
      created.netns.push(netns);
      await must("ip", ["-n", netns, "link", "set", "lo", "up"]);
      daemons.push(startDaemon(`${id}-${name}`, netns));
    }
    // The underlay: a bridge in the wire's own namespace, a veth from it to each host, 10.77.0.<n>/24.
    await must("ip", ["netns", "add", wireNetns]);
    created.netns.push(wireNetns);
    await must("ip", ["-n", wireNetns, "link", "add", "wire", "type", "bridge"]);
    await must("ip", ["-n", wireNetns, "link", "set", "wire", "up"]);
    const ends = names.map((name) => `nlu${id}${name}`);
    for (const [i, name] of names.entries()) {
      await must("ip", ["link", "add", ends[i], "netns", netnsOf(name), "type", "veth", "peer", "name", `w${name}`, "netns", wireNetns]);
      await must("ip", ["-n", wireNetns, "link", "set", `w${name}`, "master", "wire", "up"]);
      await must("ip", ["-n", netnsOf(name), "addr", "add", `10.77.0.${i + 1}/24`, "dev", ends[i]]);
      await must("ip", ["-n", netnsOf(name), "link", "set", ends[i], "up"]);
    }

    const targets = daemons.map((daemon) => ({ host: `unix://${daemon.runDir}/docker.sock` }));
    for (const [i, target] of targets.entries()) {
      const up = await waitFor(async () => (await run("docker", ["-H", target.host, "info"], { timeoutMs: 5_000 })).code === 0, {
        timeoutMs: 30_000,
      });
      if (!up) throw new Error(`emulated host ${names[i]}: dockerd did not answer within 30 s: ${tail(daemons[i].log)}`);
    }
    await loadImages(images, targets, daemons[0].dataRoot);

    const hosts: EmulatedHost[] = [];
    for (const [i, name] of names.entries()) {
      // The management link: this machine at 169.254.N.(4i+1), the host's sshd at .(4i+2), with N
      // taken from the run's id so that two fixtures on one machine do not share addresses.
      const [outside, inside] = [`nlm${id}${name}`, `nlm${id}${name}h`];
      const [ours, theirs] = [`${managementNet}.${4 * i + 1}`, `${managementNet}.${4 * i + 2}`];
      await must("ip", ["link", "add", outside, "type", "veth", "peer", "name", inside, "netns", netnsOf(name)]);
      await must("ip", ["addr", "add", `${ours}/30`, "dev", outside]);
      await must("ip", ["link", "set", outside, "up"]);
      await must("ip", ["-n", netnsOf(name), "addr", "add", `${theirs}/30`, "dev", inside]);
      await must("ip", ["-n", netnsOf(name), "link", "set", inside, "up"]);
      const sshd = await startSshd({ dockerSocket: `${daemons[i].runDir}/docker.sock`, netns: netnsOf(name), listenAddress: theirs });
      sshds.push(sshd);
      hosts.push({
        name,
        netns: netnsOf(name),
        target: targets[i],
        dockerHost: `ssh://root@${theirs}:${sshd.port}`,
        sshd,
        underlayDevice: ends[i],
        underlayAddress: `10.77.0.${i + 1}`,
        managementDevice: inside,
      });
    }
    const restartEngine = async (host: EmulatedHost) => {
      const i = hosts.indexOf(host);
      const started = Date.now();
      await stopProcess(daemons[i].child);
      const stoppedMs = Date.now() - started;
      daemons[i] = startDaemon(`${id}-${host.name}`, host.netns);
      const up = await waitFor(async () => (await run("docker", ["-H", host.target.host, "info"], { timeoutMs: 5_000 })).code === 0, {
        timeoutMs: 60_000,
      });
      if (!up) throw new Error(`emulated host ${host.name}: dockerd did not answer within 60 s of its restart: ${tail(daemons[i].log)}`);
      return { stoppedMs, answeringMs: Date.now() - started - stoppedMs };
    };
    return { hosts, stop, restartEngine, inHost: (host, argv) => must("ip", ["netns", "exec", host.netns, ...argv]) };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startDaemon(key: string, netns: string): Daemon {
  const dataRoot = path.join(STATE_ROOT, key);
  const runDir = path.join(RUN_ROOT, key);
  fs.mkdirSync(dataRoot, { recursive: true });
  fs.mkdirSync(runDir, { recursive: true });
  const log = path.join(runDir, "dockerd.log");
  // Only the network namespace is the host's own; the mount namespace stays shared so that the
  // daemon sees the machine's cgroup hierarchy (a fresh /sys, as `ip netns exec` mounts, hides it).
  const child = spawn(
    "nsenter",
    [
      `--net=/run/netns/${netns}`,
      "dockerd",
      "--data-root",
      dataRoot,
      "--exec-root",
      path.join(runDir, "exec"),
      "--pidfile",
      path.join(runDir, "dockerd.pid"),
      "--host",
      `unix://${runDir}/docker.sock`,
      "--bridge",
      "none",
    ],
    { stdio: ["ignore", fs.openSync(log, "a"), fs.openSync(log, "a")] },
  );
  return { child, dataRoot, runDir, log };
}

/** Ends a process this fixture started: SIGTERM, SIGKILL after 30 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = new Promise((resolve) => setTimeout(() => resolve("timeout"), 30_000));
  if ((await Promise.race([exited, timer])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Stops the daemon we started (by its PID), then removes its mounts, files and state. */
async function stopDaemon(daemon: Daemon): Promise<void> {
  await stopProcess(daemon.child);
  // dockerd leaves its namespace handle mounted under the exec root; unmount deepest first.
  const mounts = fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1])
    .filter((point) => point && (point.startsWith(daemon.runDir + "/") || point.startsWith(daemon.dataRoot + "/")))
    .sort((x, y) => y.length - x.length);
  for (const point of mounts) await run("umount", ["-l", point], { timeoutMs: 10_000 });
  fs.rmSync(daemon.dataRoot, { recursive: true, force: true });
  fs.rmSync(daemon.runDir, { recursive: true, force: true });
}

/** Saves the images from the local engine once and loads them into every host. */
async function loadImages(images: string[], targets: DockerTarget[], scratchDir: string): Promise<void> {
  const archive = path.join(scratchDir, "images.tar");
  try {
    await docker(LOCAL_DOCKER, ["save", "--output", archive, ...images], { timeoutMs: 5 * 60_000 });
    await Promise.all(targets.map((target) => docker(target, ["load", "--quiet", "--input", archive], { timeoutMs: 5 * 60_000 })));
  } finally {
    fs.rmSync(archive, { force: true });
  }
}

function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // Not empty (another run's host is up) or already gone.
  }
}

async function must(file: string, args: string[]): Promise<string> {
  const result = await run(file, args, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${file} ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-10).join("\n");
  } catch {
    return "(no log)";
  }
}
