/** The compositions a stack can name in `docker-netlabs:labs`, and the config keys each reads. */
import { Composition } from "./composition";
import { bgpTriangle } from "./bgp-triangle";
import { CompositionName, LabKey } from "./keys";
import { networkingDemo } from "./networking-demo";
import { oorLab } from "./oor-lab";
import { lispMsmr, lispSite } from "./oor-sites";
import { routedLab } from "./routed-lab";
import { routedLan } from "./routed-lan";

// biome-ignore lint/suspicious/noExplicitAny: the registry's entries are looked up by name, where their own types are erased.
export type AnyComposition = Composition<LabKey, LabKey, any>;

/** Each composition under its lab name, its own types kept (PlannedLab reads each one's plan type from here). */
export const COMPOSITIONS = {
  "networking-demo": networkingDemo,
  "routed-lan": routedLan,
  "bgp-triangle": bgpTriangle,
  "oor-2xtrs-1msmr": oorLab,
  "lisp-site": lispSite,
  "lisp-msmr": lispMsmr,
  "routed-lab": routedLab,
} satisfies Record<CompositionName, unknown>;

/** The composition of a lab name, with its types erased (for code that handles every lab alike). */
export function compositionOf(lab: CompositionName): AnyComposition {
  return COMPOSITIONS[lab] as AnyComposition;
}

/** What a composition's plan hands its `create`: the component's arguments and its plan. */
export type PlanOf<L extends CompositionName> = (typeof COMPOSITIONS)[L] extends Composition<LabKey, LabKey, infer Args> ? Args : never;

/** The compositions that read a key. */
export function readersOf(key: LabKey): CompositionName[] {
  return (Object.keys(COMPOSITIONS) as CompositionName[]).filter((name) => compositionOf(name).reads.includes(key));
}
