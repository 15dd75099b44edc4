/**
 * LabProbe: a dynamic resource that, once a lab is up, runs its checks on the lab's host (reach
 * an address, fetch a URL, a router's FRR state such as its BGP sessions Established, a file such
 * as a DHCP lease present) and exports the results; `failOnError` makes `pulumi up` fail when a
 * check fails. The probe knows no protocol: a protocol's checks are data its module builds
 * (components/protocols), a JSON show command and what to count in its answer.
 *
 * The provider below runs in Pulumi's dynamic-provider host, which loads only node_modules: what it
 * uses of this program is pure functions (host/host-exec.ts's sshFailure), which Pulumi serializes
 * with it; node builtins are required inside the functions. Checks run `docker exec` in the lab's
 * containers with the local `docker` CLI, or for an ssh:// host through the local `ssh` binary with
 * the Docker provider's own ssh options (see host/host-exec.ts): the argv up to the remote command
 * is built here, in the program, and travels as an input.
 *
 * The engine calls more than `create`: `diff` reports a change when the checks, their settings or
 * the ids of the lab's containers change (a container replaced under the same name has a new id),
 * `update` runs the checks again and returns every output, `read` (refresh) keeps the outputs
 * without running anything.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../declare/dynamic-providers";
import type { HostConnection } from "../host/docker-host";
import { dockerExecTarget, execTargetOf, remoteDockerArgv, sshFailure, sshLabel, sshPrefix } from "../host/host-exec";

export type ProbeCheck =
  | { kind: "fetch"; name: string; from: string; url: string; expect?: string }
  | { kind: "reach"; name: string; from: string; address: string }
  | VtyshCountCheck
  /** The router's kernel holds a route for each prefix (IPv6 ones when `family` is 6); with `absent`, for none of them. */
  | { kind: "routes"; name: string; router: string; prefixes: string[]; family?: number; absent?: boolean }
  /** A file present and not empty; its content is reported only with `show` (never for secrets). */
  | { kind: "file"; name: string; container: string; path: string; show?: boolean };

/**
 * A count in a router's FRR state: `vtysh -c <command>` (a JSON show command) in the router; the
 * entries at `path` in its answer (a key, or `*` for every item or value there: `["areas", "*",
 * "circuits"]`), each an array's items or an object's values, a list among them flattened; each
 * entry's state, the first of `stateFields` it has; passes when at least `want` states match
 * `upPattern` (a regular expression). Its detail: "<router>: <up> of <want> <counted>",
 * followed by the states seen when `showStates`.
 */
export interface VtyshCountCheck {
  kind: "vtysh-count";
  name: string;
  router: string;
  command: string;
  path: string[];
  stateFields: string[];
  upPattern: string;
  want: number;
  counted: string;
  showStates?: boolean;
}

export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface LabProbeArgs {
  /** The lab's Docker host, as DockerHost reaches it: the local `docker` CLI, or `ssh` with the provider's options. */
  host: HostConnection;
  /**
   * The ids of the containers the checks depend on (containerIdsOf): when one is replaced, even under
   * the same name, the probe runs again.
   */
  containerIds?: pulumi.Input<pulumi.Input<string>[]>;
  checks: ProbeCheck[];
  /** How long each check may keep retrying before it counts as failed. */
  timeoutSeconds?: number;
  failOnError?: boolean;
}

/** How the provider reaches an ssh:// host: the ssh argv up to the remote command, and its name for errors. */
export interface ProbeSshInputs {
  label: string;
  argv: string[];
}

export interface ProbeInputs {
  dockerHost: string;
  ssh?: ProbeSshInputs;
  containerIds: string[];
  checks: ProbeCheck[];
  timeoutSeconds: number;
  failOnError: boolean;
}

export interface ProbeOutputs extends ProbeInputs {
  results: ProbeResult[];
  passed: number;
  failed: number;
}

