/**
 * VLANs over the lab's nodes: a node with `vlans.ports` is a bridge node (a Linux bridge with VLAN
 * filtering inside it, its ports access or trunk); a node's `vlans.interfaces` are its addresses in
 * VLANs, untagged where its segment meets a bridge port that carries the VLAN untagged (an access
 * port, a trunk's native VLAN), an 802.1Q subinterface otherwise (a router on a stick). Pure; every
 * mistake names the field and the value.
 */
import { Ipv4Subnet, isIpv4Address, isUsableHost, parseSubnet, subnetContains } from "../net/addressing";
import { ConfigIssue, show } from "../net/errors";
import { VlansSettings } from "./schema";

export interface VlanPortPlan {
  segment: string;
  /** The VLAN of an access port's untagged frames. */
  access?: number;
  /** A trunk's VLANs, tagged but the native one. */
  trunk?: number[];
  native?: number;
}

export interface VlanInterfacePlan {
  segment: string;
  vlan: number;
  address: string;
  prefixLength: number;
  /** An 802.1Q subinterface (the segment carries the VLAN tagged), else the address on the interface itself. */
  tagged: boolean;
}

/** What a node's VLANs add to its plan. */
export interface VlanNodePlan {
  /** Its bridge's ports, when it is a bridge node. */
  ports: VlanPortPlan[];
  interfaces: VlanInterfacePlan[];
}

export interface VlanNodeInput {
  index: number;
  name: string;
  router: boolean;
  /** The segments of its valid interfaces. */
  segments: string[];
  vlans?: VlansSettings;
}

/** What each kernel feature is needed by: the nodes that need 8021q (tagged interfaces) and bridge VLAN filtering. */
export interface VlanKernelNeeds {
  "8021q": string[];
  "bridge-vlan-filtering": string[];
}

export function planVlans(
  nodes: VlanNodeInput[],
  segments: { name: string; subnet: Ipv4Subnet }[],
): { issues: ConfigIssue[]; plans: Map<string, VlanNodePlan> } {
  const issues: ConfigIssue[] = [];
  const portsOn = new Map<string, { node: string; port: VlanPortPlan }[]>();
  for (const node of nodes) {
    for (const port of portsOf(node, issues)) {
      portsOn.set(port.segment, [...(portsOn.get(port.segment) ?? []), { node: node.name, port }]);
    }
  }
  const owners = new Map<string, string>();
  const placed = new Set<string>();
  const plans = new Map<string, VlanNodePlan>();
  for (const node of nodes) {
    if (!node.vlans) continue;
    const ports = node.vlans.ports.length > 0 ? portsOf(node, []) : [];
    const interfaces = node.vlans.interfaces.flatMap((iface, i) =>
      planInterface(node, i, iface, { segments, portsOn, owners, placed, issues }),
    );
    plans.set(node.name, { ports, interfaces });
  }
  return { issues, plans };
}

/** The node's valid bridge ports; what is wrong with them goes to `issues`. */
function portsOf(node: VlanNodeInput, issues: ConfigIssue[]): VlanPortPlan[] {
  const ports = node.vlans?.ports ?? [];
  if (ports.length === 0) return [];
  const at = (field: string) => `nodes[${node.index}].vlans.${field}`;
  if (node.router) {
    issues.push({
      path: at("ports"),
      message: `node ${show(node.name)} is a router: a bridge node bridges, routing between VLANs is a router's VLAN interfaces (vlans.interfaces)`,
    });
  }
  if (ports.length < 2)
    issues.push({ path: at("ports"), message: `node ${show(node.name)} has one bridge port: a bridge needs two at least` });
  const seen = new Map<string, number>();
  const planned: VlanPortPlan[] = [];
  ports.forEach((port, p) => {
    const issue = portIssue(node, port, seen);
    if (issue) issues.push({ path: at(`ports[${p}]${issue.field}`), message: issue.message });
    else
      planned.push({
        segment: port.segment,
        ...(port.access !== undefined
          ? { access: port.access }
          : { trunk: port.trunk, ...(port.native !== undefined ? { native: port.native } : {}) }),
      });
    if (!seen.has(port.segment)) seen.set(port.segment, p);
  });
  const addressed = new Set((node.vlans?.interfaces ?? []).map((iface) => iface.segment));
  ports.forEach((port, p) => {
    if (addressed.has(port.segment)) {
      issues.push({
        path: at(`ports[${p}].segment`),
        message: `${show(port.segment)} is a bridge port and one of the node's vlans.interfaces: a port carries no address of its bridge node`,
      });
    }
  });
  return planned;
}

