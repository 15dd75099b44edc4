export * from "./routed-lab";
export { renderNodeInit, NODE_READY_PATH, NODE_INIT_PATH, interfaceEnvName } from "./node-init";
export * from "./plan";
export {
  planRouting,
  areaId,
  interfaceToken,
  FRR_CONFIG_PATH,
  FRR_TEMPLATE_PATH,
  FRR_DAEMONS_PATH,
  MAX_ASN,
  DEFAULT_BFD,
} from "../protocols";
export type {
  NodeRoutingPlan,
  OspfPlan,
  OspfInterfacePlan,
  BgpPlan,
  BgpNeighborPlan,
  BfdTimers,
  OspfSpec,
  BgpSpec,
  BfdSpec,
} from "../protocols";
