/**
 * The docker CLI arguments that make the same container the provider's ContainerCreate,
 * NetworkConnect and CopyToContainer calls make (terraform-provider-docker v4.5.0
 * resourceDockerContainerCreate in internal/provider/resource_docker_container_funcs.go):
 * - HostConfig.Init is always set, to false when `init` is unset (the daemon's default never
 *   applies), hence `--init=false`;
 * - memory and memory_swap are MB (MiB to Docker: `* 1024 * 1024`), memory_swap -1 unlimited;
 *   cpus is Docker's decimal NanoCPUs (opts.ParseCPUs), the CLI's --cpus;
 * - Docker concatenates Entrypoint and Cmd: the CLI takes the entrypoint's first word alone, the
 *   rest goes before the command;
 * - each upload is one tar entry at its path, mode `permissions`, else 0744 when executable, else
 *   0644, modified now; the provider sends one tar per upload, here one tar holds them all (the
 *   same files, one CLI call).
 */
import * as tar from "tar-stream";
import { Inputs } from "./state";

/** `docker create` for the container's inputs, networksAdvanced aside (connected after create). */
export function containerCreateArgs(inputs: Inputs): string[] {
  const create = ["create", "--name", inputs.name, `--init=${inputs.init === true}`];
  if (inputs.hostname) create.push("--hostname", inputs.hostname);
  if (inputs.user) create.push("--user", inputs.user);
  if (inputs.workingDir) create.push("--workdir", inputs.workingDir);
  if (inputs.restart) create.push("--restart", inputs.restart);
  if (inputs.stopSignal) create.push("--stop-signal", inputs.stopSignal);
  if (inputs.stopTimeout !== undefined) create.push("--stop-timeout", String(inputs.stopTimeout));
  if (inputs.memory) create.push("--memory", `${inputs.memory}m`);
  if (inputs.memorySwap) create.push("--memory-swap", inputs.memorySwap > 0 ? `${inputs.memorySwap}m` : String(inputs.memorySwap));
  if (inputs.cpus) create.push("--cpus", inputs.cpus);
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
  for (const { label, value } of inputs.labels ?? []) create.push("--label", `${label}=${value}`);
  create.push(...healthcheckArgs(inputs.healthcheck));
  if (inputs.networkMode && (inputs.networksAdvanced ?? []).length > 0) throw new Error("networkMode and networksAdvanced together");
  // Without networkMode the container is created on Docker's default bridge, which it leaves again
  // when networksAdvanced names its networks.
  if (inputs.networkMode) create.push("--network", inputs.networkMode);
  const [entrypoint, ...entryArgs] = inputs.entrypoints ?? [];
  if (entrypoint) create.push("--entrypoint", entrypoint);
  create.push(inputs.image, ...entryArgs, ...(inputs.command ?? []));
  return create;
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

/** `docker network connect` flags for one networksAdvanced entry (the provider's EndpointSettings). */
export function endpointArgs(network: Inputs): string[] {
  const args: string[] = [];
  if (network.ipv4Address) args.push("--ip", network.ipv4Address);
  if (network.ipv6Address) args.push("--ip6", network.ipv6Address);
  if (network.macAddress) throw new Error("real-Docker mocks: networksAdvanced.macAddress is not implemented in this tier");
  for (const alias of network.aliases ?? []) args.push("--alias", alias);
  for (const opt of network.driverOpts ?? []) args.push("--driver-opt", opt);
  return args;
}

/** One tar stream with every upload, at its absolute path, mode as the provider sets it. */
export async function uploadsTar(uploads: Inputs[]): Promise<Buffer> {
  const pack = tar.pack();
  const now = new Date();
  for (const upload of uploads) {
    const content = upload.contentBase64 !== undefined ? Buffer.from(upload.contentBase64, "base64") : Buffer.from(upload.content ?? "");
    const mode = upload.permissions ? parseInt(upload.permissions, 8) : upload.executable ? 0o744 : 0o644;
    pack.entry({ name: upload.file.replace(/^\/+/, ""), mode, mtime: now }, content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
