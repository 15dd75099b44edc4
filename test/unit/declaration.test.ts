/**
 * Declaring resources without the SDK's per-promise stack traces: the limit is restored whatever
 * happens, it can be turned off, and the resources registered are exactly the same either way.
 */
import { afterEach, describe, expect, it } from "vitest";
import { declareWithoutPromiseStacks } from "../../components/declaration";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

describe("declareWithoutPromiseStacks", () => {
  const original = Error.stackTraceLimit;
  afterEach(() => {
    delete process.env.NETLABS_FULL_STACKS;
    Error.stackTraceLimit = original;
  });

  it("captures no stack frames while declaring, and restores the limit after", () => {
    const seen = declareWithoutPromiseStacks(() => ({ limit: Error.stackTraceLimit, stack: new Error("x").stack }));
    expect(seen).toEqual({ limit: 0, stack: "Error: x" });
    expect(Error.stackTraceLimit).toBe(original);
  });

  it("restores the limit when the declaration throws", () => {
    expect(() =>
      declareWithoutPromiseStacks(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(Error.stackTraceLimit).toBe(original);
  });

  it("keeps full traces with NETLABS_FULL_STACKS=1", () => {
    process.env.NETLABS_FULL_STACKS = "1";
    expect(declareWithoutPromiseStacks(() => Error.stackTraceLimit)).toBe(original);
  });

  it("registers exactly the same resources and inputs with and without traces", async () => {
    const declare = async () => {
      const mocks = new RecordingMocks();
      await runProgram(mocks, () => buildStack(readStackConfig()), { config: {} });
      // Keyed by type and name: registration order follows promise timing, not the declaration.
      return Object.fromEntries(mocks.resources.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r)]));
    };
    const without = await declare();
    process.env.NETLABS_FULL_STACKS = "1";
    const withTraces = await declare();
    expect(Object.keys(without).sort()).toEqual(Object.keys(withTraces).sort());
    for (const key of Object.keys(without)) expect(without[key], key).toBe(withTraces[key]);
  });
});
