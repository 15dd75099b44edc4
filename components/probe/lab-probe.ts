/**
 * LabProbe: a dynamic resource that, once a lab is up, runs its checks on the lab's host (reach
 * an address, fetch a URL, BGP sessions Established, a file such as a DHCP lease present) and
 * exports the results; `failOnError` makes `pulumi up` fail when a check fails.
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
import type { HostConnection } from "../host/docker-host";
import { sshFailure, sshLabel, sshPrefix } from "../host/host-exec";

export type ProbeCheck =
  | { kind: "fetch"; name: string; from: string; url: string; expect?: string }
  | { kind: "reach"; name: string; from: string; address: string }
  | { kind: "bgp"; name: string; router: string; established: number }
  /** OSPF neighbours Full (or 2-Way between two DROthers, their final state on a shared segment). */
  | { kind: "ospf"; name: string; router: string; neighbors: number }
  | { kind: "bfd"; name: string; router: string; up: number }
  /** The router's kernel holds a route for each prefix. */
  | { kind: "routes"; name: string; router: string; prefixes: string[] }
  /** A file present and not empty; its content is reported only with `show` (never for secrets). */
  | { kind: "file"; name: string; container: string; path: string; show?: boolean };

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

/** Runs every check, retrying each until it passes or its time is up. */
async function runChecks(inputs: ProbeInputs): Promise<ProbeResult[]> {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const LIMIT = 1 << 20;
  const spawnBounded = (file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; spawnError?: string }> =>
    new Promise((resolve) => {
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
      child.stdout.on("data", (d: Buffer) => (stdout = (stdout + d.toString()).slice(0, LIMIT)));
      child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(0, LIMIT)));
      child.on("error", (error: NodeJS.ErrnoException) => finish(127, error.code ?? "spawn failed"));
      child.on("close", (code: number | null) => finish(code ?? 1));
      // A ControlPersist master (from the user's ssh options) may keep the pipes open after ssh exits.
      child.on("exit", (code: number | null) => (grace = setTimeout(() => finish(code ?? 1), 1000)));
    });
  const exec = async (argv: string[]): Promise<ExecResult> => {
    if (!inputs.ssh) {
      const r = await spawnBounded("docker", ["-H", inputs.dockerHost, ...argv]);
      return { code: r.code, stdout: r.stdout };
    }
    const [file, ...prefix] = inputs.ssh.argv;
    const r = await spawnBounded(file, [...prefix, ...["docker", ...argv].map(quote)]);
    const fail = (step: string, retry: boolean) => ({
      code: r.code,
      stdout: "",
      sshError: { message: `ssh ${inputs.ssh!.label}: ${step}`, retry },
    });
    if (r.spawnError) return fail(`exec: the ssh command could not be run (${r.spawnError})`, false);
    if (r.code === 124) return fail(`exec: no answer within ${COMMAND_TIMEOUT_MS / 1000} s`, true);
    // ssh's own failures, named by step (host-exec.ts); a remote exit of 255 is the command's.
    const failure = sshFailure(r.code, r.stderr);
    return failure ? fail(failure.step, failure.retry) : { code: r.code, stdout: r.stdout };
  };
  const once = async (check: ProbeCheck): Promise<{ ok: boolean; detail: string; final?: boolean }> => {
    const run = async (argv: string[], judge: (r: ExecResult) => { ok: boolean; detail: string }) => {
      const r = await exec(argv);
      return r.sshError ? { ok: false, detail: r.sshError.message, final: !r.sshError.retry } : judge(r);
    };
    switch (check.kind) {
      case "fetch":
        return run(["exec", check.from, "curl", "-sf", "--max-time", "3", check.url], (r) => {
          const ok = r.code === 0 && (check.expect === undefined || r.stdout.includes(check.expect));
          return { ok, detail: ok ? `${check.from} fetched ${check.url}` : `${check.from} could not fetch ${check.url} (exit ${r.code})` };
        });
      case "reach":
        return run(["exec", check.from, "ping", "-c", "1", "-W", "2", check.address], (r) => ({
          ok: r.code === 0,
          detail: `${check.from} ${r.code === 0 ? "reaches" : "does not reach"} ${check.address}`,
        }));
      case "bgp":
        return run(["exec", check.router, "vtysh", "-c", "show bgp summary json"], (r) => {
          let established = 0;
          try {
            const peers = JSON.parse(r.stdout).ipv4Unicast?.peers ?? {};
            established = Object.values(peers).filter((p) => (p as { state?: string }).state === "Established").length;
          } catch {
            established = 0;
          }
          return {
            ok: established >= check.established,
            detail: `${check.router}: ${established} of ${check.established} sessions Established`,
          };
        });
      case "ospf":
        return run(["exec", check.router, "vtysh", "-c", "show ip ospf neighbor json"], (r) => {
          let up = 0;
          let states: string[] = [];
          try {
            const byRouterId = JSON.parse(r.stdout).neighbors ?? {};
            type Neighbor = { nbrState?: string; state?: string };
            states = Object.values(byRouterId as Record<string, Neighbor | Neighbor[]>).flatMap((list) =>
              (Array.isArray(list) ? list : [list]).map((n) => String(n.nbrState ?? n.state ?? "")),
            );
            up = states.filter((state) => state.startsWith("Full") || state === "2-Way/DROther").length;
          } catch {
            up = 0;
          }
          return {
            ok: up >= check.neighbors,
            detail: `${check.router}: ${up} of ${check.neighbors} OSPF neighbours up${states.length ? ` (${states.join(", ")})` : ""}`,
          };
        });
      case "bfd":
        return run(["exec", check.router, "vtysh", "-c", "show bfd peers json"], (r) => {
          let up = 0;
          try {
            const peers = JSON.parse(r.stdout);
            up = (Array.isArray(peers) ? peers : []).filter((p: { status?: string }) => p.status === "up").length;
          } catch {
            up = 0;
          }
          return { ok: up >= check.up, detail: `${check.router}: ${up} of ${check.up} BFD sessions up` };
        });
      case "routes":
        return run(["exec", check.router, "ip", "-4", "route", "show"], (r) => {
          const held = new Set(r.stdout.split("\n").map((line) => line.trim().split(/\s+/)[0]));
          const missing = check.prefixes.filter((prefix) => !held.has(prefix));
          return {
            ok: r.code === 0 && missing.length === 0,
            detail:
              missing.length === 0
                ? `${check.router} has a route to ${check.prefixes.join(", ")}`
                : `${check.router} has no route to ${missing.join(", ")}`,
          };
        });
      case "file":
        return run(["exec", check.container, "cat", check.path], (r) => {
          const content = r.stdout.trim();
          const detail =
            content === "" ? `${check.path} is missing or empty` : check.show ? `${check.path}: ${content}` : `${check.path} is present`;
          return { ok: r.code === 0 && content !== "", detail };
        });
    }
  };
  const results: ProbeResult[] = [];
  for (const check of inputs.checks) {
    const started = Date.now();
    let outcome = await once(check);
    while (!outcome.ok && !outcome.final && Date.now() - started < inputs.timeoutSeconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      outcome = await once(check);
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

export class LabProbe extends pulumi.dynamic.Resource {
  declare readonly results: pulumi.Output<ProbeResult[]>;
  declare readonly passed: pulumi.Output<number>;
  declare readonly failed: pulumi.Output<number>;
  declare readonly containerIds: pulumi.Output<string[]>;

  constructor(name: string, args: LabProbeArgs, opts?: pulumi.CustomResourceOptions) {
    const ssh = pulumi
      .output(args.host.exec)
      .apply((target) => (target.kind === "ssh" ? { label: sshLabel(target), argv: sshPrefix(target) } : undefined));
    super(
      probeProvider,
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
      "netlabs",
      "LabProbe",
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
