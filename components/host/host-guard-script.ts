/**
 * Host preparation as a container's life: the guard script applies its changes to the host when
 * it starts and undoes them when it is stopped (SIGTERM on `pulumi destroy`). The changes
 * themselves are shell lines from the renderers below. Pure.
 */
import { shQuote } from "../net/shell";
import { VxlanPlan } from "../net/topology";

export const GUARD_READY_PATH = "/run/netlabs-guard-ready";

export interface GuardSteps {
  /** Lines run once before setup and teardown (e.g. choosing the iptables backend). */
  prelude?: string[];
  /** Idempotent lines that change the host; a failing line stops the guard (exit 2). */
  setup: string[];
  /** Lines that undo setup; each may fail harmlessly. */
  teardown: string[];
  /**
   * Idempotent lines run again every few seconds while the guard lives, for changes the host may
   * undo behind its back (Docker re-ordering its chains when its daemon restarts).
   */
  reconcile?: string[];
  /**
   * Lines (a shell function's body; `return 1` on failure) that remove whatever any run of this
   * guard may have left on the host, knowing nothing of that run: a guard killed without its
   * teardown (SIGKILL, `docker rm -f`) leaves its changes behind. Run before setup, so a new guard
   * starts from a clean host, and by the guard's sweeper on destroy, when the guard may be gone.
   */
  sweep?: string[];
  /** What the guard does, for its log. */
  description: string;
}

/** The sweep as a shell function `sweep`, when the steps have one. */
function sweepFunction(steps: GuardSteps): string[] {
  return steps.sweep?.length ? ["sweep() {", ...steps.sweep.map((line) => `  ${line}`), "  :", "}"] : [];
}

export function renderHostGuardScript(steps: GuardSteps, readyPath = GUARD_READY_PATH): string {
  return [
    "#!/bin/sh",
    "# docker-netlabs host guard: generated; its changes live exactly as long as this container runs.",
    "set -u",
    // Not ready until this run's setup is done: a restarted guard keeps its file system.
    `rm -f ${readyPath}`,
    ...(steps.prelude ?? []),
    "undo() {",
    ...steps.teardown.map((line) => `  ${line}`),
    "  :",
    "}",
    "on_stop() {",
    "  undo",
    `  echo ${shQuote(`host guard: undone: ${steps.description}`)}`,
    "  exit 0",
    "}",
    "trap on_stop TERM INT",
    ...sweepFunction(steps),
    ...[...(steps.sweep?.length ? ["sweep"] : []), ...steps.setup].map(
      (line) => `${line} || { echo ${shQuote(`host guard: failed: ${line}`)} >&2; undo; exit 2; }`,
    ),
    `touch ${readyPath}`,
    `echo ${shQuote(`host guard: in place: ${steps.description}`)}`,
    ...(steps.reconcile?.length
      ? [
          "while :; do",
          "  sleep 5 & wait $!",
          ...steps.reconcile.map((line) => `  ${line} || echo ${shQuote(`host guard: reconcile failed: ${line}`)} >&2`),
          "done",
        ]
      : ["while :; do sleep 3600 & wait $!; done"]),
    "",
  ].join("\n");
}

/**
 * What the guard's sweeper runs on the host when the guard is destroyed, whether or not the guard
 * is still there to undo its changes (after it, when it is): its sweep alone.
 */
export function renderGuardSweepScript(steps: GuardSteps): string {
  return [
    "set -u",
    ...sweepFunction(steps),
    "sweep || exit 1",
    `echo ${shQuote(`host guard sweeper: swept: ${steps.description}`)}`,
    "",
  ].join("\n");
}

/**
 * Removes every DOCKER-USER rule that carries `comment`, in each iptables backend that has the
 * chain, whatever bridge it names: what a guard killed without its teardown left, even for bridges
 * its lab no longer has. The rules are matched by the exact comment in `iptables-save`'s output and
 * deleted by iptables-restore as written there (no shell re-reads them), all at once.
 */
