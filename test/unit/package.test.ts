/**
 * The docker-netlabs Pulumi package (issue 24): the schema Pulumi's own analyzer infers from it, as
 * `pulumi package add` gets it (the provider's GetSchema, package/provider.ts), and the package's
 * construct path run in-process under the SDK's mocks. The schema checks are generic (every
 * component, type and property), so fields added to the components later are checked as well.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { BgpTriangle } from "../../components/bgp";
import { DockerHost } from "../../components/host/docker-host";
import { LabConfigError, SECRET_FIELDS } from "../../components/net/errors";
import { RoutedLab } from "../../components/routed-lab";
import * as components from "../../package/components";
import type * as faces from "../../package/faces";
import { NetlabsProvider, PACKAGE_NAME, markSecrets, plainInputs } from "../../package/provider";
import { routedLanSpec } from "../../stacks/routed-lan";
import { RecordingMocks } from "../support/recording-mocks";
import { PROJECT } from "../support/run-program";

const ROOT = path.resolve(__dirname, "../..");

/** The components a user of another language gets, and what a lab shows: their names in the schema. */
const COMPONENTS = ["RoutedLab", "BgpTriangle", "OorRouter", "NetworkContainer", "DockerHost"];

/** Types the schema must hold (it may hold more): the labs' descriptions, the host, the probe. */
const TYPES = [
  "RoutedLabSpec",
  "SegmentSpec",
  "VxlanSpec",
  "NodeSpec",
  "InterfaceSpec",
  "RouteSpec",
  "PublishSpec",
  "CheckSpec",
  "OspfSpec",
  "IsisSpec",
  "BgpSpec",
  "BfdSpec",
  "BfdMultihopSpec",
  "BgpTriangleAsns",
  "BgpTriangleSubnets",
  "OorMapServer",
  "OorSite",
  "NetworkContainerLan",
  "NetworkContainerPort",
  "HostConnection",
  "HostExec",
  "SshIdentity",
  "DockerTls",
  "HostNeeds",
  "LabProbeSettings",
  "LabProbeResult",
  "LabNodeInfo",
  "LabSegmentInfo",
];

/** Where a secret field must be marked (each also named in SECRET_FIELDS). */
const SECRETS = ["SshIdentity.privateKey", "DockerTls.key", "OorSite.key", "OorMapServer.key"];

interface Property {
  type?: string;
  $ref?: string;
  description?: string;
  secret?: boolean;
  plain?: boolean;
  items?: Property;
  additionalProperties?: Property;
}

interface Schema {
  name: string;
  resources: Record<string, { description?: string; inputProperties: Record<string, Property>; properties: Record<string, Property> }>;
  types: Record<string, { properties: Record<string, Property> }>;
}

/** Every property of the schema, as "<owner>.<name>": component inputs and outputs, and each type's. */
function propertiesOf(schema: Schema): [string, Property][] {
  const found: [string, Property][] = [];
  for (const [token, resource] of Object.entries(schema.resources)) {
    const name = token.split(":")[2];
    for (const [key, property] of Object.entries(resource.inputProperties)) found.push([`${name}.args.${key}`, property]);
    for (const [key, property] of Object.entries(resource.properties)) found.push([`${name}.${key}`, property]);
  }
  for (const [token, type] of Object.entries(schema.types)) {
    for (const [key, property] of Object.entries(type.properties)) found.push([`${token.split(":")[2]}.${key}`, property]);
  }
  return found;
}

/** A property and what it holds (array items, map values). */
function withInner(property: Property): Property[] {
  return [
    property,
    ...(property.items ? withInner(property.items) : []),
    ...(property.additionalProperties ? withInner(property.additionalProperties) : []),
  ];
}

