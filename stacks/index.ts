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
import { LabConfigError } from "../components/net/errors";
import { LabImageName, RoutedLabSpec, planRoutedLab, requiredLabImages } from "../components/net/topology";
import { RoutedLab } from "../components/routed-lab";
import { bgpTriangleOptions } from "./bgp-triangle";
import { CompositionName, StackConfig } from "./config";
import { networkingDemoSpec } from "./networking-demo";
import { planOorRouter } from "../components/oor";
import { OorLab } from "./oor-lab";
import { LispMsmrStack, LispSiteStack } from "./oor-sites";
import { routedLanSpec } from "./routed-lan";

/** What every lab exports. */
export type LabOutputs = Pick<RoutedLab, "nodes" | "segments" | "published" | "mermaid">;

interface LabCommonArgs {
  namePrefix: string;
  images: Partial<LabImages>;
  labels?: LabelMap;
}

interface Composition {
  /** Validates the composition (throws LabConfigError naming the field) and returns the lab images it needs. */
  plan(name: string, config: StackConfig): LabImageName[];
  create(name: string, config: StackConfig, common: LabCommonArgs, opts: pulumi.ComponentResourceOptions): LabOutputs;
}

function routedLab(spec: (config: StackConfig) => RoutedLabSpec): Composition {
  return {
    plan: (name, config) => requiredLabImages(planRoutedLab(name, spec(config), { namePrefix: config.namePrefix })),
    create: (name, config, common, opts) => new RoutedLab(name, { spec: spec(config), ...common }, opts),
  };
}

export const COMPOSITIONS: Record<CompositionName, Composition> = {
  "networking-demo": routedLab(networkingDemoSpec),
  "routed-lan": routedLab(routedLanSpec),
  "bgp-triangle": {
    plan: (name, config) =>
      requiredLabImages(planRoutedLab(name, planBgpTriangle(name, bgpTriangleOptions(config)).spec, { namePrefix: config.namePrefix })),
    create: (name, config, common, opts) => new BgpTriangle(name, { ...bgpTriangleOptions(config), ...common }, opts),
  },
  "oor-2xtrs-1msmr": {
    plan: (name, config) => {
      requireConfig(name, config, ["oorMapServerKey"]);
      return ["client"];
    },
    create: (name, config, common, opts) =>
      new OorLab(name, { ...common, key: pulumi.secret(config.oorMapServerKey!), image: config.oorImage, internal: config.internal }, opts),
  },
  "lisp-site": {
    plan: (name, config) => {
      requireConfig(name, config, ["oorMapServerKey", "oorRloc", "oorSite", "oorMapServer"]);
      planOorRouter(name, {
        mode: "xTR",
        rlocSubnet: config.oorRloc!.subnet,
        rlocAddress: config.oorRloc!.address,
        mapResolvers: [config.oorMapServer!],
        mapServers: [{ address: config.oorMapServer!, key: config.oorMapServerKey! }],
        eidPrefixes: [{ prefix: config.oorSite!.eidSubnet }],
      });
      return ["client"];
    },
    create: (name, config, common, opts) => new LispSiteStack(name, { ...common, config }, opts),
  },
  "lisp-msmr": {
    plan: (name, config) => {
      requireConfig(name, config, ["oorMapServerKey", "oorRloc", "oorSites"]);
      planOorRouter(name, {
        mode: "MS",
        rlocSubnet: config.oorRloc!.subnet,
        rlocAddress: config.oorRloc!.address,
        sites: config.oorSites!.map((eidPrefix) => ({ eidPrefix, key: config.oorMapServerKey! })),
      });
      return [];
    },
    create: (name, config, common, opts) => new LispMsmrStack(name, { ...common, config }, opts),
  },
};

/** A composition's required keys, each named in the error when missing. */
function requireConfig(lab: string, config: StackConfig, keys: (keyof StackConfig)[]): void {
  const missing = keys.filter((key) => config[key] === undefined);
  if (missing.length > 0) {
    throw new LabConfigError("stack configuration", missing.map((key) => ({
      path: `docker-netlabs:${key}`,
      message: `the ${lab} lab needs it${key === "oorMapServerKey" ? " (pulumi config set --secret oorMapServerKey <key>)" : ""}`,
    })));
  }
}

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
  // Every lab is validated before the first resource is registered.
  const neededImages = [...new Set(config.labs.flatMap((lab) => COMPOSITIONS[lab].plan(lab, config)))].sort();

  const host = new DockerHost("docker-host", { host: config.dockerHost, sshOpts: config.sshOpts });
  const onHost: pulumi.ComponentResourceOptions = { provider: host.provider };
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
