/**
 * One LISP role per stack, for labs spread over sites (seed 000's hands-on lab): a `lisp-msmr`
 * stack runs the map server / map resolver, each `lisp-site` stack an xTR with its EID network and
 * sandboxes on its own Docker host. The sites read the MS/MR address from their config
 * (`oorMapServer`, e.g. from `pulumi stack output -s msmr labs`) and share its secret key.
 */
import * as pulumi from "@pulumi/pulumi";
import { OwnImageName } from "../components/images/lab-image";
import { isIpv4Address, isUsableHost, lastUsableAddress, parseSubnet } from "../components/net/addressing";
import { ConfigIssue, LabConfigError, show } from "../components/net/errors";
import { LispSitePlan, OWN_OOR_IMAGE, OorPlan, planLispSite, planOorRouterArgs, withSecretKeys } from "../components/oor";
import { LispSiteLab, LispSiteLabArgs, PlannedLispSite } from "../components/oor/lisp-site-lab";
import { LispMsmrLab, LispMsmrLabArgs, PlannedMapServer } from "../components/oor/lisp-msmr-lab";
import { RlocNetworkPlan } from "../components/oor/rloc-network";
import { CompositionPlan, LabCommonArgs, LabFootprint, defineComposition, fromConfig } from "./composition";
import { StackConfig, configPath } from "./keys";

/**
 * The RLOC network of a site from its config, checked as an address plan: a subnet, a gateway
 * inside it (Docker's bridge address, or the address a macvlan reserves) that is not the
 * router's own address. Issues name the oorRloc keys. Pure.
 */
export function planRlocNetwork(rloc: NonNullable<StackConfig["oorRloc"]>): { plan?: RlocNetworkPlan; issues: ConfigIssue[] } {
  const subnet = parseSubnet(rloc.subnet);
  if (typeof subnet === "string") return { issues: [{ path: configPath("oorRloc.subnet"), message: `${show(rloc.subnet)} ${subnet}` }] };
  const issues: ConfigIssue[] = [];
  if (!isUsableHost(subnet, rloc.address)) {
    issues.push({
      path: configPath("oorRloc.address"),
      message: `${show(rloc.address)} is outside the RLOC subnet ${subnet.cidr} (or is its network or broadcast address)`,
    });
  }
  const gateway = rloc.gateway ?? lastUsableAddress(subnet);
  if (rloc.gateway !== undefined && (!isIpv4Address(rloc.gateway) || !isUsableHost(subnet, rloc.gateway))) {
    issues.push({
      path: configPath("oorRloc.gateway"),
      message: `${show(rloc.gateway)} is not a host address of the RLOC subnet ${subnet.cidr}`,
    });
  } else if (gateway === rloc.address) {
    issues.push(
      rloc.gateway === undefined
        ? {
            path: configPath("oorRloc.address"),
            message: `${show(rloc.address)} is Docker's gateway on the RLOC network (the last host of ${subnet.cidr}): set oorRloc.gateway to another address, or take another`,
          }
        : { path: configPath("oorRloc.gateway"), message: `${show(rloc.gateway)} is the router's own address (oorRloc.address)` },
    );
  }
  return { plan: { subnet: subnet.cidr, gateway, ...(rloc.parent ? { parent: rloc.parent } : {}) }, issues };
}

/**
 * The own images an OOR lab needs besides its nodes': the own OOR image (images/oor) unless
 * oorImage names another, which the router pulls instead.
 */
export function oorLabImages(oorImage: string): OwnImageName[] {
  return oorImage === OWN_OOR_IMAGE ? ["oor"] : [];
}

/** LispSite's fields as they come from a site's config keys (undefined: the lab's own). */
function siteConfigKey(path: string): string | undefined {
  const direct: Record<string, string> = {
    eidSubnet: "oorSite.eidSubnet",
    sandboxes: "oorSite.sandboxes",
    rlocSubnet: "oorRloc.subnet",
    rlocAddress: "oorRloc.address",
    "mapResolvers[0]": "oorMapServer",
    "mapServers[0].address": "oorMapServer",
    "mapServers[0].key": "oorMapServerKey",
    image: "oorImage",
  };
  if (direct[path]) return direct[path];
  const sandbox = /^sandboxes(\[\d+\])$/.exec(path);
  if (sandbox) return `oorSite.sandboxes${sandbox[1]}`;
  const route = /^rlocRoutes(\[\d+\]\..*)$/.exec(path);
  return route ? `oorRlocRoutes${route[1]}` : undefined;
}

