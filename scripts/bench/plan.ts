/**
 * Plan cost beside its floor (issue 19, "Figures"). Each figure is the median of several fresh
 * node processes on the compiled program (plan-program.ts), each paired with its floor
 * (plan-floor.ts): an empty program that declares the same resources, types, names and inputs,
 * under the same recording mocks, promise stack traces off. Program and floor runs alternate, so
 * that load from other work on the machine falls on both alike.
 *
 *   pure plan of a chain of N nodes, alone
 *   RoutedLab on a chain of N nodes (several N, to see whether it grows linearly)
 *   a stack with every composition (plan-entry.ts, STACK_LABS)
 *
 * The own share of a figure is (program - floor) / program. Under mocks every process runs without
 * an engine: a `docker` on PATH that refuses and reports makes sure none is reached.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PlanSample } from "./plan-sample";
import { compileProgram } from "./scale";

const ROOT = path.resolve(__dirname, "..", "..");

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface PlanFigure {
  figure: string;
  resources: number;
  byType: Record<string, number>;
  ms: Spread;
  cpuMs: Spread;
  rssMb: Spread;
  /** The same resources declared by an empty program; absent for the pure plan. */
  floor?: FloorFigure;
  /** The same, with the program's dependencies between them (plan-floor.ts --same-dependencies). */
  floorWithDependencies?: FloorFigure;
  samples: { program: PlanSample[]; floor: PlanSample[]; floorWithDependencies: PlanSample[] };
}

export interface FloorFigure {
  resources: number;
  ms: Spread;
  cpuMs: Spread;
  rssMb: Spread;
}

export interface PlanOptions {
  runs: number;
  /** Chain sizes of the RoutedLab figures; the largest is also the pure plan's. */
  sizes: number[];
  /** Nodes of the routed-lab in the stack with every composition. */
  stackNodes: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Runs plan-bench processes of one compiled program, with a `docker` on PATH that only reports. */
export class PlanRunner {
  readonly outDir = compileProgram();
  private readonly work = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-plan-bench-"));
  private readonly dockerCalls = path.join(this.work, "docker-calls");

  constructor() {
    fs.mkdirSync(path.join(this.work, "bin"));
    fs.writeFileSync(path.join(this.work, "bin", "docker"), `#!/bin/sh\necho "docker $*" >> '${this.dockerCalls}'\nexit 1\n`, {
      mode: 0o755,
    });
  }

  recordFile(name: string): string {
    return path.join(this.work, `${name}.json`);
  }

