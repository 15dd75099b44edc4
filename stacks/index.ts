/**
 * Turns a validated stack configuration into components: one DockerHost, the lab images that the
 * chosen labs need (built once per host), and one RoutedLab per composition. Every lab is
 * validated before the first resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../components/host/docker-host";
import { buildLabImages } from "../components/images/lab-image";
import { LabelMap } from "../components/labels";
import { RoutedLabSpec, planRoutedLab, requiredLabImages } from "../components/net/topology";
import { RoutedLab } from "../components/routed-lab";
import { CompositionName, StackConfig } from "./config";
import { networkingDemoSpec } from "./networking-demo";
import { routedLanSpec } from "./routed-lan";

export const COMPOSITIONS: Record<CompositionName, (config: StackConfig) => RoutedLabSpec> = {
  "networking-demo": networkingDemoSpec,
  "routed-lan": routedLanSpec,
};

export interface StackOptions {
  /** Extra labels on every Docker object (tests use them to find and remove what they made). */
  labels?: LabelMap;
}

export interface StackOutputs {
  dockerHost: string;
  labs: Record<string, Pick<RoutedLab, "nodes" | "segments" | "published" | "mermaid">>;
  components: { host: DockerHost; labs: Record<string, RoutedLab> };
}

export function buildStack(config: StackConfig, options: StackOptions = {}): StackOutputs {
  const specs = config.labs.map((lab) => ({ lab, spec: COMPOSITIONS[lab](config) }));
  const plans = specs.map(({ lab, spec }) => planRoutedLab(lab, spec, { namePrefix: config.namePrefix }));

  const host = new DockerHost("docker-host", { host: config.dockerHost, sshOpts: config.sshOpts });
  const onHost: pulumi.ComponentResourceOptions = { provider: host.provider };
  const neededImages = [...new Set(plans.flatMap(requiredLabImages))].sort();
  const images = buildLabImages(`${config.namePrefix}lab-image`, onHost, neededImages);

  const labs: Record<string, RoutedLab> = {};
  for (const { lab, spec } of specs) {
    labs[lab] = new RoutedLab(lab, { spec, namePrefix: config.namePrefix, images, labels: options.labels }, onHost);
  }
  return {
    dockerHost: config.dockerHost,
    labs: Object.fromEntries(
      Object.entries(labs).map(([lab, component]) => [
        lab,
        {
          nodes: component.nodes,
          segments: component.segments,
          published: component.published,
          mermaid: component.mermaid,
        },
      ]),
    ),
    components: { host, labs },
  };
}
