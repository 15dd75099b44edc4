/**
 * FRR's files for one router, rendered from its routing plan. Pure and deterministic.
 *
 * Docker names a container's interfaces in its own order, so the configuration is rendered as a
 * template: each interface appears as a token (`@IF_<segment>@`) that the node's init script
 * replaces with the interface it found holding the segment's address, writing /etc/frr/frr.conf
 * before FRR starts. The real FRR checks these files in test/e2e/frr-config-check.test.ts.
 */
import { BfdTimers, NodeRoutingPlan } from "./plan";

export const FRR_CONFIG_PATH = "/etc/frr/frr.conf";
export const FRR_TEMPLATE_PATH = "/netlabs/frr.conf.in";
export const FRR_DAEMONS_PATH = "/etc/frr/daemons";
export const FRR_VTYSH_PATH = "/etc/frr/vtysh.conf";
/**
 * FRR's log: its daemons run detached, so `log stdout` would go nowhere; the node's init follows
 * this file onto the container's output, where `docker logs` shows it.
 */
export const FRR_LOG_PATH = "/var/log/frr/frr.log";
/**
 * The only capabilities a router running FRR keeps (Docker's other defaults are dropped). Measured
 * with FRR 8.4 by dropping each in turn: every daemon raises NET_ADMIN, NET_RAW and SYS_ADMIN at
 * start, bgpd, ospfd and bfdd also NET_BIND_SERVICE, and exits without one ("privs_init: initial
 * cap_set_proc failed"); FRR's init fails without CHOWN, FOWNER, DAC_OVERRIDE, SETUID or SETGID.
 * KILL: watchfrr runs as root and its daemons as frr; without it root may not signal them (measured
 * with kill -0), so watchfrr could not restart a hung daemon.
 */
export const FRR_CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "KILL",
  "NET_ADMIN",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETGID",
  "SETUID",
  "SYS_ADMIN",
] as const;

/** The files a router's routing owns: a node's own `files` may not name them. */
export const FRR_RESERVED_PATHS = [FRR_CONFIG_PATH, FRR_TEMPLATE_PATH, FRR_DAEMONS_PATH, FRR_VTYSH_PATH] as const;

/** How long FRR may take, after it is started, to run its daemons with their configuration loaded. */
export const FRR_WAIT_SECONDS = 30;

export const BFD_PROFILE = "netlabs";
/**
 * The profile of the multihop BFD sessions, iBGP between loopbacks; its timers (plan.ts: 3 x the
 * lab's interval by default) let OSPF reroute the loopbacks before the session misses its packets.
 * FRR 8.4's bgpd makes an iBGP peer's BFD session multihop when the peer is not on a connected
 * network (bgpd/bgp_bfd.h, PEER_IS_MULTIHOP), sourced from the session's local address (the
 * loopback, by `update-source lo`) once the session is Established. It registers the session with
 * the iBGP peer's TTL, 255, from which bfdd sets the session's minimum TTL to 1
 * (bfdd/ptm_adapter.c), and a session's own minimum TTL wins over its profile's (bfdd/bfd.c,
 * bfd_session_apply): packets that crossed any number of routers are accepted, so the profile sets
 * no `minimum-ttl` (whose default, 254, would allow one hop only).
 */
export const BFD_MULTIHOP_PROFILE = "netlabs-multihop";

/** How long bgpd holds a new peer's first updates to send them together, in ms. */
const BGP_COALESCE_MS = 50;

/**
 * Lab-speed OSPF: SPF at once and at most every 500 ms; an LSA re-originated after 100 ms rather
 * than 5 s (FRR's defaults follow RFC 2328, tuned for WANs). Every newer copy of an LSA is accepted,
 * however soon after the previous one: a copy refused for arriving too soon (MinLSArrival) is not
 * acknowledged, and waits for its retransmission, 5 s later. While a lab comes up, routers
 * re-originate their LSAs within ms of each other. Measured on the OSPF ring, first node started to
 * converged: 4.1 to 4.9 s accepting every copy; 7.5 or 12.3 s refusing copies within 50 ms (an
 * adjacency held in Loading until the retransmission).
 */
