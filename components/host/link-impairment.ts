/**
 * LinkImpairment: a dynamic resource per impaired interface of a lab node, which applies the
 * interface's impairment with the kernel's traffic control in the node's own network namespace:
 * netem for delay, jitter and loss, tbf for the rate (netem at the root with tbf under it when both).
 * The tc commands run in a short-lived helper container that joins the node's network namespace
 * (`--network container:<node>`, NET_ADMIN and nothing else, removed when done) on the lab's router
 * image, which has iproute2: the node's own image needs no tool. The interface is found by the
 * address it holds, as the node's init finds it (ARCHITECTURE.md, Interfaces by address).
 *
 * Being its own resource, a changed impairment is an update of this resource alone (the qdisc is
 * replaced in place; the node is not touched), a removed one is its delete (the root qdisc removed:
 * the interface is as Docker made it), and a replaced node (a new container id) is an update that
 * applies it to the new container. Its provider runs in Pulumi's dynamic-provider host, which loads
 * only builtins and node_modules: the code below is self-contained on purpose.
 */
import * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../declare/dynamic-providers";
import type { HostConnection } from "./docker-host";
import { helperRunArgs } from "./engine-facts";
import { DockerExecTarget, remoteDockerArgv } from "./host-exec";

/** An impairment as planned (net/topology.ts ImpairmentPlan): any subset. */
export interface Impairment {
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
  rateMbit?: number;
}

export interface LinkImpairmentArgs {
  lab: string;
  node: string;
  /** The node's container name, and its id (a replaced node gets the impairment again). */
  container: string;
  containerId: pulumi.Input<string>;
  segment: string;
  /** The IPv4 address the interface holds. */
  address: string;
  impairment: Impairment;
  /** An image on the host with tc (the lab's router image). */
  image: pulumi.Input<string>;
  host: HostConnection;
}

export interface LinkImpairmentInputs {
  lab: string;
  node: string;
  container: string;
  containerId: string;
  segment: string;
  address: string;
  impairment: Impairment;
  image: string;
  dockerHost: string;
  target: DockerExecTarget;
}

/** The tc lines that give `$dev` the impairment, from a clean root. */
export function impairmentTcLines(impairment: Impairment): string[] {
  const netemArgs = [
    ...(impairment.delayMs !== undefined ? [`delay ${impairment.delayMs}ms`] : []),
    ...(impairment.jitterMs !== undefined ? [`${impairment.jitterMs}ms`] : []),
    ...(impairment.lossPercent !== undefined ? [`loss ${impairment.lossPercent}%`] : []),
  ];
  const lines: string[] = [];
  if (netemArgs.length > 0) lines.push(`tc qdisc add dev "$dev" root handle 1: netem ${netemArgs.join(" ")}`);
  if (impairment.rateMbit !== undefined) {
    const bytesPerSecond = (impairment.rateMbit * 1_000_000) / 8;
    // A bucket of 10 ms at the rate (above any kernel's timer tick), at least two jumbo frames;
    // packets wait up to 100 ms before they are dropped (TCP then finds the rate, not a loss storm).
    const burst = Math.max(Math.ceil(bytesPerSecond / 100), 18_432);
    const kbit = Math.round(impairment.rateMbit * 1000);
    const parent = netemArgs.length > 0 ? "parent 1:1 handle 10:" : "root handle 10:";
    lines.push(`tc qdisc add dev "$dev" ${parent} tbf rate ${kbit}kbit burst ${burst} latency 100ms`);
  }
  return lines;
}

/** The helper's script: find the interface by address, clear its root qdisc, add the impairment's, print the interface's name. */
export function impairmentScript(address: string, impairment: Impairment | undefined): string {
  return [
    `dev=$(ip -o -4 addr show | awk -v want=${address} '{ split($4, a, "/"); if (a[1] == want) { print $2; exit } }')`,
    `[ -n "$dev" ] || { echo "no interface holds ${address}" >&2; exit 3; }`,
    'tc qdisc del dev "$dev" root 2>/dev/null',
    ...(impairment ? impairmentTcLines(impairment).map((line) => `${line} || exit 4`) : []),
    'echo "$dev"',
  ].join("\n");
}

/** The docker arguments of the helper: in the node's network namespace, NET_ADMIN only, never pulled, removed. */
export function impairmentHelperArgs(container: string, image: string, script: string): string[] {
  return helperRunArgs({ network: `container:${container}`, capability: "NET_ADMIN", readOnly: false, role: "impairment" }, image, script);
}

type DockerResult = { code: number; stdout: string; stderr: string };

