/**
 * The LAN exposer of a NetworkContainer: a router between the target's private network and a LAN
 * (a macvlan on a host interface) that DNATs each exposed port to the target and MASQUERADEs
 * towards it, holding the LAN address (static, or a DHCP lease). It keeps only NET_ADMIN and
 * NET_RAW; udhcpc may bind port 68 without NET_BIND_SERVICE (in this namespace only).
 */
import { ContainerSpec } from "../../declare/container";
import {
  DHCP_HOOK_PATH,
  DHCP_HOOK_SCRIPT,
  ROUTER_SCRIPT_PATH,
  WAIT_LEASE_PATH,
  renderRouterScript,
  renderWaitLeaseScript,
} from "../../network-container/scripts";
import { KindContext, NodeKind } from "../kind";

/** The exposer as planned: its names, its target and ports, its LAN address or DHCP. */
export interface LanExposerPlan {
  containerName: string;
  hostname: string;
  target: string;
  ports: { port: number; protocol: "tcp" | "udp" }[];
  mode: { kind: "static"; address: string } | { kind: "dhcp"; hostname: string };
  /** How long the lease may take (DHCP), in seconds. */
  leaseTimeoutSeconds: number;
}

/** The context's networks: `private` (the target's), then `lan`. */
export const lanExposerKind: NodeKind<LanExposerPlan> = {
  name: "lan-exposer",
  image: "router",
  container: (plan, context) => exposerContainer(plan, context),
};

function exposerContainer(plan: LanExposerPlan, context: KindContext): ContainerSpec {
  const { mode } = plan;
  return {
    name: plan.containerName,
    hostname: plan.hostname,
    image: context.image,
    networks: [
      { name: context.networks.private },
      { name: context.networks.lan, ...(mode.kind === "static" ? { ipv4Address: mode.address } : {}) },
    ],
    capabilities: { adds: ["NET_ADMIN", "NET_RAW"], dropDefaults: true },
    sysctls: { "net.ipv4.ip_forward": "1", "net.ipv4.ip_unprivileged_port_start": "0" },
    entrypoint: ["/bin/sh", ROUTER_SCRIPT_PATH],
    uploads: [
      { file: ROUTER_SCRIPT_PATH, content: renderRouterScript({ target: plan.target, ports: plan.ports, mode }), executable: true },
      { file: DHCP_HOOK_PATH, content: DHCP_HOOK_SCRIPT, executable: true },
      { file: WAIT_LEASE_PATH, content: renderWaitLeaseScript(plan.leaseTimeoutSeconds), executable: true },
    ],
    labels: { ...context.labels, "io.docker-netlabs.role": "network-container", "io.docker-netlabs.target": plan.target },
  };
}
