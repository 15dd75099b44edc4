/**
 * A small dual-stack lab, shared by the unit and e2e tiers: two hosts on two segments and a router
 * between them with static routes of both families, and a web node beside h2.
 */
import type { RoutedLabSpec } from "../../components/routed-lab";

export const DUAL_STACK = {
  lan1: { subnet: "10.61.1.0/24", ipv6: "2001:db8:61:1::/64" },
  lan2: { subnet: "10.61.2.0/24", ipv6: "2001:db8:61:2::/64" },
  h1: { address: "10.61.1.10", ipv6: "2001:db8:61:1::10" },
  h2: { address: "10.61.2.10", ipv6: "2001:db8:61:2::10" },
  web: { address: "10.61.2.20", ipv6: "2001:db8:61:2::20" },
} as const;

export function dualStackLab(): RoutedLabSpec {
  const { lan1, lan2, h1, h2, web } = DUAL_STACK;
  return {
    segments: [
      { name: "lan1", ...lan1 },
      { name: "lan2", ...lan2 },
    ],
    nodes: [
      {
        name: "h1",
        image: "client",
        interfaces: [{ segment: "lan1", ...h1 }],
        routes: [
          { to: "default", via: "10.61.1.1" },
          { to: "default6", via: "2001:db8:61:1::1" },
        ],
      },
      {
        name: "r1",
        image: "router",
        router: true,
        interfaces: [
          { segment: "lan1", address: "10.61.1.1", ipv6: "2001:db8:61:1::1" },
          { segment: "lan2", address: "10.61.2.1", ipv6: "2001:db8:61:2::1" },
        ],
      },
      {
        name: "h2",
        image: "client",
        interfaces: [{ segment: "lan2", ...h2 }],
        routes: [
          { to: "2001:db8:61:1::/64", via: "2001:db8:61:2::1" },
          { to: "10.61.1.0/24", via: "10.61.2.1" },
        ],
      },
      {
        name: "web",
        image: "web",
        interfaces: [{ segment: "lan2", ...web }],
        routes: [{ to: "::/0", via: "2001:db8:61:2::1" }],
      },
    ],
    checks: [
      { from: "h1", reach: h2.ipv6 },
      { from: "h2", reach: h1.ipv6 },
      { from: "h1", fetch: `http://[${web.ipv6}]/`, expect: "docker-netlabs" },
    ],
  };
}