const OSPF_THROTTLES = [" timers throttle spf 0 50 500", " timers throttle lsa all 100", " timers lsa min-arrival 0"];

/** The token standing for the interface on `segment` until the node's init fills it in. */
export function interfaceToken(segment: string): string {
  return `@IF_${segment}@`;
}

/** The daemons a router needs besides zebra and staticd (which FRR always starts). */
export function frrDaemons(routing: NodeRoutingPlan): ("ospfd" | "bgpd" | "bfdd")[] {
  return [
    ...(routing.ospf ? (["ospfd"] as const) : []),
    ...(routing.bgp ? (["bgpd"] as const) : []),
    ...(routing.bfd ? (["bfdd"] as const) : []),
  ];
}

export function renderFrrTemplate(hostname: string, routing: NodeRoutingPlan): string {
  const lines = [
    `! docker-netlabs: generated FRR configuration of ${hostname}; interface names are filled in when the node starts`,
    "frr defaults traditional",
    `hostname ${hostname}`,
    `log file ${FRR_LOG_PATH} informational`,
    // Failover in a lab takes tens of ms: seconds would not tell its steps apart.
    "log timestamp precision 3",
    "service integrated-vtysh-config",
    "!",
  ];
  const { ospf, bgp, bfd, bfdMultihop } = routing;
  if (bfd) {
    const profile = (name: string, timers: BfdTimers) => [
      ` profile ${name}`,
      `  detect-multiplier ${timers.multiplier}`,
      `  receive-interval ${timers.intervalMs}`,
      `  transmit-interval ${timers.intervalMs}`,
      " exit",
    ];
    lines.push(
      "bfd",
      ...profile(BFD_PROFILE, bfd),
      ...(bfdMultihop ? [" !", ...profile(BFD_MULTIHOP_PROFILE, bfdMultihop)] : []),
      // Single-hop BGP sessions declared here, whole, rather than left to bgpd: FRR 8.4's bgpd
      // registers one without its source address and interface, and re-registers it with them once
      // BGP is up; the peer's BFD sees the first one go down and its bgpd drops the BGP session
      // (measured: "BFD down received", ~2.2 s more to bring the triangle up). bgpd then joins the
      // session declared here instead. (A multihop one is registered only once BGP is up.)
      ...(routing.bgp?.neighbors ?? []).flatMap((neighbor) =>
        neighbor.bfd === "single-hop" && neighbor.link
          ? [
              ` peer ${neighbor.address} local-address ${neighbor.link.localAddress} interface ${interfaceToken(neighbor.link.segment)}`,
              `  profile ${BFD_PROFILE}`,
              " exit",
            ]
          : [],
      ),
      "exit",
      "!",
    );
  }
  if (ospf) {
    if (routing.loopback) lines.push("interface lo", ` ip ospf area ${ospf.area}`, " ip ospf passive", "exit", "!");
    for (const iface of ospf.interfaces) {
      lines.push(
        `interface ${interfaceToken(iface.segment)}`,
        ...ospfInterfaceSettings(routing, iface.segment).map((line) => ` ${line}`),
        "exit",
        "!",
      );
    }
    lines.push("router ospf", ` ospf router-id ${routing.routerId}`, " log-adjacency-changes", ...OSPF_THROTTLES, "exit", "!");
  }
  if (bgp) {
    lines.push(
      `router bgp ${bgp.asn}`,
      ` bgp router-id ${routing.routerId}`,
      " bgp log-neighbor-changes",
      // Lab routers accept and announce without policies (RFC 8212's default is to deny on eBGP).
      " no bgp ebgp-requires-policy",
      " no bgp network import-check",
      ` timers bgp ${bgp.keepaliveSeconds} ${bgp.holdSeconds}`,
      // A new peer's first updates wait this long to be grouped with others' (FRR: 1 s and more).
      ` coalesce-time ${BGP_COALESCE_MS}`,
    );
    for (const neighbor of bgp.neighbors) {
      lines.push(
        ` neighbor ${neighbor.address} remote-as ${neighbor.remoteAs}`,
        ` neighbor ${neighbor.address} description ${neighbor.node}`,
        // Reconnect at once after a session drops, rather than after the default 120 s.
        ` neighbor ${neighbor.address} timers connect 1`,
      );
      if (neighbor.overLoopback) lines.push(` neighbor ${neighbor.address} update-source lo`);
      if (neighbor.bfd) {
        const profile = neighbor.bfd === "multihop" ? BFD_MULTIHOP_PROFILE : BFD_PROFILE;
        lines.push(` neighbor ${neighbor.address} bfd profile ${profile}`);
      }
    }
    lines.push(" address-family ipv4 unicast");
    for (const network of bgp.networks) lines.push(`  network ${network}`);
    // iBGP peers get this router as next hop: the external one may be on a link they do not know.
    for (const neighbor of bgp.neighbors.filter((n) => n.remoteAs === bgp.asn)) lines.push(`  neighbor ${neighbor.address} next-hop-self`);
    lines.push(" exit-address-family", "exit", "!");
  }
  lines.push("end", "");
  return lines.join("\n");
}

