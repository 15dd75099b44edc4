/**
 * RoutedLab: a declarative L2/L3 lab in the spirit of conlink. Segments become Docker networks,
 * nodes become containers with one static address per segment, static routes, forwarding for
 * routers, commands run once their interfaces are up, DNS names and published ports.
 * The whole description is validated before anything is created.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HostGuard } from "../host/host-guard";
import { READY_WAIT_SECONDS, RestartPolicy } from "../host/lifecycle";
import { NetworkSpec, declareContainer, declareNetwork, declarePulledImage, macvlanOptions } from "../declare";
import { kindOf } from "../kinds";
import { NodesReady } from "../host/readiness";
import { LinkImpairment } from "../host/link-impairment";
import { bridgeRuleSteps, vxlanSteps } from "../host/host-guard-script";
import { PortForwarder } from "../host/port-forwarder";
import { LabImageRefs, LabImages, buildLabImages } from "../images/lab-image";
import { HostConnection, LOCAL_HOST } from "../host/docker-host";
import { LabComponent, LabNode, LabNodeRouting, LabPublishedPort, LabSegment, LabSettings, labSettings } from "../lab";
import { LabelMap, labLabels } from "../labels";
import { renderMermaid } from "../net/mermaid";
import { SegmentPlan, labSubject, requiredLabImages } from "../net/topology";
import { LabPlan, NodePlan, RoutedLabSpec, netemInterfaces, planRoutedLab } from "./plan";
import { checkEngine } from "../host/engine-check";
import { HostExec, execTargetOf } from "../host/host-exec";
import { LabConfigError } from "../net/errors";
import { declareWithoutPromiseStacks } from "../declaration";
import { ProbeCheck } from "../probe/lab-probe";
import { routingChecks, routingDiagram, routingInfo } from "../protocols";

export interface RoutedLabArgs {
  /** The lab: its segments, nodes (with their routing), checks and BFD (RoutedLabSpec). */
  spec: RoutedLabSpec;
  /** Prefix for every Docker object name, so several stacks can share one engine. */
  namePrefix?: string;
  /**
   * Own images already on this host, by name (router, web, client, dhcp-server): the ones the lab
   * needs and is not given are built as children.
   */
  images?: LabImageRefs;
  /** The base of the own images built here (default debian:bookworm-slim; pinned, name@sha256:<digest>). */
  baseImage?: string;
  /** Extra labels on every Docker object of the lab. */
  labels?: LabelMap;
  /**
   * What the lab's containers do after a Docker daemon restart or a host reboot: "unless-stopped"
   * (default) brings the lab back by itself; "always" too; "no" leaves it down until the next `pulumi up`.
   */
  restart?: string;
  /**
   * The lab's Docker host (DockerHost.connection), where its nodes' readiness is read. Default: the
   * local engine. The provider reaches it through the resource options.
   */
  host?: HostConnection;
  /** How long a node may take to become ready before `pulumi up` fails on it (default 90 s). */
  readyTimeoutSeconds?: number;
}

/** Kept as names of their own for the components built on RoutedLab. */
export type RoutedLabNodeInfo = LabNode;
export type RoutedLabRoutingInfo = LabNodeRouting;
export type RoutedLabSegmentInfo = LabSegment;
export type RoutedLabPublishedPort = LabPublishedPort;

export class RoutedLab extends pulumi.ComponentResource implements LabComponent {
  readonly plan: LabPlan;
  readonly networks: Record<string, docker.Network> = {};
  readonly containers: Record<string, docker.Container> = {};
  /** Each impaired interface's LinkImpairment, by `node/segment`. */
  readonly impairments: Record<string, LinkImpairment> = {};
  /** Done when every node is healthy; `pulumi up` fails naming a node that is not. */
  ready!: NodesReady;
  readonly nodes: Record<string, RoutedLabNodeInfo>;
  readonly segments: Record<string, RoutedLabSegmentInfo>;
  readonly published: RoutedLabPublishedPort[];
  /** Mermaid flowchart of the lab. */
  readonly mermaid: string;

