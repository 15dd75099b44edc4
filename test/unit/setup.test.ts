/**
 * What a fresh clone needs before anything else: a lock file `npm ci` accepts (npm 11 refuses one
 * that lacks an entry for a platform package some locked package lists as optional), and the
 * `npm run lab:up` / `lab:down` scripts, which say what to install when the Pulumi CLI is missing.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { pulumiCliMissing } from "../cli/support/cli-stack";

const ROOT = path.resolve(__dirname, "../..");

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}
type Lock = { packages: Record<string, LockEntry> };

/**
 * Every optional dependency of a locked package that has no lock entry where Node would find it
 * (its own node_modules, then each enclosing one up to the root), as "package -> dependency".
 */
export function missingOptionalDependencies(lock: Lock): string[] {
  const missing: string[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      let base = where;
      let found = false;
      for (;;) {
        if (lock.packages[`${base ? `${base}/` : ""}node_modules/${name}`]) {
          found = true;
          break;
        }
        const up = base.lastIndexOf("node_modules/");
        if (up < 0) break;
        base = base.slice(0, up).replace(/\/$/, "");
      }
      if (!found) missing.push(`${where || "(root)"} -> ${name}`);
    }
  }
  return missing;
}

describe("package-lock.json", () => {
  const lock: Lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));

  it("records every optional (platform) dependency of every locked package, as npm ci on npm 11 requires", () => {
    expect(missingOptionalDependencies(lock)).toEqual([]);
  });

  it("has a node_modules/@rollup/rollup-* entry for each platform package rollup lists", () => {
    const rollup = lock.packages["node_modules/rollup"];
    const platforms = Object.keys(rollup.optionalDependencies ?? {}).filter((n) => n.startsWith("@rollup/rollup-"));
    expect(platforms.length).toBeGreaterThan(20);
    for (const name of platforms) expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(rollup.version);
  });

  it("(the check does report a platform package missing from the lock)", () => {
    const broken: Lock = JSON.parse(JSON.stringify(lock));
    delete broken.packages["node_modules/@rollup/rollup-darwin-arm64"];
    expect(missingOptionalDependencies(broken)).toEqual(["node_modules/rollup -> @rollup/rollup-darwin-arm64"]);
  });

  it("locks @pulumi/pulumi at 3.248 (the SDK line that still supports Node 20)", () => {
    expect(lock.packages["node_modules/@pulumi/pulumi"].version).toMatch(/^3\.248\./);
  });
});

