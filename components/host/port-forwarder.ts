/**
 * PortForwarder: publishes a port of a node that sits only on internal segments.
 * Docker publishes no ports for internal networks, but the host can reach a bridge network's
 * addresses, so a socat container in the host's network namespace listens on the host address and
 * connects to the node: the lab keeps no NAT egress and the port still answers on the host.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { declareContainer } from "../declare/container";
import { LabelMap } from "../labels";
import { DEFAULT_RESTART_POLICY, RestartPolicy } from "./lifecycle";

export interface PortForwarderArgs {
  hostAddress: string;
  hostPort: number;
  protocol: "tcp" | "udp";
  targetAddress: string;
  targetPort: number;
  /** An image with socat (the lab router image). */
  image: pulumi.Input<string>;
  containerName: string;
  labels: LabelMap;
  /** Restart policy after a daemon restart: the lab's. */
  restart?: RestartPolicy;
}

/** socat arguments for one forwarded port. Pure. */
export function socatArgs(args: Omit<PortForwarderArgs, "image" | "containerName" | "labels" | "restart">): string[] {
  const kind = args.protocol.toUpperCase();
  return [
    "socat",
    `${kind}-LISTEN:${args.hostPort},bind=${args.hostAddress},reuseaddr,fork`,
    `${kind}:${args.targetAddress}:${args.targetPort}`,
  ];
}

export class PortForwarder extends pulumi.ComponentResource {
  readonly container: docker.Container;

  constructor(name: string, args: PortForwarderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:host:PortForwarder", name, {}, opts);
    this.container = declareContainer(
      name,
      {
        name: args.containerName,
        image: args.image,
        hostNetwork: true,
        capabilities: { adds: args.hostPort < 1024 ? ["NET_BIND_SERVICE"] : [], dropDefaults: true },
        command: socatArgs(args),
        restart: args.restart ?? DEFAULT_RESTART_POLICY,
        labels: args.labels,
      },
      // A component's dependsOn does not reach its children by itself.
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.registerOutputs({ listen: `${args.hostAddress}:${args.hostPort}/${args.protocol}` });
  }
}
