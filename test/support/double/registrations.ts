/**
 * What the engine is told of each resource in its registration request, which mocks do not see
 * (test/support/run-program.ts hands the request over): the delete-before-replace option, the
 * parent, and the dependencies, per input and in all (the SDK lists custom resources only, a
 * component dependency expanded to its children). The engine's dependency graph
 * (pulumi/pulumi v3.248 pkg/resource/graph/dependency_graph.go DependenciesOf) adds the parent:
 * a resource is deleted before its parent, and the parent before what it depends on.
 */
import { keyOf, keyOfUrn } from "./state";

export interface Registration {
  /** A custom resource (the others are components, the program's own grouping). */
  custom: boolean;
  /** The program's deleteBeforeReplace option, when it set one (true or false). */
  deleteBeforeReplace?: boolean;
  propertyDependencies: Record<string, string[]>;
  dependencies: string[];
  parent?: string;
}

export class Registrations {
  private readonly byKey = new Map<string, Registration>();

  observe(request: any): void {
    const propertyDependencies: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((deps: any, property: string) => {
      propertyDependencies[property] = deps.getUrnsList().map(keyOfUrn);
    });
    const parent: string = request.getParent();
    this.byKey.set(keyOf(request.getType(), request.getName()), {
      custom: request.getCustom(),
      deleteBeforeReplace: request.getDeletebeforereplacedefined() ? request.getDeletebeforereplace() : undefined,
      propertyDependencies,
      dependencies: request.getDependenciesList().map(keyOfUrn),
      parent: parent ? keyOfUrn(parent) : undefined,
    });
  }

  get(key: string): Registration | undefined {
    return this.byKey.get(key);
  }

  /**
   * The keys of the custom resources `key` must be deleted before: its dependencies and its parent's,
   * through components (which the double does not keep) to the custom resources they depend on.
   */
  dependenciesOf(key: string): string[] {
    const found = new Set<string>();
    const visit = (current: string) => {
      const registration = this.byKey.get(current);
      if (!registration) return;
      const next = [...registration.dependencies, ...Object.values(registration.propertyDependencies).flat()];
      if (registration.parent) next.push(registration.parent);
      for (const dependency of next) {
        if (found.has(dependency)) continue;
        found.add(dependency);
        if (this.byKey.get(dependency)?.custom === false) visit(dependency);
      }
    };
    visit(key);
    return [...found].filter((dependency) => dependency !== key && this.byKey.get(dependency)?.custom !== false);
  }
}
