/**
 * The shape of a lab (segments, nodes, routes, published ports) and its validation into a topology
 * plan. Pure: no Pulumi resources, no I/O, no protocol: a node's and the lab's routing fields are
 * given to `labSpecSchema` by the layer above (routed-lab/plan.ts), which plans them. Shape is
 * checked by a zod schema, meaning (addresses inside their segment, next hops on-link, no overlaps
 * or duplicates) by the checks below; every problem is reported with the field path and the value.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { z } from "zod";
import { Ipv4Subnet, isIpv4Address, isUsableHost, lastUsableAddress, bounds, parseSubnet } from "./addressing";
import { Ipv6Prefix, bounds6, canonicalIpv6, isIpv6Address, isUsableHost6, lastAddress6, parseSegmentPrefix6 } from "./addressing6";
import { DEFAULT6, planRoutes } from "./routes";
import { hostReachingReason, isCapability } from "./capabilities";
import { ConfigIssue, LabConfigError, fromZodIssues, show } from "./errors";
import { plainEnum } from "./plain-enum";
/** The images the project builds from `images/`. */
export const LAB_IMAGE_NAMES = ["router", "web", "client", "dhcp-server"] as const;
export type LabImageName = (typeof LAB_IMAGE_NAMES)[number];

const dnsLabel = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "must be lowercase letters, digits and dashes, starting with a letter");

const port = z.number().int().min(1, "must be a port from 1 to 65535").max(65535, "must be a port from 1 to 65535");

const ipv4 = z.string().refine(isIpv4Address, "must be an IPv4 address");

/** A segment stretched to another Docker host through a VXLAN tunnel between the two hosts. */
const vxlanSchema = z.strictObject({
  /** VXLAN network identifier; the same at both ends. */
  id: z.number().int().min(1, "must be a VNI from 1 to 16777215").max(16777215, "must be a VNI from 1 to 16777215"),
  /** The other host's underlay address. */
  remote: ipv4,
  /** This host's underlay address to send from; the kernel chooses when it is omitted. */
  local: ipv4.optional(),
  /** The underlay interface on this host (optional). */
  device: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,15}$/, "must be an interface name of at most 15 characters")
    .optional(),
  /** UDP port of the tunnel at both ends (IANA's 4789 unless told). */
  port: port.default(4789),
  /** MTU of the segment: the underlay's less the 50 bytes VXLAN adds (1450 on a 1500-byte underlay). */
  mtu: z.number().int().min(1280, "must be from 1280 to 9000").max(9000, "must be from 1280 to 9000").default(1450),
});

/** An MTU: IPv6's minimum to a jumbo frame (IPv4-only segments are held to the same floor). */
const mtuSchema = z
  .number()
  .int("must be a whole number of bytes")
  .min(1280, "must be from 1280 to 9000")
  .max(9000, "must be from 1280 to 9000");

/**
 * What a node sends on an interface suffers (ImpairmentSpec). The floor of the rate is the
 * project's: tbf takes any rate of at least 1 byte/s, but below 10 kbit/s one full-size frame
 * takes over a second and the lab's own probes time out.
 */
export const impairmentSchema = z
  .strictObject({
    delayMs: z.number().min(0, "must be from 0 to 60000 ms").max(60000, "must be from 0 to 60000 ms").optional(),
    jitterMs: z.number().min(0, "must be from 0 to 60000 ms").max(60000, "must be from 0 to 60000 ms").optional(),
    lossPercent: z.number().min(0, "must be from 0 to 100 %").max(100, "must be from 0 to 100 %").optional(),
    rateMbit: z
      .number()
      .min(0.01, "must be from 0.01 to 100000 Mbit/s (below 10 kbit/s a full-size frame takes over a second)")
      .max(100000, "must be from 0.01 to 100000 Mbit/s")
      .optional(),
  })
  .superRefine((impairment, ctx) => {
    if (impairment.jitterMs !== undefined && impairment.delayMs === undefined) {
      ctx.addIssue({ code: "custom", path: ["jitterMs"], message: "jitter varies a delay: give delayMs as well" });
    }
  });

export type ImpairmentPlan = z.output<typeof impairmentSchema>;

const segmentSchema = z.strictObject({
  name: dnsLabel,
  /** Optional here so that a segment without it gets planSegments' own message (IPv6-only segments are refused). */
  subnet: z.string().optional(),
  /** Its IPv6 prefix, /64 to /127, beside the subnet. */
  ipv6: z.string().optional(),
  driver: plainEnum(["bridge", "macvlan"]).default("bridge"),
  internal: z.boolean().default(true),
  /** Docker's own gateway address; defaults to the last usable address so that .1 stays free. */
  gateway: z.string().optional(),
  /** Host interface a macvlan segment sits on. */
  parent: z.string().optional(),
  /** Stretch this bridge segment to another host (each host's stack holds its own half). */
  vxlan: vxlanSchema.optional(),
  /** A point-to-point link whose two routers borrow their loopback addresses (the routing checks its ends). */
  unnumbered: z.boolean().optional(),
  /** The MTU of every interface on it (Docker's network MTU on a bridge; each node's init on a macvlan). */
  mtu: mtuSchema.optional(),
  /** What every node sends on it suffers, unless its interface has its own. */
  impairment: impairmentSchema.optional(),
});

const interfaceSchema = z.strictObject({
  segment: z.string(),
  address: z.string(),
  /** Its IPv6 address on the segment (whose ipv6 prefix it must be in). */
  ipv6: z.string().optional(),
  aliases: z.array(dnsLabel).default([]),
  mac: z
    .string()
    .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, "must be a MAC address such as 02:00:00:00:00:01")
    .transform((mac) => mac.toLowerCase())
    .optional(),
  /** Lets `mac` be universally administered (a vendor's). */
  universalMac: z.boolean().default(false),
  mtu: mtuSchema.optional(),
  impairment: impairmentSchema.optional(),
});

