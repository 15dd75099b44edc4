/**
 * The public component arguments stay plain data that Pulumi's component analyzer can read
 * (@pulumi/pulumi/provider/experimental/analyzer.ts, what `pulumi package add` runs on a TypeScript
 * component provider): the constructor's `args` is an interface, and everything reachable from it is
 * string, number, boolean, an array, a map (Record<string, T>), a named interface, or pulumi.Input
 * or Output of one of those; a field may be optional (`T | undefined`). No other union, no literal
 * type, enum, function, intersection, anonymous object type, `any` or `unknown`; and every interface
 * name once (the analyzer names the package's types by interface name alone); every field with
 * JSDoc (the analyzer's description). The walk below reads the types with the TypeScript compiler,
 * as the analyzer does. Below it: each plain interface against its schema (tsc: the same fields, a
 * type the schema takes), and what the schemas check now that the types no longer do.
 */
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { BgpTriangle, BgpTriangleOptions, BgpTriangleOptionsInput, planBgpTriangle } from "../../components/bgp";
import { execTargetOf } from "../../components/host/host-exec";
import { restartPolicySchema } from "../../components/host/lifecycle";
import { LabConfigError } from "../../components/net/errors";
import {
  NetworkContainerLan,
  NetworkContainerOptions,
  NetworkContainerPort,
  networkContainerOptionsSchema,
  planNetworkContainer,
} from "../../components/network-container";
import {
  OorEidPrefix,
  OorMapServer,
  OorOptions,
  OorProxyEtr,
  OorRlocProbing,
  OorRouter,
  OorSite,
  oorOptionsSchema,
} from "../../components/oor";
import {
  BfdSpec,
  BgpSpec,
  InterfaceRoutingSpec,
  LabRoutingSpec,
  NodeRoutingSpec,
  OspfSpec,
  interfaceRoutingFields,
  RoutingPolicySpec,
  labRoutingFields,
  nodeRoutingFields,
} from "../../components/protocols";
import { PolicyEntrySpec, PolicySetSpec, StaticRouteSpec } from "../../components/protocols/policy/schema";
import { RoutedLab } from "../../components/routed-lab";
import {
  CheckSpec,
  InterfaceSpec,
  NodeSpec,
  PublishSpec,
  RouteSpec,
  RoutedInterfaceSpec,
  RoutedLabSpec,
  RoutedLabSpecInput,
  SegmentSpec,
  VxlanSpec,
  planRoutedLab,
} from "../../components/routed-lab/plan";
import { configIssues } from "../support/config-issues";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const ROOT = path.resolve(__dirname, "../..");

/** Every public component, by file and class: its constructor's `args` is walked. */
const COMPONENTS: { file: string; component: string }[] = [
  { file: "components/routed-lab/routed-lab.ts", component: "RoutedLab" },
  { file: "components/bgp/bgp-triangle.ts", component: "BgpTriangle" },
  { file: "components/oor/oor-router.ts", component: "OorRouter" },
  { file: "components/oor/lisp-site.ts", component: "LispSite" },
  { file: "components/oor/oor-lab.ts", component: "OorLab" },
  { file: "components/oor/lisp-site-lab.ts", component: "LispSiteLab" },
  { file: "components/oor/lisp-msmr-lab.ts", component: "LispMsmrLab" },
  { file: "components/network-container/network-container.ts", component: "NetworkContainer" },
  { file: "components/host/docker-host.ts", component: "DockerHost" },
];

/** Interfaces that are public arguments without being a constructor's own (what every lab of a stack gets). */
const INTERFACES: { file: string; name: string }[] = [{ file: "components/lab.ts", name: "LabCommonArgs" }];

