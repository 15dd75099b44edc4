/**
 * A routed lab like conlink's test1: one router with three LANs and one host on each.
 * Hosts route everything through the router (their only way out of their LAN) and each serves
 * a page naming itself, so every host can fetch every other.
 */
import { NodeSpec, RoutedLabSpec, planRoutedLab } from "../components/routed-lab/plan";
import { RoutedLab } from "../components/routed-lab";
import { defineComposition, fromConfig, routedLabFootprint, routedLabNeeds } from "./composition";
import { ConfigSlice, configPath } from "./keys";

const LANS = [1, 2, 3] as const;

/** The lab, from the one key it reads. */
export function routedLanSpec({ internal }: ConfigSlice<"internal">): RoutedLabSpec {
  const hosts: NodeSpec[] = LANS.map((lan) => ({
    name: `h${lan}`,
    image: "client",
    interfaces: [{ segment: `lan${lan}`, address: `10.232.${lan}.10` }],
    routes: [{ to: "default", via: `10.232.${lan}.1` }],
    files: { "/srv/www/index.html": `h${lan}\n` },
    command: ["busybox", "httpd", "-f", "-p", "80", "-h", "/srv/www"],
  }));
  return {
    segments: LANS.map((lan) => ({ name: `lan${lan}`, subnet: `10.232.${lan}.0/24`, internal })),
    nodes: [
      { name: "r1", image: "router", router: true, interfaces: LANS.map((lan) => ({ segment: `lan${lan}`, address: `10.232.${lan}.1` })) },
      ...hosts,
    ],
  };
}

export const routedLan = defineComposition({
  reads: ["internal"],
  requires: [],
  plan(lab, config, { namePrefix }) {
    const spec = routedLanSpec(config);
    const plan = fromConfig(
      lab,
      () => planRoutedLab(lab, spec, { namePrefix }),
      () => undefined,
    );
    const fixed = () => configPath("labs");
    return {
      args: { spec, plan },
      needs: routedLabNeeds(plan),
      footprint: routedLabFootprint(plan, `${namePrefix}${lab}`, { segment: fixed, node: fixed, publish: fixed }),
    };
  },
  create(lab, { spec, plan }, common, opts) {
    const lan = new RoutedLab(lab, { spec, ...common }, opts, plan);
    const checks = [
      ...lan.probeChecks(),
      {
        kind: "fetch" as const,
        name: "h1 fetches h3 through r1",
        from: lan.nodes.h1.container,
        url: `http://${lan.nodes.h3.addresses.lan3}/`,
        expect: "h3",
      },
    ];
    return Object.assign(lan, { probeChecks: () => checks });
  },
});