  /**
   * `planned`: planRoutedLab's result for `args.spec` and `args.namePrefix`, when the caller has
   * planned them already (a stack plans every lab before it declares any; BgpTriangle and LispSite
   * plan their RoutedLab with themselves): then the lab is not planned again.
   */
  constructor(name: string, args: RoutedLabArgs, opts?: pulumi.ComponentResourceOptions, planned?: LabPlan) {
    // Validate before registering anything: a bad description (or netem the local engine lacks) creates nothing.
    const plan = planned ?? checkNetemNow(name, planRoutedLab(name, args.spec, { namePrefix: args.namePrefix }), args.host ?? LOCAL_HOST);
    const settings = labSettings(labSubject(name), args);
    super("docker-netlabs:routed-lab:RoutedLab", name, {}, opts);
    this.plan = plan;
    // Hundreds of containers are declared here: without the SDK's per-promise stack traces.
    declareWithoutPromiseStacks(() => this.declareResources(name, plan, args, settings));
    this.published = plan.nodes.flatMap((node) =>
      node.publish.map((port) => ({
        node: node.name,
        listen: `${port.hostAddress}:${port.hostPort}/${port.protocol}`,
        target: `${port.targetAddress}:${port.containerPort}`,
        via: port.via,
      })),
    );

    this.nodes = Object.fromEntries(
      plan.nodes.map((node) => [
        node.name,
        {
          container: node.containerName,
          addresses: Object.fromEntries(node.interfaces.map((iface) => [iface.segment, iface.address])),
          ...addresses6(node),
          router: node.router,
          ...(node.routing ? { routing: routingInfo(node.routing) } : {}),
        },
      ]),
    );
    this.segments = Object.fromEntries(
      plan.segments.map((segment) => [
        segment.name,
        {
          network: segment.networkName,
          subnet: segment.subnet.cidr,
          gateway: segment.gateway,
          ...(segment.ipv6 ? { ipv6: segment.ipv6.cidr, gateway6: segment.gateway6 } : {}),
          driver: segment.driver,
          ...(segment.bridgeName ? { bridge: segment.bridgeName } : {}),
          ...(segment.vxlan
            ? {
                vxlan: {
                  id: segment.vxlan.id,
                  remote: segment.vxlan.remote,
                  interface: segment.vxlan.interfaceName,
                  mtu: segment.vxlan.mtu,
                },
              }
            : {}),
        },
      ]),
    );
    this.mermaid = renderMermaid(plan, (node) => routingDiagram(node.routing));
    this.registerOutputs({
      nodes: this.nodes,
      segments: this.segments,
      published: this.published,
      mermaid: this.mermaid,
    });
  }

  /** The lab's Docker objects: networks, host preparation, nodes, port forwarders. */
  private declareResources(name: string, plan: LabPlan, args: RoutedLabArgs, settings: LabSettings): void {
    const labName = `${args.namePrefix ?? ""}${name}`;
    const labels = labLabels(labName, args.labels);
    const images = this.resolveLabImages(name, plan, settings.images, args.baseImage);

    for (const segment of plan.segments) {
      this.networks[segment.name] = this.createNetwork(name, segment, labels);
    }

    const guard =
      plan.guardedBridges.length > 0
        ? new HostGuard(
            `${name}-bridge-guard`,
            {
              steps: bridgeRuleSteps(plan.guardedBridges, `docker-netlabs:${labName}`, ipv6Bridges(plan)),
              image: images.router!,
              containerName: `${labName}-bridge-guard`,
              capabilities: ["NET_ADMIN", "NET_RAW"],
              labels,
              host: args.host,
            },
            // Created after, and so destroyed before, the bridges it names.
            { parent: this, dependsOn: Object.values(this.networks) },
          )
        : undefined;

    const tunnels = this.createTunnels(name, labName, plan, images, labels, args.host);
    const nodeDependencies = [guard, tunnels].filter((resource): resource is HostGuard => resource !== undefined);
    const restart = settings.restart;
    for (const node of plan.nodes) {
      this.containers[node.name] = this.createNode(name, node, images, labels, nodeDependencies, restart);
    }
    this.ready = new NodesReady(
      `${name}-ready`,
      {
        lab: labName,
        host: args.host ?? LOCAL_HOST,
        nodes: plan.nodes.map((node) => ({ node: node.name, container: node.containerName, id: this.containers[node.name].id })),
        timeoutSeconds: args.readyTimeoutSeconds ?? READY_WAIT_SECONDS,
      },
      { parent: this, dependsOn: Object.values(this.containers) },
    );

    this.createForwarders(name, plan, images.router!, labels, restart);
    this.createImpairments(name, labName, plan, images.router!, args.host ?? LOCAL_HOST);
  }

