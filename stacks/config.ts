/**
 * The stack configuration (namespace `docker-netlabs`), read from Pulumi config and validated as a
 * whole with the key schemas of stacks/keys.ts: types, ranges and defaults here; what a key means
 * for its lab (addresses, overlaps, references) in the plan of each composition that reads it.
 * Defaults equal those of Pulumi.yaml's config schema (a unit test keeps them equal), so a program
 * run outside the CLI (tests, Automation API) behaves as `pulumi up` does.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseDockerHost } from "../components/host/docker-host-url";
import { hostCheckIssues } from "../components/host/host-check";
import { ConfigIssue, LabConfigError, SECRET_FIELDS, SECRET_NOT_SHOWN, fromZodIssues, show } from "../components/net/errors";
import { readersOf } from "./compositions";
import { CONFIG_NAMESPACE, CompositionName, LAB_KEYS, LabKey, SECRET_CONFIG_KEYS, SETTING_KEYS, StackConfig } from "./keys";

export { COMPOSITION_NAMES, CONFIG_NAMESPACE, DEFAULT_LABS, SECRET_CONFIG_KEYS, isImageReference } from "./keys";
export type { CompositionName, StackConfig } from "./keys";

export const stackConfigSchema = z.strictObject({ ...SETTING_KEYS, ...LAB_KEYS });

export type StackConfigInput = z.input<typeof stackConfigSchema>;

export interface ParseOptions {
  /** Further keys whose values are secrets (those set with `pulumi config set --secret`). */
  secretKeys?: Iterable<string>;
  /** Issues found outside the namespace (keys in a misspelt namespace), reported with the others. */
  issues?: ConfigIssue[];
}

/** Validates raw values (as config holds them) into a StackConfig, naming each bad key and value (never a secret's). */
export function parseStackConfig(given: Record<string, unknown>, options: ParseOptions = {}): StackConfig {
  const secretFields = new Set([...SECRET_FIELDS, ...SECRET_CONFIG_KEYS, ...(options.secretKeys ?? [])]);
  const { known: raw, issues: unknownIssues } = unknownKeys(given, secretFields);
  const parsed = stackConfigSchema
    .refine((config) => (config.sshPrivateKey === undefined) === (config.sshHostKey === undefined), {
      message: "sshPrivateKey and sshHostKey go together (the key, and the host key it is checked against)",
      path: ["sshHostKey"],
    })
    .refine((config) => config.sshPrivateKey === undefined || config.dockerHost.startsWith("ssh://"), {
      message: "an SSH key is only for an ssh:// dockerHost",
      path: ["sshPrivateKey"],
    })
    .superRefine(tlsIssues)
    .superRefine((config, ctx) => {
      // With a key, the host check (ssh2) must reach the host as the provider's ssh does.
      const address = parseDockerHost(config.dockerHost);
      if (config.sshPrivateKey === undefined || typeof address === "string" || address.scheme !== "ssh") return;
      for (const issue of hostCheckIssues(address, config.sshOpts)) {
        ctx.addIssue({ code: "custom", message: issue.message, path: issue.path === "host" ? ["dockerHost"] : ["sshOpts", issue.path] });
      }
    })
    .safeParse(raw);
  const issues = [...(options.issues ?? []), ...unknownIssues, ...(parsed.success ? unreadKeys(raw, parsed.data.labs) : [])];
  if (!parsed.success) {
    issues.push(
      ...fromZodIssues(parsed.error.issues, raw, secretFields).map((issue) => ({
        ...issue,
        path: `${CONFIG_NAMESPACE}:${issue.path}`,
      })),
    );
  }
  if (issues.length > 0 || !parsed.success) throw new LabConfigError("stack configuration", issues);
  return parsed.data as StackConfig;
}

const TLS_KEYS = ["dockerTlsCa", "dockerTlsCert", "dockerTlsKey"] as const;

/** A tcp:// engine only with TLS (all three keys), and TLS keys only for a tcp:// engine. */
function tlsIssues(config: z.output<typeof stackConfigSchema>, ctx: z.RefinementCtx): void {
  const tcp = config.dockerHost.startsWith("tcp://");
  const missing = TLS_KEYS.filter((key) => config[key] === undefined);
  if (tcp && missing.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["dockerHost"],
      message: `a tcp:// Docker API without TLS is root on the host for anyone on the path: set ${missing.map((key) => `${CONFIG_NAMESPACE}:${key}`).join(", ")} (secrets) for an engine that verifies its clients (dockerd --tlsverify), or reach it with ssh://user@host`,
    });
  }
  if (!tcp) {
    for (const key of TLS_KEYS.filter((key) => config[key] !== undefined)) {
      ctx.addIssue({ code: "custom", path: [key], message: "is only for a tcp:// dockerHost" });
    }
  }
}

