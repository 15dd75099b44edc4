/**
 * Checks that two sites' halves of a lab fit together over their stretched segments. Each site's
 * stack validates only its own half (it sees only its own config); this is the cross-check a
 * repository runs over its site configs, in a unit test or in CI, before either half is deployed.
 * Pure.
 */
import { show } from "./errors";
import { SegmentPlan, TopologyPlan } from "./topology";

export interface StretchIssue {
  segment: string;
  message: string;
}

/** Every way the two halves disagree, per stretched segment; empty when they pair. */
export function stretchedPairIssues(a: { site: string; plan: TopologyPlan }, b: { site: string; plan: TopologyPlan }): StretchIssue[] {
  const issues: StretchIssue[] = [];
  const segmentsOf = (plan: TopologyPlan) => new Map(plan.segments.map((segment) => [segment.name, segment]));
  const [segmentsA, segmentsB] = [segmentsOf(a.plan), segmentsOf(b.plan)];
  const names = new Set([...segmentsA.values(), ...segmentsB.values()].filter((s) => s.vxlan).map((s) => s.name));
  for (const name of [...names].sort()) {
    const [left, right] = [segmentsA.get(name), segmentsB.get(name)];
    const add = (message: string) => issues.push({ segment: name, message });
    if (!left?.vxlan || !right?.vxlan) {
      const [has, lacks] = left?.vxlan ? [a.site, b.site] : [b.site, a.site];
      add(
        `site ${show(has)} stretches it, site ${show(lacks)} has ${(left?.vxlan ? right : left) ? "it without a tunnel" : "no such segment"}`,
      );
      continue;
    }
    const same = (field: string, x: unknown, y: unknown) => {
      if (x !== y) add(`${field} differs: ${show(x)} at ${show(a.site)}, ${show(y)} at ${show(b.site)}`);
    };
    same("subnet", left.subnet.cidr, right.subnet.cidr);
    same("vxlan.id", left.vxlan.id, right.vxlan.id);
    same("vxlan.port", left.vxlan.port, right.vxlan.port);
    same("vxlan.mtu", left.vxlan.mtu, right.vxlan.mtu);
    pointsAt(a.site, left, b.site, right, add);
    pointsAt(b.site, right, a.site, left, add);
    if (left.gateway === right.gateway) add(`both sites use gateway ${show(left.gateway)}; give each half its own`);
    hostsEntries(a, b, left, add);
    hostsEntries(b, a, right, add);
    const ownersA = addressesOn(a.plan, left);
    for (const [address, owner] of addressesOn(b.plan, right)) {
      const other = ownersA.get(address);
      // Equal gateways are reported above.
      if (other && !(other === "the gateway" && owner === "the gateway"))
        add(`${show(address)} is ${other} at ${show(a.site)} and ${owner} at ${show(b.site)}`);
    }
  }
  return issues;
}

/** One half's tunnel must point at the other half's underlay address, when that half names it. */
function pointsAt(site: string, from: SegmentPlan, peer: string, to: SegmentPlan, add: (message: string) => void): void {
  if (to.vxlan!.local !== undefined && from.vxlan!.remote !== to.vxlan!.local) {
    add(`site ${show(site)} sends to ${show(from.vxlan!.remote)}, but site ${show(peer)} sends from ${show(to.vxlan!.local)}`);
  }
}

/** A node's `hosts` entry for a node of the other half must give that node's address on the segment. */
function hostsEntries(
  from: { site: string; plan: TopologyPlan },
  to: { site: string; plan: TopologyPlan },
  segment: SegmentPlan,
  add: (message: string) => void,
): void {
  for (const node of from.plan.nodes) {
    for (const [name, address] of Object.entries(node.hosts)) {
      const target = to.plan.nodes.find((candidate) => candidate.name === name);
      const actual = target?.interfaces.find((iface) => iface.segment === segment.name)?.address;
      if (actual !== undefined && actual !== address) {
        add(
          `node ${show(node.name)} at ${show(from.site)} names ${show(name)} ${show(address)}, but it is ${show(actual)} at ${show(to.site)}`,
        );
      }
    }
  }
}

/** Addresses held on a segment: its gateway, and each node's interface there. */
function addressesOn(plan: TopologyPlan, segment: SegmentPlan): Map<string, string> {
  const owners = new Map<string, string>([[segment.gateway, "the gateway"]]);
  for (const node of plan.nodes) {
    for (const iface of node.interfaces) {
      if (iface.segment === segment.name) owners.set(iface.address, `node ${show(node.name)}'s address`);
    }
  }
  return owners;
}
