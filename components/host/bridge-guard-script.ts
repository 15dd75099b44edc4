/**
 * Renders the script of the bridge guard: a host-network helper container that admits traffic
 * staying inside a lab bridge past Docker's isolation rules for as long as it runs, and takes its
 * rules away when it is stopped (DESIGN.md section 3). Pure.
 */
import { shQuote } from "../net/shell";

export const GUARD_READY_PATH = "/run/netlabs-guard-ready";

/** The DOCKER-USER rule for one bridge, as iptables arguments after the chain name. */
export function guardRuleArgs(bridge: string, comment: string): string[] {
  return ["-i", bridge, "-m", "physdev", "--physdev-is-bridged", "-m", "comment", "--comment", comment, "-j", "ACCEPT"];
}

export function renderBridgeGuardScript(bridges: string[], comment: string): string {
  const rule = (bridge: string) => guardRuleArgs(bridge, comment).map(shQuote).join(" ");
  return [
    "#!/bin/sh",
    "# docker-netlabs bridge guard: generated; rules live exactly as long as this container runs.",
    "set -u",
    // Docker's own chain lives in one iptables backend; use that one (nft first, as on current Debian).
    "IPT=",
    "for candidate in iptables-nft iptables-legacy; do",
    '  if "$candidate" -w 5 -n -L DOCKER-USER >/dev/null 2>&1; then IPT=$candidate; break; fi',
    "done",
    '[ -n "$IPT" ] || { echo "bridge guard: no DOCKER-USER chain in nft or legacy iptables; is Docker managing iptables on this host?" >&2; exit 1; }',
    "remove_rules() {",
    ...bridges.map((bridge) => `  while "$IPT" -w 5 -D DOCKER-USER ${rule(bridge)} 2>/dev/null; do :; done`),
    "}",
    "trap 'remove_rules; echo \"bridge guard: rules removed\"; exit 0' TERM INT",
    ...bridges.map(
      (bridge) =>
        `"$IPT" -w 5 -C DOCKER-USER ${rule(bridge)} 2>/dev/null || "$IPT" -w 5 -I DOCKER-USER ${rule(bridge)} || exit 2`,
    ),
    `touch ${GUARD_READY_PATH}`,
    `echo "bridge guard: $IPT DOCKER-USER accepts bridged traffic on ${bridges.join(" ")}"`,
    "while :; do sleep 3600 & wait $!; done",
    "",
  ].join("\n");
}