/** Interfaces the walk must reach (the package's types; more may come). */
const REACHED = [
  "RoutedLabArgs",
  "RoutedLabSpec",
  "SegmentSpec",
  "VxlanSpec",
  "NodeSpec",
  // InterfaceSpec's fields, with each protocol's interface field (RoutedInterfaceSpec extends it).
  "RoutedInterfaceSpec",
  "OspfInterfaceSpec",
  "RouteSpec",
  "PublishSpec",
  "OspfSpec",
  "OspfDefaultOriginateSpec",
  "OspfLabSpec",
  "OspfAreaSpec",
  "OspfAreaRangeSpec",
  "BgpSpec",
  "CheckSpec",
  "BfdSpec",
  "BfdMultihopSpec",
  "HostConnection",
  "HostExec",
  "BgpTriangleArgs",
  "BgpTriangleAsns",
  "BgpTriangleRouterIds",
  "BgpTriangleSubnets",
  "BgpTriangleBfd",
  "BgpTriangleTimers",
  "OorRouterArgs",
  "OorMapServer",
  "OorProxyEtr",
  "OorEidPrefix",
  "OorSite",
  "OorRlocProbing",
  "OorEidNetwork",
  "OorRlocRoute",
  "LispSiteArgs",
  "OorLabArgs",
  "LispSiteLabArgs",
  "LispSiteSettings",
  "RlocNetworkPlan",
  "LispMsmrLabArgs",
  "PlannedMapServer",
  "NetworkContainerArgs",
  "NetworkContainerPort",
  "NetworkContainerLan",
  "DockerHostArgs",
  "SshIdentity",
  "HostNeeds",
  "LabCommonArgs",
];

interface Found {
  /** Where, as a user would write it: `RoutedLab.args.spec.nodes[].image`. */
  at: string;
  problem: string;
}

/** Walks types as the analyzer reads them, collecting each construct it cannot express. */
class PlainTypeWalker {
  readonly found: Found[] = [];
  /** The interfaces reached: the package's types. */
  readonly reached = new Set<string>();
  /** Fields without JSDoc: the analyzer takes each field's description from it. */
  readonly undocumented: string[] = [];
  /** Interface name to where it is declared: a second interface of one name is a problem. */
  private readonly interfaces = new Map<string, ts.Declaration>();
  private readonly walked = new Set<ts.Type>();

  constructor(private readonly checker: ts.TypeChecker) {}

  /** The interface `type` (an `args` type or a public Args interface) and everything reachable from it. */
  walkArgs(type: ts.Type, at: string): void {
    const symbol = type.getSymbol();
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Interface)) {
      this.report(at, `is ${this.show(type)}, not an interface`);
      return;
    }
    this.walk(type, at);
  }

  private walk(type: ts.Type, at: string): void {
    const problem = this.problemOf(type, at);
    if (problem) this.report(at, problem);
  }

  /** What the analyzer cannot express in `type` itself; what it holds is walked in turn. */
  private problemOf(type: ts.Type, at: string): string | undefined {
    const flags = type.flags;
    if (flags & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean)) return undefined;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return `is ${this.show(type)}: give it a type`;
    if (flags & (ts.TypeFlags.EnumLike | ts.TypeFlags.EnumLiteral)) return `is an enum (${this.show(type)}): use string`;
    if (flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral | ts.TypeFlags.BigIntLiteral)) {
      return `is a literal type (${this.show(type)}): use string, number or boolean`;
    }
    const inner = inputInner(type) ?? outputInner(type) ?? optionalInner(type);
    if (inner) return this.problemOf(inner, at);
    // `boolean | undefined` is true | false | undefined.
    if (type.isUnion() && type.types.every((member) => member.flags & (ts.TypeFlags.BooleanLiteral | ts.TypeFlags.Undefined)))
      return undefined;
    if (type.isUnion()) return `is a union (${this.show(type)}): make it one type`;
    if (type.isIntersection()) return `is an intersection (${this.show(type)}): make it one interface`;
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return `is a function (${this.show(type)})`;
    if (this.checker.isArrayType(type)) {
      this.walk(this.checker.getTypeArguments(type as ts.TypeReference)[0], `${at}[]`);
      return undefined;
    }
    if (this.isResource(type)) return undefined;
    const symbol = type.getSymbol();
    if (type.isClassOrInterface() && symbol && symbol.flags & ts.SymbolFlags.Interface) {
      this.walkInterface(type, symbol, at);
      return undefined;
    }
    const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (index && type.getProperties().length === 0) {
      this.walk(index.type, `${at}{}`);
      return undefined;
    }
    return `is ${this.show(type)}, not a named interface, array or Record<string, T>`;
  }

  private walkInterface(type: ts.InterfaceType, symbol: ts.Symbol, at: string): void {
    const name = symbol.getName();
    const declaration = symbol.declarations?.[0];
    const known = this.interfaces.get(name);
    if (known && declaration && !symbol.declarations?.includes(known)) {
      this.report(
        at,
        `is interface ${name}, a name another public interface has (${relative(known)}): the package's types are named by interface name`,
      );
    }
    if (declaration && !known) this.interfaces.set(name, declaration);
    this.reached.add(name);
    if (this.walked.has(type)) return;
    this.walked.add(type);
    if (this.checker.getIndexInfoOfType(type, ts.IndexKind.String)) this.report(at, `is interface ${name} with an index signature`);
    for (const property of type.getProperties()) {
      const where = property.valueDeclaration ?? property.declarations?.[0];
      if (!where) continue;
      const propertyType = this.checker.getTypeOfSymbolAtLocation(property, where);
      if (property.flags & ts.SymbolFlags.Method) {
        this.report(`${at}.${property.getName()}`, "is a method");
        continue;
      }
      if (property.getDocumentationComment(this.checker).length === 0) this.undocumented.push(`${name}.${property.getName()}`);
      this.walk(propertyType, `${at}.${property.getName()}`);
    }
  }

  /** A reference to a Pulumi resource (the analyzer takes those as resource references). */
  private isResource(type: ts.Type): boolean {
    if (!type.isClass()) return false;
    return this.checker.getBaseTypes(type).some((base) => {
      const name = base.getSymbol()?.getName();
      return name === "Resource" || name === "CustomResource" || name === "ComponentResource" || this.isResource(base);
    });
  }

  private show(type: ts.Type): string {
    return this.checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType);
  }

  private report(at: string, problem: string): void {
    this.found.push({ at, problem });
  }
}

