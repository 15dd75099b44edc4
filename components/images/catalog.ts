/**
 * The lab images built from `images/` and what each runs by default. RoutedLab nodes start with
 * their init script as entrypoint, which replaces the image's CMD, so the default main process is
 * repeated here (a unit test keeps it equal to each Dockerfile's CMD).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LabImageName } from "../net/topology";

/** Folder holding one sub-folder (build context with a Dockerfile) per lab image. */
export const IMAGES_DIR = path.resolve(__dirname, "..", "..", "images");

export const LAB_IMAGE_COMMANDS: Record<LabImageName, string[]> = {
  router: ["sleep", "infinity"],
  web: ["busybox", "httpd", "-f", "-v", "-p", "80", "-h", "/srv/www"],
  client: ["sleep", "infinity"],
  "dhcp-server": [
    "dnsmasq",
    "--keep-in-foreground",
    "--log-facility=-",
    "--user=root",
    "--conf-file=/etc/netlabs/dnsmasq.conf",
    "--dhcp-leasefile=/var/lib/misc/dnsmasq.leases",
  ],
};

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
