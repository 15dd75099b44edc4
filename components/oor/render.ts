/**
 * Renders oor.conf (libconfuse: `key = value`, `name { ... }` blocks, `{ a, b }` lists, as in OOR's
 * oor.conf.example) and the image's environment variables. Pure: the keys arrive resolved, and the
 * component keeps the rendered text a Pulumi secret.
 *
 * Mappings use `rloc-address`, never `rloc-iface`, so interface order does not matter. The MS's
 * control-iface and the RTR's rtr-iface must name an interface: they are written as a placeholder
 * (`@IFACE_OF:<address>@`) that the start script replaces with the interface holding that address.
 * Unlike the image's own script, every list is closed and nothing IPv6 is labelled ip_version 4.
 */
import { ConfigIssue, LabConfigError, SECRET_NOT_SHOWN } from "../net/errors";
import { OorPlan, oorKeyProblem, parsePrefix } from "./plan";

export const IFACE_PLACEHOLDER = (address: string) => `@IFACE_OF:${address}@`;

/** Resolved secrets: the key of each map server and each MS site, in order. */
export interface OorKeys {
  mapServers: string[];
  sites: string[];
}

function block(name: string, entries: [string, string | number][], indent = ""): string[] {
  const width = Math.max(...entries.map(([key]) => key.length));
  return [`${indent}${name} {`, ...entries.map(([key, value]) => `${indent}    ${key.padEnd(width)} = ${value}`), `${indent}}`];
}

function list(name: string, items: string[]): string[] {
  return [`${name} = {`, ...items.map((item, i) => `    ${item}${i < items.length - 1 ? "," : ""}`), "}"];
}

/**
 * Keys that arrive as Outputs are checked here, once resolved, as planOorRouter checks plain ones:
 * a key oor.conf cannot hold (a newline would add lines to it, `#` or a space would cut it) is
 * refused, naming the field and never the key.
 */
export function checkOorKeys(keys: OorKeys): void {
  const issues: ConfigIssue[] = [
    ...keys.mapServers.map((key, i) => [`mapServers[${i}].key`, key] as const),
    ...keys.sites.map((key, i) => [`sites[${i}].key`, key] as const),
  ].flatMap(([path, key]) => {
    const problem = typeof key === "string" ? oorKeyProblem(key) : "must be a string";
    return problem ? [{ path, message: `${problem} ${SECRET_NOT_SHOWN}` }] : [];
  });
  if (issues.length > 0) throw new LabConfigError("OOR keys", issues);
}

export function renderOorConf(plan: OorPlan, keys: OorKeys): string {
  checkOorKeys(keys);
  const header = [
    "# docker-netlabs: generated OpenOverlayRouter configuration; rewritten on every deploy",
    `debug                  = ${plan.debug}`,
    "map-request-retries    = 2",
    "ipv6-scope             = GLOBAL",
    `operating-mode         = ${plan.mode}`,
    "",
  ];
  if (plan.mode === "MS") return [...header, ...mapServerSections(plan, keys)].join("\n");
  // Tunnel routers: xTR, RTR and MN.
  const tunnel = [...header, ...tunnelRouterSections(plan)];
  if (plan.mode === "RTR") return [...tunnel, ...rtrSections(plan)].join("\n");
  return [...tunnel, ...xtrSections(plan, keys)].join("\n");
}

/** An MS/MR: its control interface and the sites it accepts registrations from. */
function mapServerSections(plan: OorPlan, keys: OorKeys): string[] {
  const lines = [`control-iface = ${IFACE_PLACEHOLDER(plan.rlocAddress)}`, ""];
  plan.sites.forEach((site, i) => {
    lines.push(
      ...block("lisp-site", [
        ["eid-prefix", parsePrefixText(site.eidPrefix)],
        ["key-type", 1],
        ["key", keys.sites[i]],
        ["iid", site.iid],
        ["accept-more-specifics", String(site.acceptMoreSpecifics)],
        ["proxy-reply", String(site.proxyReply)],
      ]),
      "",
    );
  });
  return lines;
}

