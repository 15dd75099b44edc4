/**
 * How the program runs a `docker` command on a lab's host outside the Docker provider (the probe's
 * checks, the DHCP lease): the way the provider itself reaches the host. For an ssh:// host the
 * provider's Docker client runs `ssh [-l user] [-p port] <sshOpts> -o ConnectTimeout=30 -T -- host
 * docker system dial-stdio` (docker/cli connhelper: dialStdioArgv); here the same `ssh` binary runs
 * with the same options and the host runs `docker <args>`, so whatever the user gives in sshOpts
 * (ProxyJump, ServerAliveInterval, the key and known_hosts files of ssh-identity.ts) applies here too. The probe, the readiness gate
 * and the DHCP lease all reach a host through this module (their dynamic providers carry these
 * functions with them); HostCheck, which needs key material at preview, uses ssh2 (ssh-host.ts).
 * A tcp:// engine is reached with TLS, from the files DockerHost writes (dockerTlsFiles).
 * Pure: no I/O (the TLS files' folder reads $HOME), and only the pure URL parser imported.
 */
import { parseDockerHost } from "./docker-host-url";

/** A tcp:// engine's TLS files for the Docker CLI: the CA, this client's certificate and key. */
export interface DockerTlsFiles {
  /** The CA certificate the engine's certificate is checked against. */
  ca: string;
  /** This client's certificate. */
  cert: string;
  /** This client's key. */
  key: string;
}

/** Where docker commands run: the local CLI against a unix:// or tcp:// engine (tcp:// with TLS), or ssh to the host. */
export type DockerExecTarget =
  | { kind: "local"; dockerHost: string; tls?: DockerTlsFiles }
  | { kind: "ssh"; host: string; port?: number; user?: string; sshOpts: string[] };

/**
 * A DockerExecTarget as plain data, the form components are given it in (HostConnection.exec): no
 * union, so that Pulumi's component analyzer can read it. DockerHost makes it; execTargetOf reads it.
 */
export interface HostExec {
  /** "local": the docker CLI on this machine (`dockerHost` is its -H); "ssh": docker run over ssh on `host`. */
  kind: string;
  /** The engine's URL, for "local". */
  dockerHost?: string;
  /** A tcp:// engine's TLS files, for "local". */
  tls?: DockerTlsFiles;
  /** The host to ssh to, for "ssh". */
  host?: string;
  /** The ssh port, for "ssh" (default 22). */
  port?: number;
  /** The ssh user, for "ssh" (default: ssh's own). */
  user?: string;
  /** The provider's ssh options, for "ssh" (they may name the key's file). */
  sshOpts?: string[];
}

/** A HostExec read as the target it is (the same object), or what is wrong with it. */
export function execTargetOf(exec: HostExec): DockerExecTarget {
  if (exec.kind === "local" && typeof exec.dockerHost === "string") return exec as DockerExecTarget;
  if (exec.kind === "ssh" && typeof exec.host === "string" && Array.isArray(exec.sshOpts)) return exec as DockerExecTarget;
  throw new Error(
    `host.exec: ${JSON.stringify(exec.kind)} with ${Object.keys(exec).join(", ")} is no way to run docker: kind "local" takes dockerHost, kind "ssh" takes host and sshOpts (use DockerHost.connection)`,
  );
}

/**
 * Where the Docker CLI finds a tcp:// engine's TLS files, which DockerHost writes there from the
 * stack's secrets (owner-only): ~/.docker-netlabs/tls/<digest of the URL>/. Reads only $HOME.
 */
