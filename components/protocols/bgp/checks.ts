/**
 * What the probe checks of BGP's depth on a router, following its configuration: routes of other
 * clients learned through a reflector, the communities a neighbour sets seen on its prefix, a
 * default route from the neighbours that originate one. Data only: vtysh JSON commands and what to
 * count (the probe knows no protocol).
 */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { BgpExpectations } from "./announce";
import { ReflectorPlan } from "./reflectors";

/** A count of BGP paths (or routes) in a router's answer to a vtysh JSON command. */
function pathsCheck(
  name: string,
  router: string,
  command: string,
  path: string[],
  stateField: string,
  upPattern: string,
  counted: string,
): VtyshCountCheck {
  return { kind: "vtysh-count", name, router, command, path, stateFields: [stateField], upPattern, want: 1, counted };
}

export function expectationChecks(expect: BgpExpectations, node: string, container: string): VtyshCountCheck[] {
  return [
    // A reflected path carries the originator's id (RFC 4456); a client has no other way to the prefix.
    ...(expect.reflected ?? []).map(({ prefix, from }) =>
      pathsCheck(
        `${node} learns ${from}'s ${prefix} through a route reflector`,
        container,
        `show bgp ipv4 unicast ${prefix} json`,
        ["paths"],
        "originatorId",
        ".",
        `reflected paths to ${prefix}`,
      ),
    ),
    // `show bgp … community X` lists only the routes that carry X.
    ...(expect.communities ?? []).map(({ prefix, community, large, from }) =>
      pathsCheck(
        `${node} sees ${from}'s ${prefix} with ${large ? "large " : ""}community ${community}`,
        container,
        `show bgp ipv4 unicast ${large ? "large-community" : "community"} ${community} json`,
        ["routes", prefix],
        "valid",
        "^true$",
        `paths to ${prefix} with ${community}`,
      ),
    ),
    ...(expect.defaultFrom ?? []).map((from) =>
      pathsCheck(
        `${node} has the default route ${from} originates`,
        container,
        "show ip route 0.0.0.0/0 json",
        ["0.0.0.0/0"],
        "protocol",
        "^bgp$",
        "BGP default routes",
      ),
    ),
  ];
}

/** What the diagram shows of a router's part in its AS's reflection: ", route reflector (cluster …)", ", RR client of rr1, rr2". */
export function reflectionLabel(reflector: ReflectorPlan | undefined): string {
  if (!reflector) return "";
  if (reflector.clients) return `, route reflector${reflector.clusterId ? ` (cluster ${reflector.clusterId})` : ""}`;
  return `, RR client of ${(reflector.reflectors ?? []).join(", ")}`;
}
