/**
 * The docker CLI as the e2e tier uses it: every call bounded by a timeout, failures carrying the
 * command and its stderr. Also the probes that run inside lab containers.
 */
import { execFile, execFileSync } from "node:child_process";

export interface DockerTarget {
  /** DOCKER_HOST form: unix:///var/run/docker.sock, ssh://user@host:port, tcp://host:port. */
  host: string;
}

export const LOCAL_DOCKER: DockerTarget = { host: process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock" };

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a program with a timeout; resolves with its exit code instead of throwing. */
export function run(
  file: string,
  args: string[],
  options: { input?: Buffer | string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
        cwd: options.cwd,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as any).code === "number" ? (error as any).code : -1) : 0;
        resolve({ stdout: stdout.toString(), stderr: stderr.toString() + (error && code === -1 ? String(error) : ""), code });
      },
    );
    if (options.input !== undefined) {
      // A program that exits without reading its input closes the pipe: EPIPE is then no error of
      // ours (its exit code says how it went), and unhandled it would end the test process.
      child.stdin!.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
      });
      child.stdin!.end(options.input);
    }
  });
}

/** Runs `docker -H <host> ...args`, throwing with the command line and stderr on failure. */
export async function docker(
  target: DockerTarget,
  args: string[],
  options: { input?: Buffer | string; timeoutMs?: number } = {},
): Promise<string> {
  const result = await run("docker", ["-H", target.host, ...args], {
    ...options,
    env: { ...process.env, DOCKER_BUILDKIT: "0", DOCKER_CLI_HINTS: "false" },
  });
  if (result.code !== 0) {
    throw new Error(`docker ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** Runs a command inside a container, bounded; resolves with its exit code and output. */
export function execIn(container: string, command: string[], timeoutMs = 15_000, target = LOCAL_DOCKER): Promise<RunResult> {
  return run("docker", ["-H", target.host, "exec", container, ...command], { timeoutMs });
}

/** Polls `check` until it returns a value or the deadline passes; returns undefined on timeout. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  { timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Why the e2e tier cannot run here (no engine, or no base image), or undefined when it can. Whether
 * that skips or fails the test is test/support/requirements.ts's `skipUnless` to say.
 */
export function dockerUnavailableReason(): string | undefined {
  try {
    execFileSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "pipe", timeout: 15_000 });
  } catch {
    return "no Docker engine answers (run scripts/prepare-machine.sh)";
  }
  try {
    execFileSync("docker", ["image", "inspect", "debian:bookworm-slim"], { stdio: "pipe", timeout: 15_000 });
  } catch {
    return "the base image debian:bookworm-slim is not in the local engine (run scripts/prepare-machine.sh)";
  }
  return undefined;
}