export function ruleSweepLines(comment: string, backends = "iptables-nft iptables-legacy"): string[] {
  const quoted = shQuote(`--comment "${comment}"`);
  const bare = shQuote(`--comment ${comment} `);
  return [
    `for b in ${backends}; do`,
    '  "$b" -w 5 -n -L DOCKER-USER >/dev/null 2>&1 || continue',
    '  saved=$("$b-save" -t filter) || return 1',
    `  stale=$(printf '%s\\n' "$saved" | grep '^-A DOCKER-USER ' | grep -F -e ${quoted} -e ${bare} | sed 's/^-A /-D /')`,
    `  [ -z "$stale" ] || printf '*filter\\n%s\\nCOMMIT\\n' "$stale" | "$b-restore" -w 5 --noflush || return 1`,
    "done",
  ];
}

/** The DOCKER-USER rule for one bridge, as iptables arguments after the chain name. */
export function bridgeRuleArgs(bridge: string, comment: string): string[] {
  return ["-i", bridge, "-m", "physdev", "--physdev-is-bridged", "-m", "comment", "--comment", comment, "-j", "ACCEPT"];
}

/**
 * Admits traffic that stays inside each lab bridge past Docker's isolation rules
 * (ARCHITECTURE.md, Host preparation), in whichever iptables backend holds Docker's DOCKER-USER chain;
 * and on `ipv6Bridges` (the lab's bridges with IPv6) the same in ip6tables, where Docker keeps an
 * IPv6 DOCKER-USER chain (an engine that leaves ip6tables alone isolates no IPv6: nothing to admit).
 */
export function bridgeRuleSteps(bridges: string[], comment: string, ipv6Bridges: string[] = []): GuardSteps {
  const ipv4 = bridgeRuleSteps4(bridges, comment);
  if (ipv6Bridges.length === 0) return ipv4;
  const rule = (bridge: string) => bridgeRuleArgs(bridge, comment).map(shQuote).join(" ");
  const rules = ipv6Bridges.map(
    (bridge) =>
      `{ [ -z "$IP6T" ] || "$IP6T" -w 5 -C DOCKER-USER ${rule(bridge)} 2>/dev/null || "$IP6T" -w 5 -I DOCKER-USER ${rule(bridge)}; }`,
  );
  return {
    prelude: [
      ...(ipv4.prelude ?? []),
      "IP6T=",
      "for candidate in ip6tables-nft ip6tables-legacy; do",
      '  if "$candidate" -w 5 -n -L DOCKER-USER >/dev/null 2>&1; then IP6T=$candidate; break; fi',
      "done",
    ],
    setup: [...ipv4.setup, ...rules],
    reconcile: [...(ipv4.reconcile ?? []), ...rules],
    teardown: [
      ...ipv4.teardown,
      ...ipv6Bridges.map((bridge) => `[ -z "$IP6T" ] || while "$IP6T" -w 5 -D DOCKER-USER ${rule(bridge)} 2>/dev/null; do :; done`),
    ],
    sweep: [...(ipv4.sweep ?? []), ...ruleSweepLines(comment, "ip6tables-nft ip6tables-legacy")],
    description: `${ipv4.description}; ip6tables DOCKER-USER too on ${ipv6Bridges.join(" ")}`,
  };
}

