/**
 * LispSite: an xTR with its EID network and sandbox clients whose default route is the xTR's EID
 * address, as the seed's hands-on lab sets up by hand with nsenter. The EID side is a RoutedLab
 * (one internal segment, the sandboxes); the xTR is an OorRouter attached to it.
 */
import * as pulumi from "@pulumi/pulumi";
import { hostAddress, parseSubnet } from "../net/addressing";
import { LabConfigError, show } from "../net/errors";
import { RoutedLab, RoutedLabArgs } from "../routed-lab";
import { LabImages } from "../images/lab-image";
import { ProbeCheck } from "../probe/lab-probe";
import { OorRouter, OorRouterArgs } from "./oor-router";

export interface LispSiteArgs extends Omit<OorRouterArgs, "mode" | "eidPrefixes" | "eidNetworks" | "sites"> {
  /** The site's IPv4 EID prefix: its EID network. */
  eidSubnet: string;
  /** The xTR's address on the EID network, the sandboxes' gateway (default: the first host address). */
  xtrEidAddress?: string;
  /** Sandbox client names (default one, "sandbox-1"); they get the 10th, 11th... addresses. */
  sandboxes?: string[];
  images?: Partial<LabImages>;
  /** The host the EID side's readiness is read on, as RoutedLab takes it. */
  dockerHost?: RoutedLabArgs["dockerHost"];
  sshOpts?: RoutedLabArgs["sshOpts"];
}

export class LispSite extends pulumi.ComponentResource {
  readonly xtr: OorRouter;
  readonly eid: RoutedLab;
  readonly xtrEidAddress: string;
  readonly sandboxes: Record<string, { container: string; address: string }>;

  constructor(name: string, args: LispSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    const { eidSubnet, xtrEidAddress, sandboxes = ["sandbox-1"], images, dockerHost, sshOpts, ...xtrArgs } = args;
    const subnet = parseSubnet(eidSubnet);
    if (typeof subnet === "string") {
      throw new LabConfigError(`LispSite ${show(name)}`, [{ path: "eidSubnet", message: `${show(eidSubnet)} ${subnet}` }]);
    }
    const gateway = xtrEidAddress ?? hostAddress(subnet, 1);
    const sandboxAddresses = sandboxes.map((_, i) => hostAddress(subnet, 10 + i));
    if (sandboxAddresses.includes(gateway)) {
      throw new LabConfigError(`LispSite ${show(name)}`, [{ path: "xtrEidAddress", message: `${show(gateway)} is a sandbox's address` }]);
    }
    super("docker-netlabs:oor:LispSite", name, {}, opts);
    this.xtrEidAddress = gateway;
    // Validates the sandboxes (and that the gateway is on-link) before anything is created.
    this.eid = new RoutedLab(
      `${name}-eid`,
      {
        namePrefix: xtrArgs.namePrefix,
        labels: xtrArgs.labels,
        restart: xtrArgs.restart,
        images,
        dockerHost,
        sshOpts,
        spec: {
          segments: [{ name: "eid", subnet: subnet.cidr }],
          nodes: sandboxes.map((sandbox, i) => ({
            name: sandbox,
            image: "client" as const,
            interfaces: [{ segment: "eid", address: sandboxAddresses[i] }],
            routes: [{ to: "default", via: gateway }],
          })),
        },
      },
      { parent: this },
    );
    this.xtr = new OorRouter(
      `${name}-xtr`,
      {
        ...xtrArgs,
        mode: "xTR",
        eidPrefixes: [{ prefix: subnet.cidr }],
        eidNetworks: [{ network: this.eid.networks.eid.name, address: gateway }],
      },
      { parent: this },
    );
    this.sandboxes = Object.fromEntries(
      sandboxes.map((sandbox, i) => [sandbox, { container: this.eid.nodes[sandbox].container, address: sandboxAddresses[i] }]),
    );
    this.registerOutputs({ xtr: this.xtr.containerName, xtrEidAddress: gateway, sandboxes: this.sandboxes });
  }

  /** Natural checks: each sandbox reaches its xTR, its gateway into the overlay. */
  probeChecks(): ProbeCheck[] {
    return Object.entries(this.sandboxes).map(([sandbox, info]) => ({
      kind: "reach" as const,
      name: `${sandbox} reaches its xTR ${this.xtrEidAddress}`,
      from: info.container,
      address: this.xtrEidAddress,
    }));
  }
}