  /**
   * A LinkImpairment per impaired interface, once the lab is ready: a resource of its own, so that a
   * changed impairment updates it alone and never the node (ARCHITECTURE.md, Link impairments).
   */
  private createImpairments(name: string, labName: string, plan: LabPlan, image: pulumi.Input<string>, host: HostConnection): void {
    for (const node of plan.nodes) {
      for (const iface of node.interfaces.filter((candidate) => candidate.impairment)) {
        this.impairments[`${node.name}/${iface.segment}`] = new LinkImpairment(
          `${name}-${node.name}-${iface.segment}-impairment`,
          {
            lab: labName,
            node: node.name,
            container: node.containerName,
            containerId: this.containers[node.name].id,
            segment: iface.segment,
            address: iface.address,
            impairment: iface.impairment!,
            image,
            host,
          },
          { parent: this, dependsOn: [this.ready] },
        );
      }
    }
  }

  /** A host-side forwarder per port published from internal segments only (Docker publishes none there). */
  private createForwarders(name: string, plan: LabPlan, image: pulumi.Input<string>, labels: LabelMap, restart: RestartPolicy): void {
    for (const node of plan.nodes) {
      for (const port of node.publish.filter((published) => published.via === "forwarder")) {
        new PortForwarder(
          `${name}-${node.name}-publish-${port.hostPort}-${port.protocol}`,
          {
            hostAddress: port.hostAddress,
            hostPort: port.hostPort,
            protocol: port.protocol,
            targetAddress: port.targetAddress,
            targetPort: port.containerPort,
            image,
            containerName: `${node.containerName}-publish-${port.hostPort}-${port.protocol}`,
            labels,
            restart,
          },
          { parent: this, dependsOn: [this.containers[node.name]] },
        );
      }
    }
  }

  /**
   * Natural checks of the lab: every node reaches the next hop of each of its routes; every router
   * with a protocol has its adjacencies up (OSPF, BGP, BFD) and a route to every LAN it should
   * learn; then the lab's own checks.
   */
  probeChecks(): ProbeCheck[] {
    const routes: ProbeCheck[] = this.plan.nodes.flatMap((node) =>
      node.routes.map((route) => ({
        kind: "reach" as const,
        name: `${node.name} reaches ${route.via} (route ${route.to})`,
        from: node.containerName,
        address: route.via,
      })),
    );
    const declared: ProbeCheck[] = this.plan.checks.map((check) =>
      "reach" in check
        ? { kind: "reach", name: `${check.from} reaches ${check.reach}`, from: check.container, address: check.reach }
        : {
            kind: "fetch",
            name: `${check.from} fetches ${check.fetch}`,
            from: check.container,
            url: check.fetch,
            ...(check.expect !== undefined ? { expect: check.expect } : {}),
          },
    );
    return [...routes, ...routingChecks(this.plan), ...declared];
  }

  /** The host's end of each stretched segment's tunnel, created after (so destroyed before) its bridge. */
  private createTunnels(
    name: string,
    labName: string,
    plan: LabPlan,
    images: Partial<LabImages>,
    labels: LabelMap,
    host: HostConnection | undefined,
  ): HostGuard | undefined {
    const stretched = plan.segments.filter((segment) => segment.vxlan);
    if (stretched.length === 0) return undefined;
    return new HostGuard(
      `${name}-tunnels`,
      {
        steps: vxlanSteps(stretched.map((segment) => ({ ...segment.vxlan!, bridge: segment.bridgeName! }))),
        image: images.router!,
        containerName: `${labName}-tunnels`,
        capabilities: ["NET_ADMIN"],
        labels,
        host,
        // A replaced bridge loses its tunnel: the guard is replaced with it and joins the new one.
        boundTo: stretched.map((segment) => this.networks[segment.name].id),
      },
      { parent: this, dependsOn: stretched.map((segment) => this.networks[segment.name]) },
    );
  }