/** One command's bound: a check that hangs counts as a failed attempt after this long. */
const COMMAND_TIMEOUT_MS = 20_000;

interface ExecResult {
  code: number;
  stdout: string;
  /** Set when ssh itself failed (exit 255): which step, in words chosen here, never ssh's own text. */
  sshError?: { message: string; retry: boolean };
}

/** At most this much of a command's output is kept. */
const OUTPUT_LIMIT = 1 << 20;

/** Runs `file` with a bound on its time and output; resolves with its exit code (124: timed out, 127: not run). */
function spawnBounded(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; spawnError?: string }> {
  return new Promise((resolve) => {
    const { spawn } = require("node:child_process");
    let stdout = "";
    let stderr = "";
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    const finish = (code: number, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      resolve({ code, stdout, stderr, spawnError });
    };
    timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(124);
    }, COMMAND_TIMEOUT_MS);
    child.stdout.on("data", (d: Buffer) => (stdout = (stdout + d.toString()).slice(0, OUTPUT_LIMIT)));
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(0, OUTPUT_LIMIT)));
    child.on("error", (error: NodeJS.ErrnoException) => finish(127, error.code ?? "spawn failed"));
    child.on("close", (code: number | null) => finish(code ?? 1));
    // A ControlPersist master (from the user's ssh options) may keep the pipes open after ssh exits.
    child.on("exit", (code: number | null) => (grace = setTimeout(() => finish(code ?? 1), 1000)));
  });
}

/** Runs `docker <argv>` for the lab's host: the local CLI, or over ssh with ssh's own failures named by step. */
async function dockerOnHost(inputs: ProbeInputs, argv: string[]): Promise<ExecResult> {
  if (!inputs.ssh) {
    // The local CLI, with a tcp:// engine's TLS files (host-exec.ts), as readiness and the lease run it.
    const [file, ...args] = remoteDockerArgv(dockerExecTarget(inputs.dockerHost), argv);
    const r = await spawnBounded(file, args);
    return { code: r.code, stdout: r.stdout };
  }
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const { label, argv: sshArgv } = inputs.ssh;
  const [file, ...prefix] = sshArgv;
  const r = await spawnBounded(file, [...prefix, ...["docker", ...argv].map(quote)]);
  const fail = (step: string, retry: boolean) => ({ code: r.code, stdout: "", sshError: { message: `ssh ${label}: ${step}`, retry } });
  if (r.spawnError) return fail(`exec: the ssh command could not be run (${r.spawnError})`, false);
  if (r.code === 124) return fail(`exec: no answer within ${COMMAND_TIMEOUT_MS / 1000} s`, true);
  // ssh's own failures, named by step (host-exec.ts); a remote exit of 255 is the command's.
  const failure = sshFailure(r.code, r.stderr);
  return failure ? fail(failure.step, failure.retry) : { code: r.code, stdout: r.stdout };
}

/** What a check runs on the lab's host. */
function checkArgv(check: ProbeCheck): string[] {
  switch (check.kind) {
    case "fetch":
      return ["exec", check.from, "curl", "-sf", "--max-time", "3", check.url];
    case "reach":
      return ["exec", check.from, "ping", "-c", "1", "-W", "2", check.address];
    case "vtysh-count":
      return ["exec", check.router, "vtysh", "-c", check.command];
    case "routes":
      return ["exec", check.router, "ip", check.family === 6 ? "-6" : "-4", "route", "show"];
    case "file":
      return ["exec", check.container, "cat", check.path];
  }
}

