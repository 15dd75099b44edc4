/**
 * Where the lab images' build contexts are, and what their Dockerfiles say (the ports they expose).
 * What each runs by default is its node kind's (components/kinds): a node starts with its init
 * script as entrypoint, which replaces the image's CMD (a unit test keeps the two equal).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LabImageName } from "../net/topology";

/** Folder holding one sub-folder (build context with a Dockerfile) per lab image. */
export const IMAGES_DIR = path.resolve(__dirname, "..", "..", "images");

/**
 * The ports each image's Dockerfile EXPOSEs, read from the Dockerfile itself, so that a
 * NetworkContainer can default to "what the target's image exposes".
 */
export function exposedPorts(image: LabImageName): { port: number; protocol: "tcp" | "udp" }[] {
  const dockerfile = fs.readFileSync(path.join(IMAGES_DIR, image, "Dockerfile"), "utf8");
  return dockerfile
    .split("\n")
    .filter((line) => /^EXPOSE\s/i.test(line))
    .flatMap((line) => line.trim().split(/\s+/).slice(1))
    .map((word) => {
      const [port, protocol = "tcp"] = word.split("/");
      return { port: Number(port), protocol: protocol as "tcp" | "udp" };
    });
}
