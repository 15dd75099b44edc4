/**
 * Deploys a stack of this project on the real engine through RealDockerMocks, waits for its nodes,
 * and finds (and, as a safety net, removes) everything a test run left behind, by label.
 */
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { LABEL_PREFIX } from "../../components/labels";
import { NODE_READY_PATH } from "../../components/routed-lab/node-init";
import { readStackConfig } from "../../stacks/config";
import { StackOutputs, buildStack } from "../../stacks";
import { LOCAL_DOCKER, docker, execIn, run, waitFor } from "./docker-cli";
import { runHostRules } from "./host-rules";
import { RealDockerMocks } from "./real-docker-mocks";
import { runProgram } from "./run-program";

export const TEST_LABEL = `${LABEL_PREFIX}.test-run`;

export interface TestRun {
  id: string;
  /** Docker name prefix of this run's objects. */
  prefix: string;
}

export function newTestRun(): TestRun {
  const id = randomBytes(3).toString("hex");
  return { id, prefix: `t${id}-` };
}

export interface Deployed<T> {
  mocks: RealDockerMocks;
  outputs: T;
  /** Wall-clock time when the first resource started being applied. */
  startedAt: number;
  deployMs: number;
}

export type DeployedStack = Deployed<StackOutputs>;

/**
 * Runs `program` with resources applied to the real engine. On failure it removes what was created,
 * like a failed `pulumi up` followed by `pulumi destroy`, so nothing half-built stays behind.
 */
export async function deployProgram<T>(program: () => T, config: Record<string, unknown> = {}): Promise<Deployed<T>> {
  const mocks = new RealDockerMocks();
  const startedAt = Date.now();
  try {
    const outputs = await runProgram(mocks, program, { config });
    mocks.assertNoErrors();
    return { mocks, outputs, startedAt, deployMs: Date.now() - startedAt };
  } catch (error) {
    const created = mocks.applied.filter((resource) => resource.type !== "Image").length;
    const failures = await mocks.destroyAll();
    throw new Error(
      `${(error as Error).message}\n(removed ${created} resources created before the failure` +
        `${failures.length ? `; could not remove: ${failures.join("; ")}` : ""})`,
    );
  }
}

/**
 * A second `pulumi up` of a program over what `previous` deployed: each resource diffed, kept,
 * updated or replaced as the engine and providers would, and what the program no longer registers
 * deleted. On failure it removes everything, old and new. `previous` must not be used afterwards.
 */
export async function redeployProgram<T>(
  previous: Deployed<unknown>,
  program: () => T,
  config: Record<string, unknown> = {},
): Promise<Deployed<T>> {
  const mocks = new RealDockerMocks(previous.mocks);
  const startedAt = Date.now();
  try {
    const outputs = await runProgram(mocks, program, { config });
    mocks.assertNoErrors();
    await mocks.finishDeploy();
    return { mocks, outputs, startedAt, deployMs: Date.now() - startedAt };
  } catch (error) {
    const failures = await mocks.destroyAll();
    throw new Error(`${(error as Error).message}\n(removed the lab${failures.length ? `; could not remove: ${failures.join("; ")}` : ""})`);
  }
}

/** The run's containers and networks on the local engine, by name, with their full Docker ids. */
export async function dockerIds(testRun: TestRun): Promise<{ containers: Record<string, string>; networks: Record<string, string> }> {
  const ids = async (list: string[], name: string) => {
    const listed = await docker(LOCAL_DOCKER, [
      ...list,
      "--no-trunc",
      "--filter",
      `label=${TEST_LABEL}=${testRun.id}`,
      "--format",
      `${name} {{.ID}}`,
    ]);
    return Object.fromEntries(
      listed
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split(" ")),
    );
  };
  return { containers: await ids(["ps", "-a"], "{{.Names}}"), networks: await ids(["network", "ls"], "{{.Name}}") };
}

/** Deploys this project's stack program with `config`, labelled and prefixed for `run`. */
export function deployStack(run: TestRun, config: Record<string, unknown>): Promise<DeployedStack> {
  return deployProgram(() => buildStack(readStackConfig(), { labels: { [TEST_LABEL]: run.id } }), {
    ...config,
    namePrefix: run.prefix,
  });
}

