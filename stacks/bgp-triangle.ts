/**
 * The Containernet BGP lab (seed 004) as a composition: the triangle with the seed's defaults,
 * its segments internal as every dev lab's.
 */
import { BgpTriangle, BgpTriangleOptions, planBgpTriangle } from "../components/bgp";
import { planRoutedLab } from "../components/routed-lab/plan";
import { defineComposition, fromConfig, routedLabFootprint, routedLabNeeds } from "./composition";
import { configPath } from "./keys";

export const bgpTriangle = defineComposition({
  reads: ["internal"],
  requires: [],
  plan(lab, config, { namePrefix }) {
    const options: BgpTriangleOptions = { internal: config.internal };
    const plan = fromConfig(
      lab,
      () => planRoutedLab(lab, planBgpTriangle(lab, options).spec, { namePrefix }),
      () => undefined,
    );
    const fixed = () => configPath("labs");
    return {
      args: options,
      needs: routedLabNeeds(plan),
      footprint: routedLabFootprint(plan, `${namePrefix}${lab}`, { segment: fixed, node: fixed, publish: fixed }),
    };
  },
  create: (lab, options, common, opts) => new BgpTriangle(lab, { ...options, ...common }, opts),
});