/** Whether a check's command showed what it checks, and the detail to report. */
function judge(check: ProbeCheck, r: ExecResult): { ok: boolean; detail: string } {
  switch (check.kind) {
    case "fetch": {
      const ok = r.code === 0 && (check.expect === undefined || r.stdout.includes(check.expect));
      return { ok, detail: ok ? `${check.from} fetched ${check.url}` : `${check.from} could not fetch ${check.url} (exit ${r.code})` };
    }
    case "reach":
      return { ok: r.code === 0, detail: `${check.from} ${r.code === 0 ? "reaches" : "does not reach"} ${check.address}` };
    case "vtysh-count":
      return judgeCount(check, r.stdout);
    case "routes": {
      const held = new Set(r.stdout.split("\n").flatMap((line) => heldPrefixes(line, check.family === 6)));
      if (check.absent) {
        const present = check.prefixes.filter((prefix) => held.has(prefix));
        return {
          ok: r.code === 0 && present.length === 0,
          detail:
            present.length === 0
              ? `${check.router} has no route to ${check.prefixes.join(", ")}`
              : `${check.router} has a route to ${present.join(", ")}, which its lab's policies filter`,
        };
      }
      const missing = check.prefixes.filter((prefix) => !held.has(prefix));
      return {
        ok: r.code === 0 && missing.length === 0,
        detail:
          missing.length === 0
            ? `${check.router} has a route to ${check.prefixes.join(", ")}`
            : `${check.router} has no route to ${missing.join(", ")}`,
      };
    }
    case "file": {
      const content = r.stdout.trim();
      const detail =
        content === "" ? `${check.path} is missing or empty` : check.show ? `${check.path}: ${content}` : `${check.path} is present`;
      return { ok: r.code === 0 && content !== "", detail };
    }
  }
}

/**
 * The destination of a line of `ip route show`, as written and as a CIDR: a blackhole route's after
 * its type, the default as 0.0.0.0/0 (::/0), a host route with its /32 (/128).
 */
function heldPrefixes(line: string, ipv6: boolean): string[] {
  const words = line.trim().split(/\s+/);
  const destination = ["blackhole", "unreachable", "prohibit", "throw"].includes(words[0]) ? words[1] : words[0];
  if (destination === undefined) return [];
  if (destination === "default") return [destination, ipv6 ? "::/0" : "0.0.0.0/0"];
  return destination.includes("/") || destination === "" ? [words[0], destination] : [words[0], `${destination}/${ipv6 ? 128 : 32}`];
}

/** A vtysh-count check on its command's answer; an answer that is not JSON (a daemon not running) counts nothing. */
function judgeCount(check: VtyshCountCheck, stdout: string): { ok: boolean; detail: string } {
  let states: string[] = [];
  try {
    const members = (value: unknown): unknown[] =>
      Array.isArray(value) ? value : value !== null && typeof value === "object" ? Object.values(value) : [];
    let found: unknown[] = [JSON.parse(stdout)];
    for (const key of check.path) {
      found =
        key === "*"
          ? found.flatMap(members)
          : found.map((value) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined));
    }
    states = found
      .flatMap(members)
      .flatMap((entry) => (Array.isArray(entry) ? entry : [entry]))
      .map((entry) => {
        const fields = (entry ?? {}) as Record<string, unknown>;
        const field = check.stateFields.find((name) => fields[name] !== undefined && fields[name] !== null);
        return field === undefined ? "" : String(fields[field]);
      });
  } catch {
    states = [];
  }
  const pattern = new RegExp(check.upPattern);
  const up = states.filter((state) => pattern.test(state)).length;
  const seen = check.showStates && states.length > 0 ? ` (${states.join(", ")})` : "";
  return { ok: up >= check.want, detail: `${check.router}: ${up} of ${check.want} ${check.counted}${seen}` };
}

/** Runs a check once; `final` when retrying cannot help (ssh cannot even be run). */
async function checkOnce(inputs: ProbeInputs, check: ProbeCheck): Promise<{ ok: boolean; detail: string; final?: boolean }> {
  const r = await dockerOnHost(inputs, checkArgv(check));
  return r.sshError ? { ok: false, detail: r.sshError.message, final: !r.sshError.retry } : judge(check, r);
}

