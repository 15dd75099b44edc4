/**
 * HostGuard: host preparation done by a small container in the host's network namespace, created
 * through the lab's own Docker provider (so it works the same on local and ssh:// hosts, with
 * neither sudo nor SSH). It applies its steps when it starts and undoes them when Pulumi stops it
 * on destroy; after a Docker daemon restart it applies them again. Its healthcheck passes once its
 * steps are in place, and a readiness gate (NodesReady) holds `pulumi up` until then: a guard
 * whose setup fails (no DOCKER-USER chain, a missing device) fails the deploy with its log,
 * instead of restarting forever under a deploy that succeeded.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { declareContainer } from "../declare/container";
import { LabelMap } from "../labels";
import { HostConnection, LOCAL_HOST } from "./docker-host";
import { GUARD_READY_PATH, GuardSteps, renderHostGuardScript } from "./host-guard-script";
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

export class HostGuard extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** Resolves once the guard's steps are in place; fails, with the guard's log, when they cannot be. */
  readonly ready: NodesReady;

  constructor(name: string, args: HostGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:host:HostGuard", name, {}, opts);
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
      // A component's dependsOn does not reach its children by itself.
      { parent: this, dependsOn: opts?.dependsOn },
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
}
