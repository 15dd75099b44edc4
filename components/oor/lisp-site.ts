/**
 * LispSite: an xTR with its EID network and sandbox clients whose default route is the xTR's EID
 * address, as the seed's hands-on lab sets up by hand with nsenter. The EID side is a RoutedLab
 * (one internal segment, the sandboxes, each serving its container's name over HTTP on port 80);
 * the xTR is an OorRouter attached to it. The EID network gets the bridge guard RoutedLab's routed
 * segments get: without it Docker's isolation rules drop every frame a sandbox sends towards
 * another site (its destination is outside the EID subnet) before it reaches the xTR.
 */
import * as pulumi from "@pulumi/pulumi";
import { Ipv4Subnet, bounds, hostAddress, isIpv4Address, isUsableHost, lastUsableAddress, parseSubnet } from "../net/addressing";
import { ConfigIssue, LabConfigError, show } from "../net/errors";
import { HostGuard } from "../host/host-guard";
import { bridgeRuleSteps } from "../host/host-guard-script";
import { labLabels } from "../labels";
import { LabPlan, RoutedLabSpec, planRoutedLab } from "../routed-lab/plan";
import { RoutedLab } from "../routed-lab";
import { LabImageRefs, buildLabImages } from "../images/lab-image";
import { labSettings } from "../lab";
import { ProbeCheck } from "../probe/lab-probe";
import { OorRouter, OorRouterPlacement, OorRouterSetup, oorRegisteredPath, rlocRouteIssues } from "./oor-router";

/** Where each sandbox's page is; it serves its container's name on port 80. */
export const SANDBOX_PAGE_PATH = "/srv/www/index.html";

/** A sandbox of another site, for this site's probe. */
export interface FarSandbox {
  name: string;
  address: string;
  /** What it serves (its container's name). */
  page: string;
}
import { OorCommonOptions, OorOptions, OorPlan, planOorRouter } from "./plan";

/** A site as a lab plans it: its EID side, and its xTR's options and container (less where it goes). */
export interface LispSiteSettings extends OorCommonOptions, OorRouterSetup {
  /** The site's IPv4 EID prefix: its EID network. */
  eidSubnet: string;
  /** The xTR's address on the EID network, the sandboxes' gateway (default: the first host address). */
  xtrEidAddress?: string;
  /** Sandbox client names (default one, "sandbox-1"); they get the 10th, 11th... addresses. */
  sandboxes?: string[];
}

export interface LispSiteArgs extends LispSiteSettings, OorRouterPlacement {
  /** Own images already on this host, by name (router, client, oor): those given are not built. */
  images?: LabImageRefs;
}

/** The first sandbox is the EID subnet's 10th host; the xTR is its 1st, Docker's gateway its last. */
const FIRST_SANDBOX_HOST = 10;

export interface LispSitePlan {
  subnet: Ipv4Subnet;
  xtrEidAddress: string;
  sandboxes: { name: string; address: string }[];
  /** The EID side, as its RoutedLab takes it. */
  eidSpec: RoutedLabSpec;
  /** The EID side planned: what its RoutedLab builds. */
  eid: LabPlan;
  /** The xTR planned: what its OorRouter builds. */
  xtr: OorPlan;
}

/**
 * Validates a whole site before anything is created: the EID subnet and its room for the
 * sandboxes, the xTR's EID address, the sandboxes (as the EID RoutedLab checks them), the xTR
 * (as OorRouter checks it) and its RLOC routes. Throws one LabConfigError naming LispSite fields.
 */
