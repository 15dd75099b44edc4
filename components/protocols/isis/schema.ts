/** IS-IS's field of a node: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import { z } from "zod";
import { plainEnum } from "../../net/plain-enum";
import { wholeIn } from "../fields";

/**
 * An ISO area id as IS-IS NETs carry it: an AFI of two hex digits, then up to six groups of four
 * ("49.0001", the private AFI 49 and area 1, as netlab's default).
 */
export const ISIS_AREA_PATTERN = /^[0-9a-fA-F]{2}(\.[0-9a-fA-F]{4}){0,6}$/;

/** The levels a router may run at: an L1 router meets L1 routers of its area, L2 routers meet L2 routers of any area. */
export const ISIS_LEVELS = ["level-1", "level-2", "level-1-2"] as const;

export const isisSchema = z.strictObject({
  area: z
    .string()
    .regex(ISIS_AREA_PATTERN, 'must be an ISO area id: two hex digits, then groups of four, such as "49.0001"')
    .default("49.0001"),
  level: plainEnum(ISIS_LEVELS, { message: `must be ${ISIS_LEVELS.map((level) => `"${level}"`).join(", ")}` }).default("level-2"),
  /** Metric of each of the router's IS-IS interfaces (wide metrics; FRR's default when omitted: 10). */
  metric: wholeIn(1, 16777215).optional(),
  helloSeconds: wholeIn(1, 600, " s").default(1),
  /** Hellos missed before a neighbour is down: hold time = helloSeconds x holdMultiplier. */
  holdMultiplier: wholeIn(2, 100).default(3),
});

/** IS-IS on a router, as a lab description gives it (plain data; isisSchema checks it). */
export interface IsisSpec {
  /** The router's ISO area, "49.0001" by default; its NET is this area and a system id made from its router id. */
  area?: string;
  /** "level-1", "level-2" (the default) or "level-1-2": L1 adjacencies stay in one area, L2 ones join areas. */
  level?: string;
  /** Metric of each of the router's IS-IS interfaces, 1 to 16777215 (FRR's default when omitted: 10). */
  metric?: number;
  /** Seconds between hellos, 1 to 600 (default 1). */
  helloSeconds?: number;
  /** Hellos missed before a neighbour is down, 2 to 100 (default 3); neighbours must agree on both. */
  holdMultiplier?: number;
}

export type IsisSettings = z.output<typeof isisSchema>;
