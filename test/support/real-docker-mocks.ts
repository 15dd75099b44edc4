/**
 * Pulumi mocks that apply each registered resource to a real Docker engine the way the providers
 * users run would, and return real ids and outputs. Any resource type or input this tier does not
 * implement is refused loudly, so a test can never pass on something that was silently skipped.
 * `destroyAll` plays `pulumi destroy`: it removes what was created, in reverse order, the way each
 * provider deletes it.
 *
 * Followed, and to be checked again at every upgrade:
 * - @pulumi/docker 5.2.0: pulumi/pulumi-docker provider/resources.go (docker_container is
 *   DeleteBeforeReplace, docker_network is not) and its native Image (provider/image.go: BuildKit,
 *   the platform it is given, no cache it was not given);
 * - terraform-provider-docker v4.5.0, which it bridges (internal/provider/):
 *   resourceDockerContainerCreate: created on the default bridge, which is then disconnected when
 *   networks_advanced is set, each network connected, uploads copied, then started; no check that
 *   it keeps running; `wait` polls State.Health.Status for "healthy" once a second until
 *   wait_timeout, failing with "container failed to be in healthy state";
 *   resourceDockerContainerDelete: ContainerStop with destroy_grace_seconds (0 when unset), then
 *   ContainerRemove with force and remove_volumes (default true);
 *   the ssh:// transport: docker/cli's connhelper runs the local `ssh` with ssh_opts and
 *   `docker system dial-stdio` on the host, one ssh process per connection;
 * - @pulumi/command 4.5.0: create on create, delete on delete with create's output in its env;
 *   a change of `triggers` replaces (replaceOnChanges), any other change updates: runs `update`,
 *   else `create`, again;
 * - the Pulumi engine (pulumi/pulumi v3.248 pkg/resource/deploy/step_generator.go) for a second
 *   deploy (`new RealDockerMocks(previous)`, then `finishDeploy`): per resource the provider's diff
 *   (unchanged, update, or replace when a ForceNew input changed); a delete-before-replace
 *   replacement first deletes the dependents that would be replaced with it
 *   (calculateDependentReplacements: their inputs taken from it made unknown, then their diff);
 *   other replacements create first and delete the old one at the end, with whatever the program
 *   no longer registers, dependents first.
 *   Container diff (resource_docker_container.go): every input is ForceNew except restart
 *   (updated in place with ContainerUpdate) and inputs whose update does nothing to the container
 *   (healthcheck, init, wait, waitTimeout, start, destroyGraceSeconds, removeVolumes, mustRun);
 *   every Network input is ForceNew; the native Image is updated (built again), never replaced.
 */
import * as pulumi from "@pulumi/pulumi";
import { Client as SshClient } from "ssh2";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseDockerHost } from "../../components/host/docker-host-url";
import * as tar from "tar-stream";
// The module Pulumi's dynamic-provider host loads serialized providers with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString: (code: string) => any = require("require-from-string");
import { shQuote } from "../../components/net/shell";
import { DockerTarget, LOCAL_DOCKER, docker, run } from "./docker-cli";
import { unwrapSecrets } from "./secrets";

export interface AppliedResource {
  type: string;
  name: string;
  id: string;
  target?: DockerTarget;
  destroy: () => Promise<void>;
  /** The Pulumi type token, e.g. docker:index/container:Container. */
  resourceType: string;
  /** Filled in once applied, for a later deploy's diff. */
  inputs?: Inputs;
  state?: Inputs;
  /** Creation order: a higher number may depend on a lower one, never the reverse. */
  seq?: number;
  /** Per input, the keys (`type::name`) of the resources whose outputs it took. */
  propertyDependencies?: Record<string, string[]>;
}

/** What a deploy did to a resource, as `pulumi up` reports it. */
export type StepKind = "create" | "same" | "update" | "replace" | "delete";

type Inputs = Record<string, any>;

export interface ResourceTiming {
  type: string;
  name: string;
  startMs: number;
  endMs: number;
}

const CONTAINER_INPUTS = new Set([
  "name",
  "image",
  "hostname",
  "entrypoints",
  "command",
  "envs",
  "uploads",
  "networksAdvanced",
  "networkMode",
  "capabilities",
  "sysctls",
  "ports",
  "init",
  "labels",
  "restart",
  "destroyGraceSeconds",
  "privileged",
  "devices",
  "start",
  "stopSignal",
  "stopTimeout",
  "user",
  "workingDir",
  "hosts",
  "healthcheck",
  "wait",
  "waitTimeout",
  "removeVolumes",
]);
const NETWORK_INPUTS = new Set(["name", "driver", "internal", "attachable", "ipv6", "ipamConfigs", "options", "labels"]);
const IMAGE_INPUTS = new Set(["imageName", "build", "skipPush", "buildOnPreview"]);
const BUILD_INPUTS = new Set(["context", "dockerfile", "args", "target", "platform"]);
const REMOTE_IMAGE_INPUTS = new Set(["name", "keepLocally"]);
// triggers: a change replaces the command (runs create again); applied by the engine, not here.
const LOCAL_COMMAND_INPUTS = new Set(["create", "delete", "environment", "dir", "interpreter", "stdin", "triggers"]);
const REMOTE_COMMAND_INPUTS = new Set(["connection", "create", "delete", "environment", "stdin"]);

