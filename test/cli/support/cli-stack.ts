/**
 * The CLI tier's harness: this project's stacks driven by the real `pulumi` CLI through the
 * Automation API, with a throwaway local file backend, a passphrase, a copy of the project per
 * workspace (edits made to the checkout while a test runs do not reach it, and no stack file is
 * written into the checkout) and, where asked, a HOME of its own. Docker objects are found by the
 * stack label every lab object carries (io.docker-netlabs.stack, the stack's own name, unique per
 * run) and host rules by the run's name prefix.
 */
import { EngineEvent, LocalWorkspace, PulumiFn, Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { LABEL_PREFIX } from "../../../components/labels";
import type { ProbeResult } from "../../../components/probe/lab-probe";
import { LOCAL_DOCKER, docker, run } from "../../support/docker-cli";
import { runHostRules } from "../../support/host-rules";
import { DOCKER, Requirement } from "../../support/requirements";
import { TestRun, peakConcurrency, sweep } from "../../support/lab-harness";

export const ROOT = path.resolve(__dirname, "../../..");
export const NAMESPACE = "docker-netlabs";
const PASSPHRASE = "netlabs-cli-test";
/** Where the CLI keeps its plugins; kept when a workspace gets a HOME of its own. */
const PULUMI_HOME = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
/** The docker provider plugin the SDK in node_modules asks for. */

export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";

/**
 * The `pulumi` CLI on PATH: under npm (npm test, npx vitest) the npm package `pulumi`, a dependency,
 * which fetches the CLI from get.pulumi.com on first use into $PULUMI_HOME/versions (shared with the
 * Automation API). The one requirement CI lets skip (test/support/requirements.ts): where the CLI
 * cannot be fetched (no internet) the reason says so in one line; NETLABS_REQUIRE_CLI=1 requires it.
 */
export const PULUMI_CLI: Requirement = {
  name: "pulumi-cli",
  missing: () => pulumiCliMissing(),
};

/** Why the `pulumi` on `env`'s PATH does not run, in one line, or undefined when it does. */
export function pulumiCliMissing(env: NodeJS.ProcessEnv = process.env, root: string = ROOT): string | undefined {
  const npmCli = npmPulumiCli(env, root);
  try {
    // A first use downloads the CLI: give it time.
    execFileSync("pulumi", ["version"], { stdio: "pipe", env, timeout: npmCli && !npmCli.cached ? 600_000 : 20_000 });
    return undefined;
  } catch {
    return npmCli
      ? `the Pulumi CLI ${npmCli.version} (npm package pulumi) could not be fetched from get.pulumi.com (no internet here?): run \`npx pulumi version\` where it is reachable, or install the CLI (https://www.pulumi.com/docs/install/) and put it on PATH`
      : "no `pulumi` CLI on PATH (it cannot be installed on this machine: it downloads binaries)";
  }
}

/** The npm package `pulumi` when it is the `pulumi` on PATH: its CLI version, and whether that is fetched already. */
export function npmPulumiCli(env: NodeJS.ProcessEnv = process.env, root: string = ROOT): { version: string; cached: boolean } | undefined {
  const onPath = (env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, "pulumi"))
    .find((file) => fs.existsSync(file));
  const shim = path.join(root, "node_modules/pulumi/run.js");
  if (!onPath || !fs.existsSync(shim) || fs.realpathSync(onPath) !== fs.realpathSync(shim)) return undefined;
  const version = env.PULUMI_VERSION || JSON.parse(fs.readFileSync(path.join(root, "node_modules/pulumi/package.json"), "utf8")).version;
  const home = env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
  return { version, cached: fs.existsSync(path.join(home, "versions", version, "bin", "pulumi")) };
}

/** The version of a provider SDK in node_modules (@pulumi/docker, @pulumi/command): its plugin's. */
function sdkVersion(sdk: "docker" | "command"): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, `node_modules/@pulumi/${sdk}/package.json`), "utf8")).version.replace(/^v/, "");
}

