/**
 * The program's dynamic resources (Pulumi dynamic providers: the readiness gate, the probe, the
 * host check), declared with their provider's code as pre-made module text: the `__provider` input
 * Pulumi's dynamic-provider host loads, exactly as pulumi.dynamic.Resource would send it. That text
 * is made by the SDK's own serializer, once, by scripts/dynamic-providers.ts, not in every program
 * run: there the serializer loads TypeScript and turns on V8's debugger for the rest of the run
 * (measured: about 2.5 s of CPU at 3,000 nodes, most of the time our program spent above its floor).
 * A unit test fails when the code and the text differ.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_TEXTS } from "./dynamic-providers.generated";

/** Each dynamic resource type: the module (from the project's root) that exports its provider, and the export's name. */
export const DYNAMIC_PROVIDERS: Record<string, { module: string; exportName: string }> = {
  NodesReady: { module: "components/host/readiness", exportName: "nodesReadyProvider" },
  LabProbe: { module: "components/probe/lab-probe", exportName: "probeProvider" },
  HostCheck: { module: "components/host/host-check", exportName: "hostCheckProvider" },
  LinkImpairment: { module: "components/host/link-impairment", exportName: "linkImpairmentProvider" },
};

/** Where scripts/dynamic-providers.ts writes the providers' texts, from the project's root. */
export const GENERATED_FILE = "components/declare/dynamic-providers.generated.ts";

/** The module of the program's dynamic types: `pulumi-nodejs:dynamic/netlabs:<type>`, as before. */
const DYNAMIC_MODULE = "netlabs";

/** A dynamic resource of one of DYNAMIC_PROVIDERS' types: what pulumi.dynamic.Resource registers, its provider pre-serialized. */
export class DynamicResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    const text = PROVIDER_TEXTS[type];
    if (text === undefined) {
      throw new Error(
        `dynamic resource type ${type}: no provider text; name it in DYNAMIC_PROVIDERS and run npx tsx scripts/dynamic-providers.ts`,
      );
    }
    super(`pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${type}`, name, { ...props, __provider: text }, opts);
  }
}
