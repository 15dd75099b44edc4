/** The compositions a stack can name in `docker-netlabs:labs`, and the config keys each reads. */
import { Composition } from "./composition";
import { bgpTriangle } from "./bgp-triangle";
import { CompositionName, LabKey } from "./keys";
import { networkingDemo } from "./networking-demo";
import { oorLab } from "./oor-lab";
import { lispMsmr, lispSite } from "./oor-sites";
import { routedLab } from "./routed-lab";
import { routedLan } from "./routed-lan";

// biome-ignore lint/suspicious/noExplicitAny: each composition keeps its own slice and argument types; the registry erases them.
export type AnyComposition = Composition<LabKey, LabKey, any>;

export const COMPOSITIONS: Record<CompositionName, AnyComposition> = {
  "networking-demo": networkingDemo as AnyComposition,
  "routed-lan": routedLan as AnyComposition,
  "bgp-triangle": bgpTriangle as AnyComposition,
  "oor-2xtrs-1msmr": oorLab as AnyComposition,
  "lisp-site": lispSite as AnyComposition,
  "lisp-msmr": lispMsmr as AnyComposition,
  "routed-lab": routedLab as AnyComposition,
};

/** The compositions that read a key. */
export function readersOf(key: LabKey): CompositionName[] {
  return (Object.keys(COMPOSITIONS) as CompositionName[]).filter((name) => COMPOSITIONS[name].reads.includes(key));
}
