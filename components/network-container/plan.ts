/**
 * NetworkContainer arguments, validated as a whole before anything is created: ports, the LAN,
 * the public address (static or "dhcp"), the macvlan parent. Pure, but for the injected check of
 * the parent interface on the host.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Ipv4Subnet, isIpv4Address, isUsableHost, lastUsableAddress, parseSubnet, subnetContains, topBlock } from "../net/addressing";
import { ConfigIssue, LabConfigError, fromZodIssues, show } from "../net/errors";
import { plainEnum } from "../net/plain-enum";
import { LAB_IMAGE_NAMES, LabImageName } from "../net/topology";
import { ExposedPort } from "./scripts";

const port = z.number().int().min(1, "must be a port from 1 to 65535").max(65535, "must be a port from 1 to 65535");

/** A LAN the component creates: a macvlan network on a host interface. */
const createdLanSchema = z.strictObject({
  parent: z.string().min(1, "must name a host interface"),
  subnet: z.string(),
  gateway: z.string().optional(),
  /** Where Docker picks its own addresses; keep it apart from any DHCP pool. Default: the top /28. */
  ipRange: z.string().optional(),
  /** Internal: no default route through the LAN gateway. */
  internal: z.boolean().default(false),
});

/** An existing LAN network to join. */
const joinedLanSchema = z.strictObject({
  /** An existing LAN network's name, or a NetworkContainer's lanNetwork output. */
  network: z.custom<pulumi.Input<string>>((value) => value !== undefined && value !== "", "must name a network"),
  subnet: z.string(),
});

export const networkContainerOptionsSchema = z.strictObject({
  /** Ports to expose; default: what the target's lab image EXPOSEs (see targetImage). */
  ports: z.array(z.strictObject({ port, protocol: plainEnum(["tcp", "udp"]).default("tcp") })).optional(),
  /** The target's lab image, whose Dockerfile's EXPOSE gives the default ports. */
  targetImage: plainEnum(LAB_IMAGE_NAMES).optional(),
  /**
   * The LAN to join: a macvlan network the component creates on a host interface, or an existing
   * network (one macvlan network per parent interface: a second NetworkContainer on the same LAN
   * joins the first one's network).
   */
  lan: z.union([createdLanSchema, joinedLanSchema]),
  /** The public address on the LAN: an IPv4 address in the LAN subnet, or "dhcp". */
  address: z.string(),
  /** How long `pulumi up` waits for a DHCP lease before failing. */
  dhcpTimeoutSeconds: z.number().int().min(1).max(600).default(30),
  /** Put the parent interface in promiscuous mode while the LAN exists (restored on destroy). */
  promiscuous: z.boolean().default(true),
});

/**
 * What a NetworkContainer exposes and where (plain data; networkContainerOptionsSchema checks it,
 * planNetworkContainer what it means).
 */
export interface NetworkContainerOptions {
  /** Ports to expose; default: what the target's lab image EXPOSEs (see targetImage). */
  ports?: NetworkContainerPort[];
  /** The target's lab image ("router", "web", "client" or "dhcp-server"), whose Dockerfile's EXPOSE gives the default ports. */
  targetImage?: string;
  /**
   * The LAN to join: a macvlan network the component creates on a host interface (`parent`), or an
   * existing network (`network`; one macvlan network per parent interface: a second
   * NetworkContainer on the same LAN joins the first one's network).
   */
  lan: NetworkContainerLan;
  /** The public address on the LAN: an IPv4 address in the LAN subnet, or "dhcp". */
  address: string;
  /** How long `pulumi up` waits for a DHCP lease before failing, 1 to 600 s (default 30). */
  dhcpTimeoutSeconds?: number;
  /** Put the parent interface in promiscuous mode while the LAN exists, restored on destroy (default true). */
  promiscuous?: boolean;
}

/** A port a NetworkContainer exposes. */
export interface NetworkContainerPort {
  /** 1 to 65535. */
  port: number;
  /** "tcp" (default) or "udp". */
  protocol?: string;
}

/**
 * A NetworkContainer's LAN: one it creates on a host interface (`parent`, with `gateway`,
 * `ipRange` and `internal`), or an existing one it joins (`network`); exactly one of the two.
 */
export interface NetworkContainerLan {
  /** The host interface to create the LAN on, as a macvlan network. */
  parent?: string;
  /** An existing LAN network's name, or a NetworkContainer's lanNetwork output, to join. */
  network?: pulumi.Input<string>;
  /** The LAN's subnet. */
  subnet: string;
  /** A created LAN's gateway (default: its last usable address). */
  gateway?: string;
  /** Where Docker picks its own addresses on a created LAN; keep it apart from any DHCP pool. Default: the top /28. */
  ipRange?: string;
  /** A created LAN that is internal: no default route through its gateway (default false). */
  internal?: boolean;
}

export interface NetworkContainerPlan {
  ports: ExposedPort[];
  lan:
    | { create: true; parent: string; subnet: Ipv4Subnet; gateway: string; ipRange: string; internal: boolean }
    | { create: false; network: pulumi.Input<string>; subnet: Ipv4Subnet };
  address: { kind: "static"; address: string } | { kind: "dhcp"; timeoutSeconds: number };
  promiscuous: boolean;
}

export interface PlanContext {
  /** Whether a host interface exists, where the host can be asked (the local engine); undefined otherwise. */
  interfaceExists?: (name: string) => boolean;
  /** Ports the target image exposes, when known. */
  exposedPorts?: (image: LabImageName) => ExposedPort[];
}