function refuseUnknown(type: string, inputs: Inputs, allowed: Set<string>): void {
  const unknown = Object.keys(inputs).filter((key) => inputs[key] !== undefined && !allowed.has(key));
  if (unknown.length > 0) {
    throw new Error(`real-Docker mocks: ${type} input(s) ${unknown.join(", ")} are not implemented in this tier`);
  }
}

function labelArgs(labels: { label: string; value: string }[] | undefined): string[] {
  return (labels ?? []).flatMap(({ label, value }) => ["--label", `${label}=${value}`]);
}

export class RealDockerMocks implements pulumi.runtime.Mocks {
  readonly applied: AppliedResource[] = [];
  readonly timings: ResourceTiming[] = [];
  readonly errors: Error[] = [];
  /** What this deploy did to each resource (`type::name`), as `pulumi up` would list it. */
  readonly steps = new Map<string, StepKind>();
  private readonly providers = new Map<string, DockerTarget>();
  private readonly tunnels: DockerTunnel[] = [];
  private readonly origin = Date.now();
  /** The previous deploy's resources not registered (yet) by this one. */
  private readonly prior = new Map<string, AppliedResource>();
  /** Old resources replaced create-before-delete: deleted at the end, as the engine does. */
  private readonly replacedLater: AppliedResource[] = [];
  /** Registration options by resource key, as the engine is told them. */
  private readonly registrations = new Map<string, { deleteBeforeReplace: boolean; propertyDependencies: Record<string, string[]> }>();
  private seq = 0;

  /** `previous`: the deploy whose resources this one changes, as a second `pulumi up` of the stack. */
  constructor(previous?: RealDockerMocks) {
    if (!previous) return;
    for (const resource of previous.applied) this.prior.set(keyOf(resource.resourceType, resource.name), resource);
    // Old resources keep reaching their engine through the tunnels they were created over.
    this.tunnels.push(...previous.tunnels.splice(0));
    this.seq = previous.seq;
  }

