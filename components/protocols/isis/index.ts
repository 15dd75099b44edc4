/** IS-IS (FRR's isisd) as a routing protocol module: a node's `isis` field runs it. */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { RoutingProtocol } from "../protocol";
import { ISIS_TAG, isisSections } from "./frr";
import { IsisFields, planIsis } from "./plan";
import { IsisSettings, isisSchema } from "./schema";

export { canAdjoin } from "./plan";
export type { IsisFields, IsisInterfacePlan, IsisPlan } from "./plan";
export { networkEntityTitle, systemId } from "./frr";
export { ISIS_AREA_PATTERN, ISIS_LEVELS, isisSchema } from "./schema";
export type { IsisSettings, IsisSpec } from "./schema";

/** IS-IS adjacencies Up (each area's circuits, as `show isis neighbor json` lists them). */
export function isisAdjacenciesCheck(name: string, router: string, adjacencies: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show isis neighbor json",
    path: ["areas", "*", "circuits"],
    stateFields: ["state"],
    upPattern: "^Up$",
    want: adjacencies,
    counted: "IS-IS adjacencies Up",
    showStates: true,
  };
}

export const isis = {
  name: "isis" as const,
  title: "IS-IS",
  igp: { domain: "IS-IS domain" },
  nodeSchema: isisSchema,
  plan: planIsis,
  runs: (router) => router.isis !== undefined,
  frr: {
    // Listed only where it runs: registering IS-IS changes no daemons file of a router without it.
    daemons: [{ name: "isisd", options: "-A 127.0.0.1", listedWhenOff: false }],
    running: (router) => (router.isis ? [{ daemon: "isisd", readyLine: `router isis ${ISIS_TAG}` }] : []),
    sections: (router) => (router.isis ? isisSections(router, router.isis) : {}),
  },
  checks: (router, { node, container }) => {
    const adjacencies = (router.isis?.interfaces ?? []).reduce((sum, iface) => sum + iface.neighbors.length, 0);
    return adjacencies > 0 ? [isisAdjacenciesCheck(`${node} IS-IS adjacencies Up (${adjacencies})`, container, adjacencies)] : [];
  },
  outputs: (router): { isisArea?: string; isisLevel?: string } =>
    router.isis ? { isisArea: router.isis.area, isisLevel: router.isis.level } : {},
  diagram: (router) => `IS-IS ${router.isis?.area} ${router.isis?.level}`,
} satisfies RoutingProtocol<IsisSettings, never, IsisFields, { isisArea?: string; isisLevel?: string }>;
