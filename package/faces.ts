/**
 * The package's schema: what Pulumi's component analyzer reads for `pulumi package add` (the
 * constructor's `args` and the class's own properties, its outputs). Each class here is a
 * declaration only, the face of the component the provider builds (package/components.ts): the
 * same name, the same `args`, and as outputs the plain part of what the component shows. The
 * components themselves keep their TypeScript API (the plan, the Docker resources, the readiness
 * gate), which the analyzer cannot express and other languages do not need.
 * test/unit/package.test.ts checks every face against its component (tsc) and the schema.
 * ARCHITECTURE.md, The package.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostConnection } from "../components/host/docker-host";
import type { OorRouterArgs } from "../components/oor/oor-router";
import type { DockerHostArgs, PackageBgpTriangleArgs, PackageNetworkContainerArgs, PackageRoutedLabArgs } from "./components";

/** What a lab shows of one node. */
export interface LabNodeInfo {
  /** The node's Docker container name. */
  container: string;
  /** The node's IPv4 address on each segment, by segment name. */
  addresses: Record<string, string>;
  /** The node's IPv6 address on each segment where it has one, by segment name (absent without IPv6). */
  addresses6?: Record<string, string>;
  /** Whether the node forwards between its segments. */
  router: boolean;
  /** A router's routing; each protocol it runs also shows its own part here (ospf, isis, bgp, bfd). */
  routing?: LabNodeRoutingInfo;
}

/** What a lab shows of a router's routing. */
export interface LabNodeRoutingInfo {
  /** The routing protocols the router runs, in the registry's order. */
  protocols: string[];
  /** Its router id. */
  routerId: string;
  /** Its loopback address, when it has one. */
  loopback?: string;
  /** Its IPv6 loopback address, when it has one. */
  loopback6?: string;
}

/** What a lab shows of one segment. */
export interface LabSegmentInfo {
  /** The Docker network's name. */
  network: string;
  /** Its IPv4 subnet. */
  subnet: string;
  /** Docker's own gateway address on the network (the bridge's, or the macvlan's reserved one). */
  gateway: string;
  /** Its IPv6 prefix, when it has one. */
  ipv6?: string;
  /** Docker's own IPv6 gateway there. */
  gateway6?: string;
  /** The network driver: bridge or macvlan. */
  driver: string;
  /** The host's bridge (bridge driver only). */
  bridge?: string;
  /** The tunnel of a stretched segment. */
  vxlan?: LabVxlanInfo;
}

/** A stretched segment's VXLAN tunnel. */
export interface LabVxlanInfo {
  /** The VXLAN id (VNI). */
  id: number;
  /** The other site's tunnel address. */
  remote: string;
  /** The tunnel's interface on this host. */
  interface: string;
  /** The MTU of the segment's containers (room for the tunnel's header). */
  mtu: number;
}

/** A port a lab publishes on its host. */
export interface LabPublishedPortInfo {
  /** The node whose port it is. */
  node: string;
  /** hostAddress:hostPort/protocol */
  listen: string;
  /** nodeAddress:containerPort */
  target: string;
  /** How it is published: "docker" (Docker's own port mapping) or "forwarder" (a socat forwarder, for internal segments). */
  via: string;
}

/** One check of a lab's probe, once the lab is up. */
export interface LabProbeResult {
  /** What was checked ("h1 reaches 10.0.2.10"). */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** What was seen. */
  detail: string;
  /** How long it took, in milliseconds. */
  ms: number;
}

/** A BGP session of the triangle, as one router sees it. */
export interface BgpTriangleSession {
  /** The router (r1, r2 or r3). */
  router: string;
  /** The router at the other end. */
  neighbor: string;
  /** The neighbor's address. */
  address: string;
  /** The neighbor's AS number. */
  remoteAs: number;
}

/** A port a NetworkContainer exposes on its LAN. */
export interface NetworkContainerExposedPort {
  /** The port number. */
  port: number;
  /** tcp or udp. */
  protocol: string;
}

/**
 * A declarative L2/L3 lab: segments become Docker networks, nodes containers with an address per
 * segment, static routes, OSPF, IS-IS, BGP and BFD on FRR routers, published ports and checks. The
 * whole description is validated before anything is created.
 */
