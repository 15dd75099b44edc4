/**
 * VRFs and VLANs with packets (issue 25, item 6), on real Docker and FRR. They need kernel features
 * this project's own machines lack (the vrf module, VLAN filtering in the bridge): each suite skips
 * there naming what is missing, and runs in the public CI, whose runners have them and whose
 * workflow requires them (NETLABS_REQUIRE_KERNEL_MODULES=1: test/support/requirements.ts).
 * - VRFs: two customers with overlapping addresses in two VRFs over one router pair, isolated; then,
 *   deployed again with each router's red and blue importing each other, a leaked route carries
 *   packets from one customer to the other.
 * - VLANs: a trunk between two bridge nodes carries VLANs 10 and 20; four hosts in one subnet reach
 *   only the host of their own VLAN.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutedLab } from "../../components/routed-lab";
import { execIn, waitFor } from "../support/docker-cli";
import { Deployed, TEST_LABEL, deployProgram, leftovers, newTestRun, redeployProgram, sweep, waitForNodes } from "../support/lab-harness";
import { DOCKER, KERNEL_BRIDGE_VLAN_FILTERING, KERNEL_VRF, skipUnless } from "../support/requirements";
import { VLAN_HOSTS, vlanTrunk } from "../support/vlan-labs";
import { VRF_HOSTS, VRF_LOOPBACK, vrfPair } from "../support/vrf-labs";

const vrfSkip = skipUnless([DOCKER, KERNEL_VRF]);
if (vrfSkip) console.warn(`[skipped] VRF e2e: ${vrfSkip}`);
const vlanSkip = skipUnless([DOCKER, KERNEL_BRIDGE_VLAN_FILTERING]);
if (vlanSkip) console.warn(`[skipped] VLAN e2e: ${vlanSkip}`);
const testRun = newTestRun();

/** A first reply from `to` within `timeoutMs`. */
async function reaches(container: string, to: string, timeoutMs = 60_000): Promise<boolean> {
  const replied = await waitFor(async () => (await execIn(container, ["ping", "-c", "1", "-W", "2", to])).code === 0 || undefined, {
    timeoutMs,
    intervalMs: 250,
  });
  return replied === true;
}

/** No reply from `to` to three pings (once the paths that should work do). */
async function silent(container: string, to: string): Promise<boolean> {
  return (await execIn(container, ["ping", "-c", "3", "-i", "0.3", "-W", "1", to])).code !== 0;
}

/** Neighbour states of one VRF's OSPF, or its BGP sessions' states, from FRR. */
async function vrfStates(container: string, command: string, at: (json: any) => Record<string, any>): Promise<string[]> {
  const result = await execIn(container, ["vtysh", "-c", command], 10_000);
  try {
    return Object.values(at(JSON.parse(result.stdout)) ?? {}).flatMap((entry: any) =>
      (Array.isArray(entry) ? entry : [entry]).map((item: any) => String(item.nbrState ?? item.state)),
    );
  } catch {
    return [];
  }
}

