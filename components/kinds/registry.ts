/**
 * The node kinds a RoutedLab node can be, registered by the lab image it names (its `image`); a node
 * naming an image of its own ({ ref }) is a Linux host that waits idle unless it names a `command`.
 * A new kind is a folder beside this file and one line here.
 */
import { LabImageName } from "../net/topology";
import { NodePlan } from "../routed-lab/plan";
import { dhcpServerKind } from "./dhcp-server";
import { frrRouterKind } from "./frr-router";
import { LabNodeKind, labNodeContainer } from "./lab-node";
import { linuxHostKind } from "./linux-host";
import { webKind } from "./web";

export const LAB_NODE_KINDS: Record<LabImageName, LabNodeKind> = {
  router: frrRouterKind,
  web: webKind,
  client: linuxHostKind,
  "dhcp-server": dhcpServerKind,
};

/** The main process each lab image runs by default (each Dockerfile's CMD, checked by a unit test). */
export const LAB_IMAGE_COMMANDS = Object.fromEntries(
  Object.entries(LAB_NODE_KINDS).map(([image, kind]) => [image, kind.command]),
) as Record<LabImageName, string[]>;

/**
 * A node's kind: its lab image's, or a Linux host on an image of its own. That one has no default
 * command: the node's init script replaces the image's entrypoint, and Docker drops an image's CMD
 * along with its entrypoint, so the init waits idle once set up unless the node names a `command`
 * (routed-lab/node-init.ts).
 */
export function kindOf(node: Pick<NodePlan, "image">): LabNodeKind {
  if (typeof node.image === "string") return LAB_NODE_KINDS[node.image];
  return { ...linuxHostKind, command: [], container: (plan, context) => labNodeContainer(plan, context) };
}
