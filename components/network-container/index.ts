export * from "./network-container";
export { planNetworkContainer, networkContainerOptionsSchema } from "./plan";
export type { NetworkContainerOptions, NetworkContainerPlan } from "./plan";
export { renderRouterScript, DHCP_HOOK_SCRIPT, LEASE_PATH } from "./scripts";
