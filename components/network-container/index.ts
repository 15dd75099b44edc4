export * from "./network-container";
export { planNetworkContainer, networkContainerOptionsSchema } from "./plan";
export type { NetworkContainerLan, NetworkContainerOptions, NetworkContainerPlan, NetworkContainerPort } from "./plan";
export { renderRouterScript, DHCP_HOOK_SCRIPT, LEASE_PATH } from "./scripts";
