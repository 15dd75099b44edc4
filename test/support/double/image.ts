/**
 * The native docker.Image of @pulumi/docker 5.2.0 (pulumi/pulumi-docker provider/provider.go and
 * provider/image.go), with skipPush:
 * - Check fills in the build's defaults (context ".", dockerfile <context>/Dockerfile, the platform
 *   linux/<arch of the machine running Pulumi>) and adds build.contextDigest, a digest of the
 *   context's files: a changed file is a changed input. Here the digest is the product's own
 *   contextDigest (components/images) with the Dockerfile's content, not the provider's hashContext:
 *   the same files give the same digest, a changed one another, which is all a diff sees;
 * - Create and Update build (buildkit.ts) and return id = imageName, outputs imageName,
 *   baseImageName, context, dockerfile, platform and repoDigest = the built image's id;
 * - Diff compares the old inputs with the new: a change updates (builds again), never replaces;
 * - Delete does nothing: the built image stays in the engine (a cache).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { contextDigest } from "../../../components/images/context-digest";
import { DockerTarget } from "../docker-cli";
import { buildKitBuild } from "./buildkit";
import { Diff, ResourceEmulator, changedInputs, refuseUnknown } from "./emulator";
import { Inputs } from "./state";

const IMAGE_INPUTS = new Set(["imageName", "build", "skipPush", "buildOnPreview"]);
const BUILD_INPUTS = new Set(["context", "dockerfile", "args", "target", "platform"]);

/** Node's names for architectures, as Docker's platform strings name them. */
const DOCKER_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" };

export const imageEmulator: ResourceEmulator = {
  type: "docker:index/image:Image",
  kind: "Image",
  inputs: IMAGE_INPUTS,
  async check(_olds, news) {
    refuseUnknown("Image.build", news.build ?? {}, BUILD_INPUTS);
    const context = news.build?.context ?? ".";
    const dockerfile = news.build?.dockerfile ?? path.join(context, "Dockerfile");
    const platform = news.build?.platform ?? `linux/${DOCKER_ARCH[os.arch()] ?? os.arch()}`;
    const digest = createHash("sha256").update(contextDigest(context)).update(fs.readFileSync(dockerfile)).digest("hex");
    return { ...news, build: { ...news.build, context, dockerfile, platform, contextDigest: digest } };
  },
  async create({ inputs, target }) {
    return build(inputs, target);
  },
  diff(resource, news): Diff {
    return { changes: changedInputs(resource.inputs ?? {}, news).length > 0, replace: false };
  },
  async update(resource, news) {
    return build(news, resource.target!);
  },
  async delete() {},
};

async function build(inputs: Inputs, target: DockerTarget): Promise<{ id: string; state: Inputs }> {
  if (inputs.skipPush !== true) throw new Error("real-Docker mocks: images are never pushed here; set skipPush");
  const { context, dockerfile, target: stage, platform, args } = inputs.build;
  const imageId = await buildKitBuild(target, { tag: inputs.imageName, context, dockerfile, target: stage, platform, args: args ?? {} });
  const state = {
    imageName: inputs.imageName,
    baseImageName: inputs.imageName,
    context,
    dockerfile: path.relative(context, dockerfile),
    platform,
    repoDigest: imageId,
  };
  return { id: inputs.imageName, state };
}
