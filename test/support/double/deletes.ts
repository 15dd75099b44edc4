/**
 * How the engine runs the deletes of a deploy's end and of `pulumi destroy` (pulumi/pulumi v3.248
 * pkg/resource/deploy/step_generator.go ScheduleDeletes, deployment_executor.go performPostSteps):
 * the condemned resources split into antichains, none depending on another, run one antichain at
 * a time, every delete in it at once; a resource is deleted only once everything depending on it
 * is. When a delete fails, what that resource depends on is not deleted (it is still in use).
 */
import { AppliedResource, keyOfResource } from "./state";

/**
 * ScheduleDeletes: repeatedly take the condemned resources that depend on no other condemned one;
 * each such set is an antichain; reversed, dependents come first.
 */
export function scheduleDeletes(condemned: AppliedResource[]): AppliedResource[][] {
  const remaining = new Set(condemned);
  const chains: AppliedResource[][] = [];
  while (remaining.size > 0) {
    const keys = new Map<string, AppliedResource[]>();
    for (const resource of remaining) keys.set(keyOfResource(resource), [...(keys.get(keyOfResource(resource)) ?? []), resource]);
    const dependsOnRemaining = (resource: AppliedResource) =>
      (resource.dependencies ?? []).some((key) => (keys.get(key) ?? []).some((other) => other !== resource));
    const chain = [...remaining].filter((resource) => !dependsOnRemaining(resource));
    // A cycle cannot come from a program; were there one, the rest goes at once rather than never.
    const taken = chain.length > 0 ? chain : [...remaining];
    for (const resource of taken) remaining.delete(resource);
    chains.push(taken);
  }
  return chains.reverse();
}

/**
 * Runs the antichains with `remove` (the provider's delete, then the bookkeeping); returns what
 * failed, and what stayed because something depending on it failed, one line each.
 */
export async function runDeletes(chains: AppliedResource[][], remove: (resource: AppliedResource) => Promise<void>): Promise<string[]> {
  const failures: string[] = [];
  const inUse = new Set<string>();
  for (const chain of chains) {
    const now = chain.filter((resource) => !inUse.has(keyOfResource(resource)));
    for (const resource of chain.filter((r) => inUse.has(keyOfResource(r)))) {
      failures.push(`${resource.type} ${resource.name}: not deleted, a resource depending on it was not`);
      for (const key of resource.dependencies ?? []) inUse.add(key);
    }
    const results = await Promise.allSettled(now.map((resource) => remove(resource)));
    results.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      failures.push(`${now[i].type} ${now[i].name}: ${(result.reason as Error).message}`);
      for (const key of now[i].dependencies ?? []) inUse.add(key);
    });
  }
  return failures;
}