describe("the package's schema, as Pulumi's analyzer infers it", () => {
  let schema: Schema;
  beforeAll(async () => {
    schema = JSON.parse(await new NetlabsProvider().getSchema());
  }, 120_000);

  it("is the package docker-netlabs, a nodejs plugin whose entry point is the provider and whose stacks' program stays index.ts", () => {
    expect(schema.name).toBe(PACKAGE_NAME);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.name).toBe(PACKAGE_NAME);
    expect(pkg.main).toBe("package/index.ts");
    expect(parseYaml(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")).runtime.name).toBe("nodejs");
    expect(parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).main).toBe("index.ts");
  });

  it("has every component, described, with the outputs of its face and none of its TypeScript internals", () => {
    expect(Object.keys(schema.resources).sort()).toEqual(COMPONENTS.map((name) => `${PACKAGE_NAME}:index:${name}`).sort());
    for (const resource of Object.values(schema.resources)) expect(resource.description).toBeTruthy();
    const lab = schema.resources[`${PACKAGE_NAME}:index:RoutedLab`];
    expect(Object.keys(lab.properties).sort()).toEqual(["mermaid", "nodes", "probeResults", "published", "segments"]);
    expect(Object.keys(lab.inputProperties)).toEqual(expect.arrayContaining(["spec", "host", "probe", "namePrefix", "restart"]));
  });

  it("defines every type it refers to, and the labs', the host's and the probe's", () => {
    const defined = new Set(Object.keys(schema.types));
    const referred = new Set<string>();
    for (const [, property] of propertiesOf(schema)) {
      for (const inner of withInner(property)) if (inner.$ref?.startsWith("#/types/")) referred.add(inner.$ref.slice("#/types/".length));
    }
    for (const resource of Object.values(schema.resources)) {
      for (const property of Object.values(resource.inputProperties)) {
        for (const inner of withInner(property)) if (inner.$ref?.startsWith("#/types/")) referred.add(inner.$ref.slice("#/types/".length));
      }
    }
    expect([...referred].filter((type) => !defined.has(type))).toEqual([]);
    expect([...defined].map((token) => token.split(":")[2])).toEqual(expect.arrayContaining(TYPES));
  });

  it("describes every property from its JSDoc", () => {
    expect(
      propertiesOf(schema)
        .filter(([, property]) => !property.description?.trim())
        .map(([where]) => where),
    ).toEqual([]);
    // The description is the JSDoc's text (components/routed-lab/routed-lab.ts, components/host/ssh-identity.ts).
    expect(schema.resources[`${PACKAGE_NAME}:index:RoutedLab`].inputProperties.spec.description).toBe(
      "The lab: its segments, nodes (with their routing), checks and BFD (RoutedLabSpec).",
    );
    expect(schema.types[`${PACKAGE_NAME}:index:SshIdentity`].properties.privateKey.description).toBe(
      "The private key: a Pulumi secret, written to an owner-only file that the ssh options name.",
    );
  });

  it("marks secret every field the project treats as one, and no other", () => {
    const secret = propertiesOf(schema).filter(([, property]) => property.secret);
    expect(secret.map(([where]) => where)).toEqual(expect.arrayContaining(SECRETS));
    for (const [where] of secret) expect(SECRET_FIELDS.has(where.split(".").at(-1)!)).toBe(true);
    const unmarked = propertiesOf(schema).filter(([where, property]) => SECRET_FIELDS.has(where.split(".").at(-1)!) && !property.secret);
    expect(unmarked.map(([where]) => where)).toEqual([]);
  });

  it("gives every property a type: no pulumi.json#/Any", () => {
    const any = propertiesOf(schema).filter(([, property]) => withInner(property).some((inner) => inner.$ref === "pulumi.json#/Any"));
    expect(any.map(([where]) => where)).toEqual([]);
    for (const [where, property] of propertiesOf(schema)) {
      for (const inner of withInner(property)) expect([where, Boolean(inner.type || inner.$ref)]).toEqual([where, true]);
    }
  });

  it("(the checks do catch an undescribed, untyped or unmarked property)", () => {
    const bad: Schema = structuredClone(schema);
    const spec = bad.types[`${PACKAGE_NAME}:index:SshIdentity`].properties;
    spec.privateKey = { $ref: "pulumi.json#/Any" };
    const found = propertiesOf(bad).filter(([where]) => where === "SshIdentity.privateKey");
    expect(found[0][1].description).toBeUndefined();
    expect(found[0][1].secret).toBeUndefined();
    expect(markSecrets(bad).types[`${PACKAGE_NAME}:index:SshIdentity`].properties.privateKey.secret).toBe(true);
  });
});

