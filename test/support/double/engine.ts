/**
 * The Pulumi engine's side of a deploy, as pulumi/pulumi v3.248 takes its steps
 * (pkg/resource/deploy/step_generator.go generateSteps and continueStepsFromDiff):
 * - a resource with no state is checked and created;
 * - one the previous deploy created is checked against its old inputs, then diffed by its
 *   provider: unchanged (same: the new inputs are kept), updated in place, or replaced when the
 *   diff says so. A replacement deletes first when the program's deleteBeforeReplace says so, else
 *   when the provider asks; it then first deletes the dependents that would be replaced with it
 *   (dependents.ts), one after another. Other replacements create first and delete the old
 *   resource at the end;
 * - at the end (`finish`), what the program no longer registers and the old halves of
 *   create-before-delete replacements are deleted (deletes.ts); `destroyAll` is `pulumi destroy`.
 * Each resource type's provider is its emulator (emulators.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerTarget, LOCAL_DOCKER } from "../docker-cli";
import { unwrapSecrets } from "../secrets";
import { runDeletes, scheduleDeletes } from "./deletes";
import { dependentReplacements } from "./dependents";
import { ResourceEmulator, refuseUnknown } from "./emulator";
import { emulatorFor } from "./emulators";
import { Registrations } from "./registrations";
import { AppliedResource, Inputs, StepKind, keyOf, keyOfResource } from "./state";

type Registered = pulumi.runtime.MockResourceResult;

export class Deployment {
  /** What this deploy created or kept, in the order it did. */
  readonly applied: AppliedResource[] = [];
  /** What this deploy did to each resource (`type::name`), as `pulumi up` would list it. */
  readonly steps = new Map<string, StepKind>();
  readonly registrations = new Registrations();
  /** The previous deploy's resources not registered (yet) by this one. */
  private readonly prior = new Map<string, AppliedResource>();
  /** Old resources replaced create-before-delete: deleted at the end, as the engine does. */
  private readonly replacedLater: AppliedResource[] = [];
  /**
   * Previous resources registered again whose step has not settled (kept, updated, replaced): no
   * longer candidates as dependents of another replacement; left to destroyAll should the step fail.
   */
  private readonly unsettled = new Set<AppliedResource>();
  /** Dependents being deleted for a delete-before-replace: another replacement leaves them to it. */
  private readonly deleting = new Set<AppliedResource>();
  private seq = 0;

  /** `previous`: the deploy whose resources this one changes, as a second `pulumi up` of the stack. */
  constructor(previous?: Deployment) {
    if (!previous) return;
    for (const resource of previous.applied) this.prior.set(keyOfResource(resource), resource);
    this.seq = previous.seq;
  }

  /** A custom resource registered: created, or the previous deploy's kept, updated or replaced. */
  async register(args: pulumi.runtime.MockResourceArgs, target?: DockerTarget): Promise<Registered> {
    const emulator = emulatorFor(args.type);
    // Secrets arrive wrapped; the engine applies their values (and keeps them encrypted in state).
    const inputs = unwrapSecrets(args.inputs).value as Inputs;
    if (emulator.inputs) refuseUnknown(emulator.kind, inputs, emulator.inputs);
    const key = keyOf(args.type, args.name);
    const prior = this.prior.get(key);
    if (prior) {
      this.prior.delete(key);
      this.unsettled.add(prior);
      return this.change(emulator, prior, args, inputs, target);
    }
    const checked = emulator.check ? await emulator.check({}, inputs) : inputs;
    return this.create(emulator, args, checked, target, this.steps.get(key) === "replace" ? "replace" : "create");
  }

  /** Applies a resource the engine has no state for, and keeps what a later deploy diffs against. */
  private async create(
    emulator: ResourceEmulator,
    args: pulumi.runtime.MockResourceArgs,
    inputs: Inputs,
    target: DockerTarget | undefined,
    step: StepKind,
  ): Promise<Registered> {
    const key = keyOf(args.type, args.name);
    const entry: AppliedResource = {
      type: emulator.kind,
      resourceType: args.type,
      name: args.name,
      id: "",
      target,
      inputs,
      state: {},
      destroy: () => emulator.delete(entry),
      ...this.dependenciesOf(key),
    };
    const exists = (id: string) => {
      entry.id = id;
      if (!this.applied.includes(entry)) this.applied.push(entry);
    };
    const created = await emulator.create({ name: args.name, inputs, target: target ?? LOCAL_DOCKER, exists });
    exists(created.id);
    entry.state = created.state;
    entry.seq = ++this.seq;
    this.steps.set(key, step);
    return { id: created.id, state: created.state };
  }

  /** The registration's dependencies, as kept in state. */
  private dependenciesOf(key: string): Pick<AppliedResource, "propertyDependencies" | "dependencies"> {
    return {
      propertyDependencies: this.registrations.get(key)?.propertyDependencies ?? {},
      dependencies: this.registrations.dependenciesOf(key),
    };
  }

  /** The provider's diff decides between keeping, updating in place and replacing. */
  private async change(
    emulator: ResourceEmulator,
    prior: AppliedResource,
    args: pulumi.runtime.MockResourceArgs,
    inputs: Inputs,
    target: DockerTarget | undefined,
  ): Promise<Registered> {
    const key = keyOfResource(prior);
    const news = emulator.check ? await emulator.check(prior.inputs ?? {}, inputs) : inputs;
    const diff = await emulator.diff(prior, news);
    if (!diff.changes) return this.keep(prior, news, "same");
    if (!diff.replace) {
      const updated = await emulator.update(prior, news);
      prior.state = updated.state;
      prior.id = updated.id ?? prior.id;
      return this.keep(prior, news, "update");
    }
    if (this.registrations.get(key)?.deleteBeforeReplace ?? diff.deleteBeforeReplace === true) {
      await this.deleteBeforeReplace(emulator, prior);
    } else {
      this.replacedLater.push(prior);
    }
    this.unsettled.delete(prior);
    return this.create(emulator, args, news, target, "replace");
  }

  /** The previous deploy's resource stays, with the inputs it was registered with now. */
  private keep(prior: AppliedResource, news: Inputs, step: StepKind): Registered {
    const key = keyOfResource(prior);
    this.unsettled.delete(prior);
    Object.assign(prior, { inputs: news }, this.dependenciesOf(key));
    this.applied.push(prior);
    this.steps.set(key, step);
    return { id: prior.id, state: prior.state ?? {} };
  }

  /** Deletes the dependents that would be replaced with `prior`, then `prior`, one at a time. */
  private async deleteBeforeReplace(emulator: ResourceEmulator, prior: AppliedResource): Promise<void> {
    for (const dependent of await dependentReplacements(prior, [...this.prior.values()])) {
      if (this.deleting.has(dependent)) continue;
      this.deleting.add(dependent);
      this.steps.set(keyOfResource(dependent), "replace");
      await emulatorFor(dependent.resourceType).delete(dependent);
      this.prior.delete(keyOfResource(dependent));
    }
    await emulator.delete(prior);
  }

  /**
   * After the program has registered everything: deletes what it no longer registers and the old
   * halves of create-before-delete replacements. Throws what failed; that stays for destroyAll.
   */
  async finish(): Promise<void> {
    const gone = [...this.prior.values()];
    for (const resource of gone) this.steps.set(keyOfResource(resource), "delete");
    const failures = await runDeletes(scheduleDeletes([...gone, ...this.replacedLater]), async (resource) => {
      await emulatorFor(resource.resourceType).delete(resource);
      this.prior.delete(keyOfResource(resource));
      const replaced = this.replacedLater.indexOf(resource);
      if (replaced >= 0) this.replacedLater.splice(replaced, 1);
    });
    if (failures.length > 0) throw new Error(failures.join("\n"));
  }

  /** `pulumi destroy`: everything created, kept or left over, dependents first. */
  async destroyAll(): Promise<string[]> {
    const all = [...new Set([...this.applied, ...this.prior.values(), ...this.replacedLater, ...this.unsettled])];
    this.applied.length = 0;
    this.prior.clear();
    this.replacedLater.length = 0;
    this.unsettled.clear();
    return runDeletes(scheduleDeletes(all), (resource) => emulatorFor(resource.resourceType).delete(resource));
  }
}
