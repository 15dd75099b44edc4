/** BGP's field of a node: shapes and ranges (zod); what it means across the lab is checked in plan.ts. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ipv4, wholeIn } from "../fields";

export const MAX_ASN = 4294967295;

const asn = z
  .number({ message: `must be an ASN from 1 to ${MAX_ASN}` })
  .int(`must be an ASN from 1 to ${MAX_ASN}`)
  .min(1, `must be an ASN from 1 to ${MAX_ASN}`)
  .max(MAX_ASN, `must be an ASN from 1 to ${MAX_ASN}`);

/** What FRR takes as a TCP MD5 key: printable ASCII without spaces (it would end the word), at most 80 characters. */
export const BGP_PASSWORD_PATTERN = /^[!-~]{1,80}$/;

/** A session's password: a string FRR can take, or a Pulumi secret (checked when it resolves). */
const password = z.custom<pulumi.Input<string>>(
  (value) => (typeof value === "string" ? BGP_PASSWORD_PATTERN.test(value) : pulumi.Output.isInstance(value)),
  "must be 1 to 80 printable characters without spaces (or a Pulumi secret)",
);

const u16 = "(0-65535)";
const u32 = "(0-4294967295)";
const inRange = (part: string, max: number) => /^\d{1,10}$/.test(part) && Number(part) <= max;

/** A standard community `AA:NN` (each 0 to 65535), or one of the well-known names FRR takes. */
export const standardCommunity = z
  .string()
  .refine(
    (value) =>
      ["no-export", "no-advertise", "local-AS", "no-peer", "blackhole", "graceful-shutdown"].includes(value) ||
      (value.split(":").length === 2 && value.split(":").every((part) => inRange(part, 65535))),
    `must be a standard community AA:NN ${u16}, or no-export, no-advertise, local-AS, no-peer, blackhole or graceful-shutdown`,
  );

/** A large community `A:B:C` (RFC 8092: each 0 to 4294967295). */
export const largeCommunity = z
  .string()
  .refine(
    (value) => value.split(":").length === 3 && value.split(":").every((part) => inRange(part, MAX_ASN)),
    `must be a large community A:B:C, each ${u32}`,
  );

/** Options of a router's sessions with one neighbour (netlab's bgp.session names, in camelCase). */
export const bgpSessionSchema = z.strictObject({
  neighbor: z.string().min(1, "must name a node"),
  localAs: asn.optional(),
  allowasIn: wholeIn(1, 10).optional(),
  asOverride: z.boolean().optional(),
  passive: z.boolean().optional(),
  password: password.optional(),
  gtsm: wholeIn(1, 254, " hops").optional(),
  removePrivateAs: z.boolean().optional(),
  multihop: wholeIn(2, 255, " hops").optional(),
  keepaliveSeconds: wholeIn(1, 21845, " s").optional(),
  holdSeconds: wholeIn(3, 65535, " s").optional(),
  defaultOriginate: z.boolean().optional(),
  unnumbered: z.boolean().optional(),
});

/** BGP on a router: its ASN and session timers (fast lab defaults), and what its depth adds (all optional). */
export const bgpSchema = z.strictObject({
  asn,
  keepaliveSeconds: wholeIn(1, 21845, " s").default(1),
  /** At least 3 s (RFC 4271), and more than keepaliveSeconds. */
  holdSeconds: wholeIn(3, 65535, " s").default(3),
  routeReflector: z.boolean().optional(),
  clusterId: ipv4.optional(),
  clients: z.array(z.string().min(1, "must name a node")).optional(),
  originate: z.array(z.string()).optional(),
  advertiseLoopback: z.boolean().optional(),
  communities: z
    .strictObject({
      standard: z.array(standardCommunity).optional(),
      large: z.array(largeCommunity).optional(),
    })
    .optional(),
  sessions: z.array(bgpSessionSchema).optional(),
});

