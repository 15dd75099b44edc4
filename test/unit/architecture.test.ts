/**
 * The architecture note stays true where code can check it: every section a comment points to
 * exists, every config key has a reader, and each composition reads only keys that exist.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPOSITIONS, readersOf } from "../../stacks/compositions";
import { LAB_KEYS, LabKey, SETTING_KEYS } from "../../stacks/keys";

const ROOT = path.resolve(__dirname, "../..");

describe("ARCHITECTURE.md", () => {
  const headings = fs
    .readFileSync(path.join(ROOT, "ARCHITECTURE.md"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("## "))
    .map((line) => line.slice(3).trim());

  it("has every section the code points to, and the code points to no design file outside the repository", () => {
    const sources = execFileSync("git", ["ls-files", "*.ts"], { cwd: ROOT, encoding: "utf8" }).trim().split("\n");
    const references: string[] = [];
    for (const file of sources) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      expect(text, file).not.toMatch(/DESIGN\.md/);
      for (const match of text.matchAll(/ARCHITECTURE\.md, ([A-Z][A-Za-z ]+?)[:)]/g)) references.push(match[1]);
    }
    expect(references.length).toBeGreaterThanOrEqual(4);
    for (const section of references) expect(headings, section).toContain(section);
  });
});

describe("config keys and their readers", () => {
  it("every lab key is read by some composition; no composition reads a key that does not exist or is a setting", () => {
    for (const key of Object.keys(LAB_KEYS) as LabKey[]) expect(readersOf(key), key).not.toEqual([]);
    for (const [name, composition] of Object.entries(COMPOSITIONS)) {
      for (const key of composition.reads) {
        expect(Object.keys(LAB_KEYS), `${name} reads ${key}`).toContain(key);
        expect(Object.keys(SETTING_KEYS)).not.toContain(key);
      }
      for (const key of composition.requires) expect(composition.reads, `${name} requires ${key}`).toContain(key);
    }
  });
});
