/**
 * A dual-stack RoutedLab on real Docker (issue 21, the IPv6 foundation): two hosts on two internal
 * segments with IPv6 prefixes and a router between them with static IPv6 routes, and a web node.
 * IPv6 pings both ways through the router, an HTTP fetch over IPv6, Docker's networks with the
 * planned prefixes and gateways, the nodes' sysctls, and teardown leaving nothing (containers,
 * networks, DOCKER-USER rules in iptables and ip6tables).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { LOCAL_DOCKER, docker, execIn, run } from "../support/docker-cli";
import { IPTABLES_BACKENDS } from "../support/host-rules";
import { DUAL_STACK, dualStackLab } from "../support/ipv6-labs";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

/** This run's rules in each ip6tables backend's DOCKER-USER chain (a backend without the chain has none). */
async function ip6Rules(): Promise<string[]> {
  const rules: string[] = [];
  for (const backend of IPTABLES_BACKENDS.map((iptables) => iptables.replace("iptables", "ip6tables"))) {
    const listed = await run(backend, ["-w", "5", "-S", "DOCKER-USER"], { timeoutMs: 10_000 });
    if (listed.code === 0) rules.push(...listed.stdout.split("\n").filter((rule) => rule.includes(`docker-netlabs:${testRun.prefix}`)));
    else if (!/No chain\/target\/match by that name|not found|No such file/i.test(listed.stderr + listed.stdout)) {
      throw new Error(`${backend} -S DOCKER-USER failed (exit ${listed.code}): ${listed.stderr.trim()}`);
    }
  }
  return rules;
}

describe.skipIf(skipReason)(`a dual-stack RoutedLab on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const container = (node: string) => lab.outputs.nodes[node].container;

  beforeAll(async () => {
    lab = await deployProgram(
      () => new RoutedLab("v6", { namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id }, spec: dualStackLab() }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("creates each segment's network with IPv6 on, the planned prefix and Docker's gateway on its last address", async () => {
    const network = lab.outputs.segments.lan1.network;
    const [inspected] = JSON.parse(await docker(LOCAL_DOCKER, ["network", "inspect", network]));
    expect(inspected.EnableIPv6).toBe(true);
    expect(inspected.IPAM.Config).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Subnet: "10.61.1.0/24", Gateway: "10.61.1.254" }),
        expect.objectContaining({ Subnet: "2001:db8:61:1::/64", Gateway: "2001:db8:61:1:ffff:ffff:ffff:ffff" }),
      ]),
    );
  });

  it("gives each node its planned IPv6 address and the routes of the lab, none learned from advertisements", async () => {
    const addresses = (await execIn(container("h1"), ["ip", "-o", "-6", "addr", "show", "scope", "global"])).stdout;
    expect(addresses).toContain(`inet6 ${DUAL_STACK.h1.ipv6}/64`);
    const routes = (await execIn(container("h1"), ["ip", "-6", "route", "show", "default"])).stdout;
    expect(routes).toMatch(/^default via 2001:db8:61:1::1 dev \S+/);
    expect(routes).not.toMatch(/proto ra/);
    const sysctl = async (node: string, key: string) =>
      (await execIn(container(node), ["cat", `/proc/sys/net/ipv6/conf/${key}`])).stdout.trim();
    expect(await sysctl("h1", "all/accept_ra")).toBe("0");
    expect(await sysctl("r1", "all/forwarding")).toBe("1");
    // What the interfaces themselves hold, for the report: Docker made them before the sysctls were written or after.
    const iface = (await execIn(container("h1"), ["sh", "-c", "ls /sys/class/net | grep -v lo | head -1"])).stdout.trim();
    console.log(
      `[measured] h1 ${iface} accept_ra=${await sysctl("h1", `${iface}/accept_ra`)}; r1 forwarding per interface:`,
      (await execIn(container("r1"), ["sh", "-c", "for i in /proc/sys/net/ipv6/conf/*/forwarding; do echo $i $(cat $i); done"])).stdout
        .trim()
        .replace(/\n/g, "; "),
    );
  });

  it("pings over IPv6 through the router both ways (hop limit one less)", async () => {
    const there = await execIn(container("h1"), ["ping", "-c", "1", "-W", "2", DUAL_STACK.h2.ipv6]);
    expect(there.stdout).toMatch(/1 received/);
    expect(there.stdout).toMatch(/ttl=63/);
    const back = await execIn(container("h2"), ["ping", "-c", "1", "-W", "2", DUAL_STACK.h1.ipv6]);
    expect(back.stdout).toMatch(/1 received/);
  });

  it("fetches the web node's page over IPv6", async () => {
    const page = await execIn(container("h1"), ["curl", "-sf", "--max-time", "3", `http://[${DUAL_STACK.web.ipv6}]/`]);
    expect(page.stdout).toContain("docker-netlabs web server");
  });

  it("leaves nothing behind, in ip6tables either", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
    expect(await ip6Rules()).toEqual([]);
  });
});
