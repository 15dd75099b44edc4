/**
 * A node's static routes, IPv4 and IPv6: each destination once per node, each next hop an address
 * of the route's family on a segment the node has that family on (on-link), and not its own. Pure.
 */
import { isIpv4Address, parseSubnet, subnetContains } from "./addressing";
import { canonicalIpv6, isIpv6Address, parsePrefix6, prefixContains6 } from "./addressing6";
import { ConfigIssue, show } from "./errors";
import type { InterfacePlan, SegmentPlan } from "./topology";

/** The IPv6 default route's name in a plan (users may also write ::/0). */
export const DEFAULT6 = "default6";

/** An interface of the node with the segment it is on. */
interface OnLink {
  iface: InterfacePlan;
  segment: SegmentPlan;
}

/** True for a planned route of the IPv6 family. */
export function isIpv6Route(route: { to: string }): boolean {
  return route.to === DEFAULT6 || route.to.includes(":");
}

/**
 * The node's routes as planned: IPv4 ones as given, IPv6 ones in RFC 5952 text with "default6" for
 * the default. Every mistake goes to `issues`, naming the field and the value.
 */
export function planRoutes(
  routes: { to: string; via: string }[],
  at: string,
  nodeName: string,
  attached: OnLink[],
  issues: ConfigIssue[],
): { to: string; via: string }[] {
  const targets = new Set<string>();
  return routes.map((route, r) => {
    const routeAt = `${at}.routes[${r}]`;
    const target = routeTarget(route.to, `${routeAt}.to`, issues);
    if (targets.has(target.key)) issues.push({ path: `${routeAt}.to`, message: `${show(route.to)} has another route on this node` });
    targets.add(target.key);
    const via =
      target.family === 6 ? nextHop6(route, routeAt, nodeName, attached, issues) : nextHop4(route, routeAt, nodeName, attached, issues);
    return target.family === 6 ? { to: target.key, via } : route;
  });
}

/** The destination's family and the key it is known by on the node (an IPv6 one canonical). */
function routeTarget(to: string, path: string, issues: ConfigIssue[]): { family: 4 | 6; key: string } {
  if (to === "default") return { family: 4, key: to };
  if (to === DEFAULT6 || to === "::/0") return { family: 6, key: DEFAULT6 };
  if (to.includes(":")) {
    const prefix = parsePrefix6(to, { min: 1, max: 128 });
    if (typeof prefix === "string") {
      issues.push({ path, message: `${show(to)} ${prefix} (or "default6")` });
      return { family: 6, key: to };
    }
    return { family: 6, key: prefix.cidr };
  }
  const subnet = parseSubnet(to);
  if (typeof subnet === "string") issues.push({ path, message: `${show(to)} ${subnet} (or "default")` });
  return { family: 4, key: to };
}

function nextHop4(
  route: { to: string; via: string },
  routeAt: string,
  nodeName: string,
  attached: OnLink[],
  issues: ConfigIssue[],
): string {
  if (!isIpv4Address(route.via)) {
    const family = isIpv6Address(route.via) ? `; a route to ${show(route.to)} (IPv4) takes an IPv4 next hop` : "";
    issues.push({ path: `${routeAt}.via`, message: `${show(route.via)} is not an IPv4 address${family}` });
    return route.via;
  }
  if (!attached.some(({ segment }) => subnetContains(segment.subnet, route.via))) {
    issues.push({
      path: `${routeAt}.via`,
      message: `next hop ${show(route.via)} is not on any segment node ${show(nodeName)} is attached to`,
    });
  } else if (attached.some(({ iface }) => iface.address === route.via)) {
    issues.push({ path: `${routeAt}.via`, message: `next hop ${show(route.via)} is the node's own address` });
  }
  return route.via;
}

function nextHop6(
  route: { to: string; via: string },
  routeAt: string,
  nodeName: string,
  attached: OnLink[],
  issues: ConfigIssue[],
): string {
  if (!isIpv6Address(route.via)) {
    const family = isIpv4Address(route.via) ? `; a route to ${show(route.to)} (IPv6) takes an IPv6 next hop` : "";
    issues.push({ path: `${routeAt}.via`, message: `${show(route.via)} is not an IPv6 address${family}` });
    return route.via;
  }
  const via = canonicalIpv6(route.via);
  if (!attached.some(({ segment }) => segment.ipv6 !== undefined && prefixContains6(segment.ipv6, via))) {
    issues.push({
      path: `${routeAt}.via`,
      message: `next hop ${show(route.via)} is not on-link: no IPv6 segment node ${show(nodeName)} is attached to holds it`,
    });
  } else if (attached.some(({ iface }) => iface.ipv6 === via)) {
    issues.push({ path: `${routeAt}.via`, message: `next hop ${show(route.via)} is the node's own IPv6 address` });
  }
  return via;
}
