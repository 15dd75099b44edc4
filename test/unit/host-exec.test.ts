/**
 * The ssh argv the Docker provider's client runs for an ssh:// engine (docker/cli v28.5.2
 * cli/connhelper), built by the product's host-exec.ts and run by the e2e test double for every
 * connection, next to the argv the product itself runs (sshPrefix).
 */
import { describe, expect, it } from "vitest";
import { dialStdioArgv, sshPrefix } from "../../components/host/host-exec";
import { providerSshArgs } from "../support/double/ssh-tunnel";

describe("the provider's ssh argv (connhelper)", () => {
  const target = { kind: "ssh" as const, host: "192.0.2.7", port: 2222, user: "lab", sshOpts: ["-i", "/k", "-o", "User=other"] };

  it("is -l and -p from the URL, then the ssh options, ConnectTimeout=30 and -T added, then the host and dial-stdio", () => {
    expect(dialStdioArgv(target)).toEqual([
      "ssh",
      "-l",
      "lab",
      "-p",
      "2222",
      "-i",
      "/k",
      "-o",
      "User=other",
      "-o ConnectTimeout=30",
      "-T",
      "--",
      "192.0.2.7",
      "docker system dial-stdio",
    ]);
  });

  it("adds neither ConnectTimeout nor -T when the options have them, and unbrackets an IPv6 host", () => {
    expect(dialStdioArgv({ kind: "ssh", host: "[2001:db8::7]", sshOpts: ["-oConnectTimeout=5", "-T"] })).toEqual([
      "ssh",
      "-oConnectTimeout=5",
      "-T",
      "--",
      "2001:db8::7",
      "docker system dial-stdio",
    ]);
  });

  it("puts the URL's user before the options (ssh keeps the first User), where the product's own argv puts it after", () => {
    const provider = dialStdioArgv(target);
    expect(provider.indexOf("lab")).toBeLessThan(provider.indexOf("User=other"));
    const ours = sshPrefix(target);
    expect(ours.indexOf("lab")).toBeGreaterThan(ours.indexOf("User=other"));
  });

  it("is what the test double runs for an ssh:// provider, from the Docker host URL", () => {
    expect(["ssh", ...providerSshArgs("ssh://lab@192.0.2.7:2222", target.sshOpts)]).toEqual(dialStdioArgv(target));
    expect(() => providerSshArgs("unix:///var/run/docker.sock", [])).toThrow(/not an ssh:\/\/ host/);
  });
});
