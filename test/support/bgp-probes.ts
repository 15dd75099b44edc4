/**
 * Probes for the BGP triangle, shared by test/e2e and the benchmark: session states from FRR, the
 * next hop a router uses, and outage measurement with a fast ping loop run inside HOST.
 */
import { execIn, run, waitFor } from "./docker-cli";

export interface PeerState {
  peer: string;
  state: string;
}

/** The router's BGP peers and their states, from `show bgp summary json`: IPv4 unicast's, then IPv6 unicast's. */
export async function bgpPeers(container: string): Promise<PeerState[]> {
  const result = await execIn(container, ["vtysh", "-c", "show bgp summary json"], 10_000);
  if (result.code !== 0) return [];
  try {
    const summary = JSON.parse(result.stdout);
    const peers = { ...(summary.ipv4Unicast?.peers ?? {}), ...(summary.ipv6Unicast?.peers ?? {}) };
    return Object.entries(peers).map(([peer, data]: [string, any]) => ({ peer, state: data.state }));
  } catch {
    return [];
  }
}

/** How a router's session with `address` stands and why it last went down; throws when vtysh fails. */
export async function bgpNeighbor(
  container: string,
  address: string,
): Promise<{ state: string; lastResetDueTo?: string; lastNotificationReason?: string }> {
  const result = await execIn(container, ["vtysh", "-c", `show bgp neighbors ${address} json`], 10_000);
  if (result.code !== 0)
    throw new Error(`${container}: show bgp neighbors ${address} (exit ${result.code}): ${result.stderr}${result.stdout}`);
  const neighbor = JSON.parse(result.stdout)[address];
  if (!neighbor) throw new Error(`${container}: no BGP neighbor ${address} in ${result.stdout.slice(0, 200)}`);
  return { state: neighbor.bgpState, lastResetDueTo: neighbor.lastResetDueTo, lastNotificationReason: neighbor.lastNotificationReason };
}

/** Waits until every router has `perRouter` Established sessions; returns the wait in ms or undefined. */
export async function waitForEstablished(routers: string[], perRouter: number, timeoutMs: number): Promise<number | undefined> {
  const started = Date.now();
  const ok = await waitFor(
    async () => {
      const states = await Promise.all(routers.map(bgpPeers));
      return states.every((peers) => peers.filter((p) => p.state === "Established").length === perRouter);
    },
    { timeoutMs, intervalMs: 100 },
  );
  return ok ? Date.now() - started : undefined;
}

/** The next hop a container's kernel uses towards `address` ("direct" when on-link). */
export async function nextHop(container: string, address: string): Promise<string | undefined> {
  const result = await execIn(container, ["ip", "-4", "route", "get", address], 5_000);
  if (result.code !== 0) return undefined;
  return /\bvia (\S+)/.exec(result.stdout)?.[1] ?? "direct";
}

/** Hops of a traceroute from `container` to `address`, as addresses. */
export async function traceHops(container: string, address: string): Promise<string[]> {
  const trace = await execIn(container, ["traceroute", "-n", "-w", "1", "-q", "1", "-m", "5", address], 20_000);
  return trace.stdout
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => line.trim().split(/\s+/)[1]);
}

export interface OutageMeasurement {
  /** Longest time without a reply, minus the probe interval: how long the path was down. */
  outageMs: number;
  sent: number;
  received: number;
  /** When the longest silence began, in ms after `disturb` was called (negative: before it). */
  silenceBeganMs: number;
}

/**
 * Pings `target` from `container` every `intervalMs` for `seconds`, runs `disturb` after
 * `disturbAfterMs`, and reports the longest silence. Bounded by ping's own deadline.
 */
export async function measureOutage(
  container: string,
  target: string,
  disturb: () => Promise<unknown>,
  { seconds = 12, intervalMs = 20, disturbAfterMs = 1500 } = {},
): Promise<OutageMeasurement> {
  // A count rather than -w: with a deadline, iputils ping stops at the first ICMP error.
  const count = Math.round((seconds * 1000) / intervalMs);
  const pinging = run(
    "docker",
    ["exec", container, "ping", "-D", "-n", "-i", String(intervalMs / 1000), "-W", "1", "-c", String(count), target],
    { timeoutMs: (seconds + 15) * 1000 },
  );
  await new Promise((resolve) => setTimeout(resolve, disturbAfterMs));
  const disturbedAt = Date.now();
  await disturb();
  const result = await pinging;
  const stamps = result.stdout
    .split("\n")
    .filter((line) => line.includes("bytes from"))
    .map((line) => Number(/^\[(\d+\.\d+)\]/.exec(line)?.[1]) * 1000);
  const transmitted = /(\d+) packets transmitted, (\d+) received/.exec(result.stdout);
  if (stamps.length === 0) return { outageMs: seconds * 1000, sent: Number(transmitted?.[1] ?? 0), received: 0, silenceBeganMs: 0 };
  let longest = 0;
  let began = stamps[0];
  for (let i = 1; i < stamps.length; i++) {
    if (stamps[i] - stamps[i - 1] > longest) [longest, began] = [stamps[i] - stamps[i - 1], stamps[i - 1]];
  }
  // A path that never came back is silent until ping's deadline: count that silence too.
  const tail = stamps[0] + seconds * 1000 - stamps[stamps.length - 1];
  if (tail > longest) [longest, began] = [tail, stamps[stamps.length - 1]];
  return {
    outageMs: Math.max(0, Math.round(longest - intervalMs)),
    sent: Number(transmitted?.[1] ?? 0),
    received: Number(transmitted?.[2] ?? 0),
    silenceBeganMs: Math.round(began - disturbedAt),
  };
}
