/**
 * The scripts a NetworkContainer's router runs: resolve the target on its private network, DNAT
 * each exposed port from the LAN to it with MASQUERADE towards it (ARCHITECTURE.md, Network container: without it Docker's
 * isolation drops the traffic and the target answers via its own gateway), forward nothing else,
 * then hold the LAN address: a static one announced by gratuitous ARP, or a DHCP lease kept by
 * busybox udhcpc, which renews it. Pure.
 */
import { shQuote } from "../net/shell";

export const ROUTER_SCRIPT_PATH = "/netlabs/network-container.sh";
export const DHCP_HOOK_PATH = "/netlabs/udhcpc-hook.sh";
export const WAIT_LEASE_PATH = "/netlabs/wait-lease.sh";
/** The address the router holds on the LAN, written once it is in place (static or leased). */
export const LEASE_PATH = "/run/netlabs/lease";

export interface ExposedPort {
  port: number;
  protocol: "tcp" | "udp";
}

export interface RouterScriptOptions {
  /** The target's DNS name on its private network. */
  target: string;
  ports: ExposedPort[];
  mode: { kind: "static"; address: string } | { kind: "dhcp"; hostname: string };
  /** How long to wait for the target's name to resolve. */
  resolveSeconds?: number;
}

export function renderRouterScript(options: RouterScriptOptions): string {
  const resolveTries = (options.resolveSeconds ?? 30) * 5;
  const lines = [
    "#!/bin/sh",
    "# docker-netlabs network container: generated; rewritten on every deploy.",
    "set -u",
    'log() { echo "network-container: $*" >&2; }',
    `TARGET=${shQuote(options.target)}`,
    "TARGET_IP=",
    "tries=0",
    `while [ "$tries" -lt ${resolveTries} ]; do`,
    `  TARGET_IP=$(getent ahostsv4 "$TARGET" | awk 'NR == 1 { print $1 }')`,
    '  [ -n "$TARGET_IP" ] && break',
    "  tries=$((tries + 1)); sleep 0.2",
    "done",
    `[ -n "$TARGET_IP" ] || { log "cannot resolve target $TARGET on its network within ${options.resolveSeconds ?? 30} s"; exit 75; }`,
    // The private side is the interface that reaches the target; the LAN side is the other one.
    `PRIV_IF=$(ip -o -4 route get "$TARGET_IP" | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')`,
    `LAN_IF=$(ip -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep -v -x -e lo -e "$PRIV_IF" | head -n 1)`,
    '[ -n "$PRIV_IF" ] && [ -n "$LAN_IF" ] || { log "expected one private and one LAN interface"; exit 76; }',
    'ipt() { iptables -w 5 "$@" || { log "iptables $* failed"; exit 77; }; }',
    // Forward only the exposed ports (and their replies) from the LAN to the target.
    "ipt -P FORWARD DROP",
    "ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
  ];
  for (const { port, protocol } of options.ports) {
    lines.push(
      `ipt -t nat -A PREROUTING -i "$LAN_IF" -p ${protocol} --dport ${port} -j DNAT --to-destination "$TARGET_IP:${port}"`,
      `ipt -A FORWARD -i "$LAN_IF" -o "$PRIV_IF" -d "$TARGET_IP" -p ${protocol} --dport ${port} -j ACCEPT`,
    );
  }
  lines.push(
    'ipt -t nat -A POSTROUTING -o "$PRIV_IF" -d "$TARGET_IP" -j MASQUERADE',
    `log "exposing ${options.ports.map((p) => `${p.port}/${p.protocol}`).join(" ")} of $TARGET ($TARGET_IP) from $LAN_IF"`,
    "mkdir -p /run/netlabs",
  );
  if (options.mode.kind === "static") {
    lines.push(
      `busybox arping -U -c 2 -I "$LAN_IF" ${options.mode.address} >/dev/null 2>&1 || log "gratuitous ARP failed"`,
      `echo ${options.mode.address} > ${LEASE_PATH}`,
      "exec sleep infinity",
    );
  } else {
    lines.push(
      // Docker always assigns an address of its own on the LAN: the lease replaces it.
      'ip -4 addr flush dev "$LAN_IF"',
      `exec busybox udhcpc -f -i "$LAN_IF" -s ${DHCP_HOOK_PATH} -t 5 -T 1 -A 2 -x hostname:${shQuote(options.mode.hostname)}`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

/** busybox udhcpc's event hook: apply the lease, announce it, record it. */
export const DHCP_HOOK_SCRIPT = [
  "#!/bin/sh",
  "# docker-netlabs: busybox udhcpc hook (deconfig, bound, renew, leasefail, nak).",
  'case "$1" in',
  "  deconfig)",
  '    ip -4 addr flush dev "$interface"',
  '    ip link set dev "$interface" up',
  "    ;;",
  "  bound|renew)",
  "    prefix=${mask:-24}",
  `    [ "$(cat ${LEASE_PATH} 2>/dev/null)" = "$ip" ] || ip -4 addr flush dev "$interface"`,
  '    ip -4 addr replace "$ip/$prefix" dev "$interface"',
  '    if [ -n "${router:-}" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi',
  `    echo "$ip" > ${LEASE_PATH}.new && mv ${LEASE_PATH}.new ${LEASE_PATH}`,
  '    busybox arping -U -c 2 -I "$interface" "$ip" >/dev/null 2>&1 || true',
  '    echo "network-container: DHCP $1 $ip/$prefix for ${lease:-?} s" >&2',
  "    ;;",
  "  leasefail|nak)",
  '    echo "network-container: DHCP $1 on $interface ${message:-}" >&2',
  "    ;;",
  "esac",
  "exit 0",
  "",
].join("\n");

/** Prints the router's LAN address once it holds one; fails clearly after `seconds`. */
export function renderWaitLeaseScript(seconds: number): string {
  return [
    "#!/bin/sh",
    "tries=0",
    `while [ "$tries" -lt ${seconds * 5} ]; do`,
    `  if [ -s ${LEASE_PATH} ]; then cat ${LEASE_PATH}; exit 0; fi`,
    "  tries=$((tries + 1)); sleep 0.2",
    "done",
    `echo "no address on the LAN within ${seconds} s: is a DHCP server answering there? (router log: docker logs <router>)" >&2`,
    "exit 1",
    "",
  ].join("\n");
}
