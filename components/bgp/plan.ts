/**
 * The BGP triangle of seed 004 as data: HOST - R1 - R2 - WEB_SERVER with R3 linked to both and
 * owning a stub network. Arguments are validated (ASNs, router ids, subnets, addresses) with errors
 * naming the BgpTriangle field, then turned into a RoutedLab description whose three routers carry
 * `bgp`: RoutedLab's routing derives the six eBGP sessions and the FRR configuration. Pure.
 */
import { z } from "zod";
import { Ipv4Subnet, hostAddress, isIpv4Address, isUsableHost, lastUsableAddress, parseSubnet, subnetsOverlap } from "../net/addressing";
import { ConfigIssue, LabConfigError, fromZodIssues, show } from "../net/errors";
import { NodeRoutingPlan } from "../protocols";
import { LabPlan, NodeSpec, PlanOptions, RoutedLabSpec, planRoutedLab } from "../routed-lab/plan";

export const ROUTERS = ["r1", "r2", "r3"] as const;
export type RouterName = (typeof ROUTERS)[number];
const LINKS = ["r1r2", "r1r3", "r2r3"] as const;
type LinkName = (typeof LINKS)[number];

const MAX_ASN = 4294967295;
const asn = z
  .number()
  .int("must be a whole number")
  .min(1, `must be an ASN from 1 to ${MAX_ASN}`)
  .max(MAX_ASN, `must be an ASN from 1 to ${MAX_ASN}`);
const ipv4 = z.string().refine(isIpv4Address, "must be an IPv4 address");

export const DEFAULT_QUESTION = "What is the question? Whichever path it took, HOST got it from WEB_SERVER.\n";

export const bgpTriangleArgsSchema = z.strictObject({
  asns: z
    .strictObject({ r1: asn.default(4500), r2: asn.default(55000), r3: asn.default(65000) })
    .default({ r1: 4500, r2: 55000, r3: 65000 }),
  routerIds: z
    .strictObject({ r1: ipv4.default("1.1.1.1"), r2: ipv4.default("2.2.2.2"), r3: ipv4.default("3.3.3.3") })
    .default({ r1: "1.1.1.1", r2: "2.2.2.2", r3: "3.3.3.3" }),
  subnets: z
    .strictObject({
      host: z.string().default("10.0.0.0/24"),
      web: z.string().default("12.0.0.0/24"),
      stub: z.string().default("11.0.0.0/24"),
      r1r2: z.string().default("10.255.12.0/29"),
      r1r3: z.string().default("10.255.13.0/29"),
      r2r3: z.string().default("10.255.23.0/29"),
    })
    .default({
      host: "10.0.0.0/24",
      web: "12.0.0.0/24",
      stub: "11.0.0.0/24",
      r1r2: "10.255.12.0/29",
      r1r3: "10.255.13.0/29",
      r2r3: "10.255.23.0/29",
    }),
  /** HOST's address in the host LAN; default: the LAN's 10th address. */
  hostAddress: z.string().optional(),
  /** WEB_SERVER's address in the web LAN; default: the LAN's 10th address. */
  webAddress: z.string().optional(),
  /** The text of the page WEB_SERVER serves. */
  question: z.string().min(1, "must not be empty").default(DEFAULT_QUESTION),
  /** BFD on every session (default 100 ms x 3), or off (`enabled: false`, or stack config's `false`). */
  bfd: z
    .union([
      z.literal(false),
      z.strictObject({
        enabled: z.boolean().optional(),
        intervalMs: z.number().int().min(10, "must be 10 to 60000 ms").max(60000, "must be 10 to 60000 ms").default(100),
        multiplier: z.number().int().min(2, "must be 2 to 255").max(255, "must be 2 to 255").default(3),
      }),
    ])
    .transform((bfd) => (bfd === false || bfd.enabled === false ? false : { intervalMs: bfd.intervalMs, multiplier: bfd.multiplier }))
    .default({ intervalMs: 100, multiplier: 3 }),
  timers: z
    .strictObject({
      keepaliveSeconds: z.number().int().min(1).max(65535).default(1),
      holdSeconds: z.number().int().min(3, "must be at least 3").max(65535).default(3),
    })
    .default({ keepaliveSeconds: 1, holdSeconds: 3 }),
  /** Segments are Docker internal networks. */
  internal: z.boolean().default(true),
});

