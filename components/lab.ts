/**
 * What every lab component shows of itself: its nodes, segments, published ports, a Mermaid
 * diagram, and the checks its probe runs once it is up. RoutedLab, BgpTriangle, OorLab,
 * LispSiteLab and LispMsmrLab implement it; the stack exports and probes any lab through it alone.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostConnection } from "./host/docker-host";
import { DEFAULT_RESTART_POLICY, RestartPolicy, restartPolicySchema } from "./host/lifecycle";
import { LabImageRefs, LabImages, ownImagesOf } from "./images/lab-image";
import { LabelMap } from "./labels";
import { ConfigIssue, LabConfigError, fromZodIssues } from "./net/errors";
import { ProbeCheck } from "./probe/lab-probe";
import { RoutingInfo } from "./protocols";

export interface LabNode {
  container: string;
  /** Address on each segment, by segment name. */
  addresses: Record<string, string>;
  /** IPv6 address on each segment where it has one, by segment name (absent without IPv6). */
  addresses6?: Record<string, string>;
  router: boolean;
  /** For a node with a routing protocol: what it runs, its router id and loopback, what each protocol shows (area, ASN, BFD). */
  routing?: LabNodeRouting;
}

/** The registered protocols' outputs of a router (components/protocols/registry.ts). */
export type LabNodeRouting = RoutingInfo;

export interface LabSegment {
  /** The Docker network's name. */
  network: string;
  subnet: string;
  /** Docker's own gateway address on the network (the bridge's, or the macvlan's reserved one). */
  gateway: string;
  /** Its IPv6 prefix, when it has one. */
  ipv6?: string;
  /** Docker's own IPv6 gateway there (the prefix's last address). */
  gateway6?: string;
  driver: string;
  /** The host's bridge (bridge driver only). */
  bridge?: string;
  /** The tunnel of a stretched segment. */
  vxlan?: { id: number; remote: string; interface: string; mtu: number };
}

export interface LabPublishedPort {
  node: string;
  /** hostAddress:hostPort/protocol */
  listen: string;
  /** nodeAddress:containerPort */
  target: string;
  via: "docker" | "forwarder";
}

export interface LabComponent {
  readonly nodes: Record<string, LabNode>;
  readonly segments: Record<string, LabSegment>;
  readonly published: LabPublishedPort[];
  /** Mermaid flowchart of the lab. */
  readonly mermaid: string;
  /** What the lab's probe checks once it is up. */
  probeChecks(): ProbeCheck[];
}

/** A lab component as a resource: what a probe depends on and takes its container ids from. */
export type LabResource = pulumi.ComponentResource & LabComponent;

/** The outputs a stack exports for a lab: the interface without its methods. */
export interface LabSummary {
  nodes: Record<string, LabNode>;
  segments: Record<string, LabSegment>;
  published: LabPublishedPort[];
  mermaid: string;
}

export function labSummary(lab: LabComponent): LabSummary {
  return { nodes: lab.nodes, segments: lab.segments, published: lab.published, mermaid: lab.mermaid };
}

/** What every lab of a stack gets besides its own plan: the stack's settings and its host. */
export interface LabCommonArgs {
  /** Prefix for every Docker object name, so several stacks can share one engine. */
  namePrefix: string;
  /** Own images already on the host, by name (router, web, client, dhcp-server, oor): those given are not built. */
  images: LabImageRefs;
  /** The base of the own images the lab builds itself (default debian:bookworm-slim; pinned, name@sha256:<digest>). */
  baseImage?: string;
  /** Extra labels on every Docker object of the lab. */
  labels?: LabelMap;
  /** What the lab's containers do after a Docker daemon restart or a host reboot: "unless-stopped", "always" or "no". */
  restart: string;
  /** The host the labs run on, where their own docker commands (readiness) run. */
  host: HostConnection;
}

/** The settings a lab component shares with every other, checked. */
export interface LabSettings {
  restart: RestartPolicy;
  images: Partial<LabImages>;
}

/**
 * A component's `restart` and `images`, checked before it registers anything: throws LabConfigError
 * (`subject`, as the component's plan names it) naming the field and the value.
 */
export function labSettings(subject: string, args: { restart?: string; images?: LabImageRefs }): LabSettings {
  const restart = restartPolicySchema.safeParse(args.restart ?? DEFAULT_RESTART_POLICY);
  const images = ownImagesOf(args.images);
  const issues: ConfigIssue[] = [
    ...(restart.success ? [] : fromZodIssues(restart.error.issues, args.restart).map((issue) => ({ ...issue, path: "restart" }))),
    ...images.issues,
  ];
  if (!restart.success || issues.length > 0) throw new LabConfigError(subject, issues);
  return { restart: restart.data, images: images.images };
}
