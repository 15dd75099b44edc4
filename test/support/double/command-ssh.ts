/**
 * One script of a command.remote.Command as pulumi/pulumi-command v0.9 runs it
 * (provider/pkg/provider/remote/connection.go and commandOutputs.go): Go's SSH client, not the
 * `ssh` binary, so no ssh config or known_hosts applies; the host key is not checked
 * (InsecureIgnoreHostKey); user root and port 22 unless given; perDialTimeout (15 s) per dial;
 * one session whose environment is set by env requests, which the server accepts or silently
 * ignores (sshd's AcceptEnv), never by the script; stdin only when not empty; a non-zero exit
 * fails with the output. ssh2 plays Go's client here; the dial is tried once, where the provider
 * retries up to dialErrorLimit (10) times.
 */
import { Client as SshClient, ClientChannel } from "ssh2";
import { CommandOutput } from "./command";
import { Inputs } from "./state";

/** Runs `script` on the connection's host, bounded at 120 s. */
export function runOverSsh(connection: Inputs, script: string, env: Record<string, string>, stdin?: string): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    const finish = (error: Error | undefined, output?: CommandOutput) => {
      clearTimeout(timer);
      client.end();
      if (error) reject(error);
      else resolve(output!);
    };
    const timer = setTimeout(() => finish(new Error(`ssh ${connection.host}: no result within 120 s`)), 120_000);
    client
      .on("ready", () => client.exec(script, { env }, (error, channel) => (error ? finish(error) : collect(channel, stdin, finish))))
      .on("error", (error) => finish(new Error(`ssh ${connection.host}:${connection.port ?? 22}: ${error.message}`)))
      .connect({
        host: connection.host,
        port: connection.port ?? 22,
        username: connection.user ?? "root",
        privateKey: connection.privateKey,
        password: connection.password,
        readyTimeout: (connection.perDialTimeout ?? 15) * 1000,
      });
  });
}

/** Reads the session's output until it closes; its exit code decides. */
function collect(channel: ClientChannel, stdin: string | undefined, finish: (error: Error | undefined, output?: CommandOutput) => void) {
  let stdout = "";
  let stderr = "";
  channel.on("data", (data: Buffer) => (stdout += data.toString()));
  channel.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  channel.on("close", (code: number) => {
    if (code !== 0) finish(new Error(`remote command exited ${code}: ${stderr.trim()}`));
    else finish(undefined, { stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") });
  });
  if (stdin) channel.end(stdin);
  else channel.end();
}
