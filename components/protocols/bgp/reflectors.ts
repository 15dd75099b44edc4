/**
 * Route reflectors (RFC 4456), as netlab's bgp.rr: in an ASN with reflectors, iBGP runs between
 * every two reflectors (as non-clients) and between each reflector and its clients, never between
 * two clients. A reflector's clients are the routers it names, else every router of its ASN that is
 * no reflector.
 */
import { ConfigIssue, show } from "../../net/errors";
import { LabRouter, fieldPath } from "../protocol";
import type { BgpNeighborPlan, BgpRouter } from "./plan";

/** What a router is in its AS's reflection, when it has any part in it. */
export interface ReflectorPlan {
  /** A reflector's cluster id (absent: FRR's default, its router id). */
  clusterId?: string;
  /** A reflector's clients, by node name. */
  clients?: string[];
  /** A client's reflectors, by node name. */
  reflectors?: string[];
}

export interface Reflection {
  /** Whether two routers of one ASN run an iBGP session. */
  peers(a: string, b: string): boolean;
  hasReflectors(asn: number): boolean;
  /** What the router is in its AS's reflection (undefined: none, or its AS has no reflector). */
  planOf(router: string): ReflectorPlan | undefined;
  /** Whether `reflector` reflects routes to `client`. */
  serves(reflector: string, client: string): boolean;
}

export function planReflectors(bgpRouters: BgpRouter[], allRouters: LabRouter[], issues: ConfigIssue[]): Reflection {
  const byName = new Map(bgpRouters.map((router) => [router.name, router]));
  const clientsOf = new Map<string, string[]>();
  for (const reflector of bgpRouters.filter((router) => router.settings.routeReflector)) {
    const named = reflector.settings.clients;
    const clients =
      named === undefined
        ? bgpRouters.filter((other) => other.settings.asn === reflector.settings.asn && !other.settings.routeReflector).map((o) => o.name)
        : named.filter((client, j) => {
            const issue = clientIssue(reflector, client, named.slice(0, j), byName, allRouters);
            if (issue) issues.push({ path: fieldPath(reflector, `bgp.clients[${j}]`), message: issue });
            return issue === undefined;
          });
    clientsOf.set(reflector.name, clients);
  }
  const reflectorsOf = new Map<string, string[]>();
  for (const [reflector, clients] of clientsOf) {
    for (const client of clients) reflectorsOf.set(client, [...(reflectorsOf.get(client) ?? []), reflector]);
  }
  const asnsWithReflectors = new Set([...clientsOf.keys()].map((name) => byName.get(name)?.settings.asn));
  const serves = (reflector: string, client: string) => clientsOf.get(reflector)?.includes(client) ?? false;
  return {
    hasReflectors: (asn) => asnsWithReflectors.has(asn),
    serves,
    peers: (a, b) => {
      const asn = byName.get(a)?.settings.asn;
      if (asn === undefined || !asnsWithReflectors.has(asn)) return true;
      return (clientsOf.has(a) && clientsOf.has(b)) || serves(a, b) || serves(b, a);
    },
    planOf: (name) => {
      const clients = clientsOf.get(name);
      if (clients) {
        const clusterId = byName.get(name)?.settings.clusterId;
        return { ...(clusterId ? { clusterId } : {}), clients };
      }
      const reflectors = reflectorsOf.get(name);
      return reflectors ? { reflectors } : undefined;
    },
  };
}

/** What is wrong with naming `client` among a reflector's clients (`before`: those named before it). */
function clientIssue(
  reflector: BgpRouter,
  client: string,
  before: string[],
  byName: ReadonlyMap<string, BgpRouter>,
  allRouters: LabRouter[],
): string | undefined {
  if (before.includes(client)) return `${show(client)} is named twice`;
  if (client === reflector.name) return `${show(client)} is the reflector itself`;
  const other = byName.get(client);
  if (!other) {
    return allRouters.some((router) => router.name === client)
      ? `${show(client)} runs no BGP: a client is a BGP router of the reflector's AS (${reflector.settings.asn})`
      : `${show(client)} is no router of the lab`;
  }
  if (other.settings.asn !== reflector.settings.asn)
    return `${show(client)} is in AS ${other.settings.asn}, not the reflector's AS ${reflector.settings.asn}: a client is an iBGP neighbour`;
  if (other.settings.routeReflector)
    return `${show(client)} is a route reflector itself: the reflectors of an AS peer with each other as non-clients`;
  return undefined;
}

/** Marks each reflector's sessions to its clients: FRR's `route-reflector-client`. */
export function markReflectorClients(sessions: ReadonlyMap<string, BgpNeighborPlan[]>, reflection: Reflection): void {
  for (const [router, neighbors] of sessions) {
    for (const neighbor of neighbors) if (reflection.serves(router, neighbor.node)) neighbor.reflectorClient = true;
  }
}