describe("each face (package/faces.ts) is its component's schema", () => {
  it("takes the component's args and shows what the component has (checked by tsc)", () => {
    expectTypeOf<ConstructorParameters<typeof faces.RoutedLab>>().toEqualTypeOf<ConstructorParameters<typeof components.RoutedLab>>();
    expectTypeOf<ConstructorParameters<typeof faces.BgpTriangle>>().toEqualTypeOf<ConstructorParameters<typeof components.BgpTriangle>>();
    expectTypeOf<ConstructorParameters<typeof faces.NetworkContainer>>().toEqualTypeOf<
      ConstructorParameters<typeof components.NetworkContainer>
    >();
    expectTypeOf<ConstructorParameters<typeof faces.OorRouter>[1]>().toEqualTypeOf<ConstructorParameters<typeof components.OorRouter>[1]>();
    expectTypeOf<ConstructorParameters<typeof faces.DockerHost>>().toEqualTypeOf<ConstructorParameters<typeof components.DockerHost>>();
    expectTypeOf<components.RoutedLab>().toExtend<faces.RoutedLab>();
    expectTypeOf<components.BgpTriangle>().toExtend<faces.BgpTriangle>();
    expectTypeOf<components.NetworkContainer>().toExtend<faces.NetworkContainer>();
    expectTypeOf<InstanceType<typeof components.OorRouter>>().toExtend<faces.OorRouter>();
    expectTypeOf<InstanceType<typeof components.DockerHost>>().toExtend<faces.DockerHost>();
  });

  it("names the components the provider builds", () => {
    expect(components.PACKAGE_COMPONENTS.map((component) => component.name).sort()).toEqual([...COMPONENTS].sort());
  });
});

/** The provider's own deserializer (provider/server.js, what its gRPC Construct runs on the request's inputs). */
const { deserializeInputs } = require("@pulumi/pulumi/provider/server") as {
  deserializeInputs(inputs: unknown, dependencies: Map<string, unknown>): Promise<pulumi.Inputs>;
};
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(value: object): unknown } };

/** Runs `program` under `mocks` and waits for it and every registration it made (runProgram for an async program). */
async function underMocks<T>(mocks: RecordingMocks, program: () => Promise<T> | T): Promise<T> {
  await pulumi.runtime.setMocks(mocks, PROJECT, "dev", false);
  const observer = mocks.observeRegistration.bind(mocks);
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: any) => {
    observer(request);
    return register(request, callback);
  };
  try {
    return await program();
  } finally {
    await pulumi.runtime.disconnect();
  }
}

/** `args` as the provider receives them from another language: serialized, sent, deserialized. */
async function asConstructInputs(args: object): Promise<pulumi.Inputs> {
  const serialized = await pulumi.runtime.serializeProperties("args", args as pulumi.Inputs);
  return deserializeInputs(Struct.fromJavaScript(serialized), new Map());
}

/** What a program registered: every resource with its inputs and secrets, and what each depends on. */
function graphOf(mocks: RecordingMocks) {
  return { resources: mocks.resources, options: [...mocks.options.entries()] };
}

const LAN = { spec: routedLanSpec({ internal: true }), namePrefix: "pkg-" };

