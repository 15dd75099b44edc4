/**
 * `npm run bench`: figures users feel, printed as a table and written to bench-results/latest.json.
 * Medians of several runs, since these machines are noisy. It reuses the e2e support code (the
 * real-Docker mocks and the lab harness) rather than a copy of it.
 *
 *   evaluation   the dev stack program under recording mocks (no engine): plan cost
 *   bring-up     first resource applied -> first successful probe, images already built
 *   teardown     destroy of every resource, then the count of objects left (must be 0)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackConfig } from "../stacks/config";
import { buildStack } from "../stacks";
import { dockerUnavailableReason, execIn, waitFor } from "../test/support/docker-cli";
import { deployStack, freePort, leftovers, newTestRun, sweep, waitForNodes } from "../test/support/lab-harness";
import { RecordingMocks } from "../test/support/recording-mocks";
import { runProgram } from "../test/support/run-program";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

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

async function main() {
  const evaluation = await benchEvaluation();
  const rows: Record<string, string | number>[] = [
    { figure: "dev stack evaluation (mocks)", value: `${evaluation.medianMs.toFixed(0)} ms`, detail: `${evaluation.resources} resources, median of 5` },
  ];
  const labs = [];
  const skip = dockerUnavailableReason();
  if (skip) {
    rows.push({ figure: "real-engine figures", value: "skipped", detail: skip });
  } else {
    // Warm-up: builds the lab images once, so that bring-up figures exclude image builds.
    const warm = newTestRun();
    const deployed = await deployStack(warm, { labs: ["networking-demo", "routed-lan"], demoHostPort: await freePort(4017) });
    await deployed.mocks.destroyAll();
    await sweep(warm);
    for (const probe of PROBES) {
      const result = await benchLab(probe);
      labs.push(result);
      rows.push(
        { figure: `${probe.lab} bring-up`, value: `${(result.bringUpMs / 1000).toFixed(2)} s`, detail: `${result.resources} resources, median of ${result.runs}` },
        { figure: `${probe.lab} teardown`, value: `${(result.teardownMs / 1000).toFixed(2)} s`, detail: `left behind: ${result.leftBehind}` },
      );
    }
  }
  console.table(rows);
  const out = path.resolve(__dirname, "..", "bench-results");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, "latest.json"),
    JSON.stringify({ date: new Date().toISOString(), evaluation, labs }, null, 2) + "\n",
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
