/**
 * NodesReady: a dynamic resource that holds `pulumi up` until every node of a lab is healthy (its
 * readiness healthcheck passed) and fails it, naming the node and showing the tail of its log, as
 * soon as one exits, restarts or is not ready in time.
 *
 * Why not the provider's own `wait`: @pulumi/docker 5.x (terraform-provider-docker v4.5.0,
 * resourceDockerContainerCreate) polls only `State.Health.Status == healthy`; a container that
 * exited is waited on for the whole `waitTimeout`, and the error is the fixed text "container
 * failed to be in healthy state", with neither the container's name nor its logs. The nodes still
 * carry the healthcheck (Docker's own view of readiness, shown by `docker ps`); this resource reads
 * it with `docker inspect` on the lab's host: the local engine, or over `ssh` with the same options
 * as the Docker provider. Its provider runs in Pulumi's dynamic-provider host, which loads only
 * builtins and node_modules: the code below is self-contained on purpose.
 */
import * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../declare/dynamic-providers";
import type { HostConnection } from "./docker-host";
import { DockerExecTarget, remoteDockerArgv, sshFailure } from "./host-exec";

export interface NodesReadyArgs {
  /** The lab, for messages. */
  lab: string;
  /** The lab's Docker host, as DockerHost reaches it. */
  host: HostConnection;
  /** Node name to container, with the container's id (a replaced container makes this run again). */
  nodes: { node: string; container: string; id: pulumi.Input<string> }[];
  /** How long a node may take to become healthy. */
  timeoutSeconds: number;
}

export interface NodesReadyInputs {
  lab: string;
  /** The host's URL: its identity (a change of host waits again) and its name in messages. */
  dockerHost: string;
  /** How docker commands run on the host. */
  target: DockerExecTarget;
  nodes: { node: string; container: string; id: string }[];
  timeoutSeconds: number;
}

/** The outcome per node once all are healthy: how long each took, from the first poll. */
interface NodesReadyOutputs extends NodesReadyInputs {
  readyMs: Record<string, number>;
}

type DockerResult = { code: number; stdout: string; stderr: string };
type HostDocker = (args: string[]) => Promise<DockerResult>;

