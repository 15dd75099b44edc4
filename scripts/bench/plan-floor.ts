/**
 * The floor of a plan-bench measurement: an empty program that declares what a run of the program
 * registered (plan-program.ts wrote it down), the same resource types, names and inputs, nothing
 * else: no config, no planning, no rendering, no outputs between resources (the inputs are the
 * values they resolved to). A dynamic resource is declared as one, with a provider that does
 * nothing, one per type as the program has: the SDK serializes each provider once, which has a
 * fixed cost of its own (a parser and an inspector session); serializing the program's larger
 * providers is counted as the program's. The same recording mocks, and promise stack traces off
 * while it declares, as the program does. In a fresh process on the compiled bench, which loads
 * only the SDKs: `node plan-floor.js <record.json> [--lean] [--stacks-off] [--drop <type>]...`
 *
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
import { RecordedResource, RecordingMocks } from "../../test/support/recording-mocks";
import { runProgram } from "../../test/support/run-program";
import { PlanSample, countByType, elapsed, maxRssMb, rssMb, startClock } from "./plan-sample";

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

/** A dynamic resource of a given module and type. */
class AnyDynamicResource extends pulumi.dynamic.Resource {
  constructor(
    provider: pulumi.dynamic.ResourceProvider,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions,
    module: string,
    type: string,
  ) {
    super(provider, name, props, opts, module, type);
  }
}

const DYNAMIC_TYPE = /^pulumi-nodejs:dynamic\/([^:]+):(.+)$/;
const doNothingProviders = new Map<string, pulumi.dynamic.ResourceProvider>();
/** A provider of its own per dynamic type (the SDK serializes each provider object once). */
function doNothingProvider(type: string): pulumi.dynamic.ResourceProvider {
  let provider = doNothingProviders.get(type);
  if (!provider) {
    provider = { create: async (inputs) => ({ id: "id", outs: inputs }) };
    doNothingProviders.set(type, provider);
  }
  return provider;
}

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

function declare(recorded: RecordedResource[], lean: boolean): void {
  const providers = new Map<string, pulumi.ProviderResource>();
  for (const resource of recorded) {
    if (isComponent(resource.type)) {
      new pulumi.ComponentResource(resource.type, resource.name);
      continue;
    }
    const provider = resource.provider ? providers.get(providerName(resource.provider)) : undefined;
    const opts: pulumi.CustomResourceOptions = provider ? { provider } : {};
    const Class = CLASSES[resource.type];
    const inputs = withSecrets(resource);
    const dynamic = DYNAMIC_TYPE.exec(resource.type);
    if (dynamic) {
      const { __provider: _serialized, ...props } = inputs;
      new AnyDynamicResource(doNothingProvider(resource.type), resource.name, props, opts, dynamic[1], dynamic[2]);
    } else if (Class && !(lean && !resource.type.startsWith("pulumi:providers:"))) {
      const declared = new Class(resource.name, inputs, opts);
      if (declared instanceof pulumi.ProviderResource) providers.set(resource.name, declared);
    } else {
      // --lean, or a type the program does not register today (declared with its inputs only).
      new AnyResource(resource.type, resource.name, inputs, { ...opts, ...(Class ? { version: DOCKER_VERSION } : {}) });
    }
  }
}

async function main(): Promise<void> {
  const [recordFile, ...flags] = process.argv.slice(2);
  const dropped = new Set(flags.flatMap((flag, i) => (flags[i - 1] === "--drop" ? [flag] : [])));
  const recorded = (JSON.parse(fs.readFileSync(recordFile, "utf8")) as RecordedResource[]).filter((r) => !dropped.has(r.type));
  const baseRssMb = rssMb();
  if (flags.includes("--stacks-off")) Error.stackTraceLimit = 0;
  const mocks = new RecordingMocks();
  const started = startClock();
  await runProgram(mocks, () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      declare(recorded, flags.includes("--lean"));
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
