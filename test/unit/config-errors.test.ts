/**
 * Config errors (issue 13, defects 1, 2 and 7): no secret's value in any error, errors that Pulumi
 * prints as a plain list (a pulumi.RunError), and settings that would be silently ignored refused.
 */
import * as pulumi from "@pulumi/pulumi";
import * as util from "node:util";
import { describe, expect, it } from "vitest";
import { LabConfigError } from "../../components/net/errors";
import { planOorRouter } from "../../components/oor/plan";
import { renderOorConf, renderOorEnv } from "../../components/oor/render";
import { buildStack } from "../../stacks";
import { parseStackConfig, readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { OOR_FIXTURES } from "./oor-fixtures";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx4bXBsZUhvc3RLZXlGb3JUZXN0c09ubHkxMjM0NTY3";
/** Long enough that Pulumi's util.inspect of a plain Error would split it into '…\n' + fragments. */
const SSH_KEY = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
  "QyNTUxOQAAACBqWk9QfTzXk7hR2vYcJmN4sLp8dE3aGfWqZx1yUo6tVgAAAJiQm4rMkJuK",
  "zAAAAAtzc2gtZWQyNTUxOQAAACBqWk9QfTzXk7hR2vYcJmN4sLp8dE3aGfWqZx1yUo6tVg",
  "-----END OPENSSH PRIVATE KEY-----",
  "",
].join("\n");
const MAP_KEYS = {
  short: "Qx7vK2",
  newline: "Qx7vK2wP9r\nmap-resolver = { 203.0.113.66 }",
  hash: "Qx7vK2wP9r#tail8Zm",
  space: "Qx7vK2wP9r tail8Zm",
  quote: 'Qx7vK2wP9r"tail8Zm',
  sed: "Qx7vK2wP9r/t&il\\8Zm",
  numeric: 987654321987,
};

/** The secret, and every 8-character piece of it, is absent from the error's message and its util.inspect. */
function expectNoSecret(error: unknown, secret: unknown): void {
  const text = String(secret);
  const pieces = text.length <= 8 ? [text] : Array.from({ length: text.length - 7 }, (_, i) => text.slice(i, i + 8));
  // The shapes util.inspect gives a long string: the whole, and its lines.
  pieces.push(...text.split("\n").filter((line) => line.length >= 8));
  const message = (error as Error).message;
  const inspected = util.inspect(error, { depth: 10 });
  for (const piece of pieces) {
    expect(message, `message contains ${JSON.stringify(piece)}`).not.toContain(piece);
    expect(inspected, `util.inspect contains ${JSON.stringify(piece)}`).not.toContain(piece);
  }
}

function errorOf(run: () => unknown): LabConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LabConfigError);
    return error as LabConfigError;
  }
  throw new Error("expected a LabConfigError");
}

async function programError(
  config: Record<string, unknown>,
  secretKeys: string[] = [],
): Promise<{ error: LabConfigError; mocks: RecordingMocks }> {
  const mocks = new RecordingMocks();
  let caught: unknown;
  try {
    await runProgram(mocks, () => buildStack(readStackConfig()), { config, secretKeys });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LabConfigError);
  return { error: caught as LabConfigError, mocks };
}

