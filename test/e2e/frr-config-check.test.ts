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
import {
  BGP_REFLECTORS_PASSWORD,
  bgpChain,
  bgpReflectors,
  bgpSessionOptions,
  dualStack,
  isisRing,
  onIsis,
  ospfGrid,
  ospfRing,
} from "../support/routing-labs";
import { vrfPair } from "../support/vrf-labs";
import { ospfAreas, unnumberedRing } from "../support/ospf-areas-lab";
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
/** The configurations FRR's check refuses, each with its router, exit code and what FRR said. */
async function refusedOf(cases: { router: string; text: string }[]): Promise<string[]> {
  const image = await ensureLocalImage("router");
  const refused: string[] = [];
  for (const { router, text } of cases) {
    const check = await frrCheck(image, text);
    if (check.code !== 0) refused.push(`${router} (exit ${check.code}): ${check.output.trim()}`);
  }
  return refused;
}

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
    expect(await refusedOf(cases)).toEqual([]);
  });

  // Routing policy (components/protocols/policy): prefix and community lists, route-maps, router
  // nodes entered again for redistribution and session policies, staticd's route kinds.
  const policyCases = [
    ...configurations("redistribution", redistribution()),
    ...configurations("local-preference", localPreference()),
    ...configurations("policy-kinds", policyKinds()),
  ];

  it(`accepts all ${policyCases.length} router configurations with routing policy`, async () => {
    expect(await refusedOf(policyCases)).toEqual([]);
  });

  it("refuses a configuration with a mistake (the check can fail)", async () => {
    const image = await ensureLocalImage("router");
    const broken = cases[0].text.replace(" ip ospf network point-to-point", " ip ospf network point-to-nowhere");
    expect(broken).not.toBe(cases[0].text);
    const check = await frrCheck(image, broken);
    expect(check.code).not.toBe(0);
  });
});

/**
 * VRFs (issue 25, item 6): the VRF lab's routers, isolated and leaking. `vtysh --dryrun` reads the
 * configuration without zebra or a kernel, so it checks the vrf nodes, VRF interfaces and per-VRF
 * OSPF and BGP instances here too, on a kernel without the vrf module; that FRR runs them is the
 * e2e test's (test/e2e/vrf-vlan.test.ts, in the public CI).
 */
describe.skipIf(skipReason)(`FRR's own check of the VRF configurations${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(() => sweep(testRun));
  const vrfCases = [...configurations("vrf", vrfPair()), ...configurations("vrf-leak", vrfPair(true))];

  it(`accepts all ${vrfCases.length} VRF router configurations`, async () => {
    for (const { text } of vrfCases) expect(text).toMatch(/^router ospf vrf red$/m);
    expect(await refusedOf(vrfCases)).toEqual([]);
  });

  it("refuses a VRF configuration with a mistake in a VRF's BGP instance (the check reads them)", async () => {
    const image = await ensureLocalImage("router");
    const leaking = vrfCases.find((c) => c.router === "vrf-leak/r1")!.text;
    const broken = leaking.replace("  import vrf blue", "  import vrf-from blue");
    expect(broken).not.toBe(leaking);
    const check = await frrCheck(image, broken);
    expect(check.code).not.toBe(0);
  });
});

// OSPF's depth (issue 25): the multi-area lab and the forms of its fields it does not use itself.
describe.skipIf(skipReason)(`FRR's own check of OSPF's areas and per-link settings${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(() => sweep(testRun));

  const totally = ospfAreas();
  totally.ospf = {
    areas: [
      { id: "0.0.0.1", kind: "stub", noSummary: true, ranges: [{ prefix: "10.31.0.0/16", cost: 50 }] },
      { id: "0.0.0.2", kind: "nssa", noSummary: true, ranges: [{ prefix: "10.32.0.0/16", advertise: false }] },
    ],
  };
  totally.nodes[0].ospf = { defaultOriginate: { metric: 20, metricType: 1 } };
  const cases = [
    ...configurations("ospf-areas", ospfAreas()),
    ...configurations("ospf-areas-totally", totally),
    ...configurations("ospf-unnumbered-ring", unnumberedRing()),
    ...configurations("isis-unnumbered-ring", onIsis(unnumberedRing())),
  ];

  it(`accepts all ${cases.length} router configurations`, async () => {
    expect(await refusedOf(cases)).toEqual([]);
  });
});

// BGP depth (issue 25): route reflectors, session options, communities, originate, unnumbered,
// multihop. The password tokens are filled in as the node's file gets them (kinds/lab-node.ts).
describe.skipIf(skipReason)(`FRR's own check of the BGP depth configurations${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  afterAll(() => sweep(testRun));

  const withSecrets = (lab: string, spec: unknown) =>
    configurations(lab, spec).map(({ router, text }) => ({ router, text: text.replace(/@SECRET_BGP_[^@]+@/g, BGP_REFLECTORS_PASSWORD) }));
  const cases = [
    ...withSecrets("bgp-reflectors", bgpReflectors()),
    ...withSecrets("bgp-session-options", bgpSessionOptions()),
    ...withSecrets("bgp-session-options-bfd", { ...bgpSessionOptions(), bfd: { enabled: true } }),
    ...withSecrets("bgp-session-options-dual-stack", bgpDepthDualStack()),
  ];

  it(`accepts all ${cases.length} router configurations`, async () => {
    expect(cases.every(({ text }) => !text.includes("@SECRET_"))).toBe(true);
    expect(await refusedOf(cases)).toEqual([]);
  });
});

/** The session-options lab with every remaining option: GTSM, asOverride, IPv6 originate with communities, timers on one end. */
function bgpDepthDualStack(): unknown {
  const spec = dualStack(bgpSessionOptions());
  return {
    ...spec,
    nodes: spec.nodes.map((node) =>
      node.name === "d"
        ? {
            ...node,
            bgp: {
              ...node.bgp,
              originate: ["192.0.2.0/24", "2001:db8:fff0::/48"],
              advertiseLoopback: false,
              communities: { standard: ["65004:1", "no-export"], large: ["65004:0:1"] },
              sessions: [{ neighbor: "c", allowasIn: 2, asOverride: true, gtsm: 1, holdSeconds: 9, defaultOriginate: true }],
            },
          }
        : node,
    ),
  };
}
