/**
 * The stack configuration (namespace `docker-netlabs`), read from Pulumi config and validated with
 * a zod schema. Defaults equal those of Pulumi.yaml's config schema (a unit test keeps them equal),
 * so a program run outside the CLI (tests, Automation API) behaves as `pulumi up` does.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseDockerHost } from "../components/host/docker-host-url";
import { isIpv4Address } from "../components/net/addressing";
import { LabConfigError, fromZodIssues } from "../components/net/errors";

export const CONFIG_NAMESPACE = "docker-netlabs";

/** The compositions a stack can build, by name (see stacks/index.ts). */
export const COMPOSITION_NAMES = ["networking-demo", "routed-lan"] as const;
export type CompositionName = (typeof COMPOSITION_NAMES)[number];

export const stackConfigSchema = z.strictObject({
  dockerHost: z
    .string()
    .default("unix:///var/run/docker.sock")
    .superRefine((value, ctx) => {
      const parsed = parseDockerHost(value);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    }),
  sshOpts: z.array(z.string()).default([]),
  labs: z
    .array(z.enum(COMPOSITION_NAMES, { message: `must be one of ${COMPOSITION_NAMES.join(", ")}` }))
    .min(1, "names no lab")
    .default([...COMPOSITION_NAMES])
    .refine((labs) => new Set(labs).size === labs.length, "names a lab twice"),
  namePrefix: z
    .string()
    .regex(/^[a-z0-9-]{0,20}$/, "must be at most 20 lowercase letters, digits or dashes")
    .default(""),
  publishAddress: z.string().refine(isIpv4Address, "must be an IPv4 address").default("127.0.0.1"),
  demoHostPort: z.number().int().min(1).max(65535, "must be a port from 1 to 65535").default(4000),
  internal: z.boolean().default(true),
});

export type StackConfig = z.output<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** Validates raw values (as config holds them) into a StackConfig, naming each bad key and value. */
export function parseStackConfig(raw: Record<string, unknown>): StackConfig {
  const parsed = stackConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = fromZodIssues(parsed.error.issues, raw).map((issue) => ({
    ...issue,
    path: `${CONFIG_NAMESPACE}:${issue.path}`,
  }));
  throw new LabConfigError("stack configuration", issues);
}

const STRING_KEYS = ["dockerHost", "namePrefix", "publishAddress"] as const;
const STRUCTURED_KEYS = ["sshOpts", "labs", "demoHostPort", "internal"] as const;

/** Reads this project's keys from Pulumi config (unset keys take the schema's defaults). */
export function readStackConfig(config = new pulumi.Config(CONFIG_NAMESPACE)): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of STRING_KEYS) {
    const value = config.get(key);
    if (value !== undefined) raw[key] = value;
  }
  for (const key of STRUCTURED_KEYS) {
    const text = config.get(key);
    if (text === undefined) continue;
    try {
      raw[key] = JSON.parse(text);
    } catch {
      raw[key] = text; // left for the schema to reject with the key's name
    }
  }
  return parseStackConfig(raw);
}