describe("no secret in any error (defect 1)", () => {
  const remote = { dockerHost: "ssh://lab@192.0.2.7", sshHostKey: HOST_KEY };
  const sshCases: [string, Record<string, unknown>, RegExp][] = [
    [
      "a key on a unix:// stack",
      { sshPrivateKey: SSH_KEY, sshHostKey: HOST_KEY },
      /docker-netlabs:sshPrivateKey: an SSH key is only for an ssh:\/\/ dockerHost \(secret, not shown\)/,
    ],
    [
      "a key on a tcp:// stack",
      { dockerHost: "tcp://192.0.2.7:2375", sshPrivateKey: SSH_KEY, sshHostKey: HOST_KEY },
      /docker-netlabs:sshPrivateKey: an SSH key is only/,
    ],
    [
      "a key without its host key",
      { dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: SSH_KEY },
      /docker-netlabs:sshHostKey: sshPrivateKey and sshHostKey go together/,
    ],
    [
      "a key with a bad host key",
      { ...remote, sshPrivateKey: SSH_KEY, sshHostKey: "AAAA" },
      /docker-netlabs:sshHostKey: must be a known_hosts key/,
    ],
    [
      "a key with a bad dockerHost",
      { ...remote, dockerHost: "ssh//lab@host", sshPrivateKey: SSH_KEY },
      /docker-netlabs:dockerHost: must be/,
    ],
    [
      "a key with other bad keys",
      { sshPrivateKey: SSH_KEY, sshHostKey: HOST_KEY, namePrefix: "-x", labs: ["nope"] },
      /docker-netlabs:labs\[0\][\s\S]*docker-netlabs:namePrefix/,
    ],
    ["a key that is not a string", { ...remote, sshPrivateKey: 987654321987 }, /docker-netlabs:sshPrivateKey: .*\(secret, not shown\)/],
    ["a key that is a list", { ...remote, sshPrivateKey: [SSH_KEY] }, /docker-netlabs:sshPrivateKey: /],
  ];
  it.each(sshCases)("sshPrivateKey: %s", (_, raw, expected) => {
    const error = errorOf(() => parseStackConfig(raw));
    expect(error.message).toMatch(expected);
    expectNoSecret(error, (raw.sshPrivateKey as unknown[]).toString());
  });

  const mapCases: [string, Record<string, unknown>, unknown][] = [
    ["too short", { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: MAP_KEYS.short }, MAP_KEYS.short],
    ["too short, with no lab that uses it", { oorMapServerKey: MAP_KEYS.short }, MAP_KEYS.short],
    ["a newline", { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: MAP_KEYS.newline }, MAP_KEYS.newline],
    ["a #", { labs: ["lisp-msmr"], oorMapServerKey: MAP_KEYS.hash }, MAP_KEYS.hash],
    ["a space", { labs: ["lisp-site"], oorMapServerKey: MAP_KEYS.space }, MAP_KEYS.space],
    ["a quote", { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: MAP_KEYS.quote }, MAP_KEYS.quote],
    ["sed's / & and \\", { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: MAP_KEYS.sed }, MAP_KEYS.sed],
    ["a number", { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: MAP_KEYS.numeric }, MAP_KEYS.numeric],
    [
      "short, with both SSH keys bad too",
      { oorMapServerKey: MAP_KEYS.short, sshPrivateKey: SSH_KEY, sshHostKey: HOST_KEY },
      MAP_KEYS.short,
    ],
  ];
  it.each(mapCases)("oorMapServerKey: %s", (_, raw, secret) => {
    const error = errorOf(() => parseStackConfig(raw));
    expect(error.message).toMatch(/docker-netlabs:oorMapServerKey: .*\(secret, not shown\)/);
    expectNoSecret(error, secret);
    if (raw.sshPrivateKey) expectNoSecret(error, raw.sshPrivateKey);
  });

  it("through the program: every secret key set and wrong, nothing registered, nothing shown", async () => {
    const { error, mocks } = await programError(
      { sshPrivateKey: SSH_KEY, sshHostKey: HOST_KEY, oorMapServerKey: MAP_KEYS.short, labs: ["lisp-site"] },
      ["sshPrivateKey", "oorMapServerKey"],
    );
    expect(error.message).toMatch(/docker-netlabs:sshPrivateKey: [^\n]*\(secret, not shown\)/);
    expect(error.message).toMatch(/docker-netlabs:oorMapServerKey: [^\n]*\(secret, not shown\)/);
    expectNoSecret(error, SSH_KEY);
    expectNoSecret(error, MAP_KEYS.short);
    expect(mocks.resources).toEqual([]);
  });

  it("a lisp-site or lisp-msmr plan error with a valid key set shows nothing of it", async () => {
    const key = "Zr4tLm9QwXy2";
    for (const lab of ["lisp-site", "lisp-msmr"]) {
      const { error } = await programError(
        {
          labs: [lab],
          oorMapServerKey: key,
          oorRloc: { subnet: "198.51.100.0/24", address: "203.0.113.9" },
          ...(lab === "lisp-site"
            ? { oorSite: { eidSubnet: "10.241.1.0/24" }, oorMapServer: "198.51.100.2" }
            : { oorSites: ["10.241.1.5/24"] }),
        },
        ["oorMapServerKey"],
      );
      expect(error.message).toMatch(/docker-netlabs:oorRloc\.address: "203\.0\.113\.9" is outside the RLOC subnet 198\.51\.100\.0\/24/);
      expectNoSecret(error, key);
    }
  });

  it("a key set with --secret under any name is not shown (here sshHostKey)", async () => {
    const hostKey = "AAAAnotAKnownHostsLineButSecret";
    const { error } = await programError({ dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: SSH_KEY, sshHostKey: hostKey }, [
      "sshPrivateKey",
      "sshHostKey",
    ]);
    expect(error.message).toMatch(/docker-netlabs:sshHostKey: must be a known_hosts key[^\n]*\(secret, not shown\)/);
    expectNoSecret(error, hostKey);
  });

  it("a secret under a misspelt key or namespace is named, not shown", async () => {
    const { error } = await programError({ "docker-netlabs:sshPrivatekey": SSH_KEY, "docker-netlab:oorMapServerKey": MAP_KEYS.hash });
    expect(error.message).toMatch(/sshPrivatekey/);
    expect(error.message).toMatch(/docker-netlab:oorMapServerKey: [^\n]*\(secret, not shown\)/);
    expectNoSecret(error, SSH_KEY);
    expectNoSecret(error, MAP_KEYS.hash);
  });

  it.each(Object.entries(MAP_KEYS).filter(([, key]) => typeof key === "string" && key.length >= 8))(
    "planOorRouter: a map-server and a site key with %s are named, never shown",
    (_, key) => {
      const xtr = errorOf(() =>
        planOorRouter("xtr", { ...OOR_FIXTURES.xtr, mapServers: [{ address: "192.0.2.2", key: key as string }], debug: 9 }),
      );
      expect(xtr.message).toMatch(/mapServers\[0\]\.key: [^\n]*\(secret, not shown\)/);
      expect(xtr.message).toMatch(/debug/);
      expectNoSecret(xtr, key);
      const ms = errorOf(() =>
        planOorRouter("ms", { ...OOR_FIXTURES.ms, sites: [{ eidPrefix: "10.1.0.0/24", key: key as string, iid: -1 }] }),
      );
      expect(ms.message).toMatch(/sites\[0\]\.key: [^\n]*\(secret, not shown\)/);
      expect(ms.message).toMatch(/sites\[0\]\.iid/);
      expectNoSecret(ms, key);
    },
  );

  it("render time (keys that were Outputs): a key oor.conf cannot hold is named, never shown", () => {
    const plan = planOorRouter("xtr", OOR_FIXTURES.xtr);
    const envPlan = planOorRouter("xtr", { ...OOR_FIXTURES.xtr, config: "env" });
    for (const key of [MAP_KEYS.newline, MAP_KEYS.hash, MAP_KEYS.space, MAP_KEYS.sed]) {
      for (const render of [
        () => renderOorConf(plan, { mapServers: [key], sites: [] }),
        () => renderOorEnv(envPlan, { mapServers: [key], sites: [] }),
      ]) {
        const error = errorOf(render);
        expect(error.message).toMatch(/mapServers\[0\]\.key: [^\n]*\(secret, not shown\)/);
        expectNoSecret(error, key);
      }
    }
  });
});

