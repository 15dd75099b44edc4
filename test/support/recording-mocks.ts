/** Mocks for the unit tier: record every registered resource and its inputs, create nothing. */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    this.resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
    const state: Record<string, unknown> = { ...args.inputs };
    if (args.type === "docker:index/image:Image") state.repoDigest = "";
    return { id: `${args.name}-id`, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    throw new Error(`unexpected invoke ${args.token}`);
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  named(name: string): RecordedResource {
    const found = this.resources.find((resource) => resource.name === name);
    if (!found) throw new Error(`no resource named ${name}; have ${this.resources.map((r) => r.name).join(", ")}`);
    return found;
  }
}
