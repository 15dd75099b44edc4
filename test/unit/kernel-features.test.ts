/**
 * A lab whose nodes need kernel features (VRFs: the vrf module; VLANs: 8021q, bridge VLAN filtering)
 * is refused at preview when the host's kernel lacks them, naming the host, the node and the
 * feature (issue 25, item 6). The engine's kernel is tried by a short-lived container in a network
 * namespace of its own (engine-facts.ts, the kernel look), only when a lab needs it; a stand-in
 * docker plays the engine here.
 */
import { describe, expect, it } from "vitest";
import { checkEngine } from "../../components/host/engine-check";
import { kernelLookArgs, kernelLookImage } from "../../components/host/engine-facts";
import { KERNEL_FEATURES_SCRIPT, kernelFacts, parseKernelLook } from "../../components/host/kernel-facts";
import { dockerExecTarget } from "../../components/host/host-exec";
import { KernelFeatureNeed } from "../../components/host/host-facts";
import { planRoutedLab } from "../../components/routed-lab/plan";
import { buildStack } from "../../stacks";
import { routedLabNeeds } from "../../stacks/composition";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { StandInEngine, withStandInDocker } from "../support/stand-in-docker";
import { vlanStick } from "../support/vlan-labs";
import { vrfPair } from "../support/vrf-labs";

const UNIX = "unix:///var/run/docker.sock";
const LOCAL = dockerExecTarget(UNIX);
const ROUTER = "docker-netlabs/router:0123456789abcdef";
const ENGINE: StandInEngine = {
  images: [ROUTER],
  kernel: "6.1.0-lab",
  kernelFeatures: { vrf: false, "8021q": true, "bridge-vlan-filtering": true },
};
const VRF_NEED: KernelFeatureNeed = { feature: "vrf", lab: "vrf", node: "r1", field: "vrfs" };

