/**
 * `npm run bench`: figures users feel, printed as a table and written to bench-results/latest.json.
 * Medians of several runs, since these machines are noisy. It reuses the e2e support code (the
 * real-Docker mocks and the lab harness) rather than a copy of it.
 *
 *   evaluation   the dev stack program under recording mocks (no engine): plan cost
 *   bring-up     first resource applied -> first successful probe, images already built
 *   teardown     destroy of every resource, then the count of objects left (must be 0)
 *   bgp          BGP triangle: bring-up to HOST's first fetch, outage after a one-sided R1-R2 cut
 *                with BFD and with BFD off, recovery after the link returns
 *   nc           NetworkContainer: router start to a bound DHCP lease; first-byte latency through
 *                the DNAT path versus straight to the target
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BgpTriangle } from "../components/bgp";
import { readStackConfig } from "../stacks/config";
import { buildStack } from "../stacks";
import { dockerUnavailableReason, execIn, waitFor } from "../test/support/docker-cli";
import { measureOutage, nextHop, waitForEstablished } from "../test/support/bgp-probes";
import { STATIC_ADDRESS, createVeth, lanSide, privateSide } from "../test/support/network-container-lab";
import { valueOf } from "../test/support/run-program";
import { run as runCommand } from "../test/support/docker-cli";
import { TEST_LABEL, deployProgram, deployStack, freePort, leftovers, newTestRun, sweep, waitForNodes } from "../test/support/lab-harness";
import { RecordingMocks } from "../test/support/recording-mocks";
import { runProgram } from "../test/support/run-program";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** BENCH_ONLY=labs,bgp,nc runs only those sections of the real-engine figures. */
const ONLY = new Set((process.env.BENCH_ONLY ?? "labs,bgp,nc").split(","));

interface LabProbe {
  lab: "networking-demo" | "routed-lan";
  /** Node that runs the probe and the URL it fetches. */
  from: string;
  url: string;
}

