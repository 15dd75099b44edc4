/**
 * What every node of a RoutedLab is, whatever its kind: its init script as entrypoint (it finds its
 * interfaces by address, sets routes, runs its commands, then execs the main process:
 * routed-lab/node-init.ts), one address per segment with its names, the ready file as readiness.
 * A router forwards (and keeps NET_ADMIN, as a node with routes does); a node whose routing drops
 * Docker's default capabilities keeps only those it was planned with.
 */
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec } from "../declare/container";
import { readyFileTest } from "../host/lifecycle";
import { LabImageName } from "../net/topology";
import { NodePlan } from "../routed-lab/plan";
import { NODE_INIT_PATH, NODE_READY_PATH, renderNodeInit } from "../routed-lab/node-init";
import { FRR_TEMPLATE_PATH } from "../protocols/frr/config";
import { KindContext, NodeKind } from "./kind";

/** A kind of RoutedLab node: one of the lab images, and the main process it runs by default. */
export interface LabNodeKind extends NodeKind<NodePlan> {
  image: LabImageName;
  command: string[];
}

/** A lab node kind from its image and default main process: every lab node's container is the same shape. */
export function labNodeKind(name: string, image: LabImageName, command: string[]): LabNodeKind {
  return { name, image, command, container: (node, context) => labNodeContainer(node, context, command) };
}

/** The node's container; `defaultCommand` runs unless the node names its own. */
export function labNodeContainer(node: NodePlan, context: KindContext, defaultCommand?: string[]): ContainerSpec {
  const capabilities = new Set(node.capabilities);
  // Routes, forwarding, and a MAC or MTU the init sets need NET_ADMIN.
  const setsLinks = node.interfaces.some((iface) => iface.mac !== undefined || iface.mtu !== undefined);
  if (node.router || node.routes.length > 0 || setsLinks) capabilities.add("NET_ADMIN");
  return {
    name: node.containerName,
    hostname: node.name,
    image: context.image,
    entrypoint: ["/bin/sh", NODE_INIT_PATH],
    command: node.command ?? defaultCommand,
    uploads: [{ file: NODE_INIT_PATH, content: kept(node, renderNodeInit(node)), executable: true }, ...nodeFiles(node)],
    networks: node.interfaces.map((iface) => ({
      name: context.networks[iface.segment],
      ipv4Address: iface.address,
      ...(iface.ipv6 !== undefined ? { ipv6Address: iface.ipv6 } : {}),
      aliases: [node.name, ...iface.aliases],
    })),
    capabilities: { adds: [...capabilities], dropDefaults: node.dropDefaultCapabilities },
    sysctls: nodeSysctls(node),
    envs: renderEnv(node.env),
    hosts: Object.keys(node.hosts)
      .sort()
      .map((host) => ({ host, ip: node.hosts[host] })),
    ports: node.publish
      .filter((port) => port.via === "docker")
      .map((port) => ({ internal: port.containerPort, external: port.hostPort, ip: port.hostAddress, protocol: port.protocol })),
    restart: context.restart,
    readiness: readyFileTest(NODE_READY_PATH),
    labels: { ...context.labels, "io.docker-netlabs.node": node.name },
    ...(node.cpus !== undefined ? { cpus: node.cpus } : {}),
    ...(node.memoryMiB !== undefined ? { memoryMiB: node.memoryMiB } : {}),
  };
}

/**
 * A router forwards IPv4; a node with IPv6 takes its routes from the lab, not from router
 * advertisements on its segments (accept_ra off for the interfaces there and those to come), and a
 * router with IPv6 forwards it too. A node without IPv6 keeps the sysctls it always had.
 */
function nodeSysctls(node: NodePlan): Record<string, string> | undefined {
  const ipv4 = node.router ? { "net.ipv4.ip_forward": "1", "net.ipv4.conf.all.rp_filter": "0" } : undefined;
  if (!node.interfaces.some((iface) => iface.ipv6 !== undefined)) return ipv4;
  const forwarding: Record<string, string> = node.router
    ? { "net.ipv6.conf.all.forwarding": "1", "net.ipv6.conf.default.forwarding": "1" }
    : {};
  return { ...ipv4, "net.ipv6.conf.all.accept_ra": "0", "net.ipv6.conf.default.accept_ra": "0", ...forwarding };
}

/** The node's own files, by path (sorted: inputs stay byte-identical between runs). */
function nodeFiles(node: NodePlan): { file: string; content: pulumi.Input<string> }[] {
  const secrets = node.routing?.frr.secrets;
  return Object.keys(node.files)
    .sort()
    .map((file) => ({ file, content: file === FRR_TEMPLATE_PATH ? templateOf(node, node.files[file], secrets) : node.files[file] }));
}

/** The FRR template as uploaded: its secret tokens filled in (a BGP password), or kept secret whole (an OSPF key). */
function templateOf(node: NodePlan, template: string, secrets: Record<string, unknown> | undefined): pulumi.Input<string> {
  return secrets ? withSecrets(template, secrets) : kept(node, template);
}

/**
 * A text that holds the router's secrets where its FRR configuration does (an OSPF key): the FRR
 * template, and the init, which applies interface lines again to a reconnected segment.
 */
function kept(node: NodePlan, content: string): pulumi.Input<string> {
  return node.routing?.frr.holdsSecret ? pulumi.secret(content) : content;
}

/** A template with its secret tokens filled in, as a Pulumi secret: the values appear in no file text, output or diff. */
function withSecrets(template: string, secrets: Record<string, unknown>): pulumi.Output<string> {
  const tokens = Object.keys(secrets).sort();
  const values = tokens.map((token) => pulumi.output(secrets[token] as pulumi.Input<string>));
  return pulumi.secret(
    pulumi.all(values).apply((resolved) => tokens.reduce((text, token, i) => text.replaceAll(token, () => resolved[i]), template)),
  );
}

/** `KEY=value` list, sorted; a secret value keeps the whole list secret. */
function renderEnv(env: Record<string, unknown>): pulumi.Output<string[]> | undefined {
  const keys = Object.keys(env).sort();
  if (keys.length === 0) return undefined;
  return pulumi
    .all(keys.map((key) => pulumi.output(env[key] as pulumi.Input<string>)))
    .apply((values) => keys.map((key, i) => `${key}=${values[i]}`));
}
