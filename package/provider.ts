/**
 * The package's provider: Pulumi's component provider over the components of package/components.ts,
 * its schema inferred by the SDK's analyzer from their faces (package/faces.ts), then every field
 * the project treats as a secret (SECRET_FIELDS: a key, a private key) marked `secret`, which the
 * analyzer does not do. ARCHITECTURE.md, The package.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { ConfigIssue, LabConfigError, SECRET_FIELDS } from "../components/net/errors";
import { PACKAGE_COMPONENTS } from "./components";

/** The package's name: the prefix of its types in every language (`docker-netlabs:index:RoutedLab`). */
export const PACKAGE_NAME = "docker-netlabs";

/** The repository's root: PulumiPlugin.yaml, package.json (its `main` is package/index.ts) and tsconfig.json. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..");

/** A schema property, as far as marking secrets goes. */
interface SchemaProperty {
  secret?: boolean;
  plain?: boolean;
}

/** The parts of a package schema that hold properties. */
interface PackageSchema {
  resources?: Record<string, { inputProperties?: Record<string, SchemaProperty>; properties?: Record<string, SchemaProperty> }>;
  types?: Record<string, { properties?: Record<string, SchemaProperty> }>;
}

/** Marks `secret` every property named in `secretFields`, wherever it is: component inputs and outputs, and types. */
export function markSecrets<T extends PackageSchema>(schema: T, secretFields: ReadonlySet<string> = SECRET_FIELDS): T {
  const mark = (properties: Record<string, SchemaProperty> | undefined) => {
    for (const [name, property] of Object.entries(properties ?? {})) if (secretFields.has(name)) property.secret = true;
  };
  for (const resource of Object.values(schema.resources ?? {})) {
    mark(resource.inputProperties);
    mark(resource.properties);
  }
  for (const type of Object.values(schema.types ?? {})) mark(type.properties);
  return schema;
}

export class NetlabsProvider extends ComponentProvider {
  private marked?: string;

  constructor() {
    super({ name: PACKAGE_NAME, dirname: PACKAGE_ROOT, components: PACKAGE_COMPONENTS });
  }

  async getSchema(): Promise<string> {
    this.marked ??= JSON.stringify(markSecrets(JSON.parse(await super.getSchema()) as PackageSchema));
    return this.marked;
  }

  /** Builds the component with its plain arguments as values (see `plainInputs`). */
  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    const schema = JSON.parse(await this.getSchema()) as PackageSchema;
    const plain = Object.entries(schema.resources?.[type]?.inputProperties ?? {}).flatMap(([key, property]) =>
      property.plain ? [key] : [],
    );
    const { values, dependencies } = await plainInputs(`${type.split(":")[2]} ${JSON.stringify(name)}`, inputs, new Set(plain));
    const dependsOn = [...dependenciesOf(options.dependsOn), ...dependencies];
    return super.construct(name, type, values, { ...options, dependsOn });
  }
}

/** What an Output carries besides its value (the SDK's OutputImpl; not in its typings). */
interface OutputState {
  isKnown: Promise<boolean>;
  isSecret: Promise<boolean>;
  promise(): Promise<unknown>;
  resources(): Set<pulumi.Resource>;
}

/**
 * The component's plain arguments as values. The provider's server hands an argument to `construct`
 * as an Output when it comes from another resource (`host: ${site.connection}` in YAML) or is secret,
 * while the components plan from plain data before they register anything. Such an argument is
 * resolved here, its resources kept as dependencies and its secret fields (SECRET_FIELDS) secret
 * again; one still unknown (at preview, a resource not created yet) is an error naming the field.
 */
export async function plainInputs(
  subject: string,
  inputs: pulumi.Inputs,
  plain: ReadonlySet<string>,
): Promise<{ values: pulumi.Inputs; dependencies: pulumi.Resource[] }> {
  const values: pulumi.Inputs = { ...inputs };
  const dependencies: pulumi.Resource[] = [];
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    if (!plain.has(key) || !pulumi.Output.isInstance(value)) continue;
    const state = value as unknown as OutputState;
    if (!(await state.isKnown)) {
      issues.push({ path: key, message: "must be known when the lab is planned: it takes an output of a resource not created yet" });
      continue;
    }
    values[key] = keepSecretFields(await state.promise());
    dependencies.push(...state.resources());
  }
  if (issues.length > 0) throw new LabConfigError(subject, issues);
  return { values, dependencies };
}

/** `value` with every field named in SECRET_FIELDS a Pulumi secret, at any depth. */
function keepSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keepSecretFields);
  if (value === null || typeof value !== "object" || pulumi.Output.isInstance(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, SECRET_FIELDS.has(key) ? pulumi.secret(field) : keepSecretFields(field)]),
  );
}

/** A `dependsOn` option as a list (the provider's server gives one). */
function dependenciesOf(dependsOn: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [];
  return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}

/** Serves the package (what `pulumi package add` and every program using it start). */
export function servePackage(args: string[] = process.argv.slice(2)): Promise<void> {
  return provider.main(new NetlabsProvider(), args);
}
