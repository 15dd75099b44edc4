/** OSPF's fields: a node's, an interface's and the lab's; shapes and ranges (zod). What they mean across the lab is checked in plan.ts. */
import { z } from "zod";
import { isIpv4Address, parseSubnet } from "../../net/addressing";
import { plainEnum } from "../../net/plain-enum";
import { wholeIn } from "../fields";

const MAX_AREA = 4294967295;

/** An OSPF area: a dotted quad ("0.0.0.0") or a number (0 is the backbone). */
export const ospfAreaSchema = z.custom<string | number>(
  (value) =>
    (typeof value === "string" && isIpv4Address(value)) ||
    (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_AREA),
  { message: `must be an area: a dotted quad such as "0.0.0.0" or a number from 0 to ${MAX_AREA}` },
);

/** A default route originated into OSPF (FRR's `default-information originate`). */
const defaultOriginateSchema = z.strictObject({
  /** Always, even when the router itself has no default route (otherwise only while it has one). */
  always: z.boolean().default(false),
  /** Its metric, 0 to 16777214 (FRR's default when omitted: 1). */
  metric: wholeIn(0, 16777214).optional(),
  /** External type 1 or 2 (FRR's default when omitted: 2). */
  metricType: wholeIn(1, 2).optional(),
});

/** OSPFv2 on a router: its area and the timers of its hellos (fast lab defaults; neighbours must agree). */
export const ospfSchema = z.strictObject({
  area: ospfAreaSchema.default("0.0.0.0"),
  /** Cost of each of the router's OSPF interfaces (FRR's default when omitted: 10 on these links). */
  cost: wholeIn(1, 65535).optional(),
  helloSeconds: wholeIn(1, 65535, " s").default(1),
  /** Must exceed helloSeconds. */
  deadSeconds: wholeIn(2, 65535, " s").default(4),
  /** Originate a default route into the domain (the router becomes an ASBR). */
  defaultOriginate: defaultOriginateSchema.optional(),
});

/** The OSPF network types an interface may set. */
export const OSPF_NETWORK_TYPES = ["point-to-point", "broadcast"] as const;

/**
 * OSPF on one interface of a router: each field overrides the node's for that link. The password is
 * a secret: MD5 authentication (FRR's message-digest key 1), at most 16 characters, no spaces.
 */
export const ospfInterfaceSchema = z.strictObject({
  area: ospfAreaSchema.optional(),
  cost: wholeIn(1, 65535).optional(),
  passive: z.boolean().optional(),
  network: plainEnum(OSPF_NETWORK_TYPES, { message: `must be ${OSPF_NETWORK_TYPES.map((t) => `"${t}"`).join(" or ")}` }).optional(),
  priority: wholeIn(0, 255).optional(),
  helloSeconds: wholeIn(1, 65535, " s").optional(),
  deadSeconds: wholeIn(2, 65535, " s").optional(),
  password: z
    .string()
    .regex(/^[!-~]{1,16}$/, "must be 1 to 16 printable characters without spaces (FRR's MD5 key)")
    .optional(),
});

/** The kinds of OSPF area (netlab's `kind`). */
export const OSPF_AREA_KINDS = ["regular", "stub", "nssa"] as const;

/** A summary an area's border routers announce for the area's prefixes inside it. */
const areaRangeSchema = z.strictObject({
  prefix: z.string().superRefine((text, ctx) => {
    const parsed = parseSubnet(text);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
  }),
  /** Announce the summary (default) or hide every prefix inside it (`not-advertise`). */
  advertise: z.boolean().default(true),
  /** The summary's cost, 0 to 16777215 (FRR's default: the largest cost of the prefixes inside). */
  cost: wholeIn(0, 16777215).optional(),
});

const areaSchema = z.strictObject({
  id: ospfAreaSchema,
  kind: plainEnum(OSPF_AREA_KINDS, { message: `must be ${OSPF_AREA_KINDS.map((t) => `"${t}"`).join(", ")}` }).default("regular"),
  /** Stub or NSSA: the border routers send no inter-area summaries in (totally stubby / totally NSSA). */
  noSummary: z.boolean().default(false),
  ranges: z.array(areaRangeSchema).default([]),
});

