import * as pulumi from "@pulumi/pulumi";

/** One problem found in a lab description: where (a field path) and what. */
export interface ConfigIssue {
  /** Field path as a user would write it, e.g. `nodes[2].interfaces[0].address`. */
  path: string;
  message: string;
}

/** What an error says in place of a secret's value: the field is named, its value never shown. */
export const SECRET_NOT_SHOWN = "(secret, not shown)";

/**
 * Field names whose values are secrets wherever they occur (a config key, or a component field such
 * as an OOR map server's `key`): errors name them and never show their values.
 */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(["sshPrivateKey", "privateKey", "oorMapServerKey", "key", "password"]);

/**
 * Thrown before any resource is created when a lab description is invalid.
 * It lists every issue at once, so one `pulumi preview` shows everything to fix.
 *
 * It is a pulumi.RunError: the Pulumi language host prints a RunError as its message alone (no
 * stack trace, no "unhandled exception", no util.inspect of the object), so a user sees the list
 * of fields, one per line, and nothing else.
 */
export class LabConfigError extends pulumi.RunError {
  constructor(
    readonly subject: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${subject} is invalid:\n` + issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n"));
    this.name = "LabConfigError";
  }
}

/** Formats a user value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

/** Is a field at this path a secret (any part of it named in `secretFields`)? */
export function isSecretPath(path: ReadonlyArray<PropertyKey>, secretFields: ReadonlySet<string> = SECRET_FIELDS): boolean {
  return path.some((part) => typeof part === "string" && secretFields.has(part));
}

/**
 * Turns zod issues into ConfigIssues with the offending value named, except where the value is a
 * secret (a field in `secretFields`): then the issue says so and shows nothing of it.
 */
export function fromZodIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  input: unknown,
  secretFields: ReadonlySet<string> = SECRET_FIELDS,
): ConfigIssue[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    if (isSecretPath(issue.path, secretFields)) return { path: path || "(root)", message: `${issue.message} ${SECRET_NOT_SHOWN}` };
    const value = valueAt(input, issue.path);
    const shown = value === undefined ? "" : ` (got ${show(value)})`;
    return { path: path || "(root)", message: issue.message + shown };
  });
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`)).join("");
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return typeof current === "object" && current !== null ? undefined : current;
}