const PROBES: LabProbe[] = [
  { lab: "networking-demo", from: "client-1", url: "http://server-1/" },
  { lab: "routed-lan", from: "h1", url: "http://10.232.3.10/" },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function benchEvaluation(): Promise<{ medianMs: number; resources: number }> {
  const times: number[] = [];
  let resources = 0;
  for (let i = 0; i < 5; i++) {
    const mocks = new RecordingMocks();
    const started = process.hrtime.bigint();
    await runProgram(mocks, () => buildStack(readStackConfig()), {});
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    resources = mocks.resources.length;
  }
  return { medianMs: median(times), resources };
}

async function benchLab(probe: LabProbe) {
  const bringUps: number[] = [];
  const teardowns: number[] = [];
  let left = 0;
  let resources = 0;
  for (let i = 0; i < RUNS; i++) {
    const run = newTestRun();
    try {
      const deployed = await deployStack(run, { labs: [probe.lab], demoHostPort: await freePort(4017) });
      resources = deployed.mocks.timings.length;
      const nodes = deployed.outputs.labs[probe.lab].nodes;
      const answered = await waitFor(
        async () => ((await execIn(nodes[probe.from].container, ["curl", "-sf", "--max-time", "2", probe.url])).code === 0 ? Date.now() : undefined),
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      if (!answered) throw new Error(`${probe.lab}: probe ${probe.url} never answered`);
      bringUps.push(answered - deployed.startedAt);
      await waitForNodes(Object.values(nodes).map((n) => n.container));
      const started = Date.now();
      await deployed.mocks.destroyAll();
      teardowns.push(Date.now() - started);
      const after = await leftovers(run);
      left += after.containers.length + after.networks.length + after.hostRules.length;
    } finally {
      await sweep(run);
    }
  }
  return { lab: probe.lab, resources, bringUpMs: median(bringUps), teardownMs: median(teardowns), leftBehind: left, runs: RUNS };
}

interface BgpFigures {
  bfd: boolean;
  bringUpMs: number;
  outageMs: number;
  recoveryMs: number;
}

/** One BGP triangle run: bring-up, one-sided R1-R2 cut with the outage measured, link restored. */
async function benchBgpOnce(bfd: boolean): Promise<BgpFigures> {
  const run = newTestRun();
  try {
    const deployed = await deployProgram(() =>
      new BgpTriangle("bgp", { bfd: bfd ? undefined : false, namePrefix: run.prefix, labels: { [TEST_LABEL]: run.id } }),
    );
    const lab = deployed.outputs;
    const host = lab.nodes.host.container;
    const r1 = lab.nodes.r1.container;
    const answered = await waitFor(
      async () => ((await execIn(host, ["curl", "-sf", "--max-time", "1", `http://${lab.webAddress}/`])).code === 0 ? Date.now() : undefined),
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    if (!answered) throw new Error("bgp: HOST never fetched the question");
    const routers = ["r1", "r2", "r3"].map((r) => lab.nodes[r].container);
    if ((await waitForEstablished(routers, 2, 60_000)) === undefined) throw new Error("bgp: sessions not Established");
    const network = lab.segments.r1r2.network;
    const outage = await measureOutage(host, lab.webAddress, () => runCommand("docker", ["network", "disconnect", network, r1]), {
      seconds: bfd ? 8 : 15,
    });
    const reconnected = Date.now();
    await runCommand("docker", ["network", "connect", "--ip", lab.nodes.r1.addresses.r1r2, "--alias", "r1", network, r1]);
    const back = await waitFor(async () => (await nextHop(r1, lab.webAddress)) === lab.nodes.r2.addresses.r1r2 ? Date.now() : undefined, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await deployed.mocks.destroyAll();
    return { bfd, bringUpMs: answered - deployed.startedAt, outageMs: outage.outageMs, recoveryMs: back ? back - reconnected : NaN };
  } finally {
    await sweep(run);
  }
}

async function benchBgp(): Promise<{ bfd: BgpFigures[]; plain: BgpFigures[] }> {
  const bfd: BgpFigures[] = [];
  const plain: BgpFigures[] = [];
  for (let i = 0; i < RUNS; i++) {
    bfd.push(await benchBgpOnce(true));
    plain.push(await benchBgpOnce(false));
  }
  return { bfd, plain };
}

/** Median time to first byte, in ms, of `count` sequential fetches from `container`. */
async function firstByteMs(container: string, url: string, count = 30): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const result = await execIn(container, ["curl", "-s", "-o", "/dev/null", "--max-time", "2", "-w", "%{time_starttransfer}", url]);
    if (result.code === 0) samples.push(Number(result.stdout) * 1000);
  }
  if (samples.length === 0) throw new Error(`no answer from ${url}`);
  return median(samples);
}

interface NcFigures {
  dhcpBoundMs: number[];
  dnatFirstByteMs: number;
  directFirstByteMs: number;
}

async function benchNetworkContainer(): Promise<NcFigures> {
  const privateRun = newTestRun();
  const veth = await createVeth(privateRun);
  const targets = await deployProgram(() => privateSide(privateRun));
  const figures: NcFigures = { dhcpBoundMs: [], dnatFirstByteMs: NaN, directFirstByteMs: NaN };
  try {
    await waitForNodes(Object.values(targets.outputs.nodes).map((n) => n.container));
    for (let i = 0; i < RUNS; i++) {
      const lanRun = newTestRun();
      try {
        const lan = await deployProgram(() => lanSide(lanRun, privateRun, veth.parent));
        await valueOf(lan.outputs.dhcpNc.address);
        const router = lan.outputs.dhcpNc.routerContainer;
        const started = Date.parse((await runCommand("docker", ["inspect", "--format", "{{.State.StartedAt}}", router])).stdout.trim());
        const leased = Number((await execIn(router, ["date", "+%s.%N", "-r", "/run/netlabs/lease"])).stdout) * 1000;
        figures.dhcpBoundMs.push(Math.round(leased - started));
        if (i === 0) {
          figures.dnatFirstByteMs = await firstByteMs(lan.outputs.clientName, `http://${STATIC_ADDRESS}/`);
          figures.directFirstByteMs = await firstByteMs(targets.outputs.nodes.probe.container, "http://10.234.0.11/");
        }
        await lan.mocks.destroyAll();
      } finally {
        await sweep(lanRun);
      }
    }
  } finally {
    await targets.mocks.destroyAll();
    await sweep(privateRun);
    await veth.remove();
  }
  return figures;
}

async function main() {
  const evaluation = await benchEvaluation();
  const rows: Record<string, string | number>[] = [
    { figure: "dev stack evaluation (mocks)", value: `${evaluation.medianMs.toFixed(0)} ms`, detail: `${evaluation.resources} resources, median of 5` },
  ];
  const labs = [];
  let bgp: { bfd: BgpFigures[]; plain: BgpFigures[] } | undefined;
  let nc: NcFigures | undefined;
  const skip = dockerUnavailableReason();
  if (skip) {
    rows.push({ figure: "real-engine figures", value: "skipped", detail: skip });
  } else {
    // Warm-up: builds the lab images once, so that bring-up figures exclude image builds.
    const warm = newTestRun();
    const deployed = await deployStack(warm, { labs: ["networking-demo", "routed-lan"], demoHostPort: await freePort(4017) });
    await deployed.mocks.destroyAll();
    await sweep(warm);
    for (const probe of ONLY.has("labs") ? PROBES : []) {
      const result = await benchLab(probe);
      labs.push(result);
      rows.push(
        { figure: `${probe.lab} bring-up`, value: `${(result.bringUpMs / 1000).toFixed(2)} s`, detail: `${result.resources} resources, median of ${result.runs}` },
        { figure: `${probe.lab} teardown`, value: `${(result.teardownMs / 1000).toFixed(2)} s`, detail: `left behind: ${result.leftBehind}` },
      );
    }
    if (ONLY.has("bgp")) bgp = await benchBgp();
    const med = (list: BgpFigures[], key: keyof BgpFigures) => median(list.map((f) => f[key] as number));
    if (bgp) rows.push(
      { figure: "bgp-triangle bring-up to HOST's first fetch", value: `${(med(bgp.bfd, "bringUpMs") / 1000).toFixed(2)} s`, detail: `median of ${RUNS}; BFD off: ${(med(bgp.plain, "bringUpMs") / 1000).toFixed(2)} s` },
      { figure: "bgp failover, one-sided R1-R2 cut, BFD 100ms x3", value: `${med(bgp.bfd, "outageMs").toFixed(0)} ms`, detail: `runs: ${bgp.bfd.map((f) => f.outageMs).join(", ")} ms` },
      { figure: "bgp failover, same cut, BFD off (timers 1/3)", value: `${med(bgp.plain, "outageMs").toFixed(0)} ms`, detail: `runs: ${bgp.plain.map((f) => f.outageMs).join(", ")} ms` },
      { figure: "bgp recovery, link back to R1-R2 path", value: `${med(bgp.bfd, "recoveryMs").toFixed(0)} ms`, detail: `BFD off: ${med(bgp.plain, "recoveryMs").toFixed(0)} ms` },
    );
    if (ONLY.has("nc")) nc = await benchNetworkContainer();
    if (nc) rows.push(
      { figure: "network container: router start to DHCP lease", value: `${median(nc.dhcpBoundMs).toFixed(0)} ms`, detail: `runs: ${nc.dhcpBoundMs.join(", ")} ms` },
      {
        figure: "network container: first byte via DNAT",
        value: `${nc.dnatFirstByteMs.toFixed(2)} ms`,
        detail: `direct: ${nc.directFirstByteMs.toFixed(2)} ms, ratio ${(nc.dnatFirstByteMs / nc.directFirstByteMs).toFixed(2)} (median of 30)`,
      },
    );
  }
  console.table(rows);
  const out = path.resolve(__dirname, "..", "bench-results");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, "latest.json"),
    JSON.stringify({ date: new Date().toISOString(), evaluation, labs, bgp, nc }, null, 2) + "\n",
  );
  console.log(`written: ${path.join(out, "latest.json")}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