  /** Image reference per lab image the plan needs: the ones given, the rest built here. */
  private resolveLabImages(name: string, plan: LabPlan, given: Partial<LabImages>, baseImage?: string): Partial<LabImages> {
    const missing = requiredLabImages(plan).filter((image) => given[image] === undefined);
    return { ...given, ...buildLabImages(`${name}-image`, { parent: this }, missing, undefined, baseImage) };
  }

  private createNetwork(lab: string, segment: SegmentPlan, labels: LabelMap): docker.Network {
    return declareNetwork(`${lab}-${segment.name}`, segmentNetwork(segment, labels), { parent: this });
  }

  private createNode(
    lab: string,
    node: NodePlan,
    images: Partial<LabImages>,
    labels: LabelMap,
    hostPreparation: HostGuard[],
    restart: RestartPolicy,
  ): docker.Container {
    const image =
      typeof node.image === "string"
        ? images[node.image]!
        : declarePulledImage(`${lab}-${node.name}-image`, node.image.ref, { parent: this });
    const networks = Object.fromEntries(node.interfaces.map((iface) => [iface.segment, this.networks[iface.segment].name]));
    return declareContainer(`${lab}-${node.name}`, kindOf(node).container(node, { image, networks, labels, restart }), {
      parent: this,
      dependsOn: hostPreparation,
    });
  }
}

/**
 * Where a lab asks for delay, jitter or loss on a unix:// or tcp:// engine whose exec target is at
 * hand: the engine's kernel is tried for netem now (engine-check.ts), and a kernel without it is a
 * LabConfigError naming the host and each interface. An ssh:// host is checked by its DockerHost's
 * HostCheck (its needs), an engine that cannot be tried is left to the LinkImpairment's own error.
 */
function checkNetemNow(name: string, plan: LabPlan, host: HostConnection): LabPlan {
  const netem = netemInterfaces(plan);
  const exec = host.exec as HostExec;
  if (netem.length === 0 || pulumi.Output.isInstance(host.exec) || host.exec instanceof Promise || exec.kind !== "local") return plan;
  const { issues } = checkEngine(host.url, execTargetOf(exec), { netem });
  const kernel = issues.filter((issue) => /netem/.test(issue.message));
  if (kernel.length > 0)
    throw new LabConfigError(
      labSubject(name),
      kernel.map((issue) => ({ path: "host", message: issue.message })),
    );
  return plan;
}

/** The guarded bridges of segments with IPv6: their guard admits bridged IPv6 as well. */
function ipv6Bridges(plan: LabPlan): string[] {
  const withIpv6 = new Set(plan.segments.flatMap((segment) => (segment.ipv6 && segment.bridgeName ? [segment.bridgeName] : [])));
  return plan.guardedBridges.filter((bridge) => withIpv6.has(bridge));
}

/** A node's IPv6 address on each segment where it has one, when it has any (LabNode.addresses6). */
function addresses6(node: NodePlan): Pick<LabNode, "addresses6"> {
  const entries = node.interfaces.flatMap((iface) => (iface.ipv6 !== undefined ? [[iface.segment, iface.ipv6]] : []));
  return entries.length > 0 ? { addresses6: Object.fromEntries(entries) } : {};
}

/** A segment's Docker network: a bridge of the plan's name (and MTU when stretched), or a macvlan on its parent. */
function segmentNetwork(segment: SegmentPlan, labels: LabelMap): NetworkSpec {
  return {
    name: segment.networkName,
    driver: segment.driver,
    internal: segment.internal,
    subnet: segment.subnet.cidr,
    gateway: segment.gateway,
    ...(segment.ipv6 ? { ipv6: { subnet: segment.ipv6.cidr, gateway: segment.gateway6! } } : {}),
    options:
      segment.driver === "bridge"
        ? {
            "com.docker.network.bridge.name": segment.bridgeName!,
            // Containers on a stretched segment leave room for the tunnel's header.
            ...(segment.vxlan ? { "com.docker.network.driver.mtu": String(segment.vxlan.mtu) } : {}),
            ...(segment.mtu !== undefined ? { "com.docker.network.driver.mtu": String(segment.mtu) } : {}),
          }
        : macvlanOptions(segment.parent!),
    labels: { ...labels, "io.docker-netlabs.segment": segment.name },
  };
}
