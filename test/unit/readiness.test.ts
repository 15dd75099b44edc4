/** The readiness gate reaches the lab's host the way probes and the provider do. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DockerExecTarget, remoteDockerArgv } from "../../components/host/host-exec";
import { hostConnection } from "../../components/host/docker-host";
import { waitUntilReady } from "../../components/host/readiness";
import { PROVIDER_TEXTS } from "../../components/declare/dynamic-providers.generated";

const requireFromString: (code: string) => { handler: () => any } = require("require-from-string");

/** The argv NodesReady runs for `docker <args>` on the host at `url`: its exec target, as DockerHost makes it. */
const hostDockerArgv = (url: string, sshOpts: string[], args: string[]) =>
  remoteDockerArgv(hostConnection(url, sshOpts).exec as DockerExecTarget, args);

describe("NodesReady's docker commands", () => {
  it("runs the local CLI against a unix:// engine", () => {
    expect(hostDockerArgv("unix:///var/run/docker.sock", [], ["inspect", "x"])).toEqual([
      "docker",
      "-H",
      "unix:///var/run/docker.sock",
      "inspect",
      "x",
    ]);
  });

  it("runs ssh with the provider's options for an ssh:// host, as probes do", () => {
    const opts = ["-i", "/k", "-o", "ProxyJump=bastion"];
    expect(hostDockerArgv("ssh://lab@192.0.2.7:2222", opts, ["logs", "--tail", "15", "a b"])).toEqual(
      remoteDockerArgv({ kind: "ssh", host: "192.0.2.7", port: 2222, user: "lab", sshOpts: opts }, ["logs", "--tail", "15", "a b"]),
    );
    expect(hostDockerArgv("ssh://lab@192.0.2.7:2222", opts, ["ps"]).slice(0, 7)).toEqual([
      "ssh",
      "-o",
      "StrictHostKeyChecking=yes",
      ...opts,
    ]);
  });

  it("checks the host key even when the user's options say not to (the first value of an ssh option wins)", () => {
    const argv = hostDockerArgv("ssh://lab@192.0.2.7", ["-o", "StrictHostKeyChecking=no"], ["ps"]);
    expect(argv.indexOf("StrictHostKeyChecking=yes")).toBeGreaterThan(0);
    expect(argv.indexOf("StrictHostKeyChecking=yes")).toBeLessThan(argv.indexOf("StrictHostKeyChecking=no"));
  });
});

describe("NodesReady's verdict on a node that restarted", () => {
  // A stand-in `docker` on PATH answers as the engine does for a container that exited with 5 and
  // runs again: inspect shows it Running with ExitCode 0, its events hold the exit code.
  const RESTARTED = { Running: true, Restarting: false, ExitCode: 0, Health: { Status: "starting" } };
  const withFakeDocker = async (events: string, body: () => Promise<void>, stateOf: object = RESTARTED, restarts = 1) => {
    const dir = mkdtempSync(join(tmpdir(), "netlabs-fake-docker-"));
    const state = JSON.stringify(stateOf);
    writeFileSync(
      join(dir, "docker"),
      [
        "#!/bin/sh",
        "shift 2 # -H <host>",
        'case "$1" in',
        `  inspect) echo '/lab-bad ${state} ${restarts}' ;;`,
        `  events) printf '${events}' ;;`,
        "  logs) echo 'main gives up' ;;",
        "esac",
      ].join("\n"),
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    try {
      await body();
    } finally {
      process.env.PATH = path;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const inputs = {
    lab: "lab",
    dockerHost: "unix:///var/run/docker.sock",
    target: hostConnection("unix:///var/run/docker.sock").exec as DockerExecTarget,
    nodes: [{ node: "bad", container: "lab-bad", id: "abc123" }],
    timeoutSeconds: 5,
  };

  it("names the exit code it last exited with, from its events, not the 0 of its new run", async () => {
    await withFakeDocker("137\\n5\\n", () =>
      expect(waitUntilReady(inputs)).rejects.toThrow(
        /node bad \(container lab-bad\) restarted 1 time\(s\) \(last exit code 5\).*main gives up/s,
      ),
    );
  });

  it("gives the same verdict from the provider's pre-made text, as Pulumi's dynamic-provider host loads it", async () => {
    const provider = requireFromString(PROVIDER_TEXTS.NodesReady).handler();
    await withFakeDocker("137\\n5\\n", () =>
      expect(provider.create(inputs)).rejects.toThrow(
        /node bad \(container lab-bad\) restarted 1 time\(s\) \(last exit code 5\).*main gives up/s,
      ),
    );
  });

  it("names a node killed for its memory (Docker's OOMKilled), with its exit and log", async () => {
    const killed = { Running: false, Restarting: false, ExitCode: 74, OOMKilled: true, Health: { Status: "unhealthy" } };
    await withFakeDocker(
      "",
      () =>
        expect(waitUntilReady(inputs)).rejects.toThrow(
          /node bad \(container lab-bad\) exited with code 74; the kernel killed a process of it for using more than its memory limit \(memoryMiB\); last log lines:.*main gives up/s,
        ),
      killed,
      0,
    );
  });

  it("says no code rather than a wrong one when the events have none", async () => {
    await withFakeDocker("", () => expect(waitUntilReady(inputs)).rejects.toThrow(/restarted 1 time\(s\); last log lines/));
  });
});
