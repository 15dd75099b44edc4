export { planRouting, areaId } from "./plan";
export type { NodeRoutingPlan, OspfPlan, OspfInterfacePlan, BgpPlan, BgpNeighborPlan, BfdTimers } from "./plan";
export {
  renderFrrTemplate,
  renderDaemons,
  frrDaemons,
  interfaceToken,
  FRR_CONFIG_PATH,
  FRR_TEMPLATE_PATH,
  FRR_DAEMONS_PATH,
} from "./frr-config";
export { MAX_ASN, DEFAULT_BFD } from "./schema";
export type { OspfSpec, BgpSpec, BfdSpec } from "./schema";