describe("the kernel look", () => {
  it("tries each feature as a node's init makes it, in a namespace of its own with NET_ADMIN alone, on a lab image with ip", () => {
    expect(KERNEL_FEATURES_SCRIPT).toContain("ip link add nl-try type vrf table 10");
    expect(KERNEL_FEATURES_SCRIPT).toContain("type vlan id 10");
    expect(KERNEL_FEATURES_SCRIPT).toContain("type bridge vlan_filtering 1");
    const args = kernelLookArgs(ROUTER, KERNEL_FEATURES_SCRIPT).join(" ");
    expect(args).toContain("--network none --cap-drop ALL --cap-add NET_ADMIN --security-opt no-new-privileges --read-only");
    expect(args).toContain("--pull never");
    const images = (stdout: string) => ({ code: 0, stdout, stderr: "" });
    expect(kernelLookImage(images(`debian:bookworm-slim\ndocker-netlabs/client:1\n${ROUTER}\n`))).toBe(ROUTER);
    expect(kernelLookImage(images("debian:bookworm-slim\ndocker-netlabs/client:1\n"))).toBe("docker-netlabs/client:1");
    expect(kernelLookImage(images("debian:bookworm-slim\n"))).toBeUndefined();
  });

  it("reads yes and no per feature; an odd answer is unknown, not a verdict", () => {
    expect(parseKernelLook("== kernel\nvrf no\n8021q yes\nbridge-vlan-filtering no\n")).toEqual({
      vrf: false,
      "8021q": true,
      "bridge-vlan-filtering": false,
    });
    expect(parseKernelLook("sh: ip: not found\n")).toBeUndefined();
    const failed = kernelFacts({ code: 125, stdout: "", stderr: "no such image" });
    expect(failed.kernelFeatures).toBeUndefined();
    expect(failed.kernelUnknown).toMatch(/^the look at the engine's kernel failed: no such image$/);
    expect(kernelFacts(undefined).kernelUnknown).toMatch(/no docker-netlabs\/router or client image/);
  });
});

describe("a lab needing a kernel feature the engine's kernel lacks is refused before anything is registered", () => {
  it("names the host, its kernel, the lab's node, its field and the feature", async () => {
    await withStandInDocker(ENGINE, (docker) => {
      const check = checkEngine(UNIX, LOCAL, {
        kernelFeatures: [VRF_NEED, { feature: "8021q", lab: "vlan", node: "r1", field: "vlans.interfaces" }],
      });
      expect(check.issues).toEqual([
        {
          path: "dockerHost",
          message: `host ${UNIX}'s kernel (6.1.0-lab) has no vrf module, which node r1 of lab vrf needs for its vrfs: run the lab on a host whose kernel has it`,
        },
      ]);
      expect(docker.calls().at(-1)).toEqual(["-H", UNIX, ...kernelLookArgs(ROUTER, KERNEL_FEATURES_SCRIPT)]);
    });
  });

  it("tries the kernel only when a lab needs it; without a lab image to try with, a note instead", async () => {
    await withStandInDocker(ENGINE, (docker) => {
      expect(checkEngine(UNIX, LOCAL, { images: [] }).issues).toEqual([]);
      expect(docker.calls().some((call) => call.includes("none"))).toBe(false);
    });
    await withStandInDocker({ ...ENGINE, images: [] }, () => {
      const check = checkEngine(UNIX, LOCAL, { kernelFeatures: [VRF_NEED] });
      expect(check.issues).toEqual([]);
      expect(check.notes).toEqual([
        expect.stringMatching(
          /^host unix:\/\/\/var\/run\/docker\.sock: its kernel's vrf not checked ahead: the engine has no docker-netlabs\/router or client image/,
        ),
      ]);
    });
  });

  it("a RoutedLab's needs: vrf for a node with vrfs, 8021q for tagged VLAN interfaces, VLAN filtering for bridges; none for other labs", () => {
    expect(routedLabNeeds(planRoutedLab("vrf", vrfPair())).kernelFeatures).toEqual([
      { feature: "vrf", node: "r1", field: "vrfs" },
      { feature: "vrf", node: "r2", field: "vrfs" },
    ]);
    expect(routedLabNeeds(planRoutedLab("vlan", vlanStick())).kernelFeatures).toEqual([
      { feature: "bridge-vlan-filtering", node: "sw1", field: "vlans.ports" },
      { feature: "bridge-vlan-filtering", node: "sw2", field: "vlans.ports" },
      { feature: "8021q", node: "r1", field: "vlans.interfaces" },
    ]);
    expect(
      routedLabNeeds(
        planRoutedLab("plain", {
          segments: [{ name: "a", subnet: "10.1.0.0/24" }],
          nodes: [{ name: "h", image: "client", interfaces: [{ segment: "a", address: "10.1.0.2" }] }],
        }),
      ),
    ).not.toHaveProperty("kernelFeatures");
  });

  it("the stack: preview refuses the VRF lab on a kernel without vrf, registering nothing, and takes it where the kernel has it", async () => {
    const stack = async (features: Record<string, boolean>) => {
      const mocks = new RecordingMocks();
      const run = () =>
        runProgram(mocks, () => buildStack(readStackConfig()), {
          config: { labs: ["routed-lab"], dockerHost: UNIX, routedLab: vrfPair() },
        });
      const error = await withStandInDocker({ ...ENGINE, kernelFeatures: features }, () =>
        run().then(
          () => undefined,
          (caught) => caught,
        ),
      );
      return { error, registered: mocks.resources.length };
    };
    const refused = await stack({ vrf: false });
    expect(refused.error?.message).toContain(
      `docker-netlabs:dockerHost: host ${UNIX}'s kernel (6.1.0-lab) has no vrf module, which node r1 of lab routed-lab needs for its vrfs`,
    );
    expect(refused.error?.message).toContain("which node r2 of lab routed-lab needs for its vrfs");
    expect(refused.registered).toBe(0);
    const taken = await stack({ vrf: true });
    expect(taken.error).toBeUndefined();
    expect(taken.registered).toBeGreaterThan(0);
  });
});
