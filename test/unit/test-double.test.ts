/**
 * The e2e test double's engine logic, which needs no engine: the order deletes run in (the Pulumi
 * engine's ScheduleDeletes antichains, and what a failed delete keeps), the dependencies a
 * registration gives (through components), the dependents a delete-before-replace takes with it,
 * and the Container provider's diff (replace, update, must_run).
 */
import { describe, expect, it } from "vitest";
import { containerEmulator } from "../support/double/container";
import { runDeletes, scheduleDeletes } from "../support/double/deletes";
import { dependentReplacements } from "../support/double/dependents";
import { Registrations } from "../support/double/registrations";
import { AppliedResource, keyOf } from "../support/double/state";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RegisterResourceRequest } = require("@pulumi/pulumi/proto/resource_pb");

const NETWORK = "docker:index/network:Network";
const CONTAINER = "docker:index/container:Container";
const PROBE = "pulumi-nodejs:dynamic/netlabs:LabProbe";

function resource(resourceType: string, name: string, dependencies: string[] = [], extra: Partial<AppliedResource> = {}): AppliedResource {
  return { type: resourceType.split(":").pop()!, resourceType, name, id: name, destroy: async () => undefined, dependencies, ...extra };
}

const urn = (type: string, name: string, parentType?: string) =>
  `urn:pulumi:dev::docker-netlabs::${parentType ? `${parentType}$` : ""}${type}::${name}`;

function request(
  type: string,
  name: string,
  options: { custom?: boolean; parent?: string; deps?: string[]; props?: Record<string, string[]> },
) {
  const req = new RegisterResourceRequest();
  req.setType(type);
  req.setName(name);
  req.setCustom(options.custom ?? true);
  req.setParent(options.parent ?? "");
  req.setDependenciesList(options.deps ?? []);
  for (const [property, urns] of Object.entries(options.props ?? {})) {
    const deps = new RegisterResourceRequest.PropertyDependencies();
    deps.setUrnsList(urns);
    req.getPropertydependenciesMap().set(property, deps);
  }
  return req;
}

describe("(test double) deletes in the engine's schedule", () => {
  const network = resource(NETWORK, "lan");
  const r1 = resource(CONTAINER, "r1", [keyOf(NETWORK, "lan")]);
  const h1 = resource(CONTAINER, "h1", [keyOf(NETWORK, "lan")]);
  const probe = resource(PROBE, "probe", [keyOf(CONTAINER, "r1"), keyOf(CONTAINER, "h1")]);
  const loose = resource(NETWORK, "other");

  it("runs dependents first, everything independent of each other at once", () => {
    const names = (chains: AppliedResource[][]) => chains.map((chain) => chain.map((r) => r.name).sort());
    // As ScheduleDeletes builds them: what depends on nothing condemned goes last, with its peers.
    expect(names(scheduleDeletes([network, r1, h1, probe, loose]))).toEqual([["probe"], ["h1", "r1"], ["lan", "other"]]);
  });

  it("keeps what a failed delete depends on, and deletes the rest", async () => {
    const deleted: string[] = [];
    const failures = await runDeletes(scheduleDeletes([network, r1, h1, probe, loose]), async (r) => {
      if (r.name === "r1") throw new Error("refused");
      deleted.push(r.name);
    });
    expect(deleted.sort()).toEqual(["h1", "other", "probe"]);
    expect(failures).toEqual(["Container r1: refused", "Network lan: not deleted, a resource depending on it was not"]);
  });
});

describe("(test double) registrations", () => {
  it("give a resource its own dependencies and those of its parent components, custom resources only", () => {
    const registrations = new Registrations();
    const lab = urn("docker-netlabs:lab:RoutedLab", "lab");
    registrations.observe(request("docker-netlabs:lab:RoutedLab", "lab", { custom: false, deps: [urn(NETWORK, "host-net")] }));
    registrations.observe(
      request(CONTAINER, "r1", { parent: lab, props: { networksAdvanced: [urn(NETWORK, "lan")] }, deps: [urn(NETWORK, "lan")] }),
    );
    expect(registrations.dependenciesOf(keyOf(CONTAINER, "r1")).sort()).toEqual([keyOf(NETWORK, "host-net"), keyOf(NETWORK, "lan")]);
    expect(registrations.get(keyOf(CONTAINER, "r1"))?.propertyDependencies).toEqual({ networksAdvanced: [keyOf(NETWORK, "lan")] });
  });

  it("keep the program's deleteBeforeReplace only when it set one, false included", () => {
    const registrations = new Registrations();
    const unset = request(NETWORK, "a", {});
    const off = request(NETWORK, "b", {});
    off.setDeletebeforereplace(false);
    off.setDeletebeforereplacedefined(true);
    registrations.observe(unset);
    registrations.observe(off);
    expect(registrations.get(keyOf(NETWORK, "a"))?.deleteBeforeReplace).toBeUndefined();
    expect(registrations.get(keyOf(NETWORK, "b"))?.deleteBeforeReplace).toBe(false);
  });
});

describe("(test double) the Container provider's diff", () => {
  const inputs = { name: "r1", image: "router:1", restart: "unless-stopped", networksAdvanced: [{ name: "lan" }, { name: "wan" }] };
  const container = resource(CONTAINER, "r1", [], { inputs, state: { ...inputs, mustRun: true } });

  it("replaces on a ForceNew input, updates the restart policy in place, ignores the order of a set", () => {
    expect(containerEmulator.diff(container, { ...inputs, image: "router:2" })).toMatchObject({ changes: true, replace: true });
    expect(containerEmulator.diff(container, { ...inputs, restart: "no" })).toMatchObject({ changes: true, replace: false });
    expect(containerEmulator.diff(container, { ...inputs, networksAdvanced: [{ name: "wan" }, { name: "lan" }] })).toMatchObject({
      changes: false,
    });
  });

  it("updates a container found stopped after its create (must_run false in state)", () => {
    const stopped = { ...container, state: { ...inputs, mustRun: false } };
    expect(containerEmulator.diff(stopped, inputs)).toMatchObject({ changes: true, replace: false });
  });

  it("takes the dependents whose inputs from a replaced network would replace them", async () => {
    const lan = resource(NETWORK, "lan", [], { inputs: { name: "lan" }, seq: 1 });
    const r1 = { ...container, seq: 2, propertyDependencies: { networksAdvanced: [keyOf(NETWORK, "lan")] } };
    const h1 = resource(CONTAINER, "h1", [], {
      inputs: { name: "h1", image: "client:1", restart: "no" },
      state: {},
      seq: 3,
      // Only the restart policy came from the network (a made-up dependency): an update, not a replace.
      propertyDependencies: { restart: [keyOf(NETWORK, "lan")] },
    });
    expect((await dependentReplacements(lan, [lan, r1, h1])).map((r) => r.name)).toEqual(["r1"]);
  });
});