/** The lab's OSPF field: its areas' kinds and summaries (an area not listed is a regular one). */
export const ospfLabSchema = z.strictObject({
  areas: z.array(areaSchema).default([]),
});

/** A default route a router originates into OSPF. */
export interface OspfDefaultOriginateSpec {
  /** Originate it even when the router has no default route itself (default false: only while it has one). */
  always?: boolean;
  /** Its metric, 0 to 16777214 (FRR's default: 1). */
  metric?: number;
  /** External metric type, 1 or 2 (FRR's default: 2). */
  metricType?: number;
}

/** OSPFv2 on a router, as a lab description gives it (plain data; ospfSchema checks it). */
export interface OspfSpec {
  /**
   * The router's area: a dotted quad such as "0.0.0.0" (the backbone, the default) or "0.0.0.1".
   * (The schema also takes a number, 0 to 4294967295, as stack config may give it.)
   */
  area?: string;
  /** Cost of each of the router's OSPF interfaces, 1 to 65535 (FRR's default when omitted: 10 on these links). */
  cost?: number;
  /** Seconds between hellos, 1 to 65535 (default 1); neighbours must agree. */
  helloSeconds?: number;
  /** Seconds without a hello before a neighbour is dead, more than helloSeconds (default 4). */
  deadSeconds?: number;
  /** Originate a default route into OSPF (makes the router an ASBR: not in a stub area). */
  defaultOriginate?: OspfDefaultOriginateSpec;
}

/** OSPF on one interface: each field overrides the node's `ospf` for that link. */
export interface OspfInterfaceSpec {
  /** The link's area (a router with links in several areas is an area border router). */
  area?: string;
  /** The link's cost, 1 to 65535. */
  cost?: number;
  /** No hellos on the link, its prefix still announced (no neighbour forms there). */
  passive?: boolean;
  /** "point-to-point" (default with exactly one OSPF neighbour) or "broadcast" (DR election). */
  network?: string;
  /** DR election priority, 0 to 255 (0: never DR; FRR's default 1). */
  priority?: number;
  /** Seconds between hellos on the link, 1 to 65535; the neighbour must agree. */
  helloSeconds?: number;
  /** Seconds without a hello before the neighbour is dead, more than helloSeconds. */
  deadSeconds?: number;
  /** MD5 authentication key, 1 to 16 characters: a secret, never shown; both ends must agree. */
  password?: string;
}

/** A summary on an area's border routers. */
export interface OspfAreaRangeSpec {
  /** The summary, e.g. "10.1.0.0/16": the area's prefixes inside it are announced as this one. */
  prefix: string;
  /** Announce it (default true); false hides every prefix inside it from the other areas. */
  advertise?: boolean;
  /** The summary's cost, 0 to 16777215. */
  cost?: number;
}

/** An OSPF area's kind and summaries. */
export interface OspfAreaSpec {
  /** The area: a dotted quad such as "0.0.0.1" (or a number in stack config). */
  id: string;
  /** "regular" (default), "stub" or "nssa". */
  kind?: string;
  /** A stub or NSSA whose border routers send in no inter-area routes, only a default (totally stubby / totally NSSA). */
  noSummary?: boolean;
  /** Summaries its border routers announce to the backbone. */
  ranges?: OspfAreaRangeSpec[];
}

/** The lab's OSPF: its areas (one not listed is regular, without summaries). */
export interface OspfLabSpec {
  /** Areas that are not plain: stub or NSSA, or with summaries on their border routers. */
  areas?: OspfAreaSpec[];
}

export type OspfSettings = z.output<typeof ospfSchema>;
export type OspfInterfaceSettings = z.output<typeof ospfInterfaceSchema>;
export type OspfLabSettings = z.output<typeof ospfLabSchema>;
export type OspfAreaSettings = OspfLabSettings["areas"][number];
