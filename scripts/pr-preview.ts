/**
 * A pull request's preview, lab by lab: turns `pulumi preview --json --show-sames` of one stack
 * into one Markdown comment with, per lab that changes, its Mermaid diagram (nodes, segments and
 * the links between them, those created, replaced, updated or deleted marked) and the lab's
 * checks (its probe's, new and removed ones marked). .github/workflows/pulumi.yml posts it after
 * pulumi/actions' own comment.
 *
 *   npx tsx scripts/pr-preview.ts <preview.json> <stack>   (the Markdown on stdout)
 *
 * It reads Pulumi's preview document (the engine display's PreviewDigest: steps with op, urn,
 * oldState and newState; `--show-sames` so that a lab's unchanged nodes are drawn too). A lab is a
 * docker-netlabs component at the stack's top; its nodes are the Docker containers whose parent is
 * a lab component (not a host helper's), its segments the Docker networks, its links each
 * container's networksAdvanced; its checks are the inputs of its probe, `<lab>-probe`.
 */
import * as fs from "node:fs";

/** What a step does, as the comment says it. */
export type Change = "created" | "replaced" | "updated" | "deleted" | "same";

interface ResourceState {
  urn: string;
  type: string;
  parent?: string;
  inputs?: Record<string, any>;
}

export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  diffReasons?: string[];
}

export interface PreviewDocument {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
}

export interface LabNode {
  name: string;
  change: Change;
}

export interface LabSegment {
  name: string;
  subnet?: string;
  change: Change;
}

export interface LabLink {
  node: string;
  segment: string;
  address?: string;
  change: Change;
}

export interface LabCheck {
  name: string;
  change: "new" | "removed" | "kept";
}

/** What one lab's preview shows. */
export interface LabPreview {
  name: string;
  type: string;
  change: Change;
  nodes: LabNode[];
  segments: LabSegment[];
  links: LabLink[];
  checks: LabCheck[];
  /** The lab's other resources that change (host helpers, images, readiness), as "name (type): change". */
  others: string[];
}

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const PROBE = "pulumi-nodejs:dynamic/netlabs:LabProbe";
/** Components that are not labs: the host and its helpers, the images. */
const NOT_LABS = /^docker-netlabs:(host|images):/;