/** Runs every check, retrying each until it passes or its time is up. */
async function runChecks(inputs: ProbeInputs): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const check of inputs.checks) {
    const started = Date.now();
    let outcome = await checkOnce(inputs, check);
    while (!outcome.ok && !outcome.final && Date.now() - started < inputs.timeoutSeconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      outcome = await checkOnce(inputs, check);
    }
    results.push({ name: check.name, ok: outcome.ok, detail: outcome.detail, ms: Date.now() - started });
  }
  return results;
}

async function probe(inputs: ProbeInputs): Promise<ProbeOutputs> {
  const results = await runChecks(inputs);
  const failed = results.filter((r) => !r.ok);
  if (inputs.failOnError && failed.length > 0) {
    throw new Error(`lab probe: ${failed.length} of ${results.length} checks failed: ${failed.map((r) => r.detail).join("; ")}`);
  }
  return { ...inputs, results, passed: results.length - failed.length, failed: failed.length };
}

/** The inputs whose change means the results may no longer hold. The ssh argv is not one: a new key file is the same host. */
const PROBE_DIFF_KEYS = ["dockerHost", "checks", "timeoutSeconds", "failOnError", "containerIds"] as const;

export const probeProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ProbeInputs) {
    return { id: `probe-${Date.now().toString(36)}`, outs: await probe(inputs) };
  },
  async diff(_id: string, olds: ProbeOutputs, news: ProbeInputs) {
    // Unknown ids (a container being replaced, at preview) differ from any known ones: a change.
    return { changes: PROBE_DIFF_KEYS.some((key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null)) };
  },
  async update(_id: string, _olds: ProbeOutputs, news: ProbeInputs) {
    // What update returns is the new state: every output, not only the results.
    return { outs: await probe(news) };
  },
  async read(id: string, props?: ProbeOutputs) {
    // Refresh: the results are those of the last run; nothing on the host is a probe to read back.
    return { id, props };
  },
};

export class LabProbe extends DynamicResource {
  declare readonly results: pulumi.Output<ProbeResult[]>;
  declare readonly passed: pulumi.Output<number>;
  declare readonly failed: pulumi.Output<number>;
  declare readonly containerIds: pulumi.Output<string[]>;

  constructor(name: string, args: LabProbeArgs, opts?: pulumi.CustomResourceOptions) {
    const ssh = pulumi.output(args.host.exec).apply((exec) => {
      const target = execTargetOf(exec);
      return target.kind === "ssh" ? { label: sshLabel(target), argv: sshPrefix(target) } : undefined;
    });
    super(
      "LabProbe",
      name,
      {
        dockerHost: args.host.url,
        ssh,
        containerIds: args.containerIds ?? [],
        checks: args.checks,
        timeoutSeconds: args.timeoutSeconds ?? 30,
        failOnError: args.failOnError ?? false,
        results: undefined,
        passed: undefined,
        failed: undefined,
      },
      opts,
    );
  }
}

/**
 * The ids of every container among the given resources and the children of the components among
 * them: the same resources `dependsOn: [component]` waits for, so a probe that depends on a lab
 * also runs again when any of its containers (nodes, routers, guards) is replaced.
 */
export function containerIdsOf(...resources: pulumi.Resource[]): pulumi.Output<string>[] {
  const ids: pulumi.Output<string>[] = [];
  const seen = new Set<pulumi.Resource>();
  const walk = (resource: pulumi.Resource) => {
    if (seen.has(resource)) return;
    seen.add(resource);
    if (docker.Container.isInstance(resource)) ids.push(resource.id);
    if (!pulumi.ComponentResource.isInstance(resource)) return;
    // The SDK's own record of a component's children (what dependsOn expands a component to).
    for (const child of ((resource as unknown as { __childResources?: Set<pulumi.Resource> }).__childResources ??
      []) as Set<pulumi.Resource>)
      walk(child);
  };
  resources.forEach(walk);
  return ids;
}