/** What every tunnel router has: LISP encapsulation, RLOC probing, its map resolvers. */
function tunnelRouterSections(plan: OorPlan): string[] {
  return [
    "encapsulation          = LISP",
    "",
    ...block("rloc-probing", [
      ["rloc-probe-interval", plan.rlocProbing.intervalSeconds],
      ["rloc-probe-retries", plan.rlocProbing.retries],
      ["rloc-probe-retries-interval", plan.rlocProbing.retryIntervalSeconds],
    ]),
    "",
    ...list("map-resolver", plan.mapResolvers),
    "",
  ];
}

/** An RTR: the interface it relays on. */
function rtrSections(plan: OorPlan): string[] {
  const iface: [string, string | number][] = [
    ["iface", IFACE_PLACEHOLDER(plan.rlocAddress)],
    ["ip_version", 4],
    ["priority", 1],
    ["weight", 100],
  ];
  return ["rtr-ifaces {", ...block("rtr-iface", iface, "    "), "}", ""];
}

/** An xTR or MN: its map servers, proxy ETRs and EID prefixes mapped to its RLOC. */
function xtrSections(plan: OorPlan, keys: OorKeys): string[] {
  const lines = ["nat_traversal_support  = off", ""];
  plan.mapServers.forEach((server, i) => {
    lines.push(
      ...block("map-server", [
        ["address", server.address],
        ["key-type", 1],
        ["key", keys.mapServers[i]],
        ["proxy-reply", server.proxyReply ? "on" : "off"],
      ]),
      "",
    );
  });
  for (const etr of plan.proxyEtrs) {
    const family = etr.address.includes(":") ? "ipv6" : "ipv4";
    lines.push(
      ...block(`proxy-etr-${family}`, [
        ["address", etr.address],
        ["priority", etr.priority],
        ["weight", etr.weight],
      ]),
      "",
    );
  }
  for (const eid of plan.eidPrefixes) lines.push(...databaseMapping(plan, eid));
  return lines;
}

function databaseMapping(plan: OorPlan, eid: OorPlan["eidPrefixes"][number]): string[] {
  const rloc: [string, string | number][] = [
    ["address", plan.rlocAddress],
    ["priority", eid.priority],
    ["weight", eid.weight],
  ];
  return [
    "database-mapping {",
    `    eid-prefix          = ${parsePrefixText(eid.prefix)}`,
    `    iid                 = ${eid.iid}`,
    `    ttl                 = ${eid.ttl}`,
    ...block("rloc-address", rloc, "    "),
    "}",
    "",
  ];
}

function parsePrefixText(text: string): string {
  const prefix = parsePrefix(text);
  if (typeof prefix === "string") throw new Error(`${text} ${prefix}`); // planOorRouter has validated it
  return prefix.cidr;
}

/**
 * The image's own variables (config "env", xTR and MN only), exactly the ones its start script
 * reads. Unset ones are "-" as in the image. Prefixes are written plainly ("10.1.0.0/24"): the
 * upstream script copies them into oor.conf as they are, and Debian's libconfuse keeps a
 * backslash, so the escaped form of the upstream README ("10.1.0.0\/24") is an address OOR
 * cannot parse (measured with OOR 1.3.0 on bookworm). The own image accepts both.
 */
export function renderOorEnv(plan: OorPlan, keys: OorKeys): Record<string, string> {
  checkOorKeys(keys);
  const prefixOf = (family: "ipv4" | "ipv6") => {
    const eid = plan.eidPrefixes.find((e) => (parsePrefix(e.prefix) as { family: string }).family === family);
    return eid ? parsePrefixText(eid.prefix) : "-";
  };
  const etr = (family: "ipv4" | "ipv6") => plan.proxyEtrs.find((e) => (family === "ipv6") === e.address.includes(":"))?.address ?? "-";
  return {
    DEBUG: String(plan.debug),
    OPMODE: plan.mode,
    IPMAPRESOLVER: plan.mapResolvers[0] ?? "-",
    IPMAPSERVER: plan.mapServers[0]?.address ?? "-",
    KEYMAPSERVER: keys.mapServers[0] ?? "-",
    IPPROXYETRV4: etr("ipv4"),
    IPPROXYETRV6: etr("ipv6"),
    IPV4EIDPREFFIX: prefixOf("ipv4"),
    IPV6EIDPREFFIX: prefixOf("ipv6"),
  };
}
