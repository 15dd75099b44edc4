/**
 * One LISP role per stack, for labs spread over sites (seed 000's hands-on lab): a `lisp-msmr`
 * stack runs the map server / map resolver, each `lisp-site` stack an xTR with its EID network and
 * sandboxes on its own Docker host. The sites read the MS/MR address from their config
 * (`oorMapServer`, e.g. from `pulumi stack output -s msmr labs`) and share its secret key.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { labNetwork } from "../components/host/lifecycle";
import { LabImages, OwnImageName } from "../components/images/lab-image";
import { LabComponent, LabNode, LabSegment } from "../components/lab";
import { LabelMap, labLabels, toDockerLabels } from "../components/labels";
import { isIpv4Address, isUsableHost, lastUsableAddress, parseSubnet } from "../components/net/addressing";
import { ConfigIssue, LabConfigError, show } from "../components/net/errors";
import {
  LispSite,
  LispSiteArgs,
  OorRouter,
  OorRouterArgs,
  OWN_OOR_IMAGE,
  planLispSite,
  planOorRouter,
  rlocRouteIssues,
  oorRegisteredPath,
} from "../components/oor";
import { ProbeCheck } from "../components/probe/lab-probe";
import { CompositionPlan, LabCommonArgs, LabFootprint, defineComposition, fromConfig } from "./composition";
import { StackConfig, configPath } from "./keys";

/** An RLOC network as planned: its subnet, Docker's gateway on it, a bridge or a macvlan on `parent`. */
export interface RlocNetworkPlan {
  subnet: string;
  gateway: string;
  /** A host interface: the RLOC network is a macvlan on it; without one, a bridge. */
  parent?: string;
}

export interface RlocNetworkArgs extends RlocNetworkPlan {
  internal: boolean;
  namePrefix: string;
  labels?: LabelMap;
}

/**
 * The RLOC network of a site from its config, checked as an address plan: a subnet, a gateway
 * inside it (Docker's bridge address, or the address a macvlan reserves) that is not the
 * router's own address. Issues name the oorRloc keys. Pure.
 */
export function planRlocNetwork(rloc: NonNullable<StackConfig["oorRloc"]>): { plan?: RlocNetworkPlan; issues: ConfigIssue[] } {
  const subnet = parseSubnet(rloc.subnet);
  if (typeof subnet === "string") return { issues: [{ path: configPath("oorRloc.subnet"), message: `${show(rloc.subnet)} ${subnet}` }] };
  const issues: ConfigIssue[] = [];
  if (!isUsableHost(subnet, rloc.address)) {
    issues.push({
      path: configPath("oorRloc.address"),
      message: `${show(rloc.address)} is outside the RLOC subnet ${subnet.cidr} (or is its network or broadcast address)`,
    });
  }
  const gateway = rloc.gateway ?? lastUsableAddress(subnet);
  if (rloc.gateway !== undefined && (!isIpv4Address(rloc.gateway) || !isUsableHost(subnet, rloc.gateway))) {
    issues.push({
      path: configPath("oorRloc.gateway"),
      message: `${show(rloc.gateway)} is not a host address of the RLOC subnet ${subnet.cidr}`,
    });
  } else if (gateway === rloc.address) {
    issues.push(
      rloc.gateway === undefined
        ? {
            path: configPath("oorRloc.address"),
            message: `${show(rloc.address)} is Docker's gateway on the RLOC network (the last host of ${subnet.cidr}): set oorRloc.gateway to another address, or take another`,
          }
        : { path: configPath("oorRloc.gateway"), message: `${show(rloc.gateway)} is the router's own address (oorRloc.address)` },
    );
  }
  return { plan: { subnet: subnet.cidr, gateway, ...(rloc.parent ? { parent: rloc.parent } : {}) }, issues };
}

/** The RLOC network of a LISP lab: a macvlan on the host's uplink when a parent is named, else a bridge. */
export function rlocNetwork(name: string, args: RlocNetworkArgs, parent: pulumi.Resource): docker.Network {
  return labNetwork(
    `${name}-rloc`,
    {
      name: `${args.namePrefix}${name}-rloc`,
      driver: args.parent ? "macvlan" : "bridge",
      internal: args.internal,
      ipamConfigs: [{ subnet: args.subnet, gateway: args.gateway }],
      ...(args.parent ? { options: { parent: args.parent, macvlan_mode: "bridge" } } : {}),
      labels: toDockerLabels({ ...labLabels(`${args.namePrefix}${name}`, args.labels), "io.docker-netlabs.segment": "rloc" }),
    },
    { parent },
  );
}

