/** A node's `vlans` field: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import { z } from "zod";

/** An 802.1Q VLAN id: 0 and 4095 are reserved. */
export const vlanIdSchema = z
  .number({ message: "must be a VLAN id from 1 to 4094" })
  .int("must be a VLAN id from 1 to 4094")
  .min(1, "must be a VLAN id from 1 to 4094")
  .max(4094, "must be a VLAN id from 1 to 4094");

/** A port of the node's VLAN-aware bridge: an access port of one VLAN, or a trunk of several. */
const vlanPortSchema = z.strictObject({
  segment: z.string(),
  access: vlanIdSchema.optional(),
  trunk: z.array(vlanIdSchema).optional(),
  native: vlanIdSchema.optional(),
});

/** An address of the node in a VLAN, on one of its segments. */
const vlanInterfaceSchema = z.strictObject({
  segment: z.string(),
  vlan: vlanIdSchema,
  /** The address with its VLAN's prefix length, e.g. "10.94.0.11/24". */
  address: z.string(),
});

export const vlansSchema = z.strictObject({
  ports: z.array(vlanPortSchema).default([]),
  interfaces: z.array(vlanInterfaceSchema).default([]),
});

/** A port of a bridge node (plain data; vlansSchema checks it). */
export interface VlanPortSpec {
  /** The segment of the node's interface that is the port. */
  segment: string;
  /** An access port: the one VLAN (1 to 4094) its untagged frames belong to. */
  access?: number;
  /** A trunk: the VLANs (1 to 4094) it carries, tagged. */
  trunk?: number[];
  /** A trunk's VLAN carried untagged (one of `trunk`). */
  native?: number;
}

/** An address of a node in a VLAN (plain data). */
export interface VlanInterfaceSpec {
  /** The segment of the node's interface it sits on. */
  segment: string;
  /** The VLAN, 1 to 4094: untagged where the segment's bridge port is an access port of it (or a trunk's native VLAN), else an 802.1Q subinterface. */
  vlan: number;
  /** The node's address in the VLAN with its prefix length, e.g. "10.94.0.11/24" (outside every segment's subnet). */
  address: string;
}

/** A node's VLANs: the ports of its VLAN-aware bridge (a bridge node), and its own addresses in VLANs. */
export interface VlansSpec {
  /** Makes the node a bridge: a Linux bridge with VLAN filtering over these interfaces (two at least). */
  ports?: VlanPortSpec[];
  /** The node's addresses in VLANs: a host on an access port, a router on a trunk (router on a stick). */
  interfaces?: VlanInterfaceSpec[];
}

export type VlansSettings = z.output<typeof vlansSchema>;
