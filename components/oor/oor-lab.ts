/**
 * OOR's `2xtrs-1msmr` example on one host: a map server / map resolver and two LISP sites (an xTR,
 * its EID network and a sandbox client each) on one RLOC network. The sites register their EID
 * prefixes with the MS using the lab's secret key.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostConnection } from "../host/docker-host";
import { LabImage, LabImageRefs } from "../images/lab-image";
import { LabComponent, LabNode, LabSegment, labSettings } from "../lab";
import { LabelMap } from "../labels";
import { Ipv4Subnet, lastUsableAddress, parseSubnet } from "../net/addressing";
import { show } from "../net/errors";
import { ProbeCheck } from "../probe/lab-probe";
import { LispSite, LispSiteArgs, LispSitePlan, planLispSite } from "./lisp-site";
import { OWN_OOR_IMAGE, OorRouter, OorRouterArgs, oorRegisteredPath, planOorRouterArgs } from "./oor-router";
import { OorPlan } from "./plan";
import { rlocNetwork } from "./rloc-network";

export const OOR_LAB = {
  rlocSubnet: "198.51.100.0/24",
  msAddress: "198.51.100.2",
  sites: [
    { name: "site-a", eidSubnet: "10.241.1.0/24", rlocAddress: "198.51.100.11" },
    { name: "site-b", eidSubnet: "10.241.2.0/24", rlocAddress: "198.51.100.12" },
  ],
} as const;

export interface OorLabArgs {
  /** The map-server key the sites register with: a Pulumi secret, never shown. */
  key: pulumi.Input<string>;
  /**
   * An OOR image reference (pulled if absent), or "docker-netlabs/oor": the own image, `images.oor`
   * when the stack gives it (preloaded), else built here once for the lab's routers.
   */
  image: string;
  /** The lab's networks are Docker internal networks. */
  internal: boolean;
  /** Prefix for every Docker object name, so several stacks can share one engine. */
  namePrefix: string;
  /** Own images already on this host, by name (router, client, oor): those given are not built. */
  images: LabImageRefs;
  /** Extra labels on every Docker object of the lab. */
  labels?: LabelMap;
  /** After a Docker daemon restart: "unless-stopped" (default) or "always" brings the lab back; "no" does not. */
  restart?: string;
  /** The base of the own images built here (default debian:bookworm-slim; pinned, name@sha256:<digest>). */
  baseImage?: string;
  /** The lab's Docker host (DockerHost.connection), where its readiness is read (default: the local engine). */
  host?: HostConnection;
}

/** Docker's gateway on the lab's RLOC network: its last host, as on every lab network. */
const RLOC_GATEWAY = lastUsableAddress(parseSubnet(OOR_LAB.rlocSubnet) as Ipv4Subnet);

export class OorLab extends pulumi.ComponentResource implements LabComponent {
  readonly ms: OorRouter;
  readonly sites: Record<string, LispSite>;
  readonly rlocNetwork: pulumi.Output<string>;
  readonly nodes: Record<string, LabNode>;
  readonly segments: Record<string, LabSegment>;
  readonly published = [];
  readonly mermaid: string;

