import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { Ipv4Subnet, lastUsableAddress, parseSubnet } from "../../components/net/addressing";
import { RoutedLab } from "../../components/routed-lab";
import { readStackConfig, stackConfigSchema } from "../../stacks/config";
import { buildStack } from "../../stacks";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram, valueOf } from "../support/run-program";

const ROOT = path.resolve(__dirname, "../..");
const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const IMAGE = "docker:index/image:Image";

async function evaluateDevStack(config: Record<string, unknown> = {}) {
  const mocks = new RecordingMocks();
  const outputs = await runProgram(mocks, () => buildStack(readStackConfig()), { config });
  return { mocks, outputs };
}

function containerByName(mocks: RecordingMocks, dockerName: string) {
  const found = mocks.ofType(CONTAINER).find((c) => c.inputs.name === dockerName);
  if (!found) throw new Error(`no container ${dockerName}`);
  return found.inputs;
}

describe("dev stack resource graph", () => {
  it("creates one provider, the three lab images, every lab's networks and containers", async () => {
    const { mocks } = await evaluateDevStack();
    expect(mocks.ofType("pulumi:providers:docker")).toHaveLength(1);
    expect(mocks.ofType("pulumi:providers:docker")[0].inputs.host).toBe("unix:///var/run/docker.sock");
    expect(
      mocks
        .ofType(IMAGE)
        .map((i) => i.inputs.imageName.split(":")[0])
        .sort(),
    ).toEqual(["docker-netlabs/client", "docker-netlabs/router", "docker-netlabs/web"]);
    expect(
      mocks
        .ofType(NETWORK)
        .map((n) => n.inputs.name)
        .sort(),
    ).toEqual([
      "bgp-triangle-host-lan",
      "bgp-triangle-r1r2",
      "bgp-triangle-r1r3",
      "bgp-triangle-r2r3",
      "bgp-triangle-stub-lan",
      "bgp-triangle-web-lan",
      "networking-demo-demo",
      "routed-lan-lan1",
      "routed-lan-lan2",
      "routed-lan-lan3",
    ]);
    expect(
      mocks
        .ofType(CONTAINER)
        .map((c) => c.inputs.name)
        .sort(),
    ).toEqual([
      "bgp-triangle-bridge-guard",
      "bgp-triangle-host",
      "bgp-triangle-r1",
      "bgp-triangle-r2",
      "bgp-triangle-r3",
      "bgp-triangle-web",
      "networking-demo-client-1",
      "networking-demo-server-1",
      "networking-demo-server-1-publish-4000-tcp",
      "routed-lan-bridge-guard",
      "routed-lan-h1",
      "routed-lan-h2",
      "routed-lan-h3",
      "routed-lan-r1",
    ]);
  });

  it("sends every Docker resource to the DockerHost's provider", async () => {
    const { mocks } = await evaluateDevStack({ dockerHost: "ssh://lab@10.0.0.5:2222", sshOpts: ["-i", "/k"] });
    const provider = mocks.ofType("pulumi:providers:docker")[0];
    expect(provider.inputs.host).toBe("ssh://lab@10.0.0.5:2222");
    // Provider inputs reach the engine JSON-encoded.
    // The user's options follow the host key check the provider always gets (issue 20, point 1).
    expect(JSON.parse(provider.inputs.sshOpts)).toEqual(["-o", "StrictHostKeyChecking=yes", "-i", "/k"]);
    const dockerResources = mocks.resources.filter((r) => r.type.startsWith("docker:"));
    expect(dockerResources.length).toBeGreaterThan(10);
    for (const resource of dockerResources) expect(resource.provider).toMatch(/pulumi:providers:docker::docker-host::/);
  });

  it("keeps every segment internal with Docker's gateway off .1 and a named bridge", async () => {
    const { mocks } = await evaluateDevStack();
    for (const network of mocks.ofType(NETWORK)) {
      expect(network.inputs.internal).toBe(true);
      const subnet = parseSubnet(network.inputs.ipamConfigs[0].subnet) as Ipv4Subnet;
      expect(network.inputs.ipamConfigs[0].gateway).toBe(lastUsableAddress(subnet));
      expect(network.inputs.options["com.docker.network.bridge.name"]).toMatch(/^nl-[0-9a-f]{10}$/);
      expect(network.inputs.labels).toContainEqual({ label: "io.docker-netlabs.managed", value: "true" });
    }
  });

  it("gives routers forwarding and NET_ADMIN, hosts their default route, nobody privileges", async () => {
    const { mocks } = await evaluateDevStack();
    const router = containerByName(mocks, "routed-lan-r1");
    expect(router.sysctls).toEqual({ "net.ipv4.ip_forward": "1", "net.ipv4.conf.all.rp_filter": "0" });
    expect(router.capabilities).toEqual({ adds: ["NET_ADMIN"] });
    expect(router.networksAdvanced.map((n: any) => n.ipv4Address).sort()).toEqual(["10.232.1.1", "10.232.2.1", "10.232.3.1"]);
    const host = containerByName(mocks, "routed-lan-h2");
    expect(host.entrypoints).toEqual(["/bin/sh", "/netlabs/init.sh"]);
    expect(host.command).toEqual(["busybox", "httpd", "-f", "-p", "80", "-h", "/srv/www"]);
    const init = host.uploads.find((u: any) => u.file === "/netlabs/init.sh").content;
    expect(init).toContain("ip route add default via 10.232.2.1");
    const client = containerByName(mocks, "networking-demo-client-1");
    expect(client.capabilities).toBeUndefined();
    expect(client.networksAdvanced).toEqual([{ name: "networking-demo-demo", ipv4Address: "10.231.0.20", aliases: ["client-1"] }]);
    for (const container of mocks.ofType(CONTAINER)) expect(container.inputs.privileged).toBeUndefined();
  });

  it("guards the routed lab's bridges with a host-network container holding only NET_ADMIN and NET_RAW", async () => {
    const { mocks, outputs } = await evaluateDevStack();
    const guard = containerByName(mocks, "routed-lan-bridge-guard");
    expect(guard.networkMode).toBe("host");
    expect(guard.capabilities).toEqual({ drops: ["ALL"], adds: ["NET_ADMIN", "NET_RAW"] });
    expect(guard.destroyGraceSeconds).toBe(10);
    const script = guard.uploads[0].content as string;
    for (const segment of Object.values(outputs.labs["routed-lan"].segments)) {
      expect(script).toContain(`'-i' '${segment.bridge}' '-m' 'physdev' '--physdev-is-bridged'`);
    }
  });

  it("publishes the demo server on the configured host address and port through a forwarder", async () => {
    const { mocks, outputs } = await evaluateDevStack({ demoHostPort: 4100, publishAddress: "127.0.0.2" });
    const forwarder = containerByName(mocks, "networking-demo-server-1-publish-4100-tcp");
    expect(forwarder.command).toEqual(["socat", "TCP-LISTEN:4100,bind=127.0.0.2,reuseaddr,fork", "TCP:10.231.0.10:80"]);
    expect(forwarder.capabilities).toEqual({ drops: ["ALL"], adds: [] });
    expect(outputs.labs["networking-demo"].published).toEqual([
      { node: "server-1", listen: "127.0.0.2:4100/tcp", target: "10.231.0.10:80", via: "forwarder" },
    ]);
  });

  it("publishes through Docker itself when the segment is not internal", async () => {
    const { mocks } = await evaluateDevStack({ internal: false, labs: ["networking-demo"] });
    const server = containerByName(mocks, "networking-demo-server-1");
    expect(server.ports).toEqual([{ internal: 80, external: 4000, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(mocks.ofType(CONTAINER)).toHaveLength(2);
  });

  it("builds only the images the chosen labs need", async () => {
    const { mocks } = await evaluateDevStack({ labs: ["routed-lan"] });
    expect(
      mocks
        .ofType(IMAGE)
        .map((i) => i.inputs.imageName.split(":")[0])
        .sort(),
    ).toEqual(["docker-netlabs/client", "docker-netlabs/router"]);
  });

  it("exports addresses and a Mermaid diagram for every lab", async () => {
    const { outputs } = await evaluateDevStack();
    expect(outputs.labs["routed-lan"].nodes.h3).toEqual({ container: "routed-lan-h3", addresses: { lan3: "10.232.3.10" }, router: false });
    expect(outputs.labs["routed-lan"].mermaid).toContain("node_r1 ---|10.232.2.1| seg_lan2");
    expect(outputs.labs["networking-demo"].mermaid).toMatch(/^flowchart LR/);
  });
});

describe("lab probes", () => {
  const PROBE = "pulumi-nodejs:dynamic/netlabs:LabProbe";

  it("probes every lab with its natural checks once it is up", async () => {
    const { mocks } = await evaluateDevStack();
    const probes = mocks.ofType(PROBE);
    expect(probes.map((p) => p.name).sort()).toEqual(["bgp-triangle-probe", "networking-demo-probe", "routed-lan-probe"]);
    const names = (lab: string) => mocks.named(`${lab}-probe`).inputs.checks.map((c: any) => c.name);
    expect(names("networking-demo")).toEqual(["client-1 fetches server-1 by name"]);
    expect(names("routed-lan")).toEqual([
      "h1 reaches 10.232.1.1 (route default)",
      "h2 reaches 10.232.2.1 (route default)",
      "h3 reaches 10.232.3.1 (route default)",
      "h1 fetches h3 through r1",
    ]);
    expect(names("bgp-triangle")).toEqual([
      "r1 sessions Established",
      "r2 sessions Established",
      "r3 sessions Established",
      "HOST retrieves the question",
    ]);
    for (const probe of probes) {
      expect(probe.inputs.dockerHost).toBe("unix:///var/run/docker.sock");
      expect(probe.inputs.failOnError).toBe(false);
      expect(probe.provider ?? "").not.toMatch(/providers:docker/);
    }
  });

  it("can be turned off, or made to fail the deploy", async () => {
    expect((await evaluateDevStack({ probes: false })).mocks.ofType(PROBE)).toEqual([]);
    const strict = await evaluateDevStack({ failOnProbe: true });
    for (const probe of strict.mocks.ofType(PROBE)) expect(probe.inputs.failOnError).toBe(true);
  });
});

describe("determinism", () => {
  it("registers byte-identical inputs on two evaluations of the same config", async () => {
    const first = await evaluateDevStack({ namePrefix: "d-" });
    const second = await evaluateDevStack({ namePrefix: "d-" });
    const dump = (mocks: RecordingMocks) => JSON.stringify(mocks.resources);
    expect(dump(second.mocks)).toBe(dump(first.mocks));
    expect(first.mocks.resources.length).toBeGreaterThan(15);
  });
});

describe("stack configuration", () => {
  it("has the same defaults as Pulumi.yaml's config schema", () => {
    const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const yamlDefaults = Object.fromEntries(
      Object.entries(project.config as Record<string, { default: unknown }>).map(([key, spec]) => [
        key.replace("docker-netlabs:", ""),
        spec.default,
      ]),
    );
    expect(stackConfigSchema.parse({})).toEqual(yamlDefaults);
  });

  it("accepts the dev stack file as it is", () => {
    const dev = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    const raw = Object.fromEntries(
      Object.entries(dev.config as Record<string, unknown>).map(([key, value]) => [key.replace("docker-netlabs:", ""), value]),
    );
    expect(() => stackConfigSchema.parse(raw)).not.toThrow();
  });

  it.each([
    [{ demoHostPort: 70000 }, /docker-netlabs:demoHostPort: must be a port from 1 to 65535 \(got 70000\)/],
    [{ dockerHost: "ftp://x" }, /docker-netlabs:dockerHost: must be unix:\/\/\/path.*\(got "ftp:\/\/x"\)/],
    [{ dockerHost: "ssh://lab@host:99999" }, /docker-netlabs:dockerHost: has port 99999, outside 1-65535/],
    [
      { labs: ["networking-demo", "bgp"] },
      /docker-netlabs:labs\[1\]: must be one of networking-demo, routed-lan, bgp-triangle, .*lisp-msmr, routed-lab \(got "bgp"\)/,
    ],
    [{ publishAddress: "localhost" }, /docker-netlabs:publishAddress: must be an IPv4 address \(got "localhost"\)/],
    [{ internal: "maybe" }, /docker-netlabs:internal: .*\(got "maybe"\)/],
    [{ colour: "blue" }, /docker-netlabs:colour: is not a key of docker-netlabs: it would be ignored \(got "blue"\)/],
  ])("rejects %j before any resource is registered", async (config, expected) => {
    const mocks = new RecordingMocks();
    await expect(
      runProgram(mocks, () => buildStack(readStackConfig()), {
        config: config as Record<string, unknown>,
      }),
    ).rejects.toThrow(expected);
    expect(mocks.resources).toEqual([]);
  });
});

describe("secrets", () => {
  it("keeps a secret node environment value secret in the container's inputs", async () => {
    const seen: { key: string; secret: boolean; plain: unknown }[] = [];
    const mocks = new RecordingMocks();
    const pending: Promise<void>[] = [];
    // A client-side transformation sees each child's inputs as the component passed them.
    const inspect: pulumi.ResourceTransformation = (args) => {
      if (args.type === "docker:index/container:Container") {
        const envs = pulumi.output(args.props.envs);
        pending.push(
          (async () => {
            seen.push({ key: args.name, secret: await pulumi.isSecret(envs), plain: await valueOf(envs) });
          })(),
        );
      }
      return undefined;
    };
    await runProgram(mocks, () => {
      new RoutedLab(
        "sec",
        {
          spec: {
            segments: [{ name: "lan", subnet: "10.9.0.0/24" }],
            nodes: [
              {
                name: "app",
                image: { ref: "busybox:latest" } as unknown as string, // stack config's form, still taken
                interfaces: [{ segment: "lan", address: "10.9.0.2" }],
                env: { API_TOKEN: pulumi.secret("s3cret-token"), MODE: "lab" },
              },
            ],
          },
        },
        { transformations: [inspect] },
      );
    });
    await Promise.all(pending);
    expect(seen).toEqual([{ key: "sec-app", secret: true, plain: ["API_TOKEN=s3cret-token", "MODE=lab"] }]);
    // The engine receives the environment marked secret (so state keeps it encrypted), nothing else.
    expect(mocks.named("sec-app").secretPaths).toEqual(["envs"]);
    expect(JSON.stringify(mocks.named("sec-app").inputs.labels)).not.toContain("s3cret");
  });
});

describe("remote sites over ssh://", () => {
  const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx4bXBsZUhvc3RLZXlGb3JUZXN0c09ubHkxMjM0NTY3";

  it("gives the Docker provider ssh options pointing at the key and known host, as a secret", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), {
      config: {
        dockerHost: "ssh://lab@192.0.2.7:2222",
        sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n",
        sshHostKey: hostKey,
        labs: ["networking-demo"],
      },
      secretKeys: ["sshPrivateKey"],
    });
    const provider = mocks.ofType("pulumi:providers:docker")[0];
    expect(provider.secretPaths).toEqual(["sshOpts"]);
    const opts: string[] = JSON.parse(provider.inputs.sshOpts);
    expect(opts[0]).toBe("-i");
    expect(opts).toContain("StrictHostKeyChecking=yes");
    const knownHosts = opts.find((o) => o.startsWith("UserKnownHostsFile="))!.split("=")[1];
    expect(fs.readFileSync(knownHosts, "utf8")).toBe(`[192.0.2.7]:2222 ${hostKey}\n`);
    expect(fs.statSync(opts[1]).mode & 0o777).toBe(0o600);
    // The provider gets file paths, never the key; so does the probe, which runs ssh with its options.
    expect(JSON.stringify(provider.inputs)).not.toContain("BEGIN OPENSSH");
    const [check] = mocks.ofType("pulumi-nodejs:dynamic/netlabs:HostCheck");
    expect(check.inputs).toMatchObject({
      host: "192.0.2.7",
      port: 2222,
      user: "lab",
      hostKey,
      needs: { interfaces: [], minDockerMajor: 20 },
    });
    expect(check.secretPaths).toContain("privateKey");
    const probe = mocks.named("networking-demo-probe");
    expect(JSON.stringify(probe.inputs)).not.toContain("BEGIN OPENSSH");
    expect(probe.inputs.ssh.label).toBe("lab@192.0.2.7:2222");
    expect(probe.inputs.ssh.argv.slice(0, opts.length + 3)).toEqual(["ssh", "-o", "StrictHostKeyChecking=yes", ...opts]);
    expect(probe.secretPaths).toContain("ssh");
  });

  it.each([
    [{ dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: "k".repeat(20) }, /sshHostKey: sshPrivateKey and sshHostKey go together/],
    [{ sshPrivateKey: "k".repeat(20), sshHostKey: hostKey }, /sshPrivateKey: an SSH key is only for an ssh:\/\/ dockerHost/],
    [{ dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: "k".repeat(20), sshHostKey: "AAAA" }, /sshHostKey: must be a known_hosts key/],
  ])("rejects %j", async (config, expected) => {
    const mocks = new RecordingMocks();
    await expect(runProgram(mocks, () => buildStack(readStackConfig()), { config })).rejects.toThrow(expected);
    expect(mocks.resources).toEqual([]);
  });
});
