/**
 * The engine's calculateDependentReplacements (pulumi/pulumi v3.248
 * pkg/resource/deploy/step_generator.go): before a delete-before-replace replacement deletes its
 * resource, the resources of the previous deploy that take an output of it (directly or through
 * one another) and that their provider would replace were those inputs unknown are deleted first.
 * Resources already registered by this deploy are not candidates: they no longer take the old
 * resource's outputs.
 */
import { emulatorFor } from "./emulators";
import { AppliedResource, UNKNOWN, keyOfResource } from "./state";

/** The dependents to delete, in the order they must be deleted in (dependents first). */
export async function dependentReplacements(root: AppliedResource, candidates: AppliedResource[]): Promise<AppliedResource[]> {
  const replaceSet = new Set([keyOfResource(root)]);
  const found: AppliedResource[] = [];
  const inOrder = candidates.filter((candidate) => candidate !== root).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  for (const candidate of inOrder) {
    const unknown = Object.entries(candidate.propertyDependencies ?? {})
      .filter(([property, keys]) => candidate.inputs?.[property] !== undefined && keys.some((key) => replaceSet.has(key)))
      .map(([property]) => property);
    if (unknown.length === 0) continue;
    const news = { ...candidate.inputs };
    for (const property of unknown) news[property] = UNKNOWN;
    if ((await emulatorFor(candidate.resourceType).diff(candidate, news)).replace) {
      replaceSet.add(keyOfResource(candidate));
      found.push(candidate);
    }
  }
  return found.reverse();
}
