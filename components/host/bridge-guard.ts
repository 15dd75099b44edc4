/**
 * BridgeGuard: host preparation for labs whose routers forward between internal bridges.
 * A small container in the host's network namespace, created through the lab's own Docker provider
 * (so it works the same on local and ssh:// hosts, with neither sudo nor SSH), inserts one
 * DOCKER-USER rule per lab bridge when it starts and removes them when Pulumi stops it on destroy.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { LabelMap, toDockerLabels } from "../labels";
import { renderBridgeGuardScript } from "./bridge-guard-script";

export interface BridgeGuardArgs {
  /** Linux bridge names of the lab's segments. */
  bridges: string[];
  /** An image with iptables (the lab router image). */
  image: pulumi.Input<string>;
  /** Docker name of the guard container. */
  containerName: string;
  /** Text of the iptables comment on every rule, so rules can be traced to their lab. */
  ruleComment: string;
  labels: LabelMap;
}

const SCRIPT_PATH = "/netlabs/bridge-guard.sh";

export class BridgeGuard extends pulumi.ComponentResource {
  readonly container: docker.Container;

  constructor(name: string, args: BridgeGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:host:BridgeGuard", name, {}, opts);
    this.container = new docker.Container(
      name,
      {
        name: args.containerName,
        image: args.image,
        networkMode: "host",
        // Only what iptables needs; nothing else of Docker's defaults.
        capabilities: { drops: ["ALL"], adds: ["NET_ADMIN", "NET_RAW"] },
        entrypoints: ["/bin/sh", SCRIPT_PATH],
        uploads: [{ file: SCRIPT_PATH, content: renderBridgeGuardScript(args.bridges, args.ruleComment), executable: true }],
        init: true,
        // Re-applies the rules after a Docker daemon restart.
        restart: "unless-stopped",
        // Stop (SIGTERM) before removal, so the guard takes its rules away.
        destroyGraceSeconds: 10,
        labels: toDockerLabels(args.labels),
      },
      { parent: this },
    );
    this.registerOutputs({ containerName: args.containerName });
  }
}
