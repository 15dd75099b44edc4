/** What a lab shows of its routers' routing, through the registered protocols: outputs, probe checks, diagram. */
import { ProbeCheck } from "../probe/lab-probe";
import { AnyRoutingProtocol } from "./protocol";
import { NodeRoutingPlan, PROTOCOLS, RoutingInfo } from "./registry";

/** LabNode.routing: the protocols it runs, its router id, each protocol's output fields, its loopback. */
export function routingInfo(routing: NodeRoutingPlan, protocols: readonly AnyRoutingProtocol[] = PROTOCOLS): RoutingInfo {
  const running = protocols.filter((protocol) => protocol.runs(routing));
  return Object.assign(
    { protocols: running.map((protocol) => protocol.name), routerId: routing.routerId },
    ...protocols.map((protocol) => protocol.outputs(routing)),
    routing.loopback ? { loopback: routing.loopback } : {},
    routing.loopback6 ? { loopback6: routing.loopback6 } : {},
  );
}

/** Per router with a protocol: each protocol's checks (adjacencies up), then every LAN it should learn in its routing table. */
export function routingChecks(
  plan: { nodes: { name: string; containerName: string; routing?: NodeRoutingPlan }[] },
  protocols: readonly AnyRoutingProtocol[] = PROTOCOLS,
): ProbeCheck[] {
  return plan.nodes.flatMap((node): ProbeCheck[] => {
    const routing = node.routing;
    if (!routing) return [];
    const target = { node: node.name, container: node.containerName };
    return [
      ...protocols.filter((protocol) => protocol.runs(routing)).flatMap((protocol): ProbeCheck[] => protocol.checks(routing, target)),
      {
        kind: "routes",
        name: `${node.name} has a route to every LAN (${routing.expectedPrefixes.length})`,
        router: node.containerName,
        prefixes: routing.expectedPrefixes,
      },
      ...(routing.absentPrefixes
        ? [
            {
              kind: "routes" as const,
              name: `${node.name} has no route to what its policies filter (${routing.absentPrefixes.length})`,
              router: node.containerName,
              prefixes: routing.absentPrefixes,
              absent: true,
            },
          ]
        : []),
      ...(routing.expectedPrefixes6
        ? [
            {
              kind: "routes" as const,
              name: `${node.name} has a route to every IPv6 LAN (${routing.expectedPrefixes6.length})`,
              router: node.containerName,
              prefixes: routing.expectedPrefixes6,
              family: 6,
            },
          ]
        : []),
    ];
  });
}

/** A router's lines in its diagram box: what each protocol shows of it ("OSPF area 0.0.0.0, BGP AS 65002, BFD"), its router id. */
export function routingDiagram(routing: NodeRoutingPlan | undefined, protocols: readonly AnyRoutingProtocol[] = PROTOCOLS): string[] {
  if (!routing) return [];
  const shown = protocols.filter((protocol) => protocol.runs(routing)).map((protocol): string => protocol.diagram(routing));
  return [shown.join(", "), `id ${routing.routerId}`];
}
