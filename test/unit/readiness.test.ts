/** The readiness gate reaches the lab's host the way probes and the provider do. */
import { describe, expect, it } from "vitest";
import { remoteDockerArgv } from "../../components/host/host-exec";
import { hostDockerArgv } from "../../components/host/readiness";

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
