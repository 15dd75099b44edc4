/**
 * An OpenOverlayRouter node (LISP xTR, MS/MR, RTR or MN): /dev/net/tun, NET_ADMIN and NET_RAW only,
 * forwarding on and rp_filter off. Config "file" starts it with the own start script and the
 * rendered oor.conf (secret: it holds the keys); "env" sets the image's variables (secret too).
 * Healthy once OOR reports it started (the own image's ready file), or, in an image without that
 * start script, once a process named oor runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec } from "../../declare/container";
import { OorPlan } from "../../oor/plan";
import { renderOorConf, renderOorEnv } from "../../oor/render";
import { OOR_START_PATH, OOR_TEMPLATE_PATH, renderOorStartScript } from "../../oor/start-script";
import { KindContext, NodeKind } from "../kind";

/** What the own image's start script creates once OOR reports it started (images/oor/oor-start). */
export const OOR_READY_PATH = "/run/oor/ready";

export const OOR_HEALTH_TEST = `test -f ${OOR_READY_PATH} || { test ! -e /usr/local/sbin/oor-start && grep -qsx oor /proc/[0-9]*/comm; }`;

/** An OOR node as planned: the router's plan, its addresses on its EID networks and its RLOC routes. */
export interface OorNodePlan {
  name: string;
  containerName: string;
  oor: OorPlan;
  /** Its address on each EID network; the networks are the context's `eid0`, `eid1`, ... */
  eidAddresses: string[];
  rlocRoutes: { to: string; via?: string }[];
}

/**
 * The only capabilities an OOR router keeps; Docker's other defaults are dropped. Measured with
 * OOR 1.3.0 (docs/oor.md, Capabilities): with these alone every mode starts and carries packets
 * (the OOR e2e tests); without NET_RAW it refuses to start ("CRIT: Insufficient rights, you need
 * CAP_NET_ADMIN and CAP_NET_RAW").
 */
export const OOR_CAPABILITIES: readonly string[] = ["NET_ADMIN", "NET_RAW"];

/** The context's network names: `rloc`, then `eid<i>` per EID network. */
export const eidNetworkKey = (index: number): string => `eid${index}`;

export const oorRouterKind: NodeKind<OorNodePlan> = {
  name: "oor-router",
  image: "oor",
  container: (node, context) => oorContainer(node, context),
};

function oorContainer(node: OorNodePlan, context: KindContext): ContainerSpec {
  const plan = node.oor;
  const keys = secretKeys(plan);
  return {
    name: node.containerName,
    hostname: node.name,
    image: context.image,
    networks: [
      { name: context.networks.rloc, ipv4Address: plan.rlocAddress },
      ...node.eidAddresses.map((address, i) => ({ name: context.networks[eidNetworkKey(i)], ipv4Address: address })),
    ],
    devices: [{ hostPath: "/dev/net/tun", containerPath: "/dev/net/tun" }],
    capabilities: { adds: [...OOR_CAPABILITIES], dropDefaults: true },
    sysctls: {
      "net.ipv4.ip_forward": "1",
      "net.ipv4.conf.all.rp_filter": "0",
      "net.ipv4.conf.default.rp_filter": "0",
      ...(plan.eidFamilies.includes("ipv6") ? { "net.ipv6.conf.all.forwarding": "1", "net.ipv6.conf.all.disable_ipv6": "0" } : {}),
    },
    ...(plan.config === "file"
      ? {
          entrypoint: ["/bin/sh", OOR_START_PATH],
          uploads: [
            {
              file: OOR_START_PATH,
              content: renderOorStartScript({ rlocAddress: plan.rlocAddress, rlocSubnet: plan.rlocSubnet, rlocRoutes: node.rlocRoutes }),
              executable: true,
            },
            { file: OOR_TEMPLATE_PATH, content: pulumi.secret(keys.apply((k) => renderOorConf(plan, k))) },
          ],
        }
      : { envs: pulumi.secret(keys.apply((k) => Object.entries(renderOorEnv(plan, k)).map(([key, value]) => `${key}=${value}`))) }),
    restart: context.restart,
    readiness: OOR_HEALTH_TEST,
    labels: { ...context.labels, "io.docker-netlabs.oor-mode": plan.mode },
  };
}

/** Every key, resolved together; secret when any of them is. */
function secretKeys(plan: OorPlan): pulumi.Output<{ mapServers: string[]; sites: string[] }> {
  return pulumi
    .all([pulumi.all(plan.mapServers.map((m) => m.key)), pulumi.all(plan.sites.map((s) => s.key))])
    .apply(([mapServers, sites]) => ({ mapServers, sites }));
}