/** The triangle's own arguments (plain data; bgpTriangleArgsSchema checks them). Every one has the seed's default. */
export interface BgpTriangleOptions {
  /** Each router's AS number, 1 to 4294967295, three distinct ones (defaults: r1 4500, r2 55000, r3 65000). */
  asns?: BgpTriangleAsns;
  /** Each router's BGP router id, three distinct IPv4 addresses (defaults 1.1.1.1, 2.2.2.2, 3.3.3.3). */
  routerIds?: BgpTriangleRouterIds;
  /** The LANs' and links' subnets. */
  subnets?: BgpTriangleSubnets;
  /** HOST's address in the host LAN; default: the LAN's 10th address. */
  hostAddress?: string;
  /** WEB_SERVER's address in the web LAN; default: the LAN's 10th address. */
  webAddress?: string;
  /** The text of the page WEB_SERVER serves. */
  question?: string;
  /** BFD on every session (default on, 100 ms x 3). */
  bfd?: BgpTriangleBfd;
  /** The sessions' BGP timers. */
  timers?: BgpTriangleTimers;
  /** Segments are Docker internal networks (default true). */
  internal?: boolean;
}

/** What the schema takes: BgpTriangleOptions, or with `bfd: false` as stack config may give it. */
export type BgpTriangleOptionsInput = z.input<typeof bgpTriangleArgsSchema>;

/** An AS number per router of the triangle. */
export interface BgpTriangleAsns {
  /** R1's, the host LAN's router (default 4500). */
  r1?: number;
  /** R2's, the web LAN's router (default 55000). */
  r2?: number;
  /** R3's, the stub network's router (default 65000). */
  r3?: number;
}

/** A BGP router id (an IPv4 address) per router of the triangle. */
export interface BgpTriangleRouterIds {
  /** R1's (default 1.1.1.1). */
  r1?: string;
  /** R2's (default 2.2.2.2). */
  r2?: string;
  /** R3's (default 3.3.3.3). */
  r3?: string;
}

/** The triangle's subnets: three LANs and three router-to-router links (each /29 or larger). */
export interface BgpTriangleSubnets {
  /** HOST's LAN, behind r1 (default 10.0.0.0/24). */
  host?: string;
  /** WEB_SERVER's LAN, behind r2 (default 12.0.0.0/24). */
  web?: string;
  /** The stub network r3 owns (default 11.0.0.0/24). */
  stub?: string;
  /** The r1-r2 link (default 10.255.12.0/29). */
  r1r2?: string;
  /** The r1-r3 link (default 10.255.13.0/29). */
  r1r3?: string;
  /** The r2-r3 link (default 10.255.23.0/29). */
  r2r3?: string;
}

/** BFD on the triangle's sessions. */
export interface BgpTriangleBfd {
  /** false runs plain BGP timers only (default true). */
  enabled?: boolean;
  /** Transmit and receive interval, 10 to 60000 ms (default 100). */
  intervalMs?: number;
  /** Missed packets before a peer is down, 2 to 255 (default 3). */
  multiplier?: number;
}

/** The triangle's BGP session timers. */
export interface BgpTriangleTimers {
  /** Seconds between keepalives (default 1). */
  keepaliveSeconds?: number;
  /** Seconds without a keepalive before a session drops: at least 3, more than keepaliveSeconds (default 3). */
  holdSeconds?: number;
}

export interface BgpSession {
  router: RouterName;
  neighbor: RouterName;
  address: string;
  remoteAs: number;
}

export interface BgpTrianglePlan {
  spec: RoutedLabSpec;
  /** The triangle as the RoutedLab it is built as, planned once: what gets built. */
  lab: LabPlan;
  /** Each router's routing as RoutedLab plans it from the spec. */
  routers: Record<RouterName, NodeRoutingPlan>;
  sessions: BgpSession[];
  hostAddress: string;
  webAddress: string;
  question: string;
  mermaid: string;
}

/** Which routers each link joins; the first takes the link's .1, the second its .2. */
const LINK_ENDS: Record<LinkName, [RouterName, RouterName]> = {
  r1r2: ["r1", "r2"],
  r1r3: ["r1", "r3"],
  r2r3: ["r2", "r3"],
};
/** The LAN each router owns and announces. */
const ROUTER_LAN: Record<RouterName, "host" | "web" | "stub"> = { r1: "host", r2: "web", r3: "stub" };

