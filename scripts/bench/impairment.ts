/**
 * Issue 23's figures: how long a second `up` takes to apply a changed impairment (an update of the
 * LinkImpairment alone) against one that replaces the node (a changed command: the container is
 * replaced, waited for, and the impairment applied to the new one); and how long `npm run
 * lab:capture` takes from its start to the pcap header (tcpdump capturing). Two OSPF routers on a
 * link, r1's side impaired, deployed as a stack so that the capture plans the same stack file.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { DeployedStack, deployStack, newTestRun, redeployStack, sweep, waitForNodes } from "../../test/support/lab-harness";

export interface ImpairmentBench {
  updateMs: number[];
  replaceMs: number[];
  captureStartMs: number[];
}

const ROOT = path.resolve(__dirname, "../..");

function config(rateMbit: number, r1Commands: string[]): Record<string, unknown> {
  const ospf = { area: "0.0.0.0" };
  return {
    labs: ["routed-lab"],
    routedLab: {
      segments: [{ name: "link", subnet: "10.238.0.0/24" }],
      nodes: [
        {
          name: "r1",
          image: "router",
          router: true,
          ospf,
          commands: r1Commands,
          interfaces: [{ segment: "link", address: "10.238.0.1", impairment: { rateMbit } }],
        },
        { name: "r2", image: "router", router: true, ospf, interfaces: [{ segment: "link", address: "10.238.0.2" }] },
      ],
    },
  };
}

/** Milliseconds from the capture's start to tcpdump's pcap header in its file; then Ctrl-C. */
async function captureStartMs(stackFile: string, pcap: string): Promise<number> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/lab-capture.ts", "r1", "link", "--stack", stackFile, "-w", pcap], {
    cwd: ROOT,
    stdio: "ignore",
    detached: true,
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  while (Date.now() - started < 60_000 && !(fs.existsSync(pcap) && fs.statSync(pcap).size >= 24)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const elapsed = Date.now() - started;
  process.kill(-child.pid!, "SIGINT");
  await exited;
  if (elapsed >= 60_000) throw new Error("lab:capture wrote no pcap within 60 s");
  return elapsed;
}

export async function benchImpairment(runs: number): Promise<ImpairmentBench> {
  const result: ImpairmentBench = { updateMs: [], replaceMs: [], captureStartMs: [] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-bench-impair-"));
  for (let i = 0; i < runs; i++) {
    const run = newTestRun();
    let deployed: DeployedStack | undefined;
    try {
      deployed = await deployStack(run, config(20, []));
      await waitForNodes([`${run.prefix}routed-lab-r1`, `${run.prefix}routed-lab-r2`]);
      let started = Date.now();
      deployed = await redeployStack(run, deployed, config(50, []));
      result.updateMs.push(Date.now() - started);
      started = Date.now();
      deployed = await redeployStack(run, deployed, config(50, [`echo run ${i}`]));
      result.replaceMs.push(Date.now() - started);
      const stackFile = path.join(dir, `Pulumi.bench-${i}.yaml`);
      const values = { ...config(50, [`echo run ${i}`]), namePrefix: run.prefix };
      fs.writeFileSync(
        stackFile,
        stringify({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`docker-netlabs:${k}`, v])) }),
      );
      result.captureStartMs.push(await captureStartMs(stackFile, path.join(dir, `bench-${i}.pcap`)));
    } finally {
      if (deployed) await deployed.mocks.destroyAll();
      await sweep(run);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}