function bridgeRuleSteps4(bridges: string[], comment: string): GuardSteps {
  const rule = (bridge: string) => bridgeRuleArgs(bridge, comment).map(shQuote).join(" ");
  const rules = bridges.map(
    (bridge) => `{ "$IPT" -w 5 -C DOCKER-USER ${rule(bridge)} 2>/dev/null || "$IPT" -w 5 -I DOCKER-USER ${rule(bridge)}; }`,
  );
  // Docker means DOCKER-USER to come first in FORWARD, but Docker 20.10 puts its isolation chain
  // ahead of it when its daemon restarts (measured): the jump is moved back to the top.
  const userChainFirst =
    '{ [ "$("$IPT" -w 5 -S FORWARD | sed -n 2p)" = "-A FORWARD -j DOCKER-USER" ] || ' +
    '{ "$IPT" -w 5 -D FORWARD -j DOCKER-USER && "$IPT" -w 5 -I FORWARD -j DOCKER-USER; }; }';
  return {
    prelude: [
      "IPT=",
      "for candidate in iptables-nft iptables-legacy; do",
      '  if "$candidate" -w 5 -n -L DOCKER-USER >/dev/null 2>&1; then IPT=$candidate; break; fi',
      "done",
      '[ -n "$IPT" ] || { echo "host guard: no DOCKER-USER chain in nft or legacy iptables; is Docker managing iptables on this host?" >&2; exit 1; }',
    ],
    setup: [userChainFirst, ...rules],
    reconcile: [userChainFirst, ...rules],
    teardown: bridges.map((bridge) => `while "$IPT" -w 5 -D DOCKER-USER ${rule(bridge)} 2>/dev/null; do :; done`),
    sweep: ruleSweepLines(comment),
    description: `DOCKER-USER accepts bridged traffic on ${bridges.join(" ")}`,
  };
}

/**
 * Puts a host interface in promiscuous mode (macvlan children need it on most NICs and
 * hypervisors) and, on stop, turns it off again only if it was this guard that turned it on.
 */
export function promiscuousSteps(parent: string): GuardSteps {
  const dev = shQuote(parent);
  const mark = "/netlabs/promisc-set-by-guard";
  return {
    setup: [
      `ip link show dev ${dev} >/dev/null`,
      `{ ip link show dev ${dev} | grep -q PROMISC || { ip link set dev ${dev} promisc on && touch ${mark}; }; }`,
    ],
    teardown: [`[ -f ${mark} ] && ip link set dev ${dev} promisc off && rm -f ${mark}`],
    description: `promiscuous mode on ${parent}`,
  };
}

/** A stretched segment's tunnel as planned, and the lab bridge it joins. */
export type TunnelSpec = VxlanPlan & { bridge: string };

/**
 * Stretches lab bridges to another host: a VXLAN interface per segment, joined to the segment's
 * bridge, removed on stop. The bridge's MTU follows its smallest port, so Docker's network MTU
 * option and the tunnel's agree.
 */
export function vxlanSteps(tunnels: TunnelSpec[]): GuardSteps {
  const setup = tunnels.flatMap((tunnel) => {
    const name = shQuote(tunnel.interfaceName);
    const endpoints = [
      `id ${tunnel.id}`,
      `remote ${tunnel.remote}`,
      ...(tunnel.local ? [`local ${tunnel.local}`] : []),
      ...(tunnel.device ? [`dev ${shQuote(tunnel.device)}`] : []),
      `dstport ${tunnel.port}`,
    ].join(" ");
    return [
      `ip link show dev ${shQuote(tunnel.bridge)} >/dev/null`,
      // A tunnel left by a guard that was killed (not stopped) is replaced, not reused blindly.
      `{ ip link del ${name} 2>/dev/null; ip link add ${name} type vxlan ${endpoints}; }`,
      `ip link set ${name} mtu ${tunnel.mtu} master ${shQuote(tunnel.bridge)} up`,
    ];
  });
  return {
    setup,
    teardown: tunnels.map((tunnel) => `ip link del ${shQuote(tunnel.interfaceName)}`),
    sweep: tunnels.map((tunnel) => `ip link del ${shQuote(tunnel.interfaceName)} 2>/dev/null || :`),
    description: `VXLAN tunnels ${tunnels.map((tunnel) => `${tunnel.interfaceName} (VNI ${tunnel.id} to ${tunnel.remote}) on ${tunnel.bridge}`).join(", ")}`,
  };
}
