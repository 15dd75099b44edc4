/**
 * The real FRR checks the configuration RoutedLab renders: every router of the ring, the chain (its
 * iBGP pair with multihop BFD, at the default and at other timers) and a grid, with BFD and without,
 * filled in with interface names as a node's init does and read by `vtysh --dryrun` in a throwaway
 * container of the router image (no network, removed at once).
 * A configuration with a mistake in it must fail the same check.
 */
import { afterAll, describe, expect, it } from "vitest";
import { planRoutedLab } from "../../components/routed-lab/plan";
import { FRR_TEMPLATE_PATH, interfaceToken } from "../../components/protocols";
import { planBgpTriangle } from "../../components/bgp";
import { run } from "../support/docker-cli";
import { TEST_LABEL, newTestRun, sweep } from "../support/lab-harness";
import { bgpChain, dualStack, isisRing, ospfGrid, ospfRing } from "../support/routing-labs";
import { ensureLocalImage } from "../support/stretch-sites";
import { localPreference, policyKinds, redistribution } from "../support/policy-labs";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

/** Every router's configuration of a lab, with its interfaces named eth0, eth1, … in declaration order. */
function configurations(lab: string, spec: unknown): { router: string; text: string }[] {
  return planRoutedLab(lab, spec)
    .nodes.filter((node) => node.routing)
    .map((node) => ({
      router: `${lab}/${node.name}`,
      text: node.interfaces.reduce(
        (text, iface, i) => text.replaceAll(interfaceToken(iface.segment), `eth${i}`),
        node.files[FRR_TEMPLATE_PATH],
      ),
    }));
}

/** `vtysh --dryrun` on the text in a container of the router image: its exit code and what it said. */
async function frrCheck(image: string, text: string): Promise<{ code: number; output: string }> {
  const result = await run(
    "docker",
    [
      "run",
      "--rm",
      "-i",
      "--network",
      "none",
      "--label",
      `${TEST_LABEL}=${testRun.id}`,
      "--entrypoint",
      "sh",
      image,
      "-c",
      "cat > /tmp/frr.conf && vtysh --dryrun -f /tmp/frr.conf",
    ],
    { input: text, timeoutMs: 60_000 },
  );
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(skipReason)(`FRR's own check of the rendered configurations${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(() => sweep(testRun));

  const cases = [
    ...configurations("ring", ospfRing()),
    ...configurations("ring-nobfd", ospfRing(false)),
    ...configurations("isis-ring", isisRing()),
    ...configurations("isis-ring-nobfd", isisRing(false)),
    ...configurations("ring-dual-stack", dualStack(ospfRing())),
    ...configurations("isis-ring-dual-stack", dualStack(isisRing())),
    ...configurations("chain-dual-stack", dualStack(bgpChain())),
    ...configurations("chain", bgpChain()),
    // The multihop profile at FRR's largest interval (3 x 25000 ms, capped at 60000) and with bfd.multihop.
    ...configurations("chain-slow", { ...bgpChain(), bfd: { intervalMs: 25000, multiplier: 2 } }),
    ...configurations("chain-multihop", {
      ...bgpChain(),
      bfd: { intervalMs: 50, multiplier: 4, multihop: { intervalMs: 250, multiplier: 5 } },
    }),
    ...configurations("grid", ospfGrid(2, 3, { intervalMs: 300, multiplier: 5 }).spec),
    ...configurations("triangle", planBgpTriangle("triangle").spec),
    ...configurations("triangle-nobfd", planBgpTriangle("triangle-nobfd", { bfd: false }).spec),
  ];

  it(`accepts all ${cases.length} router configurations`, async () => {
    const image = await ensureLocalImage("router");
    const refused: string[] = [];
    for (const { router, text } of cases) {
      const check = await frrCheck(image, text);
      if (check.code !== 0) refused.push(`${router} (exit ${check.code}): ${check.output.trim()}`);
    }
    expect(refused).toEqual([]);
  });

  // Routing policy (components/protocols/policy): prefix and community lists, route-maps, router
  // nodes entered again for redistribution and session policies, staticd's route kinds.
  const policyCases = [
    ...configurations("redistribution", redistribution()),
    ...configurations("local-preference", localPreference()),
    ...configurations("policy-kinds", policyKinds()),
  ];

  it(`accepts all ${policyCases.length} router configurations with routing policy`, async () => {
    const image = await ensureLocalImage("router");
    const refused: string[] = [];
    for (const { router, text } of policyCases) {
      const check = await frrCheck(image, text);
      if (check.code !== 0) refused.push(`${router} (exit ${check.code}): ${check.output.trim()}`);
    }
    expect(refused).toEqual([]);
  });

  it("refuses a configuration with a mistake (the check can fail)", async () => {
    const image = await ensureLocalImage("router");
    const broken = cases[0].text.replace(" ip ospf network point-to-point", " ip ospf network point-to-nowhere");
    expect(broken).not.toBe(cases[0].text);
    const check = await frrCheck(image, broken);
    expect(check.code).not.toBe(0);
  });
});
