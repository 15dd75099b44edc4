/**
 * An OSPF ring of four routers on real Docker and FRR, with a host LAN on two opposite routers and
 * no static route between routers: the hosts reach each other, a one-sided cut of r1-r2 is seen
 * by r2's BFD and reroutes through r4 (the outage is printed; how fast is the bench's to judge)
 * and traceroute shows the other way round, and the path comes back once the link does.
 */
import { ringSuite } from "../support/ring-suite";
import { ospfRing } from "../support/routing-labs";

ringSuite("ospf-ring", "OSPF", ospfRing());
