import { execFileSync, spawn } from "node:child_process";
import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { bridgeRuleSteps, promiscuousSteps, renderGuardSweepScript, renderHostGuardScript } from "../../components/host/host-guard-script";
import { socatArgs } from "../../components/host/port-forwarder";
import { checkHostFacts } from "../../components/host/ssh-host";
import { IMAGES_DIR } from "../../components/images/catalog";
import { LAB_IMAGE_COMMANDS } from "../../components/kinds";
import { contextDigest } from "../../components/images/context-digest";
import { LAB_IMAGE_NAMES } from "../../components/net/topology";
import { planRoutedLab } from "../../components/routed-lab/plan";
import { renderNodeInit } from "../../components/routed-lab/node-init";

/** `sh -n` parses a script without running it: the renderers must emit valid POSIX sh. */
function assertShellSyntax(script: string) {
  execFileSync("sh", ["-n"], { input: script });
}

const plan = planRoutedLab("lab", {
  segments: [
    { name: "lan-a", subnet: "10.1.1.0/24" },
    { name: "lan-b", subnet: "10.1.2.0/24" },
  ],
  nodes: [
    {
      name: "r1",
      image: "router",
      router: true,
      interfaces: [
        { segment: "lan-a", address: "10.1.1.1" },
        { segment: "lan-b", address: "10.1.2.1" },
      ],
      routes: [{ to: "10.9.0.0/16", via: "10.1.2.7" }],
      commands: ["echo it's up on $NETLABS_IF_LAN_A > /tmp/up"],
    },
  ],
});