/**
 * The OSPF settings of the router's interface on `segment`, as lines of FRR's interface node: also
 * applied by the node to the interface a reconnected segment comes back on (Docker names it anew).
 */
export function ospfInterfaceSettings(routing: NodeRoutingPlan, segment: string): string[] {
  const ospf = routing.ospf!;
  const iface = ospf.interfaces.find((candidate) => candidate.segment === segment)!;
  const lines = [`description ${iface.segment}`, `ip ospf area ${ospf.area}`];
  if (iface.passive) {
    lines.push("ip ospf passive");
  } else {
    if (iface.pointToPoint) lines.push("ip ospf network point-to-point");
    lines.push(`ip ospf hello-interval ${ospf.helloSeconds}`, `ip ospf dead-interval ${ospf.deadSeconds}`);
    if (routing.bfd) lines.push("ip ospf bfd", `ip ospf bfd profile ${BFD_PROFILE}`);
  }
  if (ospf.cost !== undefined) lines.push(`ip ospf cost ${ospf.cost}`);
  return lines;
}

/** /etc/frr/daemons: FRR's init starts zebra, staticd and the daemons set to yes, under watchfrr. */
export function renderDaemons(routing: NodeRoutingPlan): string {
  const wanted = new Set<string>(frrDaemons(routing));
  const flag = (daemon: string) => `${daemon}=${wanted.has(daemon) ? "yes" : "no"}`;
  return [
    "# docker-netlabs: generated; the daemons this router needs",
    flag("ospfd"),
    flag("bgpd"),
    flag("bfdd"),
    "vtysh_enable=yes",
    'zebra_options="  -A 127.0.0.1 -s 90000000"',
    'ospfd_options="  -A 127.0.0.1"',
    'bgpd_options="   -A 127.0.0.1"',
    'staticd_options="-A 127.0.0.1"',
    'bfdd_options="   -A 127.0.0.1"',
    "",
  ].join("\n");
}

export const VTYSH_CONF = "service integrated-vtysh-config\n";

/**
 * What shows that FRR is up with this router's configuration loaded: per daemon, a line its own
 * running configuration holds (as a basic regular expression for `grep -x`).
 */
export function frrReadyLines(hostname: string, routing: NodeRoutingPlan): { daemon: string; line: string }[] {
  return [
    { daemon: "zebra", line: `hostname ${hostname}` },
    ...(routing.ospf ? [{ daemon: "ospfd", line: "router ospf" }] : []),
    ...(routing.bgp ? [{ daemon: "bgpd", line: `router bgp ${routing.bgp.asn}` }] : []),
    ...(routing.bfd ? [{ daemon: "bfdd", line: ` *profile ${BFD_PROFILE}` }] : []),
  ];
}
