/**
 * A lab written entirely in the stack file (`docker-netlabs:routedLab`): segments, nodes and the
 * checks that say what it is for, as RoutedLab takes them. Its errors name the config key
 * (docker-netlabs:routedLab.nodes[0].interfaces[0].address).
 */
import { RoutedLabSpec, planRoutedLab } from "../components/routed-lab/plan";
import { RoutedLab } from "../components/routed-lab";
import { defineComposition, fromConfig, routedLabFootprint, routedLabNeeds } from "./composition";
import { configPath } from "./keys";

export const routedLab = defineComposition({
  reads: ["routedLab"],
  requires: ["routedLab"],
  plan(lab, config, { namePrefix }) {
    // As written in the stack file: the plain spec, or the shorthands the schema takes besides
    // (RoutedLabSpecInput: `image: { ref }`, `bfd: true`, a numeric area). It is planned here.
    const spec = config.routedLab as unknown as RoutedLabSpec;
    const plan = fromConfig(
      lab,
      () => planRoutedLab(lab, spec, { namePrefix }),
      (path) => (path === "name" || path === "namePrefix" ? undefined : `routedLab.${path}`),
    );
    const at = (path: string) => configPath(`routedLab.${path}`);
    // Plan order is spec order: a segment or node's index is its place in the config.
    return {
      args: { spec, plan },
      needs: routedLabNeeds(plan),
      footprint: routedLabFootprint(plan, `${namePrefix}${lab}`, {
        segment: (i) => at(`segments[${i}].subnet`),
        node: (n) => at(`nodes[${n}].name`),
        publish: (n, p) => at(`nodes[${n}].publish[${p}].hostPort`),
      }),
    };
  },
  // Its checks are the lab's own: route next hops, then the `checks` the config declares.
  create: (lab, { spec, plan }, common, opts) => new RoutedLab(lab, { spec, ...common }, opts, plan),
});