/** Runs `docker <args>` on the target, bounded to 30 s; never rejects. */
function hostDocker(target: DockerExecTarget): HostDocker {
  const { execFile } = require("node:child_process");
  return (args) =>
    new Promise((resolve) => {
      const [file, ...rest] = remoteDockerArgv(target, args);
      execFile(
        file,
        rest,
        { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
        (error: (Error & { code?: number | string }) | null, stdout: string, stderr: string) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
    });
}

/** The container's last log lines, indented, for an error. */
async function logTail(docker: HostDocker, container: string): Promise<string> {
  const logs = await docker(["logs", "--tail", "15", container]);
  const text = `${logs.stdout}${logs.stderr}`.trim();
  return text === ""
    ? "    (no log output)"
    : text
        .split("\n")
        .map((line) => `    ${line}`)
        .join("\n");
}

/**
 * The code a container last exited with. A restarted container that runs again shows ExitCode 0
 * in `docker inspect`: the code is in its "die" events. Events since an hour before the wait began
 * cover the node's whole life here; the filter by id leaves out a replaced container of the same name.
 */
async function lastExitCode(docker: HostDocker, id: string, started: number): Promise<string | undefined> {
  const codes = await dieEvents(docker, id, started, "die", "{{.Actor.Attributes.exitCode}}");
  return codes?.pop();
}

/** The container's events of one kind since an hour before the wait began, formatted; undefined when unreadable. */
async function dieEvents(docker: HostDocker, id: string, started: number, event: string, format: string): Promise<string[] | undefined> {
  const events = await docker([
    "events",
    "--since",
    String(Math.floor(started / 1000) - 3600),
    "--until",
    // Up to the next whole second: a die within this second counts (the wait is under 1 s).
    String(Math.ceil(Date.now() / 1000)),
    "--filter",
    `container=${id}`,
    "--filter",
    `event=${event}`,
    "--format",
    format,
  ]);
  return events.code === 0 ? events.stdout.trim().split("\n").filter(Boolean) : undefined;
}

/**
 * Whether the kernel killed a process of the container for its memory limit: Docker's OOMKilled
 * while it is down, its "oom" events once it runs again (a restart clears OOMKilled).
 */
async function killedForMemory(docker: HostDocker, id: string, started: number, state: { OOMKilled?: boolean }): Promise<boolean> {
  if (state.OOMKilled) return true;
  return ((await dieEvents(docker, id, started, "oom", "{{.Action}}")) ?? []).length > 0;
}

/** One poll: marks the healthy nodes ready; returns a failure per node that exited or restarted, and the inspect's result. */
async function pollNodes(
  docker: HostDocker,
  inputs: NodesReadyInputs,
  readyMs: Record<string, number>,
  started: number,
): Promise<{ failures: string[]; inspected: DockerResult; pending: NodesReadyInputs["nodes"] }> {
  const pending = inputs.nodes.filter((node) => readyMs[node.node] === undefined);
  const inspected = await docker([
    "inspect",
    "--format",
    "{{.Name}} {{json .State}} {{.RestartCount}}",
    ...pending.map((n) => n.container),
  ]);
  const byContainer = new Map(inputs.nodes.map((node) => [node.container, node]));
  const failures: string[] = [];
  for (const line of inspected.stdout.split("\n").filter(Boolean)) {
    const match = /^\/(\S+) (\{.*\}) (\d+)$/.exec(line);
    if (!match) continue;
    const [, container, stateJson, restarts] = match;
    const node = byContainer.get(container)!;
    const state = JSON.parse(stateJson);
    if (state.Health?.Status === "healthy") readyMs[node.node] = Date.now() - started;
    else if (!state.Running || state.Restarting || Number(restarts) > 0) {
      const exitCode = state.Running ? await lastExitCode(docker, node.id, started) : String(state.ExitCode);
      const why =
        state.Running || state.Restarting
          ? `restarted ${restarts} time(s)${exitCode === undefined ? "" : ` (last exit code ${exitCode})`}`
          : `exited with code ${exitCode}`;
      const memory = (await killedForMemory(docker, node.id, started, state))
        ? "; the kernel killed a process of it for using more than its memory limit (memoryMiB)"
        : "";
      failures.push(`node ${node.node} (container ${container}) ${why}${memory}; last log lines:\n${await logTail(docker, container)}`);
    }
  }
  return { failures, inspected, pending };
}

/** Polls until every node is healthy; throws, naming the node, as soon as one exits or restarts. */
export async function waitUntilReady(inputs: NodesReadyInputs): Promise<NodesReadyOutputs> {
  const docker = hostDocker(inputs.target);
  const started = Date.now();
  const readyMs: Record<string, number> = {};
  for (;;) {
    if (inputs.nodes.every((node) => readyMs[node.node] !== undefined)) return { ...inputs, readyMs };
    const { failures, inspected, pending } = await pollNodes(docker, inputs, readyMs, started);
    // ssh itself failed (exit 255, named by step): the host, not a node, is what is wrong.
    const failure = sshFailure(inspected.code, inspected.stderr);
    const timedOut = Date.now() - started > inputs.timeoutSeconds * 1000;
    if (failure && (!failure.retry || timedOut)) throw new Error(`lab ${inputs.lab}: ${inputs.dockerHost}: ${failure.step}`);
    if (failure) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      continue;
    }
    if (inspected.code !== 0 && failures.length === 0) {
      const missing = pending.filter((node) => !inspected.stdout.includes(`/${node.container} `)).map((node) => node.node);
      if (missing.length > 0) failures.push(`node(s) ${missing.join(", ")}: ${inspected.stderr.trim() || "not found on the host"}`);
    }
    if (failures.length === 0 && timedOut) {
      for (const node of inputs.nodes.filter((n) => readyMs[n.node] === undefined)) {
        failures.push(
          `node ${node.node} (container ${node.container}) not ready within ${inputs.timeoutSeconds} s; last log lines:\n${await logTail(docker, node.container)}`,
        );
      }
    }
    if (failures.length > 0) throw new Error(`lab ${inputs.lab}: ${failures.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const nodesReadyProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: NodesReadyInputs) {
    return { id: `ready-${inputs.lab}`, outs: await waitUntilReady(inputs) };
  },
  // A replaced node (new id), an added or removed node: wait again. A refresh keeps what it found.
  async diff(_id: string, olds: NodesReadyOutputs, news: NodesReadyInputs) {
    const keys = ["dockerHost", "nodes", "timeoutSeconds"] as const;
    return { changes: keys.some((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key])) };
  },
  async update(_id: string, _olds: NodesReadyOutputs, news: NodesReadyInputs) {
    return { outs: await waitUntilReady(news) };
  },
};

export class NodesReady extends DynamicResource {
  declare readonly readyMs: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: NodesReadyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "NodesReady",
      name,
      {
        lab: args.lab,
        dockerHost: args.host.url,
        target: args.host.exec,
        nodes: args.nodes,
        timeoutSeconds: args.timeoutSeconds,
        readyMs: undefined,
      },
      opts,
    );
  }
}
