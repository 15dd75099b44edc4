/**
 * The listing of a run's leftover host rules (test/support/host-rules.ts) that every "nothing left"
 * check of the e2e and CLI tiers relies on: a listing that fails throws instead of reading as an
 * empty list (issue 20, point 21). Run against a stand-in runner: no iptables is touched.
 */
import { describe, expect, it } from "vitest";
import { RunResult } from "../support/docker-cli";
import { Runner, runHostRules } from "../support/host-rules";

const NO_CHAIN = "iptables: No chain/target/match by that name.\n";
const RULE = '-A DOCKER-USER -i br-1 -m comment --comment "docker-netlabs:tab12-lab guard" -j ACCEPT';

/** A runner answering each iptables backend as given. */
function answering(answers: Record<string, RunResult>): Runner {
  return async (file) => answers[file] ?? { code: -1, stdout: "", stderr: `spawn ${file} ENOENT` };
}
const ok = (...rules: string[]): RunResult => ({ code: 0, stdout: ["-N DOCKER-USER", ...rules, ""].join("\n"), stderr: "" });
const noChain: RunResult = { code: 1, stdout: "", stderr: NO_CHAIN };

describe("runHostRules: a listing that fails is no empty list", () => {
  it("lists the run's rules from the backend that has the chain; the other without it is fine", async () => {
    const rules = await runHostRules(
      "tab12-",
      answering({ "iptables-nft": ok(RULE, "-A DOCKER-USER -j RETURN"), "iptables-legacy": noChain }),
    );
    expect(rules).toEqual([{ iptables: "iptables-nft", rule: RULE }]);
    expect(await runHostRules("tab12-", answering({ "iptables-nft": ok(), "iptables-legacy": noChain }))).toEqual([]);
  });

  it("throws when a backend's listing fails (xtables lock, permission, missing binary), naming it", async () => {
    const locked: RunResult = { code: 4, stdout: "", stderr: "Another app is currently holding the xtables lock." };
    await expect(runHostRules("tab12-", answering({ "iptables-nft": locked, "iptables-legacy": noChain }))).rejects.toThrow(
      /iptables-nft -S DOCKER-USER failed \(exit 4\): Another app .*xtables lock/,
    );
    const denied: RunResult = {
      code: 1,
      stdout: "",
      stderr: "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied",
    };
    await expect(runHostRules("tab12-", answering({ "iptables-nft": denied, "iptables-legacy": noChain }))).rejects.toThrow(
      /Permission denied/,
    );
    await expect(runHostRules("tab12-", answering({ "iptables-nft": ok() }))).rejects.toThrow(/iptables-legacy .*ENOENT/);
  });

  it("throws when neither backend has the DOCKER-USER chain: the engine makes it, so the listing looked in the wrong place", async () => {
    await expect(runHostRules("tab12-", answering({ "iptables-nft": noChain, "iptables-legacy": noChain }))).rejects.toThrow(
      /no DOCKER-USER chain in iptables-nft or iptables-legacy/,
    );
  });
});