/**
 * The own images an OOR lab needs besides its nodes': the own OOR image (images/oor) unless
 * oorImage names another, which the router pulls instead.
 */
export function oorLabImages(oorImage: string): OwnImageName[] {
  return oorImage === OWN_OOR_IMAGE ? ["oor"] : [];
}

/**
 * The own OOR image as the stack gives it (labImages: preloaded: its digest tag), for routers that
 * run the own image; undefined otherwise, and then OorRouter builds it or pulls the one named.
 */
export function givenOorImage(image: string | undefined, images: Partial<LabImages>): pulumi.Input<string> | undefined {
  return (image ?? OWN_OOR_IMAGE) === OWN_OOR_IMAGE ? images.oor : undefined;
}

function rlocSegment(name: string, namePrefix: string, rloc: RlocNetworkPlan): LabSegment {
  return { network: `${namePrefix}${name}-rloc`, subnet: rloc.subnet, gateway: rloc.gateway, driver: rloc.parent ? "macvlan" : "bridge" };
}

/** LispSite's fields as they come from a site's config keys (undefined: the lab's own). */
function siteConfigKey(path: string): string | undefined {
  const direct: Record<string, string> = {
    eidSubnet: "oorSite.eidSubnet",
    sandboxes: "oorSite.sandboxes",
    rlocSubnet: "oorRloc.subnet",
    rlocAddress: "oorRloc.address",
    "mapResolvers[0]": "oorMapServer",
    "mapServers[0].address": "oorMapServer",
    "mapServers[0].key": "oorMapServerKey",
    image: "oorImage",
  };
  if (direct[path]) return direct[path];
  const sandbox = /^sandboxes(\[\d+\])$/.exec(path);
  if (sandbox) return `oorSite.sandboxes${sandbox[1]}`;
  const route = /^rlocRoutes(\[\d+\]\..*)$/.exec(path);
  return route ? `oorRlocRoutes${route[1]}` : undefined;
}