describe("npm run lab:up / lab:down", () => {
  const script = path.join(ROOT, "scripts/lab.sh");
  const bash = spawnSync("sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
  // This machine's PATH without any folder that holds a `pulumi`.
  const pathWithoutPulumi = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir && !fs.existsSync(path.join(dir, "pulumi")))
    .join(path.delimiter);
  const run = (command: string, args: string[], PATH: string) =>
    spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH }, timeout: 60_000 });

  for (const verb of ["up", "down"]) {
    it(`lab:${verb} without pulumi on PATH exits non-zero with one line naming the CLI's install page and npm run lab:${verb}`, () => {
      const result = run(bash, [script, verb], pathWithoutPulumi);
      expect(result.status).not.toBe(0);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("https://www.pulumi.com/docs/install/");
      expect(lines[0]).toContain(`npm run lab:${verb}`);
      expect(result.stderr).not.toMatch(/not found/);
    });
  }

  it("package.json runs the script for both (npm run lab:up says the same through npm)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts["lab:up"]).toBe("bash scripts/lab.sh up");
    expect(pkg.scripts["lab:down"]).toBe("bash scripts/lab.sh down");
    const result = run("npm", ["run", "--silent", "lab:up"], pathWithoutPulumi);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("https://www.pulumi.com/docs/install/");
    expect(result.stderr).not.toMatch(/pulumi: not found/);
  });

  it("with pulumi on PATH, lab:up selects (or creates) the dev stack and brings it up; lab:down destroys it; extra arguments go to pulumi", () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-fake-pulumi-"));
    try {
      const log = path.join(bin, "calls");
      fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "$*" >> '${log}'\n`, { mode: 0o755 });
      const PATH = `${bin}${path.delimiter}${pathWithoutPulumi}`;
      expect(run(bash, [script, "up", "--yes"], PATH).status).toBe(0);
      expect(run(bash, [script, "down"], PATH).status).toBe(0);
      expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual([
        "stack select --create dev",
        "up --stack dev --yes",
        "destroy --stack dev",
      ]);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});

/**
 * The CLI from npm (issue 24): the npm package `pulumi` fetches the CLI from get.pulumi.com on first
 * use. Where it cannot (no internet), lab:up and the CLI tier say so in one line with what to do.
 * The package here is a stand-in of `pulumi` 3.250.0 as it behaves offline (its run.js prints
 * "Downloading pulumi v3.250.0..." then "pulumi: fetch failed" and exits 1, as seen on this
 * machine), in a copy of the project's layout: node_modules/pulumi and its node_modules/.bin link.
 */
describe("the Pulumi CLI from the npm package pulumi, where it cannot be fetched", () => {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const bash = spawnSync("sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
  const pathWithoutPulumi = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir && !fs.existsSync(path.join(dir, "pulumi")))
    .join(path.delimiter);

  /** A project root with lab.sh and an offline `pulumi` package; its PATH and PULUMI_HOME. */
  function offlineProject(): { root: string; env: NodeJS.ProcessEnv } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-npm-pulumi-"));
    fs.mkdirSync(path.join(root, "scripts"));
    fs.copyFileSync(path.join(ROOT, "scripts/lab.sh"), path.join(root, "scripts/lab.sh"));
    fs.mkdirSync(path.join(root, "node_modules/pulumi"), { recursive: true });
    fs.mkdirSync(path.join(root, "node_modules/.bin"));
    fs.writeFileSync(path.join(root, "node_modules/pulumi/package.json"), JSON.stringify({ name: "pulumi", version: "3.250.0" }));
    fs.writeFileSync(
      path.join(root, "node_modules/pulumi/run.js"),
      `#!/usr/bin/env node\nprocess.stderr.write("Downloading pulumi v3.250.0...\\npulumi: fetch failed\\n");\nprocess.exit(1);\n`,
      { mode: 0o755 },
    );
    fs.symlinkSync("../pulumi/run.js", path.join(root, "node_modules/.bin/pulumi"));
    const PATH = `${path.join(root, "node_modules/.bin")}${path.delimiter}${pathWithoutPulumi}`;
    return { root, env: { ...process.env, PATH, PULUMI_HOME: path.join(root, "pulumi-home"), PULUMI_VERSION: "" } };
  }

  it("is a dependency, locked, without install scripts (npm ci fetches nothing but the package)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.dependencies.pulumi).toMatch(/^3\.\d+\.\d+$/);
    const locked = lock.packages["node_modules/pulumi"];
    expect(locked.version).toBe(pkg.dependencies.pulumi);
    expect(locked.hasInstallScript).toBeUndefined();
    expect(locked.dependencies).toBeUndefined();
  });

  it("lab:up says in one line that the CLI could not be fetched, and what to do", () => {
    const { root, env } = offlineProject();
    try {
      const result = spawnSync(bash, [path.join(root, "scripts/lab.sh"), "up"], { cwd: root, encoding: "utf8", env, timeout: 60_000 });
      expect(result.status).toBe(127);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("could not be fetched from get.pulumi.com");
      expect(lines[0]).toContain("npm run lab:up");
      expect(lines[0]).toContain("https://www.pulumi.com/docs/install/");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("the CLI tier skips with one line saying the same", () => {
    const { root, env } = offlineProject();
    try {
      const reason = pulumiCliMissing(env, root)!;
      expect(reason.split("\n")).toHaveLength(1);
      expect(reason).toMatch(/^the Pulumi CLI 3\.250\.0 \(npm package pulumi\) could not be fetched from get\.pulumi\.com/);
      expect(reason).toContain("npx pulumi version");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