export declare class RoutedLab extends pulumi.ComponentResource {
  /** Each node: its container, addresses and routing. */
  readonly nodes: Record<string, LabNodeInfo>;
  /** Each segment: its Docker network, subnet and gateway. */
  readonly segments: Record<string, LabSegmentInfo>;
  /** The ports the lab publishes on its host. */
  readonly published: LabPublishedPortInfo[];
  /** The lab as a Mermaid flowchart. */
  readonly mermaid: string;
  /** The probe's results, when the lab is given `probe`. */
  readonly probeResults?: pulumi.Output<LabProbeResult[]>;
  constructor(name: string, args: PackageRoutedLabArgs, opts?: pulumi.ComponentResourceOptions);
}

/** The eBGP triangle on FRR (three routers, a host and a web server), built on RoutedLab. */
export declare class BgpTriangle extends pulumi.ComponentResource {
  /** The sessions the routers are configured with (each seen from both ends). */
  readonly sessions: BgpTriangleSession[];
  /** The host's address. */
  readonly hostAddress: string;
  /** The web server's address. */
  readonly webAddress: string;
  /** What the web server answers. */
  readonly question: string;
  /** Each node: its container, addresses and routing. */
  readonly nodes: Record<string, LabNodeInfo>;
  /** Each segment: its Docker network, subnet and gateway. */
  readonly segments: Record<string, LabSegmentInfo>;
  /** The ports the lab publishes on its host. */
  readonly published: LabPublishedPortInfo[];
  /** Routers, ASNs and links as a Mermaid flowchart. */
  readonly mermaid: string;
  /** The probe's results, when the lab is given `probe`. */
  readonly probeResults?: pulumi.Output<LabProbeResult[]>;
  constructor(name: string, args: PackageBgpTriangleArgs, opts?: pulumi.ComponentResourceOptions);
}

/** An OpenOverlayRouter node (xTR, MS/MR, RTR or MN) on its RLOC network. */
export declare class OorRouter extends pulumi.ComponentResource {
  /** The router's Docker container name. */
  readonly containerName: string;
  /** Its mode: xTR, MS, RTR or MN. */
  readonly mode: string;
  /** Its RLOC address. */
  readonly rlocAddress: string;
  /** Its EID-side addresses. */
  readonly eidAddresses: string[];
  constructor(name: string, args: OorRouterArgs, opts?: pulumi.ComponentResourceOptions);
}

/** A router container that puts a target container's ports on a LAN (macvlan), by static address or DHCP. */
export declare class NetworkContainer extends pulumi.ComponentResource {
  /** The public LAN address: the static one, or the DHCP lease once bound. */
  readonly address: pulumi.Output<string>;
  /** The LAN's Docker network name, for other containers (and NetworkContainers) to join. */
  readonly lanNetwork: pulumi.Output<string>;
  /** The router's Docker container name. */
  readonly routerContainer: string;
  /** The ports exposed on the LAN. */
  readonly ports: NetworkContainerExposedPort[];
  /** The probe's results, when it is given `probe`. */
  readonly probeResults?: pulumi.Output<LabProbeResult[]>;
  constructor(name: string, args: PackageNetworkContainerArgs, opts?: pulumi.ComponentResourceOptions);
}

/**
 * One Docker host: local socket, ssh:// (with its key, checked at preview) or tcp:// with TLS. Its
 * `connection` is every lab's `host` there; its `host` and `sshOpts` are what a docker provider for
 * the labs on it takes.
 */
export declare class DockerHost extends pulumi.ComponentResource {
  /** The Docker host URL. */
  readonly host: string;
  /** The ssh options the Docker provider is given for an ssh:// host (host key checks first, then the identity's and yours). */
  readonly sshOpts?: pulumi.Output<string[]>;
  /** The engine's platform (linux/amd64, linux/arm64), which lab images are built for. */
  readonly platform: pulumi.Output<string | undefined>;
  /** How labs reach the host: what every lab on it takes as `host`. */
  readonly connection: HostConnection;
  constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions);
}
