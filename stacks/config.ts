/**
 * The stack configuration (namespace `docker-netlabs`), read from Pulumi config and validated with
 * a zod schema. Defaults equal those of Pulumi.yaml's config schema (a unit test keeps them equal),
 * so a program run outside the CLI (tests, Automation API) behaves as `pulumi up` does.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseDockerHost } from "../components/host/docker-host-url";
import { DEFAULT_RESTART_POLICY, RESTART_POLICIES } from "../components/host/lifecycle";
import { isIpv4Address } from "../components/net/addressing";
import { ConfigIssue, LabConfigError, SECRET_FIELDS, SECRET_NOT_SHOWN, fromZodIssues, show } from "../components/net/errors";
import { OOR_KEY_PATTERN, OOR_KEY_RULE } from "../components/oor/plan";

export const CONFIG_NAMESPACE = "docker-netlabs";

/** The compositions a stack can build, by name (see stacks/index.ts). */
export const COMPOSITION_NAMES = ["networking-demo", "routed-lan", "bgp-triangle", "oor-2xtrs-1msmr", "lisp-site", "lisp-msmr", "routed-lab"] as const;
export type CompositionName = (typeof COMPOSITION_NAMES)[number];
/** What a stack builds unless it names its labs: everything that runs without an outside image or a secret. */
export const DEFAULT_LABS: CompositionName[] = ["networking-demo", "routed-lan", "bgp-triangle"];

/** Config keys whose values are secrets: errors name them, never show them. */
export const SECRET_CONFIG_KEYS = ["sshPrivateKey", "oorMapServerKey"] as const;

/**
 * A Docker image reference as the engine parses it (distribution/reference): [registry[:port]/]
 * lowercase path components joined by `.`, `_`, `__` or dashes, then an optional `:tag` and
 * `@algorithm:hex` digest. A name is at most 255 characters.
 */
const DOMAIN = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function isImageReference(text: string): boolean {
  if (text.length > 512) return false;
  const match = IMAGE_REFERENCE.exec(text);
  return match !== null && match[1].length <= 255;
}

export const stackConfigSchema = z.strictObject({
  dockerHost: z
    .string()
    .default("unix:///var/run/docker.sock")
    .superRefine((value, ctx) => {
      const parsed = parseDockerHost(value);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
      // ssh reads a user or host that starts with a dash as one of its own options (-oProxyCommand=...).
      else if (parsed.host.startsWith("-") || parsed.user?.startsWith("-")) {
        ctx.addIssue({ code: "custom", message: "names a user or host starting with '-', which ssh would read as an option" });
      }
    }),
  sshOpts: z.array(z.string()).default([]),
  /** The private key of an ssh:// host (set with `pulumi config set --secret sshPrivateKey < key`). */
  sshPrivateKey: z.string().optional(),
  /** That host's public key as in known_hosts ("ssh-ed25519 AAAA..."): hosts are never trusted blindly. */
  sshHostKey: z.string().regex(/^ssh-[a-z0-9-]+ [A-Za-z0-9+/=]+/, "must be a known_hosts key such as ssh-ed25519 AAAA...").optional(),
  labs: z
    .array(z.enum(COMPOSITION_NAMES, { message: `must be one of ${COMPOSITION_NAMES.join(", ")}` }))
    .min(1, "names no lab")
    .default([...DEFAULT_LABS])
    .refine((labs) => new Set(labs).size === labs.length, "names a lab twice"),
  namePrefix: z
    .string()
    .regex(/^(?:[a-z0-9][a-z0-9-]{0,19})?$/, "must be at most 20 lowercase letters, digits or dashes, not starting with a dash")
    .default(""),
  publishAddress: z.string().refine(isIpv4Address, "must be an IPv4 address").default("127.0.0.1"),
  demoHostPort: z.number().int().min(1).max(65535, "must be a port from 1 to 65535").default(4000),
  internal: z.boolean().default(true),
  /** Probe each lab once it is up (LabProbe) and export the results. */
  probes: z.boolean().default(true),
  /** Fail `pulumi up` when a probe check fails. */
  failOnProbe: z.boolean().default(false),
  /** What lab containers do after a Docker daemon restart or host reboot. */
  restartPolicy: z.enum(RESTART_POLICIES, { message: `must be one of ${RESTART_POLICIES.join(", ")}` }).default(DEFAULT_RESTART_POLICY),
  /** Build the lab images on the host, or use ones already loaded there (hosts without egress). */
  labImages: z.enum(["build", "preloaded"], { message: "must be build or preloaded" }).default("build"),
  /** The OpenOverlayRouter image of the oor-2xtrs-1msmr lab. */
  oorImage: z
    .string()
    .refine(isImageReference, "must be an image reference such as openoverlayrouter/oor:latest or registry.example:5000/oor@sha256:<hex>")
    .default("openoverlayrouter/oor:latest"),
  /** The map-server key of the oor-2xtrs-1msmr lab; set it with `pulumi config set --secret`. */
  oorMapServerKey: z.string().min(8, "must be at least 8 characters").regex(OOR_KEY_PATTERN, OOR_KEY_RULE).optional(),
  /** lisp-site / lisp-msmr: this site's RLOC network and its address there (a macvlan on `parent` if named). */
  oorRloc: z
    .strictObject({ subnet: z.string(), address: z.string(), gateway: z.string().optional(), parent: z.string().optional() })
    .optional(),
  /** lisp-site: the site's EID prefix and sandbox names. */
  oorSite: z.strictObject({ eidSubnet: z.string(), sandboxes: z.array(z.string()).optional() }).optional(),
  /** lisp-site: the MS/MR's RLOC address (the lisp-msmr stack's msmr address). */
  oorMapServer: z.string().refine(isIpv4Address, "must be an IPv4 address").optional(),
  /** lisp-msmr: the EID prefixes of the sites it accepts. */
  oorSites: z.array(z.string()).optional(),
  /** routed-lab: the lab itself (segments, nodes, checks), as in components/net/topology.ts; validated there. */
  routedLab: z.record(z.string(), z.unknown()).optional(),
  /** lisp-site / lisp-msmr: routes towards the other sites' RLOCs (via a hop, or on-link). */
  oorRlocRoutes: z.array(z.strictObject({ to: z.string(), via: z.string().optional() })).optional(),
});

