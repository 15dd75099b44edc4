/**
 * Renders a lab plan as Mermaid flowchart text: segments as rounded boxes (subnet and IPv6 prefix),
 * nodes as boxes, addresses (IPv4, and IPv6 where present) on the links.
 */
import { SegmentPlan, TopologyNodePlan } from "./topology";

function id(kind: "seg" | "node", name: string): string {
  return `${kind}_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** `nodeLines`: what a node's box shows below its name and role (RoutedLab's: its routing). */
export function renderMermaid<Node extends TopologyNodePlan>(
  plan: { segments: SegmentPlan[]; nodes: Node[] },
  nodeLines: (node: Node) => string[] = () => [],
): string {
  const lines = ["flowchart LR"];
  for (const segment of plan.segments) {
    const kind =
      segment.driver === "macvlan"
        ? `macvlan on ${segment.parent}`
        : segment.vxlan
          ? `bridge, VXLAN ${segment.vxlan.id} to ${segment.vxlan.remote}`
          : "bridge";
    const prefixes = [segment.subnet.cidr, ...(segment.ipv6 ? [segment.ipv6.cidr] : [])].join("<br/>");
    lines.push(`  ${id("seg", segment.name)}(["${segment.name}<br/>${prefixes}<br/>${kind}"])`);
  }
  for (const node of plan.nodes) {
    const role = node.router ? "router" : "host";
    lines.push(`  ${id("node", node.name)}["${[node.name, role, ...nodeLines(node)].join("<br/>")}"]`);
  }
  for (const node of plan.nodes) {
    for (const iface of node.interfaces) {
      // An IPv6 address's colons are quoted, as Mermaid reads a label's text.
      const label = iface.ipv6 !== undefined ? `"${iface.address}<br/>${iface.ipv6}"` : iface.address;
      lines.push(`  ${id("node", node.name)} ---|${label}| ${id("seg", iface.segment)}`);
    }
  }
  return lines.join("\n") + "\n";
}
