/**
 * The routing ring of ospf-ring.test.ts running IS-IS (level 2, BFD on its adjacencies) instead of
 * OSPF, with the same assertions: the hosts reach each other with no static route between routers,
 * a one-sided cut of r1-r2 is seen by r2's BFD and reroutes through r4 (r4's higher metric kept the
 * path on r2 until then), and the path comes back with the link.
 */
import { ringSuite } from "../support/ring-suite";
import { isisRing } from "../support/routing-labs";

ringSuite("isis-ring", "IS-IS", isisRing());