export function dockerTlsFiles(dockerHost: string): DockerTlsFiles {
  // Required here, not imported: dynamic providers carry this function as text (see readiness.ts).
  const os = require("node:os");
  const path = require("node:path");
  const { createHash } = require("node:crypto");
  const dir = path.join(os.homedir(), ".docker-netlabs", "tls", createHash("sha256").update(dockerHost).digest("hex").slice(0, 16));
  return { ca: path.join(dir, "ca.pem"), cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") };
}

/**
 * Put before the user's options, so that it wins (ssh keeps the first value of an option): the
 * host key is always checked against known_hosts, whatever sshOpts say.
 */
export const SSH_HOST_KEY_CHECK: readonly string[] = ["-o", "StrictHostKeyChecking=yes"];

/**
 * Bounds added after the user's options. ssh keeps the first value it is given for each option,
 * so an option the user sets (ConnectTimeout, ServerAliveInterval, ...) wins over these.
 */
export const SSH_EXEC_DEFAULTS: readonly string[] = [
  "-o",
  "BatchMode=yes", // never prompt for a password or passphrase: fail instead
  "-o",
  "ConnectTimeout=10",
  "-o",
  "ServerAliveInterval=10", // a silent host is dropped after 3 unanswered keepalives
  "-o",
  "ServerAliveCountMax=3",
];

/** Quotes a string as one POSIX sh word. */
export function shWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The host as ssh takes it: an IPv6 literal without the URL's brackets. */
function sshHostName(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1");
}

/**
 * The ssh argv up to the remote command: `ssh <host key check> <sshOpts> <bounds> -T [-l user]
 * [-p port] -- host`. The remote command follows, each word quoted for the remote shell (see
 * remoteDockerArgv).
 */
export function sshPrefix(target: Extract<DockerExecTarget, { kind: "ssh" }>): string[] {
  const argv = ["ssh", ...SSH_HOST_KEY_CHECK, ...target.sshOpts, ...SSH_EXEC_DEFAULTS, "-T"];
  if (target.user) argv.push("-l", target.user);
  if (target.port !== undefined) argv.push("-p", String(target.port));
  argv.push("--", sshHostName(target.host));
  return argv;
}

/**
 * The ssh argv the Docker provider's client runs for each connection to an ssh:// engine (docker/cli
 * v28.5.2 cli/connhelper: ssh.Spec.Command with the provider's ssh_opts, addSSHTimeout and
 * disablePseudoTerminalAllocation): `ssh [-l user] [-p port] <sshOpts> [-o ConnectTimeout=30] [-T]
 * -- host docker system dial-stdio`. Unlike sshPrefix it has none of our bounds nor the host key
 * check, and the URL's user and port come before sshOpts: ssh keeps the first User it is given, so
 * there the URL's user wins over one in sshOpts, where sshPrefix lets sshOpts win. The e2e test
 * double reaches an ssh:// engine with it, as the provider does.
 */
export function dialStdioArgv(target: Extract<DockerExecTarget, { kind: "ssh" }>): string[] {
  const flags = [...target.sshOpts];
  // connhelper's own tests: any option mentioning ConnectTimeout, and a literal -T.
  if (!flags.join("").includes("ConnectTimeout")) flags.push("-o ConnectTimeout=30");
  if (!flags.includes("-T")) flags.push("-T");
  const login = [...(target.user ? ["-l", target.user] : []), ...(target.port !== undefined ? ["-p", String(target.port)] : [])];
  return ["ssh", ...login, ...flags, "--", sshHostName(target.host), "docker system dial-stdio"];
}

/**
 * The argv (for execFile, no local shell) that runs `docker <args>` on the target. ssh joins the
 * words after the host with spaces and hands them to the remote user's shell, so each one is quoted.
 */
export function remoteDockerArgv(target: DockerExecTarget, dockerArgs: string[]): string[] {
  if (target.kind === "local") {
    const tls = target.tls ? ["--tlsverify", "--tlscacert", target.tls.ca, "--tlscert", target.tls.cert, "--tlskey", target.tls.key] : [];
    return ["docker", ...tls, "-H", target.dockerHost, ...dockerArgs];
  }
  return [...sshPrefix(target), ...["docker", ...dockerArgs].map(shWord)];
}

/** The same as one `sh -c` command line (for @pulumi/command's local Command). */
export function remoteDockerCommandLine(target: DockerExecTarget, dockerArgs: string[]): string {
  return remoteDockerArgv(target, dockerArgs).map(shWord).join(" ");
}

/** "user@host:port", for errors that name the host and the step, never an option's value. */
export function sshLabel(target: Extract<DockerExecTarget, { kind: "ssh" }>): string {
  return `${target.user ? `${target.user}@` : ""}${target.host}:${target.port ?? 22}`;
}

/**
 * Where docker commands for a Docker host URL run: the local CLI for unix:// and tcp:// (with the
 * engine's TLS files), `ssh` with the provider's options for ssh://. Throws on a URL the stack's
 * config would have refused.
 */
export function dockerExecTarget(dockerHost: string, sshOpts: string[] = []): DockerExecTarget {
  const address = parseDockerHost(dockerHost);
  if (typeof address === "string") throw new Error(`dockerHost ${JSON.stringify(dockerHost)} ${address}`);
  if (address.scheme === "ssh") return { kind: "ssh", host: address.host, port: address.port, user: address.user, sshOpts };
  return address.scheme === "tcp" ? { kind: "local", dockerHost, tls: dockerTlsFiles(dockerHost) } : { kind: "local", dockerHost };
}

/**
 * What went wrong when `ssh` itself failed (exit 255), as a step in our words, never ssh's text
 * (it may quote options); whether trying again may help. Undefined when the exit is the remote
 * command's own (ssh said nothing) or not ssh's at all.
 */
export function sshFailure(code: number, stderr: string): { step: string; retry: boolean } | undefined {
  if (code !== 255) return undefined;
  const said = (pattern: RegExp) => pattern.test(stderr);
  if (said(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key for .* has changed/i)) {
    return { step: "host-key: the host's key is not the known host key", retry: false };
  }
  if (said(/Permission denied|Too many authentication failures|no mutual signature/i))
    return { step: "auth: the key was refused", retry: false };
  if (said(/Connection refused/i)) return { step: "connect: connection refused", retry: true };
  if (said(/timed out|Timeout, server .* not responding/i)) return { step: "connect: timed out", retry: true };
  if (said(/Could not resolve hostname|Name or service not known/i))
    return { step: "connect: the host name does not resolve", retry: false };
  if (said(/No route to host|Network is unreachable/i)) return { step: "connect: no route to the host", retry: true };
  if (said(/Connection closed|Connection reset|kex_exchange_identification/i))
    return { step: "connect: the connection was closed", retry: true };
  // 255 is also what a remote command may exit with: it is the command's when ssh said nothing.
  return stderr.trim() === "" ? undefined : { step: "ssh failed (exit 255)", retry: true };
}
