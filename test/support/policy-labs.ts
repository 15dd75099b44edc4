/**
 * The routing-policy labs of the e2e tier (components/protocols/policy), as RoutedLab descriptions.
 * Pure, so the unit tier checks their plans and FRR files before the e2e tier runs them.
 */
import { NodeSpec, RoutedLabSpec } from "../../components/routed-lab/plan";

function router(name: string, interfaces: [string, string][], fields: Partial<NodeSpec>): NodeSpec {
  return { name, image: "router", router: true, interfaces: interfaces.map(([segment, address]) => ({ segment, address })), ...fields };
}

function host(name: string, segment: string, address: string, gateway: string, commands?: string[]): NodeSpec {
  return {
    name,
    image: "client",
    interfaces: [{ segment, address }],
    routes: [{ to: "default", via: gateway }],
    ...(commands ? { commands } : {}),
  };
}

/**
 * Redistribution both ways through policies that each filter one prefix, and staticd's route kinds.
 * r1 runs OSPF, r3 BGP (AS 65002), r2 both (AS 65001): r2 imports OSPF into BGP except r1's lan2,
 * and BGP into OSPF except r3's lan4. r3 imports its static routes into BGP: a discard route for
 * 10.52.90.0/24, 10.52.77.0/24 to h3's second address, and a discard default (r2's default route,
 * by BGP). r1 reaches 10.52.77.0/24 by a static route whose next hop, h3's 10.52.3.10, is three
 * hops away (recursive), and holds a static route to lan3 at distance 250 that OSPF's (110) outranks.
 *
 *   h1 - r1 --l12-- r2 --l23-- r3 - h3
 *        |                     |
 *       lan2                  lan4
 */
export function redistribution(): RoutedLabSpec {
  return {
    segments: [
      { name: "lan1", subnet: "10.52.1.0/24" },
      { name: "lan2", subnet: "10.52.2.0/24" },
      { name: "lan3", subnet: "10.52.3.0/24" },
      { name: "lan4", subnet: "10.52.4.0/24" },
      { name: "l12", subnet: "10.52.12.0/29" },
      { name: "l23", subnet: "10.52.23.0/29" },
    ],
    nodes: [
      router(
        "r1",
        [
          ["lan1", "10.52.1.1"],
          ["lan2", "10.52.2.1"],
          ["l12", "10.52.12.1"],
        ],
        {
          ospf: {},
          routing: {
            static: [
              { to: "10.52.77.0/24", via: "10.52.3.10" },
              { to: "10.52.3.0/24", via: "10.52.12.2", distance: 250 },
            ],
          },
        },
      ),
      router(
        "r2",
        [
          ["l12", "10.52.12.2"],
          ["l23", "10.52.23.1"],
        ],
        {
          ospf: {},
          bgp: { asn: 65001 },
          routing: {
            prefix: { "r1-lan2": [{ prefix: "10.52.2.0/24" }], "r3-lan4": [{ prefix: "10.52.4.0/24" }] },
            policy: {
              "ospf-to-bgp": [{ action: "deny", match: { prefix: "r1-lan2" } }, { action: "permit" }],
              "bgp-to-ospf": [
                { action: "deny", match: { prefix: "r3-lan4" } },
                { action: "permit", set: { med: 50 } },
              ],
            },
            import: { bgp: { ospf: { policy: "ospf-to-bgp" } }, ospf: { bgp: { policy: "bgp-to-ospf" } } },
          },
        },
      ),
      router(
        "r3",
        [
          ["l23", "10.52.23.2"],
          ["lan3", "10.52.3.1"],
          ["lan4", "10.52.4.1"],
        ],
        {
          bgp: { asn: 65002 },
          routing: {
            static: [
              { to: "10.52.90.0/24", discard: true },
              { to: "10.52.77.0/24", via: "10.52.3.10" },
              // A default route by redistribution: r2 learns it by BGP.
              { to: "default", discard: true },
            ],
            import: { bgp: { static: {} } },
          },
        },
      ),
      host("h1", "lan1", "10.52.1.10", "10.52.1.1"),
      host("h3", "lan3", "10.52.3.10", "10.52.3.1", ["ip addr add 10.52.77.10/32 dev lo"]),
    ],
  };
}

/**
 * r1 (AS 65010) has two eBGP neighbours, x1 (AS 65020) and x2 (AS 65030), both on the LAN of hd,
 * which each announces by importing its connected networks. x2 prepends its ASN twice towards r1
 * and tags what it announces with community 65030:1, so by AS path r1 would leave through x1; r1's
 * policy on its session with x2 gives what carries that community local preference 200, and r1
 * leaves through x2 (traceroute shows it).
 *
 *   h1 - r1 --a-- x1 --dst-- hd
 *         \--b-- x2 --/
 */