/** Waits until every named container has written its ready file; throws naming the laggards. */
export async function waitForNodes(containers: string[], timeoutMs = 60_000): Promise<void> {
  const pending = new Set(containers);
  await waitFor(
    async () => {
      for (const container of [...pending]) {
        if ((await execIn(container, ["test", "-f", NODE_READY_PATH], 5_000)).code === 0) pending.delete(container);
      }
      return pending.size === 0;
    },
    { timeoutMs },
  );
  if (pending.size > 0) {
    const logs = await Promise.all(
      [...pending].map(async (c) => `${c}: ${(await run("docker", ["logs", "--tail", "5", c])).stderr.trim()}`),
    );
    throw new Error(`nodes not ready within ${timeoutMs} ms:\n${logs.join("\n")}`);
  }
}

/** The stack program of `run` deployed again over `previous` with `config` (see redeployProgram). */
export function redeployStack(run: TestRun, previous: DeployedStack, config: Record<string, unknown>): Promise<DeployedStack> {
  return redeployProgram(previous, () => buildStack(readStackConfig(), { labels: { [TEST_LABEL]: run.id } }), {
    ...config,
    namePrefix: run.prefix,
  });
}

export interface Leftovers {
  containers: string[];
  networks: string[];
  hostRules: string[];
}

/** Everything of this run still on the engine and in the host's DOCKER-USER chain; throws when a listing fails. */
export async function leftovers(testRun: TestRun): Promise<Leftovers> {
  const filter = `label=${TEST_LABEL}=${testRun.id}`;
  const containers = (await docker(LOCAL_DOCKER, ["ps", "-a", "--filter", filter, "--format", "{{.Names}}"])).split("\n").filter(Boolean);
  const networks = (await docker(LOCAL_DOCKER, ["network", "ls", "--filter", filter, "--format", "{{.Name}}"])).split("\n").filter(Boolean);
  const hostRules = (await runHostRules(testRun.prefix)).map(({ rule }) => rule);
  return { containers, networks, hostRules };
}

/** This run's rules in the host's DOCKER-USER chain; a listing that broke throws (host-rules.ts), never reads as "no rule". */
export async function hostRulesStrict(testRun: TestRun): Promise<string[]> {
  return (await runHostRules(testRun.prefix)).map(({ rule }) => rule);
}

/** Safety net after a failed test: removes whatever this run left, by label and rule comment. */
export async function sweep(testRun: TestRun): Promise<void> {
  const left = await leftovers(testRun);
  if (left.containers.length > 0) await run("docker", ["rm", "-f", "-v", ...left.containers]);
  for (const network of left.networks) await run("docker", ["network", "rm", network]);
  for (const { iptables, rule } of await runHostRules(testRun.prefix)) {
    // "-A DOCKER-USER <spec>" → "-D DOCKER-USER <spec>"; the comment is the only quoted word.
    const spec = rule
      .replace(/^-A DOCKER-USER /, "")
      .match(/"[^"]*"|\S+/g)!
      .map((word) => word.replace(/^"|"$/g, ""));
    await run(iptables, ["-w", "5", "-D", "DOCKER-USER", ...spec]);
  }
}

/** A TCP port on 127.0.0.1 free right now: `preferred` when it is, else one the kernel picks. */
export async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(undefined));
      server.listen(port, "127.0.0.1", () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0))!;
}

/** Fetches a URL from the test process with a bounded timeout; undefined when nothing answers. */
export async function fetchText(url: string, timeoutMs = 3_000): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return await response.text();
  } catch {
    return undefined;
  }
}

/** Resources that were being applied at the same time, at most: how parallel the deploy was. */
export function peakConcurrency(timings: { startMs: number; endMs: number }[]): number {
  const events = timings.flatMap((t) => [
    { at: t.startMs, delta: 1 },
    { at: t.endMs, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let peak = 0;
  for (const event of events) peak = Math.max(peak, (current += event.delta));
  return peak;
}
