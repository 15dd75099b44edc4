/** OOR options for each mode, shared by the unit tests and the golden files they check. */
import { OorOptions } from "../../components/oor/plan";

export const OOR_FIXTURES: Record<string, OorOptions> = {
  xtr: {
    mode: "xTR",
    rlocSubnet: "192.0.2.0/24",
    rlocAddress: "192.0.2.11",
    mapResolvers: ["192.0.2.2"],
    mapServers: [{ address: "192.0.2.2", key: "site-a-key", proxyReply: true }],
    proxyEtrs: [{ address: "192.0.2.3" }, { address: "2001:db8::3", priority: 2 }],
    eidPrefixes: [{ prefix: "10.1.0.0/24" }, { prefix: "fd00:1::/64" }],
  },
  ms: {
    mode: "MS",
    rlocSubnet: "192.0.2.0/24",
    rlocAddress: "192.0.2.2",
    sites: [
      { eidPrefix: "10.1.0.0/24", key: "site-a-key" },
      { eidPrefix: "10.2.0.0/24", key: "site-b-key", proxyReply: false },
    ],
  },
  rtr: { mode: "RTR", rlocSubnet: "192.0.2.0/24", rlocAddress: "192.0.2.4", mapResolvers: ["192.0.2.2"] },
  mn: {
    mode: "MN",
    rlocSubnet: "192.0.2.0/24",
    rlocAddress: "192.0.2.21",
    mapResolvers: ["192.0.2.2"],
    mapServers: [{ address: "192.0.2.2", key: "mn-key" }],
    eidPrefixes: [{ prefix: "10.9.0.1/32" }],
  },
};
