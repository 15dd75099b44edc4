/**
 * The map server / map resolver of LISP sites spread over stacks: its RLOC network and its
 * OorRouter in MS mode, as a lab of a stack; its probe finds every site registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { LabCommonArgs, LabComponent, LabNode, LabSegment, labSettings } from "../lab";
import { show } from "../net/errors";
import { ProbeCheck } from "../probe/lab-probe";
import { OorRouter, OorRouterSetup, oorRegisteredPath } from "./oor-router";
import { OorOptions, OorPlan } from "./plan";
import { RlocNetworkPlan, givenOorImage, rlocNetwork, rlocSegment } from "./rloc-network";

/** The map server as planned: its options and container, less where it goes (its RLOC network is created with it). */
export interface PlannedMapServer extends OorOptions, OorRouterSetup {}

export interface LispMsmrLabArgs extends LabCommonArgs {
  /** The map server / map resolver, as the stack planned it. */
  ms: PlannedMapServer;
  /** Its RLOC network, created with it. */
  rloc: RlocNetworkPlan;
  /** The lab's networks are Docker internal networks. */
  internal: boolean;
}

/** A stack's map server lab (its Pulumi type keeps the name it was first deployed under). */
export class LispMsmrLab extends pulumi.ComponentResource implements LabComponent {
  readonly ms: OorRouter;
  readonly sites: string[];
  readonly nodes: Record<string, LabNode>;
  readonly segments: Record<string, LabSegment>;
  readonly published = [];
  readonly mermaid: string;

  /** `planned`: planOorRouterArgs' result for the map server, when the stack has planned it. */
  constructor(name: string, args: LispMsmrLabArgs, opts?: pulumi.ComponentResourceOptions, planned?: OorPlan) {
    const { ms, rloc, internal, namePrefix, labels, restart, host, baseImage } = args;
    const { images } = labSettings(`LispMsmrLab ${show(name)}`, args);
    super("docker-netlabs:oor:LispMsmrStack", name, {}, opts);
    const network = rlocNetwork(name, { ...rloc, internal, namePrefix, labels }, this);
    this.ms = new OorRouter(
      name,
      { ...ms, imageRef: givenOorImage(ms.image, images), namePrefix, labels, restart, host, baseImage, rlocNetwork: network.name },
      { parent: this },
      planned,
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
