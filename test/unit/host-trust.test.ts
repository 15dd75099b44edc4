/**
 * Host trust on every path (issue 20, points 1, 4 and 5): the Docker provider of an ssh:// host is
 * always told to check the host key, ahead of the user's options and whatever ~/.ssh/config says.
 */
import { describe, expect, it } from "vitest";
import { DockerHost } from "../../components/host/docker-host";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const providerOpts = (mocks: RecordingMocks): string[] => JSON.parse(mocks.ofType("pulumi:providers:docker")[0].inputs.sshOpts);

describe("the Docker provider checks host keys without a key of the stack (point 1)", () => {
  it("a site stack without sshPrivateKey (the committed sites): StrictHostKeyChecking=yes first, then the user's options", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), {
      config: { dockerHost: "ssh://lab@site-a.lab.example", sshOpts: ["-o", "ServerAliveInterval=10"], labs: ["routed-lan"] },
    });
    expect(providerOpts(mocks)).toEqual(["-o", "StrictHostKeyChecking=yes", "-o", "ServerAliveInterval=10"]);
  });

  it("a DockerHost with no options at all still gets the check", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new DockerHost("h", { host: "ssh://lab@192.0.2.7" }));
    expect(providerOpts(mocks)).toEqual(["-o", "StrictHostKeyChecking=yes"]);
  });

  it("a local socket's provider has no ssh options", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new DockerHost("h", {}));
    expect(mocks.ofType("pulumi:providers:docker")[0].inputs.sshOpts).toBeUndefined();
  });
});
