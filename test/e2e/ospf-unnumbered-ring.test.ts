/**
 * An OSPF ring of unnumbered links on real Docker and FRR (issue 25, proof 4): each router's ring
 * interfaces borrow its loopback (Docker's address on them removed before FRR starts); the hosts
 * reach each other, traceroute shows the routers' loopbacks as the hops, a one-sided cut of r1-r2 is
 * seen by r2's BFD and reroutes through r4 (the outage printed: the bench's figure, target under
 * 1 s), and the path comes back with the link. The same suite as the numbered rings.
 */
import { UNNUMBERED_LOOPBACKS, unnumberedRing } from "../support/ospf-areas-lab";
import { ringSuite } from "../support/ring-suite";

ringSuite("ospf-unnumbered-ring", "unnumbered OSPF", unnumberedRing(), UNNUMBERED_LOOPBACKS);
