/**
 * OorRouter: one OpenOverlayRouter container (seed 000) in any mode, with its RLOC network and its
 * EID network(s), /dev/net/tun, NET_ADMIN and NET_RAW alone (Docker's other defaults dropped), rp_filter off and forwarding on.
 * Config "file" (default) uploads a complete rendered oor.conf; "env" sets the image's variables.
 * The image is the project's own (images/oor: Debian's OOR 1.3.0, built on the host) unless
 * another is named. A readiness gate holds `pulumi up` until OOR reports it started, and fails it,
 * with the container's last log lines, when OOR exits (the own image exits non-zero on a
 * configuration OOR refuses).
 * The map-server and site keys are Pulumi secrets end to end: the rendered text and the
 * environment carrying them are secret outputs, and no output of the component contains them.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HostConnection, LOCAL_HOST } from "../host/docker-host";
import { READY_WAIT_SECONDS } from "../host/lifecycle";
import { labSettings } from "../lab";
import { NodesReady } from "../host/readiness";
import { LabImage } from "../images/lab-image";
import { declareContainer, declarePulledImage } from "../declare";
import { eidNetworkKey, oorRouterKind } from "../kinds/oor-router";
import { LabelMap, labLabels } from "../labels";
import { isIpv4Address, isUsableHost, parseSubnet } from "../net/addressing";
import { ConfigIssue, LabConfigError, show } from "../net/errors";
import { OorOptions, OorPlan, planOorRouter } from "./plan";

export { OOR_HEALTH_TEST, OOR_READY_PATH } from "../kinds/oor-router";

/** The upstream image (Docker Hub, built from OOR's 2020 master on Ubuntu 16.04): a documented choice. */
export const OOR_IMAGE = "openoverlayrouter/oor";
/** The `image` that means the project's own image, built from images/oor on the lab's host. */
export const OWN_OOR_IMAGE = "docker-netlabs/oor";
/** Where the own image records a prefix registered: the MS's accepted sites, an xTR's confirmed own. */
export const OOR_REGISTERED_DIR = "/run/oor/registered";

/** The file that says `prefix` is registered ("/" written "_"). */
export function oorRegisteredPath(prefix: string): string {
  return `${OOR_REGISTERED_DIR}/${prefix.replace(/\//g, "_")}`;
}

/** An OOR router's container as a lab plans it: its image, its routes towards other sites, its readiness. */
export interface OorRouterSetup {
  /**
   * The OOR image: "docker-netlabs/oor" (default) builds the project's own from images/oor on the
   * host; any other reference (e.g. "openoverlayrouter/oor:latest") is pulled if absent. Ignored
   * when imageRef is given.
   */
  image?: string;
  /** An image already on the host to run instead (the own image, built once for a lab or preloaded on the host). */
  imageRef?: pulumi.Input<string>;
  /** Routes towards other sites' RLOCs: via a next hop, or on-link over the RLOC network. */
  rlocRoutes?: OorRlocRoute[];
  /**
   * Removed: `true` is refused. Watchtower followed a floating image tag from outside Pulumi (a
   * container the stack no longer knows, never checked by the readiness gate) with the Docker
   * socket, itself a floating image. To move to a newer OOR image, name it (by digest) in `image`
   * and run `pulumi up`. Kept as a field so that `true` gets a clear error rather than being ignored.
   */
  watchtower?: boolean;
  /** How long OOR may take to start before `pulumi up` fails on it (default 90 s). */
  readyTimeoutSeconds?: number;
}

/** Where an OOR router's container goes: its RLOC network and host, its names, labels and restart policy. */
export interface OorRouterPlacement {
  /** The RLOC network (name or a Network's name output); the router's address there is rlocAddress. */
  rlocNetwork: pulumi.Input<string>;
  /** Prefix for the container's name, so several stacks can share one engine. */
  namePrefix?: string;
  /** Extra labels on the container. */
  labels?: LabelMap;
  /** After a Docker daemon restart: "unless-stopped" (default) or "always" brings the router back; "no" does not. */
  restart?: string;
  /** The router's Docker host (DockerHost.connection), where its readiness is read (default: the local engine). */
  host?: HostConnection;
  /** The base of the own images built here (default debian:bookworm-slim; pinned, name@sha256:<digest>). */
  baseImage?: string;
}

export interface OorRouterArgs extends OorOptions, OorRouterSetup, OorRouterPlacement {
  /** EID networks and this router's address on each (its sandboxes' gateway). */
  eidNetworks?: OorEidNetwork[];
}

/** An EID network an OOR router is on. */
export interface OorEidNetwork {
  /** The network's name, or a Network's name output. */
  network: pulumi.Input<string>;
  /** The router's address there: the gateway of the network's hosts. */
  address: string;
}

/** A route towards other sites' RLOCs. */
export interface OorRlocRoute {
  /** An IPv4 prefix. */
  to: string;
  /** The next hop on the RLOC subnet; without one, the prefix is on-link over the RLOC network. */
  via?: string;
}

