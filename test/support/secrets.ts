/**
 * Mocks receive secret inputs wrapped as Pulumi's secret signature objects. These helpers unwrap
 * them (to apply or compare the value) and report where they were, so tests can check that a
 * value reached the engine marked secret.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export interface Unwrapped {
  value: any;
  /** Paths of the values that arrived marked secret, e.g. "uploads" or "envs". */
  secretPaths: string[];
}

export function unwrapSecrets(input: any, path = ""): Unwrapped {
  if (input && typeof input === "object" && input[specialSigKey] === specialSecretSig) {
    const inner = unwrapSecrets(input.value, path);
    return { value: inner.value, secretPaths: [path || "(root)", ...inner.secretPaths] };
  }
  if (Array.isArray(input)) {
    const parts = input.map((item, i) => unwrapSecrets(item, `${path}[${i}]`));
    return { value: parts.map((p) => p.value), secretPaths: parts.flatMap((p) => p.secretPaths) };
  }
  if (input && typeof input === "object") {
    const entries = Object.entries(input).map(([key, item]) => [key, unwrapSecrets(item, path ? `${path}.${key}` : key)] as const);
    return {
      value: Object.fromEntries(entries.map(([key, part]) => [key, part.value])),
      secretPaths: entries.flatMap(([, part]) => part.secretPaths),
    };
  }
  return { value: input, secretPaths: [] };
}
