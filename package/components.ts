/**
 * What the package's provider builds: the components themselves, with one addition a user of
 * another language needs, the probe. In TypeScript a stack takes `lab.probeChecks()` and declares a
 * LabProbe beside the lab (stacks/index.ts); a method is not in a schema, so here a lab given
 * `probe` declares that probe as its own child and shows its results as `probeResults`. Without
 * `probe` each is exactly its TypeScript component: same resources, same inputs.
 * package/faces.ts is their schema. ARCHITECTURE.md, The package.
 */
import * as pulumi from "@pulumi/pulumi";
import * as bgp from "../components/bgp/bgp-triangle";
import * as host from "../components/host/docker-host";
import * as exposer from "../components/network-container/network-container";
import { OorRouter } from "../components/oor/oor-router";
import { LabProbe, ProbeCheck, ProbeResult, containerIdsOf } from "../components/probe/lab-probe";
import * as routed from "../components/routed-lab/routed-lab";

export type { DockerHostArgs } from "../components/host/docker-host";

/** The probe of a lab built through the package: its checks run on the lab's host once the lab is up. */
export interface LabProbeSettings {
  /** How long each check may keep retrying before it counts as failed (default 30). */
  timeoutSeconds?: number;
  /** Fail `pulumi up` when a check fails (default false: the results say so). */
  failOnError?: boolean;
}

/** RoutedLab's arguments, and its probe. */
export interface PackageRoutedLabArgs extends routed.RoutedLabArgs {
  /** Probe the lab once it is up (its routes' next hops, the protocols' adjacencies and routes, its checks); results in `probeResults`. */
  probe?: LabProbeSettings;
}

/** BgpTriangle's arguments, and its probe. */
export interface PackageBgpTriangleArgs extends bgp.BgpTriangleArgs {
  /** Probe the lab once it is up (every session Established, the host fetching the question); results in `probeResults`. */
  probe?: LabProbeSettings;
}

/** NetworkContainer's arguments, and its probe. */
export interface PackageNetworkContainerArgs extends exposer.NetworkContainerArgs {
  /** Probe the router once it is up (it holds its LAN address); results in `probeResults`. */
  probe?: LabProbeSettings;
}

export class RoutedLab extends routed.RoutedLab {
  readonly probeResults?: pulumi.Output<ProbeResult[]>;

  constructor(name: string, args: PackageRoutedLabArgs, opts?: pulumi.ComponentResourceOptions) {
    const { probe, ...labArgs } = args;
    super(name, labArgs, opts);
    if (probe) this.probeResults = declareProbe(this, name, this.probeChecks(), args.host, probe, [this.ready]);
  }
}

export class BgpTriangle extends bgp.BgpTriangle {
  readonly probeResults?: pulumi.Output<ProbeResult[]>;

  constructor(name: string, args: PackageBgpTriangleArgs, opts?: pulumi.ComponentResourceOptions) {
    const { probe, ...labArgs } = args;
    super(name, labArgs, opts);
    if (probe) this.probeResults = declareProbe(this, name, this.probeChecks(), args.host, probe, [this.lab.ready]);
  }
}

export class NetworkContainer extends exposer.NetworkContainer {
  readonly probeResults?: pulumi.Output<ProbeResult[]>;

  constructor(name: string, args: PackageNetworkContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    const { probe, ...exposerArgs } = args;
    super(name, exposerArgs, opts);
    if (probe) this.probeResults = declareProbe(this, name, this.probeChecks(), args.host, probe, []);
  }
}

export const DockerHost = host.DockerHost;
export { OorRouter };

/** The components the package offers, by the names of their faces (package/faces.ts). */
export const PACKAGE_COMPONENTS = [RoutedLab, BgpTriangle, OorRouter, NetworkContainer, DockerHost];

/**
 * The lab's probe, a child of the lab: as the stack's (stacks/index.ts), run again when a container
 * of the lab is replaced, after what `after` names (the lab's readiness gate).
 */
function declareProbe(
  lab: pulumi.ComponentResource,
  name: string,
  checks: ProbeCheck[],
  labHost: host.HostConnection | undefined,
  settings: LabProbeSettings,
  after: pulumi.Resource[],
): pulumi.Output<ProbeResult[]> {
  return new LabProbe(
    `${name}-probe`,
    {
      host: labHost ?? host.LOCAL_HOST,
      containerIds: containerIdsOf(lab),
      checks,
      timeoutSeconds: settings.timeoutSeconds,
      failOnError: settings.failOnError,
    },
    { parent: lab, dependsOn: after },
  ).results;
}