  /** The engine's view of a registration: delete-before-replace and property dependencies. */
  observeRegistration(request: any): void {
    const propertyDependencies: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((deps: any, property: string) => {
      propertyDependencies[property] = deps.getUrnsList().map(keyOfUrn);
    });
    this.registrations.set(keyOf(request.getType(), request.getName()), {
      deleteBeforeReplace: request.getDeletebeforereplace(),
      propertyDependencies,
    });
  }

  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    // Like the Pulumi engine after a failed step: create nothing more. The failure is reported by
    // assertNoErrors once the program has drained, rather than as a rejection that every dependent
    // output would re-raise.
    const notCreated = { id: `not-created-${args.name}`, state: { ...args.inputs } };
    if (this.errors.length > 0) return notCreated;
    // Component resources are the program's own grouping: nothing to apply.
    if (args.custom === false) return { id: undefined, state: {} };
    const startMs = Date.now() - this.origin;
    const key = keyOf(args.type, args.name);
    try {
      const prior = this.prior.get(key);
      this.prior.delete(key);
      const result = prior
        ? await this.change(prior, args)
        : await this.create(args, this.steps.get(key) === "replace" ? "replace" : "create");
      this.timings.push({ type: args.type, name: args.name, startMs, endMs: Date.now() - this.origin });
      return result;
    } catch (error) {
      this.errors.push(new Error(`${args.type} "${args.name}": ${(error as Error).message}`));
      return notCreated;
    }
  }

  /** Applies a resource the engine has no state for, and keeps what a later deploy diffs against. */
  private async create(args: pulumi.runtime.MockResourceArgs, step: StepKind): Promise<pulumi.runtime.MockResourceResult> {
    const key = keyOf(args.type, args.name);
    const result = await this.apply(args);
    const entry = this.applied.find((resource) => keyOf(resource.resourceType, resource.name) === key && resource.seq === undefined);
    if (entry) this.remember(entry, unwrapSecrets(args.inputs).value as Inputs, result.state ?? {});
    if (args.type !== "pulumi:providers:docker") this.steps.set(key, step);
    return result;
  }

  private remember(entry: AppliedResource, inputs: Inputs, state: Inputs): void {
    entry.inputs = inputs;
    entry.state = state;
    entry.seq = ++this.seq;
    entry.propertyDependencies = this.registrations.get(keyOf(entry.resourceType, entry.name))?.propertyDependencies ?? {};
  }

  /**
   * A resource the previous deploy created, registered again: the provider's diff decides between
   * keeping it, updating it in place and replacing it (delete first when the provider or the
   * program says so).
   */
  private async change(prior: AppliedResource, args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    const key = keyOf(args.type, args.name);
    const news = unwrapSecrets(args.inputs).value as Inputs;
    const diff = await this.diff(prior, news);
    if (!diff.changes) {
      this.applied.push(prior);
      prior.propertyDependencies = this.registrations.get(key)?.propertyDependencies ?? prior.propertyDependencies;
      this.steps.set(key, "same");
      return { id: prior.id, state: prior.state ?? {} };
    }
    if (!diff.replace) {
      const state = await this.update(prior, news);
      this.applied.push(prior);
      prior.inputs = news;
      prior.state = state;
      this.steps.set(key, "update");
      return { id: prior.id, state };
    }
    const deleteFirst = diff.deleteBeforeReplace || this.registrations.get(key)?.deleteBeforeReplace === true;
    if (!deleteFirst) {
      this.replacedLater.push(prior);
      return this.create(args, "replace");
    }
    for (const dependent of await this.dependentReplacements(prior)) {
      this.prior.delete(keyOf(dependent.resourceType, dependent.name));
      this.steps.set(keyOf(dependent.resourceType, dependent.name), "replace");
      await dependent.destroy();
    }
    await prior.destroy();
    return this.create(args, "replace");
  }

  /**
   * The engine's calculateDependentReplacements: the previous deploy's resources that take an
   * output of `root` (directly or through one another) and that their provider would replace were
   * those inputs unknown; returned dependents first, the order they must be deleted in.
   */
  private async dependentReplacements(root: AppliedResource): Promise<AppliedResource[]> {
    const replaceSet = new Set([keyOf(root.resourceType, root.name)]);
    const found: AppliedResource[] = [];
    const candidates = [...this.prior.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    for (const candidate of candidates) {
      const unknown = Object.entries(candidate.propertyDependencies ?? {})
        .filter(([, keys]) => keys.some((k) => replaceSet.has(k)))
        .map(([property]) => property);
      if (unknown.length === 0) continue;
      const news = { ...candidate.inputs };
      for (const property of unknown) news[property] = UNKNOWN;
      if ((await this.diff(candidate, news)).replace) {
        replaceSet.add(keyOf(candidate.resourceType, candidate.name));
        found.push(candidate);
      }
    }
    return found.reverse();
  }

  /**
   * After the program has registered everything: deletes what it no longer registers and the old
   * halves of create-before-delete replacements, newest first.
   */
  async finishDeploy(): Promise<void> {
    const gone = [...this.prior.values(), ...this.replacedLater].sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0));
    for (const resource of gone) {
      const key = keyOf(resource.resourceType, resource.name);
      if (this.prior.delete(key)) this.steps.set(key, "delete");
      await resource.destroy();
    }
    this.replacedLater.length = 0;
  }

  /** The provider's Diff: is anything different, and does it replace the resource. */
  private async diff(prior: AppliedResource, news: Inputs): Promise<{ changes: boolean; replace: boolean; deleteBeforeReplace?: boolean }> {
    const olds = prior.inputs ?? {};
    if (prior.resourceType.startsWith("pulumi-nodejs:dynamic")) {
      const provider = loadDynamicProvider(news.__provider === UNKNOWN ? olds.__provider : news.__provider);
      const { __provider: _serialized, ...props } = news;
      if (!provider.diff) {
        const changes = changedInputs(olds, news, []).length > 0;
        return { changes, replace: false };
      }
      const result = await provider.diff(prior.id, prior.state ?? {}, props);
      const replace = (result.replaces ?? []).length > 0;
      // `changes` left undefined: the engine compares the inputs itself.
      const changes = result.changes ?? changedInputs(olds, news, []).length > 0;
      return { changes: changes || replace, replace, deleteBeforeReplace: result.deleteBeforeReplace };
    }
    switch (prior.resourceType) {
      case "docker:index/container:Container": {
        const changed = changedInputs(olds, news, CONTAINER_SETS);
        return { changes: changed.length > 0, replace: changed.some((k) => !CONTAINER_UPDATABLE.has(k)), deleteBeforeReplace: true };
      }
      case "docker:index/network:Network": {
        const changed = changedInputs(olds, news, ["labels"]);
        return { changes: changed.length > 0, replace: changed.length > 0 };
      }
      case "docker:index/remoteImage:RemoteImage": {
        const changed = changedInputs(olds, news, []);
        return { changes: changed.length > 0, replace: changed.some((k) => k !== "keepLocally") };
      }
      case "docker:index/image:Image": {
        const changed = changedInputs(olds, news, []);
        return { changes: changed.length > 0, replace: false };
      }
      case "command:local:Command":
      case "command:remote:Command": {
        const changed = changedInputs(olds, news, []);
        return { changes: changed.length > 0, replace: changed.includes("triggers") };
      }
      default:
        throw new Error(`real-Docker mocks: no diff for ${prior.resourceType} in this tier`);
    }
  }

  /** The provider's Update: what changes in place, returning the new state. */
  private async update(prior: AppliedResource, news: Inputs): Promise<Inputs> {
    const olds = prior.inputs ?? {};
    if (prior.resourceType.startsWith("pulumi-nodejs:dynamic")) {
      const { __provider: serialized, ...props } = news;
      const provider = loadDynamicProvider(serialized);
      const checked = provider.check ? await provider.check(prior.state ?? {}, props) : { inputs: props };
      if (checked.failures?.length) throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
      const updated = provider.update ? await provider.update(prior.id, prior.state ?? {}, checked.inputs ?? props) : {};
      const state = { ...(updated.outs ?? checked.inputs ?? props), __provider: serialized };
      // Its delete must see the state it now has.
      prior.destroy = async () => {
        if (provider.delete) await provider.delete(prior.id, state);
      };
      return state;
    }
    switch (prior.resourceType) {
      case "docker:index/container:Container":
        // resourceDockerContainerUpdate: ContainerUpdate for the restart policy; the other
        // updatable inputs are taken into state without touching the container.
        refuseUnknown("Container", news, CONTAINER_INPUTS);
        if (JSON.stringify(olds.restart) !== JSON.stringify(news.restart)) {
          await docker(prior.target!, ["update", "--restart", news.restart ?? "no", prior.id]);
        }
        return { ...prior.state, ...news };
      case "docker:index/image:Image": {
        const result = await this.image(prior.name, news, prior.target!);
        this.applied.splice(
          this.applied.findIndex((r) => r.resourceType === prior.resourceType && r.name === prior.name && r.seq === undefined),
          1,
        );
        prior.id = result.id!;
        return result.state;
      }
      case "docker:index/remoteImage:RemoteImage":
        return { ...prior.state, ...news };
      case "command:local:Command":
      case "command:remote:Command": {
        const script = news.update ?? news.create;
        const env = news.environment ?? {};
        const output = script
          ? await runCommand(prior.resourceType, news, script, env)
          : { stdout: prior.state?.stdout ?? "", stderr: prior.state?.stderr ?? "" };
        prior.destroy = commandDestroy(prior.resourceType, news, output);
        return { ...news, ...output };
      }
      default:
        throw new Error(`real-Docker mocks: no update for ${prior.resourceType} in this tier`);
    }
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    throw new Error(`real-Docker mocks: invoke ${args.token} is not implemented in this tier`);
  }

  /** Throws the first error any resource met, so a test fails on it rather than on a later probe. */
  assertNoErrors(): void {
    if (this.errors.length > 0) throw new Error(this.errors.map((e) => e.message).join("\n"));
  }

  /** Removes everything created, newest first (dependents before what they depend on). */
  async destroyAll(): Promise<string[]> {
    const failures: string[] = [];
    // Also what a failed second deploy had not reached yet; newest first, so dependents go first.
    const all = [...this.applied, ...this.prior.values(), ...this.replacedLater];
    const order = (resource: AppliedResource) => resource.seq ?? Number.MAX_SAFE_INTEGER;
    all.sort((a, b) => order(a) - order(b));
    this.applied.length = 0;
    this.prior.clear();
    this.replacedLater.length = 0;
    while (all.length > 0) {
      const resource = all.pop()!;
      try {
        await resource.destroy();
      } catch (error) {
        failures.push(`${resource.type} ${resource.name}: ${(error as Error).message}`);
      }
    }
    for (const tunnel of this.tunnels.splice(0)) await tunnel.close();
    return failures;
  }

  private targetFor(provider: string | undefined): DockerTarget {
    if (!provider) return LOCAL_DOCKER;
    const id = provider.slice(provider.lastIndexOf("::") + 2);
    const target = this.providers.get(id);
    if (!target) throw new Error(`unknown provider ${provider}`);
    return target;
  }

  private async apply(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    // Secrets arrive wrapped; the engine applies their values (and keeps them encrypted in state).
    const inputs = unwrapSecrets(args.inputs).value as Inputs;
    switch (args.type) {
      case "pulumi:providers:docker":
        return this.dockerProvider(args.name, inputs);
      case "docker:index/network:Network":
        return this.network(args.name, inputs, this.targetFor(args.provider));
      case "docker:index/container:Container":
        return this.container(args.name, inputs, this.targetFor(args.provider));
      case "docker:index/image:Image":
        return this.image(args.name, inputs, this.targetFor(args.provider));
      case "docker:index/remoteImage:RemoteImage":
        return this.remoteImage(args.name, inputs, this.targetFor(args.provider));
      case "command:local:Command":
        return this.localCommand(args.name, inputs);
      case "command:remote:Command":
        return this.remoteCommand(args.name, inputs);
      default:
        if (args.type.startsWith("pulumi-nodejs:dynamic")) return this.dynamicResource(args.type, args.name, inputs);
        throw new Error(`real-Docker mocks: resource type ${args.type} is not implemented in this tier`);
    }
  }

  private async dockerProvider(name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    const host = inputs.host ?? LOCAL_DOCKER.host;
    const sshOpts: string[] = inputs.sshOpts ? JSON.parse(inputs.sshOpts) : [];
    const id = `provider-${name}-${this.providers.size}`;
    if (host.startsWith("ssh://")) {
      // The docker CLI's own ssh:// support takes no ssh options: the provider's transport is
      // played here with the same ssh argv, behind a local socket.
      const tunnel = await openDockerTunnel(host, sshOpts);
      this.tunnels.push(tunnel);
      this.providers.set(id, { host: tunnel.localHost });
    } else {
      this.providers.set(id, { host });
    }
    return { id, state: inputs };
  }

  /** ssh processes started for ssh:// providers (one per connection the engine's client dials). */
  sshConnections(): number {
    return this.tunnels.reduce((count, tunnel) => count + tunnel.dials(), 0);
  }

  private async network(name: string, inputs: Inputs, target: DockerTarget): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("Network", inputs, NETWORK_INPUTS);
    const command = ["network", "create", "--driver", inputs.driver ?? "bridge"];
    if (inputs.internal) command.push("--internal");
    if (inputs.attachable) command.push("--attachable");
    if (inputs.ipv6) command.push("--ipv6");
    for (const ipam of inputs.ipamConfigs ?? []) {
      if (ipam.subnet) command.push("--subnet", ipam.subnet);
      if (ipam.gateway) command.push("--gateway", ipam.gateway);
      if (ipam.ipRange) command.push("--ip-range", ipam.ipRange);
      for (const [key, value] of Object.entries(ipam.auxAddress ?? {})) command.push("--aux-address", `${key}=${value}`);
    }
    for (const [key, value] of Object.entries(inputs.options ?? {})) command.push("--opt", `${key}=${value}`);
    command.push(...labelArgs(inputs.labels), inputs.name ?? name);
    const id = (await docker(target, command)).trim();
    this.applied.push({
      type: "Network",
      resourceType: "docker:index/network:Network",
      name,
      id,
      target,
      destroy: () => removeNetwork(target, id),
    });
    return { id, state: { ...inputs, name: inputs.name ?? name, scope: "local" } };
  }

  private async container(name: string, inputs: Inputs, target: DockerTarget): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("Container", inputs, CONTAINER_INPUTS);
    if (inputs.privileged) throw new Error("real-Docker mocks: privileged containers are refused in this tier");
    const containerName: string = inputs.name;
    const networks: Inputs[] = inputs.networksAdvanced ?? [];
    const create = ["create", "--name", containerName];
    if (inputs.hostname) create.push("--hostname", inputs.hostname);
    if (inputs.init) create.push("--init");
    if (inputs.user) create.push("--user", inputs.user);
    if (inputs.workingDir) create.push("--workdir", inputs.workingDir);
    if (inputs.restart) create.push("--restart", inputs.restart);
    if (inputs.stopSignal) create.push("--stop-signal", inputs.stopSignal);
    if (inputs.stopTimeout !== undefined) create.push("--stop-timeout", String(inputs.stopTimeout));
    for (const cap of inputs.capabilities?.adds ?? []) create.push("--cap-add", cap);
    for (const cap of inputs.capabilities?.drops ?? []) create.push("--cap-drop", cap);
    for (const [key, value] of Object.entries(inputs.sysctls ?? {})) create.push("--sysctl", `${key}=${value}`);
    for (const env of inputs.envs ?? []) create.push("--env", env);
    for (const entry of inputs.hosts ?? []) create.push("--add-host", `${entry.host}:${entry.ip}`);
    for (const device of inputs.devices ?? []) {
      create.push("--device", [device.hostPath, device.containerPath ?? device.hostPath, device.permissions ?? "rwm"].join(":"));
    }
    for (const port of inputs.ports ?? []) {
      const external = port.external === undefined ? "" : String(port.external);
      create.push("--publish", `${port.ip ?? "0.0.0.0"}:${external}:${port.internal}/${port.protocol ?? "tcp"}`);
    }
    create.push(...labelArgs(inputs.labels));
    create.push(...healthcheckArgs(inputs.healthcheck));
    if (inputs.networkMode && networks.length > 0) throw new Error("networkMode and networksAdvanced together");
    // Like the provider: without networkMode the container is created on Docker's default bridge,
    // which it leaves again when networksAdvanced names its networks.
    if (inputs.networkMode) create.push("--network", inputs.networkMode);
    // Docker concatenates entrypoint and command; the CLI takes the entrypoint's first word only.
    const [entrypoint, ...entryArgs] = inputs.entrypoints ?? [];
    if (entrypoint) create.push("--entrypoint", entrypoint);
    create.push(inputs.image, ...entryArgs, ...(inputs.command ?? []));

    const id = (await docker(target, create)).trim();
    const destroy = async () => {
      // The provider stops with destroy_grace_seconds (0 when unset: SIGTERM, then SIGKILL at once).
      const grace = inputs.destroyGraceSeconds ?? 0;
      await docker(target, ["stop", "--time", String(grace), id], { timeoutMs: (grace + 30) * 1000 });
      await docker(target, ["rm", "--force", ...(inputs.removeVolumes === false ? [] : ["--volumes"]), id]);
    };
    this.applied.push({ type: "Container", resourceType: "docker:index/container:Container", name, id, target, destroy });

    if (networks.length > 0) {
      await docker(target, ["network", "disconnect", "bridge", id]);
      for (const network of networks) await docker(target, ["network", "connect", ...endpointArgs(network), network.name, id]);
    }
    if ((inputs.uploads ?? []).length > 0) {
      await docker(target, ["cp", "-", `${id}:/`], { input: await uploadsTar(inputs.uploads) });
    }
    if (inputs.start !== false) {
      await docker(target, ["start", id]);
      if (inputs.wait) await waitHealthy(target, id, inputs.waitTimeout ?? 60);
    }
    const inspect = JSON.parse(await docker(target, ["inspect", id]))[0];
    const networkDatas = Object.entries(inspect.NetworkSettings.Networks as Record<string, any>).map(([networkName, data]) => ({
      networkName,
      ipAddress: data.IPAddress,
      ipPrefixLength: data.IPPrefixLen,
      gateway: data.Gateway,
      macAddress: data.MacAddress,
    }));
    return { id, state: { ...inputs, networkDatas, exitCode: inspect.State.ExitCode } };
  }

  private async image(name: string, inputs: Inputs, target: DockerTarget): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("Image", inputs, IMAGE_INPUTS);
    const build: Inputs = inputs.build ?? {};
    refuseUnknown("Image.build", build, BUILD_INPUTS);
    if (inputs.skipPush !== true) throw new Error("real-Docker mocks: images are never pushed here; set skipPush");
    // Like the provider's native Image: the context as a tar, built by the engine's BuildKit
    // (version=2), for the platform it is given (else the engine's own), with no cache it was not
    // given. An image already under the tag does not make the build any cheaper.
    const imageId = await buildKitBuild(target, {
      tag: inputs.imageName,
      context: build.context ?? ".",
      dockerfile: build.dockerfile,
      target: build.target,
      // The provider's default: linux and the architecture of the machine running Pulumi.
      platform: build.platform ?? `linux/${DOCKER_ARCH[os.arch()] ?? os.arch()}`,
      args: build.args ?? {},
    });
    // Like the provider, destroying an Image resource leaves the built image in the engine (a cache).
    this.applied.push({
      type: "Image",
      resourceType: "docker:index/image:Image",
      name,
      id: imageId,
      target,
      destroy: async () => undefined,
    });
    return { id: imageId, state: { ...inputs, repoDigest: "", contextDigest: imageId } };
  }

  private async remoteImage(name: string, inputs: Inputs, target: DockerTarget): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("RemoteImage", inputs, REMOTE_IMAGE_INPUTS);
    let imageId: string;
    try {
      imageId = (await docker(target, ["image", "inspect", "--format", "{{.Id}}", inputs.name])).trim();
    } catch {
      await docker(target, ["pull", inputs.name], { timeoutMs: 10 * 60_000 });
      imageId = (await docker(target, ["image", "inspect", "--format", "{{.Id}}", inputs.name])).trim();
    }
    this.applied.push({
      type: "RemoteImage",
      resourceType: "docker:index/remoteImage:RemoteImage",
      name,
      id: imageId,
      target,
      destroy: async () => {
        if (!inputs.keepLocally) await docker(target, ["rmi", inputs.name]);
      },
    });
    return { id: `${imageId}${inputs.name}`, state: { ...inputs, imageId, repoDigest: "" } };
  }

  private async localCommand(name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("command.local.Command", inputs, LOCAL_COMMAND_INPUTS);
    return this.command("command:local:Command", name, inputs);
  }

  private async remoteCommand(name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("command.remote.Command", inputs, REMOTE_COMMAND_INPUTS);
    return this.command("command:remote:Command", name, inputs);
  }

  /**
   * A dynamic resource: load its serialized provider as Pulumi's dynamic-provider host does, then
   * check and create now, delete on destroy.
   */
  private async dynamicResource(type: string, name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    const { __provider: serialized, ...props } = inputs;
    const provider = loadDynamicProvider(serialized);
    const checked = provider.check ? await provider.check({}, props) : { inputs: props };
    if (checked.failures?.length) {
      throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    }
    const created = await provider.create(checked.inputs ?? props);
    this.applied.push({
      type: "DynamicResource",
      resourceType: type,
      name,
      id: created.id,
      destroy: async () => {
        if (provider.delete) await provider.delete(created.id, created.outs ?? {});
      },
    });
    return { id: created.id, state: { ...(created.outs ?? {}), __provider: serialized } };
  }

  /** @pulumi/command semantics: run `create` now, `delete` on destroy with create's output in its env. */
  private async command(resourceType: string, name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    const env = inputs.environment ?? {};
    const output = inputs.create ? await runCommand(resourceType, inputs, inputs.create, env) : { stdout: "", stderr: "" };
    this.applied.push({
      type: resourceType === "command:local:Command" ? "LocalCommand" : "RemoteCommand",
      resourceType,
      name,
      id: name,
      destroy: commandDestroy(resourceType, inputs, output),
    });
    return { id: `${name}-${Date.now()}`, state: { ...inputs, ...output } };
  }
}

