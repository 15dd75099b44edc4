/**
 * Generated RoutedLab descriptions for plan-cost benchmarks: a chain or a star of routers, each
 * with a LAN of hosts. Pure; sizes are node counts (routers + hosts).
 */
import { NodeSpec, RoutedLabSpec, SegmentSpec } from "../../components/routed-lab/plan";

export type Shape = "chain" | "star";
const HOSTS_PER_ROUTER = 4;

function lanSubnet(i: number): string {
  return `10.${100 + (i >> 8)}.${i & 255}.0/24`;
}
function lanAddress(i: number, host: number): string {
  return `10.${100 + (i >> 8)}.${i & 255}.${host}`;
}
/** The j-th /29 of 172.16.0.0/12, and its n-th host address. */
function linkAddress(j: number, n: number): string {
  const base = 172 * 2 ** 24 + 16 * 2 ** 16 + j * 8 + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join(".");
}

export function generateLab(shape: Shape, nodes: number): RoutedLabSpec {
  const routers = Math.max(2, Math.ceil(nodes / (HOSTS_PER_ROUTER + 1)));
  const segments: SegmentSpec[] = [];
  const routerNodes: NodeSpec[] = [];
  const hostNodes: NodeSpec[] = [];
  for (let i = 0; i < routers; i++) {
    segments.push({ name: `lan${i}`, subnet: lanSubnet(i) });
    routerNodes.push({ name: `r${i}`, image: "router", router: true, interfaces: [{ segment: `lan${i}`, address: lanAddress(i, 1) }] });
  }
  // Links: chain r(i-1)-r(i); star r0-r(i). Each link is a /29 with the two routers at .1 and .2.
  for (let i = 1; i < routers; i++) {
    const a = shape === "chain" ? i - 1 : 0;
    const j = i - 1;
    segments.push({ name: `link${j}`, subnet: `${linkAddress(j, 0)}/29` });
    routerNodes[a].interfaces.push({ segment: `link${j}`, address: linkAddress(j, 1) });
    routerNodes[i].interfaces.push({ segment: `link${j}`, address: linkAddress(j, 2) });
    // Each router's default points back towards r0.
    routerNodes[i].routes = [{ to: "default", via: linkAddress(j, 1) }];
  }
  let remaining = nodes - routers;
  for (let i = 0; remaining > 0; i = (i + 1) % routers) {
    const host = Math.floor(hostNodes.filter((h) => h.interfaces[0].segment === `lan${i}`).length);
    hostNodes.push({
      name: `h${i}-${host}`,
      image: "client",
      interfaces: [{ segment: `lan${i}`, address: lanAddress(i, 10 + host) }],
      routes: [{ to: "default", via: lanAddress(i, 1) }],
    });
    remaining--;
  }
  return { segments, nodes: [...routerNodes, ...hostNodes] };
}