type TriangleArgs = z.output<typeof bgpTriangleArgsSchema>;
type TriangleSubnets = Record<keyof TriangleArgs["subnets"], Ipv4Subnet>;

export function planBgpTriangle(name: string, options: BgpTriangleOptionsInput = {}, planOptions: PlanOptions = {}): BgpTrianglePlan {
  const subject = `BgpTriangle ${show(name)}`;
  const parsed = bgpTriangleArgsSchema.safeParse(options);
  if (!parsed.success) throw new LabConfigError(subject, fromZodIssues(parsed.error.issues, options));
  const args = parsed.data;
  const issues = routerIssues(args);
  const subnets = planSubnets(args, issues);
  if (issues.length > 0) throw new LabConfigError(subject, issues);
  const host = endpointAddress(subnets, "host", args.hostAddress, "hostAddress", issues);
  const web = endpointAddress(subnets, "web", args.webAddress, "webAddress", issues);
  if (issues.length > 0) throw new LabConfigError(subject, issues);

  const spec = triangleSpec(args, subnets, host, web);
  // The sessions and configurations are RoutedLab's own, planned here from the spec, once.
  const planned = planRoutedLab(name, spec, planOptions);
  const routers = { r1: routingOf(planned, "r1"), r2: routingOf(planned, "r2"), r3: routingOf(planned, "r3") };
  const sessions: BgpSession[] = ROUTERS.flatMap((router) =>
    (routers[router].bgp?.neighbors ?? []).map((neighbor) => ({
      router,
      neighbor: neighbor.node as RouterName,
      address: neighbor.address,
      remoteAs: neighbor.remoteAs,
    })),
  );
  return {
    spec,
    lab: planned,
    routers,
    sessions,
    hostAddress: host,
    webAddress: web,
    question: args.question,
    mermaid: renderBgpMermaid(args.asns, args.routerIds, subnets, host, web),
  };
}

/** eBGP on every link needs three distinct ASNs and router ids, and sane timers. */
function routerIssues(args: TriangleArgs): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (args.timers.keepaliveSeconds >= args.timers.holdSeconds) {
    issues.push({
      path: "timers.keepaliveSeconds",
      message: `${args.timers.keepaliveSeconds} must be less than holdSeconds (${args.timers.holdSeconds})`,
    });
  }
  ROUTERS.forEach((router, i) => {
    const other = ROUTERS.slice(0, i).find((earlier) => args.asns[earlier] === args.asns[router]);
    if (other) issues.push({ path: `asns.${router}`, message: `${args.asns[router]} is also ${other}'s ASN; eBGP needs distinct ASNs` });
    const sameId = ROUTERS.slice(0, i).find((earlier) => args.routerIds[earlier] === args.routerIds[router]);
    if (sameId) issues.push({ path: `routerIds.${router}`, message: `${show(args.routerIds[router])} is also ${sameId}'s router id` });
  });
  return issues;
}

/** Every subnet parsed, links big enough for two routers and Docker's gateway, none overlapping. */
function planSubnets(args: TriangleArgs, issues: ConfigIssue[]): TriangleSubnets {
  const subnets = {} as TriangleSubnets;
  for (const key of Object.keys(args.subnets) as (keyof TriangleArgs["subnets"])[]) {
    const subnet = parseSubnet(args.subnets[key]);
    if (typeof subnet === "string") {
      issues.push({ path: `subnets.${key}`, message: `${show(args.subnets[key])} ${subnet}` });
      continue;
    }
    if ((LINKS as readonly string[]).includes(key) && subnet.prefixLength > 29) {
      issues.push({
        path: `subnets.${key}`,
        message: `${show(subnet.cidr)} is too small: a link needs two routers and Docker's gateway (/29 or larger)`,
      });
    }
    for (const [otherKey, other] of Object.entries(subnets)) {
      if (subnetsOverlap(subnet, other)) {
        issues.push({ path: `subnets.${key}`, message: `${show(subnet.cidr)} overlaps subnets.${otherKey} (${other.cidr})` });
      }
    }
    subnets[key] = subnet;
  }
  return subnets;
}