describe("config errors print as a list, not an unhandled exception (defect 2)", () => {
  it("is a pulumi.RunError, which the language host prints as its message alone", () => {
    const error = errorOf(() => parseStackConfig({ namePrefix: "-lab", demoHostPort: 70000, labs: ["routed-lan", "nope"] }));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(pulumi.RunError);
    expect(error.message.split("\n")).toEqual([
      "stack configuration is invalid:",
      '  - docker-netlabs:labs[1]: must be one of networking-demo, routed-lan, bgp-triangle, oor-2xtrs-1msmr, lisp-site, lisp-msmr, routed-lab (got "nope")',
      '  - docker-netlabs:namePrefix: must be at most 20 lowercase letters, digits or dashes, not starting with a dash (got "-lab")',
      "  - docker-netlabs:demoHostPort: must be a port from 1 to 65535 (got 70000)",
    ]);
  });

  it("the program entry (index.ts) fails with that RunError, registering nothing", async () => {
    const mocks = new RecordingMocks();
    const outcome = await runProgram(
      mocks,
      () =>
        import("../../index").then(
          () => undefined,
          (error: unknown) => error,
        ),
      {
        config: { namePrefix: "-lab", sshPrivateKey: SSH_KEY, sshHostKey: HOST_KEY },
        secretKeys: ["sshPrivateKey"],
      },
    );
    expect(pulumi.RunError.isInstance(outcome)).toBe(true);
    const message = (outcome as Error).message;
    expect(message).toBe(
      [
        "stack configuration is invalid:",
        '  - docker-netlabs:namePrefix: must be at most 20 lowercase letters, digits or dashes, not starting with a dash (got "-lab")',
        "  - docker-netlabs:sshPrivateKey: an SSH key is only for an ssh:// dockerHost (secret, not shown)",
      ].join("\n"),
    );
    expect(message).not.toMatch(/\n\s+at /);
    expect(mocks.resources).toEqual([]);
  });
});

