/**
 * Checks across the labs of one stack, on their plans: each lab is valid alone, but two labs on
 * overlapping subnets, listening on the same host port, or creating the same Docker name would
 * fail half way through `pulumi up` (Docker refuses the second pool, port or name). Pure.
 */
import { parseSubnet, subnetsOverlap } from "../components/net/addressing";
import { ConfigIssue, show } from "../components/net/errors";
import { LabFootprint } from "./composition";

export interface PlannedFootprint {
  lab: string;
  footprint: LabFootprint;
}

/** 0.0.0.0 listens on every address of the host: it clashes with any other address on the same port. */
export function listenersClash(
  a: { address: string; port: number; protocol: string },
  b: { address: string; port: number; protocol: string },
): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.address === b.address || a.address === "0.0.0.0" || b.address === "0.0.0.0");
}

export function crossLabIssues(labs: PlannedFootprint[]): ConfigIssue[] {
  return [...subnetClashes(labs), ...portClashes(labs), ...nameClashes(labs)];
}

/** Subnets of different labs that overlap; a lab's own segments are its component's to check. */
function subnetClashes(labs: PlannedFootprint[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  labs.forEach((later, j) => {
    for (const subnet of later.footprint.subnets) {
      const parsed = parseSubnet(subnet.cidr);
      if (typeof parsed === "string") continue;
      const clash = labs
        .slice(0, j)
        .flatMap((earlier) => earlier.footprint.subnets)
        .find((other) => {
          const otherParsed = parseSubnet(other.cidr);
          return typeof otherParsed !== "string" && subnetsOverlap(parsed, otherParsed);
        });
      if (clash) {
        issues.push({
          path: subnet.path,
          message: `${show(subnet.cidr)} (${subnet.what}) overlaps ${clash.what} (${clash.cidr}): Docker refuses overlapping pools`,
        });
      }
    }
  });
  return issues;
}

/** Host listeners that clash, in any two labs or within one (0.0.0.0 against a given address). */
function portClashes(labs: PlannedFootprint[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen: LabFootprint["ports"] = [];
  for (const port of labs.flatMap((lab) => lab.footprint.ports)) {
    const clash = seen.find((other) => listenersClash(port, other));
    if (clash) {
      issues.push({
        path: port.path,
        message: `${port.address}:${port.port}/${port.protocol} (${port.what}) is also where ${clash.what} listens (${clash.address}:${clash.port}/${clash.protocol})`,
      });
    }
    seen.push(port);
  }
  return issues;
}

/** Docker container and network names made twice (a node named like another lab's helper, say). */
function nameClashes(labs: PlannedFootprint[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, string>();
  for (const { lab, footprint } of labs) {
    for (const item of footprint.names) {
      const key = `${item.kind} ${item.name}`;
      const owner = seen.get(key);
      if (owner) issues.push({ path: item.path, message: `makes Docker ${item.kind} ${show(item.name)}, which ${owner} also makes` });
      else seen.set(key, `lab ${lab}`);
    }
  }
  return issues;
}
