/**
 * A node's VLANs in its init (routed-lab/node-init.ts), once its interfaces are found: a bridge
 * node's Linux bridge with VLAN filtering (no default VLAN, so a port carries only what it is
 * given), its ports access (the VLAN as PVID, untagged) or trunk (tagged, the native one untagged);
 * a node's VLAN addresses, on the interface itself where the segment carries the VLAN untagged, else
 * on an 802.1Q subinterface `<interface>.<vlan>`.
 */
import { interfaceEnvName } from "../net/shell";
import { VlanNodePlan } from "./plan";

/** The bridge of a bridge node. */
export const VLAN_BRIDGE = "nlbridge";
/** The init's exit status when the kernel refuses a VLAN (no 8021q module, no bridge VLAN filtering). */
export const VLAN_SETUP_EXIT = 79;

const failing = (what: string) => `|| { log "${what}"; exit ${VLAN_SETUP_EXIT}; }`;

export function vlanSetupLines(plan: VlanNodePlan | undefined): string[] {
  if (!plan) return [];
  return [...bridgeLines(plan), ...plan.interfaces.flatMap(interfaceLines)];
}

function bridgeLines(plan: VlanNodePlan): string[] {
  if (plan.ports.length === 0) return [];
  return [
    `ip link show ${VLAN_BRIDGE} >/dev/null 2>&1 || ip link add ${VLAN_BRIDGE} type bridge vlan_filtering 1 vlan_default_pvid 0 ${failing(`cannot create the VLAN bridge: the kernel's bridge needs VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)`)}`,
    ...plan.ports.flatMap((port) => {
      const dev = `"$${interfaceEnvName(port.segment)}"`;
      const vlans =
        port.access !== undefined
          ? [`bridge vlan add dev ${dev} vid ${port.access} pvid untagged`]
          : (port.trunk ?? []).map((vlan) => `bridge vlan add dev ${dev} vid ${vlan}${vlan === port.native ? " pvid untagged" : ""}`);
      return [
        `ip link set ${dev} master ${VLAN_BRIDGE} ${failing(`cannot make segment ${port.segment}'s interface a port of the VLAN bridge`)}`,
        ...vlans.map((line) => `${line} ${failing(`cannot put segment ${port.segment}'s port in its VLANs`)}`),
      ];
    }),
    `ip link set ${VLAN_BRIDGE} up`,
  ];
}

function interfaceLines(iface: VlanNodePlan["interfaces"][number]): string[] {
  const parent = `$${interfaceEnvName(iface.segment)}`;
  const address = `${iface.address}/${iface.prefixLength}`;
  if (!iface.tagged) {
    return [
      `ip addr replace ${address} dev "${parent}" ${failing(`cannot add VLAN ${iface.vlan}'s address ${address} on segment ${iface.segment}`)}`,
    ];
  }
  const dev = `"${parent}.${iface.vlan}"`;
  return [
    `ip link show ${dev} >/dev/null 2>&1 || ip link add link "${parent}" name ${dev} type vlan id ${iface.vlan} ${failing(`cannot add VLAN ${iface.vlan} on segment ${iface.segment}: the kernel needs the 8021q module`)}`,
    `ip link set ${dev} up`,
    `ip addr replace ${address} dev ${dev} ${failing(`cannot add VLAN ${iface.vlan}'s address ${address}`)}`,
  ];
}
