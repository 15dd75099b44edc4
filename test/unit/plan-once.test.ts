/**
 * What is planned is what is built, planned once: a program run plans each lab, and each router and
 * site inside it, exactly once, however many components it passes through (a stack plans every lab
 * before declaring it; BgpTriangle, LispSite and OorLab hand their plans down to the components
 * they are built from). The plan functions are wrapped to count their calls by name.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { readStackConfig } from "../../stacks/config";
import { buildStack } from "../../stacks";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { stackFileConfig } from "../support/stack-files";

const calls = vi.hoisted(() => new Map<string, string[]>());

function counted<F extends (name: string, ...rest: any[]) => any>(label: string, plan: F): F {
  return ((name: string, ...rest: any[]) => {
    calls.set(label, [...(calls.get(label) ?? []), name]);
    return plan(name, ...rest);
  }) as F;
}

vi.mock("../../components/routed-lab/plan", async (original) => {
  const module = await original<typeof import("../../components/routed-lab/plan")>();
  return { ...module, planRoutedLab: counted("planRoutedLab", module.planRoutedLab) };
});
vi.mock("../../components/bgp/plan", async (original) => {
  const module = await original<typeof import("../../components/bgp/plan")>();
  return { ...module, planBgpTriangle: counted("planBgpTriangle", module.planBgpTriangle) };
});
vi.mock("../../components/oor/plan", async (original) => {
  const module = await original<typeof import("../../components/oor/plan")>();
  return { ...module, planOorRouter: counted("planOorRouter", module.planOorRouter) };
});
vi.mock("../../components/oor/lisp-site", async (original) => {
  const module = await original<typeof import("../../components/oor/lisp-site")>();
  return { ...module, planLispSite: counted("planLispSite", module.planLispSite) };
});

const SMALL_LAB = {
  segments: [{ name: "lan", subnet: "10.233.0.0/24" }],
  nodes: [
    { name: "a", image: "client", interfaces: [{ segment: "lan", address: "10.233.0.10" }] },
    { name: "b", image: "client", interfaces: [{ segment: "lan", address: "10.233.0.11" }] },
  ],
};

async function plansOf(config: Record<string, unknown>): Promise<Record<string, string[]>> {
  calls.clear();
  await runProgram(new RecordingMocks(), () => buildStack(readStackConfig()), { config, secretKeys: ["oorMapServerKey"] });
  return Object.fromEntries([...calls].map(([label, names]) => [label, [...names].sort()]));
}

describe("one plan per program run", () => {
  beforeEach(() => calls.clear());

  it("plans every lab of a stack with every single-host composition once", async () => {
    const plans = await plansOf({
      labs: ["networking-demo", "routed-lan", "bgp-triangle", "oor-2xtrs-1msmr", "routed-lab"],
      oorMapServerKey: "a-secret-key",
      routedLab: SMALL_LAB,
    });
    expect(plans).toEqual({
      planRoutedLab: [
        "bgp-triangle",
        "networking-demo",
        "oor-2xtrs-1msmr-site-a-eid",
        "oor-2xtrs-1msmr-site-b-eid",
        "routed-lab",
        "routed-lan",
      ],
      planBgpTriangle: ["bgp-triangle"],
      planLispSite: ["oor-2xtrs-1msmr-site-a", "oor-2xtrs-1msmr-site-b"],
      planOorRouter: ["oor-2xtrs-1msmr-msmr", "oor-2xtrs-1msmr-site-a-xtr", "oor-2xtrs-1msmr-site-b-xtr"],
    });
  });

  it("plans a LISP site stack's site, its EID lab and its xTR once", async () => {
    const plans = await plansOf({ ...stackFileConfig("site-a"), oorMapServerKey: "a-secret-key" });
    expect(plans).toEqual({
      planRoutedLab: ["lisp-site-eid"],
      planLispSite: ["lisp-site"],
      planOorRouter: ["lisp-site-xtr"],
    });
  });

  it("plans a map server stack's router once", async () => {
    const plans = await plansOf({ ...stackFileConfig("msmr"), oorMapServerKey: "a-secret-key" });
    expect(plans).toEqual({ planOorRouter: ["lisp-msmr"] });
  });
});
