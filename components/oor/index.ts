export * from "./oor-router";
export * from "./lisp-site";
export { planOorRouter, oorOptionsSchema, OOR_MODES, parsePrefix } from "./plan";
export type { OorMode, OorOptions, OorPlan } from "./plan";
export { renderOorConf, renderOorEnv } from "./render";
export { renderOorStartScript, OOR_CONFIG_PATH } from "./start-script";