describe("node init script", () => {
  const script = renderNodeInit(plan.nodes[0]);

  it("is valid sh that finds interfaces by address, routes, checks forwarding, runs commands, then execs", () => {
    assertShellSyntax(script);
    expect(script).toContain("NETLABS_IF_LAN_A=$(wait_for 10.1.1.1) || exit 71");
    expect(script).toContain("NETLABS_IF_LAN_B=$(wait_for 10.1.2.1) || exit 71");
    expect(script).toContain("ip route replace 10.9.0.0/16 via 10.1.2.7");
    expect(script).toContain("/proc/sys/net/ipv4/ip_forward");
    expect(script).toContain(`sh -c 'echo it'\\''s up on $NETLABS_IF_LAN_A > /tmp/up'`);
    expect(script).not.toMatch(/\beth\d/);
    const order = ["wait_for 10.1.1.1", "ip route replace", "sh -c", "touch /run/netlabs/ready", 'exec "$@"'];
    const positions = order.map((needle) => script.indexOf(needle));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it("drops Docker's default route on internal-only nodes without a default of their own", () => {
    expect(script).toContain("ip route del default 2>/dev/null || true");
    const host = planRoutedLab("lab", {
      segments: [{ name: "lan", subnet: "10.1.1.0/24" }],
      nodes: [
        { name: "r", image: "router", router: true, interfaces: [{ segment: "lan", address: "10.1.1.1" }] },
        { name: "h", image: "client", interfaces: [{ segment: "lan", address: "10.1.1.2" }], routes: [{ to: "default", via: "10.1.1.1" }] },
      ],
    }).nodes[1];
    const hostScript = renderNodeInit(host);
    expect(hostScript).not.toContain("|| true");
    expect(hostScript).toContain("ip route add default via 10.1.1.1");
    const open = planRoutedLab("lab", {
      segments: [{ name: "lan", subnet: "10.1.1.0/24", internal: false }],
      nodes: [{ name: "h", image: "client", interfaces: [{ segment: "lan", address: "10.1.1.2" }] }],
    }).nodes[0];
    expect(open.dropDockerDefaultRoute).toBe(false);
  });

  it("finds the interface that holds an address in real `ip -o -4 addr` output", () => {
    const finder = script.split("\n").find((line) => line.startsWith("iface_with()"))!;
    const sample = [
      "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
      "57: eth1    inet 10.1.2.1/24 brd 10.1.2.255 scope global eth1\\       valid_lft forever",
      "55: eth0    inet 10.1.1.1/24 brd 10.1.1.255 scope global eth0\\       valid_lft forever",
    ].join("\n");
    // Replace `ip` with a function printing the sample, then ask for each address.
    const probe = `ip() { printf '%s\\n' '${sample}'; }\n${finder}\niface_with 10.1.2.1; iface_with 10.1.1.1; iface_with 10.1.1.10`;
    expect(execFileSync("sh", ["-c", probe]).toString()).toBe("eth1\neth0\n");
  });
});

describe("node commands are bounded (issue 20, point 11)", () => {
  /** A lab whose one node runs `commands` with a time limit of `limit` seconds. */
  const nodeWith = (commands: string[], limit?: number) =>
    planRoutedLab("lab", {
      segments: [{ name: "lan", subnet: "10.1.1.0/24" }],
      nodes: [
        { name: "h", image: "client", interfaces: [{ segment: "lan", address: "10.1.1.2" }], commands, commandTimeoutSeconds: limit },
      ],
    }).nodes[0];

  /**
   * Runs the commands part of the node's init (from the watchdog to the last command) with `sh`,
   * /run/netlabs moved into a temp folder: its exit code, its log, how long it took.
   */
  function runCommandsOf(script: string): { code: number; log: string; ms: number; dir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-commands-"));
    const lines = script.split("\n");
    const part = lines
      .slice(
        lines.findIndex((line) => line.startsWith("own_group=")),
        lines.indexOf("touch /run/netlabs/ready"),
      )
      .join("\n");
    const fragment = `set -u\nlog() { echo "netlabs-init[h]: $*" >&2; }\n${part.replaceAll("/run/netlabs", dir)}\nexit 0\n`;
    const started = Date.now();
    try {
      execFileSync("sh", ["-c", fragment], { env: { ...process.env, OUT: dir }, stdio: ["ignore", "pipe", "pipe"] });
      return { code: 0, log: "", ms: Date.now() - started, dir };
    } catch (error) {
      const failed = error as { status: number; stderr: Buffer };
      return { code: failed.status, log: failed.stderr.toString(), ms: Date.now() - started, dir };
    }
  }

  it("is valid sh, bounds each command by the node's commandTimeoutSeconds (60 s unless set), and leaves a node without commands as it was", () => {
    const script = renderNodeInit(nodeWith(["echo one", "echo two"], 5));
    assertShellSyntax(script);
    expect(script.match(/^bounded \$! 5 \|\| \{$/gm)).toHaveLength(2);
    expect(renderNodeInit(nodeWith(["echo one"]))).toContain("bounded $! 60 ||");
    expect(renderNodeInit(nodeWith([]))).not.toContain("bounded");
  });

  it("runs commands that finish in order, and goes on", () => {
    const result = runCommandsOf(renderNodeInit(nodeWith(["echo one > $OUT/order", "echo two >> $OUT/order"], 5)));
    expect(result.code).toBe(0);
    expect(fs.readFileSync(path.join(result.dir, "order"), "utf8")).toBe("one\ntwo\n");
    expect(result.ms).toBeLessThan(2_000);
  });

  it("stops a command that hangs when its time is up, and exits 77 naming it", () => {
    const result = runCommandsOf(
      renderNodeInit(nodeWith(["echo first > $OUT/first", "echo stuck; sleep 30", "echo never > $OUT/never"], 1)),
    );
    expect(result.code).toBe(77);
    expect(result.log).toContain(`netlabs-init[h]: command 2 did not finish within 1 s: echo stuck; sleep 30`);
    expect(result.ms).toBeLessThan(5_000);
    expect(fs.existsSync(path.join(result.dir, "first"))).toBe(true);
    expect(fs.existsSync(path.join(result.dir, "never"))).toBe(false);
  });

  it("kills a command that ignores TERM two seconds after it", () => {
    const result = runCommandsOf(renderNodeInit(nodeWith(["trap '' TERM; while :; do sleep 1; done"], 1)));
    expect(result.code).toBe(77);
    expect(result.log).toContain("command 1 did not finish within 1 s");
    expect(result.ms).toBeLessThan(7_000);
  });

  it("still names a command that fails, with exit 74", () => {
    const result = runCommandsOf(renderNodeInit(nodeWith(["true", "echo broken >&2; exit 3"], 5)));
    expect(result.code).toBe(74);
    expect(result.log).toContain("netlabs-init[h]: command 2 failed: echo broken >&2; exit 3");
    expect(result.ms).toBeLessThan(2_000);
  });
});

describe("host guard scripts", () => {
  it("bridge rules: valid sh that adds each rule once and removes every copy on TERM", () => {
    const script = renderHostGuardScript(bridgeRuleSteps(["nl-aaaa", "nl-bbbb"], "docker-netlabs:lab"));
    assertShellSyntax(script);
    const setupLines = script.split("\n").filter((line) => line.startsWith('{ "$IPT" -w 5 -C DOCKER-USER'));
    expect(setupLines).toHaveLength(2);
    expect(script.match(/while "\$IPT" -w 5 -D DOCKER-USER/g)).toHaveLength(2);
    expect(script.indexOf("trap")).toBeLessThan(script.indexOf("-I DOCKER-USER"));
  });

  it("applies its steps, then undoes them and exits 0 on SIGTERM", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-guard-"));
    try {
      const script = renderHostGuardScript(
        { setup: [`touch ${dir}/applied`], teardown: [`rm ${dir}/applied`, `touch ${dir}/undone`], description: "a test step" },
        `${dir}/ready`,
      );
      const child = spawn("sh", ["-c", script], { stdio: "pipe" });
      let output = "";
      child.stdout.on("data", (data: Buffer) => (output += data.toString()));
      for (let i = 0; i < 50 && !fs.existsSync(`${dir}/ready`); i++) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(`${dir}/applied`)).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(fs.existsSync(`${dir}/applied`)).toBe(false);
      expect(fs.existsSync(`${dir}/undone`)).toBe(true);
      expect(output).toContain("host guard: undone: a test step");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bridge rules: sweeps every rule of its comment before setup, and alone in its sweeper (issue 20, point 10)", () => {
    const steps = bridgeRuleSteps(["nl-aaaa"], "docker-netlabs:lab");
    const script = renderHostGuardScript(steps);
    assertShellSyntax(script);
    const lines = script.split("\n");
    expect(lines.findIndex((line) => line.startsWith("sweep ||"))).toBeLessThan(lines.findIndex((line) => line.includes("-I DOCKER-USER")));
    // The sweeper's script, run with stand-ins: nft holds the chain and three rules, one of them of
    // another lab whose name only starts with this one's; legacy has no DOCKER-USER chain.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-sweep-"));
    try {
      const saved = [
        "*filter",
        ":DOCKER-USER - [0:0]",
        '-A DOCKER-USER -i nl-aaaa -m physdev --physdev-is-bridged -m comment --comment "docker-netlabs:lab" -j ACCEPT',
        '-A DOCKER-USER -i nl-gone -m physdev --physdev-is-bridged -m comment --comment "docker-netlabs:lab" -j ACCEPT',
        '-A DOCKER-USER -i nl-cccc -m physdev --physdev-is-bridged -m comment --comment "docker-netlabs:lab2" -j ACCEPT',
        "COMMIT",
      ].join("\n");
      const stub = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      stub("iptables-nft", "exit 0");
      stub("iptables-nft-save", `cat <<'SAVED'\n${saved}\nSAVED`);
      stub("iptables-nft-restore", `cat > ${dir}/restored`);
      stub("iptables-legacy", "echo 'iptables: No chain/target/match by that name.' >&2; exit 1");
      stub("iptables-legacy-save", `touch ${dir}/legacy-read`);
      const sweeper = renderGuardSweepScript(steps);
      assertShellSyntax(sweeper);
      execFileSync("sh", ["-c", sweeper], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      expect(fs.readFileSync(path.join(dir, "restored"), "utf8").trim().split("\n")).toEqual([
        "*filter",
        '-D DOCKER-USER -i nl-aaaa -m physdev --physdev-is-bridged -m comment --comment "docker-netlabs:lab" -j ACCEPT',
        '-D DOCKER-USER -i nl-gone -m physdev --physdev-is-bridged -m comment --comment "docker-netlabs:lab" -j ACCEPT',
        "COMMIT",
      ]);
      expect(fs.existsSync(path.join(dir, "legacy-read"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("promiscuous mode: valid sh that undoes only what it did", () => {
    const script = renderHostGuardScript(promiscuousSteps("veth0"));
    assertShellSyntax(script);
    expect(script).toContain("ip link set dev 'veth0' promisc on && touch /netlabs/promisc-set-by-guard");
    expect(script).toContain("[ -f /netlabs/promisc-set-by-guard ] && ip link set dev 'veth0' promisc off");
  });
});

describe("port forwarder", () => {
  it("listens on the host address and connects to the node, per protocol", () => {
    const base = { hostAddress: "127.0.0.1", hostPort: 5353, targetAddress: "10.1.1.5", targetPort: 53 };
    expect(socatArgs({ ...base, protocol: "udp" })).toEqual(["socat", "UDP-LISTEN:5353,bind=127.0.0.1,reuseaddr,fork", "UDP:10.1.1.5:53"]);
  });
});

describe("lab images", () => {
  it.each(LAB_IMAGE_NAMES)("%s: the catalog's default command is the Dockerfile's CMD, FROM bookworm-slim", (name) => {
    const dockerfile = fs.readFileSync(path.join(IMAGES_DIR, name, "Dockerfile"), "utf8");
    // Built from debian:bookworm-slim unless the stack names another base (baseImage).
    expect(dockerfile).toMatch(/^ARG BASE=debian:bookworm-slim\nFROM \$\{BASE\}$/m);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(JSON.parse(cmd![1])).toEqual(LAB_IMAGE_COMMANDS[name]);
  });

  it("changes the context digest exactly when a file changes", () => {
    const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "netlabs-ctx-"));
    try {
      fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM debian:bookworm-slim\n");
      const first = contextDigest(dir);
      expect(contextDigest(dir)).toBe(first);
      fs.writeFileSync(path.join(dir, "extra.txt"), "x");
      expect(contextDigest(dir)).not.toBe(first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("host facts checks", () => {
  const facts = { kernel: "6.1.0", dockerVersion: "20.10.24", interfaces: ["lo", "eth0"], bridgeNetfilter: "1" };

  it("names a missing macvlan parent and a Docker too old, with the host", () => {
    expect(checkHostFacts("site-a", facts, { interfaces: ["eth1"], minDockerMajor: 28 })).toEqual([
      { path: "interfaces", message: 'host site-a has no interface "eth1" (it has lo, eth0)' },
      { path: "dockerHost", message: "host site-a runs Docker 20.10.24; this lab needs 28 or later" },
    ]);
    expect(checkHostFacts("site-a", facts, { interfaces: ["eth0"], minDockerMajor: 20 })).toEqual([]);
    expect(checkHostFacts("site-a", { ...facts, dockerVersion: "none" }, {})[0].message).toBe(
      "host site-a answers SSH but runs no Docker engine",
    );
  });

  it("names a tunnel's local address the host does not hold, and trusts a host that could not list them", () => {
    const withAddresses = { ...facts, addresses: ["127.0.0.1", "198.51.100.21"] };
    expect(checkHostFacts("site-a", withAddresses, { addresses: ["198.51.100.21"] })).toEqual([]);
    expect(checkHostFacts("site-a", withAddresses, { addresses: ["198.51.100.99"] })).toEqual([
      { path: "addresses", message: "host site-a holds no address 198.51.100.99 (it has 127.0.0.1, 198.51.100.21)" },
    ]);
    expect(checkHostFacts("site-a", { ...facts, addresses: [] }, { addresses: ["198.51.100.99"] })).toEqual([]);
  });
});
