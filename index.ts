/**
 * The Pulumi program: read and validate this stack's configuration, build the compositions it
 * names, export every lab's addresses, published ports and Mermaid topology.
 */
import { readStackConfig } from "./stacks/config";
import { buildStack } from "./stacks";

const stack = buildStack(readStackConfig());

export const dockerHost = stack.dockerHost;
export const labs = stack.labs;
export const probes = stack.probes;