describe("settings that would be silently ignored are refused (defect 7)", () => {
  it.each([
    ["docker-netlab:labs", ["routed-lan"]],
    ["docker-netlabz:probes", false],
    ["Docker-Netlabs:namePrefix", "x"],
    ["docker_netlabs:internal", false],
    ["dockernetlab:labs", ["routed-lan"]],
  ])("a key in a misspelt namespace: %s", async (key, value) => {
    const { error, mocks } = await programError({ [key]: value });
    expect(error.message).toContain(
      `  - ${key}: is in namespace "${key.split(":")[0]}", not docker-netlabs: it would be ignored (did you mean docker-netlabs:${key.split(":")[1]}?) (got ${JSON.stringify(value)})`,
    );
    expect(mocks.resources).toEqual([]);
  });

  it("other namespaces are left alone", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), {
      config: { "docker:host": "unix:///var/run/docker.sock", "netlabs:x": "1", labs: ["routed-lan"] },
    });
    expect(mocks.resources.length).toBeGreaterThan(0);
  });

  it("routedLab without routed-lab in labs names both keys", () => {
    const error = errorOf(() => parseStackConfig({ labs: ["routed-lan"], routedLab: { segments: [] } }));
    expect(error.message).toMatch(/docker-netlabs:routedLab: is set, but docker-netlabs:labs does not name routed-lab/);
  });

  it.each([
    "",
    "not an image",
    "-oor",
    "OOR:latest",
    "openoverlayrouter/oor:",
    "oor@sha256:abc",
    "oor:-tag",
    "oor//x",
    "https://docker.io/oor",
    "oor:" + "t".repeat(129),
  ])("oorImage %j is not an image reference", (image) => {
    const error = errorOf(() => parseStackConfig({ oorImage: image }));
    expect(error.issues.map((issue) => issue.path)).toEqual(["docker-netlabs:oorImage"]);
    expect(error.message).toContain(`(got ${JSON.stringify(image)})`);
  });

  it.each([
    "openoverlayrouter/oor:latest",
    "oor",
    "registry.example:5000/team/oor:v1.2",
    "localhost/oor_x__y-z.w",
    `oor@sha256:${"ab".repeat(32)}`,
    `ghcr.io/a/b:tag@sha256:${"0f".repeat(32)}`,
  ])("oorImage %j is accepted", (image) => {
    expect(parseStackConfig({ labs: ["oor-2xtrs-1msmr"], oorImage: image }).oorImage).toBe(image);
  });

  it.each([["-lab"], ["-"]])("namePrefix %j starting with '-' is refused", (prefix) => {
    expect(errorOf(() => parseStackConfig({ namePrefix: prefix })).message).toMatch(
      /docker-netlabs:namePrefix: .*not starting with a dash/,
    );
  });

  it.each(["", "lab-", "t1-", "a"])("namePrefix %j is accepted", (prefix) => {
    expect(parseStackConfig({ namePrefix: prefix }).namePrefix).toBe(prefix);
  });

  it.each(["ssh://lab@-oProxyCommand", "ssh://-oProxyCommand@host.example", "ssh://-host.example:22", "tcp://-host:2375"])(
    "dockerHost %j (a user or host starting with '-') is refused",
    (url) => {
      const error = errorOf(() => parseStackConfig({ dockerHost: url }));
      expect(error.message).toContain(
        `docker-netlabs:dockerHost: names a user or host starting with '-', which ssh would read as an option (got "${url}")`,
      );
    },
  );
});