/** A provider plugin at the version its SDK asks for (else the CLI would try to download it). */
function pulumiPlugin(plugin: "docker" | "command"): Requirement {
  const version = sdkVersion(plugin);
  return {
    name: `pulumi-${plugin}-plugin`,
    missing: () => {
      let plugins: { name: string; kind: string; version: string }[] = [];
      try {
        plugins = JSON.parse(execFileSync("pulumi", ["plugin", "ls", "--json"], { stdio: "pipe", timeout: 30_000 }).toString()) ?? [];
      } catch {
        plugins = [];
      }
      const found = plugins.some(
        (p) => p.name === plugin && (p.kind ?? "resource") === "resource" && p.version.replace(/^v/, "") === version,
      );
      return found
        ? undefined
        : `no ${plugin} provider plugin ${version} in ${PULUMI_HOME}/plugins (pulumi plugin install resource ${plugin} ${version})`;
    },
  };
}

export const PULUMI_DOCKER_PLUGIN = pulumiPlugin("docker");
export const PULUMI_COMMAND_PLUGIN = pulumiPlugin("command");

/** What the CLI tier needs: the CLI, its docker plugin and a Docker engine (for `skipUnless`). */
export const CLI_TIER: Requirement[] = [PULUMI_CLI, PULUMI_DOCKER_PLUGIN, DOCKER];

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `netlabs-${prefix}-`));
}

