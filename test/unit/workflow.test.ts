/**
 * The users' CI workflow is checked by GitHub's own workflow parser (the one Actions uses), then
 * for what the README promises: a preview with diff, commented on each pull request, for every
 * site stack of the repository; `pulumi up` only on a push to main.
 */
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const FILE = path.join(ROOT, ".github/workflows/pulumi.yml");

describe("pull-request workflow", () => {
  const content = fs.readFileSync(FILE, "utf8");
  const workflow = parseYaml(content);

  it("is a valid GitHub Actions workflow", () => {
    const result = parseWorkflow({ name: ".github/workflows/pulumi.yml", content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(result.value).toBeDefined();
  });

  it("(the parser does reject a broken workflow)", () => {
    const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: not-a-list\n    bogus-key: 1\n";
    const result = parseWorkflow({ name: "broken.yml", content: broken }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it("previews every site stack with a diff, as a comment on the pull request", () => {
    const preview = workflow.jobs.preview;
    expect(preview.if).toBe("github.event_name == 'pull_request'");
    const stacks = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.(?!dev\.).+\.yaml$/.test(f)).map((f) => f.slice(7, -5)).sort();
    expect([...preview.strategy.matrix.stack].sort()).toEqual(stacks);
    const step = preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    expect(step.with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true, "stack-name": "${{ matrix.stack }}" });
    expect(workflow.permissions["pull-requests"]).toBe("write");
  });

  it("runs pulumi up only on a push to main, one stack at a time", () => {
    const deploy = workflow.jobs.deploy;
    expect(deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(deploy.strategy["max-parallel"]).toBe(1);
    expect(deploy.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).with.command).toBe("up");
  });
});