/** What a step's op means for the comment (a refresh's or read's steps change nothing of a lab). */
export function changeOf(op: string): Change {
  if (op === "create" || op === "create-replacement" || op === "import") return "created";
  if (op === "replace" || op === "delete-replaced") return "replaced";
  if (op === "update") return "updated";
  if (op === "delete") return "deleted";
  return "same";
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
const stateOf = (step: PreviewStep) => step.newState ?? step.oldState;

/** The top-level lab each resource belongs to, by URN: its topmost docker-netlabs ancestor under the stack. */
function labOfEach(steps: PreviewStep[]): Map<string, string> {
  const parent = new Map<string, string | undefined>();
  const type = new Map<string, string>();
  for (const step of steps) {
    const state = stateOf(step);
    parent.set(step.urn, state?.parent);
    if (state) type.set(step.urn, state.type);
  }
  const isLab = (urn: string) => type.get(urn)?.startsWith("docker-netlabs:") && !NOT_LABS.test(type.get(urn)!);
  const labOf = new Map<string, string>();
  for (const step of steps) {
    let lab: string | undefined;
    for (let urn: string | undefined = step.urn, hops = 0; urn && hops < 64; urn = parent.get(urn), hops++) {
      if (isLab(urn)) lab = urn;
    }
    if (lab) labOf.set(step.urn, lab);
  }
  return labOf;
}

/** Each lab of the preview, changed or not. */
export function labPreviews(document: PreviewDocument): LabPreview[] {
  const steps = document.steps ?? [];
  const labOf = labOfEach(steps);
  const labs = [...new Set(labOf.values())];
  return labs.map((lab) => {
    const own = steps.filter((step) => labOf.get(step.urn) === lab);
    const labStep = steps.find((step) => step.urn === lab)!;
    const probe = steps.find((step) => stateOf(step)?.type === PROBE && nameOf(step.urn) === `${nameOf(lab)}-probe`);
    return labPreview(nameOf(lab), stateOf(labStep)!.type, changeOf(labStep.op), own, probe);
  });
}

function labPreview(name: string, type: string, change: Change, steps: PreviewStep[], probe: PreviewStep | undefined): LabPreview {
  const short = (resource: string) => (resource.startsWith(`${name}-`) ? resource.slice(name.length + 1) : resource);
  const parentTypes = new Map(steps.map((step) => [step.urn, stateOf(step)?.type ?? ""]));
  const isNode = (step: PreviewStep) =>
    stateOf(step)?.type === CONTAINER && !NOT_LABS.test(parentTypes.get(stateOf(step)?.parent ?? "") ?? "");
  const nodeSteps = steps.filter(isNode);
  const networkSteps = steps.filter((step) => stateOf(step)?.type === NETWORK);
  const segmentByDockerName = new Map(networkSteps.map((step) => [String(stateOf(step)!.inputs?.name ?? nameOf(step.urn)), step]));
  const nodes = nodeSteps.map((step) => ({ name: short(nameOf(step.urn)), change: changeOf(step.op) }));
  const segments = networkSteps.map((step) => ({
    name: short(nameOf(step.urn)),
    subnet: stateOf(step)!.inputs?.ipamConfigs?.[0]?.subnet,
    change: changeOf(step.op),
  }));
  const links = nodeSteps.flatMap((step) => linksOf(step, (docker) => segmentByDockerName.get(docker), short));
  const drawn = new Set([...nodeSteps, ...networkSteps]);
  const others = steps
    .filter((step) => !drawn.has(step) && step.urn !== steps[0]?.urn && changeOf(step.op) !== "same")
    .map((step) => `${nameOf(step.urn)} (${stateOf(step)!.type}): ${changeOf(step.op)}${reasons(step)}`);
  return { name, type, change, nodes, segments, links, checks: checksOf(probe), others };
}

const reasons = (step: PreviewStep) => (step.diffReasons?.length ? ` (${step.diffReasons.join(", ")})` : "");

/** A node's links: its networks before and after, each created, deleted, replaced (address, or an end replaced) or kept. */
function linksOf(step: PreviewStep, segmentOf: (docker: string) => PreviewStep | undefined, short: (name: string) => string): LabLink[] {
  type Attachment = { name: string; ipv4Address?: string };
  const attached = (state?: ResourceState) =>
    new Map<string, Attachment>(((state?.inputs?.networksAdvanced ?? []) as Attachment[]).map((network) => [network.name, network]));
  const before = step.op === "create" ? new Map<string, Attachment>() : attached(step.oldState);
  const after = step.op === "delete" ? new Map<string, Attachment>() : attached(step.newState);
  const node = short(nameOf(step.urn));
  return [...new Set([...before.keys(), ...after.keys()])].map((docker) => {
    const segmentStep = segmentOf(docker);
    const segment = segmentStep ? short(nameOf(segmentStep.urn)) : docker;
    const [old, now] = [before.get(docker), after.get(docker)];
    const ends = [changeOf(step.op), segmentStep ? changeOf(segmentStep.op) : "same"];
    const change: Change = !old
      ? "created"
      : !now
        ? "deleted"
        : old.ipv4Address !== now.ipv4Address || ends.includes("replaced")
          ? "replaced"
          : "same";
    return { node, segment, address: (now ?? old)?.ipv4Address, change };
  });
}

/** The probe's checks after the change (and those it no longer runs). */
function checksOf(probe: PreviewStep | undefined): LabCheck[] {
  if (!probe) return [];
  const names = (state?: ResourceState) => ((state?.inputs?.checks ?? []) as { name: string }[]).map((check) => check.name);
  const before = probe.op === "create" ? [] : names(probe.oldState);
  const after = probe.op === "delete" ? [] : names(probe.newState);
  if (probe.op === "same" || !probe.oldState) return after.map((name) => ({ name, change: probe.op === "create" ? "new" : "kept" }));
  return [
    ...after.map((name) => ({ name, change: before.includes(name) ? ("kept" as const) : ("new" as const) })),
    ...before.filter((name) => !after.includes(name)).map((name) => ({ name, change: "removed" as const })),
  ];
}

/** Whether anything of the lab changes: itself, a node, a segment, a link, a check or another resource. */
export function labChanges(lab: LabPreview): boolean {
  return (
    lab.change !== "same" ||
    [...lab.nodes, ...lab.segments, ...lab.links].some((part) => part.change !== "same") ||
    lab.checks.some((check) => check.change !== "kept") ||
    lab.others.length > 0
  );
}

const MARK: Record<Change, string> = { created: " (new)", replaced: " (replaced)", updated: " (updated)", deleted: " (deleted)", same: "" };
const LINK_STYLE: Partial<Record<Change, string>> = {
  created: "stroke:#1a7f37,stroke-width:3px",
  replaced: "stroke:#9a6700,stroke-width:3px",
  deleted: "stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 3",
};
const label = (text: string) => text.replace(/"/g, "#quot;");

/** The lab as a Mermaid flowchart: segments as rounded boxes, nodes as boxes, a link per attachment; changes marked. */
export function labMermaid(lab: LabPreview): string {
  const lines = [
    "flowchart LR",
    "  classDef created fill:#dafbe1,stroke:#1a7f37,stroke-width:2px",
    "  classDef replaced fill:#fff8c5,stroke:#9a6700,stroke-width:2px",
    "  classDef updated fill:#ddf4ff,stroke:#0969da,stroke-width:2px",
    "  classDef deleted fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 3",
  ];
  const segmentId = new Map(lab.segments.map((segment, i) => [segment.name, `s${i}`]));
  const nodeId = new Map(lab.nodes.map((node, i) => [node.name, `n${i}`]));
  const cls = (change: Change) => (change === "same" ? "" : `:::${change}`);
  for (const segment of lab.segments) {
    const text = `${segment.name}${segment.subnet ? `<br/>${segment.subnet}` : ""}${MARK[segment.change]}`;
    lines.push(`  ${segmentId.get(segment.name)}(["${label(text)}"])${cls(segment.change)}`);
  }
  for (const node of lab.nodes) lines.push(`  ${nodeId.get(node.name)}["${label(node.name + MARK[node.change])}"]${cls(node.change)}`);
  const styles: string[] = [];
  lab.links
    .filter((link) => nodeId.has(link.node) && segmentId.has(link.segment))
    .forEach((link, i) => {
      const text = `${link.address ?? ""}${MARK[link.change]}`.trim();
      const edge = link.change === "deleted" ? "-.-" : "---";
      lines.push(`  ${nodeId.get(link.node)} ${edge}${text ? `|"${label(text)}"|` : ""} ${segmentId.get(link.segment)}`);
      if (LINK_STYLE[link.change]) styles.push(`  linkStyle ${i} ${LINK_STYLE[link.change]}`);
    });
  return [...lines, ...styles].join("\n");
}

const CHECK_MARK = { new: " **(new)**", removed: " ~~(removed)~~", kept: "" };

function labSection(lab: LabPreview): string[] {
  const counts = (["created", "replaced", "updated", "deleted"] as const)
    .map((change) => [change, lab.nodes.filter((node) => node.change === change).length] as const)
    .filter(([, count]) => count > 0)
    .map(([change, count]) => `${count} ${change}`);
  const header = `#### ${lab.name} (${lab.type.split(":").pop()})${lab.change === "same" ? "" : `: ${lab.change}`}`;
  const lines = [
    header,
    "",
    `${lab.nodes.length} nodes${counts.length ? `: ${counts.join(", ")}` : ""}.`,
    "",
    "```mermaid",
    labMermaid(lab),
    "```",
    "",
  ];
  if (lab.checks.length > 0) {
    lines.push("Checks:", "", ...lab.checks.map((check) => `- ${check.name}${CHECK_MARK[check.change]}`), "");
  }
  if (lab.others.length > 0)
    lines.push("<details><summary>Its other changes</summary>", "", ...lab.others.map((other) => `- ${other}`), "", "</details>", "");
  return lines;
}

/** The comment for one stack: a line when no lab changes, else a section per lab that does. */
export function previewComment(document: PreviewDocument, stack: string): string {
  const changed = labPreviews(document).filter(labChanges);
  const title = `### docker-netlabs: the labs of stack \`${stack}\` in this pull request`;
  const marker = `<!-- docker-netlabs lab preview: ${stack} -->`;
  if (changed.length === 0) return [marker, title, "", "No lab changes."].join("\n") + "\n";
  const legend = "New parts are green and marked (new), replaced ones yellow, updated ones blue, deleted ones red and dashed.";
  const summary = `${changed.length} of the stack's labs change: ${changed.map((lab) => lab.name).join(", ")}. ${legend}`;
  return [marker, title, "", summary, "", ...changed.flatMap(labSection)].join("\n").trimEnd() + "\n";
}

function main(argv: string[]): void {
  const [file, stack] = argv;
  if (!file || !stack) {
    process.stderr.write("usage: npx tsx scripts/pr-preview.ts <preview.json> <stack>\n");
    process.exit(2);
  }
  process.stdout.write(previewComment(JSON.parse(fs.readFileSync(file, "utf8")) as PreviewDocument, stack));
}

if (require.main === module) main(process.argv.slice(2));
