export * from "./bgp-triangle";
export { planBgpTriangle, bgpTriangleArgsSchema, DEFAULT_QUESTION, ROUTERS } from "./plan";
export type {
  BgpSession,
  BgpTriangleAsns,
  BgpTriangleBfd,
  BgpTriangleOptions,
  BgpTriangleOptionsInput,
  BgpTrianglePlan,
  BgpTriangleRouterIds,
  BgpTriangleSubnets,
  BgpTriangleTimers,
  RouterName,
} from "./plan";
