/**
 * Renders the script every lab node runs first (as its entrypoint), then hands over to the node's
 * main process. POSIX sh, so it runs on Debian (dash) and busybox images alike.
 * Interfaces are found by the address they hold, never by ethN: Docker orders interfaces by its own
 * rules at start, not by attach order (ARCHITECTURE.md, Interfaces by address).
 */
import { IFACE_WITH_FUNCTION, shQuote } from "../net/shell";
import { NodePlan } from "./plan";
import {
  FRR_CONFIG_PATH,
  FRR_LOG_PATH,
  FRR_TEMPLATE_PATH,
  FRR_WAIT_SECONDS,
  frrDaemons,
  frrReadyLines,
  interfaceToken,
  ospfInterfaceSettings,
} from "./routing/frr-config";

export const NODE_INIT_PATH = "/netlabs/init.sh";
/** Created when the node's interfaces, routes and commands are all in place. */
export const NODE_READY_PATH = "/run/netlabs/ready";
/** How long a node waits for its addresses to appear before it gives up and exits. */
export const INTERFACE_WAIT_SECONDS = 30;

export function interfaceEnvName(segment: string): string {
  return `NETLABS_IF_${segment.toUpperCase().replace(/-/g, "_")}`;
}

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
  ];
  for (const iface of node.interfaces) {
    const env = interfaceEnvName(iface.segment);
    lines.push(
      `${env}=$(wait_for ${iface.address}) || exit 71`,
      `export ${env}`,
      `ip link set "$${env}" up`,
      `echo "${iface.segment} $${env} ${iface.address}/${iface.prefixLength}" >> /run/netlabs/interfaces`,
    );
  }
  if (node.router) {
    lines.push(
      `[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || { log "forwarding is off: the container needs sysctl net.ipv4.ip_forward=1"; exit 72; }`,
    );
  }
  if (node.dropDockerDefaultRoute) lines.push("ip route del default 2>/dev/null || true");
  for (const route of node.routes) {
    if (route.to === "default") {
      lines.push(
        "ip route del default 2>/dev/null",
        `ip route add default via ${route.via} || { log "cannot add default route via ${route.via}"; exit 73; }`,
      );
    } else {
      lines.push(`ip route replace ${route.to} via ${route.via} || { log "cannot add route ${route.to} via ${route.via}"; exit 73; }`);
    }
  }
  if (node.routing) lines.push(...startFrr(node));
  node.commands.forEach((command, index) => {
    lines.push(`sh -c ${shQuote(command)} || { log "command ${index + 1} failed: "${shQuote(command)}; exit 74; }`);
  });
  lines.push(
    `touch ${NODE_READY_PATH}`,
    'log "ready: $(tr "\\n" " " < /run/netlabs/interfaces)"',
    'if [ "$#" -gt 0 ]; then exec "$@"; fi',
    "while :; do sleep 3600 & wait $!; done",
    "",
  );
  return lines.join("\n");
}

/**
 * A router with a protocol: its loopback, FRR's configuration with the interface names found above,
 * FRR started (stale pid files of a previous start removed first, or FRR may take a new process for
 * an old one), and a wait until every daemon it needs runs with its configuration loaded: the node
 * is ready only then.
 */
function startFrr(node: NodePlan): string[] {
  const routing = node.routing!;
  const substitutions = node.interfaces.map((iface) => `-e "s/${interfaceToken(iface.segment)}/$${interfaceEnvName(iface.segment)}/g"`);
  const render = `sed ${substitutions.join(" ")} ${FRR_TEMPLATE_PATH} > ${FRR_CONFIG_PATH}`;
  const loaded = frrReadyLines(node.name, routing).map(
    ({ daemon, line }) => `vtysh -d ${daemon} -c 'show running-config' 2>/dev/null | grep -qx ${shQuote(line)}`,
  );
  return [
    ...(routing.loopback
      ? [`ip addr replace ${routing.loopback}/32 dev lo || { log "cannot add loopback ${routing.loopback}"; exit 75; }`]
      : []),
    `${render} || { log "cannot write ${FRR_CONFIG_PATH}"; exit 75; }`,
    "rm -f /var/run/frr/*.pid /var/run/frr/*.vty",
    // From now on: what FRR logs after this start (not a previous one's) goes to `docker logs`.
    `{ tail -n 0 -F ${FRR_LOG_PATH} 2>/dev/null; } >&2 &`,
    `/usr/lib/frr/frrinit.sh start >&2 || { log "FRR did not start"; exit 75; }`,
    `frr_loaded() { ${loaded.join(" && ")}; }`,
    "tries=0",
    "until frr_loaded; do",
    `  tries=$((tries + 1)); [ "$tries" -lt ${FRR_WAIT_SECONDS * 5} ] || { log "FRR's daemons did not run with their configuration within ${FRR_WAIT_SECONDS} s"; exit 76; }`,
    "  sleep 0.2",
    "done",
    `log "FRR up: zebra staticd ${frrDaemons(routing).join(" ")}"`,
    ...followInterfaces(node, render),
  ];
}

/**
 * OSPF's settings are per interface name, and a segment disconnected and connected again comes
 * back on an interface Docker names anew: a background loop reads the addresses every 0.5 s and,
 * when they changed, finds each OSPF segment's interface again; where it is new, it applies the
 * segment's settings there and rewrites FRR's configuration with the new names.
 */
function followInterfaces(node: NodePlan, render: string): string[] {
  const ospf = node.routing!.ospf;
  if (!ospf) return [];
  const checks = ospf.interfaces.flatMap((iface) => {
    const env = interfaceEnvName(iface.segment);
    const address = node.interfaces.find((candidate) => candidate.segment === iface.segment)!.address;
    const settings = ospfInterfaceSettings(node.routing!, iface.segment).map((line) => `-c ${shQuote(line)}`);
    return [
      `    now=$(iface_with ${address})`,
      `    if [ -n "$now" ] && [ "$now" != "$${env}" ]; then`,
      `      ${env}=$now; changed=1`,
      `      ip link set "$now" up`,
      `      vtysh -c 'configure terminal' -c "interface $now" ${settings.join(" ")} >/dev/null 2>&1 || log "cannot apply segment ${iface.segment}'s OSPF settings to $now"`,
      `      log "segment ${iface.segment} is now on $now"`,
      "    fi",
    ];
  });
  return [
    "follow_interfaces() {",
    "  seen=$(ip -o -4 addr show 2>/dev/null)",
    "  while sleep 0.5; do",
    "    addresses=$(ip -o -4 addr show 2>/dev/null)",
    '    [ "$addresses" != "$seen" ] || continue',
    "    seen=$addresses; changed=",
    ...checks,
    `    [ -z "$changed" ] || ${render} || log "cannot rewrite ${FRR_CONFIG_PATH}"`,
    "  done",
    "}",
    "follow_interfaces &",
  ];
}
