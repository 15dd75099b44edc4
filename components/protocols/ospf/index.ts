/** OSPF (OSPFv2 on FRR's ospfd) as a routing protocol module: a node's `ospf` field runs it. */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { ProbeCheck } from "../../probe/lab-probe";
import { CheckTarget, RoutingProtocol } from "../protocol";
import { ospfSections } from "./frr";
import { OspfFields, OspfPlan, ospfNodeIssues, planOspf } from "./plan";
import { OspfLabSettings, OspfSettings, ospfInterfaceSchema, ospfLabSchema, ospfSchema } from "./schema";

export { areaId } from "./plan";
export type { OspfFields, OspfInterfacePlan, OspfPlan } from "./plan";
export type { OspfAreaPlan } from "./areas";
export { ospfAreaSchema, ospfInterfaceSchema, ospfLabSchema, ospfSchema } from "./schema";
export type {
  OspfAreaRangeSpec,
  OspfAreaSpec,
  OspfDefaultOriginateSpec,
  OspfInterfaceSpec,
  OspfLabSettings,
  OspfLabSpec,
  OspfSettings,
  OspfSpec,
} from "./schema";

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
  labSchema: ospfLabSchema,
  interfaceSchema: ospfInterfaceSchema,
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
  checks: (router, target) => (router.ospf ? ospfChecks(router.ospf, target) : []),
  outputs: (router): OspfInfo => (router.ospf ? ospfInfo(router.ospf) : {}),
  diagram: (router) => (router.ospf ? ospfDiagram(router.ospf) : ""),
} satisfies RoutingProtocol<OspfSettings, OspfLabSettings, OspfFields, OspfInfo>;

/** What a router's output shows of OSPF: its node's area; its areas and ABR role where it has several. */
interface OspfInfo {
  area?: string;
  /** Every area it is in, where that is more than its node's area. */
  areas?: string[];
  /** It joins the backbone to another area. */
  abr?: boolean;
}

function ospfInfo(ospf: OspfPlan): OspfInfo {
  return { area: ospf.area, ...(ospf.areas ? { areas: ospf.areas } : {}), ...(ospf.abr ? { abr: true } : {}) };
}

/**
 * Its adjacencies up; its passive interfaces passive (no hellos, so no neighbour: the loopback and
 * the LANs included), where it has a link made passive; the default route where one reaches it.
 */
function ospfChecks(ospf: OspfPlan, { node, container }: CheckTarget): ProbeCheck[] {
  const neighbors = ospf.interfaces.reduce((sum, iface) => sum + iface.neighbors.length, 0);
  const neighbors6 = ospf.interfaces.reduce((sum, iface) => sum + (iface.ipv6?.neighbors.length ?? 0), 0);
  return [
    ...(neighbors > 0 ? [ospfNeighborsCheck(`${node} OSPF adjacencies up (${neighbors})`, container, neighbors)] : []),
    ...(neighbors6 > 0 ? [ospf6NeighborsCheck(`${node} OSPFv3 adjacencies up (${neighbors6})`, container, neighbors6)] : []),
    ...passiveCheck(ospf, node, container),
    ...(ospf.learnsDefault
      ? [{ kind: "routes" as const, name: `${node} has the default route OSPF carries`, router: container, prefixes: ["default"] }]
      : []),
  ];
}

/** Where the lab made a link passive that has OSPF routers across it: every passive interface (lo too) passive in ospfd. */
function passiveCheck(ospf: OspfPlan, node: string, container: string): VtyshCountCheck[] {
  if (!ospf.interfaces.some((iface) => iface.passive && iface.neighbors.length === 0 && iface.madePassive)) return [];
  const passive = ospf.interfaces.filter((iface) => iface.passive).length;
  return [
    {
      kind: "vtysh-count",
      name: `${node} OSPF passive interfaces, no neighbour there (${passive})`,
      router: container,
      command: "show ip ospf interface json",
      path: ["interfaces"],
      stateFields: ["timerPassiveIface"],
      upPattern: "^true$",
      want: passive,
      counted: "OSPF interfaces passive",
    },
  ];
}

/** Its diagram line: its area or areas, the ABR role, the kinds of its areas. */
function ospfDiagram(ospf: OspfPlan): string {
  const areas = ospf.areas ?? [ospf.area];
  const kinds = new Map(
    (ospf.areaSettings ?? []).map((area) => [
      area.id,
      area.kind === "regular"
        ? ""
        : area.noSummary
          ? `totally ${area.kind === "stub" ? "stubby" : "NSSA"}`
          : area.kind === "stub"
            ? "stub"
            : "NSSA",
    ]),
  );
  const shown = areas.map((id) => (kinds.get(id) ? `${id} ${kinds.get(id)}` : id));
  return `OSPF area${areas.length > 1 ? "s" : ""} ${shown.join(", ")}${ospf.abr ? " (ABR)" : ""}${ospf.defaultOriginate ? " (ASBR)" : ""}`;
}
