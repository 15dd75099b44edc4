/**
 * The lab the CLI tier changes step by step (test/cli/lab-changes.test.ts), as the value of
 * `docker-netlabs:routedLab`: r1 between lan1 (h1) and lan2 (h2), then h3 added on lan2, then h1's
 * route changed, then lan2's subnet changed. Each host serves a page with its name. Used by the
 * e2e tier (through the test double) and the CLI tier (through the real CLI and provider).
 */
import { execIn, waitFor } from "./docker-cli";
/** A host serving a page with its name, routing `routes` through r1. */
export const host = (name: string, segment: string, address: string, routes: { to: string; via: string }[]) => ({
  name,
  image: "client",
  interfaces: [{ segment, address }],
  routes,
  files: { "/srv/www/index.html": `${name}\n` },
  command: ["busybox", "httpd", "-f", "-p", "80", "-h", "/srv/www"],
});

export interface Version {
  lan2: string;
  h1Route: { to: string; via: string };
  withH3: boolean;
}

/** The lab's description for one step: lan2's third octet, h1's route, whether h3 exists. */
export function routedLab(v: Version) {
  const lan2 = (host: number) => `10.247.${v.lan2}.${host}`;
  return {
    segments: [
      { name: "lan1", subnet: "10.247.1.0/24" },
      { name: "lan2", subnet: lan2(0) + "/24" },
    ],
    nodes: [
      {
        name: "r1",
        image: "router",
        router: true,
        interfaces: [
          { segment: "lan1", address: "10.247.1.1" },
          { segment: "lan2", address: lan2(1) },
        ],
      },
      host("h1", "lan1", "10.247.1.10", [v.h1Route]),
      host("h2", "lan2", lan2(10), [{ to: "10.247.1.0/24", via: lan2(1) }]),
      ...(v.withH3 ? [host("h3", "lan2", lan2(11), [{ to: "10.247.1.0/24", via: lan2(1) }])] : []),
    ],
    checks: [
      { from: "h1", reach: lan2(10) },
      { from: "h1", fetch: `http://${lan2(10)}/`, expect: "h2" },
    ],
  };
}

export const V1: Version = { lan2: "2", h1Route: { to: "10.247.2.0/24", via: "10.247.1.1" }, withH3: false };
export const V2: Version = { ...V1, withH3: true };
export const V3: Version = { ...V2, h1Route: { to: "default", via: "10.247.1.1" } };
export const V4: Version = { ...V3, lan2: "22" };

/** From h1 to an address across r1: the first successful ping's output (within 30 s) and the page fetched. */
export async function fromH1(h1Container: string, address: string): Promise<{ ping: string | undefined; page: string }> {
  const ping = await waitFor(
    async () => {
      const result = await execIn(h1Container, ["ping", "-c", "1", "-W", "2", address]);
      return result.code === 0 ? result.stdout : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  const page = await execIn(h1Container, ["curl", "-sf", "--max-time", "3", `http://${address}/`]);
  return { ping, page: page.stdout };
}
