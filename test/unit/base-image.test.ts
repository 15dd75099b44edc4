/**
 * The own images' base (issue 20, point 15): what an image is built from is in its tag and its
 * label, the base included, so that a new base (a new pin) rebuilds the images and replaces their
 * containers; a pin that is not sha256 in full is refused before anything is declared.
 */
import { describe, expect, it } from "vitest";
import { checkHostFacts } from "../../components/host/host-facts";
import { imageSourcesArgs, parseImageSources } from "../../components/host/engine-facts";
import { OWN_IMAGE_NAMES, labImageBuildArgs, labImageSource, labImageTag } from "../../components/images/lab-image";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const IMAGE = "docker:index/image:Image";
const PIN = `debian:bookworm-slim@sha256:${"ab".repeat(32)}`;
const OTHER_PIN = `debian:bookworm-slim@sha256:${"cd".repeat(32)}`;
/** An ssh:// host without a key: no host is asked, so the stack is declared whatever this machine holds. */
const REMOTE = { dockerHost: "ssh://lab@192.0.2.7" };

async function stack(config: Record<string, unknown>) {
  const mocks = new RecordingMocks();
  await runProgram(mocks, () => buildStack(readStackConfig()), { config: { ...REMOTE, ...config } });
  return mocks;
}

describe("the own images' base", () => {
  it("is part of each image's tag and source: another base (another pin) gives another tag", () => {
    for (const image of OWN_IMAGE_NAMES) {
      const tags = [labImageTag(image), labImageTag(image, PIN), labImageTag(image, OTHER_PIN)];
      expect(new Set(tags).size, image).toBe(3);
      expect(labImageTag(image)).toBe(labImageTag(image, "debian:bookworm-slim"));
      expect(labImageTag(image, PIN)).toBe(`docker-netlabs/${image}:${labImageSource(image, PIN).slice(0, 16)}`);
    }
  });

  it("reaches every image build, the OOR image the OOR labs build themselves too, as build arguments and tag", async () => {
    for (const base of [undefined, PIN]) {
      const mocks = await stack({
        labs: ["networking-demo", "oor-2xtrs-1msmr"],
        oorMapServerKey: "shared-site-key",
        ...(base ? { baseImage: base } : {}),
      });
      const builds = mocks.ofType(IMAGE);
      expect(builds.map((build) => build.inputs.imageName).some((name: string) => name.startsWith("docker-netlabs/oor:"))).toBe(true);
      for (const build of builds) {
        const image = /^docker-netlabs\/([^:]+):/.exec(build.inputs.imageName)![1];
        expect(build.inputs.imageName, build.name).toBe(labImageTag(image, base));
        expect(build.inputs.build.args, build.name).toEqual(labImageBuildArgs(image, base));
        expect(build.inputs.build.args.BASE).toBe(base ?? "debian:bookworm-slim");
      }
      const client = mocks.ofType("docker:index/container:Container").find((container) => container.name === "networking-demo-client-1");
      expect(client?.inputs.image).toBe(labImageTag("client", base));
    }
  });

  it("refuses a base that is not an image reference or whose digest is not sha256 in full, naming the key and the value", async () => {
    for (const bad of ["debian:bookworm-slim@sha256:abc", "Debian:Bookworm", `debian@md5:${"ab".repeat(16)}`, "debian bookworm"]) {
      const mocks = new RecordingMocks();
      await expect(
        runProgram(mocks, () => buildStack(readStackConfig()), { config: { ...REMOTE, baseImage: bad } }),
        bad,
      ).rejects.toThrow(
        new RegExp(
          `docker-netlabs:baseImage: must be an image reference, pinned as .*\\(got ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`,
        ),
      );
      expect(mocks.resources).toEqual([]);
    }
    await expect(stack({ baseImage: PIN })).resolves.toBeDefined();
  });

  it("a preloaded image is checked for its source label, over ssh too: the host's check reads it and refuses another", () => {
    const tag = labImageTag("router", PIN);
    const needs = { images: [tag], imageSources: { [tag]: labImageSource("router", PIN) }, baseImage: PIN };
    const facts = (label: string) => ({
      dockerVersion: "28.5.1",
      images: [tag],
      imageSources: parseImageSources(`["${tag}"] ${label}\n`, [tag]),
    });
    expect(checkHostFacts("lab@192.0.2.7:22", facts(labImageSource("router", PIN)), needs)).toEqual([]);
    const [issue] = checkHostFacts("lab@192.0.2.7:22", facts(labImageSource("router")), needs);
    expect(issue.path).toBe("labImages");
    expect(issue.message).toContain(`has an image ${tag} that is not built from what its tag says`);
    expect(issue.message).toContain(
      `docker build --build-arg BASE=${PIN} --build-arg SOURCE=${labImageSource("router", PIN)} -t ${tag} images/router`,
    );
    expect(imageSourcesArgs([tag])).toEqual([
      "image",
      "inspect",
      "--format",
      '{{json .RepoTags}} {{index .Config.Labels "io.docker-netlabs.source"}}',
      tag,
    ]);
  });
});
