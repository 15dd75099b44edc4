/**
 * A routed lab like conlink's test1: one router with three LANs and one host on each.
 * Hosts route everything through the router (their only way out of their LAN) and each serves
 * a page naming itself, so every host can fetch every other.
 */
import { NodeSpec, RoutedLabSpec } from "../components/net/topology";
import { StackConfig } from "./config";

const LANS = [1, 2, 3] as const;

export function routedLanSpec(config: StackConfig): RoutedLabSpec {
  const hosts: NodeSpec[] = LANS.map((lan) => ({
    name: `h${lan}`,
    image: "client",
    interfaces: [{ segment: `lan${lan}`, address: `10.232.${lan}.10` }],
    routes: [{ to: "default", via: `10.232.${lan}.1` }],
    files: { "/srv/www/index.html": `h${lan}\n` },
    command: ["busybox", "httpd", "-f", "-p", "80", "-h", "/srv/www"],
  }));
  return {
    segments: LANS.map((lan) => ({ name: `lan${lan}`, subnet: `10.232.${lan}.0/24`, internal: config.internal })),
    nodes: [
      {
        name: "r1",
        image: "router",
        router: true,
        interfaces: LANS.map((lan) => ({ segment: `lan${lan}`, address: `10.232.${lan}.1` })),
      },
      ...hosts,
    ],
  };
}
