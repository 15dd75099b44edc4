/**
 * What a router's init runs of FRR (routed-lab/node-init.ts), rendered from its FRR plan: its
 * loopback, FRR's configuration with the interface names the init found, FRR started, a wait until
 * every daemon runs the router's configuration, and a watch that re-applies the protocols'
 * interface settings where a reconnected segment comes back.
 */
import { interfaceEnvName, shQuote } from "../../net/shell";
import { FRR_CONFIG_PATH, FRR_LOG_PATH, FRR_TEMPLATE_PATH, FRR_WAIT_SECONDS, FrrRouterPlan, interfaceToken } from "./config";

/** What starting FRR reads of a router: its interfaces, its loopback, its FRR plan. */
export interface FrrStart {
  interfaces: { segment: string; address: string }[];
  loopback?: string;
  /** Its IPv6 /128 on `lo` (RouterBase.loopback6). */
  loopback6?: string;
  frr: FrrRouterPlan;
}

/**
 * Stale pid files of a previous start are removed first, or FRR may take a new process for an old
 * one; the node is ready only once every daemon it needs runs with its configuration loaded.
 */
export function startFrrLines({ interfaces, loopback, loopback6, frr }: FrrStart): string[] {
  const substitutions = interfaces.map((iface) => `-e "s/${interfaceToken(iface.segment)}/$${interfaceEnvName(iface.segment)}/g"`);
  const render = `sed ${substitutions.join(" ")} ${FRR_TEMPLATE_PATH} > ${FRR_CONFIG_PATH}`;
  const loaded = frr.readyLines.map(
    ({ daemon, line }) => `vtysh -d ${daemon} -c 'show running-config' 2>/dev/null | grep -qx ${shQuote(line)}`,
  );
  return [
    ...(loopback ? [`ip addr replace ${loopback}/32 dev lo || { log "cannot add loopback ${loopback}"; exit 75; }`] : []),
    ...(loopback6 ? [`ip -6 addr replace ${loopback6}/128 dev lo || { log "cannot add IPv6 loopback ${loopback6}"; exit 75; }`] : []),
    ...(frr.unnumbered ?? []).map(
      (link) =>
        `${borrowLine(link, `$${interfaceEnvName(link.segment)}`)} || { log "cannot borrow ${link.local} on segment ${link.segment}"; exit 75; }`,
    ),
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
    `log "FRR up: zebra staticd ${frr.daemons.join(" ")}"`,
    ...followInterfaces(frr, render),
  ];
}

/**
 * An unnumbered link's interface gives up Docker's address for the router's loopback, with the
 * other end's loopback as its peer: the kernel routes to the neighbour over the link from the start.
 */
function borrowLine(link: NonNullable<FrrRouterPlan["unnumbered"]>[number], ifname: string): string {
  return `ip addr del ${link.address}/${link.prefixLength} dev "${ifname}" && ip addr add ${link.local}/32 peer ${link.peer}/32 dev "${ifname}"`;
}

/**
 * The protocols' interface settings are per interface name, and a segment disconnected and
 * connected again comes back on an interface Docker names anew: a background loop reads the
 * addresses every 0.5 s and, when they changed, finds each configured segment's interface again;
 * where it is new, it applies the segment's settings there and rewrites FRR's configuration with
 * the new names.
 */
function followInterfaces(frr: FrrRouterPlan, render: string): string[] {
  if (frr.interfaces.length === 0) return [];
  const checks = frr.interfaces.flatMap(({ segment, address, lines, protocols }) => {
    const env = interfaceEnvName(segment);
    const settings = lines.map((line) => `-c ${shQuote(line)}`);
    const borrowed = frr.unnumbered?.find((link) => link.segment === segment);
    return [
      `    now=$(iface_with ${address})`,
      `    if [ -n "$now" ] && [ "$now" != "$${env}" ]; then`,
      `      ${env}=$now; changed=1`,
      `      ip link set "$now" up`,
      ...(borrowed ? [`      ${borrowLine(borrowed, "$now")} || log "cannot borrow ${borrowed.local} on $now"`] : []),
      `      vtysh -c 'configure terminal' -c "interface $now" ${settings.join(" ")} >/dev/null 2>&1 || log "cannot apply segment ${segment}'s ${protocols.join(" and ")} settings to $now"`,
      `      log "segment ${segment} is now on $now"`,
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