/** Runs a plan step, keeping its config errors with the others so that one preview names them all. */
function collecting<T>(issues: ConfigIssue[], step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof LabConfigError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

/** The xTR side of a site as planned: LispSite's arguments but the RLOC network, created with it. */
export type PlannedLispSite = Omit<LispSiteArgs, "rlocNetwork" | "namePrefix" | "labels" | "restart" | "images" | "dockerHost" | "sshOpts">;

export interface LispSiteLabArgs extends LabCommonArgs {
  site: PlannedLispSite;
  rloc: RlocNetworkPlan;
  internal: boolean;
}

export class LispSiteStack extends pulumi.ComponentResource implements LabComponent {
  readonly site: LispSite;
  readonly nodes: Record<string, LabNode>;
  readonly segments: Record<string, LabSegment>;
  readonly published = [];
  readonly mermaid: string;

  constructor(name: string, args: LispSiteLabArgs, opts?: pulumi.ComponentResourceOptions) {
    const { site, rloc, internal, ...common } = args;
    super("docker-netlabs:oor:LispSiteStack", name, {}, opts);
    const network = rlocNetwork(name, { ...rloc, internal, namePrefix: common.namePrefix, labels: common.labels }, this);
    this.site = new LispSite(
      name,
      { ...site, ...common, rlocNetwork: network.name, imageRef: givenOorImage(site.image, common.images) },
      { parent: this },
    );
    this.nodes = {
      xtr: { container: this.site.xtr.containerName, addresses: { rloc: site.rlocAddress, eid: this.site.xtrEidAddress }, router: true },
      ...Object.fromEntries(
        Object.entries(this.site.sandboxes).map(([sandbox, info]) => [
          sandbox,
          { container: info.container, addresses: { eid: info.address }, router: false },
        ]),
      ),
    };
    this.segments = { rloc: rlocSegment(name, common.namePrefix, rloc), eid: this.site.eid.segments.eid };
    const mapServer = site.mapServers?.[0]?.address;
    this.mermaid =
      [
        "flowchart LR",
        `  ms["MS/MR ${mapServer}"] -.- rloc(["RLOC ${rloc.subnet}"])`,
        `  xtr["xTR ${site.rlocAddress}<br/>EID ${site.eidSubnet}"] --- rloc`,
        ...Object.keys(this.site.sandboxes).map((sandbox) => `  ${sandbox.replace(/-/g, "_")}["${sandbox}"] --- xtr`),
      ].join("\n") + "\n";
    this.registerOutputs({ nodes: this.nodes });
  }

  probeChecks(): ProbeCheck[] {
    return this.site.probeChecks();
  }
}

export const lispSite = defineComposition({
  reads: ["oorImage", "oorMapServerKey", "oorRloc", "oorSite", "oorMapServer", "oorRlocRoutes", "internal"],
  requires: ["oorMapServerKey", "oorRloc", "oorSite", "oorMapServer"],
  plan(lab, config, { namePrefix }): CompositionPlan<Omit<LispSiteLabArgs, keyof LabCommonArgs>> {
    const issues: ConfigIssue[] = [];
    const { plan: rloc, issues: rlocIssues } = planRlocNetwork(config.oorRloc);
    issues.push(...rlocIssues);
    if (rloc && config.oorMapServer === rloc.gateway) {
      issues.push({
        path: configPath("oorMapServer"),
        message: `${show(config.oorMapServer)} is Docker's gateway on the RLOC network, not a map server`,
      });
    }
    const site = (key: pulumi.Input<string>): PlannedLispSite => ({
      image: config.oorImage,
      eidSubnet: config.oorSite.eidSubnet,
      ...(config.oorSite.sandboxes ? { sandboxes: config.oorSite.sandboxes } : {}),
      rlocSubnet: config.oorRloc.subnet,
      rlocAddress: config.oorRloc.address,
      rlocRoutes: config.oorRlocRoutes ?? [],
      mapResolvers: [config.oorMapServer],
      mapServers: [{ address: config.oorMapServer, key, proxyReply: true }],
    });
    // Validated with the key itself (every check at plan time); created with it as a secret.
    const planned = collecting(issues, () =>
      fromConfig(lab, () => planLispSite(lab, { ...site(config.oorMapServerKey), rlocNetwork: "", namePrefix }), siteConfigKey),
    );
    if (issues.length > 0 || !rloc || !planned) throw new LabConfigError("stack configuration", issues);
    const sandboxes = planned.sandboxes;
    const name = `${namePrefix}${lab}`;
    const footprint: LabFootprint = {
      subnets: [
        { path: configPath("oorRloc.subnet"), cidr: rloc.subnet, what: `lab ${lab}'s RLOC network` },
        { path: configPath("oorSite.eidSubnet"), cidr: planned.subnet.cidr, what: `lab ${lab}'s EID network` },
      ],
      ports: [],
      names: [
        { path: configPath("oorRloc"), name: `${name}-rloc`, kind: "network" },
        { path: configPath("oorSite"), name: `${name}-eid-eid`, kind: "network" },
        { path: configPath("labs"), name: `${name}-xtr`, kind: "container" },
        { path: configPath("labs"), name: `${name}-eid-guard`, kind: "container" },
        ...sandboxes.map((sandbox, i) => ({
          path: configPath(`oorSite.sandboxes[${i}]`),
          name: `${name}-eid-${sandbox.name}`,
          kind: "container" as const,
        })),
      ],
    };
    return {
      args: { site: site(pulumi.secret(config.oorMapServerKey)), rloc: rloc, internal: config.internal },
      needs: {
        images: ["client", "router", ...oorLabImages(config.oorImage)],
        interfaces: rloc.parent ? [rloc.parent] : [],
        addresses: [],
      },
      footprint,
    };
  },
  create: (lab, args, common, opts) => new LispSiteStack(lab, { ...args, ...common }, opts),
});

/** The map server as planned: OorRouter's arguments but its RLOC network, created with it. */
export type PlannedMapServer = Omit<OorRouterArgs, "rlocNetwork" | "namePrefix" | "labels" | "restart">;

export interface LispMsmrLabArgs extends LabCommonArgs {
  ms: PlannedMapServer;
  rloc: RlocNetworkPlan;
  internal: boolean;
}

export class LispMsmrStack extends pulumi.ComponentResource implements LabComponent {
  readonly ms: OorRouter;
  readonly sites: string[];
  readonly nodes: Record<string, LabNode>;
  readonly segments: Record<string, LabSegment>;
  readonly published = [];
  readonly mermaid: string;

  constructor(name: string, args: LispMsmrLabArgs, opts?: pulumi.ComponentResourceOptions) {
    const { ms, rloc, internal, namePrefix, images, labels, restart, dockerHost, sshOpts } = args;
    super("docker-netlabs:oor:LispMsmrStack", name, {}, opts);
    const network = rlocNetwork(name, { ...rloc, internal, namePrefix, labels }, this);
    this.ms = new OorRouter(
      name,
      { ...ms, imageRef: givenOorImage(ms.image, images), namePrefix, labels, restart, dockerHost, sshOpts, rlocNetwork: network.name },
      { parent: this },
    );
    this.sites = (ms.sites ?? []).map((site) => site.eidPrefix);
    this.nodes = { msmr: { container: this.ms.containerName, addresses: { rloc: ms.rlocAddress }, router: true } };
    this.segments = { rloc: rlocSegment(name, namePrefix, rloc) };
    this.mermaid =
      [
        "flowchart LR",
        `  ms["MS/MR ${ms.rlocAddress}"] --- rloc(["RLOC ${rloc.subnet}"])`,
        ...(ms.sites ?? []).map((site, i) => `  site${i}(["site ${site.eidPrefix}"]) -.- ms`),
      ].join("\n") + "\n";
    this.registerOutputs({ nodes: this.nodes });
  }

  /** What the map server is for: every site of `oorSites` registered with it. */
  probeChecks(): ProbeCheck[] {
    return this.sites.map((prefix) => ({
      kind: "file",
      name: `the MS/MR has ${prefix} registered`,
      container: this.ms.containerName,
      path: oorRegisteredPath(prefix),
    }));
  }
}

/** OorRouter's MS fields as they come from the msmr's config keys. */
function msmrConfigKey(path: string): string | undefined {
  if (path === "rlocSubnet") return "oorRloc.subnet";
  if (path === "rlocAddress") return "oorRloc.address";
  if (path === "image") return "oorImage";
  const site = /^sites(\[\d+\])\.(eidPrefix|key)$/.exec(path);
  if (site) return site[2] === "key" ? "oorMapServerKey" : `oorSites${site[1]}`;
  const route = /^rlocRoutes(\[\d+\]\..*)$/.exec(path);
  return route ? `oorRlocRoutes${route[1]}` : undefined;
}

export const lispMsmr = defineComposition({
  reads: ["oorImage", "oorMapServerKey", "oorRloc", "oorSites", "oorRlocRoutes", "internal"],
  requires: ["oorMapServerKey", "oorRloc", "oorSites"],
  plan(lab, config, { namePrefix }): CompositionPlan<Omit<LispMsmrLabArgs, keyof LabCommonArgs>> {
    const issues: ConfigIssue[] = [];
    const { plan: rloc, issues: rlocIssues } = planRlocNetwork(config.oorRloc);
    issues.push(...rlocIssues);
    const ms = (key: pulumi.Input<string>): PlannedMapServer => ({
      image: config.oorImage,
      mode: "MS",
      rlocSubnet: config.oorRloc.subnet,
      rlocAddress: config.oorRloc.address,
      rlocRoutes: config.oorRlocRoutes ?? [],
      sites: config.oorSites.map((eidPrefix) => ({ eidPrefix, key })),
    });
    collecting(issues, () =>
      fromConfig(
        lab,
        () => {
          const { image: _image, rlocRoutes = [], ...options } = ms(config.oorMapServerKey);
          const plan = planOorRouter(lab, options);
          const routeIssues = rlocRouteIssues(rlocRoutes, plan.rlocSubnet, plan.rlocAddress);
          if (routeIssues.length > 0) throw new LabConfigError(`OorRouter ${show(lab)}`, routeIssues);
        },
        msmrConfigKey,
      ),
    );
    if (issues.length > 0 || !rloc) throw new LabConfigError("stack configuration", issues);
    const name = `${namePrefix}${lab}`;
    return {
      args: { ms: ms(pulumi.secret(config.oorMapServerKey)), rloc: rloc, internal: config.internal },
      needs: { images: oorLabImages(config.oorImage), interfaces: rloc.parent ? [rloc.parent] : [], addresses: [] },
      footprint: {
        subnets: [{ path: configPath("oorRloc.subnet"), cidr: rloc.subnet, what: `lab ${lab}'s RLOC network` }],
        ports: [],
        names: [
          { path: configPath("oorRloc"), name: `${name}-rloc`, kind: "network" },
          { path: configPath("labs"), name, kind: "container" },
        ],
      },
    };
  },
  create: (lab, args, common, opts) => new LispMsmrStack(lab, { ...args, ...common }, opts),
});
