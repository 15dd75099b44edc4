/**
 * What makes a node a router of the lab's routing, whatever its protocols: a per-node protocol's
 * field; then it must be a router with FRR in its image, leave FRR's files to the routing, and have
 * a loopback and router id of its own. Pure.
 */
import { Ipv4Subnet, subnetContains } from "../net/addressing";
import { Ipv6Prefix, canonicalIpv6, isIpv6Address, prefixContains6, specialKind6 } from "../net/addressing6";
import { z } from "zod";
import { ConfigIssue, show } from "../net/errors";
import { FRR_RESERVED_PATHS } from "./frr/config";
import { ipv4 } from "./fields";
import { AnyRoutingProtocol, RouterInterface, orList } from "./protocol";

/** The routing fields of a node that are no protocol's own. */
export const ROUTER_FIELDS = {
  /** A /32 on the router's `lo`, announced by its protocols; iBGP runs between loopbacks when an IGP carries them. */
  loopback: ipv4.optional(),
  /** Router id of its protocols; default: the loopback, else the node's first interface address. */
  routerId: ipv4.optional(),
  /** An IPv6 /128 on the router's `lo`, beside `loopback`. */
  loopback6: z
    .string()
    .refine(isIpv6Address, "must be an IPv6 address")
    .transform((address) => canonicalIpv6(address))
    .optional(),
};

export interface RoutingNodeInput {
  /** Position in the spec's nodes (for field paths). */
  index: number;
  name: string;
  router: boolean;
  image: string | { ref: string };
  /** The node's valid interfaces, in declaration order. */
  interfaces: RouterInterface[];
  files: Record<string, string>;
  /** The node's fields as parsed: each per-node protocol's under its name, its loopback and router id. */
  fields: Readonly<Record<string, unknown>> & { loopback?: string; loopback6?: string; routerId?: string };
}

export interface RoutingInput {
  nodes: RoutingNodeInput[];
  segments: { name: string; subnet: Ipv4Subnet; ipv6?: Ipv6Prefix; unnumbered?: boolean }[];
  /** The lab's fields as parsed: each lab-wide protocol's under its name. */
  labFields: Readonly<Record<string, unknown>>;
  /** Every address the lab uses already (gateways, interfaces), with its owner for messages. */
  addressOwners: ReadonlyMap<string, string>;
}

/** What checking the nodes found: the routers, their ids, and every issue. */
export interface CheckedRouters {
  routers: RoutingNodeInput[];
  routerIds: Map<string, string>;
  issues: ConfigIssue[];
}

export function checkRouters(input: RoutingInput, protocols: readonly AnyRoutingProtocol[]): CheckedRouters {
  const perNode = protocols.filter((protocol) => protocol.nodeSchema !== undefined && !protocol.addOn);
  const addOns = protocols.filter((protocol) => protocol.nodeSchema !== undefined && protocol.addOn);
  const fieldNames = orList(perNode.map((protocol) => protocol.name));
  const checked: CheckedRouters = { routers: [], routerIds: new Map(), issues: [] };
  const owners = { loopbacks: new Map<string, string>(), routerIds: new Map<string, string>() };
  for (const node of input.nodes) {
    const at = (field: string) => `nodes[${node.index}].${field}`;
    const own = perNode.filter((protocol) => node.fields[protocol.name] !== undefined);
    if (own.length === 0) {
      for (const addOn of addOns.filter((protocol) => node.fields[protocol.name] !== undefined)) {
        checked.issues.push({
          path: at(addOn.name),
          message: `node ${show(node.name)} runs no routing protocol: ${addOn.name} applies to a router with ${fieldNames}`,
        });
      }
      for (const field of ["loopback", "loopback6", "routerId"] as const) {
        const value = node.fields[field];
        if (value !== undefined)
          checked.issues.push({ path: at(field), message: `${show(value)}: only a node with ${fieldNames} has a ${field}` });
      }
      continue;
    }
    checked.routers.push(node);
    checked.issues.push(...frrNodeIssues(node, own[0].name, fieldNames, at));
    for (const protocol of [...own, ...addOns.filter((addOn) => node.fields[addOn.name] !== undefined)]) {
      checked.issues.push(...(protocol.nodeIssues?.(node.fields[protocol.name], at) ?? []));
    }
    const loopback = node.fields.loopback;
    if (loopback !== undefined) {
      const issue = loopbackIssue(loopback, input, owners.loopbacks);
      if (issue) checked.issues.push({ path: at("loopback"), message: issue });
      else owners.loopbacks.set(loopback, `node ${show(node.name)}'s loopback`);
    }
    const loopback6 = node.fields.loopback6;
    if (loopback6 !== undefined) {
      const issue =
        loopback6Issue(loopback6, input, owners.loopbacks) ??
        (node.interfaces.some((iface) => iface.ipv6 !== undefined)
          ? undefined
          : `${show(loopback6)}: no interface of node ${show(node.name)} has IPv6, so its protocols could announce it to no one (give an interface ipv6)`);
      if (issue) checked.issues.push({ path: at("loopback6"), message: issue });
      else owners.loopbacks.set(loopback6, `node ${show(node.name)}'s IPv6 loopback`);
    }
    const routerId = routerIdOf(node, owners.routerIds, checked.issues, at);
    if (routerId !== undefined) checked.routerIds.set(node.name, routerId);
  }
  return checked;
}

