/** The project's component resources and the pure functions they are built from. */
export * from "./host/docker-host";
export * from "./host/host-guard";
export * from "./host/port-forwarder";
export * from "./images/lab-image";
export * from "./routed-lab";
export * from "./bgp";
export * from "./network-container";
export * from "./oor";
export * from "./net/topology";
export * from "./net/errors";
export { renderMermaid } from "./net/mermaid";
export { declareWithoutPromiseStacks } from "./declaration";