/**
 * Keys of our namespace that the project does not have (a misspelling, most often): each named,
 * with the nearest key, and its value unless it may be a secret (set as one, or near a secret key).
 */
function unknownKeys(
  given: Record<string, unknown>,
  secretFields: ReadonlySet<string>,
): { known: Record<string, unknown>; issues: ConfigIssue[] } {
  const keys = Object.keys(stackConfigSchema.shape);
  const known: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(given)) {
    if (keys.includes(key)) {
      known[key] = value;
      continue;
    }
    const nearest = keys
      .map((candidate) => ({ candidate, distance: editDistance(candidate.toLowerCase(), key.toLowerCase()) }))
      .sort((a, b) => a.distance - b.distance)[0];
    const guess = nearest.distance <= 3 ? nearest.candidate : undefined;
    const secret = secretFields.has(key) || (guess !== undefined && secretFields.has(guess));
    issues.push({
      path: `${CONFIG_NAMESPACE}:${key}`,
      message:
        `is not a key of ${CONFIG_NAMESPACE}${guess ? ` (did you mean ${CONFIG_NAMESPACE}:${guess}?)` : ""}: it would be ignored` +
        (secret ? ` ${SECRET_NOT_SHOWN}` : ` (got ${show(value)})`),
    });
  }
  return { known, issues };
}

/** Lab keys set in config that none of the stack's labs reads: they would be silently ignored. */
function unreadKeys(raw: Record<string, unknown>, labs: CompositionName[]): ConfigIssue[] {
  return (Object.keys(LAB_KEYS) as LabKey[])
    .filter((key) => raw[key] !== undefined && !readersOf(key).some((reader) => labs.includes(reader)))
    .map((key) => {
      const readers = readersOf(key).join(" or ");
      return {
        path: `${CONFIG_NAMESPACE}:${key}`,
        message: `is set, but ${CONFIG_NAMESPACE}:labs does not name ${readers}: it would be ignored (add ${readers} to ${CONFIG_NAMESPACE}:labs, or remove ${CONFIG_NAMESPACE}:${key})`,
      };
    });
}

const STRING_KEYS = new Set([
  "dockerHost",
  "namePrefix",
  "publishAddress",
  "oorImage",
  "oorMapServerKey",
  "oorMapServer",
  "sshPrivateKey",
  "sshHostKey",
  "dockerTlsCa",
  "dockerTlsCert",
  "dockerTlsKey",
  "restartPolicy",
  "labImages",
]);

/**
 * Reads every key of this project's namespace from Pulumi config, so that a misspelt key is an
 * error rather than silently ignored; unset keys take the schema's defaults. A key in a namespace
 * that looks like ours (`docker-netlab:labs`) is an error too: it would be ignored.
 */
export function readStackConfig(): StackConfig {
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const issues: ConfigIssue[] = [];
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) {
      const namespace = fullKey.includes(":") ? fullKey.slice(0, fullKey.indexOf(":")) : "";
      if (looksLikeOurNamespace(namespace)) {
        const key = fullKey.slice(namespace.length + 1);
        const secret = isConfigSecret(fullKey) || SECRET_FIELDS.has(key) || (SECRET_CONFIG_KEYS as readonly string[]).includes(key);
        issues.push({
          path: fullKey,
          message:
            `is in namespace "${namespace}", not ${CONFIG_NAMESPACE}: it would be ignored (did you mean ${prefix}${key}?)` +
            (secret ? ` ${SECRET_NOT_SHOWN}` : ` (got ${show(STRING_KEYS.has(key) ? text : parseStructured(text))})`),
        });
      }
      continue;
    }
    const key = fullKey.slice(prefix.length);
    raw[key] = STRING_KEYS.has(key) ? text : parseStructured(text);
    if (isConfigSecret(fullKey)) secretKeys.push(key);
  }
  return parseStackConfig(raw, { secretKeys, issues });
}

/** A namespace within edit distance 2 of ours (case aside) that is not ours: a misspelling. */
export function looksLikeOurNamespace(namespace: string): boolean {
  return namespace !== CONFIG_NAMESPACE && editDistance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 2;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Whether the user set a key with --secret. @pulumi/pulumi 3.248 has runtime.isConfigSecret but
 * keeps it out of its typings (@internal); without it, only SECRET_CONFIG_KEYS are known secrets.
 */
function isConfigSecret(fullKey: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return typeof runtime.isConfigSecret === "function" ? runtime.isConfigSecret(fullKey) : false;
}

/** Arrays, numbers and booleans arrive as JSON text; what does not parse is left for the schema to reject. */
function parseStructured(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