describe.skipIf(vrfSkip)(`VRFs: two customers over one router pair${vrfSkip ? ` (skipped: ${vrfSkip})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const container = (name: string) => lab.outputs.nodes[name].container;
  const program = (leak: boolean) => () =>
    new RoutedLab("vrf", { spec: vrfPair(leak), namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } });

  beforeAll(async () => {
    lab = await deployProgram(program(false));
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("each customer reaches its far side inside its VRF: red over OSPF, blue over eBGP", async () => {
    expect(await reaches(container("h1"), VRF_HOSTS.h3.address)).toBe(true);
    expect(await reaches(container("h2"), VRF_HOSTS.h4.address)).toBe(true);
    expect(await reaches(container("h3"), VRF_HOSTS.h1.address, 10_000)).toBe(true);
    expect(await reaches(container("h4"), VRF_HOSTS.h2.address, 10_000)).toBe(true);
    // ospfd keys a named VRF's JSON by its name (FRR 8.4: certainly with "vrf all").
    expect(await vrfStates(container("r1"), "show ip ospf vrf all neighbor json", (json) => json.red?.neighbors)).toEqual(["Full/-"]);
    expect(await vrfStates(container("r1"), "show bgp vrf blue summary json", (json) => json.ipv4Unicast?.peers)).toEqual(["Established"]);
    // The default table's OSPF runs beside them, on the core alone.
    expect(await vrfStates(container("r1"), "show ip ospf neighbor json", (json) => json.neighbors)).toEqual(["Full/-"]);
  });

  it(`overlapping addresses: ${VRF_LOOPBACK} answers each customer from its own VRF`, async () => {
    expect(await reaches(container("h1"), VRF_LOOPBACK, 30_000)).toBe(true);
    expect(await reaches(container("h2"), VRF_LOOPBACK, 30_000)).toBe(true);
    // r1 holds two routes to the one address, each in its VRF's table, each over that VRF's link.
    const red = await execIn(container("r1"), ["ip", "route", "get", VRF_LOOPBACK, "vrf", "red"]);
    const blue = await execIn(container("r1"), ["ip", "route", "get", VRF_LOOPBACK, "vrf", "blue"]);
    expect(red.stdout).toMatch(/via 10\.90\.1\.2 /);
    expect(blue.stdout).toMatch(/via 10\.90\.2\.2 /);
    for (const vrf of ["red", "blue"]) {
      expect((await execIn(container("r2"), ["ip", "-4", "-o", "addr", "show", "dev", vrf])).stdout).toContain(`${VRF_LOOPBACK}/32`);
    }
  });

  it("isolated: red reaches neither blue nor the default table, and no table holds the other's routes", async () => {
    expect(await reaches(container("h1"), VRF_HOSTS.h3.address)).toBe(true);
    expect(await silent(container("h1"), VRF_HOSTS.h4.address)).toBe(true);
    expect(await silent(container("h1"), VRF_HOSTS.h2.address)).toBe(true);
    expect(await silent(container("h3"), VRF_HOSTS.h2.address)).toBe(true);
    expect(await silent(container("h1"), "10.90.0.2")).toBe(true);
    const redTable = (await execIn(container("r1"), ["ip", "-4", "route", "show", "vrf", "red"])).stdout;
    expect(redTable).toContain("10.91.2.0/24");
    expect(redTable).not.toMatch(/10\.92\./);
    const mainTable = (await execIn(container("r1"), ["ip", "-4", "route", "show"])).stdout;
    expect(mainTable).not.toMatch(/10\.9[12]\./);
  });

  it("leaking: red and blue importing each other, r1's red table holds blue's far LAN and h1 reaches h4", async () => {
    lab = await redeployProgram(lab, program(true));
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
    const leaked = await waitFor(
      async () => {
        const route = (await execIn(container("r1"), ["ip", "-4", "route", "show", "vrf", "red", "10.92.2.0/24"])).stdout.trim();
        return route !== "" ? route : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(leaked).toBeDefined();
    expect(await reaches(container("h1"), VRF_HOSTS.h4.address)).toBe(true);
    expect(await reaches(container("h2"), VRF_HOSTS.h3.address)).toBe(true);
    // Still nothing in the default table.
    expect((await execIn(container("r1"), ["ip", "-4", "route", "show"])).stdout).not.toMatch(/10\.9[12]\./);
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});

describe.skipIf(vlanSkip)(`VLANs: a trunk between two bridge nodes${vlanSkip ? ` (skipped: ${vlanSkip})` : ""}`, () => {
  let lab: Deployed<RoutedLab>;
  const container = (name: string) => lab.outputs.nodes[name].container;

  beforeAll(async () => {
    lab = await deployProgram(
      () => new RoutedLab("vlan", { spec: vlanTrunk(), namePrefix: testRun.prefix, labels: { [TEST_LABEL]: testRun.id } }),
    );
    await waitForNodes(Object.values(lab.outputs.nodes).map((n) => n.container));
  });

  afterAll(async () => {
    if (lab) await lab.mocks.destroyAll();
    await sweep(testRun);
  });

  it("each host reaches the host of its VLAN on the other bridge, across the trunk", async () => {
    expect(await reaches(container("h1"), VLAN_HOSTS.h3.address, 30_000)).toBe(true);
    expect(await reaches(container("h2"), VLAN_HOSTS.h4.address, 30_000)).toBe(true);
    expect(await reaches(container("h4"), VLAN_HOSTS.h2.address, 10_000)).toBe(true);
  });

  it("a host reaches no host of the other VLAN, on its own bridge or across (one subnet, two VLANs)", async () => {
    expect(await reaches(container("h1"), VLAN_HOSTS.h3.address, 30_000)).toBe(true);
    expect(await silent(container("h1"), VLAN_HOSTS.h2.address)).toBe(true);
    expect(await silent(container("h1"), VLAN_HOSTS.h4.address)).toBe(true);
    expect(await silent(container("h3"), VLAN_HOSTS.h2.address)).toBe(true);
  });

  it("the bridges: the trunk tagged in 10 and 20, each access port untagged in its own VLAN alone", async () => {
    const shown = JSON.parse((await execIn(container("sw1"), ["bridge", "-j", "vlan", "show"])).stdout) as {
      ifname: string;
      vlans: { vlan: number; flags?: string[] }[];
    }[];
    const trunk = (
      await execIn(container("sw1"), ["sh", "-c", "echo $NETLABS_IF_TRUNK; ip -o -4 addr show | awk '/10\\.95\\.0\\.1\\//{print $2}'"])
    ).stdout
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line !== "");
    const port = (name: string | undefined) => shown.find((entry) => entry.ifname === name)?.vlans ?? [];
    expect(port(trunk).map((v) => [v.vlan, (v.flags ?? []).includes("Egress Untagged")])).toEqual([
      [10, false],
      [20, false],
    ]);
    const access = shown.filter((entry) => entry.ifname !== trunk && entry.ifname !== "nlbridge");
    const accessVlans = access.map((entry) =>
      entry.vlans.map((v) => [v.vlan, (v.flags ?? []).includes("PVID"), (v.flags ?? []).includes("Egress Untagged")]),
    );
    expect(accessVlans.sort((a, b) => Number(a[0][0]) - Number(b[0][0]))).toEqual([[[10, true, true]], [[20, true, true]]]);
  });

  it("teardown leaves nothing of the lab behind", async () => {
    expect(await lab.mocks.destroyAll()).toEqual([]);
    expect(await leftovers(testRun)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
