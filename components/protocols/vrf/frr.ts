/**
 * A router's VRFs on the node: the kernel's side (a VRF device per VRF with its table, its
 * interfaces enslaved, its loopback on the device), run by the node's init once its interfaces are
 * found and before its routes and FRR; and FRR's side: a `vrf` node per VRF, the VRF interfaces'
 * nodes, `router ospf vrf NAME` and `router bgp ASN vrf NAME` with leaking (`import vrf`).
 */
import { interfaceEnvName } from "../../net/shell";
import { interfaceToken } from "../frr/config";
import { FrrSections, RouterBase } from "../protocol";
import { VrfInterfacePlan, VrfPlan } from "./plan";

/** The metric of a VRF's last-resort unreachable default: far above any route FRR installs (zebra's carry 20), so any route wins over it. */
export const VRF_UNREACHABLE_METRIC = 4278198272;

/** The init's exit status when the kernel refuses a VRF (no vrf module, most often). */
export const VRF_SETUP_EXIT = 78;

/** The node's init lines that build its VRFs in the kernel. */
export function vrfSetupLines(vrfs: VrfPlan[]): string[] {
  return vrfs.flatMap((vrf) => [
    `ip link show ${vrf.name} >/dev/null 2>&1 || ip link add ${vrf.name} type vrf table ${vrf.table} || { log "cannot create VRF ${vrf.name} (table ${vrf.table}): the kernel needs the vrf module"; exit ${VRF_SETUP_EXIT}; }`,
    `ip link set ${vrf.name} up`,
    // Without it a destination missing from the VRF's table is looked up in the main table next
    // (the kernel's rules go on): the VRF would leak into the default table.
    `ip route replace unreachable default metric ${VRF_UNREACHABLE_METRIC} vrf ${vrf.name}`,
    ...vrf.interfaces.map(
      ({ segment }) =>
        `ip link set "$${interfaceEnvName(segment)}" master ${vrf.name} || { log "cannot move segment ${segment}'s interface into VRF ${vrf.name}"; exit ${VRF_SETUP_EXIT}; }`,
    ),
    ...(vrf.loopback
      ? [
          `ip addr replace ${vrf.loopback}/32 dev ${vrf.name} || { log "cannot add VRF ${vrf.name}'s loopback ${vrf.loopback}"; exit ${VRF_SETUP_EXIT}; }`,
        ]
      : []),
  ]);
}

/** Lab-speed OSPF in a VRF, as the node's OSPF (ospf/frr.ts says why). */
const OSPF_THROTTLES = [" timers throttle spf 0 50 500", " timers throttle lsa all 100", " timers lsa min-arrival 0"];

/** FRR's side of a router's VRFs: each VRF's node, its interfaces, its OSPF and BGP instances. */
export function vrfSections(router: RouterBase, vrfs: VrfPlan[]): FrrSections {
  const node = (lines: string[]) => [...lines, "exit", "!"];
  const all = [
    ...vrfs.flatMap((vrf) => node([`vrf ${vrf.name}`])),
    ...vrfs.flatMap((vrf) => vrf.interfaces.flatMap((iface) => node(interfaceNode(vrf, iface)))),
    ...vrfs.flatMap((vrf) => (vrf.ospf ? node(ospfNode(router, vrf)) : [])),
    ...vrfs.flatMap((vrf) => (vrf.bgp ? node(bgpNode(router, vrf, vrfs)) : [])),
  ];
  // frr/config.ts closes the section's last node itself.
  return { router: all.slice(0, -2) };
}

function interfaceNode(vrf: VrfPlan, iface: VrfInterfacePlan): string[] {
  const lines = [`interface ${interfaceToken(iface.segment)} vrf ${vrf.name}`, ` description ${iface.segment}`];
  if (vrf.ospf && iface.ospf) {
    lines.push(` ip ospf area ${vrf.ospf.area}`);
    if (iface.ospf.passive) lines.push(" ip ospf passive");
    else {
      if (iface.ospf.pointToPoint) lines.push(" ip ospf network point-to-point");
      lines.push(` ip ospf hello-interval ${vrf.ospf.helloSeconds}`, ` ip ospf dead-interval ${vrf.ospf.deadSeconds}`);
    }
    if (vrf.ospf.cost !== undefined) lines.push(` ip ospf cost ${vrf.ospf.cost}`);
  }
  return lines;
}

function ospfNode(router: RouterBase, vrf: VrfPlan): string[] {
  return [
    `router ospf vrf ${vrf.name}`,
    ` ospf router-id ${router.routerId}`,
    " log-adjacency-changes",
    ...OSPF_THROTTLES,
    // The VRF's loopback sits on its device, which runs no OSPF: announced as connected.
    ...(vrf.loopback ? [" redistribute connected"] : []),
  ];
}

function bgpNode(router: RouterBase, vrf: VrfPlan, vrfs: VrfPlan[]): string[] {
  const bgp = vrf.bgp!;
  const lines = [
    `router bgp ${bgp.asn} vrf ${vrf.name}`,
    ` bgp router-id ${router.routerId}`,
    " bgp log-neighbor-changes",
    " no bgp ebgp-requires-policy",
    " no bgp network import-check",
    " timers bgp 1 3",
  ];
  for (const neighbor of bgp.neighbors) {
    lines.push(
      ` neighbor ${neighbor.address} remote-as ${neighbor.remoteAs}`,
      ` neighbor ${neighbor.address} description ${neighbor.node}`,
      ` neighbor ${neighbor.address} timers connect 1`,
    );
  }
  // Everything the VRF holds is in its BGP table: its LANs and loopback, and what its OSPF learned,
  // so that another VRF importing this one gets it all.
  const exported = vrfs.some((other) => other.import.includes(vrf.name));
  lines.push(
    " address-family ipv4 unicast",
    "  redistribute connected",
    ...(vrf.ospf && exported ? ["  redistribute ospf"] : []),
    ...vrf.import.map((source) => `  import vrf ${source}`),
    " exit-address-family",
  );
  return lines;
}
