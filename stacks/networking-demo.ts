/**
 * The networking demo (seed 002): a web server and a client on one user-defined network, the
 * client reaching the server by name through Docker's embedded DNS, the server published on a host port.
 */
import { planRoutedLab } from "../components/routed-lab/plan";
import { RoutedLab, RoutedLabArgs } from "../components/routed-lab";
import { defineComposition, fromConfig, routedLabFootprint, routedLabNeeds } from "./composition";
import { ConfigSlice, configPath } from "./keys";

export const DEMO_PAGE = "Hello from server-1, the docker-netlabs networking demo\n";

/** The demo, from the keys it reads. */
export function networkingDemoSpec(config: ConfigSlice<"internal" | "demoHostPort" | "publishAddress">): RoutedLabArgs["spec"] {
  return {
    segments: [{ name: "demo", subnet: "10.231.0.0/24", internal: config.internal }],
    nodes: [
      {
        name: "server-1",
        image: "web",
        interfaces: [{ segment: "demo", address: "10.231.0.10" }],
        files: { "/srv/www/index.html": DEMO_PAGE },
        publish: [{ containerPort: 80, hostPort: config.demoHostPort, hostAddress: config.publishAddress }],
      },
      { name: "client-1", image: "client", interfaces: [{ segment: "demo", address: "10.231.0.20" }] },
    ],
  };
}

export const networkingDemo = defineComposition({
  reads: ["internal", "demoHostPort", "publishAddress"],
  requires: [],
  plan(lab, config, { namePrefix }) {
    const spec = networkingDemoSpec(config);
    // Only the published port comes from config; the rest is the demo's own.
    const publishKey = (path: string) =>
      path.endsWith("hostAddress") ? "publishAddress" : path.includes("publish") ? "demoHostPort" : undefined;
    const plan = fromConfig(lab, () => planRoutedLab(lab, spec, { namePrefix }), publishKey);
    return {
      args: { spec, plan },
      needs: routedLabNeeds(plan),
      footprint: routedLabFootprint(plan, `${namePrefix}${lab}`, {
        segment: () => configPath("labs"),
        node: () => configPath("labs"),
        publish: () => configPath("demoHostPort"),
      }),
    };
  },
  create(lab, { spec, plan }, common, opts) {
    const demo = new RoutedLab(lab, { spec, ...common }, opts, plan);
    const checks = [
      ...demo.probeChecks(),
      {
        kind: "fetch" as const,
        name: "client-1 fetches server-1 by name",
        from: demo.nodes["client-1"].container,
        url: "http://server-1/",
        expect: DEMO_PAGE.trim(),
      },
    ];
    return Object.assign(demo, { probeChecks: () => checks });
  },
});
