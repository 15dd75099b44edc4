/**
 * scripts/pr-preview.ts: a pull request's preview of a stack, lab by lab, from `pulumi preview
 * --json --show-sames`, on preview documents of this project's dev stack (test/unit/preview/: built
 * in Pulumi's documented format, see its README): a host added, a host's address changed, a lab
 * removed, nothing changed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { LabPreview, PreviewDocument, labMermaid, labPreviews, previewComment } from "../../scripts/pr-preview";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(__dirname, "preview");
const read = (name: string): PreviewDocument => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));
const lab = (name: string, labName: string): LabPreview => labPreviews(read(name)).find((found) => found.name === labName)!;
const changesOf = (parts: { change: string }[], key: (part: any) => string) =>
  Object.fromEntries(parts.filter((part) => part.change !== "same" && part.change !== "kept").map((part) => [key(part), part.change]));

/** The step ops Pulumi's engine has (pkg/resource/deploy/step.go, StepOps). */
const STEP_OPS = [
  "same",
  "create",
  "update",
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "read",
  "read-replacement",
  "refresh",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
  "import",
  "import-replacement",
  "diff",
  "extend-parameterize",
];

describe("the recorded previews are Pulumi's preview documents", () => {
  it.each(["add", "replace", "delete", "no-change"])(
    "%s.json: steps with op, urn and states, the stack's first, a change summary",
    (name) => {
      const document = read(name);
      expect(document.steps![0]).toMatchObject({ op: "same", urn: expect.stringMatching(/::pulumi:pulumi:Stack::/) });
      for (const step of document.steps!) {
        expect(STEP_OPS).toContain(step.op);
        expect(step.urn).toMatch(/^urn:pulumi:dev::docker-netlabs::[^:]+:[^:]*:[^:]+(\$[^:]+:[^:]*:[^:]+)*::[^:]+$/);
        for (const state of [step.oldState, step.newState].filter(Boolean)) expect(state!.urn).toBe(step.urn);
        if (step.op === "create") expect(step.oldState).toBeUndefined();
        if (step.op === "delete") expect(step.newState).toBeUndefined();
      }
      const counted = Object.values(document.changeSummary!).reduce((sum, count) => sum + count, 0);
      expect(counted).toBe(document.steps!.length - 1);
    },
  );
});

describe("each lab's changes", () => {
  it("a host added on a new LAN: the host, its LAN and both links created, the router replaced (a new interface), its checks new", () => {
    const routed = lab("add", "routed-lab");
    expect(changesOf(routed.nodes, (node) => node.name)).toEqual({ h3: "created", r1: "replaced" });
    expect(changesOf(routed.segments, (segment) => segment.name)).toEqual({ dmz: "created" });
    expect(changesOf(routed.links, (link) => `${link.node}-${link.segment}`)).toEqual({
      "h3-dmz": "created",
      "r1-dmz": "created",
      "r1-lan": "replaced",
      "r1-wan": "replaced",
    });
    expect(routed.checks.filter((check) => check.change === "new").map((check) => check.name)).toEqual([
      "h3 reaches 10.62.0.1 (route default)",
      "h3 reaches 10.60.0.10",
    ]);
    expect(routed.others).toEqual(
      expect.arrayContaining([expect.stringMatching(/^routed-lab-bridge-guard \(docker:index\/container:Container\): replaced/)]),
    );
  });

  it("a host's address changed: the host and its link replaced, the check on its old address removed and the new one added", () => {
    const routed = lab("replace", "routed-lab");
    expect(changesOf(routed.nodes, (node) => node.name)).toEqual({ h2: "replaced" });
    expect(routed.links.filter((link) => link.change !== "same")).toEqual([
      { node: "h2", segment: "wan", address: "10.61.0.20", change: "replaced" },
    ]);
    expect(changesOf(routed.checks, (check) => check.name)).toEqual({
      "h1 reaches 10.61.0.20": "new",
      "h1 reaches 10.61.0.10": "removed",
    });
  });

  it("a lab removed: the lab, every node, segment and link deleted, every check removed", () => {
    const bgp = lab("delete", "bgp-triangle");
    expect(bgp.change).toBe("deleted");
    expect(bgp.nodes.map((node) => node.name).sort()).toEqual(["host", "r1", "r2", "r3", "web"]);
    for (const part of [...bgp.nodes, ...bgp.segments, ...bgp.links]) expect(part.change).toBe("deleted");
    expect(bgp.checks.map((check) => check.change)).toEqual(["removed", "removed", "removed", "removed"]);
  });
});

