/**
 * Turns a validated stack configuration into components, in two steps. planStack is pure: it gives
 * each composition named in `labs` its slice of the config, plans them all (every error of every
 * lab at once, named by config key), then checks the labs against each other (subnets, host ports,
 * Docker names). Only then does buildStack register anything: one DockerHost, the lab images the
 * labs need (built once per host), one lab component per composition and its probe.
 */
import * as pulumi from "@pulumi/pulumi";
import { declareWithoutPromiseStacks } from "../components/declaration";
import { DockerHost } from "../components/host/docker-host";
import { checkEngineAt, hasHostNeeds } from "../components/host/engine-check";
import { HostNeeds } from "../components/host/host-facts";
import { LabImages, OwnImageName, buildLabImages, labImageSource, labImageTag } from "../components/images/lab-image";
import { LabResource, LabSummary, labSummary } from "../components/lab";
import { LabelMap } from "../components/labels";
import { ConfigIssue, LabConfigError } from "../components/net/errors";
import { LAB_IMAGE_NAMES, LabImageName } from "../components/net/topology";
import { LabProbe, ProbeResult, containerIdsOf } from "../components/probe/lab-probe";
import { LabCommonArgs, LabFootprint, LabNeeds } from "./composition";
import { PlanOf, compositionOf } from "./compositions";
import { crossLabIssues } from "./cross-lab";
import { CompositionName, ConfigSlice, LabKey, StackConfig, configPath } from "./keys";

/**
 * One lab of the stack, planned once: what its composition's `create` builds (the component's
 * arguments and its plan, typed per lab name), what it needs of its host and what it occupies there.
 */
export type PlannedLab = {
  [L in CompositionName]: { lab: L; args: PlanOf<L>; needs: LabNeeds; footprint: LabFootprint };
}[CompositionName];

export interface StackPlan {
  labs: PlannedLab[];
  /** The own images the labs need (node images, and "oor" for OOR labs on the own image), sorted. */
  images: OwnImageName[];
  /** What the labs need of the host, checked at preview (ssh://, HostCheck) or now (unix://, tcp://: the engine asked). */
  hostNeeds: HostNeeds;
}

/**
 * Plans every lab of the stack, then checks them against each other. Pure: registers nothing.
 * Throws one LabConfigError listing every issue of every lab, each named by its config key.
 */
export function planStack(config: StackConfig): StackPlan {
  const issues: ConfigIssue[] = [];
  const labs: PlannedLab[] = [];
  for (const lab of config.labs) {
    const composition = compositionOf(lab);
    const missing = composition.requires.filter((key) => config[key] === undefined);
    if (missing.length > 0) {
      issues.push(
        ...missing.map((key) => ({
          path: configPath(key),
          message: `the ${lab} lab needs it${key === "oorMapServerKey" ? " (pulumi config set --secret oorMapServerKey <key>)" : ""}`,
        })),
      );
      continue;
    }
    // Every key it requires is set (checked above): that is what the slice's type says.
    const slice = Object.fromEntries(composition.reads.map((key) => [key, config[key]])) as ConfigSlice<LabKey, LabKey>;
    try {
      labs.push({ lab, ...composition.plan(lab, slice, { namePrefix: config.namePrefix }) });
    } catch (error) {
      if (!(error instanceof LabConfigError)) throw error;
      issues.push(...error.issues);
    }
  }
  issues.push(...crossLabIssues(labs));
  if (issues.length > 0) throw new LabConfigError("stack configuration", issues);

  const union = (pick: (needs: LabNeeds) => string[]) => [...new Set(labs.flatMap((lab) => pick(lab.needs)))].sort();
  const images = union((needs) => needs.images) as OwnImageName[];
  const kernelFeatures = labs.flatMap(({ lab, needs }) => (needs.kernelFeatures ?? []).map((need) => ({ ...need, lab })));
  return {
    labs,
    images,
    hostNeeds: {
      interfaces: union((needs) => needs.interfaces),
      addresses: union((needs) => needs.addresses),
      ...resourceNeeds(labs),
      ...(config.labImages === "preloaded" ? preloadedNeeds(images, config.baseImage) : {}),
      ...(kernelFeatures.length > 0 ? { kernelFeatures } : {}),
    },
  };
}

/** The labs' netem, memory and CPU needs together, present only where a lab has one. */
function resourceNeeds(labs: PlannedLab[]): Pick<HostNeeds, "netem" | "memoryMiB" | "cpus"> {
  const netem = labs.flatMap((lab) => lab.needs.netem ?? []);
  const memories = labs.flatMap((lab) => (lab.needs.memoryMiB !== undefined ? [lab.needs.memoryMiB] : []));
  const cpus = labs.flatMap((lab) => lab.needs.cpus ?? []);
  return {
    ...(netem.length > 0 ? { netem } : {}),
    ...(memories.length > 0 ? { memoryMiB: memories.reduce((sum, memory) => sum + memory, 0) } : {}),
    ...(cpus.length > 0 ? { cpus } : {}),
  };
}

/** What preloaded images must be on the host: each under its tag, labelled with what it is built from. */
function preloadedNeeds(images: OwnImageName[], baseImage: string): HostNeeds {
  return {
    images: images.map((image) => labImageTag(image, baseImage)),
    imageSources: Object.fromEntries(images.map((image) => [labImageTag(image, baseImage), labImageSource(image, baseImage)])),
    baseImage,
  };
}

