/**
 * A Docker host's facts as its engine sees them, the same way for every transport: the engine's
 * version, platform, kernel and memory (`docker version`, `docker info`), the project's images
 * (`docker image ls`), and the interfaces, IPv4 addresses and bridge netfilter setting of the
 * engine's own network namespace, read by a short-lived container in it (`docker run --network
 * host`) on an image the engine already has: nothing is pulled for it. Where the engine runs in a
 * VM (Docker Desktop), in a namespace of its own, or behind a forwarded socket, these are its facts,
 * not those of the machine that asked. This module holds the commands (docker arguments, run by
 * whichever transport reaches the engine: engine-check.ts for the local CLI, ssh-host.ts over
 * ssh2) and parses their output. Pure and import-free: HostCheck's dynamic provider carries it.
 */

export interface EngineFacts {
  /** The engine's version, or "none" when no engine answered. */
  dockerVersion: string;
  /** The engine's platform (e.g. linux/arm64): lab images are built for it; "none" without an engine. */
  platform: string;
  /** The kernel the engine runs on; "" when unknown. */
  kernel: string;
  /** The memory the engine can give its containers, in bytes; absent when unknown. */
  memoryBytes?: number;
  /** The project's lab images already on the engine (docker-netlabs/*). */
  images: string[];
  /** Of the images asked about (imageSourcesArgs), what each says it is built from (label io.docker-netlabs.source; "" when none), by tag. */
  imageSources?: Record<string, string>;
  /** The interfaces of the engine's network namespace; absent when unknown (see networkUnknown). */
  interfaces?: string[];
  /** The IPv4 addresses held there, without prefix length; absent when unknown. */
  addresses?: string[];
  /** net.bridge.bridge-nf-call-iptables there: "1", "0", "absent" (br_netfilter not loaded) or "unknown". */
  bridgeNetfilter: string;
  /** Why the interfaces and addresses are unknown, when they are: for a note, not an error. */
  networkUnknown?: string;
  /** What the docker CLI said when no engine answered (its first line). */
  unanswered?: string;
  /** Of the kernel features asked about (kernel-facts.ts), whether the engine's kernel has each; absent when not asked or unknown. */
  kernelFeatures?: Record<string, boolean>;
  /** Why the kernel features asked about are unknown, when they are: for a note, not an error. */
  kernelUnknown?: string;
  /** The CPUs the engine's containers see (the kernel look); absent when not looked at. */
  cpus?: number;
  /**
   * Whether the kernel takes a netem qdisc (the kernel look tried one in a throwaway network
   * namespace): "yes", "no: <what tc said>", or "unknown: <why>"; absent when not looked at.
   */
  netem?: string;
}

/** What one docker command gave: its exit code (non-zero when it could not run or ran out of time) and output. */
export interface DockerOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** The base image of the lab images: a look at the network namespace can run on it too. */
export const BASE_IMAGE = "debian:bookworm-slim";
const LAB_IMAGES = "docker-netlabs/*";
/** The label a lab image carries with what it is built from (lab-image.ts: labImageSource). */
export const SOURCE_LABEL = "io.docker-netlabs.source";

/** The engine queries, each a docker command's arguments: independent of each other. */
export const ENGINE_QUERIES = {
  version: ["version", "--format", "{{json .Server}}"],
  info: ["info", "--format", "{{json .MemTotal}}"],
  // Two reference filters match either: the lab images, and the base image to look with.
  images: [
    "image",
    "ls",
    "--format",
    "{{.Repository}}:{{.Tag}}",
    "--filter",
    `reference=${LAB_IMAGES}`,
    "--filter",
    `reference=${BASE_IMAGE}`,
  ],
} as const;

/**
 * What the look at the network namespace runs: sh builtins only, so any image with a shell will
 * do; `ip` where the image has it, else the kernel's own table of local addresses.
 */