/** A router runs FRR: a router, with FRR in its image, and FRR's files the routing's alone. */
function frrNodeIssues(node: RoutingNodeInput, protocol: string, fieldNames: string, at: (field: string) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!node.router) {
    issues.push({
      path: at(protocol),
      message: `node ${show(node.name)} is not a router: ${protocol} runs only on a node with router: true`,
    });
  }
  if (typeof node.image === "string" && node.image !== "router") {
    issues.push({
      path: at("image"),
      message: `${show(node.image)} has no FRR: a node with ${fieldNames} runs the router image (or an image of yours with FRR)`,
    });
  }
  for (const file of Object.keys(node.files)) {
    if ((FRR_RESERVED_PATHS as readonly string[]).includes(file)) {
      issues.push({
        path: at(`files.${file}`),
        message: `${show(file)} is written by the node's routing; a router's FRR configuration is generated`,
      });
    }
  }
  return issues;
}

/** What is wrong with a loopback: an address of no segment and no one else's. */
function loopbackIssue(loopback: string, input: RoutingInput, loopbackOwners: ReadonlyMap<string, string>): string | undefined {
  if (loopback === "0.0.0.0" || loopback === "255.255.255.255") return `${show(loopback)} cannot be a loopback address`;
  const inSegment = input.segments.find((segment) => subnetContains(segment.subnet, loopback));
  if (inSegment) {
    return `${show(loopback)} is inside segment ${show(inSegment.name)} (${inSegment.subnet.cidr}); a loopback is an address of its own`;
  }
  const owner = input.addressOwners.get(loopback) ?? loopbackOwners.get(loopback);
  return owner ? `${show(loopback)} is already ${owner}` : undefined;
}

/** What is wrong with an IPv6 loopback: a unicast address of no segment's prefix and no one else's. */
function loopback6Issue(loopback6: string, input: RoutingInput, loopbackOwners: ReadonlyMap<string, string>): string | undefined {
  const kind = specialKind6(loopback6);
  if (kind) return `${show(loopback6)} cannot be a loopback address (it is a ${kind} address)`;
  const inSegment = input.segments.find((segment) => segment.ipv6 !== undefined && prefixContains6(segment.ipv6, loopback6));
  if (inSegment) {
    return `${show(loopback6)} is inside segment ${show(inSegment.name)}'s IPv6 prefix (${inSegment.ipv6!.cidr}); a loopback is an address of its own`;
  }
  const owner = input.addressOwners.get(loopback6) ?? loopbackOwners.get(loopback6);
  return owner ? `${show(loopback6)} is already ${owner}` : undefined;
}

/** The router's id (given, else its loopback, else its first address), unique in the lab; undefined when it has none. */
function routerIdOf(
  node: RoutingNodeInput,
  owners: Map<string, string>,
  issues: ConfigIssue[],
  at: (field: string) => string,
): string | undefined {
  const { routerId: given, loopback } = node.fields;
  const [routerId, source] =
    given !== undefined
      ? [given, "routerId"]
      : loopback !== undefined
        ? [loopback, "loopback"]
        : [node.interfaces[0]?.address, "interfaces[0].address"];
  if (routerId === undefined) return undefined; // no valid interface: already reported
  if (routerId === "0.0.0.0") {
    issues.push({ path: at(source), message: `${show(routerId)} cannot be a router id` });
    return undefined;
  }
  const other = owners.get(routerId);
  if (other) issues.push({ path: at(source), message: `router id ${show(routerId)} is also node ${show(other)}'s router id` });
  else owners.set(routerId, node.name);
  return routerId;
}
