/** BGP (FRR's bgpd) as a routing protocol module: a node's `bgp` field runs it. */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { RoutingProtocol } from "../protocol";
import { bgpSections } from "./frr";
import { BgpFields, bgpNodeIssues, planBgp } from "./plan";
import { BgpSettings, bgpSchema } from "./schema";

export type { BgpFields, BgpNeighborPlan, BgpPlan } from "./plan";
export { MAX_ASN, bgpSchema } from "./schema";
export type { BgpSettings, BgpSpec } from "./schema";

/** BGP sessions Established. */
export function bgpSessionsCheck(name: string, router: string, established: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show bgp summary json",
    path: ["ipv4Unicast", "peers"],
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
    const sessions = router.bgp?.neighbors.length ?? 0;
    return sessions > 0 ? [bgpSessionsCheck(`${node} BGP sessions Established (${sessions})`, container, sessions)] : [];
  },
  outputs: (router): { asn?: number } => (router.bgp ? { asn: router.bgp.asn } : {}),
  diagram: (router) => `BGP AS ${router.bgp?.asn}`,
} satisfies RoutingProtocol<BgpSettings, never, BgpFields, { asn?: number }>;
