/**
 * The workflows are checked by GitHub's own workflow parser (the one Actions uses), then for what
 * docs/sites-and-pull-requests.md and docs/testing.md promise.
 * - pulumi.yml, the users' workflow: a preview with diff and refresh, commented on each pull
 *   request, for every site stack of the repository; `pulumi up` only on a push to main; a manual
 *   destroy of one chosen stack; every refresh and destroy runs the program (the ssh:// sites' key
 *   files exist only once the program has run on the runner).
 * - ci.yml, the project's own CI: the Pulumi CLI and the provider plugins at their locked versions,
 *   then .ci/run, so the CLI tier runs there.
 * - both (issue 20, points 17 and 18): actions pinned by commit, the CLI at an exact version, no
 *   permission but what each job needs, secrets only through a step's env: and only in jobs bound
 *   to a protected environment, the preview of unreviewed code in one of its own; no install scripts.
 */
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const siteStacks = () =>
  fs
    .readdirSync(ROOT)
    .filter((f) => /^Pulumi\.(?!dev\.).+\.yaml$/.test(f))
    .map((f) => f.slice(7, -5))
    .sort();
const lockedVersion = (pkg: string) =>
  String(JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")).packages[`node_modules/${pkg}`].version).replace(
    /^v/,
    "",
  );
const isPulumiAction = (step: any) => String(step.uses ?? "").startsWith("pulumi/actions@");

function parserErrors(file: string, content: string): string[] {
  const result = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  expect(result.value).toBeDefined();
  return result.context.errors.getErrors().map((e) => e.message);
}

/** The lowest version a pulumi-version range such as "^3.172.0" or "3.248.0" allows, as [major, minor, patch]. */
function minimumVersion(range: string): number[] {
  const m = /^[\^~>=\s]*(\d+)\.(\d+)\.(\d+)$/.exec(String(range).trim());
  if (!m) throw new Error(`pulumi-version ${range} is not a plain minimum`);
  return m.slice(1).map(Number);
}
const atLeast = (v: number[], min: number[]) =>
  v[0] > min[0] || (v[0] === min[0] && (v[1] > min[1] || (v[1] === min[1] && v[2] >= min[2])));

/**
 * Every step of a workflow that refreshes or destroys a stack without running the program: a
 * pulumi/actions step with command refresh or destroy, or refresh: true, without
 * PULUMI_RUN_PROGRAM=true in its environment (workflow, job, step); a run step that calls
 * `pulumi refresh`, `pulumi destroy` or passes --refresh, without --run-program or that variable.
 * Returns them as "job/step", and the steps that do run the program in `ok`.
 */
export function refreshOrDestroyPaths(workflow: any): { withoutProgram: string[]; ok: string[] } {
  const withoutProgram: string[] = [];
  const ok: string[] = [];
  for (const [jobName, job] of Object.entries<any>(workflow.jobs ?? {})) {
    (job.steps ?? []).forEach((step: any, i: number) => {
      const env = { ...(workflow.env ?? {}), ...(job.env ?? {}), ...(step.env ?? {}) };
      const envRuns = String(env.PULUMI_RUN_PROGRAM).toLowerCase() === "true";
      const where = `${jobName}/${step.name ?? step.uses ?? i}`;
      let refreshesOrDestroys = false;
      let runsProgram = envRuns;
      if (isPulumiAction(step)) {
        const w = step.with ?? {};
        refreshesOrDestroys = ["refresh", "destroy"].includes(w.command) || String(w.refresh) === "true";
      } else if (typeof step.run === "string") {
        const calls = step.run.split("\n").filter((line: string) => /\bpulumi\s+(refresh|destroy|up|update|preview|pre)\b/.test(line));
        const refreshing = calls.filter((line: string) => /\bpulumi\s+(refresh|destroy)\b|\s(--refresh|-r)(=true)?(\s|$)/.test(line));
        refreshesOrDestroys = refreshing.length > 0;
        runsProgram = envRuns || refreshing.every((line: string) => /\s--run-program(=true)?(\s|$)/.test(line));
      }
      if (refreshesOrDestroys) (runsProgram ? ok : withoutProgram).push(where);
    });
  }
  return { withoutProgram, ok };
}

