/**
 * Probes for labs with dynamic routing, shared by test/e2e and the benchmark: OSPF neighbour and
 * BFD states from FRR, routes held, the best AS path, convergence of a whole lab measured against
 * its plan, when its containers started and how much memory they use.
 */
import { LabPlan } from "../../components/routed-lab/plan";
import { bgpPeers } from "./bgp-probes";
import { execIn, run, waitFor } from "./docker-cli";

/** Each OSPF neighbour's state ("Full/-", "2-Way/DROther", …), from `show ip ospf neighbor json`. */
export async function ospfStates(container: string): Promise<string[]> {
  const result = await execIn(container, ["vtysh", "-c", "show ip ospf neighbor json"], 10_000);
  try {
    const byRouterId = JSON.parse(result.stdout).neighbors ?? {};
    return Object.values(byRouterId).flatMap((list: any) =>
      (Array.isArray(list) ? list : [list]).map((n: any) => String(n.nbrState ?? n.state)),
    );
  } catch {
    return [];
  }
}

/** Each IS-IS adjacency's state ("Up", "Initializing", …), from `show isis neighbor json` (each area's circuits). */
export async function isisStates(container: string): Promise<string[]> {
  const result = await execIn(container, ["vtysh", "-c", "show isis neighbor json"], 10_000);
  try {
    const areas: any[] = JSON.parse(result.stdout).areas ?? [];
    return areas.flatMap((area) => (area.circuits ?? []).map((circuit: any) => String(circuit.state)));
  } catch {
    return [];
  }
}

/** Each OSPFv3 neighbour's state ("Full", …), from `show ipv6 ospf6 neighbor json`. */
export async function ospf6States(container: string): Promise<string[]> {
  const result = await execIn(container, ["vtysh", "-c", "show ipv6 ospf6 neighbor json"], 10_000);
  try {
    return (JSON.parse(result.stdout).neighbors ?? []).map((n: any) => String(n.state));
  } catch {
    return [];
  }
}

/** BFD sessions and their status, from `show bfd peers json`. */
export async function bfdStates(container: string): Promise<{ peer: string; status: string }[]> {
  const result = await execIn(container, ["vtysh", "-c", "show bfd peers json"], 10_000);
  try {
    const peers = JSON.parse(result.stdout);
    return Array.isArray(peers) ? peers.map((p: any) => ({ peer: String(p.peer), status: String(p.status) })) : [];
  } catch {
    return [];
  }
}

/**
 * One BFD session as bfdd shows it (its status and its own diagnostic: "control detection time
 * expired" when the peer fell silent), or undefined when bfdd has no session with `address`.
 * Throws when vtysh fails, so a broken probe never reads as a session's state.
 */
export async function bfdPeer(container: string, address: string): Promise<{ status: string; diagnostic: string } | undefined> {
  const result = await execIn(container, ["vtysh", "-c", "show bfd peers json"], 10_000);
  if (result.code !== 0) throw new Error(`${container}: show bfd peers (exit ${result.code}): ${result.stderr}${result.stdout}`);
  const peer = (JSON.parse(result.stdout) as { peer: string; status: string; diagnostic: string }[]).find((p) => p.peer === address);
  return peer && { status: peer.status, diagnostic: peer.diagnostic };
}

/** The prefixes among `prefixes` the container's kernel holds no route for. */
export async function missingRoutes(container: string, prefixes: string[], family: 4 | 6 = 4): Promise<string[]> {
  const result = await execIn(container, ["ip", `-${family}`, "route", "show"], 10_000);
  const held = new Set(result.stdout.split("\n").map((line) => line.trim().split(/\s+/)[0]));
  // A default route the routing learns (one a policy expects) is "default" in the kernel's words.
  if (held.has("default")) held.add(family === 6 ? "::/0" : "0.0.0.0/0");
  return prefixes.filter((prefix) => !held.has(prefix));
}