/** What is wrong with one port: its segment, and access or trunk (one of them). */
function portIssue(
  node: VlanNodeInput,
  port: VlansSettings["ports"][number],
  seen: ReadonlyMap<string, number>,
): { field: string; message: string } | undefined {
  if (!node.segments.includes(port.segment)) {
    return { field: ".segment", message: `${show(port.segment)} is not a segment of node ${show(node.name)}'s interfaces` };
  }
  const earlier = seen.get(port.segment);
  if (earlier !== undefined) {
    const what = port.access !== undefined ? `access ${port.access}` : "a trunk";
    return {
      field: ".segment",
      message: `${show(port.segment)} is already ports[${earlier}]; as ${what} too it would be an access port on two VLANs (or a port both access and trunk): one entry per port`,
    };
  }
  if (port.access !== undefined && port.trunk !== undefined) {
    return {
      field: "",
      message: `access ${port.access} and trunk ${show(port.trunk)}: a port is an access port of one VLAN or a trunk, not both`,
    };
  }
  if (port.access === undefined && (port.trunk === undefined || port.trunk.length === 0)) {
    return { field: "", message: "carries no VLAN: give access (a VLAN id) or trunk (VLAN ids)" };
  }
  if (port.access !== undefined && port.native !== undefined) {
    return { field: ".native", message: `${port.native}: native is a trunk's untagged VLAN; an access port's VLAN is its access` };
  }
  const twice = port.trunk?.find((vlan, i) => port.trunk!.indexOf(vlan) !== i);
  if (twice !== undefined) return { field: ".trunk", message: `VLAN ${twice} is listed twice in ${show(port.trunk)}` };
  if (port.native !== undefined && !port.trunk?.includes(port.native)) {
    return { field: ".native", message: `${port.native} is not one of the trunk's VLANs ${show(port.trunk)}` };
  }
  return undefined;
}

interface InterfaceContext {
  segments: { name: string; subnet: Ipv4Subnet }[];
  portsOn: ReadonlyMap<string, { node: string; port: VlanPortPlan }[]>;
  /** VLAN addresses so far, by address: their owner. */
  owners: Map<string, string>;
  /** `node/segment/vlan` of the VLAN interfaces so far. */
  placed: Set<string>;
  issues: ConfigIssue[];
}

/** A node's address in a VLAN: on its segment, carried there, an address of its own. */
function planInterface(
  node: VlanNodeInput,
  i: number,
  iface: VlansSettings["interfaces"][number],
  context: InterfaceContext,
): VlanInterfacePlan[] {
  const at = (field: string) => `nodes[${node.index}].vlans.interfaces[${i}].${field}`;
  const fail = (field: string, message: string) => {
    context.issues.push({ path: at(field), message });
    return [];
  };
  if (!node.segments.includes(iface.segment))
    return fail("segment", `${show(iface.segment)} is not a segment of node ${show(node.name)}'s interfaces`);
  const key = `${node.name}/${iface.segment}/${iface.vlan}`;
  if (context.placed.has(key))
    return fail(
      "vlan",
      `${iface.vlan}: node ${show(node.name)} has an address in VLAN ${iface.vlan} on segment ${show(iface.segment)} already`,
    );
  context.placed.add(key);
  const [address, length] = iface.address.split("/");
  const prefix = isIpv4Address(address) && length !== undefined && /^\d{1,2}$/.test(length) ? prefixOf(address, Number(length)) : undefined;
  if (prefix === undefined || typeof prefix === "string") {
    return fail(
      "address",
      `${show(iface.address)} is not an IPv4 address with its VLAN's prefix length, such as 10.94.0.11/24 (/8 to /30)`,
    );
  }
  if (!isUsableHost(prefix, address)) return fail("address", `${show(iface.address)} is its prefix's network or broadcast address`);
  const inSegment = context.segments.find((segment) => subnetContains(segment.subnet, address));
  if (inSegment)
    return fail(
      "address",
      `${show(iface.address)} is inside segment ${show(inSegment.name)} (${inSegment.subnet.cidr}); a VLAN's addresses are its own`,
    );
  const owner = context.owners.get(address);
  if (owner) return fail("address", `${show(iface.address)} is already ${owner}`);
  context.owners.set(address, `node ${show(node.name)}'s address in VLAN ${iface.vlan}`);
  const ports = (context.portsOn.get(iface.segment) ?? []).filter((entry) => entry.node !== node.name);
  for (const { node: bridge, port } of ports) {
    const carried = port.access === iface.vlan || port.trunk?.includes(iface.vlan);
    if (!carried) {
      const what = port.access !== undefined ? `an access port of VLAN ${port.access}` : `a trunk of ${show(port.trunk)}`;
      return fail("vlan", `${iface.vlan} is not carried on segment ${show(iface.segment)}: node ${show(bridge)}'s port there is ${what}`);
    }
  }
  const untagged = ports.some(({ port }) => port.access === iface.vlan || port.native === iface.vlan);
  return [{ segment: iface.segment, vlan: iface.vlan, address, prefixLength: prefix.prefixLength, tagged: !untagged }];
}

/** The prefix an address with `length` is in (parseSubnet's checks: /8 to /30). */
function prefixOf(address: string, length: number): Ipv4Subnet | string {
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - Math.min(32, length));
  const network = Math.floor(value / size) * size;
  const text = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
  return parseSubnet(`${text}/${length}`);
}

/** The nodes that need each kernel feature: a tagged interface needs 8021q, a bridge node VLAN filtering. */
export function vlanKernelNeeds(plans: ReadonlyMap<string, VlanNodePlan>): VlanKernelNeeds {
  const needs: VlanKernelNeeds = { "8021q": [], "bridge-vlan-filtering": [] };
  for (const [node, plan] of plans) {
    if (plan.interfaces.some((iface) => iface.tagged)) needs["8021q"].push(node);
    if (plan.ports.length > 0) needs["bridge-vlan-filtering"].push(node);
  }
  return needs;
}
