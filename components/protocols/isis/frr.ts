/** IS-IS's part of a router's FRR configuration. */
import { FrrSections, RouterBase } from "../protocol";
import { IsisInterfacePlan, IsisPlan } from "./plan";

/** The name of the IS-IS instance of every router (FRR's `router isis <tag>`). */
export const ISIS_TAG = "lab";

/** FRR's is-type for a level. */
const IS_TYPE = { "level-1": "level-1", "level-2": "level-2-only", "level-1-2": "level-1-2" } as const;

/**
 * A system id from the router id, as is customary: each octet as three digits, regrouped by four
 * (10.0.0.1 gives 0100.0000.0001). Router ids are unique in a lab, and so are these.
 */
export function systemId(routerId: string): string {
  const digits = routerId
    .split(".")
    .map((octet) => octet.padStart(3, "0"))
    .join("");
  return [0, 4, 8].map((start) => digits.slice(start, start + 4)).join(".");
}

/** The router's NET: its area, its system id, selector 00. */
export function networkEntityTitle(area: string, routerId: string): string {
  return `${area.toLowerCase()}.${systemId(routerId)}.00`;
}

/**
 * Lab-speed IS-IS: SPF at once after a change and at most every 500 ms while changes come
 * (FRR's defaults wait seconds, tuned for WANs); an LSP regenerated at most every second.
 */
const ISIS_THROTTLES = [
  " spf-delay-ietf init-delay 0 short-delay 50 long-delay 500 holddown 1000 time-to-learn 500",
  " lsp-gen-interval 1",
];

/**
 * IS-IS's router node goes first (a preamble), before the interface nodes that name its instance:
 * FRR 8.4's isisd checks an interface's metric above 63 against the instance's metric style as it
 * reads the interface, and with the instance not yet read it refuses the interface's whole IS-IS
 * configuration (measured: "Must condition ... metric-style = 'wide' not satisfied", that router's
 * interfaces without IS-IS, no adjacency).
 */
export function isisSections(router: RouterBase, isis: IsisPlan): FrrSections {
  return {
    loopback:
      router.loopback || router.loopback6
        ? [
            ...(router.loopback ? [`ip router isis ${ISIS_TAG}`] : []),
            ...(router.loopback6 ? [`ipv6 router isis ${ISIS_TAG}`] : []),
            "isis passive",
          ]
        : undefined,
    interfaces: isis.interfaces.map((iface) => ({ segment: iface.segment, lines: isisInterfaceLines(isis, iface) })),
    preamble: [
      `router isis ${ISIS_TAG}`,
      ` net ${networkEntityTitle(isis.area, router.routerId)}`,
      ` is-type ${IS_TYPE[isis.level]}`,
      " metric-style wide",
      " log-adjacency-changes",
      ...ISIS_THROTTLES,
    ],
  };
}

/** IS-IS's lines in the interface node of one of its segments. */
function isisInterfaceLines(isis: IsisPlan, iface: IsisInterfacePlan): string[] {
  const lines = [`ip router isis ${ISIS_TAG}`, ...(iface.ipv6 ? [`ipv6 router isis ${ISIS_TAG}`] : [])];
  if (iface.passive) {
    lines.push("isis passive");
  } else {
    if (iface.pointToPoint) lines.push("isis network point-to-point");
    lines.push(`isis hello-interval ${isis.helloSeconds}`, `isis hello-multiplier ${isis.holdMultiplier}`);
    if (isis.bfdProfile) lines.push("isis bfd", `isis bfd profile ${isis.bfdProfile}`);
  }
  if (isis.metric !== undefined) lines.push(`isis metric ${isis.metric}`);
  return lines;
}
