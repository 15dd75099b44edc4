/**
 * A host's facts are read where its engine runs (engine-facts.ts), not on the machine running
 * Pulumi: a current engine in a network namespace of its own (test/support/current-engine.ts) is a
 * unix:// socket here whose engine sees other interfaces and addresses than this machine does, as
 * Docker Desktop's VM or a forwarded socket would. Its namespace gets an interface and an address
 * this machine lacks; the facts, and a stack planned against that engine, must see them, and must
 * not see this machine's. The look leaves no container behind; without an image to look with, the
 * check is skipped with a note and nothing is pulled.
 */
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEngine, readEngineFacts } from "../../components/host/engine-check";
import { BASE_IMAGE, parseIpAddr } from "../../components/host/engine-facts";
import { DockerExecTarget, dockerExecTarget } from "../../components/host/host-exec";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { CurrentEngine, startCurrentEngine } from "../support/current-engine";
import { docker, waitFor } from "../support/docker-cli";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { stackFileConfig } from "../support/stack-files";
import { CURRENT_ENGINE, DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER, CURRENT_ENGINE]);
if (skipReason) console.warn(`[skipped] engine facts tests: ${skipReason}`);

/** An address of the documentation range, on the engine's side only. */
const ENGINE_ONLY_ADDRESS = "192.0.2.77";

describe.skipIf(skipReason)(`an engine's facts are its own${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let engine: CurrentEngine;
  let target: DockerExecTarget;
  let engineOnly: string;

  /** The engine's namespace as `ip` in it lists it: interface names and IPv4 addresses. */
  async function namespace(): Promise<{ interfaces: string[]; addresses: string[] }> {
    const links = await engine.inNetns(["ip", "-o", "link", "show"]);
    const addrs = await engine.inNetns(["ip", "-o", "-4", "addr", "show"]);
    const interfaces = links.stdout
      .split("\n")
      .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    return { interfaces: interfaces.sort(), addresses: parseIpAddr(addrs.stdout.split("\n")) };
  }

  beforeAll(async () => {
    engine = await startCurrentEngine({ images: [BASE_IMAGE] });
    target = dockerExecTarget(engine.target.host);
    // A veth pair inside the engine's namespace (veth needs no module Docker does not already use).
    engineOnly = `nlef${engine.name.slice(2)}a`;
    for (const argv of [
      ["ip", "link", "add", engineOnly, "type", "veth", "peer", "name", `nlef${engine.name.slice(2)}b`],
      ["ip", "addr", "add", `${ENGINE_ONLY_ADDRESS}/32`, "dev", engineOnly],
      ["ip", "link", "set", engineOnly, "up"],
      ["ip", "link", "set", `nlef${engine.name.slice(2)}b`, "up"],
    ]) {
      const result = await engine.inNetns(argv);
      if (result.code !== 0) throw new Error(`${argv.join(" ")}: ${result.stderr}`);
    }
  });
  // The namespace goes with the engine, and the veth pair with it.
  afterAll(async () => engine && (await engine.stop()));

  it("unix://: the interfaces and addresses of the engine's namespace, the engine's version; none of this machine's own", async () => {
    expect(fs.readdirSync("/sys/class/net")).not.toContain(engineOnly);
    const started = Date.now();
    const queries = readEngineFacts(target, { network: false });
    const queriesMs = Date.now() - started;
    const facts = readEngineFacts(target, { network: true });
    const totalMs = Date.now() - started - queriesMs;
    console.log(`[figures] engine facts of a local socket: the queries ${queriesMs} ms; with the look at its namespace ${totalMs} ms`);

    expect(queries.interfaces).toBeUndefined();
    expect(facts.dockerVersion).toMatch(/^28\./);
    expect(facts.platform).toMatch(/^linux\/(amd64|arm64)$/);
    expect(facts.memoryBytes).toBeGreaterThan(0);
    const seen = await namespace();
    expect(facts.interfaces).toEqual(seen.interfaces);
    expect(facts.interfaces).toContain(engineOnly);
    expect(new Set(facts.addresses)).toEqual(new Set(seen.addresses));
    expect(facts.addresses).toContain(ENGINE_ONLY_ADDRESS);
    expect(["0", "1", "absent"]).toContain(facts.bridgeNetfilter);
  });

  it("the look leaves no container behind", async () => {
    const left = await waitFor(
      async () =>
        (await docker(engine.target, ["ps", "-aq", "--filter", "label=io.docker-netlabs.role=host-facts"])).trim() === "" || undefined,
      { timeoutMs: 10_000 },
    );
    expect(left).toBe(true);
  });

  it("a stack planned against that engine accepts its own interface and address, and names one only this machine has", async () => {
    const half = (device: string, local: string) => {
      const config = stackFileConfig("stretch-a");
      Object.assign(config.routedLab.segments[0].vxlan, { device, local });
      return { ...config, dockerHost: engine.target.host };
    };
    const accepted = new RecordingMocks();
    await runProgram(accepted, () => buildStack(readStackConfig()), { config: half(engineOnly, ENGINE_ONLY_ADDRESS) });
    expect(accepted.named("routed-lab-tunnels").inputs.uploads[0].content).toContain(`local ${ENGINE_ONLY_ADDRESS} dev '${engineOnly}'`);

    const seen = await namespace();
    const mineOnly = fs.readdirSync("/sys/class/net").find((name) => !seen.interfaces.includes(name));
    expect(mineOnly, "this machine has an interface the engine's namespace lacks").toBeDefined();
    const refused = new RecordingMocks();
    await expect(
      runProgram(refused, () => buildStack(readStackConfig()), { config: half(mineOnly!, ENGINE_ONLY_ADDRESS) }),
    ).rejects.toThrow(`docker-netlabs:dockerHost: host ${engine.target.host} has no interface "${mineOnly}"`);
    expect(refused.resources).toEqual([]);
  });

  it("without an image to look with: interfaces skipped with a note, nothing pulled", async () => {
    await docker(engine.target, ["image", "rm", BASE_IMAGE]);
    const check = checkEngine(engine.target.host, target, { interfaces: ["nl-missing0"] });
    expect(check.issues).toEqual([]);
    expect(check.notes).toEqual([expect.stringContaining("interfaces nl-missing0 not checked ahead: the engine has neither")]);
    expect((await docker(engine.target, ["image", "ls", "-q"])).trim()).toBe("");
  });
});
