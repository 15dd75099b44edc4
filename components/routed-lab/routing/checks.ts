/** The probe's checks of a router's protocols, as data for LabProbe's generic vtysh-count check. */
import { VtyshCountCheck } from "../../probe/lab-probe";

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

/** BGP sessions Established. */
export function bgpSessionsCheck(name: string, router: string, established: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show bgp summary json",
    path: ["ipv4Unicast", "peers"],
    stateFields: ["state"],
    upPattern: "^Established$",
    want: established,
    counted: "sessions Established",
  };
}

/** BFD sessions up, single-hop and multihop. */
export function bfdSessionsCheck(name: string, router: string, up: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show bfd peers json",
    path: [],
    stateFields: ["status"],
    upPattern: "^up$",
    want: up,
    counted: "BFD sessions up",
  };
}
