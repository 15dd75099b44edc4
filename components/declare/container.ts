/**
 * The one place a container of the project is declared: every lab node, OOR router, LAN exposer
 * and host helper is described as a ContainerSpec (plain data) and becomes a docker.Container here,
 * with the project's conventions applied the same way for all: labels in the provider's sorted list
 * form, an init process, the readiness healthcheck, capabilities as kept or dropped.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { RestartPolicy, readinessHealthcheck } from "../host/lifecycle";
import { LabelMap, toDockerLabels } from "../labels";

export interface ContainerNetworkSpec {
  /** The Docker network's name (a Network's name output, to depend on it). */
  name: pulumi.Input<string>;
  ipv4Address?: string;
  /** Its IPv6 address there, on a network with IPv6. */
  ipv6Address?: string;
  aliases?: string[];
}

export interface ContainerSpec {
  /** The Docker container name. */
  name: string;
  image: pulumi.Input<string>;
  hostname?: string;
  /** The networks it joins, in order; none with `hostNetwork`. */
  networks?: ContainerNetworkSpec[];
  /** Runs in the host's network namespace (host helpers). */
  hostNetwork?: boolean;
  /**
   * Capabilities added; with `dropDefaults` Docker's default set is dropped first, so the container
   * keeps exactly `adds`.
   */
  capabilities?: { adds: string[]; dropDefaults: boolean };
  sysctls?: Record<string, string>;
  devices?: { hostPath: string; containerPath: string }[];
  entrypoint?: string[];
  command?: pulumi.Input<string[]>;
  /** Files written into the container before it starts. */
  uploads?: { file: string; content: pulumi.Input<string>; executable?: boolean }[];
  /** `KEY=value` list (may be secret). */
  envs?: pulumi.Input<string[]>;
  hosts?: { host: string; ip: string }[];
  ports?: { internal: number; external: number; ip: string; protocol: string }[];
  mounts?: { type: string; source: string; target: string }[];
  /** An init process as PID 1 (default true). */
  init?: boolean;
  restart?: RestartPolicy;
  /** A shell test Docker runs every second: the container is healthy (ready) once it passes. */
  readiness?: string;
  /** CPUs it may use (Docker's --cpus). */
  cpus?: number;
  /** Memory it may use, MiB; no swap beyond it. */
  memoryMiB?: number;
  /** Seconds between SIGTERM and SIGKILL on removal: for a container that undoes its work when stopped. */
  destroyGraceSeconds?: number;
  labels: pulumi.Input<LabelMap>;
}

/** The provider's capabilities input: undefined when nothing is added or dropped. */
function capabilitiesOf(spec: ContainerSpec): docker.types.input.ContainerCapabilities | undefined {
  const caps = spec.capabilities;
  if (!caps) return undefined;
  const adds = [...caps.adds].sort();
  if (caps.dropDefaults) return { drops: ["ALL"], adds };
  return adds.length > 0 ? { adds } : undefined;
}

/** The provider's inputs for a spec. Pure: what declareContainer registers. */
export function containerArgs(spec: ContainerSpec): docker.ContainerArgs {
  return {
    name: spec.name,
    hostname: spec.hostname,
    image: spec.image,
    networkMode: spec.hostNetwork ? "host" : undefined,
    networksAdvanced: spec.networks,
    capabilities: capabilitiesOf(spec),
    sysctls: spec.sysctls,
    devices: spec.devices,
    entrypoints: spec.entrypoint,
    command: spec.command,
    uploads: spec.uploads,
    envs: spec.envs,
    hosts: spec.hosts && spec.hosts.length > 0 ? spec.hosts : undefined,
    ports: spec.ports,
    mounts: spec.mounts,
    init: spec.init === false ? undefined : true,
    restart: spec.restart,
    healthcheck: spec.readiness === undefined ? undefined : readinessHealthcheck(spec.readiness),
    destroyGraceSeconds: spec.destroyGraceSeconds,
    // The provider's cpus is Docker's decimal --cpus; memory and memory_swap are MB (MiB to Docker):
    // memory_swap equal to memory leaves no swap, so the limit is the node's memory.
    ...(spec.cpus !== undefined ? { cpus: String(spec.cpus) } : {}),
    ...(spec.memoryMiB !== undefined ? { memory: spec.memoryMiB, memorySwap: spec.memoryMiB } : {}),
    labels: pulumi.Output.isInstance(spec.labels) ? spec.labels.apply(toDockerLabels) : toDockerLabels(spec.labels as LabelMap),
  };
}

export function declareContainer(resourceName: string, spec: ContainerSpec, opts: pulumi.CustomResourceOptions): docker.Container {
  return new docker.Container(resourceName, containerArgs(spec), opts);
}