export const NETWORK_LOOK_SCRIPT = [
  "echo '== interfaces'",
  'for path in /sys/class/net/*; do [ -e "$path" ] && echo "${path##*/}"; done',
  "echo '== bridge-nf-call-iptables'",
  "file=/proc/sys/net/bridge/bridge-nf-call-iptables",
  'if [ -r "$file" ]; then read -r value < "$file"; echo "$value"; else echo absent; fi',
  "if command -v ip >/dev/null 2>&1; then echo '== ip-addr'; ip -o -4 addr show",
  'else echo \'== fib_trie\'; while IFS= read -r line || [ -n "$line" ]; do echo "$line"; done < /proc/net/fib_trie; fi',
].join("\n");

/** How a short-lived helper container runs: its network, user and capability, its role label, its script. */
export interface HelperRun {
  /** `host`, `none` or `container:<name>`. */
  network: string;
  /** A capability it keeps (all others dropped); none when absent. */
  capability?: string;
  /** Runs as this uid:gid rather than root. */
  user?: string;
  /** Its root file system read-only. */
  readOnly: boolean;
  /** The value of its `io.docker-netlabs.role` label. */
  role: string;
}

/** The docker arguments of a helper container: never pulled, no new privileges, removed once its `sh -c` script ends. */
export function helperRunArgs(run: HelperRun, image: string, script: string): string[] {
  return [
    "run",
    "--rm",
    "--pull",
    "never",
    "--network",
    run.network,
    ...(run.user ? ["--user", run.user] : []),
    "--cap-drop",
    "ALL",
    ...(run.capability ? ["--cap-add", run.capability] : []),
    "--security-opt",
    "no-new-privileges",
    ...(run.readOnly ? ["--read-only"] : []),
    "--label",
    `io.docker-netlabs.role=${run.role}`,
    "--entrypoint",
    "sh",
    image,
    "-c",
    script,
  ];
}

/**
 * The docker arguments of the look: a container in the engine's network namespace that reads it
 * and is removed; never pulled, unprivileged, no capability, read-only.
 */
export function networkLookArgs(image: string): string[] {
  return helperRunArgs({ network: "host", user: "65534:65534", readOnly: true, role: "host-facts" }, image, NETWORK_LOOK_SCRIPT);
}

/**
 * What the kernel look runs: the CPUs its container sees, and a netem qdisc tried on `lo` of the
 * container's own network namespace (`--network none`: a fresh one, thrown away with it). Trying is
 * the honest test: sch_netem may be built in, a module the kernel loads on demand, or absent, and a
 * host without /proc/modules or /lib/modules (a kernel without modules) cannot say otherwise.
 */
export const KERNEL_LOOK_SCRIPT = [
  "echo '== cpus'",
  'if command -v nproc >/dev/null 2>&1; then nproc; else n=0; while read -r key _; do [ "$key" = processor ] && n=$((n + 1)); done < /proc/cpuinfo; echo "$n"; fi',
  "echo '== netem'",
  "if ! command -v tc >/dev/null 2>&1; then echo 'unknown: the image has no tc'",
  "elif said=$(tc qdisc add dev lo root netem delay 1ms 2>&1); then echo yes",
  'else echo "no: $said"; fi',
].join("\n");

/**
 * The docker arguments of the kernel look: a container in a network namespace of its own, with
 * NET_ADMIN there only (it reaches nothing else), never pulled, read-only, removed. `more`: further
 * sections to try in the same container (kernel-facts.ts: the link kinds VRFs and VLANs need).
 */
export function kernelLookArgs(image: string, more = ""): string[] {
  const script = more ? `${KERNEL_LOOK_SCRIPT}\n${more}` : KERNEL_LOOK_SCRIPT;
  return helperRunArgs({ network: "none", capability: "NET_ADMIN", readOnly: true, role: "host-facts" }, image, script);
}

/** The image the kernel look runs on: a lab image with ip and tc (router, else client); undefined when the engine has neither. */
export function kernelLookImage(images: DockerOutput): string | undefined {
  if (images.code !== 0) return undefined;
  const lines = imageLines(images.stdout);
  return ["docker-netlabs/router:", "docker-netlabs/client:"].flatMap((prefix) =>
    lines.filter((line) => line.startsWith(prefix)).sort(),
  )[0];
}

