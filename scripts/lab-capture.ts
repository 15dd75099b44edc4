/**
 * `npm run lab:capture -- <node> <interface|segment> [-w <file>] [--stack <stack>] [--seconds <n>]`:
 * pcap of one interface of a lab node, from the node's own network namespace on the stack's Docker
 * host (unix:// or ssh://), to standard output (`| wireshark -k -i -`) or a file. The stack is
 * `--stack`, else "dev", the one `npm run lab:up` selects (no Pulumi CLI is needed). Ctrl-C (or
 * the end of --seconds) stops tcpdump in the capture container, which ends the file cleanly and is
 * removed (scripts/capture/target.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { captureArgv, captureTarget, parseCaptureArgs, stackFileValues, stopArgv } from "./capture/target";

const ROOT = path.resolve(__dirname, "..");

function main(): number | Promise<number> {
  let request: ReturnType<typeof parseCaptureArgs>;
  let target: ReturnType<typeof captureTarget>;
  try {
    request = parseCaptureArgs(process.argv.slice(2), "dev");
    target = captureTarget(stackFileValues(ROOT, request.stack), request, randomBytes(3).toString("hex"));
  } catch (error) {
    console.error(`lab:capture: ${(error as Error).message}`);
    return 2;
  }
  // npm prints its "> script" banner on standard output unless -s: pcap after it is no pcap.
  if (!request.file && !process.stdout.isTTY && process.env.npm_lifecycle_event && process.env.npm_config_loglevel !== "silent") {
    console.error(
      "lab:capture: npm wrote its banner to standard output before the pcap: run `npm run -s lab:capture -- ...` (or -w <file>)",
    );
    return 2;
  }
  const [file, ...args] = captureArgv(target, request.seconds);
  const output = request.file ? fs.openSync(request.file, "w") : "inherit";
  const capture = spawn(file, args, { stdio: ["ignore", output, "inherit"] });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const [stopFile, ...stopArgs] = stopArgv(target);
    spawnSync(stopFile, stopArgs, { stdio: ["ignore", "ignore", "inherit"], timeout: 30_000 });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise((resolve) => {
    capture.on("exit", (code, signal) => {
      if (typeof output === "number") fs.closeSync(output);
      // tcpdump stopped by Ctrl-C, or by the end of --seconds (SIGINT), ended its file as it should.
      resolve(stopping || code === 124 || code === 130 ? 0 : (code ?? (signal ? 1 : 0)));
    });
  });
}

Promise.resolve(main()).then((code) => process.exit(code));