/** A copy of the project (without node_modules, which is linked, and without .git) in a temp folder. */
export function copyProject(): string {
  const dir = tempDir("project");
  const skip = new Set(["node_modules", ".git", "bin", "bench-results", ".pulumi"]);
  for (const entry of fs.readdirSync(ROOT)) {
    // Stack files of other runs (the checkout's own site stacks stay, as in any clone).
    if (skip.has(entry) || /^Pulumi\.cli-.*\.yaml$/.test(entry)) continue;
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

export interface CliSite {
  stack: Stack;
  stackName: string;
  workDir: string;
  backendDir: string;
  /** HOME of the CLI and of the program, when not the user's. */
  home?: string;
}

/** Selects (or creates) the stack in `workDir`, state in `backendDir`, with HOME set when given. */
export async function openStack(site: Omit<CliSite, "stack">): Promise<CliSite> {
  const envVars: Record<string, string> = {
    // PULUMI_BACKEND_URL takes precedence over Pulumi.yaml's backend: this run's state stays in a temp folder.
    PULUMI_BACKEND_URL: `file://${site.backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  if (site.home) {
    envVars.HOME = site.home;
    // The plugins stay where they were installed, whatever HOME is.
    envVars.PULUMI_HOME = PULUMI_HOME;
  }
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: site.stackName, workDir: site.workDir }, { envVars });
  return { ...site, stack };
}

/**
 * A stack of an inline program (run in this process by the Automation API, not this project's),
 * with a fresh backend: for what the real providers do with resources the product declares.
 */
export async function inlineSite(stackName: string, program: PulumiFn): Promise<{ stack: Stack; backendDir: string }> {
  const backendDir = tempDir("state");
  const projectName = "netlabs-cli-inline";
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName, program },
    {
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
      envVars: { PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, PULUMI_SKIP_UPDATE_CHECK: "true" },
    },
  );
  return { stack, backendDir };
}

/**
 * A new stack in a fresh copy of the project, with a fresh backend. HOME is a fresh folder too
 * when `ownHome` (so nothing of the user's ~/.docker-netlabs is read or written).
 */
export async function newSite(stackName: string, options: { ownHome?: boolean } = {}): Promise<CliSite> {
  return openStack({
    stackName,
    workDir: copyProject(),
    backendDir: tempDir("state"),
    home: options.ownHome ? tempDir("home") : undefined,
  });
}

export function stackFile(site: Pick<CliSite, "workDir" | "stackName">): string {
  return path.join(site.workDir, `Pulumi.${site.stackName}.yaml`);
}

/**
 * Writes config values into the stack's file as a user would (structured YAML: arrays, numbers,
 * booleans and objects keep their types, as Pulumi.yaml's typed keys require), keeping what the
 * file already holds (encryption salt, secrets). Keys without a namespace get this project's.
 */
export function writeStackConfig(site: Pick<CliSite, "workDir" | "stackName">, values: Record<string, unknown>): void {
  const file = stackFile(site);
  const doc = (fs.existsSync(file) ? parseYaml(fs.readFileSync(file, "utf8")) : undefined) ?? {};
  const config: Record<string, unknown> = { ...(doc.config ?? {}) };
  for (const [key, value] of Object.entries(values)) config[key.includes(":") ? key : `${NAMESPACE}:${key}`] = value;
  fs.writeFileSync(file, stringifyYaml({ ...doc, config }));
}

/** The dev stack's own configuration (Pulumi.dev.yaml), keys with their namespace. */
export function devStackConfig(): Record<string, unknown> {
  return parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config;
}

/** A bound for one CLI operation: the CLI is interrupted (SIGINT) when it passes. */
export function within(minutes: number): AbortSignal {
  return AbortSignal.timeout(minutes * 60_000);
}

export type Change = "created" | "replaced" | "updated" | "deleted" | "unchanged";

/** Records, from the engine's events of one operation, what happened to each resource. */
export class ChangeLog {
  private readonly ops = new Map<string, Set<string>>();

  readonly onEvent = (event: EngineEvent): void => {
    const metadata = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata;
    if (!metadata) return;
    const key = `${metadata.type}::${metadata.urn.split("::").pop()}`;
    if (!this.ops.has(key)) this.ops.set(key, new Set());
    this.ops.get(key)!.add(metadata.op);
  };

  /** What happened to the resource of `type` named `name` (its Pulumi name); no event at all is "unchanged". */
  of(type: string, name: string): Change {
    const ops = this.ops.get(`${type}::${name}`) ?? new Set<string>();
    if (["replace", "create-replacement", "delete-replaced"].some((op) => ops.has(op))) return "replaced";
    if (ops.has("create")) return "created";
    if (ops.has("update")) return "updated";
    if (ops.has("delete")) return "deleted";
    return "unchanged";
  }

  /** `of` for each name, as one object (for a single readable assertion). */
  all(type: string, names: string[]): Record<string, Change> {
    return Object.fromEntries(names.map((name) => [name, this.of(type, name)]));
  }

  /** Every resource that changed, by name, but those of the `except` types. */
  changedExcept(except: string[]): Record<string, Change> {
    return Object.fromEntries(
      [...this.ops.keys()]
        .map((key) => key.split("::") as [string, string])
        .filter(([type]) => !except.includes(type))
        .map(([type, name]) => [name, this.of(type, name)] as const)
        .filter(([, change]) => change !== "unchanged"),
    );
  }
}

/**
 * The most resources (Docker objects, commands, dynamic resources; not components) the engine had
 * in flight at once during one operation, from the order of its events: each from its step's start
 * (resourcePreEvent) to its outputs (resOutputsEvent).
 */
export class InFlight {
  private readonly started = new Map<string, number>();
  private readonly spans: { startMs: number; endMs: number }[] = [];
  private seen = 0;

  readonly onEvent = (event: EngineEvent): void => {
    const at = this.seen++;
    const pre = event.resourcePreEvent?.metadata;
    if (pre && pre.op !== "same" && /^(docker|command|pulumi-nodejs):/.test(pre.type)) this.started.set(pre.urn, at);
    const done = event.resOutputsEvent?.metadata;
    const startedAt = done && this.started.get(done.urn);
    if (done && startedAt !== undefined) {
      this.spans.push({ startMs: startedAt, endMs: at });
      this.started.delete(done.urn);
    }
  };

  /** Resources whose steps overlapped, at most (peakConcurrency of lab-harness, on event order). */
  peak(): number {
    return peakConcurrency(this.spans);
  }
}

/** The summary's counts of operations other than "same" (an empty object: nothing changed). */
export function changesOf(summary: UpdateSummary): Record<string, number> {
  return Object.fromEntries(Object.entries(summary.resourceChanges ?? {}).filter(([op, count]) => op !== "same" && !!count));
}

/** Every probe result of a stack's `probes` output that did not pass, as "lab: check: detail". */
export function failedProbes(probes: Record<string, ProbeResult[]>): string[] {
  return Object.entries(probes).flatMap(([lab, results]) => results.filter((r) => !r.ok).map((r) => `${lab}: ${r.name}: ${r.detail}`));
}

export interface StackObjects {
  /** Container name to (short) id. */
  containers: Record<string, string>;
  /** Network name to (short) id. */
  networks: Record<string, string>;
}

/** The stack's containers and networks on the local engine, by its label. */
export async function stackObjects(stackName: string): Promise<StackObjects> {
  const filter = `label=${LABEL_PREFIX}.stack=${stackName}`;
  const table = (text: string) =>
    Object.fromEntries(
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split(" ") as [string, string]),
    );
  return {
    containers: table(await docker(LOCAL_DOCKER, ["ps", "-a", "--filter", filter, "--format", "{{.Names}} {{.ID}}"])),
    networks: table(await docker(LOCAL_DOCKER, ["network", "ls", "--filter", filter, "--format", "{{.Name}} {{.ID}}"])),
  };
}

/** What the stack left: containers and networks by its label, host rules by the run's prefix; throws when a listing fails. */
export async function stackLeftovers(
  stackName: string,
  testRun: TestRun,
): Promise<{ containers: string[]; networks: string[]; hostRules: string[] }> {
  const objects = await stackObjects(stackName);
  const hostRules = (await runHostRules(testRun.prefix)).map(({ rule }) => rule);
  return { containers: Object.keys(objects.containers).sort(), networks: Object.keys(objects.networks).sort(), hostRules };
}

/**
 * The end of every CLI test, also after a failure: destroy (running the program, so that it works
 * whatever HOME holds), remove the stack, remove by label whatever is still there, delete the
 * temp folders. Never throws.
 */
export async function tearDown(site: CliSite | undefined, testRun: TestRun, stackName: string): Promise<void> {
  if (site) {
    if (site.home) fs.mkdirSync(site.home, { recursive: true });
    // Running the program first; if the program itself fails, with the provider settings in state.
    await site.stack
      .destroy({ runProgram: true, signal: within(7) })
      .catch(() => site.stack.destroy({ signal: within(5) }))
      .catch((error) => console.warn(`[cli] destroy in teardown: ${error}`));
    await site.stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
  }
  const left = await stackObjects(stackName).catch(() => ({ containers: {}, networks: {} }) as StackObjects);
  if (Object.keys(left.containers).length > 0) await run("docker", ["rm", "-f", "-v", ...Object.keys(left.containers)]);
  for (const network of Object.keys(left.networks)) await run("docker", ["network", "rm", network]);
  // Host rules by the run's prefix (and anything labelled with the run id, of which there is none here).
  await sweep(testRun).catch(() => undefined);
  for (const dir of [site?.workDir, site?.backendDir, site?.home]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export interface FreshDestroy {
  summary: UpdateSummary;
  /** Files the program wrote under the fresh HOME's ~/.docker-netlabs/ssh (ssh:// sites). */
  identityFiles: string[];
}

/**
 * `pulumi destroy --run-program` as someone else would run it: a fresh copy of the project with
 * only the stack's file (as committed), the same backend and stack, and an empty HOME, so that
 * nothing the first workspace wrote (~/.docker-netlabs/ssh) is there.
 */
export async function destroyFromFreshWorkspace(site: CliSite, minutes = 8): Promise<FreshDestroy> {
  const workDir = copyProject();
  const home = tempDir("fresh-home");
  try {
    fs.copyFileSync(stackFile(site), path.join(workDir, path.basename(stackFile(site))));
    const fresh = await openStack({ stackName: site.stackName, workDir, backendDir: site.backendDir, home });
    const destroyed = await fresh.stack.destroy({ runProgram: true, signal: within(minutes) });
    const identityDir = path.join(home, ".docker-netlabs", "ssh");
    return { summary: destroyed.summary, identityFiles: fs.existsSync(identityDir) ? fs.readdirSync(identityDir).sort() : [] };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}