/** CPUs and netem from the kernel look's output. */
export function parseKernelLook(output: DockerOutput | undefined, why: string): Pick<EngineFacts, "cpus" | "netem"> {
  if (!output) return { netem: `unknown: ${why}` };
  const sections = lookSections(output.stdout);
  const cpus = Number(sections.get("cpus")?.[0]?.trim());
  const netem = sections.get("netem")?.join(" ").trim();
  return {
    ...(Number.isSafeInteger(cpus) && cpus > 0 ? { cpus } : {}),
    netem: netem && /^(yes|no:|unknown:)/.test(netem) ? netem.slice(0, 200) : `unknown: the kernel look failed: ${firstLine(output)}`,
  };
}

/**
 * The docker arguments that read what images say they are built from: one line per image present,
 * its tags (JSON) and its source label. Images absent are left out (the command then exits 1).
 */
export function imageSourcesArgs(tags: readonly string[]): string[] {
  return ["image", "inspect", "--format", `{{json .RepoTags}} {{index .Config.Labels "${SOURCE_LABEL}"}}`, ...tags];
}

/** The source label of each of `tags` found in imageSourcesArgs' output. */
export function parseImageSources(stdout: string, tags: readonly string[]): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const match = /^(\[[^\]]*\])\s?(.*)$/.exec(line.trim());
    if (!match) continue;
    let repoTags: unknown;
    try {
      repoTags = JSON.parse(match[1]);
    } catch {
      continue;
    }
    if (!Array.isArray(repoTags)) continue;
    for (const tag of tags) if (repoTags.includes(tag)) sources[tag] = match[2].trim();
  }
  return sources;
}

/** The image lines of `docker image ls`, without dangling `<none>` ones. */
function imageLines(output: string): string[] {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^[^\s<>]+:[^\s<>]+$/.test(line));
}

/** The image to look with, from the images query: the base image, else a lab image; undefined when the engine has neither. */
export function lookImage(images: DockerOutput): string | undefined {
  if (images.code !== 0) return undefined;
  const lines = imageLines(images.stdout);
  return lines.includes(BASE_IMAGE) ? BASE_IMAGE : lines.filter((line) => line.startsWith("docker-netlabs/")).sort()[0];
}

/** Version, platform and kernel from `docker version --format '{{json .Server}}'`; undefined when unreadable. */
export function parseEngineVersion(stdout: string): { dockerVersion: string; platform: string; kernel: string } | undefined {
  let server: unknown;
  try {
    server = JSON.parse(stdout.trim());
  } catch {
    return undefined;
  }
  if (typeof server !== "object" || server === null) return undefined;
  const field = (name: string) => {
    const value = (server as Record<string, unknown>)[name];
    return typeof value === "string" ? value.trim() : "";
  };
  if (!/^\d+\.\d+/.test(field("Version"))) return undefined;
  const platform = field("Os") && field("Arch") ? `${field("Os")}/${field("Arch")}` : "none";
  return { dockerVersion: field("Version"), platform, kernel: field("KernelVersion") };
}

