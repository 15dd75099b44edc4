/**
 * The facts of the machine the program runs on, for a unix:// Docker host (the engine is here):
 * its interfaces and IPv4 addresses. Read at plan time, so that a lab that sits on an interface
 * or address this machine lacks fails before anything is created, as HostCheck does over SSH.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { HostFactsLike } from "./host-facts";

/** The project's lab images in the local engine (`docker-netlabs/*`); empty when none answers. */
export function localLabImages(dockerHost: string): string[] {
  try {
    const listed = execFileSync("docker", ["-H", dockerHost, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "docker-netlabs/*"], {
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 15_000,
    });
    return listed.toString().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

export function localHostFacts(): Omit<HostFactsLike, "dockerVersion"> {
  const interfaces = fs.existsSync("/sys/class/net") ? fs.readdirSync("/sys/class/net").sort() : [];
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === "IPv4")
    .map((entry) => entry.address);
  return { interfaces, addresses };
}