const routeSchema = z.strictObject({
  /** An IPv4 or IPv6 CIDR, "default" (IPv4) or "default6" (IPv6, also ::/0). */
  to: z.string(),
  via: z.string(),
});

const publishSchema = z.strictObject({
  containerPort: port,
  hostPort: port,
  protocol: plainEnum(["tcp", "udp"]).default("tcp"),
  hostAddress: z.string().default("127.0.0.1"),
});

/** A lab image by name; `{ ref }` (an image of the user's) is the form stack config may hold for imageRef. */
const imageSchema = z.union([plainEnum(LAB_IMAGE_NAMES), z.strictObject({ ref: z.string().min(1, "must name an image") })], {
  message: `must be a lab image: ${LAB_IMAGE_NAMES.join(", ")} (an image of yours is imageRef)`,
});

/** Docker's --cpus: from 0.01 (its floor); the host's cores bound it (host facts). */
const cpusSchema = z.number().min(0.01, "must be at least 0.01 CPUs (e.g. 0.5)").max(1024, "must be at most 1024 CPUs");
/** Docker refuses a memory limit below 6 MiB; a node's kind may need more (planNode). */
const memorySchema = z.number().int("must be a whole number of MiB").min(6, "must be at least 6 MiB (Docker's floor)");

/** Resources every node gets unless it says otherwise (NodeDefaultsSpec). */
const nodeDefaultsSchema = z.strictObject({ cpus: cpusSchema.optional(), memoryMiB: memorySchema.optional() });

/** How long a node command may run unless its node says otherwise: below the readiness gate's 90 s. */
export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 60;

const nodeSchema = z.strictObject({
  name: dnsLabel,
  /** A lab image by name; exactly one of image and imageRef (planNode checks). */
  image: imageSchema.optional(),
  /** An image of the user's, pulled if absent. */
  imageRef: z.string().min(1, "must name an image").optional(),
  interfaces: z.array(interfaceSchema).min(1, "a node needs at least one interface"),
  routes: z.array(routeSchema).default([]),
  /** Forwards packets between its interfaces. */
  router: z.boolean().default(false),
  /** Shell commands run once every interface is up, in order, before the main process. */
  commands: z.array(z.string()).default([]),
  /**
   * How long each of `commands` may run before the node stops it and gives up, naming it (a hung
   * command would otherwise hold the node unready for ever). Keep it below the lab's readiness wait.
   */
  commandTimeoutSeconds: z
    .number()
    .int("must be a whole number of seconds")
    .min(1, "must be from 1 to 3600 seconds")
    .max(3600, "must be from 1 to 3600 seconds")
    .default(DEFAULT_COMMAND_TIMEOUT_SECONDS),
  /** The main process; defaults to the lab image's own, or an idle wait for other images. */
  command: z.array(z.string()).optional(),
  publish: z.array(publishSchema).default([]),
  /**
   * Files written into the container before it starts: absolute path to content. Paths are
   * normalised (`//`, `.` and `..` resolved) before they are checked, and the plan holds them so.
   */
  files: z
    .record(z.string(), z.string())
    .superRefine((files, ctx) => {
      for (const issue of filePathIssues(Object.keys(files))) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    })
    .transform((files) => Object.fromEntries(Object.entries(files).map(([path, content]) => [posix.normalize(path), content])))
    .default({}),
  /** Environment variables; values may be Pulumi secrets and stay secret. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "is not a variable name"), z.any()).default({}),
  /**
   * Names the node resolves outside Docker's DNS, name to IPv4 address: Docker's DNS knows only the
   * containers of its own host, so this is how a node names the far half of a stretched segment.
   */
  hosts: z
    .record(
      z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "must be a host name (lowercase letters, digits, dots, dashes)"),
      ipv4,
    )
    .default({}),
  /**
   * Capabilities beyond what the node's role needs (NET_ADMIN is added for routes and routers):
   * Linux capabilities by name; `ALL` and those that reach the host (net/capabilities.ts) only
   * with `allowHostReachingCapabilities`.
   */
  capabilities: z
    .array(
      z
        .string()
        .regex(/^[A-Z_]+$/, "is not a capability name such as NET_ADMIN")
        .refine(isCapability, "is not a Linux capability (such as NET_ADMIN, NET_RAW, SYS_NICE)"),
    )
    .default([]),
  /** Lets `capabilities` name ALL and the capabilities that reach the host (SYS_ADMIN, SYS_MODULE, ...). */
  allowHostReachingCapabilities: z.boolean().default(false),

  cpus: cpusSchema.optional(),
  memoryMiB: memorySchema.optional(),
});

type NodeCapabilities = Pick<z.output<typeof nodeSchema>, "capabilities" | "allowHostReachingCapabilities">;

/** Capabilities that reach the host need the node's allowHostReachingCapabilities (net/capabilities.ts). */
function hostReachingCapabilityIssues(node: NodeCapabilities, ctx: z.RefinementCtx): void {
  if (node.allowHostReachingCapabilities) return;
  node.capabilities.forEach((capability, index) => {
    const reason = hostReachingReason(capability);
    if (reason) {
      ctx.addIssue({
        code: "custom",
        path: ["capabilities", index],
        message: `reaches the host (it ${reason}): set allowHostReachingCapabilities: true on the node to grant it`,
      });
    }
  });
}

/** The node's init script and ready file live there (routed-lab/node-init.ts): a file would replace them. */
const RESERVED_FILE_DIRS = /^\/(run\/)?netlabs(\/|$)/;

/**
 * Node file paths that are not absolute, that normalise (`//`, `.`, `..`) into /netlabs or
 * /run/netlabs, or that name the same file as another path; each issue's path is the path as given.
 */
