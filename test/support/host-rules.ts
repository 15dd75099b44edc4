/**
 * The host rules a test run left in the engine's DOCKER-USER chain, listed in both iptables
 * backends (the engine uses one of them). A listing that fails throws: "no rule left" must never
 * be what a broken listing looks like. A backend without the chain is no failure (the engine uses
 * the other); both without it is one, since the engine makes the chain wherever it runs.
 */
import { RunResult, run } from "./docker-cli";

export const IPTABLES_BACKENDS = ["iptables-nft", "iptables-legacy"] as const;

/** Runs a program and resolves with its exit code and output (docker-cli's `run`, or a stand-in). */
export type Runner = (file: string, args: string[], options?: { timeoutMs?: number }) => Promise<RunResult>;

/** iptables' answer when the chain does not exist in that backend. */
const NO_CHAIN = /No chain\/target\/match by that name/;

/** Each backend's DOCKER-USER rules (`-S` lines), or null where that backend has no such chain. */
export async function dockerUserChains(runner: Runner = run): Promise<Record<string, string[] | null>> {
  const chains: Record<string, string[] | null> = {};
  for (const iptables of IPTABLES_BACKENDS) {
    const listed = await runner(iptables, ["-w", "5", "-S", "DOCKER-USER"], { timeoutMs: 10_000 });
    if (listed.code === 0) chains[iptables] = listed.stdout.split("\n").filter(Boolean);
    else if (listed.code === 1 && NO_CHAIN.test(listed.stderr)) chains[iptables] = null;
    else throw new Error(`${iptables} -S DOCKER-USER failed (exit ${listed.code}): ${listed.stderr.trim()}`);
  }
  if (Object.values(chains).every((rules) => rules === null)) {
    throw new Error(`no DOCKER-USER chain in ${IPTABLES_BACKENDS.join(" or ")}: the engine's chain must exist to list rules in it`);
  }
  return chains;
}

/** The rules whose comment is one of this run's (`docker-netlabs:<prefix>…`), per backend. */
export async function runHostRules(prefix: string, runner: Runner = run): Promise<{ iptables: string; rule: string }[]> {
  const chains = await dockerUserChains(runner);
  return Object.entries(chains).flatMap(([iptables, rules]) =>
    (rules ?? []).filter((rule) => rule.includes(`docker-netlabs:${prefix}`)).map((rule) => ({ iptables, rule })),
  );
}
