/**
 * Turns a validated stack configuration into components: one DockerHost, the lab images that the
 * chosen labs need (built once per host), and one lab component per composition. Every lab is
 * validated before the first resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { BgpTriangle, planBgpTriangle } from "../components/bgp";
import { declareWithoutPromiseStacks } from "../components/declaration";
import { DockerHost } from "../components/host/docker-host";
import { RestartPolicy } from "../components/host/lifecycle";
import { HostNeeds, checkHostFacts } from "../components/host/host-facts";
import { localHostFacts, localLabImages } from "../components/host/local-facts";
import { LabImages, buildLabImages, labImageTag } from "../components/images/lab-image";
import { LabelMap } from "../components/labels";
import { LabConfigError } from "../components/net/errors";
import { LabImageName, LabPlan, RoutedLabSpec, planRoutedLab, requiredLabImages } from "../components/net/topology";
import { RoutedLab } from "../components/routed-lab";
import { bgpTriangleOptions } from "./bgp-triangle";
import { CompositionName, StackConfig } from "./config";
import { DEMO_PAGE, networkingDemoSpec } from "./networking-demo";
import { planOorRouter } from "../components/oor";
import { LabProbe, ProbeCheck, ProbeResult, containerIdsOf } from "../components/probe/lab-probe";
import { OorLab } from "./oor-lab";
import { LispMsmrStack, LispSiteStack } from "./oor-sites";
import { routedLanSpec } from "./routed-lan";

/** What every lab exports, and the checks its probe runs once it is up. */
export type LabOutputs = Pick<RoutedLab, "nodes" | "segments" | "published" | "mermaid"> & { probeChecks(): ProbeCheck[] };

interface LabCommonArgs {
  namePrefix: string;
  images: Partial<LabImages>;
  labels?: LabelMap;
  restart: RestartPolicy;
  /** Where the labs' own docker commands (readiness) run, as the provider reaches the host. */
  dockerHost: string;
  sshOpts?: pulumi.Output<string[]>;
}

/** What a composition needs of its host: lab images, and the interfaces and addresses it sits on. */
interface LabNeeds {
  images: LabImageName[];
  /** Macvlan parents and tunnel underlay devices. */
  interfaces: string[];
  /** Local ends of tunnels. */
  addresses: string[];
}

/** A routed lab's needs, read from its plan. */
function routedLabNeeds(plan: LabPlan): LabNeeds {
  return {
    images: requiredLabImages(plan),
    interfaces: plan.segments.flatMap((segment) => [segment.parent, segment.vxlan?.device].filter((name): name is string => !!name)),
    addresses: plan.segments.flatMap((segment) => (segment.vxlan?.local ? [segment.vxlan.local] : [])),
  };
}

interface Composition {
  /** Validates the composition (throws LabConfigError naming the field) and returns what it needs of the host. */
  plan(name: string, config: StackConfig): LabNeeds;
  create(name: string, config: StackConfig, common: LabCommonArgs, opts: pulumi.ComponentResourceOptions): LabOutputs;
}

/** A RoutedLab composition; `checks` adds what the lab is for to its generic route checks. */
function routedLab(spec: (config: StackConfig) => RoutedLabSpec, checks: (lab: RoutedLab) => ProbeCheck[] = () => []): Composition {
  return {
    plan: (name, config) => routedLabNeeds(planRoutedLab(name, spec(config), { namePrefix: config.namePrefix })),
    create: (name, config, common, opts) => {
      const lab = new RoutedLab(name, { spec: spec(config), ...common }, opts);
      const routeChecks = lab.probeChecks();
      return Object.assign(lab, { probeChecks: () => [...routeChecks, ...checks(lab)] });
    },
  };
}

export const COMPOSITIONS: Record<CompositionName, Composition> = {
  "networking-demo": routedLab(networkingDemoSpec, (lab) => [
    { kind: "fetch", name: "client-1 fetches server-1 by name", from: lab.nodes["client-1"].container, url: "http://server-1/", expect: DEMO_PAGE.trim() },
  ]),
  "routed-lan": routedLab(routedLanSpec, (lab) => [
    { kind: "fetch", name: "h1 fetches h3 through r1", from: lab.nodes.h1.container, url: `http://${lab.nodes.h3.addresses.lan3}/`, expect: "h3" },
  ]),
  "bgp-triangle": {
    plan: (name, config) =>
      routedLabNeeds(planRoutedLab(name, planBgpTriangle(name, bgpTriangleOptions(config)).spec, { namePrefix: config.namePrefix })),
    create: (name, config, common, opts) => new BgpTriangle(name, { ...bgpTriangleOptions(config), ...common }, opts),
  },
  "oor-2xtrs-1msmr": {
    plan: (name, config) => {
      requireConfig(name, config, ["oorMapServerKey"]);
      return { images: ["client"], interfaces: [], addresses: [] };
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
      return { images: ["client"], interfaces: config.oorRloc!.parent ? [config.oorRloc!.parent] : [], addresses: [] };
    },
    create: (name, config, common, opts) => new LispSiteStack(name, { ...common, config }, opts),
  },
  "routed-lab": {
    plan: (name, config) => {
      requireConfig(name, config, ["routedLab"]);
      return routedLabNeeds(userLabPlan(name, config));
    },
    // Its checks are the lab's own: route next hops, then the `checks` the config declares.
    create: (name, config, common, opts) => new RoutedLab(name, { spec: config.routedLab as RoutedLabSpec, ...common }, opts),
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
      return { images: [], interfaces: config.oorRloc!.parent ? [config.oorRloc!.parent] : [], addresses: [] };
    },
    create: (name, config, common, opts) => new LispMsmrStack(name, { ...common, config }, opts),
  },
};

