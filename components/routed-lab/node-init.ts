/**
 * Renders the script every lab node runs first (as its entrypoint), then hands over to the node's
 * main process. POSIX sh, so it runs on Debian (dash) and busybox images alike.
 * Interfaces are found by the address they hold, never by ethN: Docker orders interfaces by its own
 * rules at start, not by attach order (ARCHITECTURE.md, Interfaces by address).
 */
import { isIpv6Route } from "../net/routes";
import { IFACE_WITH_FUNCTION, interfaceEnvName, shQuote } from "../net/shell";
import { startFrrLines } from "../protocols/frr/start";
import { vlanSetupLines } from "../vlan";
import { NodePlan } from "./plan";

export const NODE_INIT_PATH = "/netlabs/init.sh";
/** Created when the node's interfaces, routes and commands are all in place. */
export const NODE_READY_PATH = "/run/netlabs/ready";
/** How long a node waits for its addresses to appear before it gives up and exits. */
export const INTERFACE_WAIT_SECONDS = 30;

export { interfaceEnvName } from "../net/shell";

export function renderNodeInit(node: NodePlan): string {
  const lines: string[] = [
    "#!/bin/sh",
    `# docker-netlabs: generated init for node ${node.name}; it is rewritten on every deploy.`,
    "set -u",
    `log() { echo "netlabs-init[${node.name}]: $*" >&2; }`,
    `command -v ip >/dev/null 2>&1 || { log "the image has no 'ip' command (install iproute2 or busybox)"; exit 70; }`,
    IFACE_WITH_FUNCTION,
    "wait_for() {",
    "  tries=0",
    `  while [ "$tries" -lt ${INTERFACE_WAIT_SECONDS * 5} ]; do`,
    '    name=$(iface_with "$1")',
    '    if [ -n "$name" ]; then echo "$name"; return 0; fi',
    "    tries=$((tries + 1)); sleep 0.2 2>/dev/null || sleep 1",
    "  done",
    `  log "address $1 did not appear within ${INTERFACE_WAIT_SECONDS} s"; return 1`,
    "}",
    // A restarted node (daemon restart, reboot) starts with a fresh network namespace: everything
    // below runs again, and it is not ready until it has.
    `rm -f ${NODE_READY_PATH}`,
    "mkdir -p /run/netlabs",
    ": > /run/netlabs/interfaces",
    ...(hasIpv6(node) ? IPV6_WAIT_LINES : []),
  ];
  lines.push(...node.interfaces.flatMap(interfaceLines));
  // What the node builds in the kernel on its interfaces (VLANs, then a VRF's device), before routes and FRR.
  lines.push(...vlanSetupLines(node.vlan), ...(node.routing?.frr.setup ?? []));
  lines.push(...forwardingChecks(node));
  lines.push(...routeLines(node));
  if (node.routing) {
    const { loopback, loopback6, frr } = node.routing;
    lines.push(...startFrrLines({ interfaces: node.interfaces, loopback, ...(loopback6 ? { loopback6 } : {}), frr }));
  }
  lines.push(...runCommands(node));
  lines.push(
    `touch ${NODE_READY_PATH}`,
    'log "ready: $(tr "\\n" " " < /run/netlabs/interfaces)"',
    'if [ "$#" -gt 0 ]; then exec "$@"; fi',
    "while :; do sleep 3600 & wait $!; done",
    "",
  );
  return lines.join("\n");
}

/** Marks that the watchdog stopped a command (its exit status alone cannot tell). */
export const COMMAND_TIMED_OUT_PATH = "/run/netlabs/command-timed-out";

/**
 * The node's commands, in order, each bounded by its time limit: it runs in the background (in a
 * process group of its own where `setsid` exists, so that what it started stops with it) while a
 * watchdog checks the clock every 0.2 s and, when the time is up, marks it timed out and stops it
 * (TERM, KILL 2 s later). A failed command exits 74, one out of time 77; both name the command.
 * (An image without `date` leaves its commands unbounded, as before.)
 */
function runCommands(node: NodePlan): string[] {
  if (node.commands.length === 0) return [];
  const limit = node.commandTimeoutSeconds;
  // The group when the command leads one, else the command alone (a shell whose kill takes no group).
  const stop = (signal: string) => `{ kill -s ${signal} -- "-$1" 2>/dev/null || kill -s ${signal} "$1" 2>/dev/null; }`;
  return [
    "own_group=; command -v setsid >/dev/null 2>&1 && own_group=setsid",
    "bounded() {",
    `  rm -f ${COMMAND_TIMED_OUT_PATH}`,
    "  deadline=$(( $(date +%s) + $2 ))",
    '  ( while kill -0 "$1" 2>/dev/null; do',
    '      if [ "$(date +%s)" -ge "$deadline" ]; then',
    `        : > ${COMMAND_TIMED_OUT_PATH}; ${stop("TERM")}; sleep 2; ${stop("KILL")}; exit 0`,
    "      fi",
    "      sleep 0.2 2>/dev/null || sleep 1",
    "    done ) &",
    "  watchdog=$!",
    '  wait "$1"; status=$?',
    '  kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null',
    '  return "$status"',
    "}",
    ...node.commands.flatMap((command, index) => [
      `$own_group sh -c ${shQuote(command)} &`,
      `bounded $! ${limit} || {`,
      `  [ ! -e ${COMMAND_TIMED_OUT_PATH} ] || { log "command ${index + 1} did not finish within ${limit} s: "${shQuote(command)}; exit 77; }`,
      `  log "command ${index + 1} failed: "${shQuote(command)}; exit 74`,
      "}",
    ]),
  ];
}

