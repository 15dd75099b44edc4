import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { hostConnection } from "../../components/host/docker-host";
import { remoteDockerCommandLine } from "../../components/host/host-exec";
import { configIssues } from "../support/config-issues";
import { exposedPorts } from "../../components/images/catalog";
import { NetworkContainer, NetworkContainerArgs, planNetworkContainer } from "../../components/network-container";
import { renderRouterScript } from "../../components/network-container/scripts";
import { execFileSync } from "node:child_process";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { withStandInDocker } from "../support/stand-in-docker";

const lan = { parent: "eth9", subnet: "192.0.2.0/24" };
const ENGINE = { images: ["debian:bookworm-slim"], interfaces: ["eth0", "lo"], addresses: ["127.0.0.1"] };
const context = { interfaceExists: (name: string) => name === "eth9", exposedPorts };

const issuesOf = (options: any): string => configIssues(() => planNetworkContainer("nc", options, context)).join("\n");

describe("planNetworkContainer", () => {
  it("defaults ports to the target image's EXPOSE, Docker's range to the LAN's top /28", () => {
    const plan = planNetworkContainer("nc", { targetImage: "web", lan, address: "dhcp" }, context);
    expect(plan.ports).toEqual([{ port: 80, protocol: "tcp" }]);
    expect(plan.lan).toMatchObject({ create: true, gateway: "192.0.2.254", ipRange: "192.0.2.240/28", internal: false });
    expect(plan.address).toEqual({ kind: "dhcp", timeoutSeconds: 30 });
  });

  it.each([
    [{ ports: [{ port: 0 }], lan, address: "192.0.2.5" }, /ports\[0\]\.port: must be a port from 1 to 65535 \(got 0\)/],
    [{ ports: [{ port: 80, protocol: "sctp" }], lan, address: "192.0.2.5" }, /ports\[0\]\.protocol: .*\(got "sctp"\)/],
    [{ lan, address: "192.0.2.5" }, /ports: no port to expose/],
    [{ targetImage: "client", lan, address: "192.0.2.5" }, /ports: the target image "client" exposes no port/],
    [
      { ports: [{ port: 80 }], lan, address: "198.51.100.5" },
      /address: "198.51.100.5" is neither "dhcp" nor a host address of the LAN 192.0.2.0\/24/,
    ],
    [{ ports: [{ port: 80 }], lan, address: "192.0.2.254" }, /address: "192.0.2.254" is the LAN gateway/],
    [
      { ports: [{ port: 80 }], lan: { ...lan, parent: "eth7" }, address: "192.0.2.5" },
      /lan\.parent: "eth7" is not an interface of the Docker host/,
    ],
    [
      { ports: [{ port: 80 }], lan: { ...lan, ipRange: "10.0.0.0/28" }, address: "192.0.2.5" },
      /lan\.ipRange: "10.0.0.0\/28" is not a range inside 192.0.2.0\/24/,
    ],
    [{ ports: [{ port: 80 }, { port: 80 }], lan, address: "192.0.2.5" }, /ports\[1\]: 80\/tcp is listed twice/],
    [
      { ports: [{ port: 80 }], lan: { ...lan, subnet: "192.0.2.9/24" }, address: "dhcp" },
      /lan\.subnet: "192.0.2.9\/24" is not a network address/,
    ],
  ])("rejects %j naming the field", (options, expected) => {
    expect(issuesOf(options)).toMatch(expected);
  });

  // Issue 20, point 16: not "lan: Invalid input", but what is wrong and with which values.
  it.each([
    [
      { ...lan, network: "lan-net" },
      /^lan: parent "eth9" and network "lan-net" exclude each other: a NetworkContainer creates its LAN on a host interface \(parent\) or joins an existing LAN network \(network\), not both$/,
    ],
    [{ subnet: "192.0.2.0/24" }, /^lan: names neither parent .* nor network .*\(got subnet\)$/],
    [{ parent: "eth9" }, /^lan\.subnet: .*expected string/],
    [{ network: "lan-net", subnet: "192.0.2.0/24", ipRange: "192.0.2.240/28" }, /^lan: Unrecognized key: "ipRange"$/],
    [{ ...lan, internal: "yes" }, /^lan\.internal: .*\(got "yes"\)$/],
  ])("names what is wrong with lan %j", (given, expected) => {
    expect(issuesOf({ ports: [{ port: 80 }], lan: given, address: "dhcp" })).toMatch(expected);
  });

  it("names a network given as another resource's output without its value", () => {
    const given = { ...lan, network: pulumi.output("lan-net") };
    expect(issuesOf({ ports: [{ port: 80 }], lan: given, address: "dhcp" })).toMatch(
      /^lan: parent "eth9" and network \(an output of another resource\) exclude each other/,
    );
  });
});

