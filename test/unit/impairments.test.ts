/**
 * Issue 23 at plan time: link impairments, node resources and link options validated with field and
 * value; what they become (the node's container, its init, the segment's network, a LinkImpairment
 * per impaired interface and nothing in the node's inputs); and the host's facts they need (netem
 * tried by the kernel look, CPUs, memory), checked when planning against a stand-in engine.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROVIDER_TEXTS } from "../../components/declare/dynamic-providers.generated";
import { hostConnection } from "../../components/host/docker-host";
import { containerArgs } from "../../components/declare/container";
import { KERNEL_LOOK_SCRIPT, kernelLookArgs, kernelLookImage, parseKernelLook } from "../../components/host/engine-facts";
import { checkHostFacts } from "../../components/host/host-facts";
import { impairmentCheckScript, impairmentScript, impairmentTcLines } from "../../components/host/link-impairment";
import { kindOf } from "../../components/kinds";
import { LabConfigError } from "../../components/net/errors";
import { renderNodeInit } from "../../components/routed-lab/node-init";
import { RoutedLab } from "../../components/routed-lab";
import { LabPlan, RoutedLabSpec, planRoutedLab } from "../../components/routed-lab/plan";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { withStandInDocker } from "../support/stand-in-docker";

// The module Pulumi's dynamic-provider host loads serialized providers with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString: (code: string) => any = require("require-from-string");

const SEGMENTS = [
  { name: "core", subnet: "10.80.0.0/24" },
  { name: "lan", subnet: "10.80.1.0/24" },
];
const r1 = (iface: Record<string, unknown> = {}, node: Record<string, unknown> = {}) => ({
  name: "r1",
  image: "router",
  router: true,
  ospf: { area: 0 },
  interfaces: [
    { segment: "core", address: "10.80.0.1", ...iface },
    { segment: "lan", address: "10.80.1.1" },
  ],
  ...node,
});
const r2 = (iface: Record<string, unknown> = {}) => ({
  name: "r2",
  image: "router",
  router: true,
  ospf: { area: 0 },
  interfaces: [{ segment: "core", address: "10.80.0.2", ...iface }],
});
const spec = (nodes: unknown[], more: Record<string, unknown> = {}) => ({ segments: SEGMENTS, nodes, ...more });

/** The issues planning finds, as "path: message". */
function issuesOf(input: unknown): string[] {
  try {
    planRoutedLab("imp", input);
  } catch (error) {
    if (error instanceof LabConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe("bad impairments, resources and link options are named with field and value", () => {
  const cases: [string, unknown, RegExp][] = [
    [
      "loss over 100",
      spec([r1({ impairment: { lossPercent: 120 } }), r2()]),
      /^nodes\[0\]\.interfaces\[0\]\.impairment\.lossPercent: must be from 0 to 100 % \(got 120\)$/,
    ],
    [
      "negative delay",
      spec([r1({ impairment: { delayMs: -5 } }), r2()]),
      /^nodes\[0\]\.interfaces\[0\]\.impairment\.delayMs: must be from 0 to 60000 ms \(got -5\)$/,
    ],
    [
      "jitter without delay",
      spec([r1({ impairment: { jitterMs: 5 } }), r2()]),
      /^nodes\[0\]\.interfaces\[0\]\.impairment\.jitterMs: jitter varies a delay: give delayMs as well \(got 5\)$/,
    ],
    [
      "a rate below the floor",
      spec([r1({ impairment: { rateMbit: 0.001 } }), r2()]),
      /impairment\.rateMbit: must be from 0\.01 to 100000 Mbit\/s .*\(got 0\.001\)$/,
    ],
    [
      "a segment's loss",
      { ...spec([r1(), r2()]), segments: [{ ...SEGMENTS[0], impairment: { lossPercent: 101 } }, SEGMENTS[1]] },
      /^segments\[0\]\.impairment\.lossPercent: .*\(got 101\)$/,
    ],
    ["an unknown impairment field", spec([r1({ impairment: { delay: 5 } }), r2()]), /^nodes\[0\]\.interfaces\[0\]\.impairment/],
    [
      "a multicast MAC",
      spec([r1({ mac: "03:00:00:00:00:01" }), r2()]),
      /^nodes\[0\]\.interfaces\[0\]\.mac: "03:00:00:00:00:01" is a multicast address/,
    ],
    [
      "a vendor MAC",
      spec([r1({ mac: "00:1b:21:00:00:01" }), r2()]),
      /^nodes\[0\]\.interfaces\[0\]\.mac: "00:1b:21:00:00:01" is universally administered/,
    ],
    [
      "a MAC that is not one",
      spec([r1({ mac: "02:00:00:00:01" }), r2()]),
      /^nodes\[0\]\.interfaces\[0\]\.mac: must be a MAC address .*\(got "02:00:00:00:01"\)$/,
    ],
    [
      "a MAC twice in a segment",
      spec([r1({ mac: "02:00:00:00:00:01" }), r2({ mac: "02:00:00:00:00:01" })]),
      /^nodes\[1\]\.interfaces\[0\]\.mac: "02:00:00:00:00:01" is already node "r1"'s on segment "core"$/,
    ],
    ["an MTU below 1280", spec([r1({ mtu: 1000 }), r2()]), /^nodes\[0\]\.interfaces\[0\]\.mtu: must be from 1280 to 9000 \(got 1000\)$/],
    [
      "an MTU above 9000",
      { ...spec([r1(), r2()]), segments: [{ ...SEGMENTS[0], mtu: 9216 }, SEGMENTS[1]] },
      /^segments\[0\]\.mtu: must be from 1280 to 9000 \(got 9216\)$/,
    ],
    [
      "OSPF neighbours with different MTUs",
      spec([r1({ mtu: 9000 }), r2()]),
      /^nodes\[1\]\.interfaces\[0\]\.mtu: 1500: OSPF neighbour "r1" has MTU 9000 on segment "core"; OSPF would stay in ExStart/,
    ],
    ["no CPUs", spec([r1({}, { cpus: 0 }), r2()]), /^nodes\[0\]\.cpus: must be at least 0\.01 CPUs .*\(got 0\)$/],
    [
      "memory below what a router needs",
      spec([r1({}, { memoryMiB: 32 }), r2()]),
      /^nodes\[0\]\.memoryMiB: 32 MiB is below what a router node needs \(64 MiB\) for node "r1"$/,
    ],
    [
      "nodeDefaults' memory below a router's",
      spec([r1(), r2()], { nodeDefaults: { memoryMiB: 20 } }),
      /^nodeDefaults\.memoryMiB: 20 MiB is below what a router node needs/,
    ],
    [
      "memory below Docker's floor",
      spec([r1(), r2()], { nodeDefaults: { memoryMiB: 4 } }),
      /^nodeDefaults\.memoryMiB: must be at least 6 MiB .*\(got 4\)$/,
    ],
  ];
  for (const [what, input, expected] of cases) {
    it(what, () => {
      expect(issuesOf(input)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });
  }

  it("a stretched segment takes its MTU from vxlan.mtu", () => {
    const stretched = { name: "wan", subnet: "10.80.9.0/24", gateway: "10.80.9.254", vxlan: { id: 9, remote: "192.0.2.9" }, mtu: 1400 };
    expect(
      issuesOf({ segments: [stretched], nodes: [{ name: "h", image: "client", interfaces: [{ segment: "wan", address: "10.80.9.1" }] }] }),
    ).toEqual([`segments[0].mtu: 1400: a stretched segment's MTU is its vxlan.mtu (1450)`]);
  });
});

describe("what the fields become", () => {
  const plan: LabPlan = planRoutedLab(
    "imp",
    {
      segments: [{ ...SEGMENTS[0], mtu: 9000, impairment: { rateMbit: 20 } }, SEGMENTS[1]],
      nodes: [
        r1({ mac: "02:AA:00:00:00:01", impairment: { delayMs: 50, jitterMs: 5, lossPercent: 10 } }, { cpus: 0.5 }),
        r2(),
        { name: "h1", image: "client", interfaces: [{ segment: "lan", address: "10.80.1.10", mtu: 1400 }] },
      ],
      nodeDefaults: { memoryMiB: 128 },
    },
    {},
  );
  const [p1, p2, h1] = plan.nodes;

  it("an interface's impairment wins over its segment's, which every other interface there takes", () => {
    expect(p1.interfaces[0].impairment).toEqual({ delayMs: 50, jitterMs: 5, lossPercent: 10 });
    expect(p2.interfaces[0].impairment).toEqual({ rateMbit: 20 });
    expect(p1.interfaces[1].impairment).toBeUndefined();
    expect(p1.interfaces[0].mac).toBe("02:aa:00:00:00:01");
  });

  it("nodeDefaults fill what a node leaves; the container gets cpus, memory and no swap", () => {
    expect([p1.cpus, p1.memoryMiB, p2.cpus, p2.memoryMiB]).toEqual([0.5, 128, undefined, 128]);
    const args = containerArgs(kindOf(p1).container(p1, { image: "router:x", networks: { core: "n1", lan: "n2" }, labels: {} }));
    expect(args).toMatchObject({ cpus: "0.5", memory: 128, memorySwap: 128 });
    const plain = containerArgs(
      kindOf(p2).container({ ...p2, memoryMiB: undefined }, { image: "router:x", networks: { core: "n1" }, labels: {} }),
    );
    expect(Object.keys(plain)).not.toContain("memory");
    expect(Object.keys(plain)).not.toContain("cpus");
  });

  it("the init sets MAC and MTU where the lab says, and only there; the impairment is not in the node's inputs", () => {
    const init = renderNodeInit(p1);
    expect(init).toContain('ip link set dev "$NETLABS_IF_CORE" address 02:aa:00:00:00:01 ||');
    expect(init).not.toContain("mtu");
    expect(renderNodeInit(h1)).toContain('ip link set dev "$NETLABS_IF_LAN" mtu 1400 ||');
    expect(renderNodeInit(p2)).not.toMatch(/address 02|mtu|tc /);
    expect(JSON.stringify(kindOf(p1).container(p1, { image: "x", networks: {}, labels: {} }))).not.toMatch(/netem|rateMbit|delayMs/);
    const h1Container = kindOf(h1).container(h1, { image: "x", networks: { lan: "n" }, labels: {} });
    expect(h1Container.capabilities?.adds).toContain("NET_ADMIN");
  });

  it("the helper's tc: netem at the root with tbf under it, tbf alone for a rate, nothing to clear", () => {
    expect(impairmentTcLines({ delayMs: 50, jitterMs: 5, lossPercent: 10, rateMbit: 20 })).toEqual([
      'tc qdisc add dev "$dev" root handle 1: netem delay 50ms 5ms loss 10%',
      'tc qdisc add dev "$dev" parent 1:1 handle 10: tbf rate 20000kbit burst 25000 latency 100ms',
    ]);
    expect(impairmentTcLines({ rateMbit: 1 })).toEqual([
      'tc qdisc add dev "$dev" root handle 10: tbf rate 1000kbit burst 18432 latency 100ms',
    ]);
    const clear = impairmentScript("10.80.0.1", undefined);
    expect(clear).toContain('tc qdisc del dev "$dev" root');
    expect(clear).not.toContain("tc qdisc add");
  });
});

describe("the host's kernel and size", () => {
  it("the kernel look tries netem in a namespace of its own, NET_ADMIN only, on the router image", () => {
    const args = kernelLookArgs("docker-netlabs/router:x");
    expect(args.slice(0, 11)).toEqual([
      "run",
      "--rm",
      "--pull",
      "never",
      "--network",
      "none",
      "--cap-drop",
      "ALL",
      "--cap-add",
      "NET_ADMIN",
      "--security-opt",
    ]);
    expect(KERNEL_LOOK_SCRIPT).toContain("tc qdisc add dev lo root netem delay 1ms");
    const images = { code: 0, stdout: "debian:bookworm-slim\ndocker-netlabs/router:b\ndocker-netlabs/router:a\n", stderr: "" };
    expect(kernelLookImage(images)).toBe("docker-netlabs/router:a");
    const said = "== cpus\n2\n== netem\nno: Error: Specified qdisc kind is unknown.\n";
    expect(parseKernelLook({ code: 0, stdout: said, stderr: "" }, "")).toEqual({
      cpus: 2,
      netem: "no: Error: Specified qdisc kind is unknown.",
    });
  });

  it("no netem, too little memory, too many CPUs: each named with the host and what needs it", () => {
    const facts = { dockerVersion: "28.5.0", memoryBytes: 1024 * 1048576, cpus: 2, netem: "no: Error: Specified qdisc kind is unknown." };
    const needs = {
      netem: ["lab l node r1's interface 10.0.0.1 on segment core"],
      memoryMiB: 2048,
      cpus: [{ what: "lab l node r1", cpus: 4 }],
    };
    expect(checkHostFacts("unix:///var/run/docker.sock", facts, needs).map((issue) => issue.message)).toEqual([
      "host unix:///var/run/docker.sock's kernel has no netem qdisc (module sch_netem; tc said Error: Specified qdisc kind is unknown.), which lab l node r1's interface 10.0.0.1 on segment core needs for its delay, jitter or loss (a rate alone needs only tbf)",
      "host unix:///var/run/docker.sock has 1024 MiB for containers; the labs' nodes ask for 2048 MiB together",
      "host unix:///var/run/docker.sock has 2 CPUs; lab l node r1 asks for 4",
    ]);
    expect(checkHostFacts("h", { ...facts, netem: "yes", cpus: 4, memoryBytes: 4096 * 1048576 }, needs)).toEqual([]);
  });

  const stack = (iface: Record<string, unknown>) => ({
    labs: '["routed-lab"]',
    routedLab: JSON.stringify(spec([r1(iface), r2()])),
  });
  const config = (values: Record<string, string>) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [`docker-netlabs:${key}`, value]));

  it("a unix:// engine without netem: delay fails when planning, naming host, interface and module; nothing registered", async () => {
    await withStandInDocker(
      { images: ["debian:bookworm-slim", "docker-netlabs/router:a"], netem: "no: Error: Specified qdisc kind is unknown." },
      async (docker) => {
        const mocks = new RecordingMocks();
        await expect(
          runProgram(mocks, () => buildStack(readStackConfig()), { config: config(stack({ impairment: { delayMs: 50 } })) }),
        ).rejects.toThrow(
          /docker-netlabs:dockerHost: host unix:\/\/\/var\/run\/docker\.sock's kernel has no netem qdisc \(module sch_netem; .*\), which lab routed-lab node r1's interface 10\.80\.0\.1 on segment core needs/,
        );
        expect(mocks.resources.length).toBe(0);
        expect(docker.calls().some((call) => call.includes("none") && call.includes("docker-netlabs/router:a"))).toBe(true);
      },
    );
  });

  it("a rate alone needs no netem: no kernel look, the stack is declared with a LinkImpairment and the node as before", async () => {
    await withStandInDocker({ netem: "no: Error: Specified qdisc kind is unknown." }, async (docker) => {
      const mocks = new RecordingMocks();
      await runProgram(mocks, () => buildStack(readStackConfig()), { config: config(stack({ impairment: { rateMbit: 20 } })) });
      const impairments = mocks.resources.filter((resource) => resource.type.endsWith(":LinkImpairment"));
      expect(impairments.map((resource) => [resource.name, resource.inputs.impairment, resource.inputs.address])).toEqual([
        ["routed-lab-r1-core-impairment", { rateMbit: 20 }, "10.80.0.1"],
      ]);
      expect(docker.calls()).toEqual([]);
    });
  });
});

describe("a RoutedLab of the user's own, on the local engine", () => {
  const labSpec = (impairment: Record<string, number>) => spec([r1({ impairment }), r2()]);

  it("tries the engine's kernel for netem when it plans: delay on a kernel without it fails naming host and interface, nothing registered", async () => {
    await withStandInDocker({ images: ["docker-netlabs/router:a"], netem: "no: Error: Specified qdisc kind is unknown." }, async () => {
      const mocks = new RecordingMocks();
      await expect(runProgram(mocks, () => new RoutedLab("imp", { spec: labSpec({ delayMs: 50 }) as RoutedLabSpec }))).rejects.toThrow(
        /host: host unix:\/\/\/var\/run\/docker\.sock's kernel has no netem qdisc .*which lab imp node r1's interface 10\.80\.0\.1 on segment core needs/,
      );
      expect(mocks.resources.length).toBe(0);
    });
  });

  it("a kernel with netem, or a rate alone (no look at all), is declared", async () => {
    await withStandInDocker({ images: ["docker-netlabs/router:a"], netem: "yes" }, async () => {
      const mocks = new RecordingMocks();
      await runProgram(mocks, () => new RoutedLab("imp", { spec: labSpec({ delayMs: 50 }) as RoutedLabSpec }));
      expect(mocks.resources.filter((resource) => resource.type.endsWith(":LinkImpairment")).length).toBe(1);
    });
    await withStandInDocker({ netem: "no: x" }, async (docker) => {
      await runProgram(new RecordingMocks(), () => new RoutedLab("imp", { spec: labSpec({ rateMbit: 5 }) as RoutedLabSpec }));
      expect(docker.calls()).toEqual([]);
    });
  });
});

describe("LinkImpairment's provider, as Pulumi's dynamic-provider host loads it", () => {
  /** A stand-in docker: the node runs; the helper says what `answer` says. */
  async function withHelperSaying(answer: string, body: (calls: () => string) => Promise<void>): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-impair-docker-"));
    const log = path.join(dir, "calls");
    fs.writeFileSync(
      path.join(dir, "docker"),
      [
        "#!/bin/sh",
        `echo "$*" >> '${log}'`,
        "shift 2 # -H <host>",
        'case "$1" in',
        "  inspect) echo true ;;",
        `  run) echo '${answer}' ;;`,
        "esac",
      ].join("\n"),
      { mode: 0o755 },
    );
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved}`;
    try {
      await body(() => (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : ""));
    } finally {
      process.env.PATH = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const provider = () => requireFromString(PROVIDER_TEXTS.LinkImpairment).handler();
  const inputs = {
    lab: "l",
    node: "r1",
    container: "l-r1",
    containerId: "abc",
    segment: "core",
    address: "10.80.0.1",
    impairment: { rateMbit: 20 },
    image: "docker-netlabs/router:a",
    dockerHost: "unix:///var/run/docker.sock",
    target: hostConnection("unix:///var/run/docker.sock").exec,
  };

  it("refresh finds a qdisc gone (a daemon restart): the next up's diff applies it again; one still there is no change", async () => {
    await withHelperSaying("missing", async (calls) => {
      const read = await provider().read("l-r1/10.80.0.1", inputs);
      expect(read.props.applied).toBe(false);
      expect(calls()).toContain("--network container:l-r1");
      expect(await provider().diff("l-r1/10.80.0.1", read.props, inputs)).toEqual({ changes: true });
    });
    await withHelperSaying("applied", async () => {
      const read = await provider().read("l-r1/10.80.0.1", inputs);
      expect(read.props.applied).toBe(true);
      expect(await provider().diff("l-r1/10.80.0.1", read.props, inputs)).toEqual({ changes: false });
    });
    expect(impairmentCheckScript("10.80.0.1", { delayMs: 5, rateMbit: 1 })).toContain('grep -q "^qdisc netem "');
  });
});
