/** A Linux host (the client image: shell, ping, curl, iproute2); also the kind of a node running an image of its own. */
import { labNodeKind } from "../lab-node";

export const linuxHostKind = labNodeKind("linux-host", "client", ["sleep", "infinity"]);
