/**
 * A router's `routing` field (netlab's `routing` module): named prefix lists, community lists and
 * policies, redistribution into BGP and OSPF (`import`), policies on BGP sessions, and static routes
 * of the kinds FRR's staticd has. Shapes and ranges here (zod); what the names and protocols mean on
 * the router is checked in plan.ts.
 */
import { z } from "zod";
import * as ipaddr from "ipaddr.js";
import { plainEnum } from "../../net/plain-enum";
import { wholeIn } from "../fields";

/** A name FRR takes for a list or route-map: a letter, then letters, digits, `-` and `_`. */
export const POLICY_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const NAME_MESSAGE = "must be a name: a letter, then up to 62 letters, digits, - or _";
const policyName = z.string().regex(POLICY_NAME, NAME_MESSAGE);
/** Lists and policies by name (validate.ts checks the names, showing them). */
const named = <T extends z.ZodType>(entry: T) => z.record(z.string(), z.array(entry).min(1, "a list needs at least one entry"));

/** An IPv4 prefix of any length, /0 to /32, with no host bits: its network and length, or what is wrong with it. */
export function parsePrefix4(text: string): { network: string; length: number; cidr: string } | string {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text);
  if (!match || !ipaddr.IPv4.isValidFourPartDecimal(match[1]) || Number(match[2]) > 32) {
    return 'is not an IPv4 prefix such as "10.1.0.0/16"';
  }
  const length = Number(match[2]);
  const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();
  if (network !== match[1]) return `has host bits set (did you mean ${network}/${length}?)`;
  return { network, length, cidr: `${network}/${length}` };
}

/** An IPv4 prefix as FRR writes it ("10.1.0.0/16", no host bits). */
export const ipv4Prefix = z.string().superRefine((text, ctx) => {
  const prefix = parsePrefix4(text);
  if (typeof prefix === "string") ctx.addIssue({ code: "custom", message: `must be an IPv4 prefix: ${prefix}` });
});

const action = plainEnum(["permit", "deny"], { message: 'must be "permit" or "deny"' }).default("permit");

const prefixEntry = z.strictObject({
  prefix: ipv4Prefix,
  action,
  /** Match longer prefixes inside it too, from this length. */
  min: wholeIn(1, 32).optional(),
  /** ... up to this length. */
  max: wholeIn(1, 32).optional(),
});

const communityEntry = z.strictObject({
  community: z.string(),
  action,
});

const policyEntry = z.strictObject({
  action,
  match: z
    .strictObject({
      /** A prefix list of the router's `routing.prefix`. */
      prefix: policyName.optional(),
      /** A community list of the router's `routing.community`. */
      community: policyName.optional(),
    })
    .optional(),
  set: z
    .strictObject({
      locpref: wholeIn(0, 4294967295).optional(),
      med: wholeIn(0, 4294967295).optional(),
      /** Prepend the router's own ASN this many times. */
      prepend: wholeIn(1, 10).optional(),
      community: z
        .strictObject({
          standard: z.array(z.string()).optional(),
          large: z.array(z.string()).optional(),
          /** Add to the route's communities rather than replace them (default false). */
          append: z.boolean().default(false),
        })
        .optional(),
    })
    .optional(),
});

const importEntry = z.strictObject({ policy: policyName.optional() });
/** Protocols and route sources a protocol may import (`bgp.import`'s keys in netlab). */
export const IMPORT_SOURCES = ["connected", "static", "ospf", "isis", "bgp"] as const;
/** Keyed by source; a source that is none of IMPORT_SOURCES is refused in plan.ts (naming the protocols the router runs). */
const imports = z.record(z.string(), importEntry);

const staticRoute = z.strictObject({
  /** An IPv4 prefix or "default"; an IPv6 prefix or "default6". */
  to: z.string(),
  /** The next hop: on a segment of the router, or further away (resolved through the router's other routes). */
  via: z.string().optional(),
  /** Drop what matches (a blackhole route). */
  discard: z.boolean().default(false),
  /** Administrative distance, 1 to 255 (FRR's default for static routes: 1). */
  distance: wholeIn(1, 255).optional(),
});

export const routingSchema = z.strictObject({
  prefix: named(prefixEntry).optional(),
  community: named(communityEntry).optional(),
  policy: named(policyEntry).optional(),
  import: z.strictObject({ bgp: imports.optional(), ospf: imports.optional(), isis: imports.optional() }).optional(),
  bgpSessions: z.record(z.string(), z.strictObject({ policyIn: policyName.optional(), policyOut: policyName.optional() })).optional(),
  static: z.array(staticRoute).optional(),
});

