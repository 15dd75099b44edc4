/**
 * A dynamic resource as Pulumi's dynamic-provider host runs it (@pulumi/pulumi 3.248
 * cmd/dynamic-provider/index.js): the provider is loaded from its serialized form in the
 * `__provider` input (require-from-string, as that host does), then
 * - check(olds, news): olds are the previous inputs ({} on create), news include `__provider`;
 *   without a check the inputs pass as they are;
 * - create(inputs) and update(id, olds, news) with the checked inputs, `__provider` included; the
 *   state is what they return as `outs` (nothing when they return none) plus `__provider`;
 * - diff(id, olds, news): olds are the previous outputs; `changes` true or false decides, left
 *   undefined (or no diff at all) the engine compares the old inputs with the new; `replaces`
 *   replace only when there are changes;
 * - delete(id, props) with the state.
 * A failed check fails the step with its failures.
 */
import * as pulumi from "@pulumi/pulumi";
import { Diff, ResourceEmulator, changedInputs } from "./emulator";
import { AppliedResource, Inputs, UNKNOWN } from "./state";

// The module Pulumi's dynamic-provider host loads serialized providers with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString: (code: string) => any = require("require-from-string");

/** A dynamic resource's provider, loaded from its serialized form as the dynamic-provider host does. */
function loadProvider(serialized: string): pulumi.dynamic.ResourceProvider {
  return requireFromString(serialized).handler();
}

export const dynamicEmulator: ResourceEmulator = {
  type: "pulumi-nodejs:dynamic",
  kind: "DynamicResource",
  async check(olds, news) {
    const provider = loadProvider(news.__provider === UNKNOWN ? olds.__provider : news.__provider);
    if (!provider.check) return news;
    const checked = await provider.check(olds, news);
    if (checked.failures?.length) throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    return { ...(checked.inputs ?? news), __provider: news.__provider };
  },
  async create({ inputs }) {
    const created = await loadProvider(inputs.__provider).create(inputs);
    return { id: created.id, state: withProvider(created.outs, inputs) };
  },
  diff: dynamicDiff,
  async update(resource, news) {
    const provider = loadProvider(news.__provider);
    const updated = provider.update ? ((await provider.update(resource.id, resource.state ?? {}, news)) ?? {}) : {};
    return { state: withProvider(updated.outs, news) };
  },
  async delete(resource) {
    const state = resource.state ?? {};
    const provider = loadProvider(state.__provider);
    if (provider.delete) await provider.delete(resource.id, state);
  },
};

async function dynamicDiff(resource: AppliedResource, news: Inputs): Promise<Diff> {
  const olds = resource.state ?? {};
  const provider = loadProvider(news.__provider === UNKNOWN ? olds.__provider : news.__provider);
  const result = provider.diff ? await provider.diff(resource.id, olds, news) : {};
  const changes = result.changes ?? changedInputs(resource.inputs ?? {}, news).length > 0;
  return { changes, replace: changes && (result.replaces ?? []).length > 0, deleteBeforeReplace: result.deleteBeforeReplace };
}

/** resultIncludingProvider: the outputs, and the serialized provider they were made with. */
function withProvider(outs: Inputs | undefined, inputs: Inputs): Inputs {
  return { ...(outs ?? {}), __provider: inputs.__provider };
}
