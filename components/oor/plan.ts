/**
 * OpenOverlayRouter (seed 000) as typed options, validated before anything is created, for the
 * four operating modes: xTR, MS (which also answers as map resolver), RTR and MN. Pure.
 * The map-server key stays a Pulumi Input so that it can be (and stay) a secret.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { Ipv4Subnet, isIpv4Address, isUsableHost, parseSubnet } from "../net/addressing";
import { ConfigIssue, LabConfigError, fromZodIssues, show } from "../net/errors";
import { plainEnum } from "../net/plain-enum";

export const OOR_MODES = ["xTR", "MS", "RTR", "MN"] as const;
export type OorMode = (typeof OOR_MODES)[number];

const ipv4 = z.string().refine(isIpv4Address, "must be an IPv4 address");
const weighting = { priority: z.number().int().min(0).max(255).default(1), weight: z.number().int().min(0).max(255).default(100) };
const iid = z.number().int().min(0).max(16777215).default(0);
/**
 * What an OOR key may hold. oor.conf is libconfuse and a key is written there unquoted: libconfuse
 * ends an unquoted string at whitespace, `#`, quotes, `=`, `{`, `}`, `(`, `)`, `+`, `,` and `*`, and
 * expands `${...}`; its quoting rules differ between libconfuse versions, so keys are not quoted
 * but limited to characters that stand for themselves there. `/`, `&` and `\` are kept out too: in
 * "env" mode the image's start script substitutes its variables with sed (see renderOorEnv). The
 * key is never shown in an error.
 */
export const OOR_KEY_PATTERN = /^[A-Za-z0-9._~:!%^-]+$/;
export const OOR_KEY_RULE = "must be letters, digits and - _ . : ~ ! % ^ only (oor.conf holds the key unquoted)";

/** The key check on a resolved key; an unresolved Output is checked when it is rendered (render.ts). */
export function oorKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string") return undefined;
  if (key === "") return "must be set (a Pulumi secret)";
  return OOR_KEY_PATTERN.test(key) ? undefined : OOR_KEY_RULE;
}

