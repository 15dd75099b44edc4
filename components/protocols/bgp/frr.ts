/** BGP's part of a router's FRR configuration. */
import { FrrSections, RouterBase } from "../protocol";
import { BgpNeighborPlan, BgpPlan } from "./plan";

/** How long bgpd holds a new peer's first updates to send them together, in ms. */
const BGP_COALESCE_MS = 50;

/** The route-map that sets a router's communities on what it announces (its `network`s). */
export const ANNOUNCE_ROUTE_MAP = "NETLABS-BGP-ANNOUNCE";

export function bgpSections(router: RouterBase, bgp: BgpPlan): FrrSections {
  const lines = [
    `router bgp ${bgp.asn}`,
    ` bgp router-id ${router.routerId}`,
    ...(bgp.reflector?.clusterId ? [` bgp cluster-id ${bgp.reflector.clusterId}`] : []),
    " bgp log-neighbor-changes",
    // Lab routers accept and announce without policies (RFC 8212's default is to deny on eBGP).
    " no bgp ebgp-requires-policy",
    " no bgp network import-check",
    ` timers bgp ${bgp.keepaliveSeconds} ${bgp.holdSeconds}`,
    // A new peer's first updates wait this long to be grouped with others' (FRR: 1 s and more).
    ` coalesce-time ${BGP_COALESCE_MS}`,
  ];
  for (const neighbor of bgp.neighbors) lines.push(...neighborLines(neighbor, bgp));
  const [sessions4, sessions6] = [bgp.neighbors.filter((n) => n.family !== 6), bgp.neighbors.filter((n) => n.family === 6)];
  const routeMap = bgp.announce?.communities ? ` route-map ${ANNOUNCE_ROUTE_MAP}` : "";
  lines.push(" address-family ipv4 unicast");
  for (const network of bgp.networks) lines.push(`  network ${network}${routeMap}`);
  // iBGP peers get this router as next hop: the external one may be on a link they do not know.
  for (const neighbor of sessions4.filter((n) => n.remoteAs === bgp.asn)) lines.push(`  neighbor ${neighbor.address} next-hop-self`);
  // An IPv6 session carries IPv6 only (FRR's traditional defaults would activate it for IPv4 too).
  for (const neighbor of sessions6) lines.push(`  no neighbor ${neighbor.address} activate`);
  for (const neighbor of sessions4) lines.push(...addressFamilyOptions(neighbor));
  lines.push(" exit-address-family");
  // An unnumbered session carries IPv6 too: both ends have IPv6 on its segment.
  const carrying6 = [...sessions6, ...sessions4.filter((n) => n.unnumbered)];
  if (carrying6.length > 0) lines.push(...ipv6UnicastLines(bgp, carrying6, routeMap));
  return {
    ...(bgp.announce?.communities ? { preamble: announceRouteMap(bgp.announce.communities) } : {}),
    router: [...staticLines(bgp), ...lines],
    ...(bgp.secrets ? { secrets: bgp.secrets } : {}),
  };
}

/** A neighbour's own lines in the router node: who it is, then its session's options. */
function neighborLines(neighbor: BgpNeighborPlan, bgp: BgpPlan): string[] {
  const peer = ` neighbor ${neighbor.address}`;
  const options = neighbor.options ?? {};
  const lines = [
    neighbor.unnumbered ? `${peer} interface remote-as ${neighbor.remoteAs}` : `${peer} remote-as ${neighbor.remoteAs}`,
    `${peer} description ${neighbor.node}`,
    // Reconnect at once after a session drops, rather than after the default 120 s.
    `${peer} timers connect 1`,
  ];
  if (neighbor.overLoopback) lines.push(`${peer} update-source lo`);
  if (neighbor.bfd && bgp.bfdProfiles) {
    const profile = neighbor.bfd === "multihop" ? bgp.bfdProfiles.multihop : bgp.bfdProfiles.singleHop;
    lines.push(`${peer} bfd profile ${profile}`);
  }
  if (options.localAs !== undefined) lines.push(`${peer} local-as ${options.localAs}`);
  if (options.passive) lines.push(`${peer} passive`);
  if (options.password) lines.push(`${peer} password ${options.password}`);
  if (options.multihop !== undefined) lines.push(`${peer} ebgp-multihop ${options.multihop}`);
  if (options.gtsm !== undefined) lines.push(`${peer} ttl-security hops ${options.gtsm}`);
  if (options.timers) lines.push(`${peer} timers ${options.timers.keepaliveSeconds} ${options.timers.holdSeconds}`);
  return lines;
}

/** A session's options of its address family: reflection, AS path handling, a default route sent. */
function addressFamilyOptions(neighbor: BgpNeighborPlan): string[] {
  const peer = `  neighbor ${neighbor.address}`;
  const options = neighbor.options ?? {};
  return [
    ...(neighbor.reflectorClient ? [`${peer} route-reflector-client`] : []),
    ...(options.allowasIn !== undefined ? [`${peer} allowas-in ${options.allowasIn}`] : []),
    ...(options.asOverride ? [`${peer} as-override`] : []),
    ...(options.removePrivateAs ? [`${peer} remove-private-AS`] : []),
    ...(options.defaultOriginate ? [`${peer} default-originate`] : []),
  ];
}

/** The IPv6 unicast address family: its sessions activated, its IPv6 LANs and loopback announced. */
function ipv6UnicastLines(bgp: BgpPlan, sessions6: BgpNeighborPlan[], routeMap: string): string[] {
  return [
    " address-family ipv6 unicast",
    ...(bgp.networks6 ?? []).map((network) => `  network ${network}${routeMap}`),
    ...sessions6.map((neighbor) => `  neighbor ${neighbor.address} activate`),
    ...sessions6.filter((n) => n.remoteAs === bgp.asn).map((neighbor) => `  neighbor ${neighbor.address} next-hop-self`),
    ...sessions6.flatMap(addressFamilyOptions),
    " exit-address-family",
  ];
}

/**
 * Static routes staticd holds for BGP, before its router node: the discard routes of originated
 * prefixes, and the routes to multihop neighbours' loopbacks that no IGP carries.
 */
function staticLines(bgp: BgpPlan): string[] {
  const lines = [
    ...(bgp.announce?.originate ?? []).map((prefix) => `ip route ${prefix} blackhole`),
    ...(bgp.announce?.originate6 ?? []).map((prefix) => `ipv6 route ${prefix} blackhole`),
    ...(bgp.staticRoutes ?? []).map((route) => `${route.prefix.includes(":") ? "ipv6" : "ip"} route ${route.prefix} ${route.via}`),
  ];
  return lines.length > 0 ? [...lines, "!"] : [];
}

/** The route-map that sets the router's communities on its `network`s. */
function announceRouteMap(communities: { standard: string[]; large: string[] }): string[] {
  return [
    `route-map ${ANNOUNCE_ROUTE_MAP} permit 10`,
    ...(communities.standard.length > 0 ? [` set community ${communities.standard.join(" ")}`] : []),
    ...(communities.large.length > 0 ? [` set large-community ${communities.large.join(" ")}`] : []),
  ];
}
