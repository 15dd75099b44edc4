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
 * It connects with ssh2, not the `ssh` binary: it runs in `check`, at preview, with the key itself
 * as a (secret) input, before anything else of the host; the key file that the Docker provider's
 * options name is written by an apply of the program that nothing orders before this check.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostNeeds, checkHostFacts } from "./host-facts";

export interface HostCheckArgs {
  host: string;
  port?: number;
  user: string;
  privateKey: pulumi.Input<string>;
  /** known_hosts form of the host's key; the connection is refused if the host shows another. */
  hostKey: string;
  needs: HostNeeds;
}

interface HostCheckInputs extends Omit<HostCheckArgs, "privateKey"> {
  privateKey: string;
}

/** The host's interfaces and Docker version, over one bounded SSH connection (self-contained: see LabProbe). */
async function readFacts(
  inputs: HostCheckInputs,
): Promise<{ dockerVersion: string; interfaces: string[]; addresses: string[]; images: string[]; kernel: string; platform: string }> {
  const { Client } = require("ssh2");
  const label = `${inputs.user}@${inputs.host}:${inputs.port ?? 22}`;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyRejected = false;
    client
      .on("ready", () => {
        const command = [
          "uname -r",
          "docker version --format '{{.Server.Version}}' 2>/dev/null || echo none",
          "ls /sys/class/net | tr '\\n' ' '; echo",
          // IPv4 addresses without their prefix length; an empty line where `ip` is missing.
          "ip -o -4 addr show 2>/dev/null | awk '{ split($4, a, \"/\"); printf \"%s \", a[1] }'; echo",
          // The project's lab images already on the host (for hosts that cannot build them).
          "docker image ls --format '{{.Repository}}:{{.Tag}}' 'docker-netlabs/*' 2>/dev/null | tr '\\n' ' '; echo",
          // The engine's platform (e.g. linux/arm64): lab images are built for it, not for this machine.
          "docker version --format '{{.Server.Os}}/{{.Server.Arch}}' 2>/dev/null || echo none",
        ].join("; ");
        client.exec(command, (error: Error | undefined, stream: any) => {
          if (error) return reject(new Error(`ssh ${label}: exec: ${error.message}`));
          let out = "";
          const timer = setTimeout(() => stream.close(), 20_000);
          stream.on("data", (d: Buffer) => (out += d.toString()));
          stream.stderr.on("data", () => undefined);
          stream.on("close", () => {
            clearTimeout(timer);
            client.end();
            const [kernel = "", dockerVersion = "none", interfaces = "", addresses = "", images = "", platform = "none"] = out.split("\n");
            const words = (line: string) => line.trim().split(/\s+/).filter(Boolean);
            resolve({
              kernel: kernel.trim(),
              dockerVersion: dockerVersion.trim(),
              interfaces: words(interfaces),
              addresses: words(addresses),
              images: words(images),
              platform: platform.trim(),
            });
          });
        });
      })
      // The same wording as SshHost: the host and the step that failed.
      .on("error", (error: Error & { level?: string }) => {
        if (hostKeyRejected) reject(new Error(`ssh ${label}: host-key: the host's key is not the configured hostKey`));
        else if (error.level === "client-authentication") reject(new Error(`ssh ${label}: auth: the key was refused`));
        else reject(new Error(`ssh ${label}: connect: ${error.message}`));
      });
    try {
      client.connect({
        host: inputs.host,
        port: inputs.port ?? 22,
        username: inputs.user,
        privateKey: inputs.privateKey,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => {
          hostKeyRejected = !key.equals(Buffer.from(inputs.hostKey.trim().split(/\s+/)[1], "base64"));
          return !hostKeyRejected;
        },
      });
    } catch {
      // ssh2 throws here for a key it cannot parse; its message is not repeated (the step is enough).
      reject(new Error(`ssh ${label}: key: the private key cannot be read (an unencrypted OpenSSH or PEM key is needed)`));
    }
  });
}

type HostFacts = Awaited<ReturnType<typeof readFacts>>;

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

export class HostCheck extends pulumi.dynamic.Resource {
  declare readonly facts: pulumi.Output<{ kernel: string; dockerVersion: string; interfaces: string[]; addresses: string[]; platform: string }>;

  constructor(name: string, args: HostCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(hostCheckProvider, name, { ...args, privateKey: pulumi.secret(args.privateKey), facts: undefined }, opts, "netlabs", "HostCheck");
  }
}
