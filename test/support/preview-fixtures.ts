/**
 * Writes test/unit/preview/*.json: `pulumi preview --json --show-sames` documents of this project's
 * own dev stack, for scripts/pr-preview.ts's tests. No Pulumi CLI runs here, so they are built, not
 * recorded: the stack's program runs twice under mocks (the config before and after a change), and
 * each resource becomes a step in the format of Pulumi's engine display (pkg/display/json.go's
 * PreviewDigest and PreviewStep; apitype.ResourceV3 states): `same`, `create`, `delete`, `update`,
 * or `replace` where a Docker container's or network's inputs differ (the Docker provider replaces
 * both on such changes). test/unit/preview/README.md says what differs from a real run.
 *
 *   npx tsx test/support/preview-fixtures.ts
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { PROJECT, runProgram } from "./run-program";
import { unwrapSecrets } from "./secrets";

const STACK = "dev";
const ROOT_URN = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;
const OUT = path.resolve(__dirname, "../unit/preview");
/** Inputs whose text is long and irrelevant to a preview comment: kept as their length. */
const LONG_INPUTS = [
  "__provider",
  "uploads",
  "entrypoints",
  "command",
  "healthcheck",
  "build",
  "create",
  "delete",
  "update",
  "environment",
];

interface Recorded {
  urn: string;
  type: string;
  custom: boolean;
  parent: string;
  inputs: Record<string, unknown>;
}

/** Records every registration with its URN as the engine forms it (the parent's whole type chain). */
class UrnMocks implements pulumi.runtime.Mocks {
  readonly resources: Recorded[] = [];
  private readonly urns = new Map<string, string>();
  private pending: { parent: string; custom: boolean }[] = [];

  observeRegistration(request: any): void {
    this.pending.push({ parent: request.getParent(), custom: request.getCustom() });
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const { parent: mockParent, custom } = this.pending.shift() ?? { parent: "", custom: Boolean(args.custom) };
    const parent = mockParent ? this.urns.get(mockParent)! : ROOT_URN;
    const chain = parent === ROOT_URN ? args.type : `${parent.split("::")[2]}$${args.type}`;
    const urn = `urn:pulumi:${STACK}::${PROJECT}::${chain}::${args.name}`;
    this.urns.set(mockUrn(mockParent, args.type, args.name), urn);
    const inputs = trimmed(unwrapSecrets(args.inputs).value as Record<string, unknown>);
    this.resources.push({ urn, type: args.type, custom, parent, inputs });
    return { id: custom ? `${args.name}-id` : undefined, state: { ...args.inputs } };
  }

  call(): pulumi.runtime.MockCallResult {
    return {};
  }
}

/** The URN the SDK's mock monitor gives (its parent's last type only): how registrations name their parent. */
function mockUrn(parent: string, type: string, name: string): string {
  const qualified = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
  return `urn:pulumi:${STACK}::${PROJECT}::${qualified}::${name}`;
}

function trimmed(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(inputs).map(([key, value]) =>
      LONG_INPUTS.includes(key) && value !== undefined ? [key, `(${JSON.stringify(value).length} characters)`] : [key, value],
    ),
  );
}

async function record(config: Record<string, unknown>): Promise<Recorded[]> {
  const mocks = new UrnMocks();
  await runProgram(mocks, () => buildStack(readStackConfig()), { config, preview: true });
  return mocks.resources;
}

function state(resource: Recorded) {
  return {
    urn: resource.urn,
    custom: resource.custom,
    ...(resource.custom ? { id: resource.urn.split("::").pop() + "-id" } : {}),
    type: resource.type,
    inputs: resource.inputs,
    parent: resource.parent,
  };
}

const REPLACED_ON_CHANGE = new Set(["docker:index/container:Container", "docker:index/network:Network"]);

