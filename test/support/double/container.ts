/**
 * docker.Container as @pulumi/docker 5.2.0 applies it: terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_container.go (schema) and resource_docker_container_funcs.go,
 * bridged by pulumi/pulumi-docker provider/resources.go (docker_container is DeleteBeforeReplace).
 * - create (resourceDockerContainerCreate): ContainerCreate on Docker's default bridge; with
 *   networks_advanced, disconnected from it and connected to each network; uploads copied; started;
 *   no check that it keeps running; `wait` polls State.Health.Status for "healthy" once a second
 *   until wait_timeout ("container failed to be in healthy state"); then resourceDockerContainerRead,
 *   which sets must_run false in state when the container is not running;
 * - diff: every input is ForceNew but restart (and max_retry_count, resources this tier refuses) and
 *   those whose update does nothing to the container (healthcheck, init, wait, wait_timeout, start,
 *   destroy_grace_seconds, remove_volumes, must_run); must_run in state false against the
 *   program's true (its default) is a change;
 * - update (resourceDockerContainerUpdate): ContainerStart when must_run goes from false to true and
 *   start is set; ContainerUpdate with the restart policy and the resources (memory, memory_swap,
 *   in place: not ForceNew) when one of them changed; no read afterwards; cpus is ForceNew;
 * - delete (resourceDockerContainerDelete): ContainerStop with destroy_grace_seconds (0 when unset),
 *   then ContainerRemove with force and remove_volumes (default true); "No such container" is no
 *   error at either step.
 */
import { DockerTarget, docker, run } from "../docker-cli";
import { containerCreateArgs, endpointArgs, uploadsTar } from "./container-args";
import { Diff, ResourceEmulator, changedInputs } from "./emulator";
import { AppliedResource, Inputs, sleep } from "./state";

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
  "memory",
  "memorySwap",
  "cpus",
]);

/** Inputs the provider's update applies (restart, mustRun) or takes without touching the container. */
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
  "memory",
  "memorySwap",
]);
/** Inputs the provider keeps as sets: their order is no change. */
const CONTAINER_SETS = ["labels", "uploads", "networksAdvanced", "envs", "hosts", "capabilities"];

export const containerEmulator: ResourceEmulator = {
  type: "docker:index/container:Container",
  kind: "Container",
  inputs: CONTAINER_INPUTS,
  async create({ inputs, target, exists }) {
    if (inputs.privileged) throw new Error("real-Docker mocks: privileged containers are refused in this tier");
    const id = (await docker(target, containerCreateArgs(inputs))).trim();
    exists(id);
    const networks: Inputs[] = inputs.networksAdvanced ?? [];
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
    return { id, state: await readContainer(target, id, inputs) };
  },
  diff(resource, news): Diff {
    const changed = changedInputs(resource.inputs ?? {}, news, CONTAINER_SETS);
    if (resource.state?.mustRun === false && news.mustRun !== false) changed.push("mustRun");
    return { changes: changed.length > 0, replace: changed.some((k) => !CONTAINER_UPDATABLE.has(k)), deleteBeforeReplace: true };
  },
  async update(resource, news) {
    const target = resource.target!;
    if (resource.state?.mustRun === false && news.mustRun !== false && news.start !== false) {
      await docker(target, ["start", resource.id]);
    }
    const changed = (key: string) => JSON.stringify(resource.inputs?.[key]) !== JSON.stringify(news[key]);
    if (["restart", "memory", "memorySwap"].some(changed)) {
      // One ContainerUpdate with the policy and the resources as the provider sends them; a memory of
      // 0 (unset) is "unchanged" to Docker's update, so a limit once set stays until the node is replaced.
      const resources = news.memory ? ["--memory", `${news.memory}m`] : [];
      if (news.memorySwap) resources.push("--memory-swap", news.memorySwap > 0 ? `${news.memorySwap}m` : String(news.memorySwap));
      await docker(target, [
        "update",
        "--restart",
        news.restart ?? "no",
        ...(changed("memory") || changed("memorySwap") ? resources : []),
        resource.id,
      ]);
    }
    return { state: { ...resource.state, ...news, mustRun: news.mustRun ?? true } };
  },
  delete: removeContainer,
};

/** resourceDockerContainerRead: the outputs the program sees, and must_run false when it is not running. */
async function readContainer(target: DockerTarget, id: string, inputs: Inputs): Promise<Inputs> {
  const inspect = JSON.parse(await docker(target, ["inspect", id]))[0];
  const networkDatas = Object.entries(inspect.NetworkSettings.Networks as Record<string, any>).map(([networkName, data]) => ({
    networkName,
    ipAddress: data.IPAddress,
    ipPrefixLength: data.IPPrefixLen,
    gateway: data.Gateway,
    macAddress: data.MacAddress,
  }));
  const mustRun = inspect.State.Running ? (inputs.mustRun ?? true) : false;
  return { ...inputs, networkDatas, exitCode: inspect.State.ExitCode, mustRun };
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
    await sleep(1000);
  }
}

/** Stop with the grace period (SIGTERM, then SIGKILL at once when 0), then remove; gone already is no error. */
async function removeContainer(resource: AppliedResource): Promise<void> {
  const grace = resource.inputs?.destroyGraceSeconds ?? 0;
  const host = resource.target!.host;
  const stopped = await run("docker", ["-H", host, "stop", "--time", String(grace), resource.id], { timeoutMs: (grace + 30) * 1000 });
  if (stopped.code !== 0 && !/No such container/i.test(stopped.stderr)) {
    throw new Error(`Error stopping container ${resource.id}: ${stopped.stderr.trim()}`);
  }
  const volumes = resource.inputs?.removeVolumes === false ? [] : ["--volumes"];
  const removed = await run("docker", ["-H", host, "rm", "--force", ...volumes, resource.id], { timeoutMs: 60_000 });
  if (removed.code !== 0 && !/No such container|is already in progress/i.test(removed.stderr)) {
    throw new Error(`Error deleting container ${resource.id}: ${removed.stderr.trim()}`);
  }
}