/** Runs one of a command resource's scripts where the resource says: locally, or over SSH. */
async function runCommand(
  resourceType: string,
  inputs: Inputs,
  script: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  if (resourceType === "command:remote:Command") return sshExec(inputs.connection, script, env, inputs.stdin);
  const [file, ...interpreterArgs] = inputs.interpreter ?? ["/bin/sh", "-c"];
  const result = await run(file, [...interpreterArgs, script], {
    cwd: inputs.dir,
    input: inputs.stdin,
    timeoutMs: 10 * 60_000,
    env: { ...process.env, ...env },
  });
  if (result.code !== 0) throw new Error(`command exited ${result.code}: ${result.stderr.trim()}`);
  return { stdout: result.stdout.replace(/\n$/, ""), stderr: result.stderr.replace(/\n$/, "") };
}

/** A command resource's delete: its `delete` script with the last run's output in its env. */
function commandDestroy(resourceType: string, inputs: Inputs, output: { stdout: string; stderr: string }): () => Promise<void> {
  return async () => {
    if (!inputs.delete) return;
    const env = { ...(inputs.environment ?? {}), PULUMI_COMMAND_STDOUT: output.stdout, PULUMI_COMMAND_STDERR: output.stderr };
    await runCommand(resourceType, inputs, inputs.delete, env);
  };
}