const secretInput = z
  .custom<pulumi.Input<string>>((value) => value !== undefined && value !== "", "must be set (a Pulumi secret)")
  .superRefine((value, ctx) => {
    const problem = value === "" ? undefined : oorKeyProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const oorOptionsSchema = z.strictObject({
  mode: plainEnum(OOR_MODES, { message: `must be one of ${OOR_MODES.join(", ")}` }),
  /** "file" (default): a complete oor.conf rendered here; "env": the image's own variables (xTR and MN only). */
  config: plainEnum(["file", "env"]).default("file"),
  /**
   * OOR's log level, 1 to 3 (default 1). Not 0: OOR logs registrations (Map-Register, Map-Notify,
   * a refused key) from 1 up, and the image records them from its log for the lab's probe.
   */
  debug: z.number().int().min(1, "must be 1, 2 or 3 (OOR logs registrations from 1 up; the lab's probe reads them)").max(3).default(1),
  /** The RLOC network's subnet and this router's address in it. */
  rlocSubnet: z.string(),
  rlocAddress: z.string(),
  mapResolvers: z.array(ipv4).default([]),
  mapServers: z.array(z.strictObject({ address: ipv4, key: secretInput, proxyReply: z.boolean().default(false) })).default([]),
  proxyEtrs: z.array(z.strictObject({ address: z.string(), ...weighting })).default([]),
  /** The EID prefixes this xTR or MN registers (IPv4 or IPv6), mapped to its RLOC address. */
  eidPrefixes: z.array(z.strictObject({ prefix: z.string(), iid, ttl: z.number().int().min(1).default(10), ...weighting })).default([]),
  /** MS: the sites it accepts registrations from. */
  sites: z
    .array(
      z.strictObject({
        eidPrefix: z.string(),
        key: secretInput,
        iid,
        acceptMoreSpecifics: z.boolean().default(true),
        proxyReply: z.boolean().default(true),
      }),
    )
    .default([]),
  rlocProbing: z
    .strictObject({
      intervalSeconds: z.number().int().min(0).default(30),
      retries: z.number().int().min(0).max(5).default(2),
      retryIntervalSeconds: z.number().int().min(1).default(5),
    })
    .default({ intervalSeconds: 30, retries: 2, retryIntervalSeconds: 5 }),
});

/** What an OOR router is in every mode: its RLOC side, its map system, its log (plain data; oorOptionsSchema checks it). */
export interface OorCommonOptions {
  /** "file" (default): a complete oor.conf rendered here; "env": the image's own variables (xTR and MN only). */
  config?: string;
  /**
   * OOR's log level, 1 to 3 (default 1). Not 0: OOR logs registrations (Map-Register, Map-Notify,
   * a refused key) from 1 up, and the image records them from its log for the lab's probe.
   */
  debug?: number;
  /** The RLOC network's subnet. */
  rlocSubnet: string;
  /** This router's address in the RLOC subnet. */
  rlocAddress: string;
  /** Map resolvers' RLOC addresses (xTR, RTR, MN). */
  mapResolvers?: string[];
  /** Map servers it registers its EID prefixes with (xTR, MN). */
  mapServers?: OorMapServer[];
  /** Proxy ETRs it sends to for destinations without a mapping. */
  proxyEtrs?: OorProxyEtr[];
  /** How it probes its peers' RLOCs. */
  rlocProbing?: OorRlocProbing;
}

/** An OpenOverlayRouter's options (plain data; oorOptionsSchema checks them, planOorRouter what they mean). */
export interface OorOptions extends OorCommonOptions {
  /** Its operating mode: "xTR", "MS" (also answering as map resolver), "RTR" or "MN". */
  mode: string;
  /** The EID prefixes this xTR or MN registers (IPv4 or IPv6), mapped to its RLOC address. */
  eidPrefixes?: OorEidPrefix[];
  /** MS: the sites it accepts registrations from. */
  sites?: OorSite[];
}

/** A map server an xTR or MN registers with. */
export interface OorMapServer {
  /** Its RLOC address. */
  address: string;
  /** The key of the registration: a Pulumi secret, never shown. */
  key: pulumi.Input<string>;
  /** Ask the map server to answer Map-Requests for the registered prefixes (default false). */
  proxyReply?: boolean;
}

/** A proxy ETR. */
export interface OorProxyEtr {
  /** Its RLOC address (IPv4 or IPv6). */
  address: string;
  /** 0 to 255, lower preferred (default 1). */
  priority?: number;
  /** 0 to 255, the share among equal priorities (default 100). */
  weight?: number;
}

/** An EID prefix an xTR or MN registers. */
export interface OorEidPrefix {
  /** An IPv4 or IPv6 prefix such as 10.1.0.0/24 or fd00:1::/64. */
  prefix: string;
  /** Instance id, 0 to 16777215 (default 0). */
  iid?: number;
  /** TTL of its mappings, in minutes as LISP counts them (default 10). */
  ttl?: number;
  /** 0 to 255, lower preferred (default 1). */
  priority?: number;
  /** 0 to 255, the share among equal priorities (default 100). */
  weight?: number;
}

/** A site a map server accepts registrations from. */
export interface OorSite {
  /** The site's EID prefix. */
  eidPrefix: string;
  /** The key its xTRs register with: a Pulumi secret, never shown. */
  key: pulumi.Input<string>;
  /** Instance id, 0 to 16777215 (default 0). */
  iid?: number;
  /** Accept registrations of prefixes inside eidPrefix (default true). */
  acceptMoreSpecifics?: boolean;
  /** Answer Map-Requests for the site's prefixes itself (default true). */
  proxyReply?: boolean;
}

/** RLOC probing. */
export interface OorRlocProbing {
  /** Seconds between probes; 0 turns probing off (default 30). */
  intervalSeconds?: number;
  /** Retries of an unanswered probe, 0 to 5 (default 2). */
  retries?: number;
  /** Seconds between retries, at least 1 (default 5). */
  retryIntervalSeconds?: number;
}
export type OorPlan = z.output<typeof oorOptionsSchema> & { eidFamilies: ("ipv4" | "ipv6")[] };

/** An IPv4 or IPv6 prefix whose address is the network address ("10.1.0.0/24", "fd00:1::/64"). */
export function parsePrefix(text: string): { family: "ipv4" | "ipv6"; cidr: string } | string {
  try {
    const [address, length] = ipaddr.parseCIDR(text);
    const network =
      address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(text).toString() : ipaddr.IPv6.networkAddressFromCIDR(text).toString();
    if (network !== address.toString()) return `is not a prefix (did you mean ${network}/${length}?)`;
    return { family: address.kind() as "ipv4" | "ipv6", cidr: `${network}/${length}` };
  } catch {
    return "is not an IPv4 or IPv6 prefix such as 10.1.0.0/24";
  }
}

export function planOorRouter(name: string, options: OorOptions): OorPlan {
  const subject = `OorRouter ${show(name)}`;
  const parsed = oorOptionsSchema.safeParse(options);
  if (!parsed.success) throw new LabConfigError(subject, fromZodIssues(parsed.error.issues, options));
  const args = parsed.data;
  const issues: ConfigIssue[] = [];

  const rloc = parseSubnet(args.rlocSubnet);
  if (typeof rloc === "string") issues.push({ path: "rlocSubnet", message: `${show(args.rlocSubnet)} ${rloc}` });
  else if (!isIpv4Address(args.rlocAddress) || !isUsableHost(rloc, args.rlocAddress)) {
    issues.push({ path: "rlocAddress", message: `${show(args.rlocAddress)} is outside the RLOC subnet ${rloc.cidr}` });
  }

  const families = new Set<"ipv4" | "ipv6">();
  args.eidPrefixes.forEach((eid, i) => {
    const prefix = parsePrefix(eid.prefix);
    if (typeof prefix === "string") issues.push({ path: `eidPrefixes[${i}].prefix`, message: `${show(eid.prefix)} ${prefix}` });
    else families.add(prefix.family);
  });
  args.sites.forEach((site, i) => {
    const prefix = parsePrefix(site.eidPrefix);
    if (typeof prefix === "string") issues.push({ path: `sites[${i}].eidPrefix`, message: `${show(site.eidPrefix)} ${prefix}` });
  });

  const tunnelRouter = args.mode === "xTR" || args.mode === "MN";
  if (tunnelRouter) {
    if (args.mapServers.length === 0)
      issues.push({ path: "mapServers", message: `an ${args.mode} registers with a map server: name one, with its key` });
    if (args.mapResolvers.length === 0) issues.push({ path: "mapResolvers", message: `an ${args.mode} needs a map resolver` });
    if (args.eidPrefixes.length === 0) issues.push({ path: "eidPrefixes", message: `an ${args.mode} needs at least one EID prefix` });
  }
  if (args.mode === "MS" && args.sites.length === 0) {
    issues.push({ path: "sites", message: "a map server needs at least one lisp site (EID prefix and key)" });
  }
  if (args.mode === "RTR" && args.mapResolvers.length === 0) issues.push({ path: "mapResolvers", message: "an RTR needs a map resolver" });
  if (!tunnelRouter && args.eidPrefixes.length > 0) {
    issues.push({ path: "eidPrefixes", message: `EID prefixes are registered by an xTR or MN, not a ${args.mode}` });
  }
  if (args.config === "env") {
    if (!tunnelRouter)
      issues.push({ path: "config", message: `"env" configures only xTR and MN (the image's variables); use "file" for ${args.mode}` });
    if (args.mapServers.length > 1 || args.mapResolvers.length > 1) {
      issues.push({ path: "config", message: '"env" carries one map server and one map resolver; use "file" for more' });
    }
    for (const family of ["ipv4", "ipv6"] as const) {
      const count = args.eidPrefixes.filter((eid) => (parsePrefix(eid.prefix) as { family?: string }).family === family).length;
      if (count > 1) issues.push({ path: "config", message: `"env" carries one ${family} EID prefix; use "file" for ${count}` });
    }
  }
  if (typeof rloc !== "string") issues.push(...addressPlanIssues(args, rloc));
  if (issues.length > 0) throw new LabConfigError(subject, issues);
  return { ...args, eidFamilies: [...families].sort() };
}

/** Whether two prefixes of one family share an address. */
function prefixesOverlap(a: string, b: string): boolean {
  const [aAddress, aLength] = ipaddr.parseCIDR(a);
  const [bAddress, bLength] = ipaddr.parseCIDR(b);
  if (aAddress.kind() !== bAddress.kind()) return false;
  return aAddress.match(bAddress, Math.min(aLength, bLength));
}

/**
 * The address plan around the RLOC network: EID prefixes are not RLOC space and do not overlap
 * one another (per instance id), and a router does not name itself as its map server or resolver.
 */
function addressPlanIssues(args: z.output<typeof oorOptionsSchema>, rloc: Ipv4Subnet): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const prefixes = [
    ...args.eidPrefixes.map((eid, i) => ({ path: `eidPrefixes[${i}].prefix`, text: eid.prefix, iid: eid.iid })),
    ...args.sites.map((site, i) => ({ path: `sites[${i}].eidPrefix`, text: site.eidPrefix, iid: site.iid })),
  ].flatMap((item) => {
    const prefix = parsePrefix(item.text);
    return typeof prefix === "string" ? [] : [{ ...item, cidr: prefix.cidr }];
  });
  prefixes.forEach((prefix, i) => {
    if (prefixesOverlap(prefix.cidr, rloc.cidr)) {
      issues.push({
        path: prefix.path,
        message: `${show(prefix.text)} overlaps the RLOC subnet ${rloc.cidr}: EIDs and RLOCs are separate spaces`,
      });
    }
    const earlier = prefixes.slice(0, i).find((other) => other.iid === prefix.iid && prefixesOverlap(other.cidr, prefix.cidr));
    if (earlier) issues.push({ path: prefix.path, message: `${show(prefix.text)} overlaps ${earlier.path} (${earlier.cidr})` });
  });
  args.mapServers.forEach((server, i) => {
    if (server.address === args.rlocAddress) {
      issues.push({
        path: `mapServers[${i}].address`,
        message: `${show(server.address)} is this router's own RLOC address: a site cannot be its own map server`,
      });
    }
  });
  args.mapResolvers.forEach((resolver, i) => {
    if (resolver === args.rlocAddress) {
      issues.push({
        path: `mapResolvers[${i}]`,
        message: `${show(resolver)} is this router's own RLOC address: a site cannot be its own map resolver`,
      });
    }
  });
  return issues;
}

/**
 * The plan with every key a Pulumi secret: a stack validates with the keys themselves (every check
 * at preview) and builds with them secret.
 */
export function withSecretKeys(plan: OorPlan): OorPlan {
  return {
    ...plan,
    mapServers: plan.mapServers.map((mapServer) => ({ ...mapServer, key: pulumi.secret(mapServer.key) })),
    sites: plan.sites.map((site) => ({ ...site, key: pulumi.secret(site.key) })),
  };
}
