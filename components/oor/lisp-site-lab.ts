/**
 * One LISP site per stack (seed 000's hands-on lab spread over hosts): the site's RLOC network and
 * its LispSite (xTR, EID network, sandboxes), as a lab of a stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { LabCommonArgs, LabComponent, LabNode, LabSegment, labSettings } from "../lab";
import { show } from "../net/errors";
import { ProbeCheck } from "../probe/lab-probe";
import { LispSite, LispSitePlan, LispSiteSettings } from "./lisp-site";
import { RlocNetworkPlan, givenOorImage, rlocNetwork, rlocSegment } from "./rloc-network";

/** The xTR side of a site as planned: LispSite's arguments but the RLOC network, created with it, and the lab's settings. */
export type PlannedLispSite = LispSiteSettings;

export interface LispSiteLabArgs extends LabCommonArgs {
  /** The site: its EID side and its xTR, as the stack planned them. */
  site: PlannedLispSite;
  /** The site's RLOC network, created with it. */
  rloc: RlocNetworkPlan;
  /** The lab's networks are Docker internal networks. */
  internal: boolean;
}

/** A stack's LISP site lab (its Pulumi type keeps the name it was first deployed under). */
export class LispSiteLab extends pulumi.ComponentResource implements LabComponent {
  readonly site: LispSite;
  readonly nodes: Record<string, LabNode>;
  readonly segments: Record<string, LabSegment>;
  readonly published = [];
  readonly mermaid: string;

  /** `planned`: planLispSite's result for the site, when the stack has planned it (then it is not planned again). */
  constructor(name: string, args: LispSiteLabArgs, opts?: pulumi.ComponentResourceOptions, planned?: LispSitePlan) {
    const { site, rloc, internal, ...common } = args;
    const { images } = labSettings(`LispSiteLab ${show(name)}`, common);
    super("docker-netlabs:oor:LispSiteStack", name, {}, opts);
    const network = rlocNetwork(name, { ...rloc, internal, namePrefix: common.namePrefix, labels: common.labels }, this);
    this.site = new LispSite(
      name,
      { ...site, ...common, rlocNetwork: network.name, imageRef: givenOorImage(site.image, images) },
      { parent: this },
      planned,
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
