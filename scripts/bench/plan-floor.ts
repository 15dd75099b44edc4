/**
 * The floor of a plan-bench measurement: an empty program that declares what a run of the program
 * registered (plan-program.ts wrote it down), the same resource types, names and inputs, nothing
 * else: no config, no planning, no rendering, no outputs between resources (the inputs are the
 * values they resolved to). A dynamic resource is declared as the program declares it: its type,
 * with its provider's pre-made text among its inputs. The same recording mocks, and promise stack
 * traces off while it declares, as the program does. In a fresh process on the compiled bench,
 * which loads only the SDKs:
 * `node plan-floor.js <record.json> [--same-dependencies] [--lean] [--stacks-off] [--drop <type>]...`
 *
 *   --same-dependencies  the program's dependencies too (plan-program.ts wrote them beside the
 *                  record): an input that took other resources' outputs takes an output of those
 *                  resources here, the rest is dependsOn. What any program pays for the same graph
 *                  (a container on a network takes the network's name from it).
 *   --lean         declares each custom resource with its inputs only, not through its SDK class,
 *                  which adds every output of the type (a container's ~80) as a property of its own
 *   --stacks-off   promise stack traces off for the whole run, not only while declaring
 *   --drop <type>  leaves out the resources of that type (what-if: the lab without them)
 *
 * Prints one JSON line, as plan-program.ts does.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { RecordedResource, RecordingMocks, RegistrationOptions } from "../../test/support/recording-mocks";
import { runProgram } from "../../test/support/run-program";
import { PlanSample, countByType, dependenciesFile, elapsed, maxRssMb, rssMb, startClock } from "./plan-sample";

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The SDK class of each custom resource type the program registers; dynamic resources have none. */
const CLASSES: Record<string, ResourceClass> = {
  "docker:index/container:Container": docker.Container,
  "docker:index/network:Network": docker.Network,
  "docker:index/image:Image": docker.Image,
  "docker:index/remoteImage:RemoteImage": docker.RemoteImage,
  "pulumi:providers:docker": docker.Provider,
};
/** What the SDK classes add to every registration (the provider plugin's version). */
const DOCKER_VERSION = require("@pulumi/docker/package.json").version as string;

/** A custom resource of any type, with exactly the properties it is given (the SDK's base class). */
class AnyResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

/** The program's own component types (docker-netlabs:...) group resources and register nothing. */
const isComponent = (type: string) => type.startsWith("docker-netlabs:");

/** A provider reference is `<urn>::<id>`; the urn ends in `::<name>`. */
const providerName = (reference: string) => reference.split("::").slice(-2)[0];

/** Top-level inputs that arrived secret are declared secret again. */
function withSecrets(resource: RecordedResource): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...resource.inputs };
  for (const path of resource.secretPaths) {
    const key = path.split(/[.[]/)[0];
    if (key in inputs && !pulumi.Output.isInstance(inputs[key])) inputs[key] = pulumi.secret(inputs[key]);
  }
  return inputs;
}

/** A URN ends in `::<name>`; the floor declares every resource under its own name. */
const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * The program's dependencies, taken the way the program takes them: an input that came from other
 * resources' outputs is given as an output of those resources here too, and the rest as dependsOn.
 */
function withDependencies(
  inputs: Record<string, unknown>,
  options: RegistrationOptions | undefined,
  declared: Map<string, pulumi.Resource>,
): { inputs: Record<string, unknown>; dependsOn: pulumi.Resource[] } {
  if (!options) return { inputs, dependsOn: [] };
  const resourcesOf = (urns: string[]) =>
    urns.map((urn) => declared.get(nameOfUrn(urn))).filter((r): r is pulumi.Resource => r !== undefined);
  const taken = new Set<string>();
  const wired = { ...inputs };
  for (const [key, urns] of Object.entries(options.propertyDependencies)) {
    const sources = resourcesOf(urns);
    if (!(key in wired) || sources.length === 0) continue;
    const value = wired[key];
    wired[key] = pulumi.all(sources.map((source) => source.urn)).apply(() => value);
    for (const urn of urns) taken.add(urn);
  }
  return { inputs: wired, dependsOn: resourcesOf(options.dependencies.filter((urn) => !taken.has(urn))) };
}

function declare(recorded: RecordedResource[], lean: boolean, dependencies?: Record<string, RegistrationOptions>): void {
  const providers = new Map<string, pulumi.ProviderResource>();
  const declared = new Map<string, pulumi.Resource>();
  for (const resource of recorded) {
    if (isComponent(resource.type)) {
      new pulumi.ComponentResource(resource.type, resource.name);
      continue;
    }
    const provider = resource.provider ? providers.get(providerName(resource.provider)) : undefined;
    const wired = dependencies
      ? withDependencies(withSecrets(resource), dependencies[resource.name], declared)
      : { inputs: withSecrets(resource), dependsOn: [] };
    const opts: pulumi.CustomResourceOptions = {
      ...(provider ? { provider } : {}),
      ...(wired.dependsOn.length ? { dependsOn: wired.dependsOn } : {}),
    };
    const Class = CLASSES[resource.type];
    const inputs = wired.inputs;
    let made: pulumi.Resource;
    if (Class && !(lean && !resource.type.startsWith("pulumi:providers:"))) {
      made = new Class(resource.name, inputs, opts);
      if (made instanceof pulumi.ProviderResource) providers.set(resource.name, made);
    } else {
      // --lean, a dynamic resource (its provider's text among its inputs, as the program sends it), or
      // a type the program does not register today: declared with its inputs only.
      made = new AnyResource(resource.type, resource.name, inputs, { ...opts, ...(Class ? { version: DOCKER_VERSION } : {}) });
    }
    declared.set(resource.name, made);
  }
}

async function main(): Promise<void> {
  const [recordFile, ...flags] = process.argv.slice(2);
  const dropped = new Set(flags.flatMap((flag, i) => (flags[i - 1] === "--drop" ? [flag] : [])));
  const recorded = (JSON.parse(fs.readFileSync(recordFile, "utf8")) as RecordedResource[]).filter((r) => !dropped.has(r.type));
  const dependencies = flags.includes("--same-dependencies")
    ? (JSON.parse(fs.readFileSync(dependenciesFile(recordFile), "utf8")) as Record<string, RegistrationOptions>)
    : undefined;
  const baseRssMb = rssMb();
  if (flags.includes("--stacks-off")) Error.stackTraceLimit = 0;
  const mocks = new RecordingMocks();
  const started = startClock();
  await runProgram(mocks, () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      declare(recorded, flags.includes("--lean"), dependencies);
    } finally {
      Error.stackTraceLimit = limit;
    }
  });
  const sample: PlanSample = {
    ...elapsed(started),
    maxRssMb: maxRssMb(),
    baseRssMb,
    resources: mocks.resources.length,
    byType: countByType(mocks.resources.map((resource) => resource.type)),
  };
  process.stdout.write(JSON.stringify(sample) + "\n");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
