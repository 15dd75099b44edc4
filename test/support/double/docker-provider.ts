/**
 * The Docker provider resources (pulumi:providers:docker) of a deploy: for each, the engine its
 * resources are applied to, reached as the provider reaches it (terraform-provider-docker v4.5.0
 * internal/provider/config.go): a unix:// or tcp:// host directly, an ssh:// host through
 * ssh-tunnel.ts with the provider's ssh_opts. Providers are not diffed: each deploy configures them
 * afresh, and the tunnels of a previous deploy stay open for the resources created through them.
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerTarget, LOCAL_DOCKER } from "../docker-cli";
import { DockerTunnel, openDockerTunnel } from "./ssh-tunnel";
import { Inputs } from "./state";

export const DOCKER_PROVIDER_TYPE = "pulumi:providers:docker";

export class DockerProviders {
  private readonly targets = new Map<string, DockerTarget>();
  private readonly tunnels: DockerTunnel[] = [];

  /** `previous`: the providers of the deploy this one follows, whose tunnels it takes over. */
  constructor(previous?: DockerProviders) {
    if (previous) this.tunnels.push(...previous.tunnels.splice(0));
  }

  /** Configures a provider resource: its engine, through a tunnel for ssh://. */
  async configure(name: string, inputs: Inputs): Promise<pulumi.runtime.MockResourceResult> {
    const host = inputs.host ?? LOCAL_DOCKER.host;
    const sshOpts: string[] = inputs.sshOpts ? JSON.parse(inputs.sshOpts) : [];
    const id = `provider-${name}-${this.targets.size}`;
    if (host.startsWith("ssh://")) {
      const tunnel = await openDockerTunnel(host, sshOpts);
      this.tunnels.push(tunnel);
      this.targets.set(id, { host: tunnel.localHost });
    } else {
      this.targets.set(id, { host });
    }
    return { id, state: inputs };
  }

  /** The engine of a resource's provider reference (`urn::id`); the local one without a provider. */
  targetFor(provider: string | undefined): DockerTarget {
    if (!provider) return LOCAL_DOCKER;
    const id = provider.slice(provider.lastIndexOf("::") + 2);
    const target = this.targets.get(id);
    if (!target) throw new Error(`unknown provider ${provider}`);
    return target;
  }

  /** ssh processes started for ssh:// providers (one per connection the provider's client dials). */
  connections(): number {
    return this.tunnels.reduce((count, tunnel) => count + tunnel.dials(), 0);
  }

  async close(): Promise<void> {
    for (const tunnel of this.tunnels.splice(0)) await tunnel.close();
  }
}
