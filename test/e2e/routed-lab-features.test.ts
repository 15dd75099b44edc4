/**
 * RoutedLab features the dev stack does not use: a macvlan segment (on one end of a veth pair made
 * by the test), a router between it and a bridge, commands run once the interfaces are up with the
 * interface names found by address, and an external image reference.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labImageTag } from "../../components/images/lab-image";
import { RoutedLab } from "../../components/routed-lab";
import { execIn } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import { createVeth } from "../support/network-container-lab";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();

describe.skipIf(skipReason)(`RoutedLab features on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let veth: Awaited<ReturnType<typeof createVeth>>;
  let lab: Deployed<RoutedLab>;

  beforeAll(async () => {
    veth = await createVeth(testRun);
    lab = await deployProgram(
      () =>
        new RoutedLab("features", {
          namePrefix: testRun.prefix,
          labels: { [TEST_LABEL]: testRun.id },
          spec: {
            segments: [
              { name: "wire", subnet: "10.235.1.0/24", driver: "macvlan", parent: veth.parent },
              { name: "lan", subnet: "10.235.2.0/24" },
            ],
            nodes: [
              {
                name: "gw",
                image: "router",
                router: true,
                interfaces: [
                  { segment: "wire", address: "10.235.1.1" },
                  { segment: "lan", address: "10.235.2.1" },
                ],
                // Runs once both interfaces are up, with their names found by address.
                commands: ['echo "wire=$NETLABS_IF_WIRE lan=$NETLABS_IF_LAN" > /run/netlabs/seen'],
              },
              {
                name: "far",
                image: "client",
                interfaces: [{ segment: "wire", address: "10.235.1.20" }],
                routes: [{ to: "10.235.2.0/24", via: "10.235.1.1" }],
              },
              {
                name: "near",
                // An image given by reference: the lab's client image by its tag (no registry is reachable here).
                // (The form stack config may hold, which the schema still takes; imageRef is the plain one.)
                image: { ref: labImageTag("client") } as unknown as string,
                interfaces: [{ segment: "lan", address: "10.235.2.20", aliases: ["near-alias"] }],
                routes: [{ to: "default", via: "10.235.2.1" }],
                files: { "/srv/www/index.html": "near\n" },
                command: ["busybox", "httpd", "-f", "-p", "80", "-h", "/srv/www"],
              },
            ],
          },
        }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
    if (veth) await veth.remove();
  });

  it("runs the node's commands after its interfaces are up, with the names Docker gave them", async () => {
    const gw = lab.outputs.nodes.gw.container;
    const seen = (await execIn(gw, ["cat", "/run/netlabs/seen"])).stdout.trim();
    const match = /^wire=(\S+) lan=(\S+)$/.exec(seen);
    expect(match).not.toBeNull();
    const holds = async (ifname: string) => (await execIn(gw, ["ip", "-o", "-4", "addr", "show", "dev", ifname])).stdout;
    expect(await holds(match![1])).toContain("inet 10.235.1.1/24");
    expect(await holds(match![2])).toContain("inet 10.235.2.1/24");
  });

  it("routes from a macvlan segment through the router to a bridge segment", async () => {
    const far = lab.outputs.nodes.far.container;
    const page = await execIn(far, ["curl", "-sf", "--max-time", "3", "http://10.235.2.20/"]);
    expect(page.stdout).toBe("near\n");
    const ping = await execIn(far, ["ping", "-c", "1", "-W", "2", "10.235.2.20"]);
    expect(ping.stdout).toMatch(/ttl=63/);
  });

  it("answers to DNS aliases on the bridge segment", async () => {
    const gw = lab.outputs.nodes.gw.container;
    const page = await execIn(gw, ["curl", "-sf", "--max-time", "3", "http://near-alias/"]);
    expect(page.stdout).toBe("near\n");
  });

  it("leaves nothing behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
