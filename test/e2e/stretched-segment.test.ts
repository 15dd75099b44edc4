/**
 * One lab over two Docker hosts: the site stacks Pulumi.stretch-a.yaml and Pulumi.stretch-b.yaml,
 * each deployed through ssh:// to its own emulated host (own dockerd, own network namespace, own
 * OpenSSH server), with the tunnel endpoints taken from each site's config. Segment "shared" is a
 * bridge on each host, joined over VXLAN on the underlay between them: a ping and an HTTP fetch
 * cross it both ways, and destroying both stacks leaves nothing on either host.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerTarget, docker, execIn } from "../support/docker-cli";
import { EmulatedHost, EmulatedHosts, startEmulatedHosts } from "../support/emulated-hosts";
import { DeployedStack, TEST_LABEL, deployStack, newTestRun } from "../support/lab-harness";
import { valueOf } from "../support/run-program";
import { stretchImages, stretchSiteConfig } from "../support/stretch-sites";
import { DOCKER, EMULATED_HOSTS, SSHD, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER, SSHD, EMULATED_HOSTS]);
if (skipReason) console.warn(`[skipped] stretched segment tests: ${skipReason}`);

const exec = (target: DockerTarget, container: string, command: string[]) => execIn(container, command, 15_000, target);

describe.skipIf(skipReason)(
  `a segment stretched over VXLAN between two Docker hosts${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    const testRun = newTestRun();
    let emulated: EmulatedHosts;
    let hostA: EmulatedHost;
    let hostB: EmulatedHost;
    let siteA: DeployedStack | undefined;
    let siteB: DeployedStack | undefined;
    const figures: string[] = [];

    /** What this run left on a host: its containers and networks, and any link but lo and the underlay. */
    const leftoversOn = async (host: EmulatedHost) => {
      const filter = `label=${TEST_LABEL}=${testRun.id}`;
      const list = async (args: string[]) => (await docker(host.target, args)).split("\n").filter(Boolean);
      const links = (await emulated.inHost(host, ["ip", "-o", "link", "show"]))
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split(": ")[1].split("@")[0])
        .filter((name) => !["lo", host.underlayDevice, host.managementDevice].includes(name));
      return {
        containers: await list(["ps", "-a", "--filter", filter, "--format", "{{.Names}}"]),
        networks: await list(["network", "ls", "--filter", filter, "--format", "{{.Name}}"]),
        links,
      };
    };

    beforeAll(async () => {
      const started = Date.now();
      const images = await stretchImages();
      emulated = await startEmulatedHosts(images);
      [hostA, hostB] = emulated.hosts;
      figures.push(`two emulated hosts up with ${images.length} images loaded: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // As a site owner would: `pulumi up -s stretch-a`, then `-s stretch-b`. Site A's probe would
      // only see half a lab, so it is site B's probe, run once both halves exist, that checks across.
      siteA = await deployStack(testRun, stretchSiteConfig("stretch-a", hostA, hostB, { probes: false }));
      siteB = await deployStack(testRun, stretchSiteConfig("stretch-b", hostB, hostA));
      figures.push(`site A deploy through ssh:// ${siteA.deployMs} ms, site B (with its probe) ${siteB.deployMs} ms`);
    }, 600_000);

    afterAll(async () => {
      for (const site of [siteB, siteA]) if (site) await site.mocks.destroyAll();
      if (emulated) await emulated.stop();
      for (const line of figures) console.log(`[figures] stretched segment: ${line}`);
    }, 120_000);

    const webA = () => siteA!.outputs.labs["routed-lab"].nodes["web-a"].container;
    const webB = () => siteB!.outputs.labs["routed-lab"].nodes["web-b"].container;

    it("each host's tunnel joins its half of the segment to the other host's underlay address", async () => {
      for (const [host, peer, site] of [
        [hostA, hostB, siteA!],
        [hostB, hostA, siteB!],
      ] as const) {
        const segment = site.outputs.labs["routed-lab"].segments.shared;
        expect(segment.vxlan).toMatchObject({ id: 4242, remote: peer.underlayAddress, mtu: 1450 });
        const details = await emulated.inHost(host, ["ip", "-d", "link", "show", segment.vxlan!.interface]);
        expect(details).toMatch(new RegExp(`master ${segment.bridge} `));
        expect(details).toMatch(
          new RegExp(
            `vxlan id 4242 remote ${peer.underlayAddress.replace(/\./g, "\\.")} local ${host.underlayAddress.replace(/\./g, "\\.")} dev ${host.underlayDevice}`,
          ),
        );
        expect(details).toContain("dstport 4789");
      }
    });

    it("a ping crosses the tunnel both ways", async () => {
      const aToB = await exec(hostA.target, webA(), ["ping", "-c", "5", "-i", "0.2", "-W", "2", "10.60.0.20"]);
      expect(aToB.code, aToB.stdout + aToB.stderr).toBe(0);
      const bToA = await exec(hostB.target, webB(), ["ping", "-c", "5", "-i", "0.2", "-W", "2", "10.60.0.10"]);
      expect(bToA.code, bToA.stdout + bToA.stderr).toBe(0);
      const rtt = aToB.stdout.match(/= [\d.]+\/([\d.]+)\//)?.[1];
      figures.push(`ping across the tunnel: avg ${rtt} ms over 5`);
    });

    it("an HTTP fetch crosses the tunnel both ways, by name, and each end sees the other's own address", async () => {
      const aFetchesB = await exec(hostA.target, webA(), ["curl", "-sf", "--max-time", "5", "http://web-b/"]);
      expect(aFetchesB.stdout).toBe("web-b at site B\n");
      const bFetchesA = await exec(hostB.target, webB(), ["curl", "-sf", "--max-time", "5", "http://web-a/"]);
      expect(bFetchesA.stdout).toBe("web-a at site A\n");
      // One L2: site B's node has site A's node's MAC address as its neighbour, not a gateway's.
      const neighbour = await exec(hostB.target, webB(), ["ip", "neigh", "show", "10.60.0.10"]);
      const macOfA = (await exec(hostA.target, webA(), ["cat", "/sys/class/net/eth0/address"])).stdout.trim();
      expect(neighbour.stdout).toContain(macOfA);
    });

    it("full-size frames of the segment's MTU cross without fragmentation", async () => {
      const mtu = (await exec(hostA.target, webA(), ["cat", "/sys/class/net/eth0/mtu"])).stdout.trim();
      expect(mtu).toBe("1450");
      // 1450 - 20 (IP) - 8 (ICMP) = 1422 bytes of payload, with the don't-fragment bit set.
      const full = await exec(hostA.target, webA(), ["ping", "-c", "2", "-W", "2", "-M", "do", "-s", "1422", "10.60.0.20"]);
      expect(full.code, full.stdout + full.stderr).toBe(0);
      const over = await exec(hostA.target, webA(), ["ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1423", "10.60.0.20"]);
      expect(over.code).not.toBe(0);
    });

    it("a tunnel address the host does not hold is an error at preview, naming it, and nothing is created", async () => {
      const wrongRun = newTestRun();
      const config = stretchSiteConfig("stretch-a", hostA, hostB, { probes: false });
      config.routedLab.segments[0].vxlan.local = "10.77.0.9";
      await expect(deployStack(wrongRun, config)).rejects.toThrow(
        /addresses: host root@169\.254\.\d+\.2:22 holds no address 10\.77\.0\.9 \(it has [^)]*10\.77\.0\.1/,
      );
      const filter = `label=${TEST_LABEL}=${wrongRun.id}`;
      expect(await docker(hostA.target, ["ps", "-a", "--filter", filter, "--format", "{{.Names}}"])).toBe("");
      expect(await docker(hostA.target, ["network", "ls", "--filter", filter, "--format", "{{.Name}}"])).toBe("");
    });

    it("site B's probe, run over SSH on its host, checked the far side", async () => {
      const results = await valueOf(siteB!.outputs.probes["routed-lab"]);
      expect(results.map((result) => [result.name, result.ok])).toEqual([
        ["web-b reaches 10.60.0.10", true],
        ["web-b fetches http://web-a/", true],
      ]);
      figures.push(`SSH connections: site A engine ${siteA!.mocks.sshConnections()}, site B engine ${siteB!.mocks.sshConnections()}`);
    });

    it("destroying both stacks leaves nothing on either host: no container, network, bridge or tunnel", async () => {
      const started = Date.now();
      for (const site of [siteB, siteA]) await site!.mocks.destroyAll();
      figures.push(`teardown of both sites ${Date.now() - started} ms`);
      siteA = siteB = undefined;
      for (const host of [hostA, hostB]) {
        expect(await leftoversOn(host)).toEqual({ containers: [], networks: [], links: [] });
      }
    });
  },
);
