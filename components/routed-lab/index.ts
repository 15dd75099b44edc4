export * from "./routed-lab";
export { renderNodeInit, NODE_READY_PATH, NODE_INIT_PATH, interfaceEnvName } from "./node-init";
export * from "./plan";
export * from "../protocols";
