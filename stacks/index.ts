/**
 * Turns a validated stack configuration into components: one DockerHost, the lab images that the
 * chosen labs need (built once per host), and one lab component per composition. Every lab is
 * validated before the first resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { BgpTriangle, planBgpTriangle } from "../components/bgp";
import { DockerHost } from "../components/host/docker-host";
import { LabImages, buildLabImages } from "../components/images/lab-image";
import { LabelMap } from "../components/labels";
import { RoutedLabSpec, planRoutedLab, requiredLabImages } from "../components/net/topology";
import { RoutedLab } from "../components/routed-lab";
import { bgpTriangleOptions } from "./bgp-triangle";
import { CompositionName, StackConfig } from "./config";
import { networkingDemoSpec } from "./networking-demo";
import { routedLanSpec } from "./routed-lan";

/** What every lab exports. */
export type LabOutputs = Pick<RoutedLab, "nodes" | "segments" | "published" | "mermaid">;

interface LabCommonArgs {
  namePrefix: string;
  images: Partial<LabImages>;
  labels?: LabelMap;
}

interface Composition {
  /** The RoutedLab description the composition deploys; throws LabConfigError when invalid. */
  spec(name: string, config: StackConfig): RoutedLabSpec;
  create(name: string, config: StackConfig, common: LabCommonArgs, opts: pulumi.ComponentResourceOptions): LabOutputs;
}

function routedLab(spec: (config: StackConfig) => RoutedLabSpec): Composition {
  return {
    spec: (_name, config) => spec(config),
    create: (name, config, common, opts) => new RoutedLab(name, { spec: spec(config), ...common }, opts),
  };
}

export const COMPOSITIONS: Record<CompositionName, Composition> = {
  "networking-demo": routedLab(networkingDemoSpec),
  "routed-lan": routedLab(routedLanSpec),
  "bgp-triangle": {
    spec: (name, config) => planBgpTriangle(name, bgpTriangleOptions(config)).spec,
    create: (name, config, common, opts) => new BgpTriangle(name, { ...bgpTriangleOptions(config), ...common }, opts),
  },
};

export interface StackOptions {
  /** Extra labels on every Docker object (tests use them to find and remove what they made). */
  labels?: LabelMap;
}

export interface StackOutputs {
  dockerHost: string;
  labs: Record<string, LabOutputs>;
  components: { host: DockerHost; labs: Record<string, LabOutputs> };
}

export function buildStack(config: StackConfig, options: StackOptions = {}): StackOutputs {
  const plans = config.labs.map((lab) =>
    planRoutedLab(lab, COMPOSITIONS[lab].spec(lab, config), { namePrefix: config.namePrefix }),
  );

  const host = new DockerHost("docker-host", { host: config.dockerHost, sshOpts: config.sshOpts });
  const onHost: pulumi.ComponentResourceOptions = { provider: host.provider };
  const neededImages = [...new Set(plans.flatMap(requiredLabImages))].sort();
  const images = buildLabImages(`${config.namePrefix}lab-image`, onHost, neededImages);

  const labs: Record<string, LabOutputs> = {};
  for (const lab of config.labs) {
    labs[lab] = COMPOSITIONS[lab].create(lab, config, { namePrefix: config.namePrefix, images, labels: options.labels }, onHost);
  }
  return {
    dockerHost: config.dockerHost,
    labs: Object.fromEntries(
      Object.entries(labs).map(([lab, component]) => [
        lab,
        { nodes: component.nodes, segments: component.segments, published: component.published, mermaid: component.mermaid },
      ]),
    ),
    components: { host, labs },
  };
}