export function localPreference(): RoutedLabSpec {
  const exit = (asn: number) => ({ bgp: { asn }, routing: { import: { bgp: { connected: {} } } } });
  return {
    segments: [
      { name: "lan1", subnet: "10.53.1.0/24" },
      { name: "dst", subnet: "10.53.9.0/24" },
      { name: "a", subnet: "10.53.11.0/29" },
      { name: "b", subnet: "10.53.12.0/29" },
    ],
    nodes: [
      router(
        "r1",
        [
          ["lan1", "10.53.1.1"],
          ["a", "10.53.11.1"],
          ["b", "10.53.12.1"],
        ],
        {
          bgp: { asn: 65010 },
          routing: {
            community: { "from-x2": [{ community: "65030:1" }] },
            policy: { "prefer-x2": [{ match: { community: "from-x2" }, set: { locpref: 200 } }, { action: "permit" }] },
            bgpSessions: { x2: { policyIn: "prefer-x2" } },
          },
        },
      ),
      router(
        "x1",
        [
          ["a", "10.53.11.2"],
          ["dst", "10.53.9.1"],
        ],
        exit(65020),
      ),
      router(
        "x2",
        [
          ["b", "10.53.12.2"],
          ["dst", "10.53.9.2"],
        ],
        {
          bgp: { asn: 65030 },
          routing: {
            policy: { "to-r1": [{ set: { prepend: 2, community: { standard: ["65030:1"] } } }] },
            import: { bgp: { connected: {} } },
            bgpSessions: { r1: { policyOut: "to-r1" } },
          },
        },
      ),
      host("h1", "lan1", "10.53.1.10", "10.53.1.1"),
      host("hd", "dst", "10.53.9.10", "10.53.9.1"),
    ],
  };
}

/**
 * Every kind of list, entry and setting the routing field renders, on two routers (for FRR's own
 * check and the unit tier; not run with packets): prefix ranges, both community kinds, every `set`,
 * imports of each source with and without a policy, session policies both ways, static routes of
 * each kind and the default.
 */
export function policyKinds(): RoutedLabSpec {
  return {
    segments: [
      { name: "lan1", subnet: "10.54.1.0/24" },
      { name: "l12", subnet: "10.54.12.0/29" },
      { name: "lan2", subnet: "10.54.2.0/24" },
    ],
    nodes: [
      router(
        "r1",
        [
          ["lan1", "10.54.1.1"],
          ["l12", "10.54.12.1"],
        ],
        {
          ospf: {},
          isis: {},
          bgp: { asn: 65001 },
          loopback: "10.54.255.1",
          routing: {
            prefix: {
              lans: [
                { prefix: "10.54.0.0/16", min: 24, max: 24 },
                { prefix: "10.0.0.0/8", action: "deny", max: 32 },
              ],
              "longer-than-16": [{ prefix: "10.54.0.0/16", min: 17 }],
            },
            community: {
              tagged: [{ community: "65002:100" }, { community: "65002:200", action: "deny" }],
              big: [{ community: "65002:1:2" }],
            },
            policy: {
              "in-from-r2": [
                { action: "deny", match: { prefix: "longer-than-16", community: "tagged" } },
                { match: { community: "big" }, set: { locpref: 50, med: 7 } },
                { set: { community: { standard: ["65001:1", "65001:2"], large: ["65001:0:1"], append: true } } },
              ],
              "out-to-r2": [{ match: { prefix: "lans" }, set: { prepend: 3, med: 100, community: { standard: ["65001:9"] } } }],
              "static-only-lans": [{ match: { prefix: "lans" } }],
            },
            import: {
              bgp: { connected: {}, static: { policy: "static-only-lans" }, ospf: {}, isis: {} },
              ospf: { bgp: { policy: "static-only-lans" }, static: {}, connected: {}, isis: {} },
              isis: { bgp: { policy: "static-only-lans" }, ospf: {}, static: {} },
            },
            bgpSessions: { r2: { policyIn: "in-from-r2", policyOut: "out-to-r2" } },
            static: [
              { to: "default", discard: true, distance: 254 },
              { to: "10.54.90.0/24", discard: true },
              { to: "10.54.91.0/24", via: "10.54.12.2", distance: 20 },
              { to: "10.54.92.0/24", via: "10.99.0.1" },
              { to: "default6", discard: true, distance: 254 },
              { to: "2001:db8:90::/48", discard: true },
              { to: "2001:db8:91:0::/64", via: "2001:DB8:FF::1", distance: 30 },
            ],
          },
        },
      ),
      router(
        "r2",
        [
          ["l12", "10.54.12.2"],
          ["lan2", "10.54.2.1"],
        ],
        { bgp: { asn: 65002 } },
      ),
    ],
  };
}
