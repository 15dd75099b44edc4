/**
 * Unnumbered point-to-point links (a segment's `unnumbered`): its two routers borrow their loopback
 * addresses there. Docker still gives each end an address of the segment's subnet (a network needs
 * one, and the node finds its interface by it); the node's init replaces it with `<loopback>/32
 * peer <the other's loopback>` before FRR starts (frr/start.ts), so the kernel has a route to the
 * neighbour from the start and the protocols see the loopbacks as the link's addresses. Pure.
 */
import { ConfigIssue, show } from "../net/errors";
import { RouterInterface } from "./protocol";
import { RoutingInput, RoutingNodeInput } from "./router";

/** What is wrong with the lab's unnumbered segments: exactly two routers each, both with a loopback. */
export function unnumberedIssues(input: RoutingInput, routers: readonly RoutingNodeInput[]): ConfigIssue[] {
  const isRouter = new Set(routers.map((router) => router.name));
  return input.segments.flatMap((segment, i): ConfigIssue[] => {
    if (!segment.unnumbered) return [];
    const at = `segments[${i}].unnumbered`;
    const members = input.nodes.filter((node) => node.interfaces.some((iface) => iface.segment === segment.name));
    if (members.length !== 2) {
      return [
        {
          path: at,
          message: `true: segment ${show(segment.name)} has ${members.length} nodes; an unnumbered link joins exactly two routers`,
        },
      ];
    }
    return members.flatMap((node): ConfigIssue[] =>
      !isRouter.has(node.name) || node.fields.loopback === undefined
        ? [
            {
              path: at,
              message: `true: node ${show(node.name)} on segment ${show(segment.name)} has no loopback to borrow (an unnumbered link joins two routers with a loopback each)`,
            },
          ]
        : [],
    );
  });
}

/**
 * The router's interfaces, those on unnumbered segments with the addresses they borrow; undefined
 * where the router has none (its interfaces stay as they were).
 */
export function borrowedInterfaces(
  node: RoutingNodeInput,
  unnumbered: ReadonlySet<string>,
  byName: ReadonlyMap<string, RoutingNodeInput>,
): RouterInterface[] {
  if (unnumbered.size === 0) return node.interfaces;
  if (!node.interfaces.some((iface) => unnumbered.has(iface.segment)) || node.fields.loopback === undefined) return node.interfaces;
  return node.interfaces.map((iface) => {
    if (!unnumbered.has(iface.segment)) return iface;
    const peer = [...byName.values()].find(
      (other) => other.name !== node.name && other.interfaces.some((theirs) => theirs.segment === iface.segment),
    );
    const peerLoopback = peer?.fields.loopback;
    return peerLoopback === undefined ? iface : { ...iface, borrowed: { local: node.fields.loopback!, peer: peerLoopback } };
  });
}
