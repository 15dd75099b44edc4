/**
 * sshOpts are checked against an allow-list (issue 20, point 2): every option ssh would read in any
 * of its forms (`-o Key=value`, `-oKey=value`, `Key value`, any case) is either known to be safe or
 * refused with its name; flags that load other configuration (-F) are refused. The stack config and
 * the DockerHost component give the same answers.
 */
import { describe, expect, it } from "vitest";
import { DockerHost } from "../../components/host/docker-host";
import { hostCheckOptionIssues, readSshOptions, sshOptionIssues } from "../../components/host/ssh-options";
import { LabConfigError } from "../../components/net/errors";
import { parseStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

/** Each refused option, in each form ssh reads it, with the word the error must name. */
const REFUSED: [string[], number, string][] = [
  [["-o", "StrictHostKeyChecking=false"], 1, "StrictHostKeyChecking"],
  [["-o", "StrictHostKeyChecking no"], 1, "StrictHostKeyChecking"],
  [["-o", "stricthostkeychecking = off"], 1, "stricthostkeychecking"],
  [["-oStrictHostKeyChecking=accept-new"], 0, "StrictHostKeyChecking"],
  [["-o StrictHostKeyChecking=ask"], 0, "StrictHostKeyChecking"],
  [["-o", "UserKnownHostsFile=/dev/null"], 1, "UserKnownHostsFile"],
  [["-o", "UserKnownHostsFile=~/.ssh/known_hosts /dev/null"], 1, "UserKnownHostsFile"],
  [["-o", "GlobalKnownHostsFile="], 1, "GlobalKnownHostsFile"],
  [["-o", "GlobalKnownHostsFile=/tmp/hosts"], 1, "GlobalKnownHostsFile"],
  [["-o", "KnownHostsCommand=/bin/echo %H"], 1, "KnownHostsCommand"],
  [["-oProxyCommand=nc %h %p"], 0, "ProxyCommand"],
  [["-o", "LocalCommand=id", "-o", "PermitLocalCommand=yes"], 1, "LocalCommand"],
  [["-o", "UpdateHostKeys=yes"], 1, "UpdateHostKeys"],
  [["-o", "VerifyHostKeyDNS=yes"], 1, "VerifyHostKeyDNS"],
  [["-o", "Include=/tmp/other"], 1, "Include"],
  [["-o", "ControlMaster=auto"], 1, "ControlMaster"],
  [["-o", "Port=2222"], 1, "Port"],
  [["-o", "User=root"], 1, "User"],
  [["-o", "HostName=elsewhere"], 1, "HostName"],
  [["-o", "SendEnv=LANG"], 1, "SendEnv"],
  [["-F", "/tmp/ssh_config"], 0, "-F"],
  [["-F/tmp/ssh_config"], 0, "-F"],
  [["-p", "2222"], 0, "-p"],
  [["-A"], 0, "-A"],
  [["-4v"], 0, "not among the ssh flags known to be safe"],
  [["-J", "-oProxyCommand=id"], 1, "ProxyJump"],
  [["-o", "ServerAliveInterval=ten"], 1, "ServerAliveInterval"],
  [["-o"], 0, "-o"],
  [["-o", "-F/tmp/x"], 1, "ssh option"],
];

const ACCEPTED: string[][] = [
  ["-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"],
  ["-oConnectTimeout=5", "-o", "ConnectionAttempts 2"],
  ["-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=~/.ssh/lab_known_hosts"],
  ["-o", "ProxyJump=jump@bastion.example:2222,ssh://inner"],
  ["-J", "bastion", "-i", "~/.ssh/lab", "-o", "IdentitiesOnly=yes"],
  ["-4", "-C", "-q", "-v", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "TCPKeepAlive=no"],
];

describe("sshOpts allow-list", () => {
  it.each(REFUSED)("refuses %j, naming the option at its element", (opts, index, word) => {
    const issues = sshOptionIssues(opts);
    expect(issues.map((issue) => issue.index)).toContain(index);
    expect(issues.find((issue) => issue.index === index)!.message).toContain(word);
  });

  it.each(ACCEPTED.map((opts) => [opts]))("accepts %j", (opts) => {
    expect(sshOptionIssues(opts)).toEqual([]);
  });

  it("reads -o Key=value, -oKey=value, Key value and Key = value alike", () => {
    const forms = [
      ["-o", "ConnectTimeout=5"],
      ["-oConnectTimeout=5"],
      ["-o", "ConnectTimeout 5"],
      ["-o", "ConnectTimeout = 5"],
      ["-o ConnectTimeout=5"],
    ];
    for (const opts of forms)
      expect(readSshOptions(opts).options.map(({ keyword, value }) => [keyword, value])).toEqual([["ConnectTimeout", "5"]]);
  });

  it("the stack config names each refused option by key, index and value", () => {
    const config = {
      dockerHost: "ssh://lab@192.0.2.7",
      sshOpts: ["-o", "ServerAliveInterval=10", "-o", "StrictHostKeyChecking=false", "-F", "/tmp/c"],
    };
    expect(() => parseStackConfig(config)).toThrow(LabConfigError);
    try {
      parseStackConfig(config);
    } catch (error) {
      const lines = (error as LabConfigError).message.split("\n");
      expect(lines).toContainEqual(
        expect.stringMatching(/^ {2}- docker-netlabs:sshOpts\[3\]: StrictHostKeyChecking .*\(got "StrictHostKeyChecking=false"\)$/),
      );
      expect(lines).toContainEqual(expect.stringMatching(/^ {2}- docker-netlabs:sshOpts\[4\]: ssh flag -F is refused.*\(got "-F"\)$/));
      expect(lines.filter((line) => line.startsWith("  - "))).toHaveLength(2);
    }
  });

  it("the DockerHost component refuses them too, before anything is registered", async () => {
    const mocks = new RecordingMocks();
    const created = runProgram(
      mocks,
      () => new DockerHost("h", { host: "ssh://lab@192.0.2.7", sshOpts: ["-oKnownHostsCommand=/bin/true"] }),
    );
    await expect(created).rejects.toThrow(
      /sshOpts\[0\]: ssh option KnownHostsCommand is refused.*\(got "-oKnownHostsCommand=\/bin\/true"\)/,
    );
    expect(mocks.resources).toEqual([]);
  });

  it("the host check cannot follow ProxyJump or an address family: those are named", () => {
    expect(hostCheckOptionIssues(["-o", "ServerAliveInterval=10", "-J", "bastion", "-4"]).map((issue) => issue.index)).toEqual([3, 4]);
    expect(hostCheckOptionIssues(["-o", "proxyjump=bastion"])[0].message).toContain("proxyjump");
  });
});
