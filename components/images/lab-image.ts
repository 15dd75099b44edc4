/**
 * LabImage: builds one of the project's lab images on the Docker host that runs the lab
 * (the provider flows from the parent), with no registry push. The tag is a digest of what the
 * image is built from, its context's files and its base image's reference (pinned by digest, a
 * reference names the base's content), so containers are replaced exactly when either changes.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { LAB_IMAGE_NAMES } from "../net/topology";
import { IMAGES_DIR } from "./catalog";
import { contextDigest } from "./context-digest";
import { createHash } from "node:crypto";
import { BASE_IMAGE, SOURCE_LABEL } from "../host/engine-facts";

export { SOURCE_LABEL };
/** The base of the own images unless the stack names another (baseImage). */
export const DEFAULT_BASE_IMAGE = BASE_IMAGE;

/**
 * The project's own images, each a folder of images/ built on (or loaded onto) the lab's host:
 * the RoutedLab node images, and OpenOverlayRouter's ("oor", the OOR labs' default image).
 */
export const OWN_IMAGE_NAMES = [...LAB_IMAGE_NAMES, "oor"] as const;
export type OwnImageName = (typeof OWN_IMAGE_NAMES)[number];

/**
 * What a lab image is built from, as a digest: its context's files and its base's reference. The
 * image carries it in full (label io.docker-netlabs.source), its tag the first 16 hex.
 */
export function labImageSource(image: string, base: string = DEFAULT_BASE_IMAGE): string {
  return createHash("sha256")
    .update(`${contextDigest(path.join(IMAGES_DIR, image))}\0${base}`)
    .digest("hex");
}

/** The local tag of a lab image: `docker-netlabs/<image>:<first 16 hex of labImageSource>`. */
export function labImageTag(image: string, base: string = DEFAULT_BASE_IMAGE): string {
  return `docker-netlabs/${image}:${labImageSource(image, base).slice(0, 16)}`;
}

/** The `docker build` arguments of a lab image, as LabImage builds it: for a host it is loaded onto (labImages: preloaded). */
export function labImageBuildArgs(image: string, base: string = DEFAULT_BASE_IMAGE): Record<string, string> {
  return { BASE: base, SOURCE: labImageSource(image, base) };
}

export interface LabImageArgs {
  /** Which image of `images/` to build (a folder name, e.g. "router" or "oor"). */
  image: OwnImageName;
  /** The platform to build for, e.g. linux/arm64: the host's (see DockerHost.platform). */
  platform?: pulumi.Input<string | undefined>;
  /** The base image (the Dockerfiles' FROM), default debian:bookworm-slim; pinned, `name@sha256:<digest>`. */
  baseImage?: string;
}

export class LabImage extends pulumi.ComponentResource {
  /** The local image reference, `docker-netlabs/<image>:<digest>`. */
  readonly imageName: pulumi.Output<string>;

  constructor(name: string, args: LabImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("docker-netlabs:images:LabImage", name, {}, opts);
    const contextDir = path.join(IMAGES_DIR, args.image);
    // Relative to the program's working directory (the project folder), as @pulumi/docker resolves it.
    const context = path.relative(process.cwd(), contextDir) || ".";
    const image = new docker.Image(
      name,
      {
        imageName: labImageTag(args.image, args.baseImage),
        build: {
          context,
          dockerfile: path.join(context, "Dockerfile"),
          platform: args.platform,
          args: labImageBuildArgs(args.image, args.baseImage),
        },
        skipPush: true,
      },
      { parent: this },
    );
    this.imageName = image.imageName;
    this.registerOutputs({ imageName: this.imageName });
  }
}

/** Own images already on the host, by name: what a stack gives its labs (built, or preloaded). */
export type LabImages = Record<OwnImageName, pulumi.Input<string>>;

/**
 * Own images as components take them: a map from an own image's name (router, web, client,
 * dhcp-server, oor) to its reference on the host; plain data, checked by ownImagesOf.
 */
export type LabImageRefs = Record<string, pulumi.Input<string>>;

/** The own images of `given`, and an issue (field `images.<name>`) for each name that is none. */
export function ownImagesOf(given: LabImageRefs = {}): { images: Partial<LabImages>; issues: { path: string; message: string }[] } {
  const own = new Set<string>(OWN_IMAGE_NAMES);
  const issues = Object.keys(given)
    .filter((name) => !own.has(name))
    .map((name) => ({ path: `images.${name}`, message: `is not an own image: one of ${OWN_IMAGE_NAMES.join(", ")}` }));
  return { images: given as Partial<LabImages>, issues };
}

/** Builds every lab image once for a host; labs on that host share them. */
export function buildLabImages(
  prefix: string,
  opts?: pulumi.ComponentResourceOptions,
  which: readonly OwnImageName[] = LAB_IMAGE_NAMES,
  platform?: pulumi.Input<string | undefined>,
  baseImage?: string,
): Partial<LabImages> {
  const images: Partial<LabImages> = {};
  for (const image of which) images[image] = new LabImage(`${prefix}-${image}`, { image, platform, baseImage }, opts).imageName;
  return images;
}
