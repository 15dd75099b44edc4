/**
 * A real OpenSSH server for tests, on 127.0.0.1 with its own config, host key and authorized key,
 * started by the test and stopped by the PID it started.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "./lab-harness";
import { waitFor } from "./docker-cli";
import { SSHD, SSHD_BINARY } from "./requirements";

export interface SshdFixture {
  port: number;
  user: string;
  /** OpenSSH private key the server accepts. */
  privateKey: string;
  /** The server's host public key line, e.g. for known_hosts. */
  hostPublicKey: string;
  /** Connections authenticated so far. */
  connections(): number;
  stop(): Promise<void>;
}

export { SSHD_BINARY } from "./requirements";

/** Why no sshd can be started here (tests go through `skipUnless([SSHD])`, test/support/requirements.ts). */
export const sshdUnavailableReason = (): string | undefined => SSHD.missing();

export interface SshdOptions {
  /**
   * The Docker engine socket that sessions of this server see at /var/run/docker.sock: the server
   * runs in a private mount namespace with that socket bound there, as if it were another host.
   */
  dockerSocket?: string;
  /** Run the server in this network namespace (an emulated host's), listening on `listenAddress`. */
  netns?: string;
  listenAddress?: string;
}

export async function startSshd(options: SshdOptions = {}): Promise<SshdFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-sshd-"));
  const keygen = (file: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, file)]);
  keygen("host_key");
  keygen("client_key");
  fs.copyFileSync(path.join(dir, "client_key.pub"), path.join(dir, "authorized_keys"));
  const listenAddress = options.listenAddress ?? "127.0.0.1";
  // A namespace of our own has every port free; on this machine's loopback, ask for a free one.
  const port = options.netns ? 22 : await freePort(0);
  const config = [
    `Port ${port}`,
    `ListenAddress ${listenAddress}`,
    `HostKey ${path.join(dir, "host_key")}`,
    `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
    `PidFile ${path.join(dir, "sshd.pid")}`,
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "StrictModes no",
    "UsePAM no",
    "AllowStreamLocalForwarding yes",
    // @pulumi/command's remote Command passes its environment and the previous output as env
    // requests, which sshd drops unless it accepts them (sshd_config(5) AcceptEnv).
    "AcceptEnv PULUMI_COMMAND_*",
    // VERBOSE logs each accepted key: how tests count connections.
    "LogLevel VERBOSE",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "sshd_config"), config + "\n");
  fs.mkdirSync("/run/sshd", { recursive: true }); // privilege separation directory
  const sshdArgs = ["-D", "-e", "-f", path.join(dir, "sshd_config")];
  // nsenter, unshare and sh each exec the next, so the PID we hold is the server's.
  let argv = [SSHD_BINARY, ...sshdArgs];
  if (options.dockerSocket || options.netns) {
    // A private mount namespace: the engine's socket where the docker CLI looks for it and, in a
    // network namespace, a sysfs of that namespace (/sys/class/net lists the host's own interfaces).
    const mounts = [
      ...(options.dockerSocket ? ['mount --bind "$0" /run/docker.sock'] : []),
      ...(options.netns ? ["mount -t sysfs sysfs /sys"] : []),
    ];
    argv = [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      `${mounts.join(" && ")} && exec "$@"`,
      options.dockerSocket ?? "-",
      ...argv,
    ];
  }
  if (options.netns) argv = ["nsenter", `--net=/run/netns/${options.netns}`, ...argv];
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: "pipe" });
  let stderr = "";
  child.stderr!.on("data", (data: Buffer) => (stderr += data.toString()));
  const listening = await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, listenAddress, () => {
          socket.end();
          resolve(true);
        });
        socket.on("error", () => resolve(false));
      }),
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  if (!listening) {
    child.kill("SIGKILL");
    throw new Error(`sshd did not listen on ${listenAddress}:${port}: ${stderr}`);
  }
  return {
    port,
    user: os.userInfo().username,
    privateKey: fs.readFileSync(path.join(dir, "client_key"), "utf8"),
    hostPublicKey: fs.readFileSync(path.join(dir, "host_key.pub"), "utf8").trim(),
    connections: () => (stderr.match(/Accepted publickey/g) ?? []).length,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A key pair no server here trusts: for wrong-key and unknown-host-key tests. */
export function strangerKeyPair(): { privateKey: string; publicKey: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-stranger-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "k")]);
    return { privateKey: fs.readFileSync(path.join(dir, "k"), "utf8"), publicKey: fs.readFileSync(path.join(dir, "k.pub"), "utf8").trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
