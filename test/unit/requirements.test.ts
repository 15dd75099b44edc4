/**
 * Skips CI would not catch (issue 20, point 19): every test whose requirement is missing skips on a
 * developer's machine and fails where the run must prove everything (CI=true), except the CLI tier
 * where no `pulumi` exists. One helper decides (test/support/requirements.ts); this file checks the
 * helper, and that no skip in test/ goes around it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Requirement, RequirementName, requiredBy, skipUnless } from "../support/requirements";

const ROOT = path.resolve(__dirname, "../..");
const missing = (name: RequirementName, reason = `no ${name} here`): Requirement => ({ name, missing: () => reason });
const present = (name: RequirementName): Requirement => ({ name, missing: () => undefined });
const ALL_BUT_THE_CLI: RequirementName[] = [
  "docker",
  "sshd",
  "ssh-client",
  "emulated-hosts",
  "current-engine",
  "bridge-netfilter",
  "pulumi-docker-plugin",
  "pulumi-command-plugin",
];

describe("skipUnless: skip here, fail in CI", () => {
  it("skips with the first missing requirement's reason where nothing requires it", () => {
    expect(skipUnless([present("docker"), missing("sshd", "no /usr/sbin/sshd"), missing("ssh-client")], {})).toBe("no /usr/sbin/sshd");
    expect(skipUnless([present("docker"), present("sshd")], {})).toBeUndefined();
  });

  it.each(ALL_BUT_THE_CLI)("CI=true: a missing %s fails, naming it and why", (name) => {
    expect(() => skipUnless([missing(name, "the reason")], { CI: "true" })).toThrow(
      `requirement "${name}" is required here (CI=true) but missing: the reason`,
    );
  });

  it("CI=true: the CLI tier alone may skip, where no `pulumi` exists; NETLABS_REQUIRE_CLI=1 requires it", () => {
    expect(skipUnless([missing("pulumi-cli", "no pulumi"), missing("docker")], { CI: "true" })).toBe("no pulumi");
    expect(() => skipUnless([missing("pulumi-cli")], { CI: "true", NETLABS_REQUIRE_CLI: "1" })).toThrow(
      /"pulumi-cli" .*NETLABS_REQUIRE_CLI=1/,
    );
    // With the CLI there, the rest of what the CLI tier needs is required in CI.
    expect(() => skipUnless([present("pulumi-cli"), missing("docker")], { CI: "true" })).toThrow(/"docker"/);
  });

  it("CI=true: a kernel feature this kernel lacks may skip, naming it; NETLABS_REQUIRE_KERNEL_MODULES=1 (the public CI) requires it", () => {
    for (const name of ["kernel-vrf", "kernel-8021q", "kernel-bridge-vlan-filtering"] as const) {
      expect(skipUnless([missing(name, `no ${name} in this kernel`)], { CI: "true" })).toBe(`no ${name} in this kernel`);
      expect(() => skipUnless([missing(name, "the reason")], { CI: "true", NETLABS_REQUIRE_KERNEL_MODULES: "1" })).toThrow(
        `requirement "${name}" is required here (NETLABS_REQUIRE_KERNEL_MODULES=1) but missing: the reason`,
      );
      expect(requiredBy(name, { NETLABS_REQUIRE_E2E: "1" })).toBeUndefined();
    }
    // The engine is still required in CI beside them.
    expect(() => skipUnless([present("kernel-vrf"), missing("docker")], { CI: "true" })).toThrow(/"docker"/);
  });

  it("each tier's own variable requires it outside CI too", () => {
    expect(requiredBy("docker", { NETLABS_REQUIRE_E2E: "1" })).toBe("NETLABS_REQUIRE_E2E=1");
    expect(requiredBy("sshd", { NETLABS_REQUIRE_E2E: "1" })).toBe("NETLABS_REQUIRE_E2E=1");
    expect(requiredBy("current-engine", { NETLABS_REQUIRE_CURRENT_ENGINE: "1" })).toBe("NETLABS_REQUIRE_CURRENT_ENGINE=1");
    expect(requiredBy("current-engine", { NETLABS_REQUIRE_E2E: "1" })).toBeUndefined();
    expect(requiredBy("docker", { CI: "false" })).toBeUndefined();
    expect(requiredBy("pulumi-cli", { CI: "true" })).toBeUndefined();
    // netem: the public CI workflow's runners have it and require it; CI=true alone (.ci/run here) does not.
    expect(requiredBy("netem", { CI: "true" })).toBeUndefined();
    expect(requiredBy("netem", { NETLABS_REQUIRE_NETEM: "1" })).toBe("NETLABS_REQUIRE_NETEM=1");
  });
});

/** Every .ts file under test/, with its path from the repository's root. */
function testSources(dir = path.join(ROOT, "test")): { file: string; text: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testSources(full);
    return entry.name.endsWith(".ts") ? [{ file: path.relative(ROOT, full), text: fs.readFileSync(full, "utf8") }] : [];
  });
}

