/**
 * HostCheck: reads a remote Docker host's facts over SSH in the dynamic provider's `check`, which
 * Pulumi runs at preview, so that a missing macvlan parent or a Docker engine too old for a lab is
 * an error at `pulumi preview` naming the host and the field, not a failure half way through `up`.
 * The Docker provider of the host depends on it, so nothing on the host is created before it passes.
 *
 * The engine calls `update` when `diff` reports a change (host, port or needs): what update returns
 * is the resource's whole new state, so it returns every output, facts included (the dynamic-provider
 * host would otherwise keep only `__provider`). Refresh keeps the outputs (no `read`): the facts are
 * those of the last check, and interfaces come and go with every container.
 *
 * It connects with ssh2 (SshHost, which Pulumi serializes with the provider), not the `ssh` binary:
 * it runs in `check`, at preview, with the key itself as a (secret) input, before anything else of
 * the host; the key file that the Docker provider's options name is written by an apply of the
 * program that nothing orders before this check. What it runs there are the same docker commands
 * (engine-facts.ts) that the local CLI runs for a unix:// or tcp:// engine when a stack plans
 * (engine-check.ts), so the facts mean the same for every transport: the engine's own, read from
 * a container in its network namespace, not the SSH host's tools.
 */
import * as pulumi from "@pulumi/pulumi";
import * as os from "node:os";
import { DynamicResource } from "../declare/dynamic-providers";
import { show } from "../net/errors";
import { DockerHostAddress } from "./docker-host-url";
import { HostNeeds, checkHostFacts, needsKernelLook } from "./host-facts";
import { hostCheckOptionIssues } from "./ssh-options";
import { HostFacts, SshHost } from "./ssh-host";

/** The name ssh logs in with when neither the URL nor ~/.ssh/config names a user: the local user's. */
function localUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? "<user>";
  }
}

/**
 * What keeps the host check from reaching the host as the provider's `ssh` does: no user in the
 * URL (ssh would take it from ~/.ssh/config or the local user name, which ssh2 cannot know for
 * sure), or an ssh option the check cannot follow (ProxyJump, an address family). Each issue's
 * path is `host` or the index in sshOpts; messages leave the value for the caller to show.
 */
export function hostCheckIssues(address: DockerHostAddress, sshOpts: readonly string[]): { path: "host" | number; message: string }[] {
  const issues: { path: "host" | number; message: string }[] = [];
  if (!address.user) {
    const user = localUserName();
    issues.push({
      path: "host",
      message:
        "names no user: with an SSH key the host check logs in itself and must use the provider's user, " +
        `which ssh would take from ~/.ssh/config or the local user name (${show(user)}); name it, e.g. ssh://${user}@${address.host}`,
    });
  }
  issues.push(...hostCheckOptionIssues(sshOpts).map((issue) => ({ path: issue.index, message: issue.message })));
  return issues;
}

export interface HostCheckArgs {
  /** The host name or address (an IPv6 address without brackets). */
  host: string;
  port?: number;
  /** The user the provider's ssh logs in as: the one the host URL names. */
  user: string;
  privateKey: pulumi.Input<string>;
  /** known_hosts form of the host's key; the connection is refused if the host shows another. */
  hostKey: string;
  needs: HostNeeds;
}

interface HostCheckInputs extends Omit<HostCheckArgs, "privateKey"> {
  privateKey: string;
}

/** The host's facts, over one bounded SSH connection that checks the host key (ssh-host.ts). */
async function readFacts(inputs: HostCheckInputs): Promise<HostFacts> {
  const host = new SshHost({
    host: inputs.host,
    port: inputs.port,
    user: inputs.user,
    privateKey: inputs.privateKey,
    hostKey: inputs.hostKey,
    commandTimeoutMs: 20_000,
  });
  try {
    return await host.facts(Object.keys(inputs.needs?.imageSources ?? {}), needsKernelLook(inputs.needs ?? {}));
  } finally {
    await host.close();
  }
}

export const hostCheckProvider: pulumi.dynamic.ResourceProvider = {
  // The facts read here travel to `create` with the checked inputs: one SSH connection per run.
  async check(_olds: HostCheckInputs, news: HostCheckInputs) {
    const facts = await readFacts(news);
    const issues = checkHostFacts(`${news.user}@${news.host}:${news.port ?? 22}`, facts, news.needs);
    return { inputs: { ...news, facts }, failures: issues.map((issue) => ({ property: issue.path, reason: issue.message })) };
  },
  async create(inputs: HostCheckInputs & { facts?: HostFacts }) {
    const facts = inputs.facts ?? (await readFacts(inputs));
    return { id: `${inputs.host}:${inputs.port ?? 22}`, outs: { ...inputs, facts } };
  },
  async diff(_id: string, olds: HostCheckInputs, news: HostCheckInputs) {
    return { changes: JSON.stringify([olds.host, olds.port, olds.needs]) !== JSON.stringify([news.host, news.port, news.needs]) };
  },
  // The facts `check` read in this same run travel in `news` (read again only if they did not).
  async update(_id: string, _olds: HostCheckInputs & { facts?: HostFacts }, news: HostCheckInputs & { facts?: HostFacts }) {
    const facts = news.facts ?? (await readFacts(news));
    return { outs: { ...news, facts } };
  },
};

export class HostCheck extends DynamicResource {
  declare readonly facts: pulumi.Output<HostFacts>;

  constructor(name: string, args: HostCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super("HostCheck", name, { ...args, privateKey: pulumi.secret(args.privateKey), facts: undefined }, opts);
  }
}