/** A dynamic resource's provider, loaded from its serialized form as Pulumi's dynamic-provider host does. */
function loadDynamicProvider(serialized: string): pulumi.dynamic.ResourceProvider {
  return requireFromString(serialized).handler();
}

/** The value the engine gives an input it cannot know yet (the SDK's rpc.unknownValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A resource's key in state: type token and name (unique together in a stack). */
function keyOf(type: string, name: string): string {
  return `${type}::${name}`;
}

/** `urn:pulumi:stack::project::parent$type::name` → `type::name`. */
function keyOfUrn(urn: string): string {
  const parts = urn.split("::");
  const name = parts.slice(3).join("::");
  return keyOf(parts[2].split("$").pop()!, name);
}

/** Container inputs the provider's update applies (restart) or takes without touching the container. */
const CONTAINER_UPDATABLE = new Set([
  "restart",
  "healthcheck",
  "init",
  "wait",
  "waitTimeout",
  "start",
  "destroyGraceSeconds",
  "removeVolumes",
  "mustRun",
]);
/** Container inputs the provider keeps as sets: their order is no change. */
const CONTAINER_SETS = ["labels", "uploads", "networksAdvanced", "envs", "hosts", "capabilities"];

/** Inputs that differ between the old and the new, sets compared without order. */
function changedInputs(olds: Inputs, news: Inputs, sets: string[]): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((key) => {
    const normalize = (value: unknown) => canonical(value, sets.includes(key));
    return normalize(olds[key]) !== normalize(news[key]);
  });
}