/** Runs `docker <args>` on the target, bounded to 60 s; never rejects. */
function hostDocker(target: DockerExecTarget, args: string[]): Promise<DockerResult> {
  const { execFile } = require("node:child_process");
  return new Promise((resolve) => {
    const [file, ...rest] = remoteDockerArgv(target, args);
    execFile(file, rest, { timeout: 60_000 }, (error: (Error & { code?: number | string }) | null, stdout: string, stderr: string) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** What went wrong, named: the lab, node, interface, host, and the kernel's netem where tc did not know it. */
function impairmentFailure(inputs: LinkImpairmentInputs, result: DockerResult): Error {
  const said = `${result.stderr}\n${result.stdout}`.trim().split("\n").slice(-3).join(" / ");
  const where = `lab ${inputs.lab} node ${inputs.node}'s interface ${inputs.address} (segment ${inputs.segment}) on host ${inputs.dockerHost}`;
  if (/qdisc kind is unknown/i.test(said) && /netem/.test(impairmentTcLines(inputs.impairment).join(" "))) {
    return new Error(`${where}: the kernel has no netem qdisc (module sch_netem), needed for delay, jitter and loss: ${said}`);
  }
  return new Error(`${where}: the impairment could not be applied (exit ${result.code}): ${said}`);
}

/** Applies the impairment (none: clears it); the interface's kernel name. */
async function applyImpairment(inputs: LinkImpairmentInputs, impairment: Impairment | undefined): Promise<string> {
  const script = impairmentScript(inputs.address, impairment);
  const result = await hostDocker(inputs.target, impairmentHelperArgs(inputs.container, inputs.image, script));
  if (result.code !== 0) throw impairmentFailure(inputs, result);
  return result.stdout.trim().split("\n").pop() ?? "";
}

/** The helper's script that says whether the interface's root qdisc is still the impairment's (after a daemon restart it is not). */
export function impairmentCheckScript(address: string, impairment: Impairment): string {
  const kind = impairmentTcLines(impairment)[0]?.includes(" netem ") ? "netem" : "tbf";
  return [
    `dev=$(ip -o -4 addr show | awk -v want=${address} '{ split($4, a, "/"); if (a[1] == want) { print $2; exit } }')`,
    `[ -n "$dev" ] || { echo "no interface holds ${address}" >&2; exit 3; }`,
    `if tc qdisc show dev "$dev" root | grep -q "^qdisc ${kind} "; then echo applied; else echo missing; fi`,
  ].join("\n");
}

export const linkImpairmentProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: LinkImpairmentInputs) {
    const device = await applyImpairment(inputs, inputs.impairment);
    return { id: `${inputs.container}/${inputs.address}`, outs: { ...inputs, device } };
  },
  // A changed impairment, a replaced node (new id), another interface or host, or one a refresh
  // found gone (a daemon restart gives the node a new namespace): applied again, in place.
  async diff(_id: string, olds: LinkImpairmentInputs & { applied?: boolean }, news: LinkImpairmentInputs) {
    const keys = ["dockerHost", "container", "containerId", "address", "impairment"] as const;
    return { changes: olds.applied === false || keys.some((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key])) };
  },
  // Refresh: whether the qdisc is still there (`pulumi up --refresh` then applies it again where not).
  async read(id: string, props: LinkImpairmentInputs) {
    const running = await hostDocker(props.target, ["inspect", "--format", "{{.State.Running}}", props.container]);
    if (running.code !== 0 || running.stdout.trim() !== "true") return { id, props };
    const script = impairmentCheckScript(props.address, props.impairment);
    const checked = await hostDocker(props.target, impairmentHelperArgs(props.container, props.image, script));
    if (checked.code !== 0) return { id, props };
    return { id, props: { ...props, applied: checked.stdout.trim().split("\n").pop() === "applied" } };
  },
  async update(_id: string, _olds: LinkImpairmentInputs, news: LinkImpairmentInputs) {
    const device = await applyImpairment(news, news.impairment);
    return { outs: { ...news, device } };
  },
  // The interface as Docker made it; a node already gone has nothing to restore.
  async delete(_id: string, props: LinkImpairmentInputs) {
    const running = await hostDocker(props.target, ["inspect", "--format", "{{.State.Running}}", props.container]);
    if (running.code !== 0 || running.stdout.trim() !== "true") return;
    await applyImpairment(props, undefined);
  },
};

export class LinkImpairment extends DynamicResource {
  /** The interface's kernel name in the node (e.g. eth1). */
  declare readonly device: pulumi.Output<string>;

  constructor(name: string, args: LinkImpairmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "LinkImpairment",
      name,
      {
        lab: args.lab,
        node: args.node,
        container: args.container,
        containerId: args.containerId,
        segment: args.segment,
        address: args.address,
        impairment: args.impairment,
        image: args.image,
        dockerHost: args.host.url,
        target: args.host.exec,
        device: undefined,
      },
      opts,
    );
  }
}
