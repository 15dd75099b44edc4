/**
 * The ring of unnumbered links on IS-IS (issue 25, unnumbered links for IS-IS too): the same suite as
 * ospf-unnumbered-ring.test.ts, each router's ring interfaces borrowing its loopback.
 */
import { UNNUMBERED_LOOPBACKS, unnumberedRing } from "../support/ospf-areas-lab";
import { ringSuite } from "../support/ring-suite";
import { onIsis } from "../support/routing-labs";

ringSuite("isis-unnumbered-ring", "unnumbered IS-IS", onIsis(unnumberedRing()), UNNUMBERED_LOOPBACKS);
