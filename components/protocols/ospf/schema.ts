/** OSPF's field of a node: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import { z } from "zod";
import { isIpv4Address } from "../../net/addressing";
import { wholeIn } from "../fields";

const MAX_AREA = 4294967295;

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
}
export type OspfSettings = z.output<typeof ospfSchema>;
