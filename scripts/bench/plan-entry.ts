/**
 * The one place where the plan bench (scripts/bench/plan.ts) reaches the program: the pure plan of
 * a lab, the lab component, and a whole stack. When the redesign renames or moves these entry
 * points, repoint them here; nothing else of the bench names them.
 */
import * as pulumi from "@pulumi/pulumi";
import { planRoutedLab } from "../../components/routed-lab/plan";
import { RoutedLab } from "../../components/routed-lab";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { COMPOSITION_NAMES } from "../../stacks/keys";
import { generateLab } from "./topologies";

/** A generated lab description (see topologies.ts): what the three entry points below are given. */
export type LabDescription = ReturnType<typeof generateLab>;

/** The pure plan of one lab: no Pulumi, no resources. */
export function planLab(name: string, spec: LabDescription): unknown {
  return planRoutedLab(name, spec, {});
}

/** The lab component as a user declares it, its images given (nothing built). */
export function declareLab(name: string, spec: LabDescription): unknown {
  return new RoutedLab(name, { spec, images: { router: "r:1", client: "c:1" } });
}

/**
 * What-if, for the bench only: the lab component without its readiness gate (NodesReady, one per
 * lab, which takes every container's id and depends on every container). Replaces the class in
 * the compiled module for the rest of this process.
 */
export function declareLabWithoutReadiness(name: string, spec: LabDescription): unknown {
  require("../../components/host/readiness").NodesReady = class NoReadinessGate {};
  return declareLab(name, spec);
}

/**
 * What-if, for the bench only: the readiness gate given every container id as one output rather
 * than one output per node, and (`dependsOn: false`) without its explicit dependency on every
 * container, which the ids already carry. What the engine is sent stays the same: the same input
 * values, the same dependencies.
 */
export function declareLabWithLeanReadiness(name: string, spec: LabDescription, options: { dependsOn: boolean }): unknown {
  const readiness = require("../../components/host/readiness");
  const Gate = readiness.NodesReady;
  readiness.NodesReady = class LeanReadinessGate extends Gate {
    constructor(gateName: string, args: { nodes: unknown[] }, opts: pulumi.CustomResourceOptions) {
      super(gateName, { ...args, nodes: pulumi.output(args.nodes) }, options.dependsOn ? opts : { ...opts, dependsOn: undefined });
    }
  };
  return declareLab(name, spec);
}

/** The whole program as index.ts runs it: config read from the (mocked) stack config. */
export function declareStack(): unknown {
  return buildStack(readStackConfig());
}

/**
 * lisp-msmr is the one composition left out: it reads the same `oorRloc` key as lisp-site, so the
 * two cannot share a stack (cross-lab check: one RLOC network). It is an OorRouter on that RLOC
 * network, which lisp-site declares too.
 */
export const STACK_LABS = COMPOSITION_NAMES.filter((lab) => lab !== "lisp-msmr");

/**
 * Config (keys without namespace, as runProgram takes them) of a stack that runs every lab of
 * STACK_LABS at once, on the local engine, images built: the OOR lab keeps its fixed addresses,
 * the LISP site moves to its own RLOC and EID networks, and routed-lab is a generated chain.
 */
export function allLabsConfig(routedLabNodes: number): { config: Record<string, unknown>; secretKeys: string[] } {
  return {
    config: {
      labs: STACK_LABS,
      oorMapServerKey: "bench-map-key-1",
      oorRloc: { subnet: "198.51.101.0/24", address: "198.51.101.11" },
      oorSite: { eidSubnet: "10.242.1.0/24" },
      oorMapServer: "198.51.101.2",
      routedLab: generateLab("chain", routedLabNodes),
    },
    secretKeys: ["oorMapServerKey"],
  };
}
