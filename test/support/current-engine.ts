/**
 * A current Docker engine (Debian sid's docker.io, 28.x, from `scripts/current-engine.sh install`)
 * for a test: its own network namespace, data root, run dir and socket, its root the engine tree
 * through pivot_root (the script's header says why not chroot). The machine's engine is only read
 * from (`docker save` of the images the test loads). `stop` ends only the engine it started, by its
 * PID, with whatever is left in that engine's mount namespace, and removes its data and netns.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DockerTarget, LOCAL_DOCKER, RunResult, run } from "./docker-cli";
import { CURRENT_ENGINE } from "./requirements";

export const CURRENT_ENGINE_SCRIPT = path.resolve(__dirname, "..", "..", "scripts", "current-engine.sh");
export { CURRENT_ENGINE_TREE } from "./requirements";

export interface CurrentEngine {
  /** The engine's name in the script (`--name`), also its label io.docker-netlabs.engine. */
  name: string;
  /** Its network namespace (`ip netns`), made by `startCurrentEngine` and deleted by `stop`. */
  netns: string;
  /** unix:///run/docker-netlabs-engine-<name>/docker.sock */
  target: DockerTarget;
  /** dockerd's PID (in this machine's PID namespace). */
  pid: number;
  /** How long `current-engine.sh start` took until the engine answered, in ms (images not included). */
  startMs: number;
  /** Runs a program of this machine (iptables, ip) in the engine's network namespace. */
  inNetns(argv: string[], timeoutMs?: number): Promise<RunResult>;
  stop(): Promise<void>;
}

/** Why no current engine can be started here (tests go through `skipUnless([CURRENT_ENGINE])`). */
export const currentEngineUnavailableReason = (): string | undefined => CURRENT_ENGINE.missing();

export interface StartOptions {
  /** Images to copy from the machine's engine (`docker save | docker load`), e.g. debian:bookworm-slim. */
  images?: string[];
  /** Extra dockerd arguments (after the script's own). */
  dockerdArgs?: string[];
  /**
   * "chroot" starts the engine the unsound way (see scripts/current-engine.sh), only as a negative
   * control that shows a test can tell the difference.
   */
  root?: "pivot_root" | "chroot";
}

/** Starts a current engine in a network namespace of its own and loads `images` into it. */
export async function startCurrentEngine(options: StartOptions = {}): Promise<CurrentEngine> {
  const id = randomBytes(3).toString("hex");
  const name = `t-${id}`;
  const netns = `nlce-${id}`;
  let netnsMade = false;
  let started = false;

  const stop = async () => {
    if (started) {
      const result = await run(CURRENT_ENGINE_SCRIPT, ["stop", "--name", name, "--purge"], { timeoutMs: 90_000 });
      if (result.code !== 0) throw new Error(`current engine ${name}: stop failed: ${result.stderr.trim()}`);
      started = false;
    }
    if (netnsMade) {
      await run("ip", ["netns", "delete", netns], { timeoutMs: 10_000 });
      netnsMade = false;
    }
  };

  try {
    await must("ip", ["netns", "add", netns]);
    netnsMade = true;
    await must("ip", ["-n", netns, "link", "set", "lo", "up"]);
    const env = { ...process.env, NETLABS_ENGINE_ROOT: options.root ?? "pivot_root" };
    started = true; // from here on, stop() must run the script's stop (it is a no-op if nothing started)
    const t0 = Date.now();
    const result = await run(CURRENT_ENGINE_SCRIPT, ["start", "--name", name, "--netns", netns, "--", ...(options.dockerdArgs ?? [])], {
      timeoutMs: 90_000,
      env,
    });
    if (result.code !== 0) throw new Error(`current engine ${name}: start failed (exit ${result.code}): ${result.stderr.trim()}`);
    const startMs = Date.now() - t0;
    const runDir = `/run/docker-netlabs-engine-${name}`;
    const pid = Number(fs.readFileSync(path.join(runDir, "engine.pid"), "utf8").trim());
    const target = { host: `unix://${runDir}/docker.sock` };
    if (options.images?.length) await copyImages(options.images, LOCAL_DOCKER, target);
    return {
      name,
      netns,
      target,
      pid,
      startMs,
      inNetns: (argv, timeoutMs = 30_000) => run("nsenter", [`--net=/run/netns/${netns}`, "--", ...argv], { timeoutMs }),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** `docker save` on one engine piped into `docker load` on another, bounded. */
export function copyImages(images: string[], from: DockerTarget, to: DockerTarget, timeoutMs = 5 * 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const save = spawn("docker", ["-H", from.host, "save", ...images], { stdio: ["ignore", "pipe", "pipe"] });
    const load = spawn("docker", ["-H", to.host, "load", "--quiet"], { stdio: ["pipe", "ignore", "pipe"] });
    save.stdout.pipe(load.stdin);
    let stderr = "";
    save.stderr.on("data", (chunk) => (stderr += chunk));
    load.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      save.kill("SIGKILL");
      load.kill("SIGKILL");
    }, timeoutMs);
    let saveCode: number | null = null;
    save.on("exit", (code) => (saveCode = code));
    load.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0 && saveCode === 0) resolve();
      else reject(new Error(`copying ${images.join(" ")} to ${to.host} failed (save ${saveCode}, load ${code}): ${stderr.trim()}`));
    });
  });
}

/**
 * For a fixture that keeps dockerd as its own child process (test/support/emulated-hosts.ts):
 * the command that becomes the current engine's dockerd in `netns`, in the foreground, and the
 * paths it uses. Signal the child (it is dockerd: the script execs into it) to stop it, then run
 * `stopArgv` (ends what is left in the engine's mount namespace; with --purge, its data root).
 */
export function currentEngineCommand(name: string, netns: string, dockerdArgs: string[] = []) {
  const runDir = `/run/docker-netlabs-engine-${name}`;
  return {
    file: CURRENT_ENGINE_SCRIPT,
    args: ["run", "--name", name, "--netns", netns, "--", ...dockerdArgs],
    stopArgv: [CURRENT_ENGINE_SCRIPT, "stop", "--name", name, "--purge"],
    socket: `${runDir}/docker.sock`,
    runDir,
    dataRoot: `/var/lib/docker-netlabs/engine-data/${name}`,
  };
}

async function must(file: string, args: string[]): Promise<string> {
  const result = await run(file, args, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${file} ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}
