/**
 * DockerHost: the Docker provider for one host, local socket or ssh://. Components receive it through
 * ordinary resource options ({ provider } or { providers }) and hand it to their children.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { LabConfigError, show } from "../net/errors";
import { DockerHostAddress, parseDockerHost } from "./docker-host-url";
import { HostCheck } from "./host-check";
import { HostExec, dockerExecTarget } from "./host-exec";
import { HostNeeds } from "./host-facts";
import { SshIdentity, materializeSshIdentity } from "./ssh-identity";

export interface DockerHostArgs {
  /** unix:///var/run/docker.sock (default), ssh://user@host[:port] or tcp://host:port. */
  host?: string;
  /** Extra ssh options for ssh:// hosts, as passed to `ssh` (e.g. ["-o", "ServerAliveInterval=10"]). */
  sshOpts?: string[];
  /** The key and known host key of an ssh:// host; the key stays a secret (see ssh-identity.ts). */
  sshIdentity?: SshIdentity;
  /** What the labs need of an ssh:// host, checked at preview (HostCheck) before anything is created there. */
  needs?: HostNeeds;
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
  /** The engine runs on the machine running Pulumi (a unix:// socket): its interfaces can be read here. */
  local: boolean;
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
  return { url, exec, local: parsed.scheme === "unix" };
}

/** The local engine, for components given no host. */
export const LOCAL_HOST: HostConnection = hostConnection(DEFAULT_DOCKER_HOST);

export class DockerHost extends pulumi.ComponentResource {
  readonly provider: docker.Provider;
  readonly host: string;
  readonly address: DockerHostAddress;
  readonly check?: HostCheck;
  /**
   * The ssh options the provider is given for an ssh:// host (the identity's files, then the
   * user's options): whatever else runs docker commands on the host uses the same.
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
    const parsed = parseDockerHost(host);
    if (typeof parsed === "string") {
      throw new LabConfigError(`Docker host ${show(name)}`, [{ path: "host", message: `${show(host)} ${parsed}` }]);
    }
    if (args.sshOpts?.length && parsed.scheme !== "ssh") {
      throw new LabConfigError(`Docker host ${show(name)}`, [
        { path: "sshOpts", message: `ssh options are only for ssh:// hosts, not ${show(host)}` },
      ]);
    }
    if (args.sshIdentity && parsed.scheme !== "ssh") {
      throw new LabConfigError(`Docker host ${show(name)}`, [
        { path: "sshIdentity", message: `an SSH key is only for ssh:// hosts, not ${show(host)}` },
      ]);
    }
    super("docker-netlabs:host:DockerHost", name, {}, opts);
    this.host = host;
    this.address = parsed;
    const identityOpts = args.sshIdentity ? materializeSshIdentity(parsed, args.sshIdentity) : pulumi.output([] as string[]);
    this.sshOpts = parsed.scheme === "ssh" ? identityOpts.apply((opts) => [...opts, ...(args.sshOpts ?? [])]) : undefined;
    this.check =
      args.sshIdentity && parsed.scheme === "ssh"
        ? new HostCheck(
            `${name}-check`,
            { host: parsed.host, port: parsed.port, user: parsed.user ?? "root", ...args.sshIdentity, needs: args.needs ?? {} },
            { parent: this },
          )
        : undefined;
    this.connection = hostConnection(host, this.sshOpts);
    this.platform = this.check
      ? this.check.facts.apply((facts) => (facts?.platform && facts.platform !== "none" ? facts.platform : undefined))
      : pulumi.output(parsed.scheme === "unix" ? localPlatform() : undefined);
    this.provider = new docker.Provider(
      name,
      {
        host,
        sshOpts: this.sshOpts,
      },
      // Nothing is created on the host before its check has passed.
      { parent: this, dependsOn: this.check ? [this.check] : [] },
    );
    this.registerOutputs({ host });
  }
}

/** Docker's name for this machine's platform (Node names amd64 "x64"). */
export function localPlatform(): string {
  const arch: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", ia32: "386" };
  return `linux/${arch[process.arch] ?? process.arch}`;
}