describe("router script", () => {
  it("is valid sh: DNAT and a forward rule per port, MASQUERADE, forward policy drop", () => {
    const script = renderRouterScript({
      target: "web-1",
      ports: [
        { port: 80, protocol: "tcp" },
        { port: 53, protocol: "udp" },
      ],
      mode: { kind: "static", address: "192.0.2.5" },
    });
    execFileSync("sh", ["-n"], { input: script });
    expect(script).toContain('-p tcp --dport 80 -j DNAT --to-destination "$TARGET_IP:80"');
    expect(script).toContain('-p udp --dport 53 -j DNAT --to-destination "$TARGET_IP:53"');
    expect(script).toContain('-t nat -A POSTROUTING -o "$PRIV_IF" -d "$TARGET_IP" -j MASQUERADE');
    expect(script).toContain("ipt -P FORWARD DROP");
    expect(script).toContain("arping -U -c 2");
  });

  it("in DHCP mode flushes Docker's address and runs udhcpc in the foreground", () => {
    const script = renderRouterScript({ target: "t", ports: [{ port: 80, protocol: "tcp" }], mode: { kind: "dhcp", hostname: "nc" } });
    execFileSync("sh", ["-n"], { input: script });
    expect(script.indexOf('ip -4 addr flush dev "$LAN_IF"')).toBeLessThan(script.indexOf("exec busybox udhcpc -f"));
  });
});

describe("NetworkContainer resource graph", () => {
  /** Records the resources of one NetworkContainer exposing web-1:80. */
  async function record(overrides: Partial<NetworkContainerArgs>): Promise<RecordingMocks> {
    const mocks = new RecordingMocks();
    const args: NetworkContainerArgs = {
      target: "web-1",
      targetNetwork: "private",
      ports: [{ port: 80 }],
      lan: { parent: "lo", subnet: "192.0.2.0/24" },
      address: "192.0.2.5",
      routerImage: "docker-netlabs/router:test",
      ...overrides,
    };
    // The engine (a stand-in docker) has lo; the LAN's parent is checked against it.
    await withStandInDocker(ENGINE, () => runProgram(mocks, () => new NetworkContainer("nc", args)));
    return mocks;
  }

  it("static: a macvlan LAN, a promiscuous guard, a least-privilege router, no lease command", async () => {
    const mocks = await record({});
    const network = mocks.ofType("docker:index/network:Network")[0].inputs;
    expect(network).toMatchObject({ driver: "macvlan", options: { parent: "lo", macvlan_mode: "bridge" } });
    const containers = mocks.ofType("docker:index/container:Container").map((c) => c.inputs);
    const router = containers.find((c) => c.name === "nc-router")!;
    expect(router.capabilities).toEqual({ drops: ["ALL"], adds: ["NET_ADMIN", "NET_RAW"] });
    expect(router.sysctls).toEqual({ "net.ipv4.ip_forward": "1", "net.ipv4.ip_unprivileged_port_start": "0" });
    expect(router.networksAdvanced).toEqual([{ name: "private" }, { name: "nc-lan", ipv4Address: "192.0.2.5" }]);
    const guard = containers.find((c) => c.name === "nc-promisc")!;
    expect(guard.capabilities).toEqual({ drops: ["ALL"], adds: ["NET_ADMIN"] });
    expect(mocks.ofType("command:local:Command")).toEqual([]);
  });

  it("dhcp on the local engine: reads the lease with a bounded docker exec, again whenever the router is replaced", async () => {
    const mocks = await record({ lan: { network: "existing-lan", subnet: "192.0.2.0/24" }, address: "dhcp" });
    const [lease] = mocks.ofType("command:local:Command");
    expect(lease.inputs.create).toBe("'docker' '-H' 'unix:///var/run/docker.sock' 'exec' 'nc-router' '/netlabs/wait-lease.sh'");
    // A replaced router keeps its name but not its id (nor its lease): the id triggers a new read.
    expect(lease.inputs.triggers).toEqual(["nc-router-id"]);
    expect(mocks.ofType("docker:index/network:Network")).toEqual([]);
  });

  it("dhcp on an ssh:// host: runs docker through ssh with the Docker provider's options, as the provider does", async () => {
    const sshOpts = ["-i", "/home/me/.docker-netlabs/ssh/0123.key", "-o", "StrictHostKeyChecking=yes", "-o", "ProxyJump=bastion"];
    const mocks = await record({
      lan: { network: "existing-lan", subnet: "192.0.2.0/24" },
      address: "dhcp",
      host: hostConnection("ssh://lab@203.0.113.7:2222", pulumi.secret(sshOpts)),
    });
    const [lease] = mocks.ofType("command:local:Command");
    const target = { kind: "ssh" as const, host: "203.0.113.7", port: 2222, user: "lab", sshOpts };
    expect(lease.inputs.create).toBe(remoteDockerCommandLine(target, ["exec", "nc-router", "/netlabs/wait-lease.sh"]));
    expect(lease.inputs.create).toContain("'ProxyJump=bastion'");
    // No DOCKER_HOST=ssh://: the docker CLI would run ssh without the options.
    expect(lease.inputs.environment).toBeUndefined();
    expect(lease.inputs.triggers).toEqual(["nc-router-id"]);
    // Options that may name the key's file stay as secret as they came.
    expect(lease.secretPaths).toContain("create");
  });

  it("rejects a Docker host it cannot reach before registering anything (the host, not the component, reads the URL)", async () => {
    const mocks = new RecordingMocks();
    await expect(
      runProgram(
        mocks,
        () =>
          new NetworkContainer("nc", {
            target: "t",
            targetNetwork: "n",
            ports: [{ port: 80 }],
            lan: { network: "l", subnet: "192.0.2.0/24" },
            address: "dhcp",
            host: hostConnection("ftp://x"),
          }),
      ),
    ).rejects.toThrow(/host: "ftp:\/\/x" must be/);
    expect(mocks.resources).toEqual([]);
  });

  it("creates nothing for invalid input", async () => {
    const mocks = new RecordingMocks();
    await expect(
      runProgram(
        mocks,
        () =>
          new NetworkContainer("nc", { target: "t", targetNetwork: "n", lan: { network: "l", subnet: "192.0.2.0/24" }, address: "dhcp" }),
      ),
    ).rejects.toThrow(/ports: no port to expose/);
    expect(mocks.resources).toEqual([]);
  });
});

