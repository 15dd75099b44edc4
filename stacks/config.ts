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
import { LabConfigError, fromZodIssues } from "../components/net/errors";

export const CONFIG_NAMESPACE = "docker-netlabs";

/** The compositions a stack can build, by name (see stacks/index.ts). */
export const COMPOSITION_NAMES = ["networking-demo", "routed-lan", "bgp-triangle", "oor-2xtrs-1msmr", "lisp-site", "lisp-msmr", "routed-lab"] as const;
export type CompositionName = (typeof COMPOSITION_NAMES)[number];
/** What a stack builds unless it names its labs: everything that runs without an outside image or a secret. */
export const DEFAULT_LABS: CompositionName[] = ["networking-demo", "routed-lan", "bgp-triangle"];

export const stackConfigSchema = z.strictObject({
  dockerHost: z
    .string()
    .default("unix:///var/run/docker.sock")
    .superRefine((value, ctx) => {
      const parsed = parseDockerHost(value);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
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
    .regex(/^[a-z0-9-]{0,20}$/, "must be at most 20 lowercase letters, digits or dashes")
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
  oorImage: z.string().min(1).default("openoverlayrouter/oor:latest"),
  /** The map-server key of the oor-2xtrs-1msmr lab; set it with `pulumi config set --secret`. */
  oorMapServerKey: z.string().min(8, "must be at least 8 characters").optional(),
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

/** Validates raw values (as config holds them) into a StackConfig, naming each bad key and value. */
export function parseStackConfig(raw: Record<string, unknown>): StackConfig {
  const parsed = stackConfigSchema
    .refine((config) => (config.sshPrivateKey === undefined) === (config.sshHostKey === undefined), {
      message: "sshPrivateKey and sshHostKey go together (the key, and the host key it is checked against)",
      path: ["sshHostKey"],
    })
    .refine((config) => config.sshPrivateKey === undefined || config.dockerHost.startsWith("ssh://"), {
      message: "an SSH key is only for an ssh:// dockerHost",
      path: ["sshPrivateKey"],
    })
    .safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = fromZodIssues(parsed.error.issues, raw).map((issue) => ({
    ...issue,
    path: `${CONFIG_NAMESPACE}:${issue.path}`,
  }));
  throw new LabConfigError("stack configuration", issues);
}

const STRING_KEYS = new Set([
  "dockerHost", "namePrefix", "publishAddress", "oorImage", "oorMapServerKey", "oorMapServer", "sshPrivateKey", "sshHostKey",
  "restartPolicy", "labImages",
]);

/**
 * Reads every key of this project's namespace from Pulumi config, so that a misspelt key is an
 * error rather than silently ignored; unset keys take the schema's defaults.
 */
export function readStackConfig(): StackConfig {
  const raw: Record<string, unknown> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = STRING_KEYS.has(key) ? text : parseStructured(text);
  }
  return parseStackConfig(raw);
}

/** Arrays, numbers and booleans arrive as JSON text; what does not parse is left for the schema to reject. */
function parseStructured(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
