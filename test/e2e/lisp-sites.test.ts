/**
 * The per-role LISP stacks on three Docker hosts, as seed 000's hands-on lab spreads them: the
 * `msmr` stack on host a, `site-a` on host b, `site-b` on host c, each deployed through ssh:// to
 * its own emulated host (own dockerd, network namespace and OpenSSH server) from its own stack
 * file. Each RLOC network is a macvlan on its host's underlay interface (the stack files' parent),
 * so the three RLOC networks meet on the wire between the hosts and nowhere else. Sandboxes on
 * different hosts reach each other through LISP: the data crosses the wire as UDP 4341 between the
 * xTRs' RLOCs with the EIDs inside.
 *
 * The RLOC networks are not `internal`: Docker gives an internal macvlan a dummy parent instead
 * of the named one, cutting it off the wire. The wire joins only the emulated hosts (no uplink, no
 * route out), so nothing leaves the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labImageTag } from "../../components/images/lab-image";
import { DockerTarget, docker, execIn } from "../support/docker-cli";
import { EmulatedHost, EmulatedHosts, startEmulatedHosts } from "../support/emulated-hosts";
import { DeployedStack, TEST_LABEL, deployStack, newTestRun, redeployStack } from "../support/lab-harness";
import { lispImages, lispStackConfig } from "../support/lisp-sites";
import { captureLispData } from "../support/oor-packets";
import { valueOf } from "../support/run-program";
import { DOCKER, EMULATED_HOSTS, SSHD, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER, SSHD, EMULATED_HOSTS]);
if (skipReason) console.warn(`[skipped] LISP sites on three hosts: ${skipReason}`);
const KEY = "netlabs-three-hosts-1";

describe.skipIf(skipReason)(
  `lisp-msmr and two lisp-site stacks on three Docker hosts through ssh://${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    const testRun = newTestRun();
    let emulated: EmulatedHosts;
    let msHost: EmulatedHost;
    let hostA: EmulatedHost;
    let hostB: EmulatedHost;
    let msmr: DeployedStack | undefined;
    let siteA: DeployedStack | undefined;
    let siteB: DeployedStack | undefined;
    const figures: string[] = [];

    const exec = (target: DockerTarget, container: string, command: string[]) => execIn(container, command, 15_000, target);
    const sandboxOf = (site: DeployedStack) => site.outputs.labs["lisp-site"].nodes["sandbox-1"];
    const xtrOf = (site: DeployedStack) => site.outputs.labs["lisp-site"].nodes.xtr;
    /** One ping that may take a few tries: a new flow's first packets wait for the mapping. */
    const pingAcross = async (target: DockerTarget, container: string, address: string) => {
      for (let i = 0; i < 4; i++) if ((await exec(target, container, ["ping", "-c", "1", "-W", "2", address])).code === 0) return true;
      return false;
    };

    beforeAll(async () => {
      const started = Date.now();
      const images = await lispImages();
      emulated = await startEmulatedHosts(images, 3);
      [msHost, hostA, hostB] = emulated.hosts;
      figures.push(`three emulated hosts up with ${images.length} images loaded: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // As the site owners would: `pulumi up -s msmr`, then each site. The MS/MR's probe checks
      // that every site registered, so its first up runs without it; its second up (below) probes.
      msmr = await deployStack(testRun, lispStackConfig("msmr", msHost, KEY, { probes: false }));
      siteA = await deployStack(testRun, lispStackConfig("site-a", hostA, KEY));
      siteB = await deployStack(testRun, lispStackConfig("site-b", hostB, KEY));
      figures.push(`deploys through ssh://: msmr ${msmr.deployMs} ms, site-a ${siteA.deployMs} ms, site-b ${siteB.deployMs} ms`);
    }, 900_000);

    afterAll(async () => {
      for (const stack of [siteB, siteA, msmr]) if (stack) await stack.mocks.destroyAll();
      if (emulated) await emulated.stop();
      for (const line of figures) console.log(`[figures] LISP on three hosts: ${line}`);
    }, 180_000);

    it("each site's probe, run over SSH on its own host, saw its xTR registered and its sandbox reach it", async () => {
      for (const site of [siteA!, siteB!]) {
        const results = await valueOf(site.outputs.probes["lisp-site"]);
        expect(results.filter((r) => !r.ok)).toEqual([]);
        expect(results.map((r) => r.name)).toEqual(
          expect.arrayContaining([expect.stringMatching(/registered 10\.241\.\d\.0\/24 with the map server/)]),
        );
      }
    });

    it("(test double) a second up of the msmr stack, with its probe, finds both sites registered and changes nothing else", async () => {
      msmr = await redeployStack(testRun, msmr!, lispStackConfig("msmr", msHost, KEY));
      const results = await valueOf(msmr.outputs.probes["lisp-msmr"]);
      expect(results.map((r) => [r.name, r.ok])).toEqual([
        ["the MS/MR has 10.241.1.0/24 registered", true],
        ["the MS/MR has 10.241.2.0/24 registered", true],
      ]);
      // Only the probe, now on, is new.
      const changed = [...msmr.mocks.steps].filter(([key, step]) => step !== "same" && !/probe/i.test(key));
      expect(changed).toEqual([]);
    });

    it("sandboxes on different hosts ping and fetch each other through LISP", async () => {
      for (const [from, fromHost, to] of [
        [siteA!, hostA, siteB!],
        [siteB!, hostB, siteA!],
      ] as const) {
        const target = sandboxOf(to);
        const started = Date.now();
        expect(await pingAcross(fromHost.target, sandboxOf(from).container, target.addresses.eid)).toBe(true);
        figures.push(`${sandboxOf(from).container} → ${target.addresses.eid}: first ping answered after ${Date.now() - started} ms`);
        const fetched = await exec(fromHost.target, sandboxOf(from).container, [
          "curl",
          "-s",
          "--max-time",
          "5",
          `http://${target.addresses.eid}/`,
        ]);
        expect(fetched.stdout.trim()).toBe(target.container);
      }
    });

    it("the data crosses the wire as LISP between the xTRs' RLOCs, with the sandboxes' EIDs inside", async () => {
      const [a, b] = [sandboxOf(siteA!), sandboxOf(siteB!)];
      const capture = captureLispData(xtrOf(siteA!).container, labImageTag("router"), {
        count: 4,
        seconds: 15,
        label: `${TEST_LABEL}=${testRun.id}`,
        target: hostA.target,
      });
      // Let tcpdump start before the traffic it is to see.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await exec(hostA.target, a.container, ["ping", "-c", "4", "-i", "0.3", "-W", "2", b.addresses.eid]);
      const packets = await capture;
      const rloc = (site: DeployedStack) => xtrOf(site).addresses.rloc;
      expect(packets).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ outerSrc: rloc(siteA!), outerDst: rloc(siteB!), innerSrc: a.addresses.eid, innerDst: b.addresses.eid }),
          expect.objectContaining({ outerSrc: rloc(siteB!), outerDst: rloc(siteA!), innerSrc: b.addresses.eid, innerDst: a.addresses.eid }),
        ]),
      );
    });

    it("destroying the three stacks leaves nothing on any host", async () => {
      for (const stack of [siteB, siteA, msmr]) expect(await stack!.mocks.destroyAll()).toEqual([]);
      [siteB, siteA, msmr] = [undefined, undefined, undefined];
      const filter = `label=${TEST_LABEL}=${testRun.id}`;
      for (const host of [msHost, hostA, hostB]) {
        expect(await docker(host.target, ["ps", "-a", "--filter", filter, "--format", "{{.Names}}"])).toBe("");
        expect(await docker(host.target, ["network", "ls", "--filter", filter, "--format", "{{.Name}}"])).toBe("");
      }
    });
  },
);
