/**
 * The Pulumi program: read and validate this stack's configuration, build the compositions it
 * names, export every lab's addresses, published ports and Mermaid topology.
 *
 * A bad configuration throws LabConfigError before any resource is registered. It is a
 * pulumi.RunError, which Pulumi prints as its message alone: the list of config keys
 * (docker-netlabs:<key>) with what is wrong and the value (never a secret's), one per line,
 * without a stack trace.
 */
import { readStackConfig } from "./stacks/config";
import { buildStack } from "./stacks";

const stack = buildStack(readStackConfig());

export const dockerHost = stack.dockerHost;
export const labs = stack.labs;
export const probes = stack.probes;