describe("the package's construct path, in-process under the SDK's mocks", () => {
  it("RoutedLab through the provider's construct registers the same resources, inputs and dependencies as new RoutedLab", async () => {
    const direct = new RecordingMocks();
    const lab = await underMocks(direct, () => new RoutedLab("lan", LAN));
    const viaPackage = new RecordingMocks();
    const result = await underMocks(viaPackage, async () =>
      new NetlabsProvider().construct("lan", `${PACKAGE_NAME}:index:RoutedLab`, await asConstructInputs(LAN), {}),
    );
    expect(direct.resources.length).toBeGreaterThan(5);
    expect(graphOf(viaPackage)).toEqual(graphOf(direct));
    // What the user's program gets back: the face's outputs.
    expect(Object.keys(result.state).sort()).toEqual(["mermaid", "nodes", "probeResults", "published", "segments"]);
    expect(result.state.mermaid).toBe(lab.mermaid);
    expect(result.state.nodes).toEqual(lab.nodes);
  });

  it("BgpTriangle likewise", async () => {
    const args = { namePrefix: "pkg-", bfd: { enabled: true } };
    const direct = new RecordingMocks();
    await underMocks(direct, () => new BgpTriangle("bgp", args));
    const viaPackage = new RecordingMocks();
    await underMocks(viaPackage, async () =>
      new NetlabsProvider().construct("bgp", `${PACKAGE_NAME}:index:BgpTriangle`, await asConstructInputs(args), {}),
    );
    expect(graphOf(viaPackage)).toEqual(graphOf(direct));
  });

  it("DockerHost likewise, its key a secret all the way", async () => {
    const args = {
      host: "ssh://lab@192.0.2.7",
      sshIdentity: {
        privateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nx\n"),
        hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB",
      },
    };
    const direct = new RecordingMocks();
    await underMocks(direct, () => new DockerHost("site", args));
    const viaPackage = new RecordingMocks();
    await underMocks(viaPackage, async () =>
      new NetlabsProvider().construct("site", `${PACKAGE_NAME}:index:DockerHost`, await asConstructInputs(args), {}),
    );
    expect(graphOf(viaPackage)).toEqual(graphOf(direct));
    expect(viaPackage.named("site-check").secretPaths).toContain("privateKey");
  });

  it("a lab given probe declares its probe as its child, with the checks a stack's probe runs", async () => {
    const mocks = new RecordingMocks();
    const lab = await underMocks(mocks, async () => {
      const inputs = await asConstructInputs({ ...LAN, probe: { timeoutSeconds: 5 } });
      await new NetlabsProvider().construct("lan", `${PACKAGE_NAME}:index:RoutedLab`, inputs, {});
      return new RoutedLab("plain", LAN);
    });
    const probe = mocks.resources.find((resource) => resource.name === "lan-probe")!;
    expect(probe.type).toBe("pulumi-nodejs:dynamic/netlabs:LabProbe");
    expect(probe.inputs.timeoutSeconds).toBe(5);
    expect(probe.inputs.checks.map((check: { name: string }) => check.name)).toEqual(lab.probeChecks().map((check) => check.name));
    expect(mocks.options.get("lan-probe")!.dependencies).toEqual(expect.arrayContaining([expect.stringMatching(/::lan-ready$/)]));
  });

  it("refuses a bad lab from another language as from TypeScript: the field and the value, nothing registered", async () => {
    const mocks = new RecordingMocks();
    const bad = { spec: { ...LAN.spec, nodes: [{ ...LAN.spec.nodes[1], image: "nginx" }] } };
    let caught: unknown;
    await underMocks(mocks, async () =>
      new NetlabsProvider().construct("bad", `${PACKAGE_NAME}:index:RoutedLab`, await asConstructInputs(bad), {}),
    ).catch((error) => (caught = error));
    expect(caught).toBeInstanceOf(LabConfigError);
    expect((caught as LabConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'nodes[0].image: must be a lab image: router, web, client, dhcp-server (an image of yours is imageRef) (got "nginx")',
    ]);
    expect(mocks.resources).toEqual([]);
  });
});

