/**
 * How a lab lives through changes and restarts, as the engine is told it: networks replaced
 * delete-first (with the containers that take their names), restart policies, the nodes'
 * readiness healthcheck and gate, images used as loaded on hosts without egress.
 */
import { describe, expect, it } from "vitest";
import { GUARD_READY_PATH } from "../../components/host/host-guard-script";
import { OWN_IMAGE_NAMES, labImageSource, labImageTag } from "../../components/images/lab-image";
import { NODE_READY_PATH } from "../../components/routed-lab";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { withStandInDocker } from "../support/stand-in-docker";

async function devStack(config: Record<string, unknown> = {}) {
  const mocks = new RecordingMocks();
  await runProgram(mocks, () => buildStack(readStackConfig()), { config });
  return mocks;
}

describe("lab lifecycle as the engine sees it", () => {
  it("replaces every network delete-first (the provider's Network is not; Docker refuses a second network of one name)", async () => {
    const mocks = await devStack();
    const networks = mocks.ofType("docker:index/network:Network");
    expect(networks.length).toBeGreaterThan(5);
    for (const network of networks) expect(mocks.options.get(network.name)?.deleteBeforeReplace, network.name).toBe(true);
  });

  it("nodes take their networks' names from the Network resources, so a replaced network replaces them first", async () => {
    const mocks = await devStack({ labs: ["routed-lan"] });
    const h1 = mocks.options.get("routed-lan-h1")!;
    expect(h1.propertyDependencies.networksAdvanced.some((urn) => urn.endsWith("docker:index/network:Network::routed-lan-lan1"))).toBe(
      true,
    );
  });

  it("gives every lab container the stack's restart policy (unless-stopped by default, 'no' on request)", async () => {
    for (const [config, expected] of [
      [{}, "unless-stopped"],
      [{ restartPolicy: "no" }, "no"],
    ] as const) {
      const mocks = await devStack(config);
      const containers = mocks.ofType("docker:index/container:Container").filter((c) => !c.name.endsWith("-bridge-guard"));
      expect(containers.length).toBeGreaterThan(10);
      for (const container of containers) expect(container.inputs.restart, container.name).toBe(expected);
    }
  });

  it("host guards always restart with the daemon: their rules must come back even for a lab kept down", async () => {
    const mocks = await devStack({ restartPolicy: "no" });
    expect(mocks.named("routed-lan-bridge-guard").inputs.restart).toBe("unless-stopped");
  });

  it("rejects an unknown restart policy, naming the key and the value", async () => {
    await expect(devStack({ restartPolicy: "sometimes" })).rejects.toThrow(
      /docker-netlabs:restartPolicy: must be one of unless-stopped, always, no.*sometimes/s,
    );
  });

  it("every node carries a healthcheck on its ready file, and each lab a readiness gate over all its nodes", async () => {
    const mocks = await devStack();
    const nodes = mocks
      .ofType("docker:index/container:Container")
      .filter((c) => c.inputs.labels.some((l: any) => l.label === "io.docker-netlabs.node"));
    expect(nodes.length).toBe(11);
    for (const node of nodes) expect(node.inputs.healthcheck.tests).toEqual(["CMD-SHELL", `test -f ${NODE_READY_PATH}`]);
    const gate = mocks.named("bgp-triangle-ready");
    expect(gate.inputs.nodes.map((n: any) => n.node).sort()).toEqual(["host", "r1", "r2", "r3", "web"]);
    expect(gate.inputs.dockerHost).toBe("unix:///var/run/docker.sock");
  });

  it("every host guard is healthy only once its steps are in place, behind a readiness gate its nodes wait for", async () => {
    const mocks = await devStack({ labs: ["routed-lan"] });
    const guard = mocks.named("routed-lan-bridge-guard");
    expect(guard.inputs.healthcheck.tests).toEqual(["CMD-SHELL", `test -f ${GUARD_READY_PATH}`]);
    const gate = mocks.named("routed-lan-bridge-guard-ready");
    expect(gate.inputs.nodes).toEqual([{ node: "host guard", container: "routed-lan-bridge-guard", id: expect.any(String) }]);
    expect(gate.inputs.dockerHost).toBe("unix:///var/run/docker.sock");
    // The lab's nodes are created only once the guard is ready.
    const h1 = mocks.options.get("routed-lan-h1")!;
    expect(h1.dependencies.some((urn: string) => urn.endsWith("netlabs:NodesReady::routed-lan-bridge-guard-ready"))).toBe(true);
    // A restarted guard is not ready before this run's setup: the script removes the file first.
    const script: string = guard.inputs.uploads[0].content;
    expect(script.indexOf(`rm -f ${GUARD_READY_PATH}`)).toBeLessThan(script.indexOf("DOCKER-USER"));
  });

  it("every rule-adding host guard has a sweeper, destroyed after it, whose delete sweeps the host with the guard's image (issue 20, point 10)", async () => {
    const mocks = await devStack({ labs: ["routed-lan"] });
    const sweeper = mocks.named("routed-lan-bridge-guard-sweeper");
    expect(sweeper.type).toBe("command:local:Command");
    expect(sweeper.inputs.create).toBeUndefined();
    const guard = mocks.named("routed-lan-bridge-guard");
    // Each word is quoted for sh: read without the quotes.
    expect(sweeper.inputs.delete.replaceAll("'", "")).toMatch(
      /^docker -H unix:\/\/\/var\/run\/docker\.sock run --rm --pull never --network host --cap-drop ALL --cap-add NET_ADMIN --cap-add NET_RAW .*docker-netlabs\/router:\S+ timeout 60 sh -c .*--comment "docker-netlabs:routed-lan"/s,
    );
    expect(sweeper.inputs.delete).toContain(guard.inputs.image);
    expect(
      mocks.options.get("routed-lan-bridge-guard")!.dependencies.some((urn) => urn.endsWith("::routed-lan-bridge-guard-sweeper")),
    ).toBe(true);
  });

  it("with labImages: preloaded, builds nothing and runs the nodes on the digest-tagged images", async () => {
    // The engine (a stand-in docker) holds the images or not: either the lab uses them, or preview names what to load.
    const preloaded = () => devStack({ labs: ["routed-lan"], labImages: "preloaded", dockerHost: "unix:///var/run/docker.sock" });
    const withImages = await withStandInDocker(preloadedEngine(), preloaded);
    expect(withImages.ofType("docker:index/image:Image")).toEqual([]);
    expect(withImages.named("routed-lan-h1").inputs.image).toBe(labImageTag("client"));
    const without = await withStandInDocker({ images: [] }, () => preloaded().catch((error) => error));
    expect(without.message).toMatch(
      /docker-netlabs:labImages: host unix:\/\/\/var\/run\/docker\.sock has no image docker-netlabs\/\S+: .*docker save .*docker load/,
    );
  });

  it("with labImages: preloaded, refuses an image under its tag that is not built from what the tag says, naming it", async () => {
    const preloaded = () => devStack({ labs: ["routed-lan"], labImages: "preloaded", dockerHost: "unix:///var/run/docker.sock" });
    const router = labImageTag("router");
    // Retagged: the router's tag on an image built from something else (another label), or on one without a label.
    for (const label of ["0".repeat(64), undefined]) {
      const engine = preloadedEngine();
      if (label === undefined) delete engine.imageSources![router];
      else engine.imageSources![router] = label;
      const error = await withStandInDocker(engine, () => preloaded().catch((caught) => caught));
      expect(error.message).toContain(
        `docker-netlabs:labImages: host unix:///var/run/docker.sock has an image ${router} that is not built from what its tag says`,
      );
      expect(error.message).toContain(`--build-arg SOURCE=${labImageSource("router")}`);
      expect(error.message).not.toContain(`image ${labImageTag("client")}`);
    }
  });

  it("with labImages: preloaded on an engine without them, preview names each missing image and how to load it, creating nothing", async () => {
    const mocks = new RecordingMocks();
    await withStandInDocker({ images: [] }, () =>
      expect(
        runProgram(mocks, () => buildStack(readStackConfig()), {
          config: { labs: ["routed-lan"], labImages: "preloaded", dockerHost: "unix:///nonexistent/docker.sock" },
        }),
      ).rejects.toThrow(new RegExp(`docker-netlabs:labImages: .*${labImageTag("router").replace(/[/.]/g, "\\$&")}.*docker load`, "s")),
    );
    expect(mocks.resources).toEqual([]);
  });
});

/** An engine holding every own image as LabImage builds it: under its tag, with its source label. */
function preloadedEngine() {
  const images = OWN_IMAGE_NAMES.map((image) => labImageTag(image));
  return { images, imageSources: Object.fromEntries(OWN_IMAGE_NAMES.map((image) => [labImageTag(image), labImageSource(image)])) };
}
