/** The issues a validation reports, as "path: message" lines; fails the test when it reports none. */
import { expect } from "vitest";
import { LabConfigError } from "../../components/net/errors";

export function configIssues(validate: () => unknown): string[] {
  try {
    validate();
  } catch (error) {
    expect(error).toBeInstanceOf(LabConfigError);
    return (error as LabConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error("expected a LabConfigError");
}
