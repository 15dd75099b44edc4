/**
 * The lab that a Docker daemon restart is tried on (the e2e tier's daemon-restart test and the
 * bench's restart section): an emulated host (its own dockerd, started and ended here, never the
 * machine's) running r1 between lan1 (h1, with a command-added address) and lan2 (h2, a web server
 * published on the host), restart policy unless-stopped; and a one-node lab with restart "no".
 */
import * as docker from "@pulumi/docker";
import { hostConnection } from "../../components/host/docker-host";
import { RoutedLab } from "../../components/routed-lab";
import { DockerTarget, execIn, run } from "./docker-cli";
import { EmulatedHost, EmulatedHosts, startEmulatedHosts } from "./emulated-hosts";
import { Deployed, TEST_LABEL, TestRun, deployProgram, freePort } from "./lab-harness";
import { ensureLocalImage } from "./stretch-sites";

export interface RestartLabs {
  up: RoutedLab;
  down: RoutedLab;
}

export interface RestartLab {
  emulated: EmulatedHosts;
  host: EmulatedHost;
  target: DockerTarget;
  deployed: Deployed<RestartLabs>;
  hostPort: number;
  dockerVersion: string;
  /** What the lab is for, each failing check named: across r1 both ways, the command's address, the published port. */
  failures(): Promise<string[]>;
  /** Destroys the labs (returns what could not be removed) and ends the emulated hosts. */
  stop(): Promise<string[]>;
}

export async function startRestartLab(testRun: TestRun): Promise<RestartLab> {
  const images = await Promise.all(["router", "client", "web"].map(ensureLocalImage));
  const emulated = await startEmulatedHosts(["debian:bookworm-slim", ...images]);
  const host = emulated.hosts[0];
  const target = host.target;
  try {
    const hostPort = await freePort(18080);
    const [router, client, web] = images;
    const deployed = await deployProgram(() => {
      const provider = new docker.Provider("emulated-a", { host: target.host });
      const common = {
        namePrefix: testRun.prefix,
        labels: { [TEST_LABEL]: testRun.id },
        host: hostConnection(target.host),
        images: { router, client, web },
      };
      const up = new RoutedLab(
        "comeback",
        {
          ...common,
          spec: {
            segments: [
              { name: "lan1", subnet: "10.234.1.0/24" },
              { name: "lan2", subnet: "10.234.2.0/24" },
            ],
            nodes: [
              {
                name: "r1",
                image: "router",
                router: true,
                interfaces: [
                  { segment: "lan1", address: "10.234.1.1" },
                  { segment: "lan2", address: "10.234.2.1" },
                ],
              },
              {
                name: "h1",
                image: "client",
                interfaces: [{ segment: "lan1", address: "10.234.1.10" }],
                routes: [{ to: "10.234.2.0/24", via: "10.234.1.1" }],
                // Kernel state, gone after a restart: the command must run again.
                commands: ['ip addr add 10.234.1.99/24 dev "$NETLABS_IF_LAN1"'],
              },
              {
                name: "h2",
                image: "web",
                interfaces: [{ segment: "lan2", address: "10.234.2.10" }],
                routes: [{ to: "10.234.1.0/24", via: "10.234.2.1" }],
                files: { "/srv/www/index.html": "h2\n" },
                publish: [{ containerPort: 80, hostPort }],
              },
            ],
          },
        },
        { provider },
      );
      const down = new RoutedLab(
        "staydown",
        {
          ...common,
          restart: "no",
          spec: {
            segments: [{ name: "lan", subnet: "10.234.9.0/24" }],
            nodes: [{ name: "n1", image: "client", interfaces: [{ segment: "lan", address: "10.234.9.10" }] }],
          },
        },
        { provider },
      );
      return { up, down };
    });
    const container = (node: string) => deployed.outputs.up.nodes[node].container;
    const dockerVersion = (await run("docker", ["-H", target.host, "version", "--format", "{{.Server.Version}}"])).stdout.trim();
    return {
      emulated,
      host,
      target,
      deployed,
      hostPort,
      dockerVersion,
      async failures() {
        const failures: string[] = [];
        if (
          (await execIn(container("h1"), ["curl", "-sf", "--max-time", "2", "http://10.234.2.10/"], 5_000, target)).stdout.trim() !== "h2"
        )
          failures.push("h1 fetches h2");
        if ((await execIn(container("h2"), ["ping", "-c", "1", "-W", "1", "10.234.1.99"], 5_000, target)).code !== 0)
          failures.push("h2 reaches h1's command-added address");
        const published = await run(
          "ip",
          ["netns", "exec", host.netns, "curl", "-sf", "--max-time", "2", `http://127.0.0.1:${hostPort}/`],
          { timeoutMs: 5_000 },
        );
        if (published.stdout.trim() !== "h2") failures.push(`127.0.0.1:${hostPort} answers on the host`);
        return failures;
      },
      async stop() {
        const left = await deployed.mocks.destroyAll();
        await emulated.stop();
        return left;
      },
    };
  } catch (error) {
    await emulated.stop();
    throw error;
  }
}
