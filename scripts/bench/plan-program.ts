/**
 * One plan-bench measurement of the program, in a fresh process on the compiled program (so that
 * peak memory is this run's own): `node plan-program.js <kind> <nodes> [--record <file>] [--stacks-off]`.
 *
 *   pure   the pure plan of a generated chain of <nodes> nodes, alone
 *   lab    the lab component on that chain, under the unit tier's recording mocks
 *   lab-without-readiness  the same, its readiness gate left out (a what-if)
 *   lab-readiness-one-output  the gate given the container ids as one output (a what-if)
 *   lab-readiness-one-output-no-depends-on  and without its explicit dependsOn (a what-if)
 *   stack  the whole program with every composition (routed-lab a chain of <nodes> nodes), same mocks
 *
 * Prints one JSON line (PlanSample). With --record, it writes to the file what was registered (type,
 * name, inputs as the engine would get them), from which plan-floor.ts declares the same resources.
 * --stacks-off (a what-if): promise stack traces off for the whole run, not only while declaring.
 */
import * as fs from "node:fs";
import { RecordingMocks } from "../../test/support/recording-mocks";
import { runProgram } from "../../test/support/run-program";
import { allLabsConfig, declareLab, declareLabWithLeanReadiness, declareLabWithoutReadiness, declareStack, planLab } from "./plan-entry";
import { PlanSample, countByType, elapsed, maxRssMb, rssMb, startClock } from "./plan-sample";
import { generateLab } from "./topologies";
import { dependenciesFile } from "./plan-sample";

async function main(): Promise<void> {
  const [kind, nodesText, ...flags] = process.argv.slice(2);
  const recordFile = flags.includes("--record") ? flags[flags.indexOf("--record") + 1] : undefined;
  // The program restores the limit it found after declaring: 0 found, 0 kept.
  if (flags.includes("--stacks-off")) Error.stackTraceLimit = 0;
  const nodes = Number(nodesText);
  const spec = generateLab("chain", nodes);
  const declarations: Record<string, () => unknown> = {
    lab: () => declareLab("scale", spec),
    "lab-without-readiness": () => declareLabWithoutReadiness("scale", spec),
    "lab-readiness-one-output": () => declareLabWithLeanReadiness("scale", spec, { dependsOn: true }),
    "lab-readiness-one-output-no-depends-on": () => declareLabWithLeanReadiness("scale", spec, { dependsOn: false }),
    stack: declareStack,
  };
  if (!(kind === "pure" || kind in declarations) || !(nodes > 0)) {
    throw new Error(`usage: plan-program.js <pure|${Object.keys(declarations).join("|")}> <nodes> [--record <file>] [--stacks-off]`);
  }
  const baseRssMb = rssMb();
  if (kind === "pure") {
    const started = startClock();
    planLab("scale", spec);
    const sample: PlanSample = { ...elapsed(started), maxRssMb: maxRssMb(), baseRssMb, resources: 0, byType: {} };
    process.stdout.write(JSON.stringify(sample) + "\n");
    return;
  }
  const mocks = new RecordingMocks();
  const options = kind === "stack" ? allLabsConfig(nodes) : {};
  const started = startClock();
  await runProgram(mocks, declarations[kind], options);
  const sample: PlanSample = {
    ...elapsed(started),
    maxRssMb: maxRssMb(),
    baseRssMb,
    resources: mocks.resources.length,
    byType: countByType(mocks.resources.map((resource) => resource.type)),
  };
  // Written after the figures are taken: it costs neither time nor peak memory of the run.
  if (recordFile) {
    fs.writeFileSync(recordFile, JSON.stringify(mocks.resources));
    fs.writeFileSync(dependenciesFile(recordFile), JSON.stringify(Object.fromEntries(mocks.options)));
  }
  process.stdout.write(JSON.stringify(sample) + "\n");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