/** What in one file skips, or decides to skip, without going through skipUnless. */
function bypasses(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\.(skip|todo|only)\(/g))
    found.push(`${file}: .${match[1]}( (an unconditional skip, or one decided in the test)`);
  for (const match of text.matchAll(/\.(skipIf|runIf)\(([^)]*)\)/g)) {
    const name = /^!?\s*([A-Za-z_$][\w$]*)$/.exec(match[2].trim())?.[1];
    if (!name || !new RegExp(`\\bconst ${name} = skipUnless\\(`).test(text)) {
      found.push(`${file}: .${match[1]}(${match[2]}) does not take what skipUnless returned`);
    }
  }
  if (file.endsWith(".test.ts")) {
    for (const match of text.matchAll(/\b(\w+UnavailableReason)\(/g)) found.push(`${file}: ${match[1]}() decides a skip itself`);
  }
  for (const match of text.matchAll(/process\.env\.(CI|NETLABS_REQUIRE_\w+)\b/g)) found.push(`${file}: reads ${match[1]} itself`);
  return found;
}

describe("no skip in test/ goes around skipUnless", () => {
  const sources = testSources().filter(({ file }) => file !== "test/support/requirements.ts" && file !== "test/unit/requirements.test.ts");

  it("the scan sees the suite's skips (it is not vacuous)", () => {
    const skipping = sources.filter(({ text }) => /\.skipIf\(/.test(text)).length;
    expect(skipping).toBeGreaterThan(20);
  });

  it("every skipIf/runIf takes skipUnless's answer; no skip, todo or only; nothing else reads CI", () => {
    expect(sources.flatMap(({ file, text }) => bypasses(file, text))).toEqual([]);
  });

  it("the scan catches each way around it", () => {
    const cases = [
      'describe.skipIf(!process.getuid)("x", () => {});',
      'const skipReason = dockerUnavailableReason();\ndescribe.skipIf(skipReason)("x", () => {});',
      'it.skip("x", () => {});',
      'it("x", (ctx) => { ctx.skip(); });',
      'if (process.env.CI === "true") throw new Error("x");',
      'describe.runIf(haveDocker)("x", () => {});',
    ];
    for (const text of cases) expect(bypasses("test/e2e/x.test.ts", text), text).not.toEqual([]);
    expect(bypasses("test/e2e/x.test.ts", 'const skipReason = skipUnless([DOCKER]);\ndescribe.skipIf(skipReason)("x", () => {});')).toEqual(
      [],
    );
  });
});

/**
 * Tests that assert the test double's own model (issue 20, point 22) say so in their names: the
 * steps of a second deploy, its timings, its SSH dials, its @pulumi/command support. The product
 * claim each stands for is asserted again in test/cli, through the real CLI and providers.
 */
const DOUBLE_MODEL = /mocks\.(steps|timings|sshConnections)\b|\bstepsOf\(|peakConcurrency\(|new command\.(local|remote)\.Command\(/;

/** The e2e tests of one file that assert the double's model without "(test double)" in their names. */
function unlabelled(text: string): string[] {
  const tests = [...text.matchAll(/\bit\(\s*(["'`])((?:(?!\1).)*)\1/g)];
  return tests.flatMap((test, i) => {
    const body = text
      .slice(test.index, tests[i + 1]?.index ?? text.length)
      .split("\n")
      .filter((line) => !/figures\.push\(|console\.log\(/.test(line)) // printed figures assert nothing
      .join("\n");
    return DOUBLE_MODEL.test(body) && !test[2].startsWith("(test double) ") ? [test[2]] : [];
  });
}

describe("tests of the test double's own model say so", () => {
  const e2e = testSources().filter(({ file }) => file.startsWith("test/e2e/"));

  it("every e2e test asserting the double's steps, timings, dials or commands is named '(test double) …'", () => {
    expect(e2e.flatMap(({ file, text }) => unlabelled(text).map((name) => `${file}: ${name}`))).toEqual([]);
    // Not vacuous: the suite has such tests, and an unlabelled one is caught.
    expect(e2e.filter(({ text }) => DOUBLE_MODEL.test(text)).length).toBeGreaterThan(4);
    expect(unlabelled('it("adds a node", async () => {\n  expect(stepsOf(CONTAINER, ["h3"])).toEqual({});\n});')).toEqual(["adds a node"]);
  });
});