export interface StackOptions {
  /** Extra labels on every Docker object (tests use them to find and remove what they made). */
  labels?: LabelMap;
}

export interface StackOutputs {
  dockerHost: string;
  labs: Record<string, LabSummary>;
  /** Each lab's probe results, once it is up (when docker-netlabs:probes is on). */
  probes: Record<string, pulumi.Output<ProbeResult[]>>;
  components: { host: DockerHost; labs: Record<string, LabResource> };
}

/** The oldest Docker Engine the labs run on (checked with the host's other facts). */
const MIN_DOCKER_MAJOR = 20;

export function buildStack(config: StackConfig, options: StackOptions = {}): StackOutputs {
  const plan = planStack(config);
  if (!config.dockerHost.startsWith("ssh://")) checkEngineNow(config, plan.hostNeeds);
  return declareWithoutPromiseStacks(() => declareStack(config, options, plan));
}

function isNodeImage(image: OwnImageName): image is LabImageName {
  return (LAB_IMAGE_NAMES as readonly string[]).includes(image);
}

/**
 * A unix:// or tcp:// engine is asked now, through the docker CLI, for what the labs need of it
 * (its own interfaces and addresses, wherever it runs: a VM, a namespace, the far end of a
 * forwarded socket); an ssh:// one at preview (HostCheck). Only when the labs need something of it.
 */
function checkEngineNow(config: StackConfig, needs: HostNeeds): void {
  if (!hasHostNeeds(needs)) return;
  const tls =
    config.dockerTlsCa && config.dockerTlsCert && config.dockerTlsKey
      ? { ca: config.dockerTlsCa, cert: config.dockerTlsCert, key: config.dockerTlsKey }
      : undefined;
  const { issues, notes } = checkEngineAt(config.dockerHost, { ...needs, minDockerMajor: MIN_DOCKER_MAJOR }, tls);
  for (const note of notes) pulumi.log.warn(note);
  if (issues.length > 0) {
    throw new LabConfigError(
      "stack configuration",
      issues.map((issue) => ({ ...issue, path: configPath(issue.path === "labImages" ? "labImages" : "dockerHost") })),
    );
  }
}

function declareStack(config: StackConfig, options: StackOptions, plan: StackPlan): StackOutputs {
  const sshIdentity =
    config.sshPrivateKey && config.sshHostKey ? { privateKey: pulumi.secret(config.sshPrivateKey), hostKey: config.sshHostKey } : undefined;
  // What the labs need of the host, checked at preview when it is reached over SSH.
  const needs = { ...plan.hostNeeds, minDockerMajor: MIN_DOCKER_MAJOR };
  const tls =
    config.dockerTlsCa && config.dockerTlsCert && config.dockerTlsKey
      ? { ca: pulumi.secret(config.dockerTlsCa), cert: pulumi.secret(config.dockerTlsCert), key: pulumi.secret(config.dockerTlsKey) }
      : undefined;
  const host = new DockerHost("docker-host", { host: config.dockerHost, sshOpts: config.sshOpts, sshIdentity, needs, tls });
  const onHost: pulumi.ComponentResourceOptions = { provider: host.provider };
  // Preloaded: every own image the labs need is taken as on the host under its digest tag (checked
  // above), the OOR image too. Built: the node images once per host; the OOR labs build the own
  // OOR image themselves when given none (OorLab once, a lisp-site's or lisp-msmr's router its
  // own), as they always have, so that a stack's build resources stay where they were.
  const images: Partial<LabImages> =
    config.labImages === "preloaded"
      ? Object.fromEntries(plan.images.map((image) => [image, labImageTag(image, config.baseImage)]))
      : buildLabImages(`${config.namePrefix}lab-image`, onHost, plan.images.filter(isNodeImage), host.platform, config.baseImage);
  // Probes and readiness reach an ssh:// host as the Docker provider does: `ssh` with its options.
  const common: LabCommonArgs = {
    namePrefix: config.namePrefix,
    images,
    baseImage: config.baseImage,
    labels: options.labels,
    restart: config.restartPolicy,
    host: host.connection,
  };

  const labs: Record<string, LabResource> = {};
  const probes: Record<string, pulumi.Output<ProbeResult[]>> = {};
  for (const planned of plan.labs) {
    const component = compositionOf(planned.lab).create(planned.lab, planned.args, common, onHost);
    labs[planned.lab] = component;
    const checks = component.probeChecks();
    if (config.probes && checks.length > 0) {
      probes[planned.lab] = new LabProbe(
        `${config.namePrefix}${planned.lab}-probe`,
        {
          host: host.connection,
          // A container replaced under the same name gets a new id: the probe runs again.
          containerIds: containerIdsOf(component),
          checks,
          failOnError: config.failOnProbe,
        },
        { dependsOn: [component] },
      ).results;
    }
  }
  return {
    dockerHost: config.dockerHost,
    probes,
    labs: Object.fromEntries(Object.entries(labs).map(([lab, component]) => [lab, labSummary(component)])),
    components: { host, labs },
  };
}
