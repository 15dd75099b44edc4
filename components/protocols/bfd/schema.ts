/** BFD's field of the lab: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import { z } from "zod";
import { wholeIn } from "../fields";

export const DEFAULT_BFD = { intervalMs: 100, multiplier: 3 } as const;

/** FRR's range of a BFD transmit and receive interval, in ms. */
export const BFD_INTERVAL_MS = { min: 10, max: 60000 } as const;

/**
 * BFD on every adjacency and session of the lab's protocols: true (100 ms x 3), false, or its
 * timers; iBGP between loopbacks runs multihop BFD, by default 3 x intervalMs with the same multiplier.
 */
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

export type BfdSpec = z.input<typeof bfdSchema>;
export type BfdSettings = z.output<typeof bfdSchema>;
