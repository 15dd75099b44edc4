/**
 * NetworkContainer on real Docker: a static and a DHCP public address on a macvlan LAN (on one
 * end of a veth pair), DNAT of TCP and UDP to targets on a private network, and a destroy that
 * leaves the targets serving and the host as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetworkContainer } from "../../components/network-container";
import { execIn, run, waitFor } from "../support/docker-cli";
import { Deployed, deployProgram, leftovers, newTestRun, sweep, waitForNodes } from "../support/lab-harness";
import {
  CLIENT_ADDRESS,
  DHCP_POOL,
  STATIC_ADDRESS,
  createVeth,
  isPromiscuous,
  lanSide,
  privateSide,
} from "../support/network-container-lab";
import { valueOf } from "../support/run-program";
import { DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const privateRun = newTestRun();
const lanRun = newTestRun();

function inPool(address: string): boolean {
  const last = Number(address.split(".")[3]);
  return address.startsWith("10.233.0.") && last >= Number(DHCP_POOL.first.split(".")[3]) && last <= Number(DHCP_POOL.last.split(".")[3]);
}

describe.skipIf(skipReason)(`NetworkContainer on real Docker${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let veth: Awaited<ReturnType<typeof createVeth>>;
  let targets: Deployed<ReturnType<typeof privateSide>>;
  let lan: Deployed<ReturnType<typeof lanSide>>;
  let dhcpAddress: string;

  beforeAll(async () => {
    veth = await createVeth(lanRun);
    targets = await deployProgram(() => privateSide(privateRun));
    await waitForNodes(Object.values(targets.outputs.nodes).map((n) => n.container));
    lan = await deployProgram(() => lanSide(lanRun, privateRun, veth.parent));
    dhcpAddress = await valueOf(lan.outputs.dhcpNc.address);
  });

  afterAll(async () => {
    if (lan) await lan.mocks.destroyAll();
    if (targets) await targets.mocks.destroyAll();
    await sweep(lanRun);
    await sweep(privateRun);
    if (veth) await veth.remove();
  });

  const client = () => lan.outputs.clientName;

  it("static: the client fetches the target's page at the public address", async () => {
    const page = await waitFor(
      async () => {
        const result = await execIn(client(), ["curl", "-sf", "--max-time", "2", `http://${STATIC_ADDRESS}/`]);
        return result.code === 0 ? result.stdout : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(page).toBe("target-1\n");
  });

  it("static: a UDP echo works through the exposed UDP port, and the target sees the router (MASQUERADE)", async () => {
    const echo = await execIn(client(), ["sh", "-c", `echo netlabs-udp | socat -T 2 - UDP:${STATIC_ADDRESS}:7`]);
    const routerPrivate = JSON.parse(
      (await run("docker", ["inspect", "--format", "{{json .NetworkSettings.Networks}}", lan.outputs.staticNc.routerContainer])).stdout,
    )[`${privateRun.prefix}nc-private-private`].IPAddress;
    expect(echo.stdout).toBe(`netlabs-udp from ${routerPrivate}\n`);
    expect(echo.stdout).not.toContain(CLIENT_ADDRESS);
  });

  it("dhcp: the address output is the lease dnsmasq handed out, and the client reaches the target through it", async () => {
    expect(inPool(dhcpAddress)).toBe(true);
    const leases = await execIn(lan.outputs.dhcpServerName, ["cat", "/var/lib/misc/dnsmasq.leases"]);
    const leased = leases.stdout.split("\n").find((line) => line.includes(`${lanRun.prefix}nc-dhcp`));
    expect(leased?.split(" ")[2]).toBe(dhcpAddress);
    const page = await execIn(client(), ["curl", "-sf", "--max-time", "2", `http://${dhcpAddress}/`]);
    expect(page.stdout).toBe("target-2\n");
    // Docker's own LAN address was flushed: the router holds only the lease there.
    const router = lan.outputs.dhcpNc.routerContainer;
    const addresses = await execIn(router, ["sh", "-c", "ip -o -4 addr show | awk '{print $4}'"]);
    const lanAddresses = addresses.stdout.split("\n").filter((a) => a.startsWith("10.233.0."));
    expect(lanAddresses).toEqual([`${dhcpAddress}/24`]);
  });

  it("forwards only the exposed ports: the DHCP one exposes 80/tcp (its image's EXPOSE), not 7/udp", async () => {
    expect(lan.outputs.dhcpNc.ports).toEqual([{ port: 80, protocol: "tcp" }]);
    const echo = await execIn(client(), ["sh", "-c", `echo nothing | socat -T 1 - UDP:${dhcpAddress}:7`]);
    expect(echo.stdout).toBe("");
  });

  it("runs the routers with NET_ADMIN and NET_RAW only, and the LAN parent promiscuous", async () => {
    for (const nc of [lan.outputs.staticNc, lan.outputs.dhcpNc]) {
      const hostConfig = JSON.parse((await run("docker", ["inspect", "--format", "{{json .HostConfig}}", nc.routerContainer])).stdout);
      expect(hostConfig.Privileged).toBe(false);
      expect(hostConfig.CapDrop).toEqual(["ALL"]);
      expect(hostConfig.CapAdd.map((cap: string) => cap.replace(/^CAP_/, "")).sort()).toEqual(["NET_ADMIN", "NET_RAW"]);
    }
    expect(await isPromiscuous(veth.parent)).toBe(true);
  });

  it("destroy removes the network containers and the host change; the targets keep serving", async () => {
    const failures = await lan.mocks.destroyAll();
    expect(failures).toEqual([]);
    expect(await leftovers(lanRun)).toEqual({ containers: [], networks: [], hostRules: [] });
    expect(await isPromiscuous(veth.parent)).toBe(false);
    const probe = targets.outputs.nodes.probe.container;
    for (const [name, address] of [
      ["target-1", "10.234.0.11"],
      ["target-2", "10.234.0.12"],
    ]) {
      const page = await execIn(probe, ["curl", "-sf", "--max-time", "2", `http://${address}/`]);
      expect(page.stdout).toBe(`${name}\n`);
    }
  });

  it("refuses a missing parent interface, naming it, before creating anything", async () => {
    const bad = newTestRun();
    await expect(
      deployProgram(
        () =>
          new NetworkContainer("nc-bad", {
            namePrefix: bad.prefix,
            target: "t",
            targetNetwork: "n",
            ports: [{ port: 80 }],
            lan: { parent: "nl-no-such-if", subnet: "10.233.9.0/24" },
            address: "10.233.9.5",
          }),
      ),
    ).rejects.toThrow(/lan\.parent: "nl-no-such-if" is not an interface of the Docker host/);
    expect(await leftovers(bad)).toEqual({ containers: [], networks: [], hostRules: [] });
  });
});
