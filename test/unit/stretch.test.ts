/**
 * A RoutedLab segment stretched over VXLAN to another host: its validation, the tunnel's host
 * steps, the cross-check of two sites' halves, and the two site stacks (Pulumi.stretch-a.yaml,
 * Pulumi.stretch-b.yaml) as the program registers them.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { configIssues } from "../support/config-issues";
import { renderHostGuardScript, vxlanSteps } from "../../components/host/host-guard-script";
import { renderMermaid } from "../../components/net/mermaid";
import { stretchedPairIssues } from "../../components/net/stretch";
import { requiredLabImages, vxlanNameFor } from "../../components/net/topology";
import { RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { buildStack } from "../../stacks";
import { parseStackConfig, readStackConfig } from "../../stacks/config";
import { dependencyDepth } from "../../scripts/bench/depth";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { stackFileConfig } from "../support/stack-files";
import { withStandInDocker } from "../support/stand-in-docker";

const stackFile = stackFileConfig;

const SITE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n";
const SITE_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheSiteForTests";

function half(gateway = "10.60.0.254", address = "10.60.0.10"): RoutedLabSpec {
  return {
    segments: [{ name: "shared", subnet: "10.60.0.0/24", gateway, vxlan: { id: 4242, remote: "192.0.2.2", local: "192.0.2.1" } }],
    nodes: [{ name: "n1", image: "client", interfaces: [{ segment: "shared", address }] }],
    checks: [{ from: "n1", reach: "10.60.0.20" }],
  };
}

const issuesOf = (spec: unknown): string => configIssues(() => planRoutedLab("lab", spec)).join("\n");

describe("a stretched segment in the lab plan", () => {
  it("plans the tunnel interface, the defaults and the router image for the host step", () => {
    const plan = planRoutedLab("lab", half(), { namePrefix: "t1-" });
    const segment = plan.segments[0];
    expect(segment.vxlan).toEqual({
      id: 4242,
      remote: "192.0.2.2",
      local: "192.0.2.1",
      port: 4789,
      mtu: 1450,
      interfaceName: vxlanNameFor("t1-lab-shared"),
    });
    expect(segment.vxlan!.interfaceName).toMatch(/^nx-[0-9a-f]{10}$/);
    expect(segment.vxlan!.interfaceName).not.toBe(segment.bridgeName);
    expect(requiredLabImages(plan)).toEqual(["client", "router"]);
    expect(plan.checks).toEqual([{ from: "n1", container: "t1-lab-n1", reach: "10.60.0.20" }]);
    expect(renderMermaid(plan)).toContain("bridge, VXLAN 4242 to 192.0.2.2");
  });

  it.each([
    [
      "a macvlan segment",
      (s: any) => Object.assign(s.segments[0], { driver: "macvlan", parent: "eth1" }),
      /segments\[0\]\.vxlan: a "macvlan" segment cannot be stretched/,
    ],
    [
      "no gateway of its own",
      (s: any) => delete s.segments[0].gateway,
      /segments\[0\]\.gateway: a stretched segment needs its gateway set, different on each host/,
    ],
    [
      "a remote that is this host",
      (s: any) => (s.segments[0].vxlan.remote = "192.0.2.1"),
      /segments\[0\]\.vxlan\.remote: "192.0.2.1" is this host's own underlay address/,
    ],
    [
      "a VNI out of range",
      (s: any) => (s.segments[0].vxlan.id = 16777216),
      /segments\[0\]\.vxlan\.id: must be a VNI from 1 to 16777215 \(got 16777216\)/,
    ],
    [
      "a remote that is a name",
      (s: any) => (s.segments[0].vxlan.remote = "site-b"),
      /segments\[0\]\.vxlan\.remote: must be an IPv4 address \(got "site-b"\)/,
    ],
    [
      "an MTU too small for IPv4 labs",
      (s: any) => (s.segments[0].vxlan.mtu = 576),
      /segments\[0\]\.vxlan\.mtu: must be from 1280 to 9000 \(got 576\)/,
    ],
    [
      "an underlay device name too long",
      (s: any) => (s.segments[0].vxlan.device = "a-very-long-interface"),
      /segments\[0\]\.vxlan\.device: must be an interface name/,
    ],
    ["a check from an unknown node", (s: any) => (s.checks[0].from = "n9"), /checks\[0\]\.from: "n9" is not a node of this lab/],
    ["a check URL that is not http", (s: any) => (s.checks = [{ from: "n1", fetch: "ftp://x/" }]), /checks\[0\]/],
    [
      "a hosts entry that is not an address",
      (s: any) => (s.nodes[0].hosts = { "web-b": "site-b" }),
      /nodes\[0\]\.hosts\.web-b: must be an IPv4 address \(got "site-b"\)/,
    ],
    ["a hosts name with spaces", (s: any) => (s.nodes[0].hosts = { "web b": "10.60.0.20" }), /nodes\[0\]\.hosts/],
    [
      "two segments on one tunnel",
      (s: any) => s.segments.push({ ...structuredClone(s.segments[0]), name: "other", subnet: "10.61.0.0/24", gateway: "10.61.0.254" }),
      /segments\[1\]\.vxlan\.id: 4242 to 192\.0\.2\.2 is already segment "shared"'s tunnel/,
    ],
  ])("rejects %s, naming the field and the value", (_label, mutate, expected) => {
    const spec = structuredClone(half());
    mutate(spec);
    expect(issuesOf(spec)).toMatch(expected);
  });
});

describe("the tunnel's host steps", () => {
  const steps = vxlanSteps([
    {
      interfaceName: "nx-0123456789",
      bridge: "nl-0123456789",
      id: 4242,
      remote: "192.0.2.2",
      local: "192.0.2.1",
      device: "eth1",
      port: 4789,
      mtu: 1450,
    },
  ]);
  const script = renderHostGuardScript(steps);

  it("are valid sh: the tunnel replaces a stale one, joins the bridge with the segment's MTU, and goes on stop", () => {
    execFileSync("sh", ["-n"], { input: script });
    expect(steps.setup).toEqual([
      "ip link show dev 'nl-0123456789' >/dev/null",
      "{ ip link del 'nx-0123456789' 2>/dev/null; ip link add 'nx-0123456789' type vxlan id 4242 remote 192.0.2.2 local 192.0.2.1 dev 'eth1' dstport 4789; }",
      "ip link set 'nx-0123456789' mtu 1450 master 'nl-0123456789' up",
    ]);
    expect(steps.teardown).toEqual(["ip link del 'nx-0123456789'"]);
    expect(script.indexOf("trap on_stop TERM INT")).toBeLessThan(script.indexOf("type vxlan"));
  });

  it("leave out local and dev when the site does not name them", () => {
    const [, add] = vxlanSteps([{ interfaceName: "nx-a", bridge: "nl-a", id: 7, remote: "192.0.2.9", port: 8472, mtu: 1400 }]).setup;
    expect(add).toBe("{ ip link del 'nx-a' 2>/dev/null; ip link add 'nx-a' type vxlan id 7 remote 192.0.2.9 dstport 8472; }");
  });
});

describe("two sites' halves (Pulumi.stretch-a.yaml and Pulumi.stretch-b.yaml)", () => {
  const planOf = (stack: string, config = stackFile(stack)) => planRoutedLab("routed-lab", parseStackConfig(config).routedLab);

  it("pair: same subnet, VNI, port and MTU, each pointing at the other, own gateways, no address twice", () => {
    expect(stretchedPairIssues({ site: "stretch-a", plan: planOf("stretch-a") }, { site: "stretch-b", plan: planOf("stretch-b") })).toEqual(
      [],
    );
  });

  it("names each way two halves disagree", () => {
    const a = planRoutedLab("lab", half("10.60.0.254", "10.60.0.10"));
    const b = planRoutedLab("lab", {
      ...half("10.60.0.254", "10.60.0.10"),
      segments: [
        { name: "shared", subnet: "10.60.0.0/24", gateway: "10.60.0.254", vxlan: { id: 4243, remote: "192.0.2.7", local: "192.0.2.2" } },
      ],
    });
    const messages = stretchedPairIssues({ site: "a", plan: a }, { site: "b", plan: b }).map(
      (issue) => `${issue.segment}: ${issue.message}`,
    );
    expect(messages).toEqual([
      'shared: vxlan.id differs: 4242 at "a", 4243 at "b"',
      'shared: site "b" sends to "192.0.2.7", but site "a" sends from "192.0.2.1"',
      'shared: both sites use gateway "10.60.0.254"; give each half its own',
      'shared: "10.60.0.10" is node "n1"\'s address at "a" and node "n1"\'s address at "b"',
    ]);
  });

  it("names a hosts entry that gives a node of the other half a wrong address", () => {
    const a = planRoutedLab("lab", { ...half(), nodes: [{ ...half().nodes[0], hosts: { n2: "10.60.0.21" } }] });
    const b = planRoutedLab("lab", {
      segments: [
        { name: "shared", subnet: "10.60.0.0/24", gateway: "10.60.0.253", vxlan: { id: 4242, remote: "192.0.2.1", local: "192.0.2.2" } },
      ],
      nodes: [{ name: "n2", image: "client", interfaces: [{ segment: "shared", address: "10.60.0.20" }] }],
    });
    expect(stretchedPairIssues({ site: "a", plan: a }, { site: "b", plan: b })).toEqual([
      { segment: "shared", message: 'node "n1" at "a" names "n2" "10.60.0.21", but it is "10.60.0.20" at "b"' },
    ]);
  });

  it("names a segment only one half stretches", () => {
    const a = planRoutedLab("lab", half());
    const b = planRoutedLab("lab", {
      segments: [{ name: "shared", subnet: "10.60.0.0/24" }],
      nodes: half().nodes.map((n) => ({ ...n, interfaces: [{ segment: "shared", address: "10.60.0.20" }] })),
    });
    expect(stretchedPairIssues({ site: "a", plan: a }, { site: "b", plan: b })).toEqual([
      { segment: "shared", message: 'site "a" stretches it, site "b" has it without a tunnel' },
    ]);
  });
});

describe("a stretch site stack", () => {
  it.each([
    ["stretch-a", "ssh://lab@east.lab.example", "10.60.0.254", "198.51.100.21", "198.51.100.22", "web-b at site B"],
    ["stretch-b", "ssh://lab@west.lab.example", "10.60.0.253", "198.51.100.22", "198.51.100.21", "web-a at site A"],
  ])(
    "%s: its host, the segment with its gateway and tunnel MTU, the tunnel guard, its checks",
    async (stack, host, gateway, local, remote, expected) => {
      const mocks = new RecordingMocks();
      const config = { ...stackFile(stack), sshPrivateKey: SITE_KEY, sshHostKey: SITE_HOST_KEY };
      const outputs = await runProgram(mocks, () => buildStack(readStackConfig()), { config, secretKeys: ["sshPrivateKey"] });
      expect(mocks.ofType("pulumi:providers:docker")[0].inputs.host).toBe(host);
      const [network] = mocks.ofType("docker:index/network:Network").map((n) => n.inputs);
      expect(network).toMatchObject({
        name: "routed-lab-shared",
        internal: true,
        ipamConfigs: [{ subnet: "10.60.0.0/24", gateway }],
        options: { "com.docker.network.driver.mtu": "1450" },
      });
      const tunnels = mocks.named("routed-lab-tunnels");
      expect(tunnels.inputs).toMatchObject({ networkMode: "host", capabilities: { drops: ["ALL"], adds: ["NET_ADMIN"] } });
      const script = tunnels.inputs.uploads[0].content as string;
      expect(script).toContain(`type vxlan id 4242 remote ${remote}`);
      expect(script).toContain(`master '${network.options["com.docker.network.bridge.name"]}' up`);
      const checks = outputs.components.labs["routed-lab"].probeChecks();
      expect(checks.map((check) => check.kind)).toEqual(["reach", "fetch"]);
      expect(checks[1]).toMatchObject({ kind: "fetch", url: `http://web-${stack === "stretch-a" ? "b" : "a"}/`, expect: expected });
      // The far half's node by name: Docker's DNS does not know it.
      expect(mocks.named(`routed-lab-web-${stack.slice(-1)}`).inputs.hosts).toEqual([
        { host: `web-${stack === "stretch-a" ? "b" : "a"}`, ip: stack === "stretch-a" ? "10.60.0.20" : "10.60.0.10" },
      ]);
      // The underlay interface and the tunnel's local address are among the host facts checked at preview.
      expect(mocks.named("docker-host-check").inputs.needs).toEqual({ interfaces: ["eth1"], addresses: [local], minDockerMajor: 20 });
      // The site's key reaches the engine only as a secret: in no resource's plain inputs.
      expect(mocks.named("docker-host-check").secretPaths).toContain("privateKey");
      for (const resource of mocks.resources) {
        if (!resource.secretPaths.includes("privateKey") && !resource.secretPaths.includes("ssh")) {
          expect(JSON.stringify(resource.inputs), resource.name).not.toContain("not-a-real-key");
        }
      }
    },
  );

  it("creates the bridge, then its tunnel, then the node on it (and destroys them in reverse)", async () => {
    const { chain } = await dependencyDepth(() => buildStack(readStackConfig()), stackFile("stretch-a"));
    // ...the tunnel's own readiness gate before the node, then the lab's readiness gate, then its probe.
    expect(chain.slice(-5)).toEqual([
      "routed-lab-tunnels",
      "routed-lab-tunnels-ready",
      "routed-lab-web-a",
      "routed-lab-ready",
      "routed-lab-probe",
    ]);
    // Before the tunnels: the bridge, or the image its sweeper (destroyed after it) runs.
    expect(["routed-lab-shared", "lab-image-router", "routed-lab-tunnels-sweeper"]).toContain(chain.at(-6));
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), { config: stackFile("stretch-a") });
    expect(mocks.options.get("routed-lab-tunnels")!.dependencies.some((urn) => urn.endsWith("network:Network::routed-lab-shared"))).toBe(
      true,
    );
  });

  it("names a bad lab under its config key, creating nothing", async () => {
    const mocks = new RecordingMocks();
    const config = stackFile("stretch-a");
    (config.routedLab as any).segments[0].vxlan.remote = "west";
    await expect(runProgram(mocks, () => buildStack(readStackConfig()), { config })).rejects.toThrow(
      /docker-netlabs:routedLab\.segments\[0\]\.vxlan\.remote: must be an IPv4 address \(got "west"\)/,
    );
    expect(mocks.resources).toEqual([]);
  });

  it("names the missing lab of a routed-lab stack", async () => {
    const mocks = new RecordingMocks();
    await expect(runProgram(mocks, () => buildStack(readStackConfig()), { config: { labs: ["routed-lab"] } })).rejects.toThrow(
      /docker-netlabs:routedLab: the routed-lab lab needs it/,
    );
    expect(mocks.resources).toEqual([]);
  });
});

describe("a stretch half on a local engine (unix://), checked against the engine's own facts", () => {
  // A stand-in docker: the engine's network namespace holds lo and eth0, 127.0.0.1 and 192.0.2.2.
  const engine = { images: ["debian:bookworm-slim"], interfaces: ["eth0", "lo"], addresses: ["127.0.0.1", "192.0.2.2"] };

  it("names an underlay interface and a tunnel address the engine lacks, creating nothing", async () => {
    const mocks = new RecordingMocks();
    const config = stackFile("stretch-a");
    delete config.dockerHost;
    const vxlan = (config.routedLab as any).segments[0].vxlan;
    Object.assign(vxlan, { device: "nl-absent0", local: "198.51.100.99" });
    await withStandInDocker(engine, () =>
      expect(runProgram(mocks, () => buildStack(readStackConfig()), { config })).rejects.toThrow(
        /docker-netlabs:dockerHost: host unix:\/\/\/var\/run\/docker\.sock has no interface "nl-absent0" \(it has [^)]*lo[^)]*\)[\s\S]*docker-netlabs:dockerHost: host unix:\/\/\/var\/run\/docker\.sock holds no address 198\.51\.100\.99 \(it has [^)]*127\.0\.0\.1/,
      ),
    );
    expect(mocks.resources).toEqual([]);
  });

  it("accepts the interfaces and addresses the engine has", async () => {
    const mocks = new RecordingMocks();
    const config = stackFile("stretch-a");
    delete config.dockerHost;
    Object.assign((config.routedLab as any).segments[0].vxlan, { device: "lo", local: "127.0.0.1" });
    await withStandInDocker(engine, () => runProgram(mocks, () => buildStack(readStackConfig()), { config }));
    expect(mocks.named("routed-lab-tunnels").inputs.uploads[0].content).toContain("local 127.0.0.1 dev 'lo'");
  });
});
