/**
 * DockerHost: the Docker provider for one host, local socket or ssh://. Components receive it through
 * ordinary resource options ({ provider } or { providers }) and hand it to their children.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ConfigIssue, LabConfigError, show } from "../net/errors";
import { DockerHostAddress, bareHost, parseDockerHost } from "./docker-host-url";
import { HostCheck, hostCheckIssues } from "./host-check";
import { HostExec, SSH_HOST_KEY_CHECK, dockerExecTarget } from "./host-exec";
import { HostNeeds, hostFactNotes } from "./host-facts";
import { DockerTls, materializeDockerTls } from "./docker-tls";
import { SshIdentity, hostKeyIssue, materializeSshIdentity } from "./ssh-identity";
import { sshOptionIssues } from "./ssh-options";

export interface DockerHostArgs {
  /** unix:///var/run/docker.sock (default), ssh://user@host[:port] or tcp://host:port (with tls). */
  host?: string;
  /** Extra ssh options for ssh:// hosts, as passed to `ssh` (e.g. ["-o", "ServerAliveInterval=10"]). */
  sshOpts?: string[];
  /** The key and known host key of an ssh:// host; the key stays a secret (see ssh-identity.ts). */
  sshIdentity?: SshIdentity;
  /**
   * What the labs need of an ssh:// host with a key, checked at preview (HostCheck) before anything
   * is created there. A stack checks a unix:// or tcp:// engine's when it plans (engine-check.ts).
   */
  needs?: HostNeeds;
  /** A tcp:// host's TLS (required for tcp://): secrets, see docker-tls.ts. */
  tls?: DockerTls;
}

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * What a component needs to reach its Docker host besides the provider (which reaches it through
 * resource options): plain data, made once by DockerHost. Components take it as `host`; none parses
 * a Docker host URL or takes ssh options itself.
 */
export interface HostConnection {
  /** The Docker host URL the provider talks to: the host's identity in messages and state. */
  url: string;
  /**
   * How docker commands run there (readiness, probes, the DHCP lease): the local CLI, or `ssh`
   * with the provider's own options, which may be secret (they name the key's file).
   */
  exec: pulumi.Input<HostExec>;
}

/**
 * How components reach the Docker host at `url` (with the provider's ssh options for ssh://): the
 * one place a host URL becomes an exec target. Throws LabConfigError naming `host` on a bad URL.
 */
export function hostConnection(url: string, sshOpts?: pulumi.Input<string[]>): HostConnection {
  const parsed = parseDockerHost(url);
  if (typeof parsed === "string")
    throw new LabConfigError(`Docker host ${show(url)}`, [{ path: "host", message: `${show(url)} ${parsed}` }]);
  const exec =
    parsed.scheme !== "ssh" || sshOpts === undefined
      ? dockerExecTarget(url)
      : Array.isArray(sshOpts)
        ? dockerExecTarget(url, sshOpts)
        : pulumi.output(sshOpts).apply((opts) => dockerExecTarget(url, opts));
  return { url, exec };
}

/** The local engine, for components given no host. */
export const LOCAL_HOST: HostConnection = hostConnection(DEFAULT_DOCKER_HOST);

export class DockerHost extends pulumi.ComponentResource {
  readonly provider: docker.Provider;
  readonly host: string;
  readonly address: DockerHostAddress;
  readonly check?: HostCheck;
  /**
   * The ssh options the provider is given for an ssh:// host (StrictHostKeyChecking=yes or the
   * identity's files, then the user's options): whatever else runs docker commands on the host uses the same.
   */
  readonly sshOpts?: pulumi.Output<string[]>;
  /**
   * The engine's platform, e.g. linux/arm64, which lab images are built for (the provider would
   * otherwise build for the machine running Pulumi): read by the HostCheck of an ssh:// host,
   * this machine's for a local socket, the provider's default (undefined) for tcp://.
   */
  readonly platform: pulumi.Output<string | undefined>;
  /** How components reach the host: what every lab on it takes as `host`. */
  readonly connection: HostConnection;

  constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
    const host = args.host ?? DEFAULT_DOCKER_HOST;
    const parsed = validDockerHost(name, host, args);
    super("docker-netlabs:host:DockerHost", name, {}, opts);
    this.host = host;
    this.address = parsed;
    const identityOpts = args.sshIdentity ? materializeSshIdentity(parsed, args.sshIdentity) : pulumi.output([] as string[]);
    // Host keys are always checked, ahead of the user's options (ssh keeps an option's first value),
    // so that ~/.ssh/config cannot make the provider trust a host on first use. The identity's
    // options already start with their own known_hosts file and the same check.
    const hostKeyCheck = args.sshIdentity ? [] : SSH_HOST_KEY_CHECK;
    this.sshOpts = parsed.scheme === "ssh" ? identityOpts.apply((opts) => [...hostKeyCheck, ...opts, ...(args.sshOpts ?? [])]) : undefined;
    this.check =
      args.sshIdentity && parsed.scheme === "ssh"
        ? new HostCheck(
            `${name}-check`,
            { host: bareHost(parsed.host), port: parsed.port, user: parsed.user!, ...args.sshIdentity, needs: args.needs ?? {} },
            { parent: this },
          )
        : undefined;
    // What its check could not read (no image on the engine to look with) is said, not failed.
    this.check?.facts.apply((facts) => {
      const label = `${parsed.user}@${bareHost(parsed.host)}:${parsed.port ?? 22}`;
      for (const note of facts ? hostFactNotes(label, facts, args.needs ?? {}) : []) pulumi.log.warn(note, this);
    });
    this.connection = hostConnection(host, this.sshOpts);
    this.platform = this.check
      ? this.check.facts.apply((facts) => (facts?.platform && facts.platform !== "none" ? facts.platform : undefined))
      : pulumi.output(parsed.scheme === "unix" ? localPlatform() : undefined);
    const tls = args.tls && materializeDockerTls(host, args.tls);
    this.provider = new docker.Provider(
      name,
      {
        host,
        sshOpts: this.sshOpts,
        ...(tls ? { caMaterial: tls.ca, certMaterial: tls.cert, keyMaterial: tls.key } : {}),
      },
      // Nothing is created on the host before its check has passed.
      { parent: this, dependsOn: this.check ? [this.check] : [] },
    );
    this.registerOutputs({ host });
  }
}

/**
 * The host's address, once its arguments are valid: the URL, ssh options from the allow-list and
 * only for ssh://, the identity's host key, and what the host check needs to reach the host as the
 * provider does. Throws a LabConfigError naming every issue.
 */
function validDockerHost(name: string, host: string, args: DockerHostArgs): DockerHostAddress {
  const subject = `Docker host ${show(name)}`;
  const parsed = parseDockerHost(host);
  if (typeof parsed === "string") throw new LabConfigError(subject, [{ path: "host", message: `${show(host)} ${parsed}` }]);
  const issues: ConfigIssue[] = [];
  if (args.sshOpts?.length && parsed.scheme !== "ssh") {
    issues.push({ path: "sshOpts", message: `ssh options are only for ssh:// hosts, not ${show(host)}` });
  }
  if (args.sshIdentity && parsed.scheme !== "ssh") {
    issues.push({ path: "sshIdentity", message: `an SSH key is only for ssh:// hosts, not ${show(host)}` });
  }
  if (parsed.scheme === "tcp" && !args.tls) {
    issues.push({
      path: "tls",
      message: `a tcp:// Docker API without TLS is root on the host for anyone on the path: give tls (CA, certificate, key) for ${show(host)}, or reach it with ssh://`,
    });
  }
  if (args.tls && parsed.scheme !== "tcp") issues.push({ path: "tls", message: `TLS is only for tcp:// hosts, not ${show(host)}` });
  const hostKeyProblem = args.sshIdentity && hostKeyIssue(args.sshIdentity.hostKey);
  if (hostKeyProblem) issues.push({ path: "sshIdentity.hostKey", message: `${hostKeyProblem} (got ${show(args.sshIdentity!.hostKey)})` });
  for (const issue of sshOptionIssues(args.sshOpts ?? [])) {
    issues.push({ path: `sshOpts[${issue.index}]`, message: `${issue.message} (got ${show(args.sshOpts![issue.index])})` });
  }
  // The host check must reach the host as the provider does (same user, same path).
  for (const issue of args.sshIdentity && parsed.scheme === "ssh" ? hostCheckIssues(parsed, args.sshOpts ?? []) : []) {
    issues.push(
      issue.path === "host"
        ? { path: "host", message: `${show(host)} ${issue.message}` }
        : { path: `sshOpts[${issue.path}]`, message: `${issue.message} (got ${show(args.sshOpts![issue.path])})` },
    );
  }
  if (issues.length > 0) throw new LabConfigError(subject, issues);
  return parsed;
}

/** Docker's name for this machine's platform (Node names amd64 "x64"). */
export function localPlatform(): string {
  const arch: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", ia32: "386" };
  return `linux/${arch[process.arch] ?? process.arch}`;
}