/** A JSON text for comparison: undefined and null alike, object keys sorted, set members sorted. */
function canonical(value: unknown, isSet: boolean): string {
  const walk = (v: unknown, sortArrays: boolean): unknown => {
    if (v === undefined || v === null) return null;
    if (Array.isArray(v)) {
      const items = v.map((item) => walk(item, sortArrays));
      return sortArrays ? items.map((i) => JSON.stringify(i)).sort() : items;
    }
    if (typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v as object)
          .filter((k) => (v as Inputs)[k] !== undefined && (v as Inputs)[k] !== null)
          .sort()
          .map((k) => [k, walk((v as Inputs)[k], sortArrays)]),
      );
    }
    return v;
  };
  return JSON.stringify(walk(value, isSet));
}

function endpointArgs(network: Inputs): string[] {
  const args: string[] = [];
  if (network.ipv4Address) args.push("--ip", network.ipv4Address);
  if (network.ipv6Address) args.push("--ip6", network.ipv6Address);
  if (network.macAddress) throw new Error("real-Docker mocks: networksAdvanced.macAddress is not implemented in this tier");
  for (const alias of network.aliases ?? []) args.push("--alias", alias);
  for (const opt of network.driverOpts ?? []) args.push("--driver-opt", opt);
  return args;
}