/** The communities a router attaches to every prefix it announces (plain data; bgpSchema checks it). */
export interface BgpCommunitiesSpec {
  /** Standard communities `AA:NN` (or no-export, no-advertise, local-AS, no-peer, blackhole, graceful-shutdown). */
  standard?: string[];
  /** Large communities `A:B:C` (RFC 8092). */
  large?: string[];
}

/**
 * Options of a router's sessions with one neighbour (its IPv4 and IPv6 sessions alike). Those of
 * the session as a whole (password, gtsm, multihop, unnumbered) may be set at either end: both ends
 * get them; the others are this router's side.
 */
export interface BgpSessionSpec {
  /** The neighbour's node name: a BGP router this one has a session with (or, with multihop, an eBGP one it reaches). */
  neighbor: string;
  /** The ASN this router shows the neighbour instead of its own (eBGP only; FRR's `local-as`); the neighbour's remote-as follows. */
  localAs?: number;
  /** Accept routes whose AS path holds this router's ASN up to this many times, 1 to 10. */
  allowasIn?: number;
  /** Replace the neighbour's ASN in the AS paths sent to it with this router's (eBGP only). */
  asOverride?: boolean;
  /** Wait for the neighbour to connect; never open the session (not at both ends). */
  passive?: boolean;
  /** TCP MD5 key of the session (a secret: never printed; a Pulumi secret in the router's FRR file). 1 to 80 printable characters, no spaces. */
  password?: pulumi.Input<string>;
  /** GTSM (RFC 5082, FRR's `ttl-security hops`): accept the neighbour's packets only from this many hops away, 1 to 254 (not with multihop). */
  gtsm?: number;
  /** Strip private ASNs from the AS paths sent to the neighbour (eBGP only). */
  removePrivateAs?: boolean;
  /** eBGP between the two routers' loopbacks, this many hops apart (2 to 255); a static route carries each loopback unless an IGP does. */
  multihop?: number;
  /** Seconds between keepalives on this session (default: the router's). */
  keepaliveSeconds?: number;
  /** Hold time of this session, more than its keepalive (default: the router's). */
  holdSeconds?: number;
  /** Send the neighbour a default route (FRR's `default-originate`). */
  defaultOriginate?: boolean;
  /** Run the session on the shared segment's interface, between IPv6 link-local addresses (both ends need IPv6 there); it carries IPv4 too. */
  unnumbered?: boolean;
}

/** BGP on a router, as a lab description gives it (plain data; bgpSchema checks it). */
export interface BgpSpec {
  /** The router's AS number, 1 to 4294967295: the same ASN as a neighbour's makes iBGP, another eBGP. */
  asn: number;
  /** Seconds between keepalives, 1 to 21845 (default 1). */
  keepaliveSeconds?: number;
  /** Seconds without a keepalive before a session drops: at least 3 (RFC 4271) and more than keepaliveSeconds (default 3). */
  holdSeconds?: number;
  /** A route reflector (netlab's bgp.rr): the iBGP routers of its ASN that are no reflector become its clients, and need no full mesh. */
  routeReflector?: boolean;
  /** The reflector's cluster id, an IPv4 address form (default: its router id); reflectors serving the same clients may share one. */
  clusterId?: string;
  /** The reflector's clients, by node name (default: every router of its ASN that is no reflector). */
  clients?: string[];
  /** Prefixes announced besides the router's LANs (IPv4 or IPv6); each gets a discard route so the router holds it. */
  originate?: string[];
  /** Announce the router's loopback (default true). */
  advertiseLoopback?: boolean;
  /** Communities attached to every prefix the router announces. */
  communities?: BgpCommunitiesSpec;
  /** Options of its sessions, one entry per neighbour. */
  sessions?: BgpSessionSpec[];
}
export type BgpSettings = z.output<typeof bgpSchema>;
export type BgpSessionSettings = z.output<typeof bgpSessionSchema>;
