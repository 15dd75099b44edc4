/**
 * RealDockerMocks: Pulumi mocks that apply each registered resource to a real Docker engine the way
 * the providers users run would, and return real ids and outputs. Any resource type or input this
 * tier does not implement is refused loudly, so a test can never pass on something that was
 * silently skipped. Given the previous deploy (`new RealDockerMocks(previous)`, then
 * `finishDeploy`), it plays a second `pulumi up`; `destroyAll` plays `pulumi destroy`.
 *
 * Followed, each in the header of the module it concerns, and to be checked again at every upgrade:
 * - the Pulumi engine (pulumi/pulumi v3.248): engine.ts, dependents.ts, deletes.ts, registrations.ts;
 * - @pulumi/docker 5.2.0 (pulumi/pulumi-docker, bridging terraform-provider-docker v4.5.0):
 *   network.ts, container.ts with container-args.ts, image.ts with buildkit.ts, remote-image.ts;
 *   its ssh:// transport (docker/cli v28.5.2 connhelper, the argv from components/host/host-exec.ts):
 *   docker-provider.ts, ssh-tunnel.ts;
 * - @pulumi/command 4.5.0 (pulumi/pulumi-command v0.9): command.ts, command-ssh.ts;
 * - dynamic resources (@pulumi/pulumi 3.248's dynamic-provider host): dynamic.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { DOCKER_PROVIDER_TYPE, DockerProviders } from "./docker-provider";
import { Deployment } from "./engine";
import { AppliedResource, ResourceTiming, StepKind } from "./state";
import { unwrapSecrets } from "../secrets";

export { AppliedResource, ResourceTiming, StepKind } from "./state";

export class RealDockerMocks implements pulumi.runtime.Mocks {
  readonly timings: ResourceTiming[] = [];
  readonly errors: Error[] = [];
  private readonly deployment: Deployment;
  private readonly providers: DockerProviders;
  private readonly origin = Date.now();

  /** `previous`: the deploy whose resources this one changes, as a second `pulumi up` of the stack. */
  constructor(previous?: RealDockerMocks) {
    this.deployment = new Deployment(previous?.deployment);
    // Old resources keep reaching their engine through the tunnels they were created over.
    this.providers = new DockerProviders(previous?.providers);
  }

  /** What this deploy created or kept. */
  get applied(): AppliedResource[] {
    return this.deployment.applied;
  }

  /** What this deploy did to each resource (`type::name`), as `pulumi up` would list it. */
  get steps(): Map<string, StepKind> {
    return this.deployment.steps;
  }

  /** The engine's view of a registration: delete-before-replace, parent and dependencies. */
  observeRegistration(request: any): void {
    this.deployment.registrations.observe(request);
  }

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
      const result =
        args.type === DOCKER_PROVIDER_TYPE
          ? await this.providers.configure(args.name, unwrapSecrets(args.inputs).value)
          : await this.deployment.register(args, args.type.startsWith("docker:") ? this.providers.targetFor(args.provider) : undefined);
      this.timings.push({ type: args.type, name: args.name, startMs, endMs: Date.now() - this.origin });
      return result;
    } catch (error) {
      this.errors.push(new Error(`${args.type} "${args.name}": ${(error as Error).message}`));
      return notCreated;
    }
  }

  /** After the program has registered everything: the deletes at the end of `pulumi up`. */
  async finishDeploy(): Promise<void> {
    await this.deployment.finish();
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    throw new Error(`real-Docker mocks: invoke ${args.token} is not implemented in this tier`);
  }

  /** Throws the first error any resource met, so a test fails on it rather than on a later probe. */
  assertNoErrors(): void {
    if (this.errors.length > 0) throw new Error(this.errors.map((e) => e.message).join("\n"));
  }

  /** Removes everything created, dependents first, then closes the tunnels; returns what failed. */
  async destroyAll(): Promise<string[]> {
    const failures = await this.deployment.destroyAll();
    await this.providers.close();
    return failures;
  }

  /** ssh processes started for ssh:// providers (one per connection the provider's client dials). */
  sshConnections(): number {
    return this.providers.connections();
  }
}
