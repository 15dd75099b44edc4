/**
 * One LISP role per stack, for labs spread over sites (seed 000's hands-on lab): a `lisp-msmr`
 * stack runs the map server / map resolver, each `lisp-site` stack an xTR with its EID network and
 * sandboxes on its own Docker host. The sites read the MS/MR address from their config
 * (`oorMapServer`, e.g. from `pulumi stack output -s msmr msmrAddress`) and share its secret key.
 */
import * as docker from "@pulumi/docker";
import { RestartPolicy, labNetwork } from "../components/host/lifecycle";
import * as pulumi from "@pulumi/pulumi";
import { LabImages } from "../components/images/lab-image";
import { LabelMap, labLabels, toDockerLabels } from "../components/labels";
import { lastUsableAddress, parseSubnet } from "../components/net/addressing";
import { LispSite, OOR_CONFIG_PATH, OorRouter } from "../components/oor";
import { ProbeCheck } from "../components/probe/lab-probe";
import { StackConfig } from "./config";

export interface OorStackArgs {
  config: StackConfig;
  namePrefix: string;
  images: Partial<LabImages>;
  labels?: LabelMap;
  restart?: RestartPolicy;
  dockerHost?: string;
  sshOpts?: pulumi.Input<string[]>;
}

export interface RlocNetworkArgs {
  subnet: string;
  gateway?: string;
  /** A host interface: the RLOC network is a macvlan on it; without one, a bridge. */
  parent?: string;
  internal: boolean;
  namePrefix: string;
  labels?: LabelMap;
}

/** The RLOC network of a LISP lab: a macvlan on the host's uplink when a parent is named, else a bridge. */
export function rlocNetwork(name: string, args: RlocNetworkArgs, parent: pulumi.Resource): docker.Network {
  const subnet = parseSubnet(args.subnet);
  const gateway = args.gateway ?? (typeof subnet === "string" ? undefined : lastUsableAddress(subnet));
  return labNetwork(
    `${name}-rloc`,
    {
      name: `${args.namePrefix}${name}-rloc`,
      driver: args.parent ? "macvlan" : "bridge",
      internal: args.internal,
      ipamConfigs: [{ subnet: args.subnet, gateway }],
      ...(args.parent ? { options: { parent: args.parent, macvlan_mode: "bridge" } } : {}),
      labels: toDockerLabels({ ...labLabels(`${args.namePrefix}${name}`, args.labels), "io.docker-netlabs.segment": "rloc" }),
    },
    { parent },
  );
}

function configuredRloc(name: string, args: OorStackArgs, parent: pulumi.Resource): docker.Network {
  return rlocNetwork(name, { ...args.config.oorRloc!, internal: args.config.internal, namePrefix: args.namePrefix, labels: args.labels }, parent);
}

export class LispSiteStack extends pulumi.ComponentResource {
  readonly site: LispSite;
  readonly nodes: Record<string, { container: string; addresses: Record<string, string>; router: boolean }>;
  readonly segments: Record<string, { network: string; subnet: string; gateway: string; driver: string }>;
  readonly published: never[] = [];
  readonly mermaid: string;

  constructor(name: string, args: OorStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:oor:LispSiteStack", name, {}, opts);
    const { oorRloc, oorSite, oorMapServer, oorMapServerKey, oorImage } = args.config;
    const rloc = configuredRloc(name, args, this);
    this.site = new LispSite(
      name,
      {
        image: oorImage,
        namePrefix: args.namePrefix,
        labels: args.labels,
        restart: args.restart,
        images: args.images,
        dockerHost: args.dockerHost,
        sshOpts: args.sshOpts,
        eidSubnet: oorSite!.eidSubnet,
        sandboxes: oorSite!.sandboxes,
        rlocNetwork: rloc.name,
        rlocSubnet: oorRloc!.subnet,
        rlocAddress: oorRloc!.address,
        rlocRoutes: args.config.oorRlocRoutes,
        mapResolvers: [oorMapServer!],
        mapServers: [{ address: oorMapServer!, key: pulumi.secret(oorMapServerKey!), proxyReply: true }],
      },
      { parent: this },
    );
    this.nodes = {
      xtr: { container: this.site.xtr.containerName, addresses: { rloc: oorRloc!.address, eid: this.site.xtrEidAddress }, router: true },
      ...Object.fromEntries(
        Object.entries(this.site.sandboxes).map(([sandbox, info]) => [sandbox, { container: info.container, addresses: { eid: info.address }, router: false }]),
      ),
    };
    this.segments = {
      rloc: { network: `${args.namePrefix}${name}-rloc`, subnet: oorRloc!.subnet, gateway: oorRloc!.gateway ?? "", driver: oorRloc!.parent ? "macvlan" : "bridge" },
      eid: this.site.eid.segments.eid,
    };
    this.mermaid = [
      "flowchart LR",
      `  ms["MS/MR ${oorMapServer}"] -.- rloc(["RLOC ${oorRloc!.subnet}"])`,
      `  xtr["xTR ${oorRloc!.address}<br/>EID ${oorSite!.eidSubnet}"] --- rloc`,
      ...Object.keys(this.site.sandboxes).map((sandbox) => `  ${sandbox.replace(/-/g, "_")}["${sandbox}"] --- xtr`),
    ].join("\n") + "\n";
    this.registerOutputs({ nodes: this.nodes });
  }

  probeChecks(): ProbeCheck[] {
    return this.site.probeChecks();
  }
}

export class LispMsmrStack extends pulumi.ComponentResource {
  readonly ms: OorRouter;
  readonly nodes: Record<string, { container: string; addresses: Record<string, string>; router: boolean }>;
  readonly segments: Record<string, { network: string; subnet: string; gateway: string; driver: string }>;
  readonly published: never[] = [];
  readonly mermaid: string;

  constructor(name: string, args: OorStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:oor:LispMsmrStack", name, {}, opts);
    const { oorRloc, oorSites, oorMapServerKey, oorImage } = args.config;
    const rloc = configuredRloc(name, args, this);
    const key = pulumi.secret(oorMapServerKey!);
    this.ms = new OorRouter(
      name,
      {
        image: oorImage,
        namePrefix: args.namePrefix,
        labels: args.labels,
        restart: args.restart,
        mode: "MS",
        rlocNetwork: rloc.name,
        rlocSubnet: oorRloc!.subnet,
        rlocAddress: oorRloc!.address,
        rlocRoutes: args.config.oorRlocRoutes,
        sites: oorSites!.map((eidPrefix) => ({ eidPrefix, key })),
      },
      { parent: this },
    );
    this.nodes = { msmr: { container: this.ms.containerName, addresses: { rloc: oorRloc!.address }, router: true } };
    this.segments = {
      rloc: { network: `${args.namePrefix}${name}-rloc`, subnet: oorRloc!.subnet, gateway: oorRloc!.gateway ?? "", driver: oorRloc!.parent ? "macvlan" : "bridge" },
    };
    this.mermaid = ["flowchart LR", `  ms["MS/MR ${oorRloc!.address}"] --- rloc(["RLOC ${oorRloc!.subnet}"])`, ...oorSites!.map((p, i) => `  site${i}(["site ${p}"]) -.- ms`)].join("\n") + "\n";
    this.registerOutputs({ nodes: this.nodes });
  }

  /** Natural check: the map server has its configuration in place. */
  probeChecks(): ProbeCheck[] {
    return [{ kind: "file", name: "the MS/MR has its oor.conf", container: this.ms.containerName, path: OOR_CONFIG_PATH }];
  }
}
