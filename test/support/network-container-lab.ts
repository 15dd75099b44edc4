/**
 * The NetworkContainer proof lab, shared by test/e2e and the benchmark:
 *  - the private side: two targets (HTTP + UDP echo, and a plain web server) and a probe on an
 *    internal bridge, deployed first and kept while the LAN side comes and goes;
 *  - the LAN: an internal macvlan on one end of a veth pair made by the test (this kernel has no
 *    dummy links), with a dnsmasq DHCP server and a client on it;
 *  - two NetworkContainers: one static, one by DHCP.
 */
import * as docker from "@pulumi/docker";
import { NetworkContainer } from "../../components/network-container";
import { LabImage } from "../../components/images/lab-image";
import { labLabels, toDockerLabels } from "../../components/labels";
import { RoutedLab } from "../../components/routed-lab";
import { run } from "./docker-cli";
import { TEST_LABEL, TestRun } from "./lab-harness";

export const LAN_SUBNET = "10.233.0.0/24";
export const STATIC_ADDRESS = "10.233.0.50";
export const CLIENT_ADDRESS = "10.233.0.60";
export const DHCP_SERVER_ADDRESS = "10.233.0.2";
export const DHCP_POOL = { first: "10.233.0.100", last: "10.233.0.150" };
export const PRIVATE_SUBNET = "10.234.0.0/24";

/** A veth pair on the host; its first end is the LAN's parent interface. */
export async function createVeth(testRun: TestRun): Promise<{ parent: string; peer: string; remove: () => Promise<void> }> {
  const parent = `nlv${testRun.id}a`;
  const peer = `nlv${testRun.id}b`;
  const added = await run("ip", ["link", "add", parent, "type", "veth", "peer", "name", peer]);
  if (added.code !== 0) throw new Error(`ip link add ${parent}: ${added.stderr}`);
  await run("ip", ["link", "set", parent, "up"]);
  await run("ip", ["link", "set", peer, "up"]);
  return { parent, peer, remove: async () => void (await run("ip", ["link", "del", parent])) };
}

export function isPromiscuous(iface: string): Promise<boolean> {
  return run("ip", ["link", "show", "dev", iface]).then((result) => /PROMISC/.test(result.stdout));
}

/** The targets' side: an internal bridge with two targets and a probe. */
export function privateSide(testRun: TestRun) {
  return new RoutedLab("nc-private", {
    namePrefix: testRun.prefix,
    labels: { [TEST_LABEL]: testRun.id },
    spec: {
      segments: [{ name: "private", subnet: PRIVATE_SUBNET }],
      nodes: [
        {
          name: "target-1",
          image: "router",
          interfaces: [{ segment: "private", address: "10.234.0.11" }],
          files: { "/srv/www/index.html": "target-1\n" },
          // HTTP on 80, and on 7/udp an echo that also names the peer it saw (to prove MASQUERADE).
          command: [
            "sh",
            "-c",
            `busybox httpd -p 80 -h /srv/www && exec socat UDP-RECVFROM:7,fork,reuseaddr SYSTEM:'read line; echo "$line from $SOCAT_PEERADDR"'`,
          ],
        },
        {
          name: "target-2",
          image: "web",
          interfaces: [{ segment: "private", address: "10.234.0.12" }],
          files: { "/srv/www/index.html": "target-2\n" },
        },
        { name: "probe", image: "client", interfaces: [{ segment: "private", address: "10.234.0.20" }] },
      ],
    },
  });
}

/** The LAN side: DHCP server, client, a static and a DHCP NetworkContainer. */
export function lanSide(testRun: TestRun, privateRun: TestRun, parent: string) {
  const labels = { [TEST_LABEL]: testRun.id };
  const privateNetwork = `${privateRun.prefix}nc-private-private`;
  const router = new LabImage("nc-router-image", { image: "router" }).imageName;
  const common = { namePrefix: testRun.prefix, routerImage: router, labels };

  const staticNc = new NetworkContainer("nc-static", {
    ...common,
    target: `${privateRun.prefix}nc-private-target-1`,
    targetNetwork: privateNetwork,
    ports: [{ port: 80 }, { port: 7, protocol: "udp" }],
    lan: { parent, subnet: LAN_SUBNET, internal: true },
    address: STATIC_ADDRESS,
  });
  const lanLabels = toDockerLabels(labLabels(`${testRun.prefix}nc-lan`, labels));
  const dhcpServer = new docker.Container("nc-dhcp-server", {
    name: `${testRun.prefix}nc-dhcp-server`,
    image: new LabImage("nc-dhcp-image", { image: "dhcp-server" }).imageName,
    networksAdvanced: [{ name: staticNc.lanNetwork, ipv4Address: DHCP_SERVER_ADDRESS }],
    // dnsmasq needs NET_ADMIN for DHCP on top of Docker's defaults (it also drops to a group).
    capabilities: { adds: ["NET_ADMIN"] },
    uploads: [
      {
        file: "/etc/netlabs/dnsmasq.conf",
        content: [
          "port=0",
          "log-dhcp",
          "dhcp-authoritative",
          // No ICMP probe of an address before offering it: this LAN is the lab's own.
          "no-ping",
          `dhcp-range=${DHCP_POOL.first},${DHCP_POOL.last},255.255.255.0,1h`,
          // No router option: the lab LAN has no way out.
          "dhcp-option=option:router",
          "",
        ].join("\n"),
      },
    ],
    labels: lanLabels,
  });
  const client = new docker.Container("nc-client", {
    name: `${testRun.prefix}nc-client`,
    image: new LabImage("nc-client-image", { image: "client" }).imageName,
    networksAdvanced: [{ name: staticNc.lanNetwork, ipv4Address: CLIENT_ADDRESS }],
    command: ["sleep", "infinity"],
    init: true,
    labels: lanLabels,
  });
  const dhcpNc = new NetworkContainer(
    "nc-dhcp",
    {
      ...common,
      target: `${privateRun.prefix}nc-private-target-2`,
      targetNetwork: privateNetwork,
      targetImage: "web", // ports from the web image's EXPOSE
      lan: { network: staticNc.lanNetwork, subnet: LAN_SUBNET },
      address: "dhcp",
    },
    { dependsOn: [dhcpServer] },
  );
  return {
    staticNc,
    dhcpNc,
    dhcpServer,
    client,
    clientName: `${testRun.prefix}nc-client`,
    dhcpServerName: `${testRun.prefix}nc-dhcp-server`,
  };
}
