/**
 * The networking demo (seed 002): a web server and a client on one user-defined network, the
 * client reaching the server by name through Docker's embedded DNS, the server published on a host port.
 */
import { RoutedLabSpec } from "../components/net/topology";
import { StackConfig } from "./config";

export const DEMO_PAGE = "Hello from server-1, the docker-netlabs networking demo\n";

export function networkingDemoSpec(config: StackConfig): RoutedLabSpec {
  return {
    segments: [{ name: "demo", subnet: "10.231.0.0/24", internal: config.internal }],
    nodes: [
      {
        name: "server-1",
        image: "web",
        interfaces: [{ segment: "demo", address: "10.231.0.10" }],
        files: { "/srv/www/index.html": DEMO_PAGE },
        publish: [{ containerPort: 80, hostPort: config.demoHostPort, hostAddress: config.publishAddress }],
      },
      {
        name: "client-1",
        image: "client",
        interfaces: [{ segment: "demo", address: "10.231.0.20" }],
      },
    ],
  };
}