/** Finds the interface by its address, exports its name, sets it up (its MAC and MTU first) and records it. */
function interfaceLines(iface: NodePlan["interfaces"][number]): string[] {
  const env = interfaceEnvName(iface.segment);
  const ipv6 = iface.ipv6 !== undefined ? ` ${iface.ipv6}/${iface.ipv6PrefixLength}` : "";
  return [
    `${env}=$(wait_for ${iface.address}) || exit 71`,
    `export ${env}`,
    ...linkLines(env, iface),
    `ip link set "$${env}" up`,
    ...(iface.ipv6 !== undefined ? [`wait_for6 "$${env}" ${iface.ipv6} || exit 71`] : []),
    `echo "${iface.segment} $${env} ${iface.address}/${iface.prefixLength}${ipv6}" >> /run/netlabs/interfaces`,
  ];
}

/** The interface's MAC and MTU, where the lab sets them (veths take both while up). */
function linkLines(env: string, iface: NodePlan["interfaces"][number]): string[] {
  const lines: string[] = [];
  if (iface.mac !== undefined) {
    lines.push(`ip link set dev "$${env}" address ${iface.mac} || { log "cannot set MAC ${iface.mac} on $${env}"; exit 75; }`);
  }
  if (iface.mtu !== undefined) {
    lines.push(`ip link set dev "$${env}" mtu ${iface.mtu} || { log "cannot set MTU ${iface.mtu} on $${env}"; exit 75; }`);
  }
  return lines;
}

/** A node with an IPv6 address on any segment. */
function hasIpv6(node: Pick<NodePlan, "interfaces">): boolean {
  return node.interfaces.some((iface) => iface.ipv6 !== undefined);
}

/**
 * How the init waits for an interface's IPv6 address, on the interface its IPv4 address found: Docker
 * adds both to one interface, the IPv6 one without duplicate address detection, so it is usable once there.
 */
const IPV6_WAIT_LINES = [
  'has_addr6() { ip -o -6 addr show dev "$1" | awk -v want="$2" \'{ split($4, a, "/"); if (a[1] == want) f = 1 } END { exit !f }\'; }',
  "wait_for6() {",
  "  tries=0",
  `  while [ "$tries" -lt ${INTERFACE_WAIT_SECONDS * 5} ]; do`,
  '    if has_addr6 "$1" "$2"; then return 0; fi',
  "    tries=$((tries + 1)); sleep 0.2 2>/dev/null || sleep 1",
  "  done",
  `  log "IPv6 address $2 did not appear on $1 within ${INTERFACE_WAIT_SECONDS} s"; return 1`,
  "}",
];

/** Docker's default routes dropped where they lead nowhere, then the node's static routes. */
function routeLines(node: NodePlan): string[] {
  const lines = node.dropDockerDefaultRoute ? ["ip route del default 2>/dev/null || true"] : [];
  if (node.dropDockerDefaultRoute6) lines.push("ip -6 route del default 2>/dev/null || true");
  for (const route of node.routes) {
    if (isIpv6Route(route)) {
      const to = route.to === "default6" ? "default" : route.to;
      lines.push(`ip -6 route replace ${to} via ${route.via} || { log "cannot add IPv6 route ${route.to} via ${route.via}"; exit 73; }`);
    } else if (route.to === "default") {
      lines.push(
        "ip route del default 2>/dev/null",
        `ip route add default via ${route.via} || { log "cannot add default route via ${route.via}"; exit 73; }`,
      );
    } else {
      lines.push(`ip route replace ${route.to} via ${route.via} || { log "cannot add route ${route.to} via ${route.via}"; exit 73; }`);
    }
  }
  return lines;
}

/** A router checks that its container forwards (IPv6 too where it has IPv6). */
function forwardingChecks(node: NodePlan): string[] {
  if (!node.router) return [];
  const lines = [
    `[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || { log "forwarding is off: the container needs sysctl net.ipv4.ip_forward=1"; exit 72; }`,
  ];
  if (hasIpv6(node)) {
    lines.push(
      `[ "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" = 1 ] || { log "IPv6 forwarding is off: the container needs sysctl net.ipv6.conf.all.forwarding=1"; exit 72; }`,
    );
  }
  return lines;
}
