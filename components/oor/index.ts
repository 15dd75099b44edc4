export * from "./oor-router";
export * from "./lisp-site";
export * from "./rloc-network";
export * from "./lisp-site-lab";
export * from "./lisp-msmr-lab";
export * from "./oor-lab";
export { planOorRouter, oorOptionsSchema, OOR_MODES, parsePrefix, withSecretKeys } from "./plan";
export type {
  OorCommonOptions,
  OorEidPrefix,
  OorMapServer,
  OorMode,
  OorOptions,
  OorPlan,
  OorProxyEtr,
  OorRlocProbing,
  OorSite,
} from "./plan";
export { renderOorConf, renderOorEnv } from "./render";
export { renderOorStartScript, OOR_CONFIG_PATH } from "./start-script";
