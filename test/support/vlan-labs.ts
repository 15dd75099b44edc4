/**
 * The VLAN lab of the unit and e2e tests: two bridge nodes (sw1, sw2) joined by a trunk carrying
 * VLANs 10 and 20, each with an access port in each VLAN and a host on it. The four hosts share one
 * subnet, 10.94.0.0/24, in two VLANs: a host reaches only the other host of its own VLAN (ARP does
 * not cross VLANs). Each host's Docker segment is its own: a VLAN's addresses are of no segment.
 */
import { RoutedLabSpec } from "../../components/routed-lab/plan";

export const VLAN_HOSTS = {
  h1: { vlan: 10, address: "10.94.0.11", segment: "a1" },
  h2: { vlan: 20, address: "10.94.0.12", segment: "a2" },
  h3: { vlan: 10, address: "10.94.0.13", segment: "b1" },
  h4: { vlan: 20, address: "10.94.0.14", segment: "b2" },
} as const;

const SEGMENT_ADDRESS: Record<string, string> = { a1: "10.95.1", a2: "10.95.2", b1: "10.95.3", b2: "10.95.4" };

export function vlanTrunk(): RoutedLabSpec {
  const host = (name: keyof typeof VLAN_HOSTS) => {
    const { vlan, address, segment } = VLAN_HOSTS[name];
    return {
      name,
      image: "client",
      interfaces: [{ segment, address: `${SEGMENT_ADDRESS[segment]}.2` }],
      vlans: { interfaces: [{ segment, vlan, address: `${address}/24` }] },
    };
  };
  const bridge = (name: string, n: 1 | 2, access: [string, string]) => ({
    name,
    image: "client",
    interfaces: [
      { segment: "trunk", address: `10.95.0.${n}` },
      { segment: access[0], address: `${SEGMENT_ADDRESS[access[0]]}.1` },
      { segment: access[1], address: `${SEGMENT_ADDRESS[access[1]]}.1` },
    ],
    vlans: {
      ports: [
        { segment: access[0], access: 10 },
        { segment: access[1], access: 20 },
        { segment: "trunk", trunk: [10, 20] },
      ],
    },
  });
  return {
    segments: [
      { name: "trunk", subnet: "10.95.0.0/29" },
      { name: "a1", subnet: "10.95.1.0/29" },
      { name: "a2", subnet: "10.95.2.0/29" },
      { name: "b1", subnet: "10.95.3.0/29" },
      { name: "b2", subnet: "10.95.4.0/29" },
    ],
    nodes: [bridge("sw1", 1, ["a1", "a2"]), bridge("sw2", 2, ["b1", "b2"]), host("h1"), host("h2"), host("h3"), host("h4")],
  };
}

/**
 * The same with a router on a stick: r1 on a third trunk port of sw2 (segment stick), in VLAN 10
 * and 20 through 802.1Q subinterfaces, and sw2's trunk to it with VLAN 10 as its native VLAN.
 */
export function vlanStick(): RoutedLabSpec {
  const spec = vlanTrunk();
  spec.segments.push({ name: "stick", subnet: "10.95.5.0/29" });
  const sw2 = spec.nodes[1];
  sw2.interfaces.push({ segment: "stick", address: "10.95.5.1" });
  sw2.vlans!.ports!.push({ segment: "stick", trunk: [10, 20, 30], native: 30 });
  spec.nodes.push({
    name: "r1",
    image: "router",
    router: true,
    interfaces: [{ segment: "stick", address: "10.95.5.2" }],
    vlans: {
      interfaces: [
        { segment: "stick", vlan: 10, address: "10.94.10.1/24" },
        { segment: "stick", vlan: 20, address: "10.94.20.1/24" },
        { segment: "stick", vlan: 30, address: "10.94.30.1/24" },
      ],
    },
  });
  return spec;
}
