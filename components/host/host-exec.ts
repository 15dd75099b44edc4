/**
 * How the program runs a `docker` command on a lab's host outside the Docker provider (the probe's
 * checks, the DHCP lease): the way the provider itself reaches the host. For an ssh:// host the
 * Docker CLI runs `ssh <sshOpts> -o ConnectTimeout=30 -T [-l user] [-p port] -- host docker system
 * dial-stdio` (docker/cli connhelper); here the same `ssh` binary runs with the same options and the
 * host runs `docker <args>`, so whatever the user gives in sshOpts (ProxyJump, ServerAliveInterval,
 * the key and known_hosts files of ssh-identity.ts) applies here too. Pure: no I/O, no imports.
 */

/** Where docker commands run: the local CLI against a unix:// or tcp:// engine, or ssh to the host. */
export type DockerExecTarget =
  | { kind: "local"; dockerHost: string }
  | { kind: "ssh"; host: string; port?: number; user?: string; sshOpts: string[] };

/**
 * Bounds added after the user's options. ssh keeps the first value it is given for each option,
 * so an option the user sets (ConnectTimeout, ServerAliveInterval, ...) wins over these.
 */
export const SSH_EXEC_DEFAULTS: readonly string[] = [
  "-o", "BatchMode=yes", // never prompt for a password or passphrase: fail instead
  "-o", "ConnectTimeout=10",
  "-o", "ServerAliveInterval=10", // a silent host is dropped after 3 unanswered keepalives
  "-o", "ServerAliveCountMax=3",
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
 * The ssh argv up to the remote command: `ssh <sshOpts> <bounds> -T [-l user] [-p port] -- host`.
 * The remote command follows, each word quoted for the remote shell (see remoteDockerArgv).
 */
export function sshPrefix(target: Extract<DockerExecTarget, { kind: "ssh" }>): string[] {
  const argv = ["ssh", ...target.sshOpts, ...SSH_EXEC_DEFAULTS, "-T"];
  if (target.user) argv.push("-l", target.user);
  if (target.port !== undefined) argv.push("-p", String(target.port));
  argv.push("--", sshHostName(target.host));
  return argv;
}

/**
 * The argv (for execFile, no local shell) that runs `docker <args>` on the target. ssh joins the
 * words after the host with spaces and hands them to the remote user's shell, so each one is quoted.
 */
export function remoteDockerArgv(target: DockerExecTarget, dockerArgs: string[]): string[] {
  if (target.kind === "local") return ["docker", "-H", target.dockerHost, ...dockerArgs];
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
