/**
 * NetworkContainer: exposes a container's private ports on a public LAN address, static or by
 * DHCP (seed 001, done declaratively). A small router container joins the target's private network
 * and a macvlan LAN on a host interface, DNATs each exposed port to the target, MASQUERADEs towards
 * it, and holds the public address. It keeps only NET_ADMIN and NET_RAW; the target is untouched.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { declareContainer, declareNetwork, macvlanOptions } from "../declare";
import { HostConnection, LOCAL_HOST } from "../host/docker-host";
import { readEngineFacts } from "../host/engine-check";
import { HostExec, execTargetOf, remoteDockerCommandLine } from "../host/host-exec";
import { HostGuard } from "../host/host-guard";
import { promiscuousSteps } from "../host/host-guard-script";
import { exposedPorts } from "../images/catalog";
import { LabImage } from "../images/lab-image";
import { LanExposerPlan, lanExposerKind } from "../kinds/lan-exposer";
import { LabelMap, labLabels } from "../labels";
import { ProbeCheck } from "../probe/lab-probe";
import { NetworkContainerOptions, NetworkContainerPlan, planNetworkContainer } from "./plan";
import { LEASE_PATH, WAIT_LEASE_PATH } from "./scripts";

export interface NetworkContainerArgs extends NetworkContainerOptions {
  /** The target container's name; its DNS name on `targetNetwork`. */
  target: string;
  /** The private network the target is attached to (name or a Network's name output). */
  targetNetwork: pulumi.Input<string>;
  /**
   * The Docker host (DockerHost.connection), for the one step the provider cannot do: reading the
   * DHCP lease (`docker exec`), run there as the provider reaches it (`ssh` with its options).
   * Default: the local engine.
   */
  host?: HostConnection;
  /** Prefix for Docker object names. */
  namePrefix?: string;
  /** The lab router image if already built on this host. */
  routerImage?: pulumi.Input<string>;
  /** Extra labels on every Docker object of the component. */
  labels?: LabelMap;
}

export class NetworkContainer extends pulumi.ComponentResource {
  /** The public LAN address: the static one, or the DHCP lease once bound. */
  readonly address: pulumi.Output<string>;
  /** The LAN's Docker network name, for other containers (and NetworkContainers) to join. */
  readonly lanNetwork: pulumi.Output<string>;
  readonly routerContainer: string;
  readonly ports: { port: number; protocol: "tcp" | "udp" }[];

  constructor(name: string, args: NetworkContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    const { target, targetNetwork, host = LOCAL_HOST, namePrefix = "", routerImage, labels: extraLabels, ...options } = args;
    const plan = planNetworkContainer(name, options, {
      interfaceExists: "parent" in (options.lan ?? {}) ? engineInterfaceCheck(name, host) : undefined,
      exposedPorts,
    });
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) {
      throw new Error(`NetworkContainer "${name}": target ${JSON.stringify(target)} is not a container name`);
    }
    super("docker-netlabs:network-container:NetworkContainer", name, {}, opts);
    const fullName = `${namePrefix}${name}`;
    const labels = labLabels(fullName, extraLabels);
    this.ports = plan.ports;
    this.routerContainer = `${fullName}-router`;
    const image = routerImage ?? new LabImage(`${name}-router-image`, { image: "router" }, { parent: this }).imageName;

