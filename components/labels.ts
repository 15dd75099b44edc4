/** Labels every Docker object of a lab carries, so that tests and users can find and remove them. */
import * as pulumi from "@pulumi/pulumi";

export const LABEL_PREFIX = "io.docker-netlabs";

export type LabelMap = Record<string, string>;

/** The common labels for an object of `lab`, merged with the user's own (theirs win). */
export function labLabels(lab: string, extra: LabelMap = {}): LabelMap {
  return {
    [`${LABEL_PREFIX}.managed`]: "true",
    [`${LABEL_PREFIX}.project`]: pulumi.getProject(),
    [`${LABEL_PREFIX}.stack`]: pulumi.getStack(),
    [`${LABEL_PREFIX}.lab`]: lab,
    ...extra,
  };
}

/** @pulumi/docker's label list form, sorted so that inputs are byte-identical between runs. */
export function toDockerLabels(labels: LabelMap): { label: string; value: string }[] {
  return Object.keys(labels)
    .sort()
    .map((label) => ({ label, value: labels[label] }));
}
