/** VRFs as a routing module: a node's `vrfs` field gives it VRFs with interfaces, OSPF and BGP of their own. */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { ospfNeighborsCheck } from "../ospf";
import { RoutingProtocol } from "../protocol";
import { vrfSections, vrfSetupLines } from "./frr";
import { VrfFields, planVrfs, vrfSegments } from "./plan";
import { VrfsSettings, vrfsSchema } from "./schema";

export { VRF_TABLE_BASE, vrfSegments } from "./plan";
export type { VrfFields, VrfInterfacePlan, VrfNeighborPlan, VrfPlan } from "./plan";
export { VRF_SETUP_EXIT, vrfSetupLines } from "./frr";
export { vrfNameIssue, vrfSchema, vrfsSchema } from "./schema";
export type { VrfBgpSpec, VrfOspfSpec, VrfSettings, VrfSpec, VrfsSettings } from "./schema";

/**
 * OSPF neighbours Full in a VRF (or 2-Way between DROthers). ospfd keys its JSON by VRF name when a
 * VRF is named ("vrf all" certainly): the VRF's neighbours are under its name.
 */
export function vrfOspfNeighborsCheck(name: string, router: string, vrf: string, neighbors: number): VtyshCountCheck {
  return { ...ospfNeighborsCheck(name, router, neighbors), command: "show ip ospf vrf all neighbor json", path: [vrf, "neighbors"] };
}

/** BGP sessions Established in a VRF. */
export function vrfBgpSessionsCheck(name: string, router: string, vrf: string, established: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: `show bgp vrf ${vrf} summary json`,
    path: ["ipv4Unicast", "peers"],
    stateFields: ["state"],
    upPattern: "^Established$",
    want: established,
    counted: `sessions Established in VRF ${vrf}`,
  };
}

export const vrfs = {
  name: "vrfs" as const,
  title: "VRF",
  nodeSchema: vrfsSchema,
  ownInterfaces: vrfSegments,
  plan: planVrfs,
  runs: (router) => (router.vrfs?.length ?? 0) > 0,
  frr: {
    // ospfd and bgpd are OSPF's and BGP's, listed by them; a VRF only turns them on.
    daemons: [],
    running: (router) =>
      (router.vrfs ?? []).flatMap((vrf) => [
        ...(vrf.ospf ? [{ daemon: "ospfd", readyLine: `router ospf vrf ${vrf.name}` }] : []),
        ...(vrf.bgp ? [{ daemon: "bgpd", readyLine: `router bgp ${vrf.bgp.asn} vrf ${vrf.name}` }] : []),
      ]),
    sections: (router) => (router.vrfs?.length ? vrfSections(router, router.vrfs) : {}),
    setup: (router) => vrfSetupLines(router.vrfs ?? []),
  },
  checks: (router, { node, container }) =>
    (router.vrfs ?? []).flatMap((vrf) => {
      const neighbors = vrf.interfaces.reduce((sum, iface) => sum + (iface.ospf?.neighbors.length ?? 0), 0);
      const sessions = vrf.bgp?.neighbors.length ?? 0;
      return [
        ...(neighbors > 0
          ? [vrfOspfNeighborsCheck(`${node} OSPF adjacencies up in VRF ${vrf.name} (${neighbors})`, container, vrf.name, neighbors)]
          : []),
        ...(sessions > 0
          ? [vrfBgpSessionsCheck(`${node} BGP sessions Established in VRF ${vrf.name} (${sessions})`, container, vrf.name, sessions)]
          : []),
      ];
    }),
  outputs: (router): { vrfs?: string[] } => (router.vrfs?.length ? { vrfs: router.vrfs.map((vrf) => vrf.name) } : {}),
  diagram: (router) => `VRF ${(router.vrfs ?? []).map((vrf) => vrf.name).join(", ")}`,
} satisfies RoutingProtocol<VrfsSettings, never, VrfFields, { vrfs?: string[] }>;
