/**
 * What the test double keeps of each resource, as the Pulumi engine keeps it in a stack's state:
 * type, name, id, inputs, outputs, and what the resource depends on (for a later deploy's
 * dependent replacements and for the order deletes may run in).
 */
import { DockerTarget } from "../docker-cli";

export type Inputs = Record<string, any>;

export interface AppliedResource {
  /** A short kind: Network, Container, Image, RemoteImage, LocalCommand, RemoteCommand, DynamicResource. */
  type: string;
  name: string;
  id: string;
  /** The engine a Docker resource lives on, as its provider reaches it. */
  target?: DockerTarget;
  /** The provider's delete of this resource, as the engine calls it. */
  destroy: () => Promise<void>;
  /** The Pulumi type token, e.g. docker:index/container:Container. */
  resourceType: string;
  /** The inputs as the provider checked them, for a later deploy's diff. */
  inputs?: Inputs;
  /** The outputs (state) after the last create or update. */
  state?: Inputs;
  /** Creation order: a higher number may depend on a lower one, never the reverse. */
  seq?: number;
  /** Per input, the keys (`type::name`) of the resources whose outputs it took. */
  propertyDependencies?: Record<string, string[]>;
  /**
   * Keys of the resources this one depends on, as the engine's dependency graph has them: explicit
   * and property dependencies, and those of its parents (a child goes before its parent, which goes
   * before what the parent depends on).
   */
  dependencies?: string[];
}

/** What a deploy did to a resource, as `pulumi up` reports it. */
export type StepKind = "create" | "same" | "update" | "replace" | "delete";

export interface ResourceTiming {
  type: string;
  name: string;
  startMs: number;
  endMs: number;
}

/** The value the engine gives an input it cannot know yet (the SDK's rpc.unknownValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A resource's key in state: type token and name (unique together in a stack). */
export function keyOf(type: string, name: string): string {
  return `${type}::${name}`;
}

export function keyOfResource(resource: AppliedResource): string {
  return keyOf(resource.resourceType, resource.name);
}

/** `urn:pulumi:stack::project::parent$type::name` → `type::name`. */
export function keyOfUrn(urn: string): string {
  const parts = urn.split("::");
  const name = parts.slice(3).join("::");
  return keyOf(parts[2].split("$").pop()!, name);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
