/**
 * A router (the router image: iproute2, iptables, socat and FRR). It forwards when the node says
 * `router: true`; with a routing protocol its FRR files and capabilities come from the node's plan
 * (components/protocols), and FRR starts from its init.
 */
import { labNodeKind } from "../lab-node";

export const frrRouterKind = labNodeKind("frr-router", "router", ["sleep", "infinity"]);
