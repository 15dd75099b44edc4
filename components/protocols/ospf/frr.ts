/** OSPF's part of a router's FRR configuration. */
import { FrrSections, RouterBase } from "../protocol";
import { OspfAreaPlan } from "./areas";
import { OspfInterfacePlan, OspfPlan } from "./plan";

/**
 * Lab-speed OSPF: SPF at once and at most every 500 ms; an LSA re-originated after 100 ms rather
 * than 5 s (FRR's defaults follow RFC 2328, tuned for WANs). Every newer copy of an LSA is accepted,
 * however soon after the previous one: a copy refused for arriving too soon (MinLSArrival) is not
 * acknowledged, and waits for its retransmission, 5 s later. While a lab comes up, routers
 * re-originate their LSAs within ms of each other. Measured on the OSPF ring, first node started to
 * converged: 4.1 to 4.9 s accepting every copy; 7.5 or 12.3 s refusing copies within 50 ms (an
 * adjacency held in Loading until the retransmission).
 */
const OSPF_THROTTLES = [" timers throttle spf 0 50 500", " timers throttle lsa all 100", " timers lsa min-arrival 0"];

/**
 * The same lab speed for ospf6d, in its own words (it has no LSA origination throttle): SPF at once,
 * every newer copy of an LSA accepted. Measured on the dual-stack ring: with ospf6d's defaults
 * (1 s minimum arrival) the IPv6 routes of a router still went the costly way round once every
 * adjacency was Full.
 */
const OSPF6_THROTTLES = [" timers throttle spf 0 50 500", " timers lsa min-arrival 0"];

export function ospfSections(router: RouterBase, ospf: OspfPlan): FrrSections {
  const loopback = [
    ...(router.loopback ? [`ip ospf area ${ospf.area}`, "ip ospf passive"] : []),
    ...(router.loopback6 && ospf.ipv6 ? [`ipv6 ospf6 area ${ospf.area}`, "ipv6 ospf6 passive"] : []),
  ];
  return {
    loopback: loopback.length > 0 ? loopback : undefined,
    interfaces: ospf.interfaces.map((iface) => ({
      segment: iface.segment,
      lines: [...ospfInterfaceLines(ospf, iface), ...ospf6InterfaceLines(ospf, iface)],
    })),
    ...(ospf.interfaces.some((iface) => iface.password !== undefined && !iface.passive) ? { secret: true } : {}),
    router: [
      "router ospf",
      ` ospf router-id ${router.routerId}`,
      " log-adjacency-changes",
      ...OSPF_THROTTLES,
      ...(ospf.areaSettings ?? []).flatMap(areaLines),
      ...defaultOriginateLines(ospf),
      // OSPFv3's own router node follows, in the same section (each node closed by exit).
      ...(ospf.ipv6
        ? ["exit", "!", "router ospf6", ` ospf6 router-id ${router.routerId}`, " log-adjacency-changes", ...OSPF6_THROTTLES]
        : []),
    ],
  };
}

/** OSPFv3's lines in the interface node of a segment where the router has IPv6 (none elsewhere). */
function ospf6InterfaceLines(ospf: OspfPlan, iface: OspfInterfacePlan): string[] {
  if (!iface.ipv6) return [];
  const lines = [`ipv6 ospf6 area ${iface.area ?? ospf.area}`];
  if (iface.ipv6.passive) {
    lines.push("ipv6 ospf6 passive");
  } else {
    if (iface.ipv6.pointToPoint) lines.push("ipv6 ospf6 network point-to-point");
    lines.push(
      `ipv6 ospf6 hello-interval ${iface.helloSeconds ?? ospf.helloSeconds}`,
      `ipv6 ospf6 dead-interval ${iface.deadSeconds ?? ospf.deadSeconds}`,
    );
    if (ospf.bfdProfile) lines.push(`ipv6 ospf6 bfd profile ${ospf.bfdProfile}`);
  }
  const cost = iface.cost ?? ospf.cost;
  if (cost !== undefined) lines.push(`ipv6 ospf6 cost ${cost}`);
  return lines;
}

/**
 * OSPF's lines in the interface node of one of its segments (also applied by the node to the
 * interface a reconnected segment comes back on).
 */
function ospfInterfaceLines(ospf: OspfPlan, iface: OspfInterfacePlan): string[] {
  const lines = [`ip ospf area ${iface.area ?? ospf.area}`];
  if (iface.passive) {
    lines.push("ip ospf passive");
  } else {
    if (iface.pointToPoint) lines.push("ip ospf network point-to-point");
    lines.push(
      `ip ospf hello-interval ${iface.helloSeconds ?? ospf.helloSeconds}`,
      `ip ospf dead-interval ${iface.deadSeconds ?? ospf.deadSeconds}`,
    );
    if (ospf.bfdProfile) lines.push("ip ospf bfd", `ip ospf bfd profile ${ospf.bfdProfile}`);
    if (iface.priority !== undefined) lines.push(`ip ospf priority ${iface.priority}`);
    // MD5 authentication with key 1: a secret (the files holding it are Pulumi secrets).
    if (iface.password !== undefined)
      lines.push("ip ospf authentication message-digest", `ip ospf message-digest-key 1 md5 ${iface.password}`);
  }
  const cost = iface.cost ?? ospf.cost;
  if (cost !== undefined) lines.push(`ip ospf cost ${cost}`);
  return lines;
}

/** An area's kind and, on a border router, its summaries, in the router node. */
function areaLines(area: OspfAreaPlan): string[] {
  const kind = area.kind === "regular" ? [] : [` area ${area.id} ${area.kind}${area.noSummary ? " no-summary" : ""}`];
  const ranges = area.ranges.map(
    (range) =>
      ` area ${area.id} range ${range.prefix}${!range.advertise ? " not-advertise" : range.cost !== undefined ? ` cost ${range.cost}` : ""}`,
  );
  return [...kind, ...ranges];
}

/** The router's default route into OSPF: always, or while it has one itself. */
function defaultOriginateLines(ospf: OspfPlan): string[] {
  const how = ospf.defaultOriginate;
  if (!how) return [];
  const words = [
    " default-information originate",
    ...(how.always ? ["always"] : []),
    ...(how.metric !== undefined ? [`metric ${how.metric}`] : []),
    ...(how.metricType !== undefined ? [`metric-type ${how.metricType}`] : []),
  ];
  return [words.join(" ")];
}