/** Bytes from `docker info --format '{{json .MemTotal}}'`; undefined when unreadable. */
export function parseMemTotal(stdout: string): number | undefined {
  const bytes = Number(stdout.trim());
  return stdout.trim() !== "" && Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** The `== name` sections of the look's output. */
function lookSections(stdout: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    const header = /^== (\S+)$/.exec(line.trim());
    if (header) {
      current = [];
      sections.set(header[1], current);
    } else if (current && line.trim() !== "") current.push(line);
  }
  return sections;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The addresses of `ip -o -4 addr show` ("2: eth0    inet 192.0.2.7/24 brd ... scope global eth0"). */
export function parseIpAddr(lines: string[]): string[] {
  const found = lines.map((line) => /\binet\s+([0-9.]+)\//.exec(line)?.[1]).filter((address) => address && IPV4.test(address));
  return [...new Set(found as string[])];
}

/**
 * The local addresses of /proc/net/fib_trie: each leaf ("|-- 192.0.2.7") followed by a
 * "/32 host LOCAL" entry is an address the namespace holds.
 */
export function parseFibTrie(lines: string[]): string[] {
  const found: string[] = [];
  let leaf: string | undefined;
  for (const line of lines) {
    const leafMatch = /\|--\s+(\S+)/.exec(line);
    if (leafMatch) leaf = leafMatch[1];
    else if (leaf && /^\s*\/32\s+host\s+LOCAL\b/.test(line) && IPV4.test(leaf)) found.push(leaf);
  }
  return [...new Set(found)];
}

/** Interfaces, addresses and bridge netfilter from the look's output; undefined when it is not the look's. */
export function parseNetworkLook(stdout: string): Pick<EngineFacts, "interfaces" | "addresses" | "bridgeNetfilter"> | undefined {
  const sections = lookSections(stdout);
  const interfaces = sections.get("interfaces");
  const ipAddr = sections.get("ip-addr");
  const fibTrie = sections.get("fib_trie");
  if (!interfaces || (!ipAddr && !fibTrie)) return undefined;
  const names = interfaces.map((line) => line.trim()).filter((name) => /^[^\s/*]+$/.test(name));
  const bridge = sections.get("bridge-nf-call-iptables")?.[0]?.trim() ?? "unknown";
  return {
    interfaces: [...new Set(names)].sort(),
    addresses: ipAddr ? parseIpAddr(ipAddr) : parseFibTrie(fibTrie!),
    bridgeNetfilter: ["0", "1", "absent"].includes(bridge) ? bridge : "unknown",
  };
}

/** The first line a failed command said, bounded, for a message. */
export function firstLine(output: DockerOutput): string {
  const line = `${output.stderr}\n${output.stdout}`.split("\n").find((text) => text.trim() !== "") ?? `exit ${output.code}`;
  return line.trim().slice(0, 200);
}

/** What the queries and the look (when one ran or was wanted) gave, as facts. */
export interface EngineOutputs {
  version: DockerOutput;
  info?: DockerOutput;
  images?: DockerOutput;
  /** What imageSourcesArgs(sourcesOf) gave, when images were asked about. */
  sources?: DockerOutput;
  sourcesOf?: readonly string[];
  /** The look's output; absent when none ran. */
  look?: DockerOutput;
  /** Whether the network namespace was to be looked at (a reason is given when it was not). */
  lookWanted?: boolean;
  /** The kernel look's output, when one was wanted (kernelWanted) and ran. */
  kernelLook?: DockerOutput;
  kernelWanted?: boolean;
}

/** The facts from the commands' outputs. Pure; never throws on odd output (the fact is unknown instead). */
export function engineFacts(outputs: EngineOutputs): EngineFacts {
  const version = outputs.version.code === 0 ? parseEngineVersion(outputs.version.stdout) : undefined;
  if (!version) {
    const unanswered = firstLine(outputs.version);
    return {
      dockerVersion: "none",
      platform: "none",
      kernel: "",
      images: [],
      bridgeNetfilter: "unknown",
      networkUnknown: `no Docker engine answered (${unanswered})`,
      unanswered,
    };
  }
  const memoryBytes = outputs.info?.code === 0 ? parseMemTotal(outputs.info.stdout) : undefined;
  const images = outputs.images?.code === 0 ? imageLines(outputs.images.stdout).filter((line) => line.startsWith("docker-netlabs/")) : [];
  const imageSources = outputs.sources ? parseImageSources(outputs.sources.stdout, outputs.sourcesOf ?? []) : undefined;
  const facts: EngineFacts = {
    ...version,
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    images,
    ...(imageSources ? { imageSources } : {}),
    bridgeNetfilter: "unknown",
    ...(outputs.kernelWanted
      ? parseKernelLook(
          outputs.kernelLook,
          `the engine has no image to try it with (${BASE_IMAGE} or docker-netlabs/router; nothing is pulled)`,
        )
      : {}),
  };
  if (!outputs.lookWanted) return facts;
  if (!outputs.look) {
    return {
      ...facts,
      networkUnknown: `the engine has neither ${BASE_IMAGE} nor a docker-netlabs/* image to look at its network namespace with (nothing is pulled for it)`,
    };
  }
  const network = outputs.look.code === 0 ? parseNetworkLook(outputs.look.stdout) : undefined;
  return network
    ? { ...facts, ...network }
    : { ...facts, networkUnknown: `the look at the engine's network namespace failed: ${firstLine(outputs.look)}` };
}