function filePathIssues(paths: string[]): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    if (!path.startsWith("/")) {
      issues.push({ path, message: "must be an absolute path" });
      continue;
    }
    const normal = posix.normalize(path);
    const as = normal === path ? "" : ` (${show(normal)} once normalised)`;
    if (RESERVED_FILE_DIRS.test(normal)) {
      issues.push({ path, message: `is under /netlabs or /run/netlabs${as}, which hold the node's init script and ready file` });
    } else if (seen.has(normal)) {
      issues.push({ path, message: `names the same file as ${show(seen.get(normal))}${as}` });
    }
    seen.set(normal, path);
  }
  return issues;
}

/** What the lab is for, checked by its probe once it is up: a node reaches an address or fetches a URL (planLabChecks: one of them). */
const checkSchema = z.strictObject({
  from: dnsLabel,
  reach: z
    .string()
    .refine((address) => isIpv4Address(address) || isIpv6Address(address), "must be an IPv4 or IPv6 address")
    .optional(),
  fetch: z
    .string()
    .regex(/^https?:\/\/[^\s'"]+$/, "must be an http:// or https:// URL")
    .optional(),
  /** Text the answer must contain. */
  expect: z.string().optional(),
});

/**
 * The schema of a lab description: segments, nodes with `nodeFields` besides their own (and their
 * interfaces with `interfaceFields`), checks, and `labFields` (the routing layer's: routed-lab/plan.ts).
 */
export function labSpecSchema<NodeFields extends z.ZodRawShape, LabFields extends z.ZodRawShape, InterfaceFields extends z.ZodRawShape>(
  nodeFields: NodeFields,
  labFields: LabFields,
  interfaceFields: InterfaceFields,
) {
  const interfaces = z.array(interfaceSchema.extend(interfaceFields)).min(1, "a node needs at least one interface");
  return z.strictObject({
    segments: z.array(segmentSchema).min(1, "a lab needs at least one segment"),
    nodes: z
      .array(
        nodeSchema
          .extend({ ...nodeFields, interfaces })
          .superRefine((node, ctx) => hostReachingCapabilityIssues(node as NodeCapabilities, ctx)),
      )
      .min(1, "a lab needs at least one node"),
    checks: z.array(checkSchema).default([]),
    nodeDefaults: nodeDefaultsSchema.default({}),
    ...labFields,
  });
}

/** What the topology reads of a parsed lab description (whatever fields the layer above added). */
export interface TopologyInput {
  segments: z.output<typeof segmentSchema>[];
  nodes: z.output<typeof nodeSchema>[];
  checks: z.output<typeof checkSchema>[];
  nodeDefaults?: z.output<typeof nodeDefaultsSchema>;
}

export interface VxlanPlan {
  id: number;
  remote: string;
  local?: string;
  device?: string;
  port: number;
  mtu: number;
  /** The VXLAN interface on the host, enslaved to the segment's bridge (at most 15 characters). */
  interfaceName: string;
}

export interface SegmentPlan {
  name: string;
  subnet: Ipv4Subnet;
  driver: "bridge" | "macvlan";
  internal: boolean;
  gateway: string;
  /** Its IPv6 prefix, when it has one (Docker's network then has IPv6 on). */
  ipv6?: Ipv6Prefix;
  /** Docker's own IPv6 gateway: the prefix's last address, as the IPv4 one is the highest usable. */
  gateway6?: string;
  parent?: string;
  /** Docker network name. */
  networkName: string;
  /** Linux bridge name on the host (bridge driver only), at most 15 characters. */
  bridgeName?: string;
  /** The tunnel to the other host, for a stretched segment. */
  vxlan?: VxlanPlan;
  /** Its two routers borrow their loopbacks (RoutedLab's routing; absent on a numbered segment). */
  unnumbered?: boolean;
  /** The MTU of its interfaces, when the segment sets one (a stretched segment's is vxlan.mtu). */
  mtu?: number;
  /** What every node sends on it suffers, unless its interface has its own. */
  impairment?: ImpairmentPlan;
}

export interface InterfacePlan {
  segment: string;
  address: string;
  prefixLength: number;
  /** Its IPv6 address (RFC 5952 text), on a segment with an IPv6 prefix. */
  ipv6?: string;
  /** The segment's IPv6 prefix length, with `ipv6`. */
  ipv6PrefixLength?: number;
  aliases: string[];
  /** The MAC address the node's init gives it (lowercase). */
  mac?: string;
  /** The MTU the node's init gives it: its own, or a macvlan segment's. */
  mtu?: number;
  /** What the node sends here suffers: its own, or the segment's (applied by a LinkImpairment). */
  impairment?: ImpairmentPlan;
}

export interface PublishPlan {
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
  hostAddress: string;
  /** Docker publishes ports only on non-internal networks; otherwise a host-side forwarder does. */
  via: "docker" | "forwarder";
  /** The node address the forwarder connects to. */
  targetAddress: string;
}

/** A node as the topology plans it; the layer above adds its routing (routed-lab/plan.ts). */
export interface TopologyNodePlan {
  name: string;
  containerName: string;
  image: LabImageName | { ref: string };
  interfaces: InterfacePlan[];
  /**
   * IPv4 routes as given; IPv6 ones with RFC 5952 addresses, `to` a CIDR or "default6" (the IPv6
   * default, also written ::/0).
   */
  routes: { to: string; via: string }[];
  /**
   * Remove the default route Docker sets via its gateway: on internal segments that gateway is
   * the host's bridge, which leads nowhere and only causes redirects and leaks between labs.
   */
  dropDockerDefaultRoute: boolean;
  /** The same for Docker's IPv6 default route; present only on a node with IPv6. */
  dropDockerDefaultRoute6?: boolean;
  router: boolean;
  commands: string[];
  /** Each command's time limit. */
  commandTimeoutSeconds: number;
  command?: string[];
  publish: PublishPlan[];
  files: Record<string, string>;
  env: Record<string, unknown>;
  /** Extra name to address entries of the node's /etc/hosts. */
  hosts: Record<string, string>;
  /** Capabilities added to the container's. */
  capabilities: string[];
  /** Docker's default capabilities are dropped: the node keeps only `capabilities`. */
  dropDefaultCapabilities: boolean;
  /** CPUs it may use (its own, else the lab's nodeDefaults). */
  cpus?: number;
  /** Memory it may use, MiB (its own, else the lab's nodeDefaults). */
  memoryMiB?: number;
}

export type LabCheckPlan =
  | { from: string; container: string; reach: string }
  | { from: string; container: string; fetch: string; expect?: string };

export interface TopologyPlan {
  lab: string;
  segments: SegmentPlan[];
  nodes: TopologyNodePlan[];
  /** The lab's own checks, with the container each runs in. */
  checks: LabCheckPlan[];
  /**
   * Bridges whose traffic must pass Docker's isolation rules because a router node
   * forwards between lab segments (ARCHITECTURE.md, Host preparation).
   */
  guardedBridges: string[];
}

export interface PlanOptions {
  /** Prefix for Docker object names, so several stacks can share an engine. */
  namePrefix?: string;
}

/** A deterministic host interface name (IFNAMSIZ allows 15 characters) from a segment's network name. */
function hostLinkName(prefix: "nl-" | "nx-", dockerNetworkName: string): string {
  return prefix + createHash("sha256").update(dockerNetworkName).digest("hex").slice(0, 10);
}

/** The Linux bridge of a lab segment. */
export const bridgeNameFor = (dockerNetworkName: string): string => hostLinkName("nl-", dockerNetworkName);

/** The host's VXLAN interface of a stretched segment. */
export const vxlanNameFor = (dockerNetworkName: string): string => hostLinkName("nx-", dockerNetworkName);

/** The subject of a lab's LabConfigError. */
export function labSubject(lab: string): string {
  return `lab ${show(lab)}`;
}

/**
 * Checks the lab's name and name prefix, then the shape of its description against `schema`.
 * Throws LabConfigError naming each field and value.
 */
export function parseLabSpec<Schema extends z.ZodType>(
  lab: string,
  spec: unknown,
  schema: Schema,
  options: PlanOptions = {},
): z.output<Schema> {
  const subject = labSubject(lab);
  const prefix = options.namePrefix ?? "";
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(lab)) {
    throw new LabConfigError(subject, [
      { path: "name", message: `${show(lab)} must be lowercase letters, digits and dashes, starting with a letter` },
    ]);
  }
  if (!/^[a-z0-9-]{0,20}$/.test(prefix)) {
    throw new LabConfigError(subject, [
      { path: "namePrefix", message: `${show(prefix)} must be at most 20 lowercase letters, digits or dashes` },
    ]);
  }
  const parsed = schema.safeParse(spec);
  if (!parsed.success) throw new LabConfigError(subject, fromZodIssues(parsed.error.issues, spec));
  return parsed.data;
}

/** A lab's segments and nodes as planned, with every problem found (the caller throws them). */
export interface TopologyDraft {
  segments: SegmentPlan[];
  nodes: TopologyNodePlan[];
  /** Every address the lab uses (gateways, interfaces), with its owner for messages. */
  addressOwners: ReadonlyMap<string, string>;
  issues: ConfigIssue[];
}

/** What planning a node reads and adds to as it goes. */
interface NodeContext {
  segments: ReadonlyMap<string, SegmentPlan>;
  addressOwners: Map<string, string>;
  /** `address:port/protocol` published so far, by node name. */
  publishedKeys: Map<string, string>;
  /** `segment mac` given so far, by node name. */
  macOwners: Map<string, string>;
  /** The lab's nodeDefaults. */
  nodeDefaults: { cpus?: number; memoryMiB?: number };
  issues: ConfigIssue[];
}

/** An interface of a node with the segment it is on. */
interface Attached {
  iface: InterfacePlan;
  segment: SegmentPlan;
}

/** Plans a parsed lab's segments and nodes, collecting every problem rather than stopping at the first. */
export function planTopology(lab: string, input: TopologyInput, options: PlanOptions = {}): TopologyDraft {
  const prefix = options.namePrefix ?? "";
  const issues: ConfigIssue[] = [];
  const segments = planSegments(`${prefix}${lab}-`, input.segments, issues);
  const addressOwners = new Map<string, string>();
  for (const segment of segments.values()) {
    addressOwners.set(segment.gateway, `segment ${show(segment.name)}'s gateway`);
    if (segment.gateway6) addressOwners.set(segment.gateway6, `segment ${show(segment.name)}'s IPv6 gateway`);
  }
  const context: NodeContext = {
    segments,
    addressOwners,
    publishedKeys: new Map(),
    macOwners: new Map(),
    nodeDefaults: input.nodeDefaults ?? {},
    issues,
  };
  const nodeNames = new Set<string>();
  const nodes = input.nodes.map((node, n) => {
    if (nodeNames.has(node.name)) {
      issues.push({ path: `nodes[${n}].name`, message: `${show(node.name)} is used by another node` });
    }
    nodeNames.add(node.name);
    return planNode(node, `nodes[${n}]`, `${prefix}${lab}-${node.name}`, context);
  });
  return { segments: [...segments.values()], nodes, addressOwners, issues };
}

/** A segment's MTU (a stretched one's is its tunnel's) and impairment, where it sets them. */
function segmentLinkOptions(segment: z.output<typeof segmentSchema>): Pick<SegmentPlan, "mtu" | "impairment"> {
  return {
    ...(segment.mtu !== undefined && !segment.vxlan ? { mtu: segment.mtu } : {}),
    ...(segment.impairment ? { impairment: segment.impairment } : {}),
  };
}

/** What is wrong with a segment's driver, parent and tunnel. */
function segmentDriverIssues(at: string, segment: z.output<typeof segmentSchema>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (segment.driver === "macvlan" && !segment.parent) {
    issues.push({ path: `${at}.parent`, message: "a macvlan segment needs the host interface it sits on" });
  }
  if (segment.driver === "bridge" && segment.parent) {
    issues.push({ path: `${at}.parent`, message: `${show(segment.parent)} is only for macvlan segments` });
  }
  if (segment.vxlan) issues.push(...stretchIssues(at, segment));
  return issues;
}

/** The segments by name, each valid one planned; `networkPrefix` heads every Docker network name. */
function planSegments(networkPrefix: string, specs: z.output<typeof segmentSchema>[], issues: ConfigIssue[]): Map<string, SegmentPlan> {
  const segments = new Map<string, SegmentPlan>();
  specs.forEach((segment, i) => {
    const at = `segments[${i}]`;
    if (segments.has(segment.name)) {
      issues.push({ path: `${at}.name`, message: `${show(segment.name)} is used by another segment` });
      return;
    }
    if (segment.subnet === undefined) {
      issues.push(missingSubnet(at, segment));
      return;
    }
    const subnet = parseSubnet(segment.subnet);
    if (typeof subnet === "string") {
      issues.push({ path: `${at}.subnet`, message: `${show(segment.subnet)} ${subnet}` });
      return;
    }
    const gateway = segment.gateway ?? lastUsableAddress(subnet);
    if (!isIpv4Address(gateway) || !isUsableHost(subnet, gateway)) {
      issues.push({ path: `${at}.gateway`, message: `${show(gateway)} is not a host address of ${subnet.cidr}` });
    }
    issues.push(...segmentDriverIssues(at, segment));
    const networkName = `${networkPrefix}${segment.name}`;
    segments.set(segment.name, {
      name: segment.name,
      subnet,
      driver: segment.driver,
      internal: segment.internal,
      gateway,
      parent: segment.parent,
      networkName,
      bridgeName: segment.driver === "bridge" ? bridgeNameFor(networkName) : undefined,
      vxlan: segment.vxlan ? { ...segment.vxlan, interfaceName: vxlanNameFor(networkName) } : undefined,
      ...(segment.unnumbered ? { unnumbered: true } : {}),
      ...planSegmentIpv6(at, segment, issues),
      ...segmentLinkOptions(segment),
    });
  });
  issues.push(...sharedTunnels(specs));
  const order = specs.map((segment) => segment.name);
  const planned = [...segments.values()];
  issues.push(
    ...overlappingPrefixes(
      planned.map((segment) => ({ name: segment.name, cidr: segment.subnet.cidr, range: bigBounds(segment.subnet) })),
      order,
      "subnet",
    ),
    ...overlappingPrefixes(
      planned.flatMap(({ name, ipv6 }) => (ipv6 ? [{ name, cidr: ipv6.cidr, range: bounds6(ipv6) }] : [])),
      order,
      "ipv6",
    ),
  );
  return segments;
}

function planNode(node: z.output<typeof nodeSchema>, at: string, containerName: string, context: NodeContext): TopologyNodePlan {
  const attached = planInterfaces(node, at, context);
  const routes = planRoutes(node.routes, at, node.name, attached, context.issues);
  const publish = planPublished(node, at, attached, context);
  const interfaces = attached.map(({ iface }) => iface);
  const allInternal = attached.every(({ segment }) => segment.internal);
  const hasIpv6 = interfaces.some((iface) => iface.ipv6 !== undefined);
  return {
    name: node.name,
    containerName,
    image: nodeImage(node, at, context.issues),
    interfaces,
    routes,
    dropDockerDefaultRoute: allInternal && !node.routes.some((route) => route.to === "default"),
    ...(hasIpv6 ? { dropDockerDefaultRoute6: allInternal && !routes.some((route) => route.to === DEFAULT6) } : {}),
    router: node.router,
    commands: node.commands,
    commandTimeoutSeconds: node.commandTimeoutSeconds,
    command: node.command,
    publish,
    files: node.files,
    env: node.env,
    hosts: node.hosts,
    capabilities: node.capabilities,
    dropDefaultCapabilities: false,
    ...nodeResources(node, at, context),
  };
}

/**
 * The least memory a node of each lab image starts in, MiB: what its init and main process use with
 * room to spare (an FRR router runs several daemons; the others one small process). An image of the
 * user's is held to Docker's floor only.
 */
export const MIN_NODE_MEMORY_MIB: Record<LabImageName, number> = { router: 64, web: 16, client: 16, "dhcp-server": 16 };

/** The node's CPUs and memory: its own, else the lab's nodeDefaults; memory at least what its image needs. */
function nodeResources(node: z.output<typeof nodeSchema>, at: string, context: NodeContext): Pick<TopologyNodePlan, "cpus" | "memoryMiB"> {
  const cpus = node.cpus ?? context.nodeDefaults.cpus;
  const memoryMiB = node.memoryMiB ?? context.nodeDefaults.memoryMiB;
  const image = node.imageRef === undefined && typeof node.image === "string" ? node.image : undefined;
  const floor = image ? MIN_NODE_MEMORY_MIB[image] : undefined;
  if (memoryMiB !== undefined && floor !== undefined && memoryMiB < floor) {
    const path = node.memoryMiB !== undefined ? `${at}.memoryMiB` : "nodeDefaults.memoryMiB";
    context.issues.push({
      path,
      message: `${memoryMiB} MiB is below what a ${image} node needs (${floor} MiB) for node ${show(node.name)}`,
    });
  }
  return { ...(cpus !== undefined ? { cpus } : {}), ...(memoryMiB !== undefined ? { memoryMiB } : {}) };
}

/**
 * The node's image: a lab image by name, or an image of the user's ({ ref }, from imageRef or
 * stack config's `image: { ref }`). Exactly one of image and imageRef; without one, the issue says
 * so and the plan (thrown away with the issue) holds an empty reference.
 */
function nodeImage(node: z.output<typeof nodeSchema>, at: string, issues: ConfigIssue[]): TopologyNodePlan["image"] {
  if (node.imageRef !== undefined && node.image !== undefined) {
    issues.push({
      path: `${at}.imageRef`,
      message: `${show(node.imageRef)}: a node runs image or imageRef, not both (image is ${show(node.image)})`,
    });
  }
  if (node.imageRef !== undefined) return { ref: node.imageRef };
  if (node.image !== undefined) return node.image;
  issues.push({
    path: `${at}.image`,
    message: `a node needs an image: image (${LAB_IMAGE_NAMES.join(", ")}) or imageRef (an image of yours)`,
  });
  return { ref: "" };
}

/** The node's valid interfaces, in declaration order: one per segment, each address in it and the lab's alone. */
function planInterfaces(node: z.output<typeof nodeSchema>, at: string, context: NodeContext): Attached[] {
  const { segments, addressOwners, issues } = context;
  const attached: Attached[] = [];
  const seenSegments = new Set<string>();
  node.interfaces.forEach((iface, k) => {
    const ifAt = `${at}.interfaces[${k}]`;
    const segment = segments.get(iface.segment);
    if (!segment) {
      issues.push({ path: `${ifAt}.segment`, message: `${show(iface.segment)} is not a segment of this lab` });
      return;
    }
    if (seenSegments.has(iface.segment)) {
      issues.push({ path: `${ifAt}.segment`, message: `${show(iface.segment)}: a node has one interface per segment` });
      return;
    }
    seenSegments.add(iface.segment);
    const ipv6 = planInterfaceIpv6(iface, segment, ifAt, `node ${show(node.name)}'s IPv6 address`, { addressOwners, issues });
    if (!isIpv4Address(iface.address)) {
      issues.push({ path: `${ifAt}.address`, message: `${show(iface.address)} is not an IPv4 address` });
      return;
    }
    if (!isUsableHost(segment.subnet, iface.address)) {
      issues.push({
        path: `${ifAt}.address`,
        message: `${show(iface.address)} is outside segment ${show(segment.name)} (${segment.subnet.cidr}) or is its network/broadcast address`,
      });
      return;
    }
    const owner = addressOwners.get(iface.address);
    if (owner) {
      issues.push({ path: `${ifAt}.address`, message: `${show(iface.address)} is already ${owner}` });
      return;
    }
    addressOwners.set(iface.address, `node ${show(node.name)}'s address`);
    attached.push({
      iface: {
        segment: segment.name,
        address: iface.address,
        prefixLength: segment.subnet.prefixLength,
        ...ipv6,
        aliases: iface.aliases,
        ...linkOptions(iface, segment, ifAt, node.name, context),
      },
      segment,
    });
  });
  return attached;
}

/**
 * An interface's MAC, MTU and impairment, where it or its segment sets them: a MAC unicast, locally
 * administered unless universalMac, and the segment's alone; a macvlan segment's MTU is set by the
 * node (Docker's MTU option is the bridge driver's); the segment's impairment unless its own.
 */
function linkOptions(
  iface: z.output<typeof interfaceSchema>,
  segment: SegmentPlan,
  ifAt: string,
  node: string,
  { macOwners, issues }: Pick<NodeContext, "macOwners" | "issues">,
): Pick<InterfacePlan, "mac" | "mtu" | "impairment"> {
  const options: Pick<InterfacePlan, "mac" | "mtu" | "impairment"> = {};
  if (iface.mac !== undefined) {
    const issue = macIssue(iface.mac, iface.universalMac);
    const key = `${segment.name} ${iface.mac}`;
    const owner = macOwners.get(key);
    if (issue) issues.push({ path: `${ifAt}.mac`, message: `${show(iface.mac)} ${issue}` });
    else if (owner)
      issues.push({ path: `${ifAt}.mac`, message: `${show(iface.mac)} is already node ${show(owner)}'s on segment ${show(segment.name)}` });
    else macOwners.set(key, node);
    options.mac = iface.mac;
  }
  const mtu = iface.mtu ?? (segment.driver === "macvlan" ? segment.mtu : undefined);
  if (mtu !== undefined) options.mtu = mtu;
  const impairment = iface.impairment ?? segment.impairment;
  if (impairment && Object.keys(impairment).length > 0) options.impairment = impairment;
  return options;
}

/** What is wrong with a MAC address for a lab interface, or undefined. */
function macIssue(mac: string, universal: boolean): string | undefined {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  if (first & 1) return "is a multicast address: an interface needs a unicast one (first octet even)";
  if (/^00(:00){5}$/.test(mac)) return "is all zeros";
  if (!(first & 2) && !universal) {
    return "is universally administered (a vendor's): use a locally administered one (second bit of the first octet set, e.g. 02:...), or set universalMac: true";
  }
  return undefined;
}

/**
 * The node's published ports: each host address and port once in the lab (0.0.0.0 takes the port
 * from every address), through Docker from a non-internal bridge, else through a forwarder.
 */
function planPublished(node: z.output<typeof nodeSchema>, at: string, attached: Attached[], context: NodeContext): PublishPlan[] {
  const { publishedKeys, issues } = context;
  const publish: PublishPlan[] = [];
  node.publish.forEach((published, p) => {
    const pubAt = `${at}.publish[${p}]`;
    if (!isIpv4Address(published.hostAddress)) {
      issues.push({ path: `${pubAt}.hostAddress`, message: `${show(published.hostAddress)} is not an IPv4 address` });
      return;
    }
    const key = `${published.hostAddress}:${published.hostPort}/${published.protocol}`;
    // 0.0.0.0 listens on every address: it takes the port from any other address, and the reverse.
    const port = `:${published.hostPort}/${published.protocol}`;
    const clash = [...publishedKeys].find(
      ([other]) => other === key || (other.endsWith(port) && (other.startsWith("0.0.0.0:") || published.hostAddress === "0.0.0.0")),
    );
    if (clash) {
      issues.push({
        path: `${pubAt}.hostPort`,
        message: `${key} is already published by node ${show(clash[1])}${clash[0] === key ? "" : ` (${clash[0]})`}`,
      });
      return;
    }
    publishedKeys.set(key, node.name);
    const open = attached.find(({ segment }) => segment.driver === "bridge" && !segment.internal);
    const target = open ?? attached.find(({ segment }) => segment.driver === "bridge");
    if (!target) {
      issues.push({
        path: `${pubAt}`,
        message: `node ${show(node.name)} has no bridge segment, and the host cannot reach a macvlan address to publish it`,
      });
      return;
    }
    publish.push({ ...published, via: open ? "docker" : "forwarder", targetAddress: target.iface.address });
  });
  return publish;
}

/** The lab's own checks, each with the container it runs in. */
export function planLabChecks(
  checks: TopologyInput["checks"],
  nodes: TopologyNodePlan[],
): { checks: LabCheckPlan[]; issues: ConfigIssue[] } {
  const containerOf = new Map(nodes.map((node) => [node.name, node.containerName]));
  const planned: LabCheckPlan[] = [];
  const issues: ConfigIssue[] = [];
  checks.forEach((check, c) => {
    const container = containerOf.get(check.from);
    if (!container) {
      issues.push({ path: `checks[${c}].from`, message: `${show(check.from)} is not a node of this lab` });
      return;
    }
    const what = checkIssue(check, `checks[${c}]`);
    if (what) issues.push(what);
    else if (check.reach !== undefined) planned.push({ from: check.from, reach: check.reach, container });
    else if (check.fetch !== undefined) {
      const expect = check.expect !== undefined ? { expect: check.expect } : {};
      planned.push({ from: check.from, fetch: check.fetch, ...expect, container });
    }
  });
  return { checks: planned, issues };
}

/** A check reaches an address or fetches a URL, one of the two; only a fetch has an answer to expect. */
function checkIssue(check: TopologyInput["checks"][number], at: string): ConfigIssue | undefined {
  if (check.reach !== undefined && check.fetch !== undefined) {
    return { path: at, message: `reaches ${show(check.reach)} and fetches ${show(check.fetch)}: a check does one (make two checks)` };
  }
  if (check.reach === undefined && check.fetch === undefined) {
    return { path: at, message: "checks nothing: give reach (an address to ping) or fetch (a URL to get)" };
  }
  if (check.reach !== undefined && check.expect !== undefined) {
    return { path: `${at}.expect`, message: `${show(check.expect)}: only a fetch check has an answer to expect` };
  }
  return undefined;
}

/** The bridges a lab's bridge guard opens: every bridge of a lab with a router (ARCHITECTURE.md, Host preparation). */
export function guardedBridgesOf(segments: SegmentPlan[], nodes: TopologyNodePlan[]): string[] {
  const hasRouter = nodes.some((node) => node.router);
  return hasRouter ? segments.flatMap((segment) => (segment.bridgeName ? [segment.bridgeName] : [])) : [];
}

/**
 * A stretched segment's own rules. Its gateway must be given: each host's bridge holds the gateway
 * address of its half, and two halves of one L2 segment must not hold the same one.
 */
function stretchIssues(at: string, segment: z.output<typeof segmentSchema>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const vxlan = segment.vxlan!;
  if (segment.driver !== "bridge") {
    issues.push({ path: `${at}.vxlan`, message: `a ${show(segment.driver)} segment cannot be stretched; only a bridge segment can` });
  }
  if (segment.gateway === undefined) {
    issues.push({
      path: `${at}.gateway`,
      message: "a stretched segment needs its gateway set, different on each host (each host's bridge holds its half's gateway address)",
    });
  }
  if (segment.mtu !== undefined) {
    issues.push({ path: `${at}.mtu`, message: `${segment.mtu}: a stretched segment's MTU is its vxlan.mtu (${vxlan.mtu})` });
  }
  if (vxlan.local !== undefined && vxlan.local === vxlan.remote) {
    issues.push({ path: `${at}.vxlan.remote`, message: `${show(vxlan.remote)} is this host's own underlay address (vxlan.local)` });
  }
  return issues;
}

/** Two segments of a lab on one tunnel (same VNI, remote and port) would merge into one L2. */
function sharedTunnels(segments: z.output<typeof segmentSchema>[]): ConfigIssue[] {
  const seen = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  segments.forEach((segment, i) => {
    if (!segment.vxlan) return;
    const key = `${segment.vxlan.id}/${segment.vxlan.remote}:${segment.vxlan.port}`;
    const other = seen.get(key);
    if (other) {
      issues.push({
        path: `segments[${i}].vxlan.id`,
        message: `${segment.vxlan.id} to ${segment.vxlan.remote} is already segment ${show(other)}'s tunnel`,
      });
    } else seen.set(key, segment.name);
  });
  return issues;
}

/** An IPv4 subnet's first and last address as the 128-bit integers IPv6 prefixes use, for one sweep over both. */
function bigBounds(subnet: Ipv4Subnet): [bigint, bigint] {
  const [first, last] = bounds(subnet);
  return [BigInt(first), BigInt(last)];
}

/**
 * Overlapping prefixes of one family (a segment's `field`), found by a sweep over them sorted by
 * first address (n log n: labs with thousands of segments stay quick). Each issue names the later
 * segment and the one it overlaps.
 */
function overlappingPrefixes(
  prefixes: { name: string; cidr: string; range: [bigint, bigint] }[],
  order: string[],
  field: "subnet" | "ipv6",
): ConfigIssue[] {
  const index = (name: string) => order.indexOf(name);
  const sorted = [...prefixes].sort((a, b) => (a.range[0] < b.range[0] ? -1 : a.range[0] > b.range[0] ? 1 : 0));
  const issues: ConfigIssue[] = [];
  let widest: (typeof sorted)[number] | undefined;
  for (const current of sorted) {
    if (widest && current.range[0] <= widest.range[1]) {
      const [later, earlier] = index(current.name) > index(widest.name) ? [current, widest] : [widest, current];
      issues.push({
        path: `segments[${index(later.name)}].${field}`,
        message: `${show(later.cidr)} overlaps segment ${show(earlier.name)} (${earlier.cidr})`,
      });
    }
    if (!widest || current.range[1] > widest.range[1]) widest = current;
  }
  return issues;
}

/**
 * A segment needs its IPv4 subnet, also beside an IPv6 prefix: Docker gives a network without one an
 * IPv4 subnet of its own pools, and the provider (@pulumi/docker 5.2, terraform-provider-docker
 * v4.5) has no input to turn IPv4 off, so an IPv6-only segment's nodes would hold IPv4 addresses
 * the lab never planned (README, IPv6).
 */
function missingSubnet(at: string, segment: z.output<typeof segmentSchema>): ConfigIssue {
  if (segment.ipv6 === undefined) return { path: `${at}.subnet`, message: "a segment needs its IPv4 subnet, e.g. 10.0.1.0/24" };
  return {
    path: `${at}.subnet`,
    message:
      `segment ${show(segment.name)} has ipv6 ${show(segment.ipv6)} and no subnet: IPv6-only segments are refused, since Docker ` +
      "gives every network an IPv4 subnet of its own pools and the Docker provider cannot turn IPv4 off, so its nodes would hold " +
      "IPv4 addresses the lab did not plan; give it an IPv4 subnet as well",
  };
}

/** A segment's IPv6 prefix and Docker's IPv6 gateway on it (its last address), when it has one. */
function planSegmentIpv6(
  at: string,
  segment: z.output<typeof segmentSchema>,
  issues: ConfigIssue[],
): Pick<SegmentPlan, "ipv6" | "gateway6"> {
  if (segment.ipv6 === undefined) return {};
  const prefix = parseSegmentPrefix6(segment.ipv6);
  if (typeof prefix === "string") {
    issues.push({ path: `${at}.ipv6`, message: `${show(segment.ipv6)} ${prefix}` });
    return {};
  }
  if (segment.vxlan) {
    issues.push({
      path: `${at}.ipv6`,
      message: `${show(segment.ipv6)}: a stretched segment carries IPv4 only (each host's bridge would hold the same IPv6 gateway)`,
    });
    return {};
  }
  return { ipv6: prefix, gateway6: lastAddress6(prefix) };
}

/**
 * An interface's IPv6 address: on a segment with an IPv6 prefix, inside it, and the lab's alone. An
 * interface on such a segment must have one: Docker gives an endpoint without one an address of the
 * prefix itself, which may be the one the lab gives another node.
 */
function planInterfaceIpv6(
  iface: z.output<typeof interfaceSchema>,
  segment: SegmentPlan,
  ifAt: string,
  owner: string,
  { addressOwners, issues }: Pick<NodeContext, "addressOwners" | "issues">,
): Pick<InterfacePlan, "ipv6" | "ipv6PrefixLength"> {
  const prefix = segment.ipv6;
  if (iface.ipv6 === undefined) {
    if (prefix) {
      issues.push({
        path: `${ifAt}.ipv6`,
        message: `segment ${show(segment.name)} has IPv6 (${prefix.cidr}): give the interface its IPv6 address there (Docker would pick one of the prefix itself, maybe one the lab gives another node)`,
      });
    }
    return {};
  }
  const issue = (message: string) => {
    issues.push({ path: `${ifAt}.ipv6`, message: `${show(iface.ipv6)} ${message}` });
    return {};
  };
  if (!prefix) return issue(`is on segment ${show(segment.name)}, which has no ipv6 prefix: give the segment its ipv6 first`);
  if (!isIpv6Address(iface.ipv6)) return issue("is not an IPv6 address");
  const address = canonicalIpv6(iface.ipv6);
  if (!isUsableHost6(prefix, address)) {
    return issue(`is outside segment ${show(segment.name)}'s IPv6 prefix (${prefix.cidr}) or is its Subnet-Router anycast address`);
  }
  const taken = addressOwners.get(address);
  if (taken) return issue(`is already ${taken}`);
  addressOwners.set(address, owner);
  return { ipv6: address, ipv6PrefixLength: prefix.prefixLength };
}

/** The lab images a plan needs: its nodes' images, and the router image for guard and forwarders. */
export function requiredLabImages(plan: TopologyPlan): LabImageName[] {
  const needed = new Set<LabImageName>();
  for (const node of plan.nodes) if (typeof node.image === "string") needed.add(node.image);
  const forwards = plan.nodes.some((node) => node.publish.some((port) => port.via === "forwarder"));
  const tunnels = plan.segments.some((segment) => segment.vxlan);
  // The router image has tc: the helper that applies impairments runs on it.
  const impaired = plan.nodes.some((node) => node.interfaces.some((iface) => iface.impairment));
  if (plan.guardedBridges.length > 0 || forwards || tunnels || impaired) needed.add("router");
  return [...needed].sort();
}
