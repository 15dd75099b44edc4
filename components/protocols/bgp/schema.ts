/** BGP's field of a node: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import { z } from "zod";
import { wholeIn } from "../fields";

export const MAX_ASN = 4294967295;

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

/** BGP on a router, as a lab description gives it (plain data; bgpSchema checks it). */
export interface BgpSpec {
  /** The router's AS number, 1 to 4294967295: the same ASN as a neighbour's makes iBGP, another eBGP. */
  asn: number;
  /** Seconds between keepalives, 1 to 21845 (default 1). */
  keepaliveSeconds?: number;
  /** Seconds without a keepalive before a session drops: at least 3 (RFC 4271) and more than keepaliveSeconds (default 3). */
  holdSeconds?: number;
}
export type BgpSettings = z.output<typeof bgpSchema>;
