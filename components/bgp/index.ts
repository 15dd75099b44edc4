export * from "./bgp-triangle";
export { planBgpTriangle, bgpTriangleArgsSchema, DEFAULT_QUESTION, ROUTERS } from "./plan";
export type { BgpSession, BgpTriangleOptions, BgpTrianglePlan, RouterName } from "./plan";
