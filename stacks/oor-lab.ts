/**
 * OOR's `2xtrs-1msmr` example on one host: a map server / map resolver and two LISP sites (an xTR,
 * its EID network and a sandbox client each) on one RLOC network. The sites register their EID
 * prefixes with the MS using the stack's secret key.
 */
import * as pulumi from "@pulumi/pulumi";
import { RestartPolicy } from "../components/host/lifecycle";
import { LabImage, LabImages } from "../components/images/lab-image";
import { LabComponent, LabNode, LabSegment } from "../components/lab";
import { LabelMap } from "../components/labels";
import { lastUsableAddress, parseSubnet } from "../components/net/addressing";
import { Ipv4Subnet } from "../components/net/addressing";
import { LispSite, OorRouter, OWN_OOR_IMAGE, oorRegisteredPath } from "../components/oor";
import { ProbeCheck } from "../components/probe/lab-probe";
import { defineComposition } from "./composition";
import { configPath } from "./keys";
import { oorLabImages, rlocNetwork } from "./oor-sites";

export const OOR_LAB = {
  rlocSubnet: "198.51.100.0/24",
  msAddress: "198.51.100.2",
  sites: [
    { name: "site-a", eidSubnet: "10.241.1.0/24", rlocAddress: "198.51.100.11" },
    { name: "site-b", eidSubnet: "10.241.2.0/24", rlocAddress: "198.51.100.12" },
  ],
} as const;

export interface OorLabArgs {
  key: pulumi.Input<string>;
  /**
   * An OOR image reference (pulled if absent), or "docker-netlabs/oor": the own image, `images.oor`
   * when the stack gives it (preloaded), else built here once for the lab's routers.
   */
  image: string;
  internal: boolean;
  namePrefix: string;
  images: Partial<LabImages>;
  labels?: LabelMap;
  restart?: RestartPolicy;
  dockerHost?: string;
  sshOpts?: pulumi.Input<string[]>;
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

  constructor(name: string, args: OorLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:oor:OorLab", name, {}, opts);
    const key = pulumi.secret(args.key);
    const imageRef =
      args.image === OWN_OOR_IMAGE
        ? (args.images.oor ?? new LabImage(`${name}-oor-image`, { image: "oor" }, { parent: this }).imageName)
        : undefined;
    const common = {
      image: args.image,
      imageRef,
      namePrefix: args.namePrefix,
      labels: args.labels,
      restart: args.restart,
      dockerHost: args.dockerHost,
      sshOpts: args.sshOpts,
    };
    const rloc = rlocNetwork(
      name,
      { subnet: OOR_LAB.rlocSubnet, gateway: RLOC_GATEWAY, internal: args.internal, namePrefix: args.namePrefix, labels: args.labels },
      this,
    );
    this.rlocNetwork = rloc.name;
    this.ms = new OorRouter(
      `${name}-msmr`,
      {
        ...common,
        mode: "MS",
        rlocNetwork: rloc.name,
        rlocSubnet: OOR_LAB.rlocSubnet,
        rlocAddress: OOR_LAB.msAddress,
        sites: OOR_LAB.sites.map((site) => ({ eidPrefix: site.eidSubnet, key })),
      },
      { parent: this },
    );
    this.sites = Object.fromEntries(
      OOR_LAB.sites.map((site) => [
        site.name,
        new LispSite(
          `${name}-${site.name}`,
          {
            ...common,
            images: args.images,
            eidSubnet: site.eidSubnet,
            rlocNetwork: rloc.name,
            rlocSubnet: OOR_LAB.rlocSubnet,
            rlocAddress: site.rlocAddress,
            mapResolvers: [OOR_LAB.msAddress],
            mapServers: [{ address: OOR_LAB.msAddress, key, proxyReply: true }],
          },
          { parent: this, dependsOn: [this.ms] },
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

/** The lab's fixed addresses and names, for the checks across the stack's labs. */
function oorLabFootprint(lab: string, namePrefix: string) {
  const name = `${namePrefix}${lab}`;
  const fixed = configPath("labs");
  return {
    subnets: [
      { path: fixed, cidr: OOR_LAB.rlocSubnet, what: `lab ${lab}'s RLOC network` },
      ...OOR_LAB.sites.map((site) => ({ path: fixed, cidr: site.eidSubnet, what: `lab ${lab}'s ${site.name} EID network` })),
    ],
    ports: [],
    names: [
      { path: fixed, name: `${name}-rloc`, kind: "network" as const },
      { path: fixed, name: `${name}-msmr`, kind: "container" as const },
      ...OOR_LAB.sites.flatMap((site) => [
        { path: fixed, name: `${name}-${site.name}-eid-eid`, kind: "network" as const },
        { path: fixed, name: `${name}-${site.name}-xtr`, kind: "container" as const },
        { path: fixed, name: `${name}-${site.name}-eid-guard`, kind: "container" as const },
        { path: fixed, name: `${name}-${site.name}-eid-sandbox-1`, kind: "container" as const },
      ]),
    ],
  };
}

export const oorLab = defineComposition({
  reads: ["oorMapServerKey", "oorImage", "internal"],
  requires: ["oorMapServerKey"],
  plan: (lab, config, { namePrefix }) => ({
    // The key is checked by its config schema; from here on it is a secret.
    args: { key: pulumi.secret(config.oorMapServerKey), image: config.oorImage, internal: config.internal },
    needs: { images: ["client", "router", ...oorLabImages(config.oorImage)], interfaces: [], addresses: [] },
    footprint: oorLabFootprint(lab, namePrefix),
  }),
  create: (lab, args, common, opts) => new OorLab(lab, { ...args, ...common }, opts),
});
