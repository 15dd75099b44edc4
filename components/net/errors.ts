/** One problem found in a lab description: where (a field path) and what. */
export interface ConfigIssue {
  /** Field path as a user would write it, e.g. `nodes[2].interfaces[0].address`. */
  path: string;
  message: string;
}

/**
 * Thrown before any resource is created when a lab description is invalid.
 * It lists every issue at once, so one `pulumi preview` shows everything to fix.
 */
export class LabConfigError extends Error {
  constructor(
    readonly subject: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `${subject} is invalid:\n` + issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n"),
    );
    this.name = "LabConfigError";
  }
}

/** Formats a user value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

/** Turns zod issues into ConfigIssues with the offending value named. */
export function fromZodIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  input: unknown,
): ConfigIssue[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const value = valueAt(input, issue.path);
    const shown = value === undefined ? "" : ` (got ${show(value)})`;
    return { path: path || "(root)", message: issue.message + shown };
  });
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join("");
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return typeof current === "object" && current !== null ? undefined : current;
}