/** The AS path of the best BGP route to `prefix` ("65002 65001"), from `show bgp ipv4 unicast <prefix> json`. */
export async function bestAsPath(container: string, prefix: string): Promise<string | undefined> {
  const family = prefix.includes(":") ? "ipv6" : "ipv4";
  const result = await execIn(container, ["vtysh", "-c", `show bgp ${family} unicast ${prefix} json`], 10_000);
  try {
    const paths: any[] = JSON.parse(result.stdout).paths ?? [];
    const best = paths.find((p) => p.bestpath?.overall) ?? paths[0];
    return best?.aspath?.string;
  } catch {
    return undefined;
  }
}

/** What is not yet as the plan wants it on one router: adjacencies, sessions, BFD, routes. */
export async function routerPending(container: string, routing: NonNullable<LabPlan["nodes"][number]["routing"]>): Promise<string[]> {
  const pending: string[] = [];
  const ospfWanted = (routing.ospf?.interfaces ?? []).reduce((sum, iface) => sum + iface.neighbors.length, 0);
  if (ospfWanted > 0) {
    const up = (await ospfStates(container)).filter((state) => state.startsWith("Full") || state === "2-Way/DROther").length;
    if (up < ospfWanted) pending.push(`OSPF ${up}/${ospfWanted}`);
  }
  const isisWanted = (routing.isis?.interfaces ?? []).reduce((sum, iface) => sum + iface.neighbors.length, 0);
  if (isisWanted > 0) {
    const up = (await isisStates(container)).filter((state) => state === "Up").length;
    if (up < isisWanted) pending.push(`IS-IS ${up}/${isisWanted}`);
  }
  const ospf6Wanted = (routing.ospf?.interfaces ?? []).reduce((sum, iface) => sum + (iface.ipv6?.neighbors.length ?? 0), 0);
  if (ospf6Wanted > 0) {
    const up = (await ospf6States(container)).filter((state) => state === "Full").length;
    if (up < ospf6Wanted) pending.push(`OSPFv3 ${up}/${ospf6Wanted}`);
  }
  const sessions = routing.bgp?.neighbors.length ?? 0;
  if (sessions > 0) {
    const established = (await bgpPeers(container)).filter((peer) => peer.state === "Established").length;
    if (established < sessions) pending.push(`BGP ${established}/${sessions}`);
  }
  if (routing.bfdPeers.length > 0) {
    const up = (await bfdStates(container)).filter((peer) => peer.status === "up").length;
    if (up < routing.bfdPeers.length) pending.push(`BFD ${up}/${routing.bfdPeers.length}`);
  }
  const missing = [
    ...(await missingRoutes(container, routing.expectedPrefixes)),
    ...(routing.expectedPrefixes6 ? await missingRoutes(container, routing.expectedPrefixes6, 6) : []),
  ];
  if (missing.length > 0) pending.push(`no route to ${missing.join(", ")}`);
  return pending;
}

/** Every router of the plan and what it still lacks (empty when the lab has converged). */
export async function labPending(plan: LabPlan): Promise<Record<string, string[]>> {
  const routers = plan.nodes.filter((node) => node.routing);
  const pending = await Promise.all(routers.map((node) => routerPending(node.containerName, node.routing!)));
  return Object.fromEntries(routers.map((node, i) => [node.name, pending[i]]).filter(([, what]) => what.length > 0));
}

/** Waits until every router has converged as its plan says; the time it took, or undefined with what was left. */
export async function waitForConvergence(plan: LabPlan, timeoutMs: number): Promise<{ ms?: number; pending: Record<string, string[]> }> {
  const started = Date.now();
  let pending: Record<string, string[]> = {};
  const done = await waitFor(
    async () => {
      pending = await labPending(plan);
      return Object.keys(pending).length === 0;
    },
    { timeoutMs, intervalMs: 100 },
  );
  return { ms: done ? Date.now() - started : undefined, pending };
}

/** When the earliest of the containers started (ms since the epoch), as Docker recorded it. */
export async function firstStartedAt(containers: string[]): Promise<number> {
  const result = await run("docker", ["inspect", "--format", "{{.State.StartedAt}}", ...containers], { timeoutMs: 30_000 });
  return Math.min(
    ...result.stdout
      .split("\n")
      .filter(Boolean)
      .map((stamp) => Date.parse(stamp)),
  );
}