/** Every `uses:` line of a workflow's text not pinned as `owner/repo@<40 hex> # vX.Y.Z`. */
export function unpinnedActions(content: string): string[] {
  return content
    .split("\n")
    .filter((line) => /^\s*(-\s+)?uses:/.test(line))
    .filter((line) => !/uses:\s+[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/.test(line))
    .map((line) => line.trim());
}

/** Each place a workflow pastes a secret into a script (`run:`) or gives it to every job (workflow `env:`). */
export function secretsOutsideStepEnv(workflow: any): string[] {
  const found: string[] = [];
  const hasSecret = (value: unknown) => /\$\{\{\s*secrets\./.test(String(value));
  for (const [key, value] of Object.entries<any>(workflow.env ?? {})) if (hasSecret(value)) found.push(`env.${key}`);
  for (const [jobName, job] of Object.entries<any>(workflow.jobs ?? {})) {
    for (const [key, value] of Object.entries<any>(job.env ?? {})) if (hasSecret(value)) found.push(`${jobName}.env.${key}`);
    (job.steps ?? []).forEach((step: any, i: number) => {
      if (hasSecret(step.run)) found.push(`${jobName}/${step.name ?? step.uses ?? i}: run`);
    });
  }
  return found;
}

/** The jobs that name a secret (other than the job's own GITHUB_TOKEN) anywhere. */
export function jobsWithSecrets(workflow: any): string[] {
  return Object.entries<any>(workflow.jobs ?? {})
    .filter(([, job]) => /\$\{\{\s*secrets\.(?!GITHUB_TOKEN\b)/.test(JSON.stringify(job)))
    .map(([name]) => name);
}

describe("workflows' supply chain and secrets (issue 20, points 17 and 18)", () => {
  const files = [".github/workflows/pulumi.yml", ".github/workflows/ci.yml"];
  const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

  it.each(files)("%s pins every action by full commit SHA, with its tag in a comment", (file) => {
    expect(unpinnedActions(read(file))).toEqual([]);
    expect(read(file)).toMatch(/uses: actions\/checkout@[0-9a-f]{40} # v4\.4\.0/);
  });

  it("(the pin check does catch a tag, a branch and a short SHA)", () => {
    const text = [
      "      - uses: actions/checkout@v4",
      "        uses: pulumi/actions@main",
      "      - uses: actions/setup-node@49933ea # v4.4.0",
    ].join("\n");
    expect(unpinnedActions(text)).toHaveLength(3);
  });

  it.each(files)("%s installs the Pulumi CLI at the exact version of the locked SDK", (file) => {
    const workflow = parseYaml(read(file));
    const steps = Object.values<any>(workflow.jobs).flatMap((job) => job.steps.filter(isPulumiAction));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(String(step.with["pulumi-version"])).toBe(lockedVersion("@pulumi/pulumi"));
  });

  it.each(files)("%s gives nothing by default, and each job only what it needs", (file) => {
    const workflow = parseYaml(read(file));
    expect(workflow.permissions).toEqual({});
    const expected: Record<string, Record<string, string>> = {
      preview: { contents: "read", "pull-requests": "write" },
      deploy: { contents: "read" },
      destroy: { contents: "read" },
      test: { contents: "read" },
      examples: { contents: "read" },
    };
    for (const [name, job] of Object.entries<any>(workflow.jobs)) expect([name, job.permissions]).toEqual([name, expected[name]]);
  });

  it.each(files)("%s hands secrets to steps through env: only, never pasted into a script or given to every job", (file) => {
    expect(secretsOutsideStepEnv(parseYaml(read(file)))).toEqual([]);
  });

  it("(the secrets check does catch a secret pasted into a script, and one in the workflow's env)", () => {
    const workflow = parseYaml(read(files[0]));
    const bad = structuredClone(workflow);
    bad.env.PULUMI_CONFIG_PASSPHRASE = "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}";
    bad.jobs.deploy.steps[3].run = `printf '%s' "\${{ secrets.LAB_SSH_KEY }}" > ~/.ssh/id_ed25519`;
    expect(secretsOutsideStepEnv(bad)).toEqual(["env.PULUMI_CONFIG_PASSPHRASE", "deploy/SSH access to the Docker hosts: run"]);
  });

  it("keeps the deploy secrets in protected environments: the preview of unreviewed code in its own, deploy and destroy in another", () => {
    const workflow = parseYaml(read(files[0]));
    expect(jobsWithSecrets(workflow).sort()).toEqual(["deploy", "destroy", "preview"]);
    expect(workflow.jobs.preview.environment).toBe("site-preview");
    expect(workflow.jobs.deploy.environment).toBe("site-deploy");
    expect(workflow.jobs.destroy.environment).toBe("site-deploy");
    // The header tells the repository's owner how to protect them.
    const header = read(files[0]).split("\nname:")[0];
    expect(header).toMatch(/site-preview +required reviewers/);
    expect(header).toMatch(/site-deploy +required reviewers, deployment branches: main only/);
    // The project's CI runs no deploy secret at all.
    expect(jobsWithSecrets(parseYaml(read(files[1])))).toEqual([]);
  });

  it("installs without install scripts where none is needed, and leaves no token in the checkout for the code it runs", () => {
    const workflow = parseYaml(read(files[0]));
    for (const [name, job] of Object.entries<any>(workflow.jobs)) {
      const installs = job.steps.filter((step: any) => /\bnpm (ci|install)\b/.test(step.run ?? ""));
      expect(installs.map((step: any) => [name, step.run])).toEqual([[name, "npm ci --ignore-scripts"]]);
      const checkout = job.steps.find((step: any) => String(step.uses).startsWith("actions/checkout@"));
      expect(checkout.with["persist-credentials"]).toBe(false);
    }
  });
});

describe("pull-request workflow (.github/workflows/pulumi.yml)", () => {
  const file = ".github/workflows/pulumi.yml";
  const content = fs.readFileSync(path.join(ROOT, file), "utf8");
  const workflow = parseYaml(content);

  it("is a valid GitHub Actions workflow", () => {
    expect(parserErrors(file, content)).toEqual([]);
  });

  it("(the parser does reject a broken workflow)", () => {
    const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: not-a-list\n    bogus-key: 1\n";
    const result = parseWorkflow({ name: "broken.yml", content: broken }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it("previews every site stack with a diff and a refresh, as a comment on the pull request", () => {
    const preview = workflow.jobs.preview;
    expect(preview.if).toBe("github.event_name == 'pull_request'");
    expect([...preview.strategy.matrix.stack].sort()).toEqual(siteStacks());
    const step = preview.steps.find(isPulumiAction);
    expect(step.with).toMatchObject({
      command: "preview",
      diff: true,
      refresh: true,
      "comment-on-pr": true,
      "stack-name": "${{ matrix.stack }}",
    });
    // The comment needs write access to pull requests: the preview job has it (point 18: per job).
    expect(preview.permissions["pull-requests"]).toBe("write");
  });

  it("follows the preview comment with the project's own, each changed lab's diagram and checks (issue 24)", () => {
    const steps: any[] = workflow.jobs.preview.steps;
    const action = steps.findIndex(isPulumiAction);
    const json = steps.findIndex((step) => /\bpulumi preview\b.*--json/.test(step.run ?? ""));
    const comment = steps.findIndex((step) => /scripts\/pr-preview\.ts/.test(step.run ?? ""));
    expect(json).toBe(action + 1);
    expect(comment).toBe(json + 1);
    // Every resource in the document (--show-sames), the program run as the action's preview runs it.
    expect(steps[json].run).toMatch(
      /^pulumi preview --json --show-sames --refresh --run-program --non-interactive --stack "\$STACK" > "\$RUNNER_TEMP\/preview\.json"$/,
    );
    expect(steps[json].env).toMatchObject({ STACK: "${{ matrix.stack }}", PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL }}" });
    const lines = steps[comment].run.trim().split("\n");
    expect(lines[0]).toBe('npx tsx scripts/pr-preview.ts "$RUNNER_TEMP/preview.json" "$STACK" > "$RUNNER_TEMP/labs.md"');
    expect(lines[1]).toMatch(/^gh pr comment "\$PR" .*--body-file "\$RUNNER_TEMP\/labs\.md"$/);
    expect(steps[comment].env).toEqual({
      STACK: "${{ matrix.stack }}",
      PR: "${{ github.event.pull_request.number }}",
      GH_TOKEN: "${{ secrets.GITHUB_TOKEN }}",
    });
  });

  it("runs pulumi up only on a push to main, one stack at a time", () => {
    const deploy = workflow.jobs.deploy;
    expect(deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(deploy.strategy["max-parallel"]).toBe(1);
    expect(deploy.steps.find(isPulumiAction).with.command).toBe("up");
  });

  it("destroys one chosen site stack on a manual run only, once its name is typed again, with the program run", () => {
    const dispatch = workflow.on.workflow_dispatch.inputs;
    expect(dispatch.destroy.type).toBe("choice");
    expect([...dispatch.destroy.options].sort()).toEqual(siteStacks());
    const destroy = workflow.jobs.destroy;
    expect(destroy.if).toBe("github.event_name == 'workflow_dispatch' && inputs.confirm == inputs.destroy");
    const step = destroy.steps.find((s: any) => /\bpulumi\s+destroy\b/.test(s.run ?? ""));
    expect(step.run).toMatch(/^pulumi destroy --run-program --yes --non-interactive --stack "\$STACK"$/);
    expect(step.env.STACK).toBe("${{ inputs.destroy }}");
    // The CLI is installed (pulumi/actions without a command) before it is called.
    const install = destroy.steps.findIndex(isPulumiAction);
    expect(install).toBeGreaterThanOrEqual(0);
    expect(destroy.steps[install].with.command).toBeUndefined();
    expect(install).toBeLessThan(destroy.steps.indexOf(step));
  });

  it("runs the program on every refresh and destroy (preview --refresh and the manual destroy included)", () => {
    const { withoutProgram, ok } = refreshOrDestroyPaths(workflow);
    expect(withoutProgram).toEqual([]);
    expect(ok).toEqual(expect.arrayContaining(["preview/pulumi preview", expect.stringMatching(/^destroy\/pulumi destroy/)]));
    expect(workflow.env.PULUMI_RUN_PROGRAM).toBe("true");
  });

  it("(the check does catch a refresh or destroy that would not run the program)", () => {
    const without = structuredClone(workflow);
    delete without.env.PULUMI_RUN_PROGRAM;
    const step = without.jobs.destroy.steps.find((s: any) => /pulumi destroy/.test(s.run ?? ""));
    step.run = step.run.replace("--run-program ", "");
    expect(refreshOrDestroyPaths(without).withoutProgram).toEqual([
      "preview/pulumi preview",
      expect.stringMatching(/^destroy\/pulumi destroy/),
    ]);
  });

  it("installs a Pulumi CLI that knows --run-program for preview --refresh (3.169.0, fixed for up in 3.172.0)", () => {
    const steps = Object.values<any>(workflow.jobs).flatMap((job) => job.steps.filter(isPulumiAction));
    expect(steps.length).toBe(3);
    for (const step of steps) expect(atLeast(minimumVersion(step.with["pulumi-version"]), [3, 172, 0])).toBe(true);
  });
});

describe("project CI workflow (.github/workflows/ci.yml)", () => {
  const file = ".github/workflows/ci.yml";
  const content = fs.readFileSync(path.join(ROOT, file), "utf8");
  const workflow = parseYaml(content);
  const job = workflow.jobs.test;
  const runs: string[] = job.steps.map((s: any) => s.run ?? "");
  const indexOfRun = (re: RegExp) => runs.findIndex((r) => re.test(r));

  it("is a valid GitHub Actions workflow, run on every push and pull request on ubuntu-latest with Node 20", () => {
    expect(parserErrors(file, content)).toEqual([]);
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(job["runs-on"]).toBe("ubuntu-latest");
    const node = job.steps.find((s: any) => String(s.uses).startsWith("actions/setup-node@"));
    expect(String(node.with["node-version"])).toBe("20");
  });

  it("installs the Pulumi CLI at the locked SDK's version (pulumi/actions without a command)", () => {
    const install = job.steps.find(isPulumiAction);
    expect(install.with.command).toBeUndefined();
    expect(install.with["pulumi-version"]).toBe(lockedVersion("@pulumi/pulumi"));
  });

  it("installs the docker and command provider plugins at the versions package-lock.json records", () => {
    const docker = lockedVersion("@pulumi/docker");
    const command = lockedVersion("@pulumi/command");
    expect(indexOfRun(new RegExp(`^pulumi plugin install resource docker ${docker.replace(/\./g, "\\.")}$`, "m"))).toBeGreaterThan(0);
    expect(indexOfRun(new RegExp(`^pulumi plugin install resource command ${command.replace(/\./g, "\\.")}$`, "m"))).toBeGreaterThan(0);
  });

  it("runs .ci/run (machine preparation, npm ci, npm test) after the CLI and plugins, with them on PATH and PULUMI_HOME", () => {
    const ciRun = indexOfRun(/\bbash \.ci\/run\b/);
    expect(ciRun).toBeGreaterThan(indexOfRun(/pulumi plugin install resource docker/));
    expect(ciRun).toBeGreaterThan(job.steps.findIndex(isPulumiAction));
    expect(runs[ciRun]).toContain('"PATH=$PATH"');
    expect(runs[ciRun]).toContain('"PULUMI_HOME=$PULUMI_HOME"');
    expect(job.env.PULUMI_HOME).toBeTruthy();
    expect(fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm ci\b.*\n(.*\n)*npm test$/m);
  });

  it("has the npm package pulumi fetch the CLI at the locked SDK's version for the CLI tier (issue 24)", () => {
    expect(job.env.PULUMI_VERSION).toBe(lockedVersion("@pulumi/pulumi"));
    expect(runs[indexOfRun(/\bbash \.ci\/run\b/)]).toContain('"PULUMI_VERSION=$PULUMI_VERSION"');
  });

  it("requires every tier there: CI=true, the CLI tier and the current engine (issue 20, point 19)", () => {
    const ciRun = runs[indexOfRun(/\bbash \.ci\/run\b/)];
    for (const variable of ["CI=true", "NETLABS_REQUIRE_CLI=1", "NETLABS_REQUIRE_CURRENT_ENGINE=1"]) {
      expect(ciRun.split(/\s+/)).toContain(variable);
    }
    // .ci/run sets CI=true itself (on the team's machines too) before preparing the machine.
    const script = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
    expect(script).toMatch(/^export CI=true$/m);
    expect(script.indexOf("export CI=true")).toBeLessThan(script.indexOf("bash scripts/prepare-machine.sh"));
  });
});

describe("the package's examples in the project's CI (.github/workflows/ci.yml, issue 24)", () => {
  const file = ".github/workflows/ci.yml";
  const content = fs.readFileSync(path.join(ROOT, file), "utf8");
  const job = parseYaml(content).jobs.examples;
  const runs: string[] = job.steps.map((step: any) => step.run ?? "");
  const stepOf = (re: RegExp) => runs.findIndex((run) => re.test(run));

  it("is a job of the valid workflow, one run per example, each a folder with its program and README", () => {
    expect(parserErrors(file, content)).toEqual([]);
    expect(job["runs-on"]).toBe("ubuntu-latest");
    expect([...job.strategy.matrix.example].sort()).toEqual(["python-routed-lab", "yaml-routed-lab"]);
    for (const example of job.strategy.matrix.example) {
      for (const name of ["Pulumi.yaml", "README.md"]) expect(fs.existsSync(path.join(ROOT, "examples", example, name))).toBe(true);
    }
    expect(job.defaults.run["working-directory"]).toBe("examples/${{ matrix.example }}");
  });

  it("adds the package from this checkout after npm ci, previews, then runs up and destroy only where the runner has Docker", () => {
    const npmCi = job.steps.findIndex((step: any) => /^npm ci\b/.test(step.run ?? ""));
    expect(job.steps[npmCi]["working-directory"]).toBe(".");
    const add = stepOf(/^pulumi package add \.\.\/\.\.$/m);
    const preview = stepOf(/^pulumi preview --stack ci$/m);
    const upDown = stepOf(/^pulumi up --yes --stack ci$/m);
    expect(npmCi).toBeGreaterThan(job.steps.findIndex(isPulumiAction));
    expect(add).toBeGreaterThan(npmCi);
    expect(preview).toBeGreaterThan(add);
    expect(upDown).toBeGreaterThan(preview);
    expect(runs[upDown]).toMatch(/^pulumi destroy --yes --stack ci$/m);
    // Up only where `docker info` answers; the step says so where it does not.
    const lines = runs[upDown].split("\n");
    expect(lines.findIndex((line) => line.includes("docker info"))).toBeLessThan(lines.findIndex((line) => /^pulumi up/.test(line)));
    // The Python example's virtualenv before its SDK is generated into it.
    expect(runs[add].indexOf("pulumi install")).toBeLessThan(runs[add].indexOf("pulumi package add"));
  });

  it("uses no secret: a throwaway stack with an empty passphrase", () => {
    expect(jobsWithSecrets({ jobs: { examples: job } })).toEqual([]);
    expect(job.env.PULUMI_CONFIG_PASSPHRASE).toBe("");
  });
});
