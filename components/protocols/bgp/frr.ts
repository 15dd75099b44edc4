/** BGP's part of a router's FRR configuration. */
import { FrrSections, RouterBase } from "../protocol";
import { BgpPlan } from "./plan";

/** How long bgpd holds a new peer's first updates to send them together, in ms. */
const BGP_COALESCE_MS = 50;

export function bgpSections(router: RouterBase, bgp: BgpPlan): FrrSections {
  const lines = [
    `router bgp ${bgp.asn}`,
    ` bgp router-id ${router.routerId}`,
    " bgp log-neighbor-changes",
    // Lab routers accept and announce without policies (RFC 8212's default is to deny on eBGP).
    " no bgp ebgp-requires-policy",
    " no bgp network import-check",
    ` timers bgp ${bgp.keepaliveSeconds} ${bgp.holdSeconds}`,
    // A new peer's first updates wait this long to be grouped with others' (FRR: 1 s and more).
    ` coalesce-time ${BGP_COALESCE_MS}`,
  ];
  for (const neighbor of bgp.neighbors) {
    lines.push(
      ` neighbor ${neighbor.address} remote-as ${neighbor.remoteAs}`,
      ` neighbor ${neighbor.address} description ${neighbor.node}`,
      // Reconnect at once after a session drops, rather than after the default 120 s.
      ` neighbor ${neighbor.address} timers connect 1`,
    );
    if (neighbor.overLoopback) lines.push(` neighbor ${neighbor.address} update-source lo`);
    if (neighbor.bfd && bgp.bfdProfiles) {
      const profile = neighbor.bfd === "multihop" ? bgp.bfdProfiles.multihop : bgp.bfdProfiles.singleHop;
      lines.push(` neighbor ${neighbor.address} bfd profile ${profile}`);
    }
  }
  const [sessions4, sessions6] = [bgp.neighbors.filter((n) => n.family !== 6), bgp.neighbors.filter((n) => n.family === 6)];
  lines.push(" address-family ipv4 unicast");
  for (const network of bgp.networks) lines.push(`  network ${network}`);
  // iBGP peers get this router as next hop: the external one may be on a link they do not know.
  for (const neighbor of sessions4.filter((n) => n.remoteAs === bgp.asn)) lines.push(`  neighbor ${neighbor.address} next-hop-self`);
  // An IPv6 session carries IPv6 only (FRR's traditional defaults would activate it for IPv4 too).
  for (const neighbor of sessions6) lines.push(`  no neighbor ${neighbor.address} activate`);
  lines.push(" exit-address-family");
  if (sessions6.length > 0) lines.push(...ipv6UnicastLines(bgp, sessions6));
  return { router: lines };
}

/** The IPv6 unicast address family: its sessions activated, its IPv6 LANs and loopback announced. */
function ipv6UnicastLines(bgp: BgpPlan, sessions6: BgpPlan["neighbors"]): string[] {
  return [
    " address-family ipv6 unicast",
    ...(bgp.networks6 ?? []).map((network) => `  network ${network}`),
    ...sessions6.map((neighbor) => `  neighbor ${neighbor.address} activate`),
    ...sessions6.filter((n) => n.remoteAs === bgp.asn).map((neighbor) => `  neighbor ${neighbor.address} next-hop-self`),
    " exit-address-family",
  ];
}