describe("plain arguments that arrive as outputs (from another resource, or secret)", () => {
  const SITE = "urn:pulumi:dev::docker-netlabs::docker-netlabs:host:DockerHost::site";
  const dependingOn = (keys: string[]) => new Map(keys.map((key) => [key, { getUrnsList: () => [SITE] }]));
  const asInputsFrom = async (args: object, keys: string[]) =>
    deserializeInputs(Struct.fromJavaScript(await pulumi.runtime.serializeProperties("args", args as pulumi.Inputs)), dependingOn(keys));

  it("are resolved, their resources kept as dependencies of the component, their secret fields secret", async () => {
    const mocks = new RecordingMocks();
    const host = { url: "unix:///var/run/docker.sock", exec: { kind: "local", dockerHost: "unix:///var/run/docker.sock" } };
    await underMocks(mocks, async () => {
      const inputs = await asInputsFrom({ ...LAN, host }, ["host"]);
      expect(pulumi.Output.isInstance(inputs.host)).toBe(true);
      await new NetlabsProvider().construct("lan", `${PACKAGE_NAME}:index:RoutedLab`, inputs, {});
      const identity = await asInputsFrom({ identity: { privateKey: "k", hostKey: "ssh-ed25519 AAAA" } }, ["identity"]);
      const { values, dependencies } = await plainInputs("DockerHost", identity, new Set(["identity"]));
      expect(dependencies.length).toBe(1);
      const resolved = values.identity as { privateKey: pulumi.Output<string>; hostKey: string };
      expect(resolved.hostKey).toBe("ssh-ed25519 AAAA");
      expect(await pulumi.isSecret(resolved.privateKey)).toBe(true);
    });
    expect(mocks.options.get("lan")!.dependencies).toEqual([SITE]);
    expect(mocks.named("lan-ready").inputs.dockerHost).toBe("unix:///var/run/docker.sock");
  });

  it("one still unknown is refused naming the field, before anything is registered", async () => {
    // As the SDK makes an output not known yet (its OutputImpl: resources, value, isKnown, isSecret, allResources).
    const { Output } = require("@pulumi/pulumi/output") as { Output: new (...args: unknown[]) => pulumi.Output<unknown> };
    const unknown = new Output([], Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(false), Promise.resolve([]));
    await expect(plainInputs('RoutedLab "lan"', { spec: unknown, namePrefix: "x" }, new Set(["spec", "namePrefix"]))).rejects.toThrow(
      'RoutedLab "lan" is invalid:\n  - spec: must be known when the lab is planned: it takes an output of a resource not created yet',
    );
  });
});

describe("the examples (examples/yaml-routed-lab, examples/python-routed-lab)", () => {
  let schema: Schema;
  beforeAll(async () => {
    schema = JSON.parse(await new NetlabsProvider().getSchema());
  }, 120_000);

  it("the YAML program's labs are valid: each resource, built through the provider's construct, plans and registers its lab and probe", async () => {
    const program = parseYaml(fs.readFileSync(path.join(ROOT, "examples/yaml-routed-lab/Pulumi.yaml"), "utf8"));
    expect(program.packages).toEqual({ [PACKAGE_NAME]: "../.." });
    const mocks = new RecordingMocks();
    await underMocks(mocks, async () => {
      for (const [name, resource] of Object.entries<{ type: string; properties: object }>(program.resources)) {
        const inputs = schema.resources[resource.type].inputProperties;
        expect(Object.keys(resource.properties).filter((key) => !(key in inputs))).toEqual([]);
        await new NetlabsProvider().construct(name, resource.type, await asConstructInputs(resource.properties), {});
      }
    });
    expect(mocks.resources.filter((resource) => resource.name.endsWith("-probe")).map((resource) => resource.name)).toEqual([
      "lan-probe",
      "bgp-probe",
    ]);
    expect(mocks.ofType("docker:index/container:Container").length).toBeGreaterThan(8);
  });

  it("the Python program's classes are the schema's components and types", () => {
    const source = fs.readFileSync(path.join(ROOT, "examples/python-routed-lab/__main__.py"), "utf8");
    const used = [...new Set([...source.matchAll(/netlabs\.(\w+)\(/g)].map((match) => match[1]))];
    expect(used.length).toBeGreaterThan(5);
    for (const name of used) {
      const token = `${PACKAGE_NAME}:index:${name.replace(/Args$/, "")}`;
      expect([name, token in (name.endsWith("Args") ? schema.types : schema.resources)]).toEqual([name, true]);
    }
  });
});