export function planLispSite(name: string, args: LispSiteArgs): LispSitePlan {
  const { eidSubnet, xtrEidAddress, sandboxes = ["sandbox-1"], namePrefix, rlocRoutes = [] } = args;
  const subject = `LispSite ${show(name)}`;
  const issues: ConfigIssue[] = [];
  const collect = <T>(plan: () => T, rename: (path: string) => string = (path) => path): T | undefined => {
    try {
      return plan();
    } catch (error) {
      if (!(error instanceof LabConfigError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, path: rename(issue.path) })));
      return undefined;
    }
  };
  // The xTR's one EID prefix is this site's eidSubnet.
  const xtr = collect(
    () => planOorRouter(`${name}-xtr`, xtrOptions(args, eidSubnet)),
    (path) => (path === "eidPrefixes[0].prefix" ? "eidSubnet" : path),
  );
  issues.push(...rlocRouteIssues(rlocRoutes, args.rlocSubnet, args.rlocAddress));

  const subnet = parseSubnet(eidSubnet);
  if (typeof subnet === "string") {
    // An IPv4 subnet, not any prefix the xTR takes: this message replaces planOorRouter's. OOR
    // itself carries IPv6 EIDs over IPv4 RLOCs (measured with 1.3.0: registration, ping and HTTP
    // across the overlay) and OorRouter takes IPv6 EID prefixes, but the sandboxes' network is IPv4.
    const why = eidSubnet.includes(":")
      ? "is an IPv6 prefix: a LISP site's sandboxes are on an IPv4 network (IPv6 EID prefixes work on OorRouter, not on LispSite)"
      : subnet;
    throw new LabConfigError(subject, [
      { path: "eidSubnet", message: `${show(eidSubnet)} ${why}` },
      ...issues.filter((issue) => issue.path !== "eidSubnet"),
    ]);
  }
  const roomIssue = sandboxRoomIssue(subnet, sandboxes.length);
  if (roomIssue) throw new LabConfigError(subject, [...issues, roomIssue]);
  const sandboxAddresses = sandboxes.map((_, i) => hostAddress(subnet, FIRST_SANDBOX_HOST + i));
  const gateway = xtrEidAddress ?? hostAddress(subnet, 1);
  issues.push(...xtrEidAddressIssues(subnet, gateway, sandboxAddresses));
  const eidSpec: RoutedLabSpec = {
    segments: [{ name: "eid", subnet: subnet.cidr }],
    nodes: sandboxes.map((sandbox, i) => ({
      name: sandbox,
      image: "client" as const,
      interfaces: [{ segment: "eid", address: sandboxAddresses[i] }],
      routes: [{ to: "default", via: gateway }],
      files: { [SANDBOX_PAGE_PATH]: `${namePrefix ?? ""}${name}-eid-${sandbox}\n` },
      commands: [`busybox httpd -p 80 -h ${SANDBOX_PAGE_PATH.replace(/\/[^/]*$/, "")}`],
    })),
  };
  // A sandbox's name is a node's: its errors are the sandbox's. Route errors follow from the gateway's.
  const eid = issues.some((issue) => issue.path === "xtrEidAddress")
    ? undefined
    : collect(
        () => planRoutedLab(`${name}-eid`, eidSpec, { namePrefix }),
        (path) => path.replace(/^nodes\[(\d+)\]\.name$/, "sandboxes[$1]").replace(/^nodes$/, "sandboxes"),
      );
  if (issues.length > 0 || !xtr || !eid) throw new LabConfigError(subject, issues);
  return {
    eid,
    xtr,
    subnet,
    xtrEidAddress: gateway,
    sandboxes: sandboxes.map((sandbox, i) => ({ name: sandbox, address: sandboxAddresses[i] })),
    eidSpec,
  };
}

/** Sandboxes are hosts 10, 11, ...; the last host is Docker's gateway on the EID network. */
function sandboxRoomIssue(subnet: Ipv4Subnet, sandboxes: number): ConfigIssue | undefined {
  const [first, last] = bounds(subnet);
  const room = Math.max(0, last - first - 1 - FIRST_SANDBOX_HOST);
  if (sandboxes <= room) return undefined;
  const needed = 32 - Math.ceil(Math.log2(FIRST_SANDBOX_HOST + sandboxes + 2));
  return {
    path: "eidSubnet",
    message: `${show(subnet.cidr)} has room for ${room} sandbox(es), not ${sandboxes} (the xTR is host 1, sandboxes hosts ${FIRST_SANDBOX_HOST} and up, Docker's gateway the last host): use a /${needed} or larger`,
  };
}

/** The xTR's EID address: a host of the subnet, neither Docker's gateway nor a sandbox's. */
function xtrEidAddressIssues(subnet: Ipv4Subnet, gateway: string, sandboxAddresses: string[]): ConfigIssue[] {
  if (!isIpv4Address(gateway) || !isUsableHost(subnet, gateway)) {
    return [{ path: "xtrEidAddress", message: `${show(gateway)} is not a host address of ${subnet.cidr}` }];
  }
  if (gateway === lastUsableAddress(subnet)) {
    return [
      { path: "xtrEidAddress", message: `${show(gateway)} is Docker's gateway on the EID network (the last host of ${subnet.cidr})` },
    ];
  }
  if (sandboxAddresses.includes(gateway)) return [{ path: "xtrEidAddress", message: `${show(gateway)} is a sandbox's address` }];
  return [];
}

/** The xTR's own options: the site's arguments less those of its container and its EID side. */
function xtrOptions(args: LispSiteArgs, eidPrefix: string): OorOptions {
  const {
    eidSubnet: _e,
    xtrEidAddress: _x,
    sandboxes: _s,
    images: _i,
    host: _h,
    image: _m,
    imageRef: _r,
    rlocNetwork: _n,
    rlocRoutes: _t,
    watchtower: _w,
    namePrefix: _p,
    labels: _l,
    restart: _z,
    readyTimeoutSeconds: _rt,
    baseImage: _b,
    ...options
  } = args;
  return { ...options, mode: "xTR", eidPrefixes: [{ prefix: eidPrefix }] };
}

