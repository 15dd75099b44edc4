/**
 * The VRF lab of the unit, FRR-check and e2e tests: two customers (red, blue) over one router pair,
 * each in a VRF of its own on both routers (red with OSPF, blue with eBGP), and the pair's own core
 * in the default table (OSPF). Both VRFs of r2 hold the same loopback, 172.31.255.1: overlapping
 * addresses, one per VRF (Docker refuses two networks with one subnet on an engine, so the
 * customers' LANs themselves cannot overlap). With `leak`, each router's red and blue import each
 * other's routes (BGP in both).
 */
import { RoutedLabSpec } from "../../components/routed-lab/plan";

export const VRF_LOOPBACK = "172.31.255.1";
export const VRF_HOSTS = {
  h1: { address: "10.91.1.10", vrf: "red" },
  h2: { address: "10.92.1.10", vrf: "blue" },
  h3: { address: "10.91.2.10", vrf: "red" },
  h4: { address: "10.92.2.10", vrf: "blue" },
} as const;

const host = (name: keyof typeof VRF_HOSTS, segment: string, gateway: string) => ({
  name,
  image: "client",
  interfaces: [{ segment, address: VRF_HOSTS[name].address }],
  routes: [{ to: "default", via: gateway }],
});

export function vrfPair(leak = false): RoutedLabSpec {
  const router = (n: 1 | 2, asn: number) => ({
    name: `r${n}`,
    image: "router",
    router: true,
    loopback: `10.255.0.${n}`,
    ospf: {},
    interfaces: [
      { segment: "core", address: `10.90.0.${n}` },
      { segment: "core-red", address: `10.90.1.${n}` },
      { segment: "core-blue", address: `10.90.2.${n}` },
      { segment: n === 1 ? "red-a" : "red-b", address: `10.91.${n}.1` },
      { segment: n === 1 ? "blue-a" : "blue-b", address: `10.92.${n}.1` },
    ],
    vrfs: {
      red: {
        interfaces: [n === 1 ? "red-a" : "red-b", "core-red"],
        ospf: {},
        ...(n === 2 ? { loopback: VRF_LOOPBACK } : {}),
        ...(leak ? { bgp: { asn }, import: ["blue"] } : {}),
      },
      blue: {
        interfaces: [n === 1 ? "blue-a" : "blue-b", "core-blue"],
        bgp: { asn },
        ...(n === 2 ? { loopback: VRF_LOOPBACK } : {}),
        ...(leak ? { import: ["red"] } : {}),
      },
    },
  });
  return {
    segments: [
      { name: "core", subnet: "10.90.0.0/29" },
      { name: "core-red", subnet: "10.90.1.0/29" },
      { name: "core-blue", subnet: "10.90.2.0/29" },
      { name: "red-a", subnet: "10.91.1.0/24" },
      { name: "red-b", subnet: "10.91.2.0/24" },
      { name: "blue-a", subnet: "10.92.1.0/24" },
      { name: "blue-b", subnet: "10.92.2.0/24" },
    ],
    nodes: [
      router(1, 65101),
      router(2, 65102),
      host("h1", "red-a", "10.91.1.1"),
      host("h2", "blue-a", "10.92.1.1"),
      host("h3", "red-b", "10.91.2.1"),
      host("h4", "blue-b", "10.92.2.1"),
    ],
  };
}
