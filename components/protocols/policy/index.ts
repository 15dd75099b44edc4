/**
 * Routing policy, redistribution and staticd routes as a module of the routing (a node's `routing`
 * field, netlab's `routing` module): it runs no daemon of its own (staticd runs on every router),
 * and plans after the protocols whose routes it filters and redistributes.
 */
import { RoutingProtocol } from "../protocol";
import { policySections } from "./frr";
import { PolicyFields, planPolicy } from "./plan";
import { RoutingSettings, routingSchema } from "./schema";
import { routingNodeIssues } from "./validate";

export type { PolicyFields, PolicyPlan } from "./plan";
export { routingSchema } from "./schema";
export type { RoutingPolicySpec, RoutingSettings } from "./schema";

export const routing = {
  name: "routing" as const,
  title: "Routing policy",
  addOn: true,
  nodeSchema: routingSchema,
  nodeIssues: routingNodeIssues,
  plan: planPolicy,
  runs: (router) => router.policy !== undefined,
  frr: {
    daemons: [],
    // staticd shows its first route once it loaded the router's configuration.
    running: (router) => {
      const first = router.policy?.staticRoutes[0];
      return first ? [{ daemon: "staticd", readyLine: policySections(router, router.policy!).global![0] }] : [];
    },
    sections: (router) => (router.policy ? policySections(router, router.policy) : {}),
  },
  checks: () => [],
  outputs: (router): { policies?: string[] } =>
    router.policy && router.policy.policies.length > 0 ? { policies: router.policy.policies.map((policy) => policy.name) } : {},
  diagram: (router) => {
    const imports = (router.policy?.imports ?? []).map((entry) => `${entry.from}→${entry.into}`);
    if (imports.length > 0) return `imports ${imports.join(" ")}`;
    return router.policy && router.policy.policies.length === 0 && router.policy.staticRoutes.length > 0 ? "static routes" : "policy";
  },
} satisfies RoutingProtocol<RoutingSettings, never, PolicyFields, { policies?: string[] }>;
