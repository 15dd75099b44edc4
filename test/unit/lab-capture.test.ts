/**
 * `npm run lab:capture`'s pure half (scripts/capture/target.ts): its arguments, the node and
 * interface found by planning the stack file as the program plans it (no Pulumi CLI), and the
 * docker command it runs on the stack's host, local or over ssh.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { captureArgv, captureScript, captureTarget, parseCaptureArgs, stackFileValues, stopArgv } from "../../scripts/capture/target";

const ROOT = path.resolve(__dirname, "../..");

describe("lab:capture's arguments", () => {
  it("node, interface, -w, --stack, --seconds; anything else is the usage", () => {
    expect(parseCaptureArgs(["r1", "eth1"], "dev")).toEqual({ stack: "dev", node: "r1", iface: "eth1" });
    expect(parseCaptureArgs(["r1", "core", "-w", "x.pcap", "--stack", "site-a", "--seconds", "3"], "dev")).toEqual({
      stack: "site-a",
      node: "r1",
      iface: "core",
      file: "x.pcap",
      seconds: 3,
    });
    expect(() => parseCaptureArgs(["r1"], "dev")).toThrow(/usage: npm run -s lab:capture/);
    expect(() => parseCaptureArgs(["r1", "eth1", "-x"], "dev")).toThrow(/unknown option -x/);
    expect(() => parseCaptureArgs(["r1", "eth1", "--seconds", "0"], "dev")).toThrow(/--seconds/);
  });
});

describe("lab:capture finds the node by planning the stack file", () => {
  const dev = stackFileValues(ROOT, "dev");

  it("a node of two labs must be named with its lab; its segment gives the address to find the interface by", () => {
    expect(() => captureTarget(dev, parseCaptureArgs(["r1", "eth1"], "dev"), "abc")).toThrow(
      "node r1 is in labs routed-lan, bgp-triangle: name it as routed-lan/r1 or bgp-triangle/r1",
    );
    const target = captureTarget(dev, parseCaptureArgs(["h1", "lan1"], "dev"), "abc");
    expect(target).toMatchObject({
      container: "routed-lan-h1",
      address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
      name: "routed-lan-h1-capture-abc",
    });
    expect(target.image).toMatch(/^docker-netlabs\/router:[0-9a-f]{16}$/);
    const [file, ...args] = captureArgv(target, 3);
    expect([file, ...args.slice(0, 3)]).toEqual(["docker", "-H", "unix:///var/run/docker.sock", "run"]);
    expect(args).toEqual(expect.arrayContaining(["--network", "container:routed-lan-h1", "--cap-drop", "ALL", "--pull", "never"]));
    expect(captureScript(target, 3)).toContain('exec timeout -s INT 3 tcpdump -i "$dev" -U -n -Z root -w -');
    expect(stopArgv(target).slice(-4)).toEqual(["stop", "--time", "5", "routed-lan-h1-capture-abc"]);
  });

  it("by kernel name; an unknown node or a name that is neither is refused", () => {
    const byName = captureTarget(dev, parseCaptureArgs(["routed-lan/r1", "eth1"], "dev"), "abc");
    expect(byName).toMatchObject({ device: "eth1" });
    expect(captureScript(byName)).toMatch(/^dev=eth1\n/);
    expect(() => captureTarget(dev, parseCaptureArgs(["nope", "eth1"], "dev"), "abc")).toThrow(/stack dev has no node nope/);
    expect(() => captureTarget(dev, parseCaptureArgs(["h1", "x;y"], "dev"), "abc")).toThrow(
      /neither a segment of node h1 nor an interface name/,
    );
  });

  it("an ssh:// stack's host is reached with ssh and its options, as the provider reaches it; a stack file elsewhere by path", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-capture-unit-"));
    const file = path.join(dir, "Pulumi.remote.yaml");
    const config = {
      "docker-netlabs:dockerHost": "ssh://lab@192.0.2.7",
      "docker-netlabs:sshOpts": ["-i", "/keys/lab"],
      "docker-netlabs:sshPrivateKey": { secure: "AAAA" },
      "docker-netlabs:labs": ["routed-lab"],
      "docker-netlabs:routedLab": {
        segments: [{ name: "core", subnet: "10.90.0.0/24" }],
        nodes: [{ name: "r1", image: "router", interfaces: [{ segment: "core", address: "10.90.0.1" }] }],
      },
    };
    fs.writeFileSync(file, stringify({ config }));
    try {
      const target = captureTarget(stackFileValues(ROOT, file), parseCaptureArgs(["r1", "core"], file), "abc");
      const argv = captureArgv(target);
      expect(argv[0]).toBe("ssh");
      expect(argv).toEqual(expect.arrayContaining(["-i", "/keys/lab", "-l", "lab", "192.0.2.7"]));
      expect(argv.join(" ")).toContain("container:routed-lab-r1");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