/** pulumi.Input<T> is `T | Promise<T> | OutputInstance<T>`: its T. */
function inputInner(type: ts.Type): ts.Type | undefined {
  if (!type.isUnion()) return undefined;
  const promise = type.types.find((member) => member.getSymbol()?.getName() === "Promise");
  if (!promise || !type.types.some(isOutput)) return undefined;
  return (promise as ts.TypeReference).typeArguments?.[0];
}

/** `T | undefined`: its T. */
function optionalInner(type: ts.Type): ts.Type | undefined {
  if (!type.isUnion()) return undefined;
  const defined = type.types.filter((member) => !(member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
  return defined.length === 1 && defined.length < type.types.length ? defined[0] : undefined;
}

/** pulumi.Output<T> (OutputInstance<T>, with Lifted<T> or not): its T. */
function outputInner(type: ts.Type): ts.Type | undefined {
  const output = type.isIntersection() ? type.types.find(isOutput) : isOutput(type) ? type : undefined;
  if (!output) return undefined;
  const reference = output as ts.TypeReference;
  return reference.typeArguments?.[0] ?? output.aliasTypeArguments?.[0];
}

function isOutput(type: ts.Type): boolean {
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  const name = symbol?.getName();
  const file = symbol?.declarations?.[0]?.getSourceFile().fileName ?? "";
  return (name === "OutputInstance" || name === "Output") && /output\.(d\.)?ts$/.test(file);
}

function relative(declaration: ts.Declaration): string {
  return path.relative(ROOT, declaration.getSourceFile().fileName);
}

function program(files: string[], extra?: { name: string; text: string }): ts.Program {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const host = ts.createCompilerHost(options);
  if (extra) {
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, ...rest) =>
      name === extra.name ? ts.createSourceFile(name, extra.text, language) : getSourceFile(name, language, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === extra.name || fileExists(name);
  }
  return ts.createProgram(extra ? [...files, extra.name] : files, options, host);
}

/** The type of the `args` parameter of `component`'s constructor in `file`. */
function argsOf(checker: ts.TypeChecker, source: ts.SourceFile, component: string): ts.Type {
  let args: ts.Type | undefined;
  source.forEachChild((node) => {
    if (!ts.isClassDeclaration(node) || node.name?.text !== component) return;
    const constructors = node.members.filter(ts.isConstructorDeclaration);
    const parameter = constructors[0]?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === "args");
    if (constructors.length === 1 && parameter?.type) args = checker.getTypeFromTypeNode(parameter.type);
  });
  if (!args) throw new Error(`${component}: no single constructor with a typed 'args' parameter`);
  return args;
}

function interfaceOf(checker: ts.TypeChecker, source: ts.SourceFile, name: string): ts.Type {
  const declaration = source.statements.find(
    (node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === name,
  );
  if (!declaration) throw new Error(`no interface ${name}`);
  return checker.getTypeAtLocation(declaration);
}

function sourceOf(built: ts.Program, file: string): ts.SourceFile {
  const source = built.getSourceFile(path.join(ROOT, file));
  if (!source) throw new Error(`${file} is not in the program`);
  return source;
}

describe("public component arguments", () => {
  it("are plain data Pulumi's component analyzer reads: no unions, literals, enums or functions", () => {
    const files = [...COMPONENTS.map((c) => c.file), ...INTERFACES.map((i) => i.file)].map((file) => path.join(ROOT, file));
    const built = program([...new Set(files)]);
    const checker = built.getTypeChecker();
    const walker = new PlainTypeWalker(checker);
    for (const { file, component } of COMPONENTS) walker.walkArgs(argsOf(checker, sourceOf(built, file), component), `${component}.args`);
    for (const { file, name } of INTERFACES) walker.walkArgs(interfaceOf(checker, sourceOf(built, file), name), name);
    expect(walker.found.map((found) => `${found.at} ${found.problem}`)).toEqual([]);
    // The walk reaches the nested types, not only the Args themselves.
    expect([...walker.reached]).toEqual(expect.arrayContaining(REACHED));
    expect([...new Set(walker.undocumented)]).toEqual([]);
  }, 60_000);

  it("the walk finds each construct the analyzer refuses", () => {
    const name = path.join(ROOT, "test/unit/__plain-args-fixture__.ts");
    const text = `
      import * as pulumi from "@pulumi/pulumi";
      enum Mode { A = "a", B = "b" }
      interface Inner { size: number }
      interface Other { size: string }
      namespace elsewhere { export interface Inner { other: boolean } }
      export interface FixtureArgs {
        fine?: pulumi.Input<string>;
        fineList: pulumi.Input<pulumi.Input<Inner>[]>;
        fineMap?: Record<string, pulumi.Input<number>>;
        fineFlag?: boolean;
        choice: string | number;
        literal: "only";
        literals?: "a" | "b";
        mode: Mode;
        callback: (value: string) => void;
        inline: { size: number };
        both: Inner & Other;
        loose: unknown;
        partial: Partial<Record<"x" | "y", string>>;
        again: elsewhere.Inner;
      }`;
    const built = program([], { name, text });
    const checker = built.getTypeChecker();
    const walker = new PlainTypeWalker(checker);
    walker.walkArgs(interfaceOf(checker, built.getSourceFile(name)!, "FixtureArgs"), "FixtureArgs");
    expect(walker.found.map((found) => found.at)).toEqual([
      "FixtureArgs.choice",
      "FixtureArgs.literal",
      "FixtureArgs.literals",
      "FixtureArgs.mode",
      "FixtureArgs.callback",
      "FixtureArgs.inline",
      "FixtureArgs.both",
      "FixtureArgs.loose",
      "FixtureArgs.partial",
      "FixtureArgs.again",
    ]);
  });
});

describe("the plain forms", () => {
  it("are types the schemas take (checked by tsc), the routing fields one set with the registry's", () => {
    expectTypeOf<RoutedLabSpec>().toExtend<RoutedLabSpecInput>();
    expectTypeOf<BgpTriangleOptions>().toExtend<BgpTriangleOptionsInput>();
    expectTypeOf<OorOptions>().toExtend<z.input<typeof oorOptionsSchema>>();
    // lan is one interface here, two shapes in the schema (created or joined): checked at run time below.
    expectTypeOf<Omit<NetworkContainerOptions, "lan">>().toExtend<Omit<z.input<typeof networkContainerOptionsSchema>, "lan">>();
    expectTypeOf<string>().toExtend<z.input<typeof restartPolicySchema>>();
    expectTypeOf<keyof NodeRoutingSpec>().toEqualTypeOf<keyof typeof nodeRoutingFields>();
    expectTypeOf<keyof LabRoutingSpec>().toEqualTypeOf<keyof typeof labRoutingFields>();
    expectTypeOf<keyof InterfaceRoutingSpec>().toEqualTypeOf<keyof typeof interfaceRoutingFields>();
  });

  it("have every field their schemas have (checked by tsc): a field added to a schema is added to its interface", () => {
    type Lab = RoutedLabSpecInput;
    type Segment = Lab["segments"][number];
    type Node = Lab["nodes"][number];
    expectTypeOf<keyof RoutedLabSpec>().toEqualTypeOf<keyof Lab>();
    expectTypeOf<keyof SegmentSpec>().toEqualTypeOf<keyof Segment>();
    expectTypeOf<keyof VxlanSpec>().toEqualTypeOf<keyof NonNullable<Segment["vxlan"]>>();
    expectTypeOf<keyof NodeSpec>().toEqualTypeOf<keyof Node>();
    expectTypeOf<keyof RoutedInterfaceSpec>().toEqualTypeOf<keyof Node["interfaces"][number]>();
    expectTypeOf<keyof InterfaceSpec>().toEqualTypeOf<Exclude<keyof Node["interfaces"][number], keyof InterfaceRoutingSpec>>();
    expectTypeOf<keyof RouteSpec>().toEqualTypeOf<keyof NonNullable<Node["routes"]>[number]>();
    expectTypeOf<keyof PublishSpec>().toEqualTypeOf<keyof NonNullable<Node["publish"]>[number]>();
    expectTypeOf<keyof CheckSpec>().toEqualTypeOf<keyof NonNullable<Lab["checks"]>[number]>();
    expectTypeOf<keyof OspfSpec>().toEqualTypeOf<keyof NonNullable<Node["ospf"]>>();
    expectTypeOf<keyof BgpSpec>().toEqualTypeOf<keyof NonNullable<Node["bgp"]>>();
    type Routing = NonNullable<Node["routing"]>;
    type PolicyEntry = NonNullable<Routing["policy"]>[string][number];
    expectTypeOf<keyof RoutingPolicySpec>().toEqualTypeOf<keyof Routing>();
    expectTypeOf<keyof PolicyEntrySpec>().toEqualTypeOf<keyof PolicyEntry>();
    expectTypeOf<keyof PolicySetSpec>().toEqualTypeOf<keyof NonNullable<PolicyEntry["set"]>>();
    expectTypeOf<keyof StaticRouteSpec>().toEqualTypeOf<keyof NonNullable<Routing["static"]>[number]>();
    expectTypeOf<keyof BfdSpec>().toEqualTypeOf<keyof Exclude<NonNullable<Lab["bfd"]>, boolean>>();
    expectTypeOf<keyof BgpTriangleOptions>().toEqualTypeOf<keyof BgpTriangleOptionsInput>();
    type Oor = z.input<typeof oorOptionsSchema>;
    expectTypeOf<keyof OorOptions>().toEqualTypeOf<keyof Oor>();
    expectTypeOf<keyof OorMapServer>().toEqualTypeOf<keyof NonNullable<Oor["mapServers"]>[number]>();
    expectTypeOf<keyof OorProxyEtr>().toEqualTypeOf<keyof NonNullable<Oor["proxyEtrs"]>[number]>();
    expectTypeOf<keyof OorEidPrefix>().toEqualTypeOf<keyof NonNullable<Oor["eidPrefixes"]>[number]>();
    expectTypeOf<keyof OorSite>().toEqualTypeOf<keyof NonNullable<Oor["sites"]>[number]>();
    expectTypeOf<keyof OorRlocProbing>().toEqualTypeOf<keyof NonNullable<Oor["rlocProbing"]>>();
    type Exposer = z.input<typeof networkContainerOptionsSchema>;
    type KeysOfEither<T> = T extends unknown ? keyof T : never;
    expectTypeOf<keyof NetworkContainerOptions>().toEqualTypeOf<keyof Exposer>();
    expectTypeOf<keyof NetworkContainerLan>().toEqualTypeOf<KeysOfEither<Exposer["lan"]>>();
    expectTypeOf<keyof NetworkContainerPort>().toEqualTypeOf<keyof NonNullable<Exposer["ports"]>[number]>();
  });

  const SEGMENTS = [
    { name: "lan", subnet: "10.70.0.0/24" },
    { name: "link", subnet: "10.71.0.0/29" },
  ];
  const HOST = { name: "h1", interfaces: [{ segment: "lan", address: "10.70.0.10" }] };
  const ROUTERS = [1, 2].map((n) => ({
    name: `r${n}`,
    image: "router",
    router: true,
    ospf: {},
    interfaces: [{ segment: "link", address: `10.71.0.${n}` }],
  }));
  const plan = (spec: unknown) => JSON.stringify(planRoutedLab("lab", spec));
  const lab = (nodes: object[], more: object = {}) => ({ segments: SEGMENTS, nodes, ...more });

  it("plan as the forms stack config gives: imageRef as image { ref }, bfd's enabled as true or false", () => {
    expect(plan(lab([{ ...HOST, imageRef: "nginx:1.27" }]))).toBe(plan(lab([{ ...HOST, image: { ref: "nginx:1.27" } }])));
    expect(plan(lab(ROUTERS, { bfd: { enabled: false, intervalMs: 50 } }))).toBe(plan(lab(ROUTERS, { bfd: false })));
    expect(plan(lab(ROUTERS, { bfd: { enabled: true } }))).toBe(plan(lab(ROUTERS, { bfd: {} })));
    expect(planRoutedLab("lab", lab(ROUTERS, { bfd: {} })).nodes[0].routing!.bfd).toEqual({ intervalMs: 100, multiplier: 3 });
    expect(JSON.stringify(planBgpTriangle("bgp", { bfd: { enabled: false } }))).toBe(
      JSON.stringify(planBgpTriangle("bgp", { bfd: false })),
    );
    expect(JSON.stringify(planBgpTriangle("bgp", { bfd: { enabled: true, intervalMs: 200 } }).lab)).toBe(
      JSON.stringify(planBgpTriangle("bgp", { bfd: { intervalMs: 200 } }).lab),
    );
  });

  it.each<[string, object, string]>([
    [
      "a node with image and imageRef",
      lab([{ ...HOST, image: "client", imageRef: "nginx" }]),
      'nodes[0].imageRef: "nginx": a node runs image or imageRef, not both (image is "client")',
    ],
    [
      "a node with no image",
      lab([HOST]),
      "nodes[0].image: a node needs an image: image (router, web, client, dhcp-server) or imageRef (an image of yours)",
    ],
    [
      "an image that is no lab image",
      lab([{ ...HOST, image: "nginx" }]),
      'nodes[0].image: must be a lab image: router, web, client, dhcp-server (an image of yours is imageRef) (got "nginx")',
    ],
    [
      "a driver that is none",
      { segments: [{ ...SEGMENTS[0], driver: "ipvlan" }], nodes: [{ ...HOST, image: "client" }] },
      'segments[0].driver: Invalid option: expected one of "bridge"|"macvlan" (got "ipvlan")',
    ],
    [
      "a check that reaches and fetches",
      lab([{ ...HOST, image: "client" }], { checks: [{ from: "h1", reach: "10.70.0.1", fetch: "http://10.70.0.1/" }] }),
      'checks[0]: reaches "10.70.0.1" and fetches "http://10.70.0.1/": a check does one (make two checks)',
    ],
    [
      "a check of nothing",
      lab([{ ...HOST, image: "client" }], { checks: [{ from: "h1" }] }),
      "checks[0]: checks nothing: give reach (an address to ping) or fetch (a URL to get)",
    ],
    [
      "a reach check that expects an answer",
      lab([{ ...HOST, image: "client" }], { checks: [{ from: "h1", reach: "10.70.0.1", expect: "hi" }] }),
      'checks[0].expect: "hi": only a fetch check has an answer to expect',
    ],
    [
      "bfd that is neither",
      lab(ROUTERS, { bfd: "on" }),
      'bfd: must be BFD\'s settings { enabled, intervalMs, multiplier, multihop }, or true or false (got "on")',
    ],
  ])("refuses %s, naming the field and the value", (_case, spec, issue) => {
    expect(configIssues(() => planRoutedLab("lab", spec))).toEqual([issue]);
  });

  const SPEC: RoutedLabSpec = { segments: SEGMENTS, nodes: [{ ...HOST, image: "client" }] };
  const XTR: OorOptions = {
    mode: "MS",
    rlocSubnet: "192.0.2.0/24",
    rlocAddress: "192.0.2.2",
    sites: [{ eidPrefix: "10.1.0.0/24", key: "k3yk3yk3y" }],
  };
  it.each<[string, () => unknown, string]>([
    [
      "RoutedLab: a restart policy that is none",
      () => new RoutedLab("lab", { spec: SPEC, restart: "sometimes" }),
      'restart: must be one of unless-stopped, always, no (got "sometimes")',
    ],
    [
      "RoutedLab: an image that is no own image",
      () => new RoutedLab("lab", { spec: SPEC, images: { nginx: "nginx:1.27" } }),
      "images.nginx: is not an own image: one of router, web, client, dhcp-server, oor",
    ],
    [
      "BgpTriangle: a restart policy that is none",
      () => new BgpTriangle("bgp", { restart: "never" }),
      'restart: must be one of unless-stopped, always, no (got "never")',
    ],
    [
      "OorRouter: a restart policy that is none",
      () => new OorRouter("ms", { ...XTR, rlocNetwork: "rloc", restart: "on-failure" }),
      'restart: must be one of unless-stopped, always, no (got "on-failure")',
    ],
    [
      "OorRouter: a mode that is none",
      () => new OorRouter("ms", { ...XTR, mode: "PITR", rlocNetwork: "rloc" }),
      'mode: must be one of xTR, MS, RTR, MN (got "PITR")',
    ],
  ])("%s: refused by field and value, nothing registered", async (_case, create, issue) => {
    const mocks = new RecordingMocks();
    let caught: unknown;
    await runProgram(mocks, create).catch((error) => (caught = error));
    expect(caught).toBeInstanceOf(LabConfigError);
    expect((caught as LabConfigError).issues.map((found) => `${found.path}: ${found.message}`)).toEqual([issue]);
    expect(mocks.resources).toEqual([]);
  });

  it("NetworkContainer's lan: created with parent, joined with network, never both", () => {
    const options = (lan: NetworkContainerOptions["lan"]): NetworkContainerOptions => ({
      ports: [{ port: 80 }],
      lan,
      address: "192.0.2.5",
    });
    expect(planNetworkContainer("nc", options({ parent: "eth1", subnet: "192.0.2.0/24" })).lan).toMatchObject({
      create: true,
      parent: "eth1",
    });
    expect(planNetworkContainer("nc", options({ network: "lan", subnet: "192.0.2.0/24" })).lan).toMatchObject({
      create: false,
      network: "lan",
    });
    const both = configIssues(() => planNetworkContainer("nc", options({ parent: "eth1", network: "lan", subnet: "192.0.2.0/24" })));
    expect(both.map((issue) => issue.split(":")[0])).toEqual(["lan"]);
  });

  it("a host's exec target: DockerHost's, or what is wrong with a hand-made one", () => {
    const local = { kind: "local", dockerHost: "unix:///var/run/docker.sock" };
    expect(execTargetOf(local)).toBe(local);
    expect(() => execTargetOf({ kind: "ssh", dockerHost: "unix:///x" })).toThrow(
      'host.exec: "ssh" with kind, dockerHost is no way to run docker: kind "local" takes dockerHost, kind "ssh" takes host and sshOpts (use DockerHost.connection)',
    );
  });
});
