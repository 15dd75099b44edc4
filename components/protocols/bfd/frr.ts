/** BFD's part of a router's FRR configuration: its profiles, and the sessions bfdd declares whole. */
import { interfaceToken } from "../frr/config";
import { FrrSections } from "../protocol";
import { BfdFields, BfdTimers } from "./plan";

/** The profile of single-hop sessions: OSPF's adjacencies, BGP's sessions on a shared segment. */
export const BFD_PROFILE = "netlabs";
/**
 * The profile of the multihop BFD sessions, iBGP between loopbacks; its timers (plan.ts: 3 x the
 * lab's interval by default) let OSPF reroute the loopbacks before the session misses its packets.
 * FRR 8.4's bgpd makes an iBGP peer's BFD session multihop when the peer is not on a connected
 * network (bgpd/bgp_bfd.h, PEER_IS_MULTIHOP), sourced from the session's local address (the
 * loopback, by `update-source lo`) once the session is Established. It registers the session with
 * the iBGP peer's TTL, 255, from which bfdd sets the session's minimum TTL to 1
 * (bfdd/ptm_adapter.c), and a session's own minimum TTL wins over its profile's (bfdd/bfd.c,
 * bfd_session_apply): packets that crossed any number of routers are accepted, so the profile sets
 * no `minimum-ttl` (whose default, 254, would allow one hop only).
 */
export const BFD_MULTIHOP_PROFILE = "netlabs-multihop";

export function bfdSections(bfd: BfdTimers, fields: BfdFields): FrrSections {
  const profile = (name: string, timers: BfdTimers) => [
    ` profile ${name}`,
    `  detect-multiplier ${timers.multiplier}`,
    `  receive-interval ${timers.intervalMs}`,
    `  transmit-interval ${timers.intervalMs}`,
    " exit",
  ];
  return {
    preamble: [
      "bfd",
      ...profile(BFD_PROFILE, bfd),
      ...(fields.bfdMultihop ? [" !", ...profile(BFD_MULTIHOP_PROFILE, fields.bfdMultihop)] : []),
      // Single-hop BGP sessions declared here, whole, rather than left to bgpd: FRR 8.4's bgpd
      // registers one without its source address and interface, and re-registers it with them once
      // BGP is up; the peer's BFD sees the first one go down and its bgpd drops the BGP session
      // (measured: "BFD down received", ~2.2 s more to bring the triangle up). bgpd then joins the
      // session declared here instead. (A multihop one is registered only once BGP is up.)
      ...fields.bfdDeclared.flatMap((peer) => [
        ` peer ${peer.address} local-address ${peer.localAddress} interface ${interfaceToken(peer.segment)}`,
        `  profile ${BFD_PROFILE}`,
        " exit",
      ]),
    ],
  };
}