export function planNetworkContainer(name: string, options: NetworkContainerOptions, context: PlanContext = {}): NetworkContainerPlan {
  const subject = `NetworkContainer ${show(name)}`;
  const parsed = networkContainerOptionsSchema.safeParse(options);
  if (!parsed.success) throw new LabConfigError(subject, optionIssues(parsed.error.issues, options));
  const args = parsed.data;
  const issues: ConfigIssue[] = [];

  const ports = args.ports ?? (args.targetImage && context.exposedPorts ? context.exposedPorts(args.targetImage) : []);
  if (ports.length === 0) {
    issues.push({
      path: "ports",
      message: args.targetImage
        ? `the target image ${show(args.targetImage)} exposes no port; name the ports to expose`
        : "no port to expose: name the ports, or the target's lab image (targetImage) whose EXPOSE gives them",
    });
  }
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) issues.push({ path: `ports[${i}]`, message: `${key} is listed twice` });
    seen.add(key);
  });

  const subnet = parseSubnet(args.lan.subnet);
  if (typeof subnet === "string") {
    issues.push({ path: "lan.subnet", message: `${show(args.lan.subnet)} ${subnet}` });
    throw new LabConfigError(subject, issues);
  }

  let lan: NetworkContainerPlan["lan"];
  if ("parent" in args.lan) {
    const gateway = args.lan.gateway ?? lastUsableAddress(subnet);
    if (!isIpv4Address(gateway) || !isUsableHost(subnet, gateway)) {
      issues.push({ path: "lan.gateway", message: `${show(gateway)} is not a host address of ${subnet.cidr}` });
    }
    const ipRange = args.lan.ipRange ?? defaultIpRange(subnet);
    const range = parseSubnet(ipRange);
    if (typeof range === "string" || !subnetContains(subnet, range.network) || range.prefixLength < subnet.prefixLength) {
      issues.push({ path: "lan.ipRange", message: `${show(ipRange)} is not a range inside ${subnet.cidr}` });
    }
    if (context.interfaceExists && !context.interfaceExists(args.lan.parent)) {
      issues.push({ path: "lan.parent", message: `${show(args.lan.parent)} is not an interface of the Docker host` });
    }
    lan = { create: true, parent: args.lan.parent, subnet, gateway, ipRange, internal: args.lan.internal };
  } else {
    lan = { create: false, network: args.lan.network, subnet };
  }

  let address: NetworkContainerPlan["address"];
  if (args.address === "dhcp") {
    address = { kind: "dhcp", timeoutSeconds: args.dhcpTimeoutSeconds };
  } else {
    address = { kind: "static", address: args.address };
    if (!isIpv4Address(args.address) || !isUsableHost(subnet, args.address)) {
      issues.push({ path: "address", message: `${show(args.address)} is neither "dhcp" nor a host address of the LAN ${subnet.cidr}` });
    } else if (lan.create && args.address === lan.gateway) {
      issues.push({ path: "address", message: `${show(args.address)} is the LAN gateway` });
    }
  }

  if (issues.length > 0) throw new LabConfigError(subject, issues);
  return { ports, lan, address, promiscuous: args.promiscuous };
}

/**
 * The options' issues, each naming its field and value. `lan` is one of two shapes: where zod can
 * only say that neither fits, the shape meant (by `parent` or `network`) is checked on its own,
 * and both given is said to be so, naming both.
 */
function optionIssues(issues: z.core.$ZodIssue[], options: NetworkContainerOptions): ConfigIssue[] {
  return issues.flatMap((issue) =>
    issue.code === "invalid_union" && issue.path.length === 1 && issue.path[0] === "lan"
      ? lanIssues(options.lan)
      : fromZodIssues([issue], options),
  );
}

function lanIssues(lan: unknown): ConfigIssue[] {
  if (typeof lan !== "object" || lan === null) {
    return [{ path: "lan", message: `must be { parent, subnet, ... } or { network, subnet } (got ${show(lan)})` }];
  }
  const given = lan as Record<string, unknown>;
  if ("parent" in given && "network" in given) {
    return [
      {
        path: "lan",
        message: `parent ${show(given.parent)} and network ${showNetwork(given.network)} exclude each other: a NetworkContainer creates its LAN on a host interface (parent) or joins an existing LAN network (network), not both`,
      },
    ];
  }
  if (!("parent" in given) && !("network" in given)) {
    const keys = Object.keys(given).join(", ") || "nothing";
    return [
      {
        path: "lan",
        message: `names neither parent (a host interface to create the LAN on) nor network (an existing LAN network to join) (got ${keys})`,
      },
    ];
  }
  const branch = "network" in given ? joinedLanSchema : createdLanSchema;
  const result = branch.safeParse(lan);
  return result.success
    ? []
    : fromZodIssues(result.error.issues, lan).map((issue) => ({ ...issue, path: issue.path === "(root)" ? "lan" : `lan.${issue.path}` }));
}

/** A network name as given, or that it is an output (its value is not known yet). */
function showNetwork(network: unknown): string {
  return pulumi.Output.isInstance(network) ? "(an output of another resource)" : show(network);
}

/** Docker's own addresses on a created LAN: its top /28 (or upper half when smaller), apart from a DHCP pool. */
function defaultIpRange(subnet: Ipv4Subnet): string {
  return topBlock(subnet, Math.max(subnet.prefixLength + 1, 28));
}
