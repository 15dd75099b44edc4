/**
 * The dynamic resources (NodesReady, LabProbe, HostCheck) register their provider as pre-made module
 * text (components/declare/dynamic-providers.ts): the text must be what the SDK's serializer makes
 * of the providers' code today, and it is what reaches the engine.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DYNAMIC_PROVIDERS } from "../../components/declare/dynamic-providers";
import { PROVIDER_TEXTS } from "../../components/declare/dynamic-providers.generated";
import { LOCAL_HOST } from "../../components/host/docker-host";
import { NodesReady } from "../../components/host/readiness";
import { LabProbe } from "../../components/probe/lab-probe";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const ROOT = path.resolve(__dirname, "..", "..");
const requireFromString: (code: string) => { handler: () => Record<string, unknown> } = require("require-from-string");

describe("dynamic providers as pre-made text", () => {
  it("the generated texts are what the providers' code gives now (else: npx tsx scripts/dynamic-providers.ts)", () => {
    const check = () => execFileSync("npx", ["tsx", "scripts/dynamic-providers.ts", "--check"], { cwd: ROOT, stdio: "pipe" });
    expect(check).not.toThrow();
  }, 60_000);

  it("has a text for every dynamic type, each loading as a provider with create", () => {
    expect(Object.keys(PROVIDER_TEXTS).sort()).toEqual(Object.keys(DYNAMIC_PROVIDERS).sort());
    for (const text of Object.values(PROVIDER_TEXTS)) expect(typeof requireFromString(text).handler().create).toBe("function");
  });

  it("registers the dynamic types under their old names, with the text as __provider", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => {
      new NodesReady("lab-ready", {
        lab: "lab",
        host: LOCAL_HOST,
        nodes: [{ node: "h1", container: "lab-h1", id: "id-1" }],
        timeoutSeconds: 5,
      });
      new LabProbe("lab-probe", { host: LOCAL_HOST, checks: [] });
    });
    expect(mocks.named("lab-ready").type).toBe("pulumi-nodejs:dynamic/netlabs:NodesReady");
    expect(mocks.named("lab-ready").inputs.__provider).toBe(PROVIDER_TEXTS.NodesReady);
    expect(mocks.named("lab-probe").type).toBe("pulumi-nodejs:dynamic/netlabs:LabProbe");
    expect(mocks.named("lab-probe").inputs.__provider).toBe(PROVIDER_TEXTS.LabProbe);
  });
});
