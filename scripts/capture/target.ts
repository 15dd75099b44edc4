/**
 * What `npm run lab:capture` captures, found without the Pulumi CLI: the stack file's config
 * (Pulumi.<stack>.yaml, secrets left out: capture needs none), planned as the program plans it
 * (planStack is pure), gives the node's container, its interfaces (segment, address) and the
 * stack's Docker host. The capture itself is tcpdump in a short-lived container that joins the
 * node's network namespace on that host, on the lab's router image: the node's image needs no tool.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { hostConnection } from "../../components/host/docker-host";
import { DockerExecTarget, remoteDockerArgv } from "../../components/host/host-exec";
import { labImageTag } from "../../components/images/lab-image";
import { planStack } from "../../stacks";
import { parseStackConfig } from "../../stacks/config";
import { CONFIG_NAMESPACE } from "../../stacks/keys";

export interface CaptureRequest {
  stack: string;
  node: string;
  /** The kernel name (eth1) or the segment's name. */
  iface: string;
  /** Where the pcap goes: a file, or standard output when absent. */
  file?: string;
  /** Stop by itself after this many seconds (else at Ctrl-C). */
  seconds?: number;
}

export const USAGE =
  "usage: npm run -s lab:capture -- <node> <interface|segment> [-w <file>] [--stack <stack or Pulumi.<stack>.yaml>] [--seconds <n>]";

