/**
 * Plan cost at scale: evaluation of generated RoutedLab topologies under recording mocks, each in
 * a fresh node process running the compiled program (so that peak memory is its own and neither
 * TypeScript transpiling nor source maps are counted).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Shape } from "./topologies";

export interface ScalePoint {
  shape: Shape;
  nodes: number;
  resources: number;
  medianMs: number;
  peakRssMb: number;
}

const ROOT = path.resolve(__dirname, "..", "..");

export function compileProgram(): string {
  // Inside the project (bin/ is ignored by git), so that node_modules resolve.
  const outDir = path.join(ROOT, "bin", "bench");
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  execFileSync("npx", ["tsc", "-p", ".", "--outDir", outDir], { cwd: ROOT, stdio: "pipe" });
  // The compiled program reads images/ relative to itself.
  fs.symlinkSync(path.join(ROOT, "images"), path.join(outDir, "images"));
  return outDir;
}

export function measureScale(outDir: string, shapes: Shape[], sizes: number[], runs: number): ScalePoint[] {
  const points: ScalePoint[] = [];
  for (const shape of shapes) {
    for (const nodes of sizes) {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const output = execFileSync("node", [path.join(outDir, "scripts/bench/evaluate.js"), shape, String(nodes)], {
          cwd: ROOT,
          timeout: 15 * 60_000,
          maxBuffer: 16 * 1024 * 1024,
        });
        samples.push(JSON.parse(output.toString().trim().split("\n").pop()!));
      }
      const times = samples.map((s) => s.ms).sort((a, b) => a - b);
      points.push({
        shape,
        nodes: samples[0].nodes,
        resources: samples[0].resources,
        medianMs: times[Math.floor(times.length / 2)],
        peakRssMb: Math.max(...samples.map((s) => s.maxRssMb)),
      });
    }
  }
  return points;
}
