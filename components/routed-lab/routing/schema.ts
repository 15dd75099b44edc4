/**
 * The routing fields of a lab description: a node's `ospf`, `bgp`, `loopback` and `routerId`, and the
 * lab's `bfd`. Shapes and ranges only (zod); what they mean across the lab is checked in plan.ts.
 */
import { z } from "zod";
import { isIpv4Address } from "../../net/addressing";

export const MAX_ASN = 4294967295;
const MAX_AREA = 4294967295;

const ipv4 = z.string().refine(isIpv4Address, "must be an IPv4 address");
const wholeIn = (min: number, max: number, unit = "") =>
  z
    .number()
    .int(`must be a whole number from ${min} to ${max}${unit}`)
    .min(min, `must be from ${min} to ${max}${unit}`)
    .max(max, `must be from ${min} to ${max}${unit}`);

/** An OSPF area: a dotted quad ("0.0.0.0") or a number (0 is the backbone). */
export const ospfAreaSchema = z.custom<string | number>(
  (value) =>
    (typeof value === "string" && isIpv4Address(value)) ||
    (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_AREA),
  { message: `must be an area: a dotted quad such as "0.0.0.0" or a number from 0 to ${MAX_AREA}` },
);

/** OSPFv2 on a router: its area and the timers of its hellos (fast lab defaults; neighbours must agree). */
export const ospfSchema = z.strictObject({
  area: ospfAreaSchema.default("0.0.0.0"),
  /** Cost of each of the router's OSPF interfaces (FRR's default when omitted: 10 on these links). */
  cost: wholeIn(1, 65535).optional(),
  helloSeconds: wholeIn(1, 65535, " s").default(1),
  /** Must exceed helloSeconds. */
  deadSeconds: wholeIn(2, 65535, " s").default(4),
});

/** BGP on a router: its ASN and session timers (fast lab defaults). */
export const bgpSchema = z.strictObject({
  asn: z
    .number({ message: `must be an ASN from 1 to ${MAX_ASN}` })
    .int(`must be an ASN from 1 to ${MAX_ASN}`)
    .min(1, `must be an ASN from 1 to ${MAX_ASN}`)
    .max(MAX_ASN, `must be an ASN from 1 to ${MAX_ASN}`),
  keepaliveSeconds: wholeIn(1, 21845, " s").default(1),
  /** At least 3 s (RFC 4271), and more than keepaliveSeconds. */
  holdSeconds: wholeIn(3, 65535, " s").default(3),
});

export const DEFAULT_BFD = { intervalMs: 100, multiplier: 3 } as const;

/** FRR's range of a BFD transmit and receive interval, in ms. */
export const BFD_INTERVAL_MS = { min: 10, max: 60000 } as const;

/** BFD on every adjacency: true (100 ms x 3), false, or its timers. */
export const bfdSchema = z.union([
  z.boolean(),
  z.strictObject({
    intervalMs: wholeIn(BFD_INTERVAL_MS.min, BFD_INTERVAL_MS.max, " ms").default(DEFAULT_BFD.intervalMs),
    multiplier: wholeIn(2, 255).default(DEFAULT_BFD.multiplier),
    /**
     * Timers of the multihop sessions (iBGP between loopbacks); default: 3 x intervalMs, the same
     * multiplier. Each must detect a dead peer more slowly than the single-hop sessions (plan.ts).
     */
    multihop: z
      .strictObject({
        intervalMs: wholeIn(BFD_INTERVAL_MS.min, BFD_INTERVAL_MS.max, " ms").optional(),
        multiplier: wholeIn(2, 255).optional(),
      })
      .optional(),
  }),
]);

/** The routing fields of a node, spread into the node schema. */
export const nodeRoutingFields = {
  /** OSPFv2 on this router. */
  ospf: ospfSchema.optional(),
  /** BGP on this router. */
  bgp: bgpSchema.optional(),
  /** A /32 on the router's `lo`, announced by its protocols; iBGP runs between loopbacks when OSPF carries them. */
  loopback: ipv4.optional(),
  /** Router id of OSPF and BGP; default: the loopback, else the node's first interface address. */
  routerId: ipv4.optional(),
};

export type OspfSpec = z.input<typeof ospfSchema>;
export type BgpSpec = z.input<typeof bgpSchema>;
export type BfdSpec = z.input<typeof bfdSchema>;