describe("NetworkContainer's parent interface, checked against the engine's own interfaces", () => {
  const args = (parent: string): NetworkContainerArgs => ({
    target: "web-1",
    targetNetwork: "private",
    ports: [{ port: 80 }],
    lan: { parent, subnet: "192.0.2.0/24" },
    address: "192.0.2.5",
    routerImage: "docker-netlabs/router:test",
  });
  const VM_ONLY = "nl-vm-only0";

  it("accepts a parent the engine has and this machine lacks (an engine in a VM)", async () => {
    expect(fs.readdirSync("/sys/class/net")).not.toContain(VM_ONLY);
    const mocks = new RecordingMocks();
    await withStandInDocker({ ...ENGINE, interfaces: ["lo", VM_ONLY] }, (docker) =>
      runProgram(mocks, () => new NetworkContainer("nc", args(VM_ONLY))).then(() =>
        expect(docker.calls().at(-1)).toEqual(expect.arrayContaining(["run", "--network", "host", "--pull", "never"])),
      ),
    );
    expect(mocks.ofType("docker:index/network:Network")[0].inputs.options.parent).toBe(VM_ONLY);
  });

  it("refuses a parent the engine lacks, naming it, before registering anything", async () => {
    // One this machine has if it can (it is not asked), else any other.
    const parent = fs.readdirSync("/sys/class/net").find((name) => !ENGINE.interfaces.includes(name)) ?? "eth7";
    const mocks = new RecordingMocks();
    await withStandInDocker(ENGINE, () =>
      expect(runProgram(mocks, () => new NetworkContainer("nc", args(parent)))).rejects.toThrow(
        `lan.parent: "${parent}" is not an interface of the Docker host`,
      ),
    );
    expect(mocks.resources).toEqual([]);
  });

  it("an engine without an image to look with: declared, the parent left to Docker, with a note", async () => {
    const mocks = new RecordingMocks();
    const warned: string[] = [];
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warned.push(message));
    try {
      await withStandInDocker({ ...ENGINE, images: [] }, () => runProgram(mocks, () => new NetworkContainer("nc", args("eth9"))));
    } finally {
      warn.mockRestore();
    }
    expect(mocks.ofType("docker:index/network:Network")).toHaveLength(1);
    expect(warned).toEqual([
      expect.stringMatching(
        /^NetworkContainer "nc": the LAN's parent interface was not checked on unix:\/\/\/var\/run\/docker\.sock ahead: the engine has neither debian:bookworm-slim/,
      ),
    ]);
  });
});