export class OorRouter extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly containerName: string;
  readonly mode: string;
  readonly rlocAddress: string;
  readonly eidAddresses: string[];
  /** Done once OOR has started; `pulumi up` fails, with the router's log, when it does not. */
  readonly ready: NodesReady;

  /**
   * `planned`: planOorRouterArgs' result for these arguments when the caller has planned them
   * already (a stack, a LispSite): then nothing is planned again.
   */
  constructor(name: string, args: OorRouterArgs, opts?: pulumi.ComponentResourceOptions, planned?: OorPlan) {
    const {
      image: imageName = OWN_OOR_IMAGE,
      imageRef,
      baseImage,
      rlocNetwork,
      eidNetworks = [],
      rlocRoutes = [],
      namePrefix = "",
      labels: extra,
      host = LOCAL_HOST,
      readyTimeoutSeconds = READY_WAIT_SECONDS,
    } = args;
    const plan = planned ?? planOorRouterArgs(name, args);
    const { restart } = labSettings(`OorRouter ${show(name)}`, { restart: args.restart });
    super("docker-netlabs:oor:OorRouter", name, {}, opts);
    this.containerName = `${namePrefix}${name}`;
    this.mode = plan.mode;
    this.rlocAddress = plan.rlocAddress;
    this.eidAddresses = eidNetworks.map((eid) => eid.address);
    const labels = labLabels(this.containerName, extra);

    const image =
      imageRef ??
      (imageName === OWN_OOR_IMAGE
        ? new LabImage(`${name}-image`, { image: "oor", baseImage }, { parent: this }).imageName
        : declarePulledImage(`${name}-image`, imageName, { parent: this }));
    const networks = Object.fromEntries([["rloc", rlocNetwork], ...eidNetworks.map((eid, i) => [eidNetworkKey(i), eid.network])]);
    const node = { name, containerName: this.containerName, oor: plan, eidAddresses: this.eidAddresses, rlocRoutes };
    this.container = declareContainer(name, oorRouterKind.container(node, { image, networks, labels, restart }), { parent: this });
    this.ready = new NodesReady(
      `${name}-ready`,
      {
        lab: this.containerName,
        host,
        nodes: [{ node: name, container: this.containerName, id: this.container.id }],
        timeoutSeconds: readyTimeoutSeconds,
      },
      { parent: this, dependsOn: [this.container] },
    );
    this.registerOutputs({ containerName: this.containerName, mode: this.mode, rlocAddress: this.rlocAddress });
  }
}

/** The router's own options (its arguments less those of its container), validated with its RLOC routes. */
export function planOorRouterArgs(name: string, args: OorRouterArgs): OorPlan {
  const plan = planOorRouter(name, oorOptionsOf(args));
  const routeIssues = rlocRouteIssues(args.rlocRoutes ?? [], plan.rlocSubnet, plan.rlocAddress);
  if (args.watchtower === true) {
    routeIssues.push({
      path: "watchtower",
      message: `watchtower is no longer run: it followed a floating image from outside Pulumi, with the Docker socket; name a newer OOR image by digest in image and run pulumi up (got ${show(true)})`,
    });
  }
  if (routeIssues.length > 0) throw new LabConfigError(`OorRouter ${show(name)}`, routeIssues);
  return plan;
}

/** OorRouter's arguments less those of its container: what planOorRouter takes. */
function oorOptionsOf(args: OorRouterArgs): OorOptions {
  const {
    image: _image,
    imageRef: _imageRef,
    rlocNetwork: _rlocNetwork,
    eidNetworks: _eidNetworks,
    rlocRoutes: _rlocRoutes,
    watchtower: _watchtower,
    namePrefix: _namePrefix,
    labels: _labels,
    restart: _restart,
    host: _host,
    readyTimeoutSeconds: _readyTimeoutSeconds,
    baseImage: _baseImage,
    ...options
  } = args;
  return options;
}

/**
 * Problems of RLOC routes, by field: a prefix each, one route per prefix, a next hop on the RLOC
 * subnet (the router's only way there) that is not the router's own address. Pure.
 */
export function rlocRouteIssues(routes: OorRlocRoute[], rlocSubnet: string, rlocAddress: string): ConfigIssue[] {
  const rloc = parseSubnet(rlocSubnet);
  const seen = new Set<string>();
  return routes.flatMap((route, i) => {
    const issues: ConfigIssue[] = [];
    if (typeof parseSubnet(route.to) === "string")
      issues.push({ path: `rlocRoutes[${i}].to`, message: `${show(route.to)} is not an IPv4 prefix` });
    else if (seen.has(route.to)) issues.push({ path: `rlocRoutes[${i}].to`, message: `${show(route.to)} has another route` });
    seen.add(route.to);
    if (route.via === undefined) return issues;
    if (!isIpv4Address(route.via)) issues.push({ path: `rlocRoutes[${i}].via`, message: `${show(route.via)} is not an IPv4 address` });
    else if (typeof rloc !== "string" && !isUsableHost(rloc, route.via)) {
      issues.push({ path: `rlocRoutes[${i}].via`, message: `next hop ${show(route.via)} is not on the RLOC subnet ${rloc.cidr}` });
    } else if (route.via === rlocAddress) {
      issues.push({ path: `rlocRoutes[${i}].via`, message: `next hop ${show(route.via)} is the router's own RLOC address` });
    }
    return issues;
  });
}
