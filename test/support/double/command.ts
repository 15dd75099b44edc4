/**
 * command.local.Command and command.remote.Command as @pulumi/command 4.5.0 runs them; its SDK has
 * the inputs of pulumi/pulumi-command v0.9 (no addPreviousOutputInEnv, no logging), whose
 * provider/pkg/provider/{local,remote}/commandController.go and commandOutputs.go this follows:
 * - create runs `create` (if any) and keeps its stdout and stderr, trailing newline cut;
 * - a change of `triggers` replaces (replaceOnChanges), create before delete; any other change
 *   updates: `update`, else `create`, runs again, its outputs replacing the previous ones (kept when
 *   neither is set);
 * - delete runs `delete` (if any);
 * - every run gets the previous run's stdout and stderr as PULUMI_COMMAND_STDOUT and
 *   PULUMI_COMMAND_STDERR, each only when not empty, after `environment`;
 * - local: `/bin/sh -c` (or `interpreter`) in `dir` (else the program's), the program's environment
 *   plus those; remote: command-ssh.ts.
 */
import { randomBytes } from "node:crypto";
import { run } from "../docker-cli";
import { runOverSsh } from "./command-ssh";
import { Diff, ResourceEmulator, changedInputs } from "./emulator";
import { AppliedResource, Inputs } from "./state";

const LOCAL_COMMAND_INPUTS = new Set(["create", "update", "delete", "environment", "dir", "interpreter", "stdin", "triggers"]);
const REMOTE_COMMAND_INPUTS = new Set(["connection", "create", "update", "delete", "environment", "stdin", "triggers"]);

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Runs one of a command's scripts with `env` (environment and previous output) where it runs. */
type Runner = (inputs: Inputs, script: string, env: Record<string, string>) => Promise<CommandOutput>;

export const localCommandEmulator = commandEmulator("command:local:Command", "LocalCommand", LOCAL_COMMAND_INPUTS, runLocally);
export const remoteCommandEmulator = commandEmulator(
  "command:remote:Command",
  "RemoteCommand",
  REMOTE_COMMAND_INPUTS,
  (inputs, script, env) => runOverSsh(inputs.connection, script, env, inputs.stdin),
);

function commandEmulator(type: string, kind: string, inputs: ReadonlySet<string>, runner: Runner): ResourceEmulator {
  const runScript = async (inputs: Inputs, script: string | undefined, previous: CommandOutput) =>
    script ? runner(inputs, script, runEnv(inputs, previous)) : previous;
  return {
    type,
    kind,
    inputs,
    async create({ name, inputs }) {
      const output = await runScript(inputs, inputs.create, { stdout: "", stderr: "" });
      // resource.NewUniqueHex(name, 8, 0): the name and 8 random hex digits.
      return { id: `${name}${randomBytes(4).toString("hex")}`, state: { ...inputs, ...output } };
    },
    diff(resource, news): Diff {
      const changed = changedInputs(resource.inputs ?? {}, news);
      return { changes: changed.length > 0, replace: changed.includes("triggers") };
    },
    async update(resource, news) {
      const output = await runScript(news, news.update ?? news.create, previousOutput(resource));
      return { state: { ...news, ...output } };
    },
    async delete(resource) {
      await runScript(resource.inputs ?? {}, resource.inputs?.delete, previousOutput(resource));
    },
  };
}

function previousOutput(resource: AppliedResource): CommandOutput {
  return { stdout: resource.state?.stdout ?? "", stderr: resource.state?.stderr ?? "" };
}

function runEnv(inputs: Inputs, previous: CommandOutput): Record<string, string> {
  const env: Record<string, string> = { ...(inputs.environment ?? {}) };
  if (previous.stdout !== "") env.PULUMI_COMMAND_STDOUT = previous.stdout;
  if (previous.stderr !== "") env.PULUMI_COMMAND_STDERR = previous.stderr;
  return env;
}

async function runLocally(inputs: Inputs, script: string, env: Record<string, string>): Promise<CommandOutput> {
  const [file, ...interpreterArgs] = inputs.interpreter ?? ["/bin/sh", "-c"];
  const result = await run(file, [...interpreterArgs, script], {
    cwd: inputs.dir,
    // No stdin is an empty one, as exec.Cmd's nil Stdin reads /dev/null.
    input: inputs.stdin ?? "",
    timeoutMs: 10 * 60_000,
    env: { ...process.env, ...env },
  });
  if (result.code !== 0) throw new Error(`command exited ${result.code}: ${result.stderr.trim()}`);
  return { stdout: result.stdout.replace(/\n$/, ""), stderr: result.stderr.replace(/\n$/, "") };
}