export class LispSite extends pulumi.ComponentResource {
  readonly xtr: OorRouter;
  readonly eid: RoutedLab;
  readonly xtrEidAddress: string;
  readonly eidSubnet: string;
  readonly guard: HostGuard;
  readonly sandboxes: Record<string, { container: string; address: string }>;

  /** This site's sandboxes as another site's probe targets. */
  farSandboxes(site: string): FarSandbox[] {
    return Object.entries(this.sandboxes).map(([sandbox, info]) => ({
      name: `${site} ${sandbox}`,
      address: info.address,
      page: info.container,
    }));
  }

  /** `planned`: planLispSite's result for these arguments, when the caller has planned them already. */
  constructor(name: string, args: LispSiteArgs, opts?: pulumi.ComponentResourceOptions, planned?: LispSitePlan) {
    // Validate the whole site before registering anything.
    const plan = planned ?? planLispSite(name, args);
    const { images } = labSettings(`LispSite ${show(name)}`, args);
    const { eidSubnet: _eidSubnet, xtrEidAddress: _xtrEidAddress, sandboxes: _sandboxes, images: _images, ...xtrArgs } = args;
    const gateway = plan.xtrEidAddress;
    super("docker-netlabs:oor:LispSite", name, {}, opts);
    this.xtrEidAddress = gateway;
    this.eidSubnet = plan.subnet.cidr;
    this.eid = new RoutedLab(
      `${name}-eid`,
      {
        namePrefix: xtrArgs.namePrefix,
        labels: xtrArgs.labels,
        restart: xtrArgs.restart,
        images,
        baseImage: xtrArgs.baseImage,
        host: xtrArgs.host,
        spec: plan.eidSpec,
      },
      { parent: this },
      plan.eid,
    );
    const labName = `${xtrArgs.namePrefix ?? ""}${name}`;
    this.guard = new HostGuard(
      `${name}-eid-guard`,
      {
        steps: bridgeRuleSteps([this.eid.segments.eid.bridge!], `docker-netlabs:${labName}`),
        image: images.router ?? buildLabImages(`${name}-image`, { parent: this }, ["router"], undefined, xtrArgs.baseImage).router!,
        containerName: `${labName}-eid-guard`,
        capabilities: ["NET_ADMIN", "NET_RAW"],
        labels: labLabels(labName, xtrArgs.labels),
        boundTo: [this.eid.networks.eid.id],
        host: xtrArgs.host,
      },
      { parent: this, dependsOn: [this.eid.networks.eid] },
    );
    this.xtr = new OorRouter(
      `${name}-xtr`,
      {
        ...xtrArgs,
        mode: "xTR",
        eidPrefixes: [{ prefix: plan.subnet.cidr }],
        eidNetworks: [{ network: this.eid.networks.eid.name, address: gateway }],
      },
      { parent: this, dependsOn: [this.guard] },
      plan.xtr,
    );
    this.sandboxes = Object.fromEntries(
      plan.sandboxes.map((sandbox) => [sandbox.name, { container: this.eid.nodes[sandbox.name].container, address: sandbox.address }]),
    );
    this.registerOutputs({ xtr: this.xtr.containerName, xtrEidAddress: gateway, sandboxes: this.sandboxes });
  }

  /**
   * What a user of the site cares about: each sandbox reaches its xTR; the map server confirmed the
   * site's registration (the xTR's log); and, given the other sites' sandboxes, each sandbox
   * reaches and fetches each of them across the overlay.
   */
  probeChecks(far: FarSandbox[] = []): ProbeCheck[] {
    return [
      {
        kind: "file" as const,
        name: `${this.xtr.containerName} registered ${this.eidSubnet} with the map server`,
        container: this.xtr.containerName,
        path: oorRegisteredPath(this.eidSubnet),
      },
      ...Object.entries(this.sandboxes).flatMap(([sandbox, info]): ProbeCheck[] => [
        { kind: "reach", name: `${sandbox} reaches its xTR ${this.xtrEidAddress}`, from: info.container, address: this.xtrEidAddress },
        ...far.flatMap((target): ProbeCheck[] => [
          {
            kind: "reach",
            name: `${sandbox} reaches ${target.name} (${target.address}) across the overlay`,
            from: info.container,
            address: target.address,
          },
          {
            kind: "fetch",
            name: `${sandbox} fetches ${target.name} across the overlay`,
            from: info.container,
            url: `http://${target.address}/`,
            expect: target.page,
          },
        ]),
      ]),
    ];
  }
}