/** The command line's request; throws the usage, or what is wrong, on bad arguments. */
export function parseCaptureArgs(argv: string[], defaultStack: string): CaptureRequest {
  const positional: string[] = [];
  const request: Partial<CaptureRequest> = { stack: defaultStack };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (argv[i + 1] === undefined) throw new Error(`${argv[i]} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (argv[i] === "-w") request.file = value();
    else if (argv[i] === "--stack") request.stack = value();
    else if (argv[i] === "--seconds") {
      const seconds = Number(value());
      if (!(Number.isInteger(seconds) && seconds > 0 && seconds <= 86400)) throw new Error(`--seconds: ${argv[i]} is not 1 to 86400`);
      request.seconds = seconds;
    } else if (argv[i].startsWith("-")) throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    else positional.push(argv[i]);
  }
  if (positional.length !== 2) throw new Error(USAGE);
  return { ...request, node: positional[0], iface: positional[1] } as CaptureRequest;
}

/** The stack file's config as the program reads it, secure values left out (none is needed here). */
export function stackFileValues(root: string, stack: string): Record<string, unknown> {
  // A stack's name, or the path of a stack file (Pulumi.<stack>.yaml) elsewhere.
  const file = stack.endsWith(".yaml") ? path.resolve(stack) : path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`no stack file ${file} (name the stack with --stack)`);
  const config = (parseYaml(fs.readFileSync(file, "utf8"))?.config ?? {}) as Record<string, unknown>;
  const prefix = `${CONFIG_NAMESPACE}:`;
  return Object.fromEntries(
    Object.entries(config)
      .filter(([key, value]) => key.startsWith(prefix) && !(typeof value === "object" && value !== null && "secure" in value))
      .map(([key, value]) => [key.slice(prefix.length), value])
      // The host check's key pair is of no use here (capture reaches the host as the provider's ssh does).
      .filter(([key]) => key !== "sshPrivateKey" && key !== "sshHostKey"),
  );
}

/** A node as the capture needs it. */
export interface CaptureNode {
  lab: string;
  container: string;
  interfaces: { segment: string; address: string }[];
}

/** The planned nodes of every lab built on RoutedLab (its plan, or the RoutedLab plan of a lab built on one). */
function plannedNodes(values: Record<string, unknown>): {
  nodes: Map<string, CaptureNode[]>;
  host: string;
  sshOpts: string[];
  router: string;
} {
  const config = parseStackConfig(values);
  const nodes = new Map<string, CaptureNode[]>();
  for (const lab of planStack(config).labs) {
    const args = lab.args as { plan?: { nodes?: unknown; lab?: { nodes?: unknown } } };
    const plan = Array.isArray(args.plan?.nodes) ? args.plan : args.plan?.lab;
    for (const node of (plan?.nodes ?? []) as { name: string; containerName: string; interfaces: CaptureNode["interfaces"] }[]) {
      const found = { lab: lab.lab, container: node.containerName, interfaces: node.interfaces };
      nodes.set(node.name, [...(nodes.get(node.name) ?? []), found]);
    }
  }
  return { nodes, host: config.dockerHost, sshOpts: config.sshOpts, router: labImageTag("router", config.baseImage) };
}

export interface CaptureTarget {
  container: string;
  /** The address the interface holds when named by segment; else its kernel name. */
  address?: string;
  device?: string;
  exec: DockerExecTarget;
  image: string;
  /** The capture container's name: the node's, `-capture-` and a random tail. */
  name: string;
}

/** The node's container, the interface (by segment's address, or by kernel name), the host and the image. */
export function captureTarget(values: Record<string, unknown>, request: CaptureRequest, tail: string): CaptureTarget {
  const { nodes, host, sshOpts, router } = plannedNodes(values);
  // `<lab>/<node>` where several labs of the stack have a node of that name.
  const [labName, nodeName] = request.node.includes("/") ? request.node.split("/", 2) : [undefined, request.node];
  const found = (nodes.get(nodeName) ?? []).filter((node) => labName === undefined || node.lab === labName);
  if (found.length === 0) throw new Error(`stack ${request.stack} has no node ${request.node} (it has ${[...nodes.keys()].join(", ")})`);
  if (found.length > 1) {
    const labs = found.map((node) => node.lab);
    throw new Error(
      `node ${request.node} is in labs ${labs.join(", ")}: name it as ${labs.map((lab) => `${lab}/${nodeName}`).join(" or ")}`,
    );
  }
  const node = found[0];
  const onSegment = node.interfaces.find((iface) => iface.segment === request.iface);
  if (!onSegment && !/^[A-Za-z0-9_.-]{1,15}$/.test(request.iface))
    throw new Error(`${request.iface} is neither a segment of node ${request.node} nor an interface name`);
  const exec = hostConnection(host, sshOpts).exec as DockerExecTarget;
  return {
    container: node.container,
    ...(onSegment ? { address: onSegment.address } : { device: request.iface }),
    exec,
    image: router,
    name: `${node.container}-capture-${tail}`,
  };
}

/** The capture's script: the interface by address (as the node's init finds it) or by name, then tcpdump writing pcap, packet by packet. */
export function captureScript(target: CaptureTarget, seconds?: number): string {
  const find = target.address
    ? `dev=$(ip -o -4 addr show | awk -v want=${target.address} '{ split($4, a, "/"); if (a[1] == want) { print $2; exit } }')`
    : `dev=${target.device}`;
  const bounded = seconds ? `timeout -s INT ${seconds} ` : "";
  return [
    find,
    `ip link show dev "$dev" >/dev/null 2>&1 || { echo "lab:capture: no interface ${target.address ?? target.device} in the node" >&2; exit 3; }`,
    // -U: each packet written as it comes. -Z root: tcpdump would drop to its own user, which the
    // container's root, without CAP_KILL, could then no longer stop at the end of --seconds.
    `exec ${bounded}tcpdump -i "$dev" -U -n -Z root -w -`,
  ].join("\n");
}

/**
 * The docker argv that runs the capture on the stack's host: NET_RAW and NET_ADMIN in the node's
 * namespace only, SETUID and SETGID for tcpdump's change of user (to root: see captureScript); removed when done.
 */
export function captureArgv(target: CaptureTarget, seconds?: number): string[] {
  return remoteDockerArgv(target.exec, [
    "run",
    "--rm",
    "-i",
    "--name",
    target.name,
    "--pull",
    "never",
    "--network",
    `container:${target.container}`,
    "--cap-drop",
    "ALL",
    "--cap-add",
    "NET_RAW",
    "--cap-add",
    "NET_ADMIN",
    "--cap-add",
    "SETUID",
    "--cap-add",
    "SETGID",
    "--label",
    "io.docker-netlabs.role=capture",
    "--entrypoint",
    "sh",
    target.image,
    "-c",
    captureScript(target, seconds),
  ]);
}

/** The docker argv that stops the capture (tcpdump ends its file; --rm removes the container). */
export function stopArgv(target: CaptureTarget): string[] {
  return remoteDockerArgv(target.exec, ["stop", "--time", "5", target.name]);
}
