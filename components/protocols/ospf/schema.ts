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

export type OspfSpec = z.input<typeof ospfSchema>;
export type OspfSettings = z.output<typeof ospfSchema>;
