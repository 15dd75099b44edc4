/**
 * Renders FRR's configuration for one eBGP router: zebra + bgpd + bfdd, one session per
 * neighbour with BFD and tuned timers, the router's own networks announced. Pure.
 * The output is checked against FRR itself (vtysh --dryrun and live sessions) in test/e2e.
 */
export interface BgpNeighbor {
  address: string;
  remoteAs: number;
  description: string;
}

export interface BfdSettings {
  /** Transmit and receive interval, milliseconds. */
  intervalMs: number;
  /** Missed packets before the session is declared down. */
  multiplier: number;
}

export interface FrrRouterConfig {
  hostname: string;
  asn: number;
  routerId: string;
  /** Prefixes this router originates (its LANs). */
  networks: string[];
  neighbors: BgpNeighbor[];
  /** BFD on every session, or off. */
  bfd: BfdSettings | false;
  timers: { keepaliveSeconds: number; holdSeconds: number };
}

export const FRR_CONFIG_PATH = "/etc/frr/frr.conf";
export const FRR_DAEMONS_PATH = "/etc/frr/daemons";
export const FRR_VTYSH_PATH = "/etc/frr/vtysh.conf";

const BFD_PROFILE = "netlabs";

export function renderFrrConf(router: FrrRouterConfig): string {
  const lines = [
    "! docker-netlabs: generated FRR configuration; rewritten on every deploy",
    "frr defaults traditional",
    `hostname ${router.hostname}`,
    "log stdout informational",
    "service integrated-vtysh-config",
    "!",
  ];
  if (router.bfd) {
    lines.push(
      "bfd",
      ` profile ${BFD_PROFILE}`,
      `  detect-multiplier ${router.bfd.multiplier}`,
      `  receive-interval ${router.bfd.intervalMs}`,
      `  transmit-interval ${router.bfd.intervalMs}`,
      " exit",
      "exit",
      "!",
    );
  }
  lines.push(
    `router bgp ${router.asn}`,
    ` bgp router-id ${router.routerId}`,
    // eBGP between lab routers: accept and announce without policies (RFC 8212 default is deny).
    " no bgp ebgp-requires-policy",
    " no bgp network import-check",
    ` timers bgp ${router.timers.keepaliveSeconds} ${router.timers.holdSeconds}`,
  );
  for (const neighbor of router.neighbors) {
    lines.push(
      ` neighbor ${neighbor.address} remote-as ${neighbor.remoteAs}`,
      ` neighbor ${neighbor.address} description ${neighbor.description}`,
      // Reconnect at once after a session drops, rather than after the default 120 s.
      ` neighbor ${neighbor.address} timers connect 1`,
    );
    if (router.bfd) lines.push(` neighbor ${neighbor.address} bfd profile ${BFD_PROFILE}`);
  }
  lines.push(" address-family ipv4 unicast");
  for (const network of router.networks) lines.push(`  network ${network}`);
  lines.push(" exit-address-family", "exit", "!", "end", "");
  return lines.join("\n");
}

/** /etc/frr/daemons: which daemons frrinit.sh starts (zebra, staticd and watchfrr always). */
export function renderDaemons(bfd: boolean): string {
  return [
    "# docker-netlabs: generated",
    "bgpd=yes",
    `bfdd=${bfd ? "yes" : "no"}`,
    "vtysh_enable=yes",
    'zebra_options="  -A 127.0.0.1 -s 90000000"',
    'bgpd_options="   -A 127.0.0.1"',
    'staticd_options="-A 127.0.0.1"',
    'bfdd_options="   -A 127.0.0.1"',
    "",
  ].join("\n");
}

export const VTYSH_CONF = "service integrated-vtysh-config\n";

/**
 * The router's main process: start FRR through its own init script, then idle. Stale pid files
 * from before a container restart are removed first, or FRR may mistake a new process for an old one.
 */
export const FRR_START_COMMAND = [
  "sh",
  "-c",
  "rm -f /var/run/frr/*.pid /var/run/frr/*.vty; /usr/lib/frr/frrinit.sh start && exec sleep infinity",
];
