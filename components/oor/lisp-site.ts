/**
 * LispSite: an xTR with its EID network and sandbox clients whose default route is the xTR's EID
 * address, as the seed's hands-on lab sets up by hand with nsenter. The EID side is a RoutedLab
 * (one internal segment, the sandboxes); the xTR is an OorRouter attached to it.
 */
import * as pulumi from "@pulumi/pulumi";
import { Ipv4Subnet, bounds, hostAddress, isIpv4Address, isUsableHost, lastUsableAddress, parseSubnet } from "../net/addressing";
import { ConfigIssue, LabConfigError, show } from "../net/errors";
import { RoutedLabSpec, planRoutedLab } from "../net/topology";
import { RoutedLab, RoutedLabArgs } from "../routed-lab";
import { LabImages } from "../images/lab-image";
import { ProbeCheck } from "../probe/lab-probe";
import { OorRouter, OorRouterArgs, rlocRouteIssues } from "./oor-router";
import { OorOptions, planOorRouter } from "./plan";

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

/** The first sandbox is the EID subnet's 10th host; the xTR is its 1st, Docker's gateway its last. */
const FIRST_SANDBOX_HOST = 10;

export interface LispSitePlan {
  subnet: Ipv4Subnet;
  xtrEidAddress: string;
  sandboxes: { name: string; address: string }[];
  /** The EID side, as its RoutedLab takes it. */
  eidSpec: RoutedLabSpec;
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
  const collect = (plan: () => unknown, rename: (path: string) => string = (path) => path) => {
    try {
      plan();
    } catch (error) {
      if (!(error instanceof LabConfigError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, path: rename(issue.path) })));
    }
  };
  // The xTR's one EID prefix is this site's eidSubnet.
  collect(
    () => planOorRouter(`${name}-xtr`, xtrOptions(args, eidSubnet)),
    (path) => (path === "eidPrefixes[0].prefix" ? "eidSubnet" : path),
  );
  issues.push(...rlocRouteIssues(rlocRoutes, args.rlocSubnet, args.rlocAddress));

  const subnet = parseSubnet(eidSubnet);
  if (typeof subnet === "string") {
    // An IPv4 subnet, not any prefix the xTR takes: this message replaces planOorRouter's.
    throw new LabConfigError(subject, [
      { path: "eidSubnet", message: `${show(eidSubnet)} ${subnet}` },
      ...issues.filter((issue) => issue.path !== "eidSubnet"),
    ]);
  }
  const [first, last] = bounds(subnet);
  const hosts = last - first - 1;
  // Sandboxes are hosts 10, 11, ...; the last host is Docker's gateway on the EID network.
  const room = Math.max(0, hosts - FIRST_SANDBOX_HOST);
  if (sandboxes.length > room) {
    const needed = 32 - Math.ceil(Math.log2(FIRST_SANDBOX_HOST + sandboxes.length + 2));
    issues.push({
      path: "eidSubnet",
      message: `${show(subnet.cidr)} has room for ${room} sandbox(es), not ${sandboxes.length} (the xTR is host 1, sandboxes hosts ${FIRST_SANDBOX_HOST} and up, Docker's gateway the last host): use a /${needed} or larger`,
    });
    throw new LabConfigError(subject, issues);
  }
  const sandboxAddresses = sandboxes.map((_, i) => hostAddress(subnet, FIRST_SANDBOX_HOST + i));
  const gateway = xtrEidAddress ?? hostAddress(subnet, 1);
  if (!isIpv4Address(gateway) || !isUsableHost(subnet, gateway)) {
    issues.push({ path: "xtrEidAddress", message: `${show(gateway)} is not a host address of ${subnet.cidr}` });
  } else if (gateway === lastUsableAddress(subnet)) {
    issues.push({
      path: "xtrEidAddress",
      message: `${show(gateway)} is Docker's gateway on the EID network (the last host of ${subnet.cidr})`,
    });
  } else if (sandboxAddresses.includes(gateway)) {
    issues.push({ path: "xtrEidAddress", message: `${show(gateway)} is a sandbox's address` });
  }
  const eidSpec: RoutedLabSpec = {
    segments: [{ name: "eid", subnet: subnet.cidr }],
    nodes: sandboxes.map((sandbox, i) => ({
      name: sandbox,
      image: "client" as const,
      interfaces: [{ segment: "eid", address: sandboxAddresses[i] }],
      routes: [{ to: "default", via: gateway }],
    })),
  };
  // A sandbox's name is a node's: its errors are the sandbox's. Route errors follow from the gateway's.
  if (!issues.some((issue) => issue.path === "xtrEidAddress")) {
    collect(
      () => planRoutedLab(`${name}-eid`, eidSpec, { namePrefix }),
      (path) => path.replace(/^nodes\[(\d+)\]\.name$/, "sandboxes[$1]").replace(/^nodes$/, "sandboxes"),
    );
  }
  if (issues.length > 0) throw new LabConfigError(subject, issues);
  return {
    subnet,
    xtrEidAddress: gateway,
    sandboxes: sandboxes.map((sandbox, i) => ({ name: sandbox, address: sandboxAddresses[i] })),
    eidSpec,
  };
}

/** The xTR's own options: the site's arguments less those of its container and its EID side. */
function xtrOptions(args: LispSiteArgs, eidPrefix: string): OorOptions {
  const {
    eidSubnet: _e,
    xtrEidAddress: _x,
    sandboxes: _s,
    images: _i,
    dockerHost: _d,
    sshOpts: _o,
    image: _m,
    imageRef: _r,
    rlocNetwork: _n,
    rlocRoutes: _t,
    watchtower: _w,
    namePrefix: _p,
    labels: _l,
    restart: _z,
    ...options
  } = args;
  return { ...options, mode: "xTR", eidPrefixes: [{ prefix: eidPrefix }] };
}

export class LispSite extends pulumi.ComponentResource {
  readonly xtr: OorRouter;
  readonly eid: RoutedLab;
  readonly xtrEidAddress: string;
  readonly sandboxes: Record<string, { container: string; address: string }>;

  constructor(name: string, args: LispSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate the whole site before registering anything.
    const plan = planLispSite(name, args);
    const { eidSubnet: _eidSubnet, xtrEidAddress: _xtrEidAddress, sandboxes: _sandboxes, images, dockerHost, sshOpts, ...xtrArgs } = args;
    const gateway = plan.xtrEidAddress;
    super("docker-netlabs:oor:LispSite", name, {}, opts);
    this.xtrEidAddress = gateway;
    this.eid = new RoutedLab(
      `${name}-eid`,
      {
        namePrefix: xtrArgs.namePrefix,
        labels: xtrArgs.labels,
        restart: xtrArgs.restart,
        images,
        dockerHost,
        sshOpts,
        spec: plan.eidSpec,
      },
      { parent: this },
    );
    this.xtr = new OorRouter(
      `${name}-xtr`,
      {
        ...xtrArgs,
        mode: "xTR",
        eidPrefixes: [{ prefix: plan.subnet.cidr }],
        eidNetworks: [{ network: this.eid.networks.eid.name, address: gateway }],
      },
      { parent: this },
    );
    this.sandboxes = Object.fromEntries(
      plan.sandboxes.map((sandbox) => [sandbox.name, { container: this.eid.nodes[sandbox.name].container, address: sandbox.address }]),
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