/** HOST's or WEB_SERVER's address: the one given, else its LAN's 10th host; neither the router's nor the gateway's. */
function endpointAddress(
  subnets: TriangleSubnets,
  lan: "host" | "web",
  given: string | undefined,
  field: string,
  issues: ConfigIssue[],
): string {
  const subnet = subnets[lan];
  // The default is the LAN's 10th host, which a LAN smaller than /28 does not have.
  if (given === undefined && subnet.prefixLength > 28) {
    issues.push({
      path: `subnets.${lan}`,
      message: `${show(subnet.cidr)} is too small for ${field}'s default (its 10th host): use a /28 or larger, or set ${field}`,
    });
    return "";
  }
  const address = given ?? hostAddress(subnet, 10);
  if (!isIpv4Address(address) || !isUsableHost(subnet, address)) {
    issues.push({ path: field, message: `${show(address)} is outside subnets.${lan} (${subnet.cidr})` });
  } else if (address === hostAddress(subnet, 1) || address === lastUsableAddress(subnet)) {
    issues.push({ path: field, message: `${show(address)} is the router's or Docker gateway's address in ${subnet.cidr}` });
  }
  return address;
}

/** The triangle as a RoutedLab: a router is .1 on its LAN; on a link the first router is .1, the second .2. */
function triangleSpec(args: TriangleArgs, subnets: TriangleSubnets, host: string, web: string): RoutedLabSpec {
  const linkAddress = (link: LinkName, router: RouterName) => hostAddress(subnets[link], LINK_ENDS[link].indexOf(router) + 1);
  const linksOf = (router: RouterName) => LINKS.filter((link) => LINK_ENDS[link].includes(router));
  const routerNodes: NodeSpec[] = ROUTERS.map((router) => ({
    name: router,
    image: "router",
    router: true,
    interfaces: [
      { segment: `${ROUTER_LAN[router]}-lan`, address: hostAddress(subnets[ROUTER_LAN[router]], 1) },
      ...linksOf(router).map((link) => ({ segment: link, address: linkAddress(link, router) })),
    ],
    routerId: args.routerIds[router],
    bgp: { asn: args.asns[router], keepaliveSeconds: args.timers.keepaliveSeconds, holdSeconds: args.timers.holdSeconds },
  }));
  return {
    bfd: args.bfd === false ? { enabled: false } : args.bfd,
    segments: [
      ...(["host", "web", "stub"] as const).map((lan) => ({ name: `${lan}-lan`, subnet: subnets[lan].cidr, internal: args.internal })),
      ...LINKS.map((link) => ({ name: link, subnet: subnets[link].cidr, internal: args.internal })),
    ],
    nodes: [
      ...routerNodes,
      {
        name: "host",
        image: "client",
        interfaces: [{ segment: "host-lan", address: host }],
        routes: [{ to: "default", via: hostAddress(subnets.host, 1) }],
      },
      {
        name: "web",
        image: "web",
        interfaces: [{ segment: "web-lan", address: web, aliases: ["web-server"] }],
        routes: [{ to: "default", via: hostAddress(subnets.web, 1) }],
        files: { "/srv/www/index.html": args.question },
      },
    ],
  };
}

/** A router's routing as RoutedLab planned it (every triangle router runs BGP). */
function routingOf(plan: LabPlan, router: RouterName): NodeRoutingPlan {
  const routing = plan.nodes.find((node) => node.name === router)?.routing;
  if (!routing) throw new Error(`BgpTriangle: RoutedLab planned no routing for ${router}`);
  return routing;
}

function renderBgpMermaid(
  asns: Record<RouterName, number>,
  routerIds: Record<RouterName, string>,
  subnets: Record<string, Ipv4Subnet>,
  host: string,
  web: string,
): string {
  const lines = ["flowchart LR", `  host["HOST<br/>${host}"]`, `  web["WEB_SERVER<br/>${web}"]`];
  for (const router of ROUTERS) {
    lines.push(`  ${router}["${router.toUpperCase()}<br/>AS ${asns[router]}<br/>id ${routerIds[router]}"]`);
  }
  lines.push(`  stub(["stub ${subnets.stub.cidr}"])`);
  lines.push(`  host ---|${subnets.host.cidr}| r1`, `  r2 ---|${subnets.web.cidr}| web`, "  r3 --- stub");
  for (const link of LINKS) lines.push(`  ${LINK_ENDS[link][0]} ---|eBGP ${subnets[link].cidr}| ${LINK_ENDS[link][1]}`);
  return lines.join("\n") + "\n";
}
