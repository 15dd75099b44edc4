/**
 * The lab images built from `images/` and what each runs by default. RoutedLab nodes start with
 * their init script as entrypoint, which replaces the image's CMD, so the default main process is
 * repeated here (a unit test keeps it equal to each Dockerfile's CMD).
 */
import * as path from "node:path";
import { LabImageName } from "../net/topology";

/** Folder holding one sub-folder (build context with a Dockerfile) per lab image. */
export const IMAGES_DIR = path.resolve(__dirname, "..", "..", "images");

export const LAB_IMAGE_COMMANDS: Record<LabImageName, string[]> = {
  router: ["sleep", "infinity"],
  web: ["busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/srv/www"],
  client: ["sleep", "infinity"],
};