/** Runs a plan step, keeping its config errors with the others so that one preview names them all. */
function collecting<T>(issues: ConfigIssue[], step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof LabConfigError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

export const lispSite = defineComposition({
  reads: ["oorImage", "oorMapServerKey", "oorRloc", "oorSite", "oorMapServer", "oorRlocRoutes", "internal"],
  requires: ["oorMapServerKey", "oorRloc", "oorSite", "oorMapServer"],
  plan(lab, config, { namePrefix }): CompositionPlan<Omit<LispSiteLabArgs, keyof LabCommonArgs> & { plan: LispSitePlan }> {
    const issues: ConfigIssue[] = [];
    const { plan: rloc, issues: rlocIssues } = planRlocNetwork(config.oorRloc);
    issues.push(...rlocIssues);
    if (rloc && config.oorMapServer === rloc.gateway) {
      issues.push({
        path: configPath("oorMapServer"),
        message: `${show(config.oorMapServer)} is Docker's gateway on the RLOC network, not a map server`,
      });
    }
    const site = (key: pulumi.Input<string>): PlannedLispSite => ({
      image: config.oorImage,
      eidSubnet: config.oorSite.eidSubnet,
      ...(config.oorSite.sandboxes ? { sandboxes: config.oorSite.sandboxes } : {}),
      rlocSubnet: config.oorRloc.subnet,
      rlocAddress: config.oorRloc.address,
      rlocRoutes: config.oorRlocRoutes ?? [],
      mapResolvers: [config.oorMapServer],
      mapServers: [{ address: config.oorMapServer, key, proxyReply: true }],
    });
    // Validated with the key itself (every check at plan time); created with it as a secret.
    const planned = collecting(issues, () =>
      fromConfig(lab, () => planLispSite(lab, { ...site(config.oorMapServerKey), rlocNetwork: "", namePrefix }), siteConfigKey),
    );
    if (issues.length > 0 || !rloc || !planned) throw new LabConfigError("stack configuration", issues);
    const sandboxes = planned.sandboxes;
    const name = `${namePrefix}${lab}`;
    const footprint: LabFootprint = {
      subnets: [
        { path: configPath("oorRloc.subnet"), cidr: rloc.subnet, what: `lab ${lab}'s RLOC network` },
        { path: configPath("oorSite.eidSubnet"), cidr: planned.subnet.cidr, what: `lab ${lab}'s EID network` },
      ],
      ports: [],
      names: [
        { path: configPath("oorRloc"), name: `${name}-rloc`, kind: "network" },
        { path: configPath("oorSite"), name: `${name}-eid-eid`, kind: "network" },
        { path: configPath("labs"), name: `${name}-xtr`, kind: "container" },
        { path: configPath("labs"), name: `${name}-eid-guard`, kind: "container" },
        ...sandboxes.map((sandbox, i) => ({
          path: configPath(`oorSite.sandboxes[${i}]`),
          name: `${name}-eid-${sandbox.name}`,
          kind: "container" as const,
        })),
      ],
    };
    return {
      args: {
        site: site(pulumi.secret(config.oorMapServerKey)),
        rloc: rloc,
        internal: config.internal,
        plan: { ...planned, xtr: withSecretKeys(planned.xtr) },
      },
      needs: {
        images: ["client", "router", ...oorLabImages(config.oorImage)],
        interfaces: rloc.parent ? [rloc.parent] : [],
        addresses: [],
      },
      footprint,
    };
  },
  create: (lab, { plan, ...args }, common, opts) => new LispSiteLab(lab, { ...args, ...common }, opts, plan),
});

/** OorRouter's MS fields as they come from the msmr's config keys. */
function msmrConfigKey(path: string): string | undefined {
  if (path === "rlocSubnet") return "oorRloc.subnet";
  if (path === "rlocAddress") return "oorRloc.address";
  if (path === "image") return "oorImage";
  const site = /^sites(\[\d+\])\.(eidPrefix|key)$/.exec(path);
  if (site) return site[2] === "key" ? "oorMapServerKey" : `oorSites${site[1]}`;
  const route = /^rlocRoutes(\[\d+\]\..*)$/.exec(path);
  return route ? `oorRlocRoutes${route[1]}` : undefined;
}

export const lispMsmr = defineComposition({
  reads: ["oorImage", "oorMapServerKey", "oorRloc", "oorSites", "oorRlocRoutes", "internal"],
  requires: ["oorMapServerKey", "oorRloc", "oorSites"],
  plan(lab, config, { namePrefix }): CompositionPlan<Omit<LispMsmrLabArgs, keyof LabCommonArgs> & { plan: OorPlan }> {
    const issues: ConfigIssue[] = [];
    const { plan: rloc, issues: rlocIssues } = planRlocNetwork(config.oorRloc);
    issues.push(...rlocIssues);
    const ms = (key: pulumi.Input<string>): PlannedMapServer => ({
      image: config.oorImage,
      mode: "MS",
      rlocSubnet: config.oorRloc.subnet,
      rlocAddress: config.oorRloc.address,
      rlocRoutes: config.oorRlocRoutes ?? [],
      sites: config.oorSites.map((eidPrefix) => ({ eidPrefix, key })),
    });
    // Validated with the key itself (every check at plan time); built with it as a secret.
    const planned = collecting(issues, () =>
      fromConfig(lab, () => planOorRouterArgs(lab, { ...ms(config.oorMapServerKey), rlocNetwork: "" }), msmrConfigKey),
    );
    if (issues.length > 0 || !rloc || !planned) throw new LabConfigError("stack configuration", issues);
    const name = `${namePrefix}${lab}`;
    return {
      args: { ms: ms(pulumi.secret(config.oorMapServerKey)), rloc: rloc, internal: config.internal, plan: withSecretKeys(planned) },
      needs: { images: oorLabImages(config.oorImage), interfaces: rloc.parent ? [rloc.parent] : [], addresses: [] },
      footprint: {
        subnets: [{ path: configPath("oorRloc.subnet"), cidr: rloc.subnet, what: `lab ${lab}'s RLOC network` }],
        ports: [],
        names: [
          { path: configPath("oorRloc"), name: `${name}-rloc`, kind: "network" },
          { path: configPath("labs"), name, kind: "container" },
        ],
      },
    };
  },
  create: (lab, { plan, ...args }, common, opts) => new LispMsmrLab(lab, { ...args, ...common }, opts, plan),
});
