/** VLANs of a RoutedLab's nodes: bridge nodes with access and trunk ports, addresses in VLANs (components/vlan). */
export { planVlans, vlanKernelNeeds } from "./plan";
export type { VlanInterfacePlan, VlanKernelNeeds, VlanNodeInput, VlanNodePlan, VlanPortPlan } from "./plan";
export { VLAN_BRIDGE, VLAN_SETUP_EXIT, vlanSetupLines } from "./render";
export { vlanIdSchema, vlansSchema } from "./schema";
export type { VlanInterfaceSpec, VlanPortSpec, VlansSettings, VlansSpec } from "./schema";
