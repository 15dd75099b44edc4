/** BGP (FRR's bgpd) as a routing protocol module: a node's `bgp` field runs it. */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { RoutingProtocol } from "../protocol";
import { expectationChecks, reflectionLabel } from "./checks";
import { bgpSections } from "./frr";
import { BgpFields, bgpNodeIssues, planBgp } from "./plan";
import { BgpSettings, bgpSchema } from "./schema";

export type { BgpFields, BgpNeighborPlan, BgpPlan } from "./plan";
export { MAX_ASN, bgpSchema } from "./schema";
export type { BgpSettings, BgpSpec } from "./schema";

/** BGP sessions Established, of IPv4 unicast (or IPv6 unicast with `family` 6). */
export function bgpSessionsCheck(name: string, router: string, established: number, family?: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show bgp summary json",
    path: [family === 6 ? "ipv6Unicast" : "ipv4Unicast", "peers"],
    stateFields: ["state"],
    upPattern: "^Established$",
    want: established,
    counted: "sessions Established",
  };
}

export const bgp = {
  name: "bgp" as const,
  title: "BGP",
  nodeSchema: bgpSchema,
  nodeIssues: bgpNodeIssues,
  plan: planBgp,
  runs: (router) => router.bgp !== undefined,
  frr: {
    daemons: [{ name: "bgpd", options: "-A 127.0.0.1", listedWhenOff: true }],
    running: (router) => (router.bgp ? [{ daemon: "bgpd", readyLine: `router bgp ${router.bgp.asn}` }] : []),
    sections: (router) => (router.bgp ? bgpSections(router, router.bgp) : {}),
  },
  checks: (router, { node, container }) => {
    const neighbors = router.bgp?.neighbors ?? [];
    const [sessions, sessions6] = [neighbors.filter((n) => n.family !== 6).length, neighbors.filter((n) => n.family === 6).length];
    return [
      ...(sessions > 0 ? [bgpSessionsCheck(`${node} BGP sessions Established (${sessions})`, container, sessions)] : []),
      ...(sessions6 > 0 ? [bgpSessionsCheck(`${node} BGP IPv6 sessions Established (${sessions6})`, container, sessions6, 6)] : []),
      ...(router.bgp?.announce?.expect ? expectationChecks(router.bgp.announce.expect, node, container) : []),
    ];
  },
  outputs: (router): { asn?: number } => (router.bgp ? { asn: router.bgp.asn } : {}),
  diagram: (router) => `BGP AS ${router.bgp?.asn}${reflectionLabel(router.bgp?.reflector)}`,
} satisfies RoutingProtocol<BgpSettings, never, BgpFields, { asn?: number }>;