/** An entry of a prefix list. */
export interface PrefixEntrySpec {
  /** An IPv4 prefix, e.g. "10.1.2.0/24". */
  prefix: string;
  /** "permit" (default) or "deny". */
  action?: string;
  /** Also match prefixes inside it from this length (FRR's `ge`), 1 to 32. */
  min?: number;
  /** ... up to this length (FRR's `le`), 1 to 32. */
  max?: number;
}

/** An entry of a community list: all of one list standard ("65000:100") or all large ("65000:1:2"). */
export interface CommunityEntrySpec {
  /** A community the entry matches: standard "65000:100" or large "65000:1:2". */
  community: string;
  /** "permit" (default) or "deny". */
  action?: string;
}

/** What a policy entry matches: all that are given (none: every route). */
export interface PolicyMatchSpec {
  /** A prefix list of the router's `routing.prefix`. */
  prefix?: string;
  /** A community list of the router's `routing.community`. */
  community?: string;
}

/** Communities a policy entry sets. */
export interface PolicyCommunitySpec {
  /** Standard communities, "65000:100". */
  standard?: string[];
  /** Large communities, "65000:1:2". */
  large?: string[];
  /** Add them to the route's own rather than replace them (default false). */
  append?: boolean;
}

/** What a policy entry sets on the routes it permits (BGP attributes; `med` is also OSPF's metric). */
export interface PolicySetSpec {
  /** BGP local preference, 0 to 4294967295: the highest wins inside an AS. */
  locpref?: number;
  /** The MED (BGP) or the metric of a route imported into OSPF, 0 to 4294967295. */
  med?: number;
  /** Prepend the router's own ASN 1 to 10 times to the AS path (BGP). */
  prepend?: number;
  /** BGP communities set on the routes. */
  community?: PolicyCommunitySpec;
}

/** An entry of a policy (a route-map entry), tried in order: the first that matches decides. */
export interface PolicyEntrySpec {
  /** "permit" (default) or "deny". */
  action?: string;
  /** What the entry matches (nothing given: every route). */
  match?: PolicyMatchSpec;
  /** What it sets on the routes it permits. */
  set?: PolicySetSpec;
}

/** A source imported into a protocol, optionally through a policy. */
export interface ImportSpec {
  /** A policy of the router's `routing.policy`: only what it permits is imported, with what it sets. */
  policy?: string;
}

/** What a protocol imports, by source: "connected", "static", "ospf", "isis" or "bgp". */
export interface ImportsSpec {
  /** Redistribution into BGP (netlab's `bgp.import`). */
  bgp?: Record<string, ImportSpec>;
  /** Redistribution into OSPF (netlab's `ospf.import`): as external routes. */
  ospf?: Record<string, ImportSpec>;
  /** Redistribution into IS-IS (netlab's `isis.import`), at the router's level (level-2 on a level-1-2 router). */
  isis?: Record<string, ImportSpec>;
}

/** Policies on the BGP sessions with one neighbour. */
export interface BgpSessionPolicySpec {
  /** Applied to what the neighbour announces. */
  policyIn?: string;
  /** Applied to what this router announces to it. */
  policyOut?: string;
}

/** A static route in FRR's staticd: exactly one of `via` and `discard`. */
export interface StaticRouteSpec {
  /** An IPv4 prefix or "default", or an IPv6 prefix or "default6". */
  to: string;
  /** The next hop, of the destination's family: on a segment of the router, or further away (resolved recursively through its other routes). */
  via?: string;
  /** Drop what matches (a blackhole route); default false. */
  discard?: boolean;
  /** Administrative distance, 1 to 255 (default 1): a route of higher distance is a backup. */
  distance?: number;
}

/** A router's routing policy, redistribution and staticd routes, as a lab description gives them (routingSchema checks it). */
export interface RoutingPolicySpec {
  /** Prefix lists by name. */
  prefix?: Record<string, PrefixEntrySpec[]>;
  /** Community lists by name. */
  community?: Record<string, CommunityEntrySpec[]>;
  /** Policies (FRR route-maps) by name. */
  policy?: Record<string, PolicyEntrySpec[]>;
  /** Redistribution into BGP and OSPF. */
  import?: ImportsSpec;
  /** Policies on the BGP sessions with a neighbour, by the neighbour's node name. */
  bgpSessions?: Record<string, BgpSessionPolicySpec>;
  /** Static routes in FRR's staticd (beside the node's kernel `routes`). */
  static?: StaticRouteSpec[];
}

export type RoutingSettings = z.output<typeof routingSchema>;
