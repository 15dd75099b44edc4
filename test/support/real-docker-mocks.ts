/**
 * Pulumi mocks that apply each registered resource to a real Docker engine, following
 * @pulumi/docker's and @pulumi/command's documented meaning of each input, and return real ids and
 * outputs. Any resource type or input this tier does not implement is refused loudly, so a test can
 * never pass on something that was silently skipped. `destroyAll` plays `pulumi destroy`: it removes
 * what was created, in reverse order, the way each provider deletes it.
 */
import * as pulumi from "@pulumi/pulumi";
import { Client as SshClient } from "ssh2";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseDockerHost } from "../../components/host/docker-host-url";
import { SshHost } from "../../components/host/ssh-host";
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
}

export interface ResourceTiming {
  type: string;
  name: string;
  startMs: number;
  endMs: number;
}

type Inputs = Record<string, any>;

const CONTAINER_INPUTS = new Set([
  "name", "image", "hostname", "entrypoints", "command", "envs", "uploads", "networksAdvanced", "networkMode",
  "capabilities", "sysctls", "ports", "init", "labels", "restart", "destroyGraceSeconds", "privileged", "devices",
  "mustRun", "start", "stopSignal", "stopTimeout", "user", "workingDir", "hosts",
]);
const NETWORK_INPUTS = new Set(["name", "driver", "internal", "attachable", "ipv6", "ipamConfigs", "options", "labels"]);
const IMAGE_INPUTS = new Set(["imageName", "build", "skipPush", "buildOnPreview"]);
const BUILD_INPUTS = new Set(["context", "dockerfile", "args", "target"]);
const REMOTE_IMAGE_INPUTS = new Set(["name", "keepLocally"]);
const LOCAL_COMMAND_INPUTS = new Set(["create", "delete", "environment", "dir", "interpreter", "stdin"]);
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
  private readonly providers = new Map<string, DockerTarget>();
  private readonly tunnels: DockerTunnel[] = [];
  private readonly origin = Date.now();

  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    // Like the Pulumi engine after a failed step: create nothing more. The failure is reported by
    // assertNoErrors once the program has drained, rather than as a rejection that every dependent
    // output would re-raise.
    const notCreated = { id: `not-created-${args.name}`, state: { ...args.inputs } };
    if (this.errors.length > 0) return notCreated;
    // Component resources are the program's own grouping: nothing to apply.
    if (args.custom === false) return { id: undefined, state: {} };
    const startMs = Date.now() - this.origin;
    try {
      const result = await this.apply(args);
      this.timings.push({ type: args.type, name: args.name, startMs, endMs: Date.now() - this.origin });
      return result;
    } catch (error) {
      this.errors.push(new Error(`${args.type} "${args.name}": ${(error as Error).message}`));
      return notCreated;
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
    while (this.applied.length > 0) {
      const resource = this.applied.pop()!;
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
    if (host.startsWith("ssh://") && sshOpts.length > 0) {
      // The provider runs `ssh <sshOpts> host docker system dial-stdio`; the docker CLI takes no ssh
      // options (and ssh reads its config from the password database's home, not $HOME). So this
      // tier honours them with ssh2: one connection, checked against the same key and known host,
      // forwarding the engine's socket to a local one for the docker CLI.
      const tunnel = await openDockerTunnel(host, sshOpts);
      this.tunnels.push(tunnel);
      this.providers.set(id, { host: tunnel.localHost });
    } else {
      this.providers.set(id, { host });
    }
    return { id, state: inputs };
  }

  /** SSH connections opened for ssh:// providers (one per provider). */
  sshConnections(): number {
    return this.tunnels.reduce((count, tunnel) => count + tunnel.ssh.connectionsOpened, 0);
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
      name,
      id,
      target,
      destroy: async () => void (await docker(target, ["network", "rm", id])),
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
    // The provider connects networksAdvanced after create (having left the default bridge); creating
    // on the first and connecting the rest before start gives the same container.
    if (inputs.networkMode && networks.length > 0) throw new Error("networkMode and networksAdvanced together");
    if (inputs.networkMode) create.push("--network", inputs.networkMode);
    const [first, ...rest] = networks;
    if (first) create.push(...endpointArgs(first, "create"));
    // Docker concatenates entrypoint and command; the CLI takes the entrypoint's first word only.
    const [entrypoint, ...entryArgs] = inputs.entrypoints ?? [];
    if (entrypoint) create.push("--entrypoint", entrypoint);
    create.push(inputs.image, ...entryArgs, ...(inputs.command ?? []));

    const id = (await docker(target, create)).trim();
    const destroy = async () => {
      if (inputs.destroyGraceSeconds) {
        await docker(target, ["stop", "--time", String(inputs.destroyGraceSeconds), id], {
          timeoutMs: (inputs.destroyGraceSeconds + 30) * 1000,
        });
      }
      await docker(target, ["rm", "--force", "--volumes", id]);
    };
    this.applied.push({ type: "Container", name, id, target, destroy });

    for (const network of rest) await docker(target, ["network", "connect", ...endpointArgs(network, "connect"), network.name, id]);
    if ((inputs.uploads ?? []).length > 0) {
      await docker(target, ["cp", "-", `${id}:/`], { input: await uploadsTar(inputs.uploads) });
    }
    if (inputs.start !== false) {
      await docker(target, ["start", id]);
      if (inputs.mustRun !== false) await this.assertRunning(target, id, containerName);
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

  /** Like the provider: a container that exits straight after start is an error, with its logs. */
  private async assertRunning(target: DockerTarget, id: string, containerName: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const state = JSON.parse(await docker(target, ["inspect", "--format", "{{json .State}}", id]));
    if (!state.Running) {
      const logs = await run("docker", ["-H", target.host, "logs", "--tail", "20", id], { timeoutMs: 10_000 });
      throw new Error(
        `container ${containerName} exited immediately (exit ${state.ExitCode}): ${(logs.stdout + logs.stderr).trim()}`,
      );
    }
  }

  private async image(name: string, inputs: Inputs, target: DockerTarget): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("Image", inputs, IMAGE_INPUTS);
    const build: Inputs = inputs.build ?? {};
    refuseUnknown("Image.build", build, BUILD_INPUTS);
    if (inputs.skipPush !== true) throw new Error("real-Docker mocks: images are never pushed here; set skipPush");
    const command = ["build", "--quiet", "--tag", inputs.imageName];
    // The tag is the build context's digest: an image already under it was built from these very
    // files, on this host or elsewhere and loaded here (hosts without a registry or egress, such as
    // the emulated hosts of the stretch tests). Its layers are the build cache, as they would be on
    // a host that built it before; the build still runs and must reproduce the same steps.
    const tagged = await run("docker", ["-H", target.host, "image", "inspect", "--format", "{{.Id}}", inputs.imageName], { timeoutMs: 15_000 });
    if (tagged.code === 0) command.push("--cache-from", inputs.imageName);
    if (build.dockerfile) command.push("--file", build.dockerfile);
    if (build.target) command.push("--target", build.target);
    for (const [key, value] of Object.entries(build.args ?? {})) command.push("--build-arg", `${key}=${value}`);
    command.push(build.context ?? ".");
    const imageId = (await docker(target, command, { timeoutMs: 15 * 60_000 })).trim();
    // Like the provider, destroying an Image resource leaves the built image in the engine (a cache).
    this.applied.push({ type: "Image", name, id: imageId, target, destroy: async () => undefined });
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
    return this.command("LocalCommand", name, inputs, async (script, env) => {
      const [file, ...interpreterArgs] = inputs.interpreter ?? ["/bin/sh", "-c"];
      const result = await run(file, [...interpreterArgs, script], {
        cwd: inputs.dir,
        input: inputs.stdin,
        timeoutMs: 10 * 60_000,
        env: { ...process.env, ...env },
      });
      if (result.code !== 0) throw new Error(`command exited ${result.code}: ${result.stderr.trim()}`);
      return { stdout: result.stdout.replace(/\n$/, ""), stderr: result.stderr.replace(/\n$/, "") };
    });
  }

  private async remoteCommand(name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    refuseUnknown("command.remote.Command", inputs, REMOTE_COMMAND_INPUTS);
    return this.command("RemoteCommand", name, inputs, (script, env) =>
      sshExec(inputs.connection, script, env, inputs.stdin),
    );
  }

  /**
   * A dynamic resource: load its serialized provider as Pulumi's dynamic-provider host does, then
   * check and create now, delete on destroy.
   */
  private async dynamicResource(type: string, name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    const { __provider: serialized, ...props } = inputs;
    const provider: pulumi.dynamic.ResourceProvider = requireFromString(serialized).handler();
    const checked = provider.check ? await provider.check({}, props) : { inputs: props };
    if (checked.failures?.length) {
      throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    }
    const created = await provider.create(checked.inputs ?? props);
    this.applied.push({
      type: "DynamicResource",
      name,
      id: created.id,
      destroy: async () => {
        if (provider.delete) await provider.delete(created.id, created.outs ?? {});
      },
    });
    return { id: created.id, state: { ...(created.outs ?? {}), __provider: serialized } };
  }

  /** @pulumi/command semantics: run `create` now, `delete` on destroy with create's output in its env. */
  private async command(
    type: string,
    name: string,
    inputs: Inputs,
    execute: (script: string, env: Record<string, string>) => Promise<{ stdout: string; stderr: string }>,
  ): Promise<pulumi.runtime.MockResourceResult> {
    const env = inputs.environment ?? {};
    const output = inputs.create ? await execute(inputs.create, env) : { stdout: "", stderr: "" };
    this.applied.push({
      type,
      name,
      id: name,
      destroy: async () => {
        if (!inputs.delete) return;
        await execute(inputs.delete, { ...env, PULUMI_COMMAND_STDOUT: output.stdout, PULUMI_COMMAND_STDERR: output.stderr });
      },
    });
    return { id: `${name}-${Date.now()}`, state: { ...inputs, ...output } };
  }
}

function endpointArgs(network: Inputs, mode: "create" | "connect"): string[] {
  const args = mode === "create" ? ["--network", network.name] : [];
  if (network.ipv4Address) args.push("--ip", network.ipv4Address);
  if (network.ipv6Address) args.push("--ip6", network.ipv6Address);
  if (network.macAddress && mode === "create") args.push("--mac-address", network.macAddress);
  for (const alias of network.aliases ?? []) args.push(mode === "create" ? "--network-alias" : "--alias", alias);
  for (const opt of network.driverOpts ?? []) args.push("--driver-opt", opt);
  return args;
}

/** One tar stream with every upload, at its absolute path, mode as the provider sets it. */
async function uploadsTar(uploads: Inputs[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const upload of uploads) {
    const content =
      upload.contentBase64 !== undefined ? Buffer.from(upload.contentBase64, "base64") : Buffer.from(upload.content ?? "");
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
  ssh: SshHost;
  localHost: string;
  close(): Promise<void>;
}

/** Reads `-i keyfile` and `-o UserKnownHostsFile=file` from sshOpts; refuses what it cannot honour. */
function identityFromSshOpts(sshOpts: string[]): { privateKey: string; hostKey: string } {
  let keyFile: string | undefined;
  let knownHosts: string | undefined;
  for (let i = 0; i < sshOpts.length; i += 2) {
    const [flag, value] = [sshOpts[i], sshOpts[i + 1] ?? ""];
    if (flag === "-i") keyFile = value;
    else if (flag === "-o" && value.startsWith("UserKnownHostsFile=")) knownHosts = value.slice("UserKnownHostsFile=".length);
    else if (flag === "-o" && /^(StrictHostKeyChecking=yes|IdentitiesOnly=yes|ConnectTimeout=\d+)$/.test(value)) continue;
    else throw new Error(`real-Docker mocks: ssh option ${flag} ${value} is not implemented in this tier`);
  }
  if (!keyFile || !knownHosts) throw new Error("real-Docker mocks: ssh:// needs -i and UserKnownHostsFile in sshOpts");
  const line = fs.readFileSync(knownHosts, "utf8").trim().split(/\s+/);
  return { privateKey: fs.readFileSync(keyFile, "utf8"), hostKey: `${line[1]} ${line[2]}` };
}

async function openDockerTunnel(url: string, sshOpts: string[]): Promise<DockerTunnel> {
  const address = parseDockerHost(url);
  if (typeof address === "string") throw new Error(`${url} ${address}`);
  const ssh = new SshHost({ host: address.host, port: address.port, user: address.user ?? "root", ...identityFromSshOpts(sshOpts) });
  await ssh.connect(); // fails here, clearly, for a wrong key, an unknown host key, a closed port or a silent host
  const socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-tunnel-")), "docker.sock");
  const server = net.createServer((local) => {
    ssh.openDockerSocket().then(
      (remote) => {
        local.pipe(remote).pipe(local);
        local.on("error", () => remote.close());
        remote.on("error", () => local.destroy());
      },
      () => local.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    ssh,
    localHost: `unix://${socketPath}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await ssh.close();
      fs.rmSync(path.dirname(socketPath), { recursive: true, force: true });
    },
  };
}
