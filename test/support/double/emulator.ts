/**
 * What the test double implements of one provider resource type: the inputs it accepts (any other is
 * refused loudly, so a test can never pass on something silently skipped) and the provider's
 * Check, Create, Diff, Update and Delete, each applied to a real Docker engine (or run as the
 * command or dynamic provider would run it). The engine's side (which of them to call, in which
 * order) is engine.ts.
 */
import { DockerTarget } from "../docker-cli";
import { AppliedResource, Inputs } from "./state";

export interface CreateRequest {
  name: string;
  inputs: Inputs;
  /** The engine the resource's provider reaches. */
  target: DockerTarget;
  /**
   * Called once the provider has an id and later steps may still fail (a container created, then
   * started): from here the resource is in state, as after the engine's initialization error, so
   * that destroy removes it.
   */
  exists(id: string): void;
}

export interface Created {
  id: string;
  state: Inputs;
}

export interface Diff {
  changes: boolean;
  replace: boolean;
  /** The provider asks for delete-before-replace (the program's option may override it). */
  deleteBeforeReplace?: boolean;
}

export interface Updated {
  state: Inputs;
  /** A new id, for a provider whose update gives one (the native Image: the new build's). */
  id?: string;
}

export interface ResourceEmulator {
  /** The Pulumi type token, or its prefix for dynamic resources. */
  readonly type: string;
  /** AppliedResource.type of what it creates. */
  readonly kind: string;
  /** The inputs implemented here; undefined: any (dynamic providers take what they are given). */
  readonly inputs?: ReadonlySet<string>;
  /** The provider's Check: the inputs the engine then diffs and applies (`olds`: the previous inputs). */
  check?(olds: Inputs, news: Inputs): Promise<Inputs>;
  create(request: CreateRequest): Promise<Created>;
  /** The provider's Diff of the resource against new (checked) inputs, some of them maybe UNKNOWN. */
  diff(resource: AppliedResource, news: Inputs): Diff | Promise<Diff>;
  update(resource: AppliedResource, news: Inputs): Promise<Updated>;
  delete(resource: AppliedResource): Promise<void>;
}

/** Throws naming the inputs given that this tier does not implement. */
export function refuseUnknown(kind: string, inputs: Inputs, allowed: ReadonlySet<string>): void {
  const unknown = Object.keys(inputs).filter((key) => inputs[key] !== undefined && !allowed.has(key));
  if (unknown.length > 0) {
    throw new Error(`real-Docker mocks: ${kind} input(s) ${unknown.join(", ")} are not implemented in this tier`);
  }
}

/** Inputs that differ between the old and the new, those named in `sets` compared without order. */
export function changedInputs(olds: Inputs, news: Inputs, sets: readonly string[] = []): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((key) => {
    const normalize = (value: unknown) => canonical(value, sets.includes(key));
    return normalize(olds[key]) !== normalize(news[key]);
  });
}

/** A JSON text for comparison: undefined and null alike, object keys sorted, set members sorted. */
function canonical(value: unknown, isSet: boolean): string {
  const walk = (v: unknown): unknown => {
    if (v === undefined || v === null) return null;
    if (Array.isArray(v)) {
      const items = v.map((item) => walk(item));
      return isSet ? items.map((i) => JSON.stringify(i)).sort() : items;
    }
    if (typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v as object)
          .filter((k) => (v as Inputs)[k] !== undefined && (v as Inputs)[k] !== null)
          .sort()
          .map((k) => [k, walk((v as Inputs)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(walk(value));
}
