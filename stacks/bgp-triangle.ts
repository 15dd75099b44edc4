/**
 * The Containernet BGP lab (seed 004) as a composition: the triangle with the seed's defaults,
 * its segments internal as every dev lab's.
 */
import { BgpTriangle, BgpTriangleOptions, BgpTrianglePlan, planBgpTriangle } from "../components/bgp";
import { defineComposition, fromConfig, routedLabFootprint, routedLabNeeds } from "./composition";
import { configPath } from "./keys";

export const bgpTriangle = defineComposition({
  reads: ["internal"],
  requires: [],
  plan(lab, config, { namePrefix }) {
    const options: BgpTriangleOptions = { internal: config.internal };
    const plan: BgpTrianglePlan = fromConfig(
      lab,
      () => planBgpTriangle(lab, options, { namePrefix }),
      () => undefined,
    );
    const fixed = () => configPath("labs");
    return {
      args: { options, plan },
      needs: routedLabNeeds(plan.lab),
      footprint: routedLabFootprint(plan.lab, `${namePrefix}${lab}`, { segment: fixed, node: fixed, publish: fixed }),
    };
  },
  create: (lab, { options, plan }, common, opts) => new BgpTriangle(lab, { ...options, ...common }, opts, plan),
});