/** Each line of a flowchart that declares a node or an edge, and its linkStyle lines, checked against each other. */
function flowchartIssues(mermaid: string): string[] {
  const lines = mermaid
    .split("\n")
    .slice(1)
    .map((line) => line.trim());
  const declared = new Set(lines.flatMap((line) => /^([ns]\d+)[[(]/.exec(line)?.slice(1) ?? []));
  const edges = lines.filter((line) => /^[ns]\d+ (---|-\.-)/.test(line));
  const issues: string[] = [];
  for (const edge of edges) {
    const [from, , to] = edge.replace(/\|"[^"]*"\|/, "").split(/\s+/);
    if (!declared.has(from) || !declared.has(to)) issues.push(`edge to an undeclared node: ${edge}`);
  }
  for (const style of lines.filter((line) => line.startsWith("linkStyle"))) {
    if (Number(style.split(" ")[1]) >= edges.length) issues.push(`linkStyle of no edge: ${style}`);
  }
  for (const line of lines) {
    const known = /^(classDef |linkStyle |[ns]\d+[[( ])/.test(line);
    if (!known) issues.push(`unexpected line: ${line}`);
    if ((line.match(/"/g) ?? []).length % 2 !== 0) issues.push(`unbalanced quotes: ${line}`);
  }
  return issues;
}

describe("the comment", () => {
  it("shows each lab that changes, its diagram with the changes marked, and its checks; no other lab", () => {
    const comment = previewComment(read("add"), "dev");
    expect(comment).toContain("1 of the stack's labs change: routed-lab.");
    expect(comment).not.toContain("#### bgp-triangle");
    expect(comment).toContain("```mermaid\nflowchart LR");
    expect(comment).toContain('n2["h3 (new)"]:::created');
    expect(comment).toContain('n3["r1 (replaced)"]:::replaced');
    expect(comment).toContain('s2(["dmz<br/>10.62.0.0/24 (new)"]):::created');
    expect(comment).toContain("- h3 reaches 10.60.0.10 **(new)**");
    expect(comment.match(/```mermaid/g)).toHaveLength(1);
  });

  it("a deleted lab's parts are drawn dashed and red", () => {
    const comment = previewComment(read("delete"), "dev");
    expect(comment).toContain("#### bgp-triangle (BgpTriangle): deleted");
    expect(comment).toMatch(/n\d -\.-\|"10\.0\.0\.10 \(deleted\)"\| s\d/);
    expect(comment).toContain("- HOST retrieves the question ~~(removed)~~");
    expect(comment).not.toContain("#### routed-lab");
  });

  it("says so in one line when no lab changes", () => {
    expect(previewComment(read("no-change"), "dev")).toBe(
      "<!-- docker-netlabs lab preview: dev -->\n### docker-netlabs: the labs of stack `dev` in this pull request\n\nNo lab changes.\n",
    );
  });

  it.each(["add", "replace", "delete", "no-change"])("%s: every diagram's edges and link styles name what it declares", (name) => {
    for (const each of labPreviews(read(name))) expect([each.name, flowchartIssues(labMermaid(each))]).toEqual([each.name, []]);
  });

  it("(the diagram check does catch an edge to nothing and a stray link style)", () => {
    const routed = lab("add", "routed-lab");
    const broken = `${labMermaid(routed)}\n  n9 --- s0\n  linkStyle 99 stroke:red`;
    expect(flowchartIssues(broken)).toEqual(["edge to an undeclared node: n9 --- s0", "linkStyle of no edge: linkStyle 99 stroke:red"]);
  });

  it("is what the script prints for a preview file and a stack", () => {
    const file = path.join(FIXTURES, "replace.json");
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/pr-preview.ts"), file, "site-a"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(previewComment(read("replace"), "site-a"));
  });
});
