/**
 * A site stack deployed through ssh:// to a real OpenSSH server on 127.0.0.1 (its own config, host
 * key and authorized key), with the key and host key from stack config: the Docker provider's ssh
 * options carry them, the lab comes up on the engine behind it, the probe runs over SSH. A wrong
 * key, an unknown host key, a closed port and a silent host each fail clearly, leaving nothing.
 */
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PAGE } from "../../stacks/networking-demo";
import { execIn } from "../support/docker-cli";
import { DeployedStack, deployStack, freePort, leftovers, newTestRun, sweep } from "../support/lab-harness";
import { valueOf } from "../support/run-program";
import { SshdFixture, startSshd, strangerKeyPair } from "../support/sshd";
import { DOCKER, SSHD, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER, SSHD]);
if (skipReason) console.warn(`[skipped] remote site tests: ${skipReason}`);

describe.skipIf(skipReason)(`a site stack through ssh://${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let sshd: SshdFixture;
  const site = (overrides: Record<string, unknown> = {}) => ({
    dockerHost: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
    sshPrivateKey: sshd.privateKey,
    sshHostKey: sshd.hostPublicKey,
    labs: ["networking-demo"],
    ...overrides,
  });

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => sshd && (await sshd.stop()));

  describe("deployed", () => {
    const run = newTestRun();
    let deployed: DeployedStack;
    let connections: number;

    beforeAll(async () => {
      const before = sshd.connections();
      deployed = await deployStack(run, site({ demoHostPort: await freePort(4100) }));
      connections = sshd.connections() - before;
    });
    afterAll(async () => {
      if (deployed) await deployed.mocks.destroyAll();
      await sweep(run);
    });

    it("reaches the engine behind the SSH server and the lab answers", async () => {
      const client = deployed.outputs.labs["networking-demo"].nodes["client-1"].container;
      expect((await execIn(client, ["curl", "-sf", "--max-time", "3", "http://server-1/"])).stdout).toBe(DEMO_PAGE);
      expect((await leftovers(run)).containers.length).toBe(3);
    });

    it("probes the lab over SSH with the same key and host key", async () => {
      const results = await valueOf(deployed.outputs.probes["networking-demo"]);
      expect(results.map((r) => r.ok)).toEqual([true]);
    });

    it("checked the host's facts before creating anything on it", async () => {
      const check = deployed.outputs.components.host.check!;
      const facts = await valueOf(check.facts);
      expect(facts.interfaces).toContain("lo");
      expect(Number(facts.dockerVersion.split(".")[0])).toBeGreaterThanOrEqual(20);
    });

    it("(test double) reports how many SSH connections the deploy used", () => {
      // Through the double, every docker CLI call is one `ssh ... dial-stdio` (the provider's own
      // client keeps its connections alive, so it dials far fewer); readiness polls and probe
      // checks are one `ssh` each; the host check is one ssh2 connection.
      const engine = deployed.mocks.sshConnections();
      console.log(
        `[figures] ssh:// deploy of networking-demo: ${connections} SSH connections (engine through the double: ${engine}, the rest: readiness, probe, host check)`,
      );
      expect(engine).toBeGreaterThan(0);
      expect(connections).toBeGreaterThanOrEqual(engine + 3);
    });
  });

  it("a missing macvlan parent is an error naming it, from the host check, before anything is created", async () => {
    const run = newTestRun();
    const config = site({
      labs: ["lisp-site"],
      oorMapServerKey: "site-key-123",
      oorRloc: { subnet: "198.51.100.0/24", address: "198.51.100.11", parent: "nl-missing0" },
      oorSite: { eidSubnet: "10.241.1.0/24" },
      oorMapServer: "198.51.100.2",
    });
    await expect(deployStack(run, config)).rejects.toThrow(/interfaces: host root@127\.0\.0\.1:\d+ has no interface "nl-missing0"/);
    expect(await leftovers(run)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it.each([
    ["a wrong key", () => ({ sshPrivateKey: strangerKeyPair().privateKey }), /ssh root@127\.0\.0\.1:\d+: auth: the key was refused/],
    [
      "an unknown host key",
      () => ({ sshHostKey: strangerKeyPair().publicKey }),
      /ssh root@127\.0\.0\.1:\d+: host-key: the host's key is not the configured hostKey/,
    ],
    ["a closed port", () => ({ dockerHost: `ssh://root@127.0.0.1:1` }), /ssh root@127\.0\.0\.1:1: connect: .*ECONNREFUSED/],
  ])("%s: a clear error within the timeout, nothing left", async (_label, overrides, expected) => {
    const run = newTestRun();
    const started = Date.now();
    await expect(deployStack(run, site(overrides()))).rejects.toThrow(expected);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await leftovers(run)).toEqual({ containers: [], networks: [], hostRules: [] });
  });

  it("a host that accepts and never answers: an error within the connect timeout, nothing left", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const run = newTestRun();
    try {
      const started = Date.now();
      await expect(
        deployStack(run, site({ dockerHost: `ssh://root@127.0.0.1:${(silent.address() as net.AddressInfo).port}` })),
      ).rejects.toThrow(/connect: Timed out while waiting for handshake/);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await leftovers(run)).toEqual({ containers: [], networks: [], hostRules: [] });
    } finally {
      silent.close();
    }
  });
});
