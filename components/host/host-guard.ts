/**
 * HostGuard: host preparation done by a small container in the host's network namespace, created
 * through the lab's own Docker provider (so it works the same on local and ssh:// hosts, with
 * neither sudo nor SSH). It applies its steps when it starts and undoes them when Pulumi stops it
 * on destroy; after a Docker daemon restart it applies them again. Its healthcheck passes once its
 * steps are in place, and a readiness gate (NodesReady) holds `pulumi up` until then: a guard
 * whose setup fails (no DOCKER-USER chain, a missing device) fails the deploy with its log,
 * instead of restarting forever under a deploy that succeeded.
 *
 * A guard killed without its teardown (SIGKILL, `docker rm -f`, a stop grace run out) leaves its
 * changes on the host. Two things make them not outlive it: the guard's setup sweeps what any
 * earlier run of it left before applying its steps (so the next guard, after `up` replaces it or
 * the daemon restarts it, mends the host), and a sweeper, a command whose delete runs the sweep on
 * the host in a short-lived container of the guard's image, is destroyed after the guard: destroy
 * leaves no change of the guard's even when the guard's container is already gone.
 */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { declareContainer } from "../declare/container";
import { LabelMap } from "../labels";
import { HostConnection, LOCAL_HOST } from "./docker-host";
import { execTargetOf, remoteDockerCommandLine } from "./host-exec";
import { GUARD_READY_PATH, GuardSteps, renderGuardSweepScript, renderHostGuardScript } from "./host-guard-script";
import { READY_WAIT_SECONDS, readyFileTest } from "./lifecycle";
import { NodesReady } from "./readiness";

export interface HostGuardArgs {
  steps: GuardSteps;
  /** An image with iproute2 and iptables (the lab router image). */
  image: pulumi.Input<string>;
  containerName: string;
  /** The only capabilities the guard keeps, e.g. NET_ADMIN and NET_RAW. */
  capabilities: string[];
  labels: LabelMap;
  /**
   * Ids of the objects the guard's changes hang on (the bridges a tunnel joins): when one is
   * replaced, the guard is replaced with it and applies its steps to the new one.
   */
  boundTo?: pulumi.Input<string>[];
  /** The Docker host, as DockerHost reaches it: where the readiness gate looks (default the local engine). */
  host?: HostConnection;
  /** How long the guard may take to have its steps in place (default READY_WAIT_SECONDS). */
  readyTimeoutSeconds?: number;
}

const SCRIPT_PATH = "/netlabs/host-guard.sh";

/** A dependsOn given as resources (its callers' form), as a list. */
function resourcesOf(dependsOn: pulumi.ResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [];
  if (pulumi.Output.isInstance(dependsOn)) throw new Error("HostGuard: dependsOn must be resources, not an Output");
  return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}

export class HostGuard extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** Resolves once the guard's steps are in place; fails, with the guard's log, when they cannot be. */
  readonly ready: NodesReady;

  constructor(name: string, args: HostGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:host:HostGuard", name, {}, opts);
    const sweeper = args.steps.sweep?.length ? this.declareSweeper(name, args) : undefined;
    this.container = declareContainer(
      name,
      {
        name: args.containerName,
        image: args.image,
        hostNetwork: true,
        capabilities: { adds: args.capabilities, dropDefaults: true },
        entrypoint: ["/bin/sh", SCRIPT_PATH],
        uploads: [{ file: SCRIPT_PATH, content: renderHostGuardScript(args.steps), executable: true }],
        restart: "unless-stopped",
        readiness: readyFileTest(GUARD_READY_PATH),
        // Stopped (SIGTERM) before removal, so the guard undoes its changes.
        destroyGraceSeconds: 10,
        labels: args.boundTo
          ? pulumi.all(args.boundTo).apply((ids) => ({ ...args.labels, "io.docker-netlabs.bound-to": [...ids].sort().join(",") }))
          : args.labels,
      },
      // A component's dependsOn does not reach its children by itself. After the sweeper, so
      // destroyed before it: the sweep runs once the guard has stopped.
      { parent: this, dependsOn: [...resourcesOf(opts?.dependsOn), ...(sweeper ? [sweeper] : [])] },
    );
    this.ready = new NodesReady(
      `${name}-ready`,
      {
        lab: args.containerName,
        host: args.host ?? LOCAL_HOST,
        nodes: [{ node: "host guard", container: args.containerName, id: this.container.id }],
        timeoutSeconds: args.readyTimeoutSeconds ?? READY_WAIT_SECONDS,
      },
      { parent: this, dependsOn: [this.container] },
    );
    this.registerOutputs({ containerName: args.containerName, description: args.steps.description });
  }

  /**
   * The command whose delete sweeps the host: `docker run` on the guard's host, with the guard's
   * image (never pulled), host network, capabilities and labels, bounded to 60 s, removed after.
   */
  private declareSweeper(name: string, args: HostGuardArgs): command.local.Command {
    const host = args.host ?? LOCAL_HOST;
    const labels = Object.entries(args.labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]);
    const caps = [...args.capabilities].sort().flatMap((capability) => ["--cap-add", capability]);
    const script = renderGuardSweepScript(args.steps);
    const sweep = pulumi
      .all([host.exec, args.image])
      .apply(([exec, image]) =>
        remoteDockerCommandLine(execTargetOf(exec), [
          "run",
          "--rm",
          "--pull",
          "never",
          "--network",
          "host",
          "--cap-drop",
          "ALL",
          ...caps,
          ...labels,
          image,
          "timeout",
          "60",
          "sh",
          "-c",
          script,
        ]),
      );
    return new command.local.Command(`${name}-sweeper`, { delete: sweep }, { parent: this });
  }
}
