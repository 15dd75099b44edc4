/** The `vrfs` field of a node: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import { z } from "zod";
import { MAX_ASN } from "../bgp/schema";
import { ipv4, wholeIn } from "../fields";
import { ospfAreaSchema } from "../ospf/schema";

/**
 * What is wrong with a VRF's name, which is its Linux device's too (IFNAMSIZ: 15 characters).
 * "default" is FRR's name of the global table; lo and eth<N> are the node's own interfaces (Docker
 * names them eth0, eth1, ...).
 */
export function vrfNameIssue(name: string): string | undefined {
  if (!/^[a-z][a-z0-9-]{0,14}$/.test(name)) {
    return `${JSON.stringify(name)} must be a VRF name: lowercase letters, digits and dashes, starting with a letter, at most 15`;
  }
  if (name === "default" || name === "lo" || /^eth\d*$/.test(name)) {
    return `${JSON.stringify(name)} is a name the node uses already (default, lo, eth<N>)`;
  }
  return undefined;
}

/** Linux's own tables (local 255, main 254, default 253) and 0 are no VRF's. */
const MAX_TABLE = 4294967295;
const tableSchema = wholeIn(1, MAX_TABLE)
  .refine((table) => table < 253 || table > 255, "253, 254 and 255 are the kernel's default, main and local tables")
  .optional();

/** OSPF inside a VRF, on its interfaces (the same lab-speed defaults as the node's `ospf`). */
const vrfOspfSchema = z.strictObject({
  area: ospfAreaSchema.default("0.0.0.0"),
  cost: wholeIn(1, 65535).optional(),
  helloSeconds: wholeIn(1, 65535, " s").default(1),
  deadSeconds: wholeIn(2, 65535, " s").default(4),
});

/** BGP inside a VRF: its instance's ASN (FRR: `router bgp ASN vrf NAME`). */
const vrfBgpSchema = z.strictObject({
  asn: z
    .number({ message: `must be an ASN from 1 to ${MAX_ASN}` })
    .int(`must be an ASN from 1 to ${MAX_ASN}`)
    .min(1, `must be an ASN from 1 to ${MAX_ASN}`)
    .max(MAX_ASN, `must be an ASN from 1 to ${MAX_ASN}`),
});

/** One VRF of a node. */
export const vrfSchema = z.strictObject({
  /** The segments of the node's interfaces in this VRF. */
  interfaces: z.array(z.string()).default([]),
  /** The VRF's kernel routing table; default 1000 + its place among the node's VRFs (1001, 1002, ...). */
  table: tableSchema,
  /** A /32 on the VRF's device: the VRF's loopback, announced by its protocols. */
  loopback: ipv4.optional(),
  ospf: vrfOspfSchema.optional(),
  bgp: vrfBgpSchema.optional(),
  /** Other VRFs of the node whose routes this one takes (route leaking: FRR's `import vrf`; BGP in both). */
  import: z.array(z.string()).default([]),
});

/** A node's VRFs, by name. */
export const vrfsSchema = z.record(z.string(), vrfSchema).superRefine((vrfs, ctx) => {
  for (const name of Object.keys(vrfs)) {
    const message = vrfNameIssue(name);
    if (message) ctx.addIssue({ code: "custom", path: [name], message });
  }
});

/** OSPF inside a VRF, as a lab description gives it (plain data). */
export interface VrfOspfSpec {
  /** The area of the VRF's OSPF instance (dotted quad, default "0.0.0.0"). */
  area?: string;
  /** Cost of each of its interfaces, 1 to 65535. */
  cost?: number;
  /** Seconds between hellos (default 1); neighbours must agree. */
  helloSeconds?: number;
  /** Seconds before a silent neighbour is dead, more than helloSeconds (default 4). */
  deadSeconds?: number;
}

/** BGP inside a VRF, as a lab description gives it (plain data). */
export interface VrfBgpSpec {
  /** The AS number of the VRF's BGP instance, 1 to 4294967295. */
  asn: number;
}

/** One VRF of a router, as a lab description gives it (plain data; vrfSchema checks it). */
export interface VrfSpec {
  /** The segments of the node's interfaces in this VRF (at least one; an interface is in one VRF at most). */
  interfaces: string[];
  /** Its kernel routing table, 1 to 4294967295 but 253 to 255; default 1000 + its place among the node's VRFs. */
  table?: number;
  /** A /32 on the VRF's device, its loopback (the same address may be another VRF's too). */
  loopback?: string;
  /** OSPF inside the VRF, on its interfaces. */
  ospf?: VrfOspfSpec;
  /** BGP inside the VRF: eBGP (or iBGP) with the routers whose VRF on a shared segment runs BGP too. */
  bgp?: VrfBgpSpec;
  /** Other VRFs of the node whose routes this VRF takes (route leaking; both need `bgp`). */
  import?: string[];
}

export type VrfSettings = z.output<typeof vrfSchema>;
export type VrfsSettings = z.output<typeof vrfsSchema>;