  /** One process: `node <bench script> <args>`, its one JSON line. */
  run(script: "plan-program" | "plan-floor", args: string[]): PlanSample {
    const output = execFileSync(process.execPath, [path.join(this.outDir, "scripts/bench", `${script}.js`), ...args], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${path.join(this.work, "bin")}:${process.env.PATH}` },
      timeout: 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (fs.existsSync(this.dockerCalls)) throw new Error(`planning under mocks ran ${fs.readFileSync(this.dockerCalls, "utf8").trim()}`);
    return JSON.parse(output.toString().trim().split("\n").pop()!);
  }

  close(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
    fs.rmSync(this.outDir, { recursive: true, force: true });
  }
}

function floorOf(samples: PlanSample[]): FloorFigure | undefined {
  if (samples.length === 0) return undefined;
  return {
    resources: samples[0].resources,
    ms: spread(samples.map((s) => s.ms)),
    cpuMs: spread(samples.map((s) => s.cpuMs)),
    rssMb: spread(samples.map((s) => s.maxRssMb)),
  };
}

function figureOf(figure: string, program: PlanSample[], floor: PlanSample[], floorWithDependencies: PlanSample[] = []): PlanFigure {
  const base = {
    figure,
    resources: program[0].resources,
    byType: program[0].byType,
    ms: spread(program.map((s) => s.ms)),
    cpuMs: spread(program.map((s) => s.cpuMs)),
    rssMb: spread(program.map((s) => s.maxRssMb)),
    samples: { program, floor, floorWithDependencies },
  };
  const floors = { floor: floorOf(floor), floorWithDependencies: floorOf(floorWithDependencies) };
  return {
    ...base,
    ...(floors.floor ? { floor: floors.floor } : {}),
    ...(floors.floorWithDependencies ? { floorWithDependencies: floors.floorWithDependencies } : {}),
  };
}

/**
 * `runs` turns of three: the program (the first run writes down what it registered), then its floor
 * from that record with the given flags, then the same floor with the program's dependencies.
 */
export function programAndFloor(
  runner: PlanRunner,
  label: string,
  programArgs: string[],
  runs: number,
  floorFlags: string[] = [],
): PlanFigure {
  const record = runner.recordFile(label.replace(/\W+/g, "-"));
  const program: PlanSample[] = [];
  const floor: PlanSample[] = [];
  const wired: PlanSample[] = [];
  for (let i = 0; i < runs; i++) {
    program.push(runner.run("plan-program", i === 0 ? [...programArgs, "--record", record] : programArgs));
    floor.push(runner.run("plan-floor", [record, ...floorFlags]));
    wired.push(runner.run("plan-floor", [record, "--same-dependencies", ...floorFlags]));
  }
  const figure = figureOf(label, program, floor, wired);
  for (const declared of [figure.floor, figure.floorWithDependencies]) {
    if (declared && declared.resources !== figure.resources) {
      throw new Error(`${label}: a floor registered ${declared.resources} resources, the program ${figure.resources}`);
    }
  }
  return figure;
}

export function measurePlan(runner: PlanRunner, options: PlanOptions): PlanFigure[] {
  const largest = Math.max(...options.sizes);
  const pure = Array.from({ length: options.runs }, () => runner.run("plan-program", ["pure", String(largest)]));
  const figures = [figureOf(`pure plan, chain of ${largest}`, pure, [])];
  for (const nodes of options.sizes) {
    figures.push(programAndFloor(runner, `RoutedLab, chain of ${nodes}`, ["lab", String(nodes)], options.runs));
  }
  figures.push(programAndFloor(runner, "stack with every composition", ["stack", String(options.stackNodes)], options.runs));
  return figures;
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

const range = (s: Spread) => `${fixed(s.median)} (${fixed(s.min)}-${fixed(s.max)})`;

/**
 * One table line per figure: median (min-max) of wall time, CPU time and peak memory, each against
 * its floor. The own share is also given by CPU time, which other work on the machine sways less
 * than wall time (it counts every thread of the process, the GC's helpers too).
 */
export function planTable(figures: PlanFigure[]): Record<string, string | number>[] {
  return figures.map((f) => ({
    figure: f.figure,
    resources: f.resources,
    "time ms": range(f.ms),
    "CPU ms": range(f.cpuMs),
    "peak RSS MB": range(f.rssMb),
    "floor ms": f.floor ? range(f.floor.ms) : "",
    "floor CPU ms": f.floor ? range(f.floor.cpuMs) : "",
    "floor RSS MB": f.floor ? range(f.floor.rssMb) : "",
    "time / floor": f.floor ? fixed(f.ms.median / f.floor.ms.median, 2) : "",
    "own share": f.floor ? percent((f.ms.median - f.floor.ms.median) / f.ms.median) : "",
    "own share (CPU)": f.floor ? percent((f.cpuMs.median - f.floor.cpuMs.median) / f.cpuMs.median) : "",
    "RSS / floor": f.floor ? fixed(f.rssMb.median / f.floor.rssMb.median, 2) : "",
    "floor with dependencies CPU ms": f.floorWithDependencies ? range(f.floorWithDependencies.cpuMs) : "",
    "own share with dependencies (CPU)": f.floorWithDependencies
      ? percent((f.cpuMs.median - f.floorWithDependencies.cpuMs.median) / f.cpuMs.median)
      : "",
  }));
}

/** How the RoutedLab figures grow: time and memory per node at each size, against the smallest. */
export function linearity(figures: PlanFigure[], sizes: number[]): string {
  const labs = sizes.map((n) => ({ n, figure: figures.find((f) => f.figure === `RoutedLab, chain of ${n}`)! }));
  const [first] = labs;
  return labs
    .map(({ n, figure }) => {
      const perNode = (spread: Spread) => spread.median / n;
      const against = (spread: Spread, firstSpread: Spread) => fixed(perNode(spread) / (firstSpread.median / first.n), 2);
      const { ms, cpuMs, floor } = figure;
      return (
        `${n}: ${fixed(perNode(ms), 2)} ms/node (x${against(ms, first.figure.ms)}), CPU x${against(cpuMs, first.figure.cpuMs)}, ` +
        `floor ${fixed(perNode(floor!.ms), 2)} ms/node (x${against(floor!.ms, first.figure.floor!.ms)}), CPU x${against(floor!.cpuMs, first.figure.floor!.cpuMs)}`
      );
    })
    .join("; ");
}

const NODES_READY = "pulumi-nodejs:dynamic/netlabs:NodesReady";

/**
 * What would lower the floor, and what our own share is made of, on a chain of `nodes`: the
 * program with and without its readiness gate, with the gate given the container ids as one
 * output (and without its redundant dependsOn), with promise stack traces off for the whole
 * run (promises made after the synchronous declaration, while inputs are serialized, still take
 * one); its floor whole, the same with stack traces off throughout, with every custom resource
 * declared with its inputs only (not the SDK class that adds each output of the type), and
 * without each kind of resource. Each variant `runs` times, in turns.
 */
export function measureWhatIf(runner: PlanRunner, nodes: number, runs: number): PlanFigure[] {
  const record = runner.recordFile(`what-if-${nodes}`);
  const variants: { figure: string; script: "plan-program" | "plan-floor"; args: string[] }[] = [
    { figure: "program", script: "plan-program", args: ["lab", String(nodes)] },
    { figure: "program without NodesReady", script: "plan-program", args: ["lab-without-readiness", String(nodes)] },
    {
      figure: "program, NodesReady given the ids as one output",
      script: "plan-program",
      args: ["lab-readiness-one-output", String(nodes)],
    },
    {
      figure: "program, NodesReady given the ids as one output, no dependsOn",
      script: "plan-program",
      args: ["lab-readiness-one-output-no-depends-on", String(nodes)],
    },
    { figure: "program, stack traces off throughout", script: "plan-program", args: ["lab", String(nodes), "--stacks-off"] },
    { figure: "floor", script: "plan-floor", args: [record] },
    { figure: "floor with the program's dependencies", script: "plan-floor", args: [record, "--same-dependencies"] },
    { figure: "floor, inputs only (--lean)", script: "plan-floor", args: [record, "--lean"] },
    { figure: "floor, stack traces off throughout", script: "plan-floor", args: [record, "--stacks-off"] },
    { figure: "floor without NodesReady", script: "plan-floor", args: [record, "--drop", NODES_READY] },
    { figure: "floor without networks", script: "plan-floor", args: [record, "--drop", "docker:index/network:Network"] },
    { figure: "floor without containers", script: "plan-floor", args: [record, "--drop", "docker:index/container:Container"] },
  ];
  const samples = variants.map(() => [] as PlanSample[]);
  samples[0].push(runner.run("plan-program", [...variants[0].args, "--record", record]));
  for (let i = 0; i < runs; i++) {
    variants.forEach((variant, v) => {
      if (i > 0 || v > 0) samples[v].push(runner.run(variant.script, variant.args));
    });
  }
  return variants.map((variant, v) => figureOf(`${variant.figure}, chain of ${nodes}`, samples[v], []));
}

/** What-if lines: each against the whole floor. */
export function whatIfTable(figures: PlanFigure[]): Record<string, string | number>[] {
  const floor = figures.find((f) => f.figure.startsWith("floor, chain of"))!;
  return figures.map((f) => ({
    figure: f.figure,
    resources: f.resources,
    "time ms": range(f.ms),
    "CPU ms": range(f.cpuMs),
    "peak RSS MB": range(f.rssMb),
    "time - floor ms": fixed(f.ms.median - floor.ms.median),
    "CPU - floor ms": fixed(f.cpuMs.median - floor.cpuMs.median),
    "RSS - floor MB": fixed(f.rssMb.median - floor.rssMb.median),
  }));
}
