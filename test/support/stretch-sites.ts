/**
 * The stretch-a / stretch-b site stacks as the e2e tier and the benchmark deploy them: each stack
 * file's config, pointed at an emulated host and at this machine's underlay between the hosts.
 */
import * as path from "node:path";
import { IMAGES_DIR } from "../../components/images/catalog";
import { labImageBuildArgs, labImageTag } from "../../components/images/lab-image";
import { LOCAL_DOCKER, docker, run } from "./docker-cli";
import { EmulatedHost } from "./emulated-hosts";
import { stackFileConfig } from "./stack-files";

/** What the emulated hosts need: the base image and the lab images the stretch stacks use. */
export async function stretchImages(): Promise<string[]> {
  return ["debian:bookworm-slim", ...(await Promise.all(["client", "router"].map(ensureLocalImage)))];
}

/** A site's stack file, with the host it is deployed to and the tunnel endpoints of this machine's underlay. */
export function stretchSiteConfig(
  stack: "stretch-a" | "stretch-b",
  self: EmulatedHost,
  peer: EmulatedHost,
  overrides: Record<string, unknown> = {},
): Record<string, any> {
  const config = stackFileConfig(stack);
  const segment = config.routedLab.segments[0];
  segment.vxlan = { ...segment.vxlan, local: self.underlayAddress, remote: peer.underlayAddress, device: self.underlayDevice };
  return {
    ...config,
    dockerHost: self.dockerHost,
    sshPrivateKey: self.sshd.privateKey,
    sshHostKey: self.sshd.hostPublicKey,
    // The emulated hosts have no egress: their lab images are loaded ahead (stretchImages).
    labImages: "preloaded",
    ...overrides,
  };
}

/** Builds a lab image on the local engine when it is not there yet (the emulated hosts get a copy). */
export async function ensureLocalImage(image: string): Promise<string> {
  const tag = labImageTag(image);
  if ((await run("docker", ["image", "inspect", tag], { timeoutMs: 15_000 })).code !== 0) {
    const context = path.join(IMAGES_DIR, image);
    // As LabImage builds it: the base and the source label the preloaded image is checked for.
    const buildArgs = Object.entries(labImageBuildArgs(image)).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]);
    await docker(LOCAL_DOCKER, ["build", "--quiet", ...buildArgs, "--tag", tag, "--file", path.join(context, "Dockerfile"), context], {
      timeoutMs: 15 * 60_000,
    });
  }
  return tag;
}
