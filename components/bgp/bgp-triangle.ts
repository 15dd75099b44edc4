/**
 * BgpTriangle: the Containernet eBGP triangle on FRR (seed 004), built on RoutedLab.
 *
 *   HOST --- R1 --- R2 --- WEB_SERVER
 *              \    /
 *                R3 --- stub
 *
 * Every address, ASN, router id and timer is an argument (defaults as in the seed); the whole
 * description is validated before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { LabImageRefs } from "../images/lab-image";
import { LabComponent, labSettings } from "../lab";
import { labSubject } from "../net/topology";
import { LabelMap } from "../labels";
import { ProbeCheck } from "../probe/lab-probe";
import { RoutedLab } from "../routed-lab";
import { HostConnection } from "../host/docker-host";
import { bgpSessionsCheck } from "../protocols";
import { BgpSession, BgpTriangleOptions, BgpTrianglePlan, planBgpTriangle } from "./plan";

export interface BgpTriangleArgs extends BgpTriangleOptions {
  /** Prefix for every Docker object name, so several stacks can share one engine. */
  namePrefix?: string;
  /** Own images already on this host, by name (router, web, client): the ones missing are built as children. */
  images?: LabImageRefs;
  /** The base of the own images built here (default debian:bookworm-slim; pinned, name@sha256:<digest>). */
  baseImage?: string;
  /** Extra labels on every Docker object. */
  labels?: LabelMap;
  /** After a Docker daemon restart or a host reboot: "unless-stopped" (default) or "always" brings the lab back; "no" does not. */
  restart?: string;
  /** The lab's Docker host (DockerHost.connection), where its nodes' readiness is read. Default: the local engine. */
  host?: HostConnection;
}

export class BgpTriangle extends pulumi.ComponentResource implements LabComponent {
  readonly lab: RoutedLab;
  /** The sessions the routers are configured with (each seen from both ends). */
  readonly sessions: BgpSession[];
  readonly hostAddress: string;
  readonly webAddress: string;
  readonly question: string;
  readonly nodes: RoutedLab["nodes"];
  readonly segments: RoutedLab["segments"];
  readonly published: RoutedLab["published"];
  /** Mermaid flowchart of routers, ASNs and links. */
  readonly mermaid: string;

  /**
   * `planned`: planBgpTriangle's result for these arguments when the caller has planned them
   * already (a stack plans every lab before declaring any): then nothing is planned again.
   */
  constructor(name: string, args: BgpTriangleArgs = {}, opts?: pulumi.ComponentResourceOptions, planned?: BgpTrianglePlan) {
    const { namePrefix, images, baseImage, labels, restart, host, ...options } = args;
    // Throws before anything is registered.
    const plan = planned ?? planBgpTriangle(name, options, { namePrefix });
    labSettings(labSubject(name), args);
    super("docker-netlabs:bgp:BgpTriangle", name, {}, opts);
    this.lab = new RoutedLab(name, { spec: plan.spec, namePrefix, images, baseImage, labels, restart, host }, { parent: this }, plan.lab);
    this.sessions = plan.sessions;
    this.hostAddress = plan.hostAddress;
    this.webAddress = plan.webAddress;
    this.question = plan.question;
    this.nodes = this.lab.nodes;
    this.segments = this.lab.segments;
    this.published = this.lab.published;
    this.mermaid = plan.mermaid;
    this.registerOutputs({ sessions: this.sessions, nodes: this.nodes, mermaid: this.mermaid });
  }

  /** Natural checks: every router's two sessions Established, and HOST retrieving the question. */
  probeChecks(): ProbeCheck[] {
    return [
      ...(["r1", "r2", "r3"] as const).map((router) => bgpSessionsCheck(`${router} sessions Established`, this.nodes[router].container, 2)),
      {
        kind: "fetch" as const,
        name: "HOST retrieves the question",
        from: this.nodes.host.container,
        url: `http://${this.webAddress}/`,
        expect: this.question.trim().split("\n")[0],
      },
    ];
  }
}