export type StackConfig = z.output<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

export interface ParseOptions {
  /** Further keys whose values are secrets (those set with `pulumi config set --secret`). */
  secretKeys?: Iterable<string>;
  /** Issues found outside the namespace (keys in a misspelt namespace), reported with the others. */
  issues?: ConfigIssue[];
}

/** Validates raw values (as config holds them) into a StackConfig, naming each bad key and value (never a secret's). */
export function parseStackConfig(raw: Record<string, unknown>, options: ParseOptions = {}): StackConfig {
  const parsed = stackConfigSchema
    .refine((config) => (config.sshPrivateKey === undefined) === (config.sshHostKey === undefined), {
      message: "sshPrivateKey and sshHostKey go together (the key, and the host key it is checked against)",
      path: ["sshHostKey"],
    })
    .refine((config) => config.sshPrivateKey === undefined || config.dockerHost.startsWith("ssh://"), {
      message: "an SSH key is only for an ssh:// dockerHost",
      path: ["sshPrivateKey"],
    })
    .refine((config) => config.routedLab === undefined || config.labs.includes("routed-lab"), {
      message: `is set, but ${CONFIG_NAMESPACE}:labs does not name routed-lab: it would be ignored (add routed-lab to ${CONFIG_NAMESPACE}:labs, or remove ${CONFIG_NAMESPACE}:routedLab)`,
      path: ["routedLab"],
    })
    .safeParse(raw);
  const issues = [...(options.issues ?? [])];
  if (!parsed.success) {
    const secretFields = new Set([...SECRET_FIELDS, ...SECRET_CONFIG_KEYS, ...(options.secretKeys ?? [])]);
    issues.push(
      ...fromZodIssues(parsed.error.issues, raw, secretFields).map((issue) => ({
        ...issue,
        path: `${CONFIG_NAMESPACE}:${issue.path}`,
      })),
    );
  }
  if (issues.length > 0 || !parsed.success) throw new LabConfigError("stack configuration", issues);
  return parsed.data;
}

const STRING_KEYS = new Set([
  "dockerHost", "namePrefix", "publishAddress", "oorImage", "oorMapServerKey", "oorMapServer", "sshPrivateKey", "sshHostKey",
  "restartPolicy", "labImages",
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
