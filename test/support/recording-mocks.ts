/** Mocks for the unit tier: record every registered resource and its inputs, create nothing. */
import * as pulumi from "@pulumi/pulumi";
import { unwrapSecrets } from "./secrets";

export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs as the engine would apply them (secrets unwrapped). */
  inputs: Record<string, any>;
  /** Which inputs reached the engine marked secret. */
  secretPaths: string[];
  provider?: string;
}

/** What the engine is told of a resource besides its inputs. */
export interface RegistrationOptions {
  deleteBeforeReplace: boolean;
  /** Per input, the URNs of the resources whose outputs it takes. */
  propertyDependencies: Record<string, string[]>;
  /** The URNs of the resources it depends on (dependsOn, a component's expanded to its children). */
  dependencies: string[];
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  /** Registration options by resource name. */
  readonly options = new Map<string, RegistrationOptions>();

  observeRegistration(request: any): void {
    const propertyDependencies: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((deps: any, key: string) => (propertyDependencies[key] = deps.getUrnsList()));
    this.options.set(request.getName(), {
      deleteBeforeReplace: request.getDeletebeforereplace(),
      propertyDependencies,
      dependencies: request.getDependenciesList(),
    });
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const { value: inputs, secretPaths } = unwrapSecrets(args.inputs);
    this.resources.push({ type: args.type, name: args.name, inputs, secretPaths, provider: args.provider });
    const state: Record<string, unknown> = { ...inputs };
    if (args.type === "docker:index/image:Image") state.repoDigest = "";
    return { id: `${args.name}-id`, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    throw new Error(`unexpected invoke ${args.token}`);
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  /** The custom resource (not component) registered under `name`. */
  named(name: string): RecordedResource {
    const found = this.resources.find((resource) => resource.name === name && !resource.type.startsWith("docker-netlabs:"));
    if (!found) throw new Error(`no resource named ${name}; have ${this.resources.map((r) => r.name).join(", ")}`);
    return found;
  }
}
