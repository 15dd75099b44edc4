/**
 * The Docker provider's ssh:// transport (terraform-provider-docker v4.5.0 internal/provider/config.go
 * MakeClient: connhelper.GetConnectionHelperWithSSHOpts(host, ssh_opts); docker/cli v28.5.2
 * cli/connhelper and its commandconn): every connection the client dials is one local `ssh`
 * process, started in a session of its own (no controlling terminal: ssh can never prompt) with the
 * argv of dialStdioArgv, the product's own code for it (components/host/host-exec.ts), and the host
 * runs `docker system dial-stdio`. The docker CLI's own ssh:// support takes no ssh options, so the
 * double puts a local socket in front: each connection to it is one such ssh process.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { dialStdioArgv, dockerExecTarget } from "../../../components/host/host-exec";
import { run } from "../docker-cli";

export interface DockerTunnel {
  /** The local socket the double's docker CLI calls go to, as a DOCKER_HOST. */
  localHost: string;
  /** ssh processes started so far: one per connection, as the provider's client dials. */
  dials(): number;
  close(): Promise<void>;
}

/** The provider's argv for `url` (ssh://[user@]host[:port]) and its ssh_opts, without the leading `ssh`. */
export function providerSshArgs(url: string, sshOpts: string[]): string[] {
  const target = dockerExecTarget(url, sshOpts);
  if (target.kind !== "ssh") throw new Error(`${url}: not an ssh:// host`);
  return dialStdioArgv(target).slice(1);
}

/** Opens the tunnel and checks the engine answers through it; fails clearly when it does not. */
export async function openDockerTunnel(url: string, sshOpts: string[]): Promise<DockerTunnel> {
  const args = providerSshArgs(url, sshOpts);
  const socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-tunnel-")), "docker.sock");
  const children = new Set<ChildProcess>();
  let dials = 0;
  const server = net.createServer((local) => {
    dials += 1;
    dialStdio(url, args, local, children);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const tunnel: DockerTunnel = {
    localHost: `unix://${socketPath}`,
    dials: () => dials,
    close: async () => {
      for (const child of children) child.kill("SIGTERM");
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(path.dirname(socketPath), { recursive: true, force: true });
    },
  };
  // Fails here, clearly, for a wrong key, an unknown host key, a closed port or a silent host.
  const probe = await run("docker", ["-H", tunnel.localHost, "version", "--format", "{{.Server.Version}}"], { timeoutMs: 40_000 });
  if (probe.code !== 0) {
    await tunnel.close();
    throw new Error(`cannot reach ${url} through ssh: ${probe.stderr.trim()}`);
  }
  return tunnel;
}

/** One connection: an ssh process whose stdin and stdout are the connection's two directions. */
function dialStdio(url: string, args: string[], local: net.Socket, children: Set<ChildProcess>): void {
  const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
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
}
