/** BFD's field of the lab: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import { z } from "zod";
import { wholeIn } from "../fields";

export const DEFAULT_BFD = { intervalMs: 100, multiplier: 3 } as const;

/** FRR's range of a BFD transmit and receive interval, in ms. */
export const BFD_INTERVAL_MS = { min: 10, max: 60000 } as const;

/**
 * BFD on every adjacency and session of the lab's protocols: true (100 ms x 3), false, or its
 * timers (with `enabled: false` it is off); iBGP between loopbacks runs multihop BFD, by default
 * 3 x intervalMs with the same multiplier. Parsed, it is false or its timers (true: the defaults').
 */
export const bfdSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        /** false turns BFD off whatever the timers say (default true). */
        enabled: z.boolean().optional(),
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
    ],
    { message: "must be BFD's settings { enabled, intervalMs, multiplier, multihop }, or true or false" },
  )
  .transform(withoutEnabled);

/** The timers of BFD that is on; `enabled: false` is BFD off. */
function withoutEnabled<Timers extends { enabled?: boolean }>(settings: boolean | Timers): boolean | Omit<Timers, "enabled"> {
  if (typeof settings === "boolean" || settings.enabled === undefined) return settings;
  const { enabled, ...timers } = settings;
  return enabled && timers;
}

/** BFD on every adjacency of the lab, as a lab description gives it (plain data; bfdSchema checks it). */
export interface BfdSpec {
  /** false turns BFD off whatever the timers say (default true: giving `bfd` turns it on). */
  enabled?: boolean;
  /** Transmit and receive interval of the single-hop sessions, 10 to 60000 ms (default 100). */
  intervalMs?: number;
  /** Missed packets before a peer is down, 2 to 255 (default 3). */
  multiplier?: number;
  /**
   * Timers of the multihop sessions (iBGP between loopbacks); default: 3 x intervalMs, the same
   * multiplier. They must detect a dead peer more slowly than the single-hop sessions.
   */
  multihop?: BfdMultihopSpec;
}

/** The timers of BFD's multihop sessions. */
export interface BfdMultihopSpec {
  /** Transmit and receive interval, 10 to 60000 ms. */
  intervalMs?: number;
  /** Missed packets before a peer is down, 2 to 255. */
  multiplier?: number;
}

/** What the schema takes: a BfdSpec, or stack config's true or false. */
export type BfdSpecInput = z.input<typeof bfdSchema>;
export type BfdSettings = z.output<typeof bfdSchema>;
