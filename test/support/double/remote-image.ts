/**
 * docker.RemoteImage as @pulumi/docker 5.2.0 applies it: terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_image.go and resource_docker_image_funcs.go.
 * - create and update (findImage): the image found locally by name, else pulled; id = image id +
 *   name; outputs imageId and repoDigest;
 * - name is ForceNew; keep_locally is not (an update that reads the image again);
 * - delete (removeImage): nothing with keep_locally; else, when the image is still there,
 *   ImageRemove by name without force (fails while a container uses it).
 */
import { DockerTarget, docker, run } from "../docker-cli";
import { Diff, ResourceEmulator, changedInputs } from "./emulator";
import { Inputs } from "./state";

const REMOTE_IMAGE_INPUTS = new Set(["name", "keepLocally"]);

export const remoteImageEmulator: ResourceEmulator = {
  type: "docker:index/remoteImage:RemoteImage",
  kind: "RemoteImage",
  inputs: REMOTE_IMAGE_INPUTS,
  async create({ inputs, target }) {
    return findImage(inputs, target);
  },
  diff(resource, news): Diff {
    const changed = changedInputs(resource.inputs ?? {}, news);
    return { changes: changed.length > 0, replace: changed.some((k) => k !== "keepLocally") };
  },
  async update(resource, news) {
    return findImage(news, resource.target!);
  },
  async delete(resource) {
    const { keepLocally, name } = resource.inputs ?? {};
    if (keepLocally || (await localImageId(resource.target!, name)) === undefined) return;
    await docker(resource.target!, ["rmi", name]);
  },
};

async function findImage(inputs: Inputs, target: DockerTarget): Promise<{ id: string; state: Inputs }> {
  let imageId = await localImageId(target, inputs.name);
  if (imageId === undefined) {
    await docker(target, ["pull", inputs.name], { timeoutMs: 10 * 60_000 });
    imageId = await localImageId(target, inputs.name);
  }
  if (imageId === undefined) throw new Error(`unable to find or pull image ${inputs.name}`);
  return { id: `${imageId}${inputs.name}`, state: { ...inputs, imageId, repoDigest: "" } };
}

async function localImageId(target: DockerTarget, name: string): Promise<string | undefined> {
  const inspected = await run("docker", ["-H", target.host, "image", "inspect", "--format", "{{.Id}}", name], { timeoutMs: 60_000 });
  return inspected.code === 0 ? inspected.stdout.trim() : undefined;
}