/** Memory in use per container, MiB, from one `docker stats --no-stream`. */
export async function memoryMiB(containers: string[]): Promise<Record<string, number>> {
  const result = await run("docker", ["stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", ...containers], { timeoutMs: 60_000 });
  const units: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, kB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 };
  return Object.fromEntries(
    result.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [name, used] = line.split(/\s+/);
        const match = /^([\d.]+)([A-Za-z]+)$/.exec(used);
        return [name, match ? Number(match[1]) * (units[match[2]] ?? NaN) : NaN];
      }),
  );
}

/** The name of the interface holding `address` in `container`. */
export async function interfaceHolding(container: string, address: string): Promise<string> {
  const listed = await execIn(container, ["ip", "-o", "-4", "addr", "show"]);
  const ifname = listed.stdout
    .split("\n")
    .find((line) => line.includes(` ${address}/`))
    ?.split(/\s+/)[1];
  if (!ifname) throw new Error(`${container}: no interface holds ${address}`);
  return ifname;
}

/**
 * The name of the interface the node's init found for `segment` (its /run/netlabs/interfaces:
 * `segment ifname address`): also on an unnumbered link, whose Docker address the init removed.
 */
export async function interfaceOf(container: string, segment: string): Promise<string> {
  const listed = await execIn(container, ["cat", "/run/netlabs/interfaces"]);
  const ifname = listed.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .find((words) => words[0] === segment)?.[1];
  if (!ifname) throw new Error(`${container}: the init found no interface for segment ${segment}`);
  return ifname;
}

/**
 * Takes a router's side of a link down (`ip link set down` on the interface holding `address`):
 * a one-sided cut, the far router's interface stays up; the router itself sees the loss at once
 * and announces it (its new LSA), so its neighbours learn it without waiting for BFD.
 * Not `docker network disconnect`: once OSPF has learned the link's subnet by another path, Docker
 * 28 refuses to connect the interface again ("conflicts with existing route").
 */
export async function cutLink(container: string, address: string, segment?: string): Promise<{ restore: () => Promise<void> }> {
  const ifname = segment === undefined ? await interfaceHolding(container, address) : await interfaceOf(container, segment);
  const set = async (state: "up" | "down") => {
    const result = await execIn(container, ["ip", "link", "set", "dev", ifname, state]);
    if (result.code !== 0) throw new Error(`${container}: ip link set ${ifname} ${state}: ${result.stderr}`);
  };
  await set("down");
  return { restore: () => set("up") };
}

/**
 * A silent failure of the link holding `address` in `container`: the interface stays up and its
 * packets vanish (iptables drops all it receives, sends and forwards there), so the router cannot
 * announce the loss; its neighbours notice only by BFD or the OSPF dead interval. The four rules
 * land in one iptables-restore transaction: one by one, BFD stopped hearing the peer a few hundred
 * ms before forwarding stopped, which hid most of the detection time from the measured outage.
 * Returns how to undo it.
 */
export async function silenceLink(container: string, address: string): Promise<{ restore: () => Promise<void> }> {
  const ifname = await interfaceHolding(container, address);
  // Packets the router forwards cross FORWARD, not INPUT or OUTPUT.
  const rules = (action: "-I" | "-D") =>
    [
      "*filter",
      `${action} INPUT -i ${ifname} -j DROP`,
      `${action} OUTPUT -o ${ifname} -j DROP`,
      `${action} FORWARD -i ${ifname} -j DROP`,
      `${action} FORWARD -o ${ifname} -j DROP`,
      "COMMIT",
      "",
    ].join("\n");
  const apply = async (action: "-I" | "-D") => {
    const result = await execIn(container, ["sh", "-c", `printf '%s' "$1" | iptables-restore -w 5 --noflush`, "sh", rules(action)]);
    if (result.code !== 0) throw new Error(`${container}: iptables-restore ${action} on ${ifname}: ${result.stderr}`);
  };
  await apply("-I");
  return { restore: () => apply("-D") };
}
