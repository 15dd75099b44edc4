/**
 * Reads a Docker engine's facts now, with the docker CLI through the host's exec target
 * (host-exec.ts: the local CLI with -H for unix:// and tcp://, with TLS for tcp://), and checks
 * what labs need of it. Used when the program plans, for unix:// and tcp:// engines: synchronous,
 * so that a host that lacks what a lab needs is a config error before anything is registered, and
 * so that a component's constructor (NetworkContainer) can check its macvlan parent before it
 * declares anything. Every command is bounded (a timeout each); the commands and their parsing are
 * those of engine-facts.ts, which HostCheck runs over ssh2 for an ssh:// host.
 */
import { execFileSync } from "node:child_process";
import {
  DockerOutput,
  ENGINE_QUERIES,
  EngineFacts,
  engineFacts,
  imageSourcesArgs,
  kernelLookArgs,
  kernelLookImage,
  lookImage,
  networkLookArgs,
} from "./engine-facts";
import { KERNEL_FEATURES_SCRIPT, kernelFacts, kernelFeatureIssues, kernelNotes } from "./kernel-facts";
import { DockerTlsMaterial, writeDockerTls } from "./docker-tls";
import { DockerExecTarget, dockerExecTarget, remoteDockerArgv } from "./host-exec";
import { HostNeeds, checkHostFacts, hostFactNotes, needsKernelLook } from "./host-facts";

/** Bounds of each command: the queries answer at once; the look starts a container. */
export const QUERY_TIMEOUT_MS = 15_000;
export const LOOK_TIMEOUT_MS = 30_000;

/** Runs `docker <args>` on the target, bounded; never throws (a failure is a non-zero code and what it said). */
function dockerNow(target: DockerExecTarget, args: readonly string[], timeoutMs: number): DockerOutput {
  const [file, ...rest] = remoteDockerArgv(target, [...args]);
  try {
    const stdout = execFileSync(file, rest, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 });
    return { code: 0, stdout: stdout.toString(), stderr: "" };
  } catch (error) {
    const failed = error as { status?: number | null; stdout?: Buffer; stderr?: Buffer; code?: string; signal?: string };
    const why = failed.signal ? `no answer within ${timeoutMs} ms` : failed.code === "ENOENT" ? `no ${file} command here` : "";
    return { code: failed.status ?? -1, stdout: String(failed.stdout ?? ""), stderr: why || String(failed.stderr ?? "") };
  }
}

/**
 * The engine's facts, read now. With `network`, also its interfaces and addresses (a container in
 * its network namespace); without, they are left unknown and no container runs. With `sourcesOf`,
 * what those images say they are built from.
 */
export function readEngineFacts(
  target: DockerExecTarget,
  options: { network: boolean; sourcesOf?: readonly string[]; kernel?: boolean; kernelFeatures?: boolean },
): EngineFacts {
  const version = dockerNow(target, ENGINE_QUERIES.version, QUERY_TIMEOUT_MS);
  if (version.code !== 0) return engineFacts({ version });
  const info = dockerNow(target, ENGINE_QUERIES.info, QUERY_TIMEOUT_MS);
  const images = dockerNow(target, ENGINE_QUERIES.images, QUERY_TIMEOUT_MS);
  const image = options.network ? lookImage(images) : undefined;
  const look = image ? dockerNow(target, networkLookArgs(image), LOOK_TIMEOUT_MS) : undefined;
  const sourcesOf = options.sourcesOf ?? [];
  const sources = sourcesOf.length > 0 ? dockerNow(target, imageSourcesArgs(sourcesOf), QUERY_TIMEOUT_MS) : undefined;
  // One kernel look when a lab needs it: CPUs and netem (impairments), link kinds (VRFs, VLANs).
  const features = options.kernelFeatures ?? false;
  const kernelImage = options.kernel || features ? kernelLookImage(images) : undefined;
  const kernelLook = kernelImage
    ? dockerNow(target, kernelLookArgs(kernelImage, features ? KERNEL_FEATURES_SCRIPT : ""), LOOK_TIMEOUT_MS)
    : undefined;
  const facts = engineFacts({
    version,
    info,
    images,
    sources,
    sourcesOf,
    look,
    lookWanted: options.network,
    kernelLook,
    kernelWanted: options.kernel,
  });
  return features ? { ...facts, ...kernelFacts(kernelLook) } : facts;
}

export interface EngineCheck {
  /** What the engine lacks (path: interfaces, addresses, labImages or dockerHost), each naming the host and the value. */
  issues: { path: string; message: string }[];
  /** What could not be checked and why (no image to look with): to be shown, not to fail. */
  notes: string[];
  facts: EngineFacts;
}

/** Whether the labs need anything of the host that only its facts can tell. */
export function hasHostNeeds(needs: HostNeeds): boolean {
  return (
    [needs.interfaces, needs.addresses, needs.images, needs.kernelFeatures].some((list) => (list?.length ?? 0) > 0) ||
    needsKernelLook(needs) ||
    needs.memoryMiB !== undefined
  );
}

/**
 * Checks what labs need of the engine at `url`, reached through `target`: its facts read now (the
 * network namespace only when interfaces or addresses are needed). An engine that does not answer
 * is an issue at dockerHost, and nothing else is checked then.
 */
export function checkEngine(url: string, target: DockerExecTarget, needs: HostNeeds): EngineCheck {
  const network = (needs.interfaces?.length ?? 0) + (needs.addresses?.length ?? 0) > 0;
  const kernelFeatures = (needs.kernelFeatures?.length ?? 0) > 0;
  const facts = readEngineFacts(target, {
    network,
    sourcesOf: Object.keys(needs.imageSources ?? {}),
    kernel: needsKernelLook(needs),
    ...(kernelFeatures ? { kernelFeatures } : {}),
  });
  if (facts.dockerVersion === "none") {
    return { issues: [{ path: "dockerHost", message: `no Docker engine answers at ${url}: ${facts.unanswered}` }], notes: [], facts };
  }
  return {
    issues: [...checkHostFacts(url, facts, needs), ...kernelFeatureIssues(url, facts, needs)],
    notes: [...hostFactNotes(url, facts, needs), ...kernelNotes(url, facts, needs)],
    facts,
  };
}

/**
 * The check a stack runs when it plans, for a unix:// or tcp:// engine: the TLS material of a
 * tcp:// engine is written first where the docker CLI reads it (docker-tls.ts), as DockerHost
 * writes it for the readiness gate and the probes.
 */
export function checkEngineAt(url: string, needs: HostNeeds, tls?: DockerTlsMaterial): EngineCheck {
  if (tls) writeDockerTls(url, tls);
  return checkEngine(url, dockerExecTarget(url), needs);
}