    const lan = plan.lan.create
      ? this.declareLan(name, fullName, plan.lan, plan.promiscuous, image, labels, host)
      : { network: pulumi.output(plan.lan.network), dependencies: [] };
    this.lanNetwork = lan.network;
    const exposer: LanExposerPlan = {
      containerName: this.routerContainer,
      hostname: fullName,
      target,
      ports: plan.ports,
      mode: plan.address.kind === "static" ? { kind: "static", address: plan.address.address } : { kind: "dhcp", hostname: fullName },
      leaseTimeoutSeconds: plan.address.kind === "dhcp" ? plan.address.timeoutSeconds : 10,
    };
    const networks = { private: targetNetwork, lan: this.lanNetwork };
    const router = declareContainer(`${name}-router`, lanExposerKind.container(exposer, { image, networks, labels }), {
      parent: this,
      dependsOn: lan.dependencies,
    });
    this.address = plan.address.kind === "static" ? pulumi.output(plan.address.address) : this.readLease(name, host, router);
    this.registerOutputs({ address: this.address, lanNetwork: this.lanNetwork, routerContainer: this.routerContainer });
  }

  /** The LAN the component creates: a macvlan on the host interface, its parent made promiscuous when asked. */
  private declareLan(
    name: string,
    fullName: string,
    lan: Extract<NetworkContainerPlan["lan"], { create: true }>,
    promiscuous: boolean,
    image: pulumi.Input<string>,
    labels: LabelMap,
    host: HostConnection,
  ): { network: pulumi.Output<string>; dependencies: pulumi.Resource[] } {
    const network = declareNetwork(
      `${name}-lan`,
      {
        name: `${fullName}-lan`,
        driver: "macvlan",
        internal: lan.internal,
        subnet: lan.subnet.cidr,
        gateway: lan.gateway,
        ipRange: lan.ipRange,
        options: macvlanOptions(lan.parent),
        labels: { ...labels, "io.docker-netlabs.segment": "lan" },
      },
      { parent: this },
    );
    if (!promiscuous) return { network: network.name, dependencies: [network] };
    const guard = new HostGuard(
      `${name}-promisc`,
      { steps: promiscuousSteps(lan.parent), image, containerName: `${fullName}-promisc`, capabilities: ["NET_ADMIN"], labels, host },
      { parent: this, dependsOn: [network] },
    );
    return { network: network.name, dependencies: [network, guard] };
  }

  /**
   * The DHCP lease, once the router runs: read with a bounded wait (the script's own, and ssh's
   * connect and keepalive bounds), on the host the way the Docker provider reaches it.
   */
  private readLease(name: string, host: HostConnection, router: pulumi.CustomResource): pulumi.Output<string> {
    const waitLease = ["exec", this.routerContainer, WAIT_LEASE_PATH];
    const create = pulumi.output(host.exec).apply((exec) => remoteDockerCommandLine(execTargetOf(exec), waitLease));
    const lease = new command.local.Command(
      `${name}-lease`,
      // A new router (same name, new id) has a new lease: the command runs again.
      { create, triggers: [router.id] },
      { parent: this, dependsOn: [router] },
    );
    // The ssh options may be secret (they name the key's file): the leased address is not.
    return pulumi.unsecret(lease.stdout);
  }

  /** Natural check: the router holds its LAN address (the DHCP lease, or the static one in place). */
  probeChecks(): ProbeCheck[] {
    return [
      {
        kind: "file",
        name: `${this.routerContainer} holds its LAN address`,
        container: this.routerContainer,
        path: LEASE_PATH,
        show: true,
      },
    ];
  }
}

/**
 * Whether the host's engine has an interface, from its own facts (engine-check.ts: a container in
 * the engine's network namespace, wherever the engine runs), read now for a unix:// or tcp://
 * engine. Undefined, with a note, where they cannot be read now: an ssh:// host (its options may
 * be outputs, its key file not yet written; DockerHost's `needs` reach its HostCheck), an engine
 * that does not answer yet, or one without an image to look with. Docker still refuses a missing
 * parent when it creates the network.
 */
function engineInterfaceCheck(name: string, host: HostConnection): ((parent: string) => boolean) | undefined {
  const exec = host.exec as HostExec;
  const plain = !pulumi.Output.isInstance(host.exec) && !(host.exec instanceof Promise) && exec.kind === "local";
  const facts = plain ? readEngineFacts(execTargetOf(exec), { network: true }) : undefined;
  const interfaces = facts?.interfaces;
  if (interfaces) return (parent) => interfaces.includes(parent);
  const why = !facts
    ? "it is reached over ssh (list it in the DockerHost's needs to have HostCheck check it at preview)"
    : facts.networkUnknown;
  pulumi.log.warn(`NetworkContainer "${name}": the LAN's parent interface was not checked on ${host.url} ahead: ${why}`);
  return undefined;
}
