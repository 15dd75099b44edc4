/** OSPF (OSPFv2 on FRR's ospfd) as a routing protocol module: a node's `ospf` field runs it. */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { RoutingProtocol } from "../protocol";
import { ospfSections } from "./frr";
import { OspfFields, ospfNodeIssues, planOspf } from "./plan";
import { OspfSettings, ospfSchema } from "./schema";

export { areaId } from "./plan";
export type { OspfFields, OspfInterfacePlan, OspfPlan } from "./plan";
export { ospfAreaSchema, ospfSchema } from "./schema";
export type { OspfSettings, OspfSpec } from "./schema";

/** OSPF neighbours Full (or 2-Way between two DROthers, their final state on a shared segment). */
export function ospfNeighborsCheck(name: string, router: string, neighbors: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show ip ospf neighbor json",
    path: ["neighbors"],
    stateFields: ["nbrState", "state"],
    upPattern: "^(Full.*|2-Way/DROther)$",
    want: neighbors,
    counted: "OSPF neighbours up",
    showStates: true,
  };
}

/** OSPFv3 neighbours Full (or 2-Way between two DROthers). */
export function ospf6NeighborsCheck(name: string, router: string, neighbors: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show ipv6 ospf6 neighbor json",
    path: ["neighbors"],
    stateFields: ["state"],
    upPattern: "^(Full|2-Way)$",
    want: neighbors,
    counted: "OSPFv3 neighbours up",
    showStates: true,
  };
}

export const ospf = {
  name: "ospf" as const,
  title: "OSPF",
  igp: { domain: "OSPF domain" },
  nodeSchema: ospfSchema,
  nodeIssues: ospfNodeIssues,
  plan: planOspf,
  runs: (router) => router.ospf !== undefined,
  frr: {
    daemons: [
      { name: "ospfd", options: "-A 127.0.0.1", listedWhenOff: true },
      // Listed only where it runs: IPv4 labs' daemons files stay as they were.
      { name: "ospf6d", options: "-A ::1", listedWhenOff: false },
    ],
    running: (router) =>
      router.ospf
        ? [{ daemon: "ospfd", readyLine: "router ospf" }, ...(router.ospf.ipv6 ? [{ daemon: "ospf6d", readyLine: "router ospf6" }] : [])]
        : [],
    sections: (router) => (router.ospf ? ospfSections(router, router.ospf) : {}),
  },
  checks: (router, { node, container }) => {
    const neighbors = (router.ospf?.interfaces ?? []).reduce((sum, iface) => sum + iface.neighbors.length, 0);
    const neighbors6 = (router.ospf?.interfaces ?? []).reduce((sum, iface) => sum + (iface.ipv6?.neighbors.length ?? 0), 0);
    return [
      ...(neighbors > 0 ? [ospfNeighborsCheck(`${node} OSPF adjacencies up (${neighbors})`, container, neighbors)] : []),
      ...(neighbors6 > 0 ? [ospf6NeighborsCheck(`${node} OSPFv3 adjacencies up (${neighbors6})`, container, neighbors6)] : []),
    ];
  },
  outputs: (router): { area?: string } => (router.ospf ? { area: router.ospf.area } : {}),
  diagram: (router) => `OSPF area ${router.ospf?.area}`,
} satisfies RoutingProtocol<OspfSettings, never, OspfFields, { area?: string }>;