/** The routed-lab composition's plan, its errors named by their config key (docker-netlabs:routedLab.nodes[0]...). */
function userLabPlan(name: string, config: StackConfig): LabPlan {
  try {
    return planRoutedLab(name, config.routedLab, { namePrefix: config.namePrefix });
  } catch (error) {
    if (!(error instanceof LabConfigError)) throw error;
    throw new LabConfigError(
      "stack configuration",
      error.issues.map((issue) => ({ ...issue, path: `docker-netlabs:routedLab.${issue.path}` })),
    );
  }
}

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
  labs: Record<string, Omit<LabOutputs, "probeChecks">>;
  /** Each lab's probe results, once it is up (when docker-netlabs:probes is on). */
  probes: Record<string, pulumi.Output<ProbeResult[]>>;
  components: { host: DockerHost; labs: Record<string, LabOutputs> };
}

export function buildStack(config: StackConfig, options: StackOptions = {}): StackOutputs {
  // Every lab is validated before the first resource is registered.
  const needs = config.labs.map((lab) => COMPOSITIONS[lab].plan(lab, config));
  const union = (pick: (need: LabNeeds) => string[]) => [...new Set(needs.flatMap(pick))].sort();
  const images = union((need) => need.images) as LabImageName[];
  const hostNeeds: HostNeeds = {
    interfaces: union((need) => need.interfaces),
    addresses: union((need) => need.addresses),
    ...(config.labImages === "preloaded" ? { images: images.map(labImageTag) } : {}),
  };
  if (config.dockerHost.startsWith("unix://")) checkThisMachine(config.dockerHost, hostNeeds);
  return declareWithoutPromiseStacks(() => declareStack(config, options, images, hostNeeds));
}

/** A unix:// engine runs here: the interfaces and addresses the labs sit on are checked now. */
function checkThisMachine(dockerHost: string, needs: HostNeeds): void {
  const images = needs.images?.length ? localLabImages(dockerHost) : [];
  const issues = checkHostFacts("this machine", { ...localHostFacts(), images, dockerVersion: "local" }, needs);
  if (issues.length > 0) {
    throw new LabConfigError(
      "stack configuration",
      issues.map((issue) => ({ ...issue, path: issue.path === "labImages" ? "docker-netlabs:labImages" : "docker-netlabs:dockerHost" })),
    );
  }
}

function declareStack(config: StackConfig, options: StackOptions, neededImages: LabImageName[], hostNeeds: HostNeeds): StackOutputs {
  const sshIdentity =
    config.sshPrivateKey && config.sshHostKey ? { privateKey: pulumi.secret(config.sshPrivateKey), hostKey: config.sshHostKey } : undefined;
  // What the labs need of the host, checked at preview when it is reached over SSH.
  const needs = { ...hostNeeds, minDockerMajor: 20 };
  const host = new DockerHost("docker-host", { host: config.dockerHost, sshOpts: config.sshOpts, sshIdentity, needs });
  // Probes and readiness reach an ssh:// host as the Docker provider does: `ssh` with its options.
  const probeSshOpts = host.sshOpts;
  const onHost: pulumi.ComponentResourceOptions = { provider: host.provider };
  const images: Partial<LabImages> =
    config.labImages === "preloaded"
      ? Object.fromEntries(neededImages.map((image) => [image, labImageTag(image)]))
      : buildLabImages(`${config.namePrefix}lab-image`, onHost, neededImages, host.platform);
  const common: LabCommonArgs = {
    namePrefix: config.namePrefix,
    images,
    labels: options.labels,
    restart: config.restartPolicy,
    dockerHost: config.dockerHost,
    sshOpts: host.sshOpts,
  };

  const labs: Record<string, LabOutputs> = {};
  const probes: Record<string, pulumi.Output<ProbeResult[]>> = {};
  for (const lab of config.labs) {
    const component = COMPOSITIONS[lab].create(lab, config, common, onHost);
    labs[lab] = component;
    const checks = component.probeChecks();
    if (config.probes && checks.length > 0) {
      probes[lab] = new LabProbe(
        `${config.namePrefix}${lab}-probe`,
        {
          dockerHost: config.dockerHost,
          sshOpts: probeSshOpts,
          // A container replaced under the same name gets a new id: the probe runs again.
          containerIds: containerIdsOf(component as unknown as pulumi.Resource),
          checks,
          failOnError: config.failOnProbe,
        },
        { dependsOn: [component as unknown as pulumi.Resource] },
      ).results;
    }
  }
  return {
    dockerHost: config.dockerHost,
    probes,
    labs: Object.fromEntries(
      Object.entries(labs).map(([lab, component]) => [
        lab,
        { nodes: component.nodes, segments: component.segments, published: component.published, mermaid: component.mermaid },
      ]),
    ),
    components: { host, labs },
  };
}
