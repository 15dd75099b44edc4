/** The routing protocols of RoutedLab (ARCHITECTURE.md, Routing protocols): the seam, the registry, each module. */
export type {
  AnyRoutingProtocol,
  CheckTarget,
  DetectedPeer,
  FrrDaemon,
  FrrSections,
  LabRouter,
  LabServices,
  PlannedProtocol,
  ProtocolFacets,
  ProtocolPlan,
  ProtocolRouter,
  RouterBase,
  RouterInterface,
  RoutingLab,
  RoutingProtocol,
} from "./protocol";
export { Groups, andList, fieldPath, interfaceFieldPath, isRunning, orList } from "./protocol";
export { PROTOCOLS, interfaceRoutingFields, labRoutingFields, nodeRoutingFields, protocolFields } from "./registry";
export type { InterfaceRoutingSpec, LabRoutingSpec, NodeRoutingPlan, NodeRoutingSpec, RoutingInfo } from "./registry";
export { planRouting } from "./plan";
export type { RoutingResult } from "./plan";
export type { RoutingInput, RoutingNodeInput } from "./router";
export { routingChecks, routingDiagram, routingInfo } from "./outputs";
export {
  FRR_CAPABILITIES,
  FRR_CONFIG_PATH,
  FRR_DAEMONS_PATH,
  FRR_TEMPLATE_PATH,
  FRR_VTYSH_PATH,
  interfaceToken,
} from "./frr/config";
export type { FrrRouterPlan } from "./frr/config";
export { areaId, ospf, ospfNeighborsCheck } from "./ospf";
export type {
  OspfAreaRangeSpec,
  OspfAreaSpec,
  OspfDefaultOriginateSpec,
  OspfInterfacePlan,
  OspfInterfaceSpec,
  OspfLabSpec,
  OspfPlan,
  OspfSpec,
} from "./ospf";
export { MAX_ASN, bgp, bgpSessionsCheck } from "./bgp";
export type { BgpNeighborPlan, BgpPlan, BgpSpec } from "./bgp";
export { DEFAULT_BFD, bfd, bfdSessionsCheck } from "./bfd";
export { routing, routingSchema } from "./policy";
export type { PolicyPlan, RoutingPolicySpec } from "./policy";
export type { BfdMultihopSpec, BfdSpec, BfdSpecInput, BfdTimers } from "./bfd";
export { VRF_SETUP_EXIT, VRF_TABLE_BASE, vrfBgpSessionsCheck, vrfs } from "./vrf";
export type { VrfBgpSpec, VrfOspfSpec, VrfPlan, VrfSpec } from "./vrf";
