/**
 * One plan-cost measurement in a fresh process (so peak memory is this evaluation's own):
 * `tsx scripts/bench/evaluate.ts <chain|star> <nodes>` prints one JSON line.
 */
import { RoutedLab } from "../../components/routed-lab";
import { RecordingMocks } from "../../test/support/recording-mocks";
import { runProgram } from "../../test/support/run-program";
import { Shape, generateLab } from "./topologies";

async function main() {
  const [shape, nodesText] = process.argv.slice(2);
  const spec = generateLab(shape as Shape, Number(nodesText));
  const mocks = new RecordingMocks();
  const started = process.hrtime.bigint();
  await runProgram(mocks, () => new RoutedLab("scale", { spec, images: { router: "r:1", client: "c:1" } }));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ shape, nodes: spec.nodes.length, resources: mocks.resources.length, ms, maxRssMb }) + "\n");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