  /** `planned`: planOorLab's result for these arguments, when the stack has planned them (then nothing is planned again). */
  constructor(name: string, args: OorLabArgs, opts?: pulumi.ComponentResourceOptions, planned?: OorLabPlan) {
    const plan = planned ?? planOorLab(name, args);
    const { images } = labSettings(`OorLab ${show(name)}`, args);
    super("docker-netlabs:oor:OorLab", name, {}, opts);
    const imageRef =
      args.image === OWN_OOR_IMAGE
        ? (images.oor ?? new LabImage(`${name}-oor-image`, { image: "oor", baseImage: args.baseImage }, { parent: this }).imageName)
        : undefined;
    const rloc = rlocNetwork(
      name,
      { subnet: OOR_LAB.rlocSubnet, gateway: RLOC_GATEWAY, internal: args.internal, namePrefix: args.namePrefix, labels: args.labels },
      this,
    );
    this.rlocNetwork = rloc.name;
    this.ms = new OorRouter(`${name}-msmr`, { ...msArgs(args, rloc.name), imageRef }, { parent: this }, plan.ms);
    this.sites = Object.fromEntries(
      OOR_LAB.sites.map((site, i) => [
        site.name,
        new LispSite(
          `${name}-${site.name}`,
          { ...siteArgs(args, site, rloc.name), imageRef },
          { parent: this, dependsOn: [this.ms] },
          plan.sites[i],
        ),
      ]),
    );
    const prefix = `${args.namePrefix}${name}`;
    this.nodes = {
      msmr: { container: this.ms.containerName, addresses: { rloc: OOR_LAB.msAddress }, router: true },
      ...Object.fromEntries(
        OOR_LAB.sites.flatMap((site) => {
          const lispSite = this.sites[site.name];
          return [
            [
              `${site.name}-xtr`,
              {
                container: lispSite.xtr.containerName,
                addresses: { rloc: site.rlocAddress, [`${site.name}-eid`]: lispSite.xtrEidAddress },
                router: true,
              },
            ],
            ...Object.entries(lispSite.sandboxes).map(([sandbox, info]) => [
              `${site.name}-${sandbox}`,
              { container: info.container, addresses: { [`${site.name}-eid`]: info.address }, router: false },
            ]),
          ];
        }),
      ),
    };
    this.segments = {
      rloc: { network: `${prefix}-rloc`, subnet: OOR_LAB.rlocSubnet, gateway: RLOC_GATEWAY, driver: "bridge" },
      ...Object.fromEntries(OOR_LAB.sites.map((site) => [`${site.name}-eid`, { ...this.sites[site.name].eid.segments.eid }])),
    };
    this.mermaid =
      [
        "flowchart LR",
        `  rloc(["RLOC ${OOR_LAB.rlocSubnet}"])`,
        `  msmr["MS/MR<br/>${OOR_LAB.msAddress}"] --- rloc`,
        ...OOR_LAB.sites.flatMap((site) => [
          `  ${site.name.replace("-", "_")}["${site.name} xTR<br/>RLOC ${site.rlocAddress}<br/>EID ${site.eidSubnet}"] --- rloc`,
          `  ${site.name.replace("-", "_")}_sandbox["sandbox-1"] --- ${site.name.replace("-", "_")}`,
        ]),
      ].join("\n") + "\n";
    this.registerOutputs({ nodes: this.nodes, mermaid: this.mermaid });
  }

  /**
   * What the lab is for: the MS has every site registered, and each sandbox reaches and fetches
   * every other site's sandboxes across the overlay (and its own xTR, and its xTR saw the MS confirm).
   */
  probeChecks(): ProbeCheck[] {
    const registered: ProbeCheck[] = OOR_LAB.sites.map((site) => ({
      kind: "file",
      name: `the MS/MR has ${site.name} (${site.eidSubnet}) registered`,
      container: this.ms.containerName,
      path: oorRegisteredPath(site.eidSubnet),
    }));
    return [
      ...registered,
      ...Object.entries(this.sites).flatMap(([name, site]) =>
        site.probeChecks(
          Object.entries(this.sites)
            .filter(([other]) => other !== name)
            .flatMap(([other, far]) => far.farSandboxes(other)),
        ),
      ),
    ];
  }
}

/** The lab planned: its map server and each site, as they are built. */
export interface OorLabPlan {
  ms: OorPlan;
  sites: LispSitePlan[];
}

/** Validates the lab's routers and sites before anything is created. Pure. */
export function planOorLab(name: string, args: OorLabSettings): OorLabPlan {
  return {
    ms: planOorRouterArgs(`${name}-msmr`, msArgs(args, "")),
    sites: OOR_LAB.sites.map((site) => planLispSite(`${name}-${site.name}`, siteArgs(args, site, ""))),
  };
}

/** What the lab's plan depends on: the key, the image and the Docker names' prefix. */
export type OorLabSettings = Pick<OorLabArgs, "key" | "image" | "namePrefix"> & Partial<OorLabArgs>;

/** What every router of the lab shares: its image and the lab's settings. */
function routerCommon(args: OorLabSettings) {
  return {
    image: args.image,
    namePrefix: args.namePrefix,
    labels: args.labels,
    restart: args.restart,
    host: args.host,
    baseImage: args.baseImage,
  };
}

function msArgs(args: OorLabSettings, rlocNetwork: pulumi.Input<string>): OorRouterArgs {
  const key = pulumi.secret(args.key);
  return {
    ...routerCommon(args),
    mode: "MS",
    rlocNetwork,
    rlocSubnet: OOR_LAB.rlocSubnet,
    rlocAddress: OOR_LAB.msAddress,
    sites: OOR_LAB.sites.map((site) => ({ eidPrefix: site.eidSubnet, key })),
  };
}

function siteArgs(args: OorLabSettings, site: (typeof OOR_LAB.sites)[number], rlocNetwork: pulumi.Input<string>): LispSiteArgs {
  return {
    ...routerCommon(args),
    images: args.images,
    eidSubnet: site.eidSubnet,
    rlocNetwork,
    rlocSubnet: OOR_LAB.rlocSubnet,
    rlocAddress: site.rlocAddress,
    mapResolvers: [OOR_LAB.msAddress],
    mapServers: [{ address: OOR_LAB.msAddress, key: pulumi.secret(args.key), proxyReply: true }],
  };
}