/** `docker create` flags for the provider's healthcheck block; only the shell form has a CLI flag. */
function healthcheckArgs(healthcheck: Inputs | undefined): string[] {
  if (!healthcheck) return [];
  const [kind, ...rest] = healthcheck.tests ?? [];
  if (kind !== "CMD-SHELL" || rest.length !== 1) {
    throw new Error(
      `real-Docker mocks: healthcheck tests ${JSON.stringify(healthcheck.tests)}: only ["CMD-SHELL", cmd] is implemented in this tier`,
    );
  }
  const args = ["--health-cmd", rest[0]];
  if (healthcheck.interval) args.push("--health-interval", healthcheck.interval);
  if (healthcheck.timeout) args.push("--health-timeout", healthcheck.timeout);
  if (healthcheck.retries !== undefined) args.push("--health-retries", String(healthcheck.retries));
  if (healthcheck.startPeriod) args.push("--health-start-period", healthcheck.startPeriod);
  if (healthcheck.startInterval) args.push("--health-start-interval", healthcheck.startInterval);
  return args;
}

/** The provider's `wait`: poll the health status once a second until healthy or wait_timeout. */
async function waitHealthy(target: DockerTarget, id: string, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const state = JSON.parse(await docker(target, ["inspect", "--format", "{{json .State}}", id]));
    if (!state.Health) {
      throw new Error(
        "you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute",
      );
    }
    if (state.Health.Status === "healthy") return;
    if (Date.now() >= deadline) throw new Error("container failed to be in healthy state");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Node's names for architectures, as Docker's platform strings name them. */
const DOCKER_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" };

/**
 * The provider's network delete: retried while Docker says the network has active endpoints (at
 * about 2, 7, 17 and 27 s), then an error. A network deleted before the containers on it fails.
 */
async function removeNetwork(target: DockerTarget, id: string): Promise<void> {
  for (const delayMs of [2_000, 5_000, 10_000, 10_000, 0]) {
    const removed = await run("docker", ["-H", target.host, "network", "rm", id], { timeoutMs: 30_000 });
    if (removed.code === 0 || /No such network|not found/i.test(removed.stderr)) return;
    if (!/active endpoints/.test(removed.stderr) || delayMs === 0) throw new Error(`network rm ${id}: ${removed.stderr.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

interface BuildRequest {
  tag: string;
  context: string;
  dockerfile?: string;
  target?: string;
  platform?: string;
  args: Record<string, string>;
}

/**
 * POST /build with version=2 (BuildKit) and the context as a tar body, as the provider's
 * runImageBuild does (its BuildKit session carries only registry auth, which no build here needs);
 * returns the image id the engine reports. Errors carry the build's own last lines.
 */
async function buildKitBuild(target: DockerTarget, request: BuildRequest): Promise<string> {
  if (!target.host.startsWith("unix://")) throw new Error(`real-Docker mocks: builds on ${target.host} are not implemented in this tier`);
  const context = path.resolve(request.context);
  // The provider takes the Dockerfile path relative to the program and sends it relative to the context.
  const dockerfile = request.dockerfile ? path.relative(context, path.resolve(request.dockerfile)) : "Dockerfile";
  const tarred = execFileSync("tar", ["-C", context, "-cf", "-", "."], { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  const query = new URLSearchParams({ version: "2", t: request.tag, dockerfile, buildargs: JSON.stringify(request.args) });
  if (request.target) query.set("target", request.target);
  if (request.platform) query.set("platform", request.platform);
  const lines: string[] = [];
  let imageId: string | undefined;
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const req = http.request(
      {
        socketPath: target.host.slice("unix://".length),
        method: "POST",
        path: `/build?${query}`,
        headers: { "Content-Type": "application/x-tar" },
        timeout: 15 * 60_000,
      },
      (res) => {
        let buffered = "";
        res.on("data", (chunk: Buffer) => {
          buffered += chunk.toString();
          const parts = buffered.split("\n");
          buffered = parts.pop()!;
          for (const part of parts.filter(Boolean)) {
            const message = JSON.parse(part);
            if (message.error) failure = message.error;
            if (message.stream) lines.push(...String(message.stream).split("\n").filter(Boolean));
            if (message.id === "moby.image.id") imageId = message.aux?.ID;
          }
        });
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`build ${request.tag}: HTTP ${res.statusCode} ${buffered}`)),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`build ${request.tag}: no answer within 15 min`)));
    req.on("error", reject);
    req.end(tarred);
  });
  if (failure || !imageId) throw new Error(`build ${request.tag} failed: ${failure ?? "no image id"}\n${lines.slice(-10).join("\n")}`);
  return imageId;
}

/** One tar stream with every upload, at its absolute path, mode as the provider sets it. */
async function uploadsTar(uploads: Inputs[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const upload of uploads) {
    const content = upload.contentBase64 !== undefined ? Buffer.from(upload.contentBase64, "base64") : Buffer.from(upload.content ?? "");
    const mode = upload.permissions ? parseInt(upload.permissions, 8) : upload.executable ? 0o744 : 0o644;
    pack.entry({ name: upload.file.replace(/^\/+/, ""), mode, mtime: new Date(0) }, content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One command over SSH with the provider's connection fields; bounded connect and run times. */
function sshExec(
  connection: Inputs,
  script: string,
  env: Record<string, string>,
  stdin?: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    const timer = setTimeout(() => {
      client.end();
      reject(new Error(`ssh ${connection.host}: no result within 120 s`));
    }, 120_000);
    client
      .on("ready", () => {
        const exports = Object.entries(env)
          .map(([key, value]) => `export ${key}=${shQuote(String(value))}; `)
          .join("");
        client.exec(exports + script, (error, stream) => {
          if (error) return reject(error);
          let stdout = "";
          let stderr = "";
          stream.on("data", (data: Buffer) => (stdout += data.toString()));
          stream.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
          stream.on("close", (code: number) => {
            clearTimeout(timer);
            client.end();
            if (code !== 0) reject(new Error(`remote command exited ${code}: ${stderr.trim()}`));
            else resolve({ stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") });
          });
          if (stdin !== undefined) stream.end(stdin);
          else stream.end();
        });
      })
      .on("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`ssh ${connection.host}:${connection.port ?? 22}: ${error.message}`));
      })
      .connect({
        host: connection.host,
        port: connection.port ?? 22,
        username: connection.user ?? "root",
        privateKey: connection.privateKey,
        password: connection.password,
        readyTimeout: (connection.perDialTimeout ?? 15) * 1000,
      });
  });
}

interface DockerTunnel {
  localHost: string;
  /** ssh processes started so far: one per connection, as the provider's client dials. */
  dials(): number;
  close(): Promise<void>;
}

/**
 * The ssh argv the provider's client (docker/cli connhelper: ssh.Spec.Command with ssh_opts,
 * addSSHTimeout and disablePseudoTerminalAllocation) runs for each connection to an ssh:// host.
 */
export function providerSshArgv(url: string, sshOpts: string[]): string[] {
  const address = parseDockerHost(url);
  if (typeof address === "string" || address.scheme !== "ssh") throw new Error(`${url}: not an ssh:// host`);
  const flags = [...sshOpts];
  if (!flags.join("").includes("ConnectTimeout")) flags.push("-o ConnectTimeout=30");
  if (!flags.includes("-T")) flags.push("-T");
  return [
    ...(address.user ? ["-l", address.user] : []),
    ...(address.port ? ["-p", String(address.port)] : []),
    ...flags,
    "--",
    address.host,
    "docker system dial-stdio",
  ];
}

/**
 * A local socket for the docker CLI whose every connection is one `ssh ... docker system
 * dial-stdio` process, as the provider's transport: the real ssh binary, with the stack's sshOpts.
 */
async function openDockerTunnel(url: string, sshOpts: string[]): Promise<DockerTunnel> {
  const argv = providerSshArgv(url, sshOpts);
  const socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-tunnel-")), "docker.sock");
  const children = new Set<ChildProcess>();
  let dials = 0;
  const server = net.createServer((local) => {
    dials += 1;
    const child = spawn("ssh", argv, { stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    local.pipe(child.stdin!);
    child.stdout!.pipe(local);
    local.on("error", () => child.kill("SIGTERM"));
    local.on("close", () => child.kill("SIGTERM"));
    child.on("exit", (code) => {
      children.delete(child);
      if (code && code !== 143 && stderr.trim() !== "") process.stderr.write(`ssh ${url}: exit ${code}: ${stderr.trim()}\n`);
      local.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  // Fails here, clearly, for a wrong key, an unknown host key, a closed port or a silent host.
  const probe = await run("docker", ["-H", `unix://${socketPath}`, "version", "--format", "{{.Server.Version}}"], { timeoutMs: 40_000 });
  const tunnel: DockerTunnel = {
    localHost: `unix://${socketPath}`,
    dials: () => dials,
    close: async () => {
      for (const child of children) child.kill("SIGTERM");
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(path.dirname(socketPath), { recursive: true, force: true });
    },
  };
  if (probe.code !== 0) {
    await tunnel.close();
    throw new Error(`cannot reach ${url} through ssh: ${probe.stderr.trim()}`);
  }
  return tunnel;
}