/** The preview digest of going from `before` to `after`, every resource shown (--show-sames). */
function digest(before: Recorded[], after: Recorded[]) {
  const old = new Map(before.map((resource) => [resource.urn, resource]));
  const steps: object[] = [{ op: "same", urn: ROOT_URN, oldState: rootState(), newState: rootState(), detailedDiff: null }];
  const summary: Record<string, number> = {};
  for (const resource of after) {
    const previous = old.get(resource.urn);
    const changed = previous
      ? Object.keys({ ...previous.inputs, ...resource.inputs }).filter(
          (key) => JSON.stringify(previous.inputs[key]) !== JSON.stringify(resource.inputs[key]),
        )
      : [];
    const op = !previous ? "create" : changed.length === 0 ? "same" : REPLACED_ON_CHANGE.has(resource.type) ? "replace" : "update";
    summary[op] = (summary[op] ?? 0) + 1;
    steps.push({
      op,
      urn: resource.urn,
      ...(resource.custom ? { provider: `urn:pulumi:${STACK}::${PROJECT}::pulumi:providers:docker::default::provider-id` } : {}),
      ...(previous ? { oldState: state(previous) } : {}),
      newState: state(resource),
      ...(op === "update" ? { diffReasons: changed } : {}),
      ...(op === "replace" ? { diffReasons: changed, replaceReasons: changed } : {}),
      detailedDiff:
        op === "update" || op === "replace"
          ? Object.fromEntries(changed.map((key) => [key, { kind: op === "replace" ? "update-replace" : "update", inputDiff: true }]))
          : null,
    });
  }
  const kept = new Set(after.map((resource) => resource.urn));
  for (const resource of before.filter((resource) => !kept.has(resource.urn))) {
    summary.delete = (summary.delete ?? 0) + 1;
    steps.push({ op: "delete", urn: resource.urn, oldState: state(resource), detailedDiff: null });
  }
  return { config: { "docker-netlabs:dockerHost": "unix:///var/run/docker.sock" }, steps, duration: 4_200_000_000, changeSummary: summary };
}

function rootState() {
  return { urn: ROOT_URN, custom: false, type: "pulumi:pulumi:Stack" };
}

const ROUTED_LAB = {
  segments: [
    { name: "lan", subnet: "10.60.0.0/24" },
    { name: "wan", subnet: "10.61.0.0/24" },
  ],
  nodes: [
    {
      name: "r1",
      image: "router",
      router: true,
      interfaces: [
        { segment: "lan", address: "10.60.0.1" },
        { segment: "wan", address: "10.61.0.1" },
      ],
    },
    { name: "h1", image: "client", interfaces: [{ segment: "lan", address: "10.60.0.10" }], routes: [{ to: "default", via: "10.60.0.1" }] },
    { name: "h2", image: "client", interfaces: [{ segment: "wan", address: "10.61.0.10" }], routes: [{ to: "default", via: "10.61.0.1" }] },
  ],
  checks: [{ from: "h1", reach: "10.61.0.10" }],
};

/** The dev stack (routed-lan, bgp-triangle) with the routed-lab composition's `spec`. */
function dev(labs: string[], spec: object = ROUTED_LAB): Record<string, unknown> {
  return { dockerHost: "unix:///var/run/docker.sock", labs, routedLab: spec };
}

/** The changes, each a stack's config before and after. */
function changes(): Record<string, [Record<string, unknown>, Record<string, unknown>]> {
  const withH3 = structuredClone(ROUTED_LAB);
  withH3.segments.push({ name: "dmz", subnet: "10.62.0.0/24" });
  withH3.nodes[0].interfaces.push({ segment: "dmz", address: "10.62.0.1" });
  withH3.nodes.push({
    name: "h3",
    image: "client",
    interfaces: [{ segment: "dmz", address: "10.62.0.10" }],
    routes: [{ to: "default", via: "10.62.0.1" }],
  });
  withH3.checks.push({ from: "h3", reach: "10.60.0.10" });
  const movedH2 = structuredClone(ROUTED_LAB);
  movedH2.nodes[2].interfaces[0].address = "10.61.0.20";
  movedH2.checks[0].reach = "10.61.0.20";
  return {
    // A host and its LAN added to the routed lab (the router gains an interface).
    add: [dev(["routed-lab", "bgp-triangle"]), dev(["routed-lab", "bgp-triangle"], withH3)],
    // A host's address changed: its container is replaced.
    replace: [dev(["routed-lab", "bgp-triangle"]), dev(["routed-lab", "bgp-triangle"], movedH2)],
    // A whole lab removed from the stack.
    delete: [dev(["routed-lab", "bgp-triangle"]), dev(["routed-lab"])],
    "no-change": [dev(["routed-lab", "bgp-triangle"]), dev(["routed-lab", "bgp-triangle"])],
  };
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, [before, after]] of Object.entries(changes())) {
    const document = digest(await record(before), await record(after));
    fs.writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(document, null, 2)}\n`);
    console.log(`${name}.json: ${JSON.stringify(document.changeSummary)}`);
  }
}

if (require.main === module) void main();
