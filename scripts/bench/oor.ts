/**
 * The LISP overlay's figures (issue 12), on oor-2xtrs-1msmr with the real OpenOverlayRouter
 * (images/oor), deployed through the real-Docker mocks (the test double), not the pulumi CLI:
 * - time from `up` start to the first packet across the overlay;
 * - first-packet delay of a new flow: pings every 50 ms from the moment the MS has both sites,
 *   the first answered one tells how long the mapping took (Map-Request, Map-Reply);
 * - steady round trip across the overlay, against the same path without LISP (a RoutedLab with the
 *   same bridges and hops: host, router, transit, router, host, static routes);
 * - HTTP throughput across each (64 MiB with curl; the images carry no iperf3).
 */
import { RoutedLab } from "../../components/routed-lab";
import { OOR_LAB } from "../../components/oor";
import { execIn, waitFor } from "../../test/support/docker-cli";
import { TEST_LABEL, deployProgram, deployStack, newTestRun, sweep, waitForNodes } from "../../test/support/lab-harness";

const LAB = "oor-2xtrs-1msmr";

export interface OorBench {
  upToFirstPacketMs: number[];
  firstPacketDelayMs: number[];
  overlayRttMs: number;
  nativeRttMs: number;
  overlayMbitPerSecond: number;
  nativeMbitPerSecond: number;
}

/** Average round trip of 50 pings 20 ms apart, in ms. */
async function rttMs(container: string, address: string): Promise<number> {
  const result = await execIn(container, ["ping", "-q", "-c", "50", "-i", "0.02", "-W", "2", address], 30_000);
  const average = result.stdout.match(/= [\d.]+\/([\d.]+)\//)?.[1];
  if (result.code !== 0 || !average) throw new Error(`ping ${address} from ${container}: ${result.stdout}${result.stderr}`);
  return Number(average);
}

/** 64 MiB over HTTP from `server` (busybox httpd on /srv/www) to `client`, in Mbit/s. */
async function httpMbitPerSecond(client: string, server: string, address: string): Promise<number> {
  await execIn(server, ["dd", "if=/dev/zero", "of=/srv/www/64m", "bs=1M", "count=64"], 30_000);
  const speed = await execIn(
    client,
    ["curl", "-s", "-o", "/dev/null", "--max-time", "60", "-w", "%{speed_download}", `http://${address}/64m`],
    70_000,
  );
  return (Number(speed.stdout) * 8) / 1e6;
}

/**
 * From `startedAt`: waits until the MS has both sites, then pings every 50 ms (for at most 10 s)
 * until one is answered. Returns up-to-first-packet and the first-packet delay of the new flow.
 */
async function firstPacket(ms: string, from: string, to: string, startedAt: number): Promise<{ upMs: number; delayMs: number }> {
  const registered = await waitFor(
    async () => {
      for (const site of OOR_LAB.sites) {
        if ((await execIn(ms, ["test", "-s", `/run/oor/registered/${site.eidSubnet.replace("/", "_")}`])).code !== 0) return false;
      }
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  if (!registered) throw new Error("the MS did not have both sites registered within 60 s");
  const pingStart = Date.now();
  const burst = await execIn(from, ["ping", "-c", "200", "-i", "0.05", "-W", "1", "-w", "10", "-D", to], 20_000);
  const replies = [...burst.stdout.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]) * 1000);
  if (replies.length === 0) throw new Error(`no reply from ${to} within 10 s`);
  // Ping's own clock: its first request left about when it was started.
  const firstReply = replies[0];
  return { upMs: firstReply - startedAt, delayMs: firstReply - pingStart };
}

export async function benchOor(runs: number): Promise<OorBench> {
  // Warm-up: the images (oor, client, router) are built once, outside every figure.
  const warm = newTestRun();
  const warmed = await deployStack(warm, { labs: [LAB], oorMapServerKey: "netlabs-bench-key", probes: false });
  await warmed.mocks.destroyAll();
  await sweep(warm);

  const out: OorBench = {
    upToFirstPacketMs: [],
    firstPacketDelayMs: [],
    overlayRttMs: NaN,
    nativeRttMs: NaN,
    overlayMbitPerSecond: NaN,
    nativeMbitPerSecond: NaN,
  };
  for (let i = 0; i < runs; i++) {
    const testRun = newTestRun();
    try {
      const lab = await deployStack(testRun, { labs: [LAB], oorMapServerKey: "netlabs-bench-key", probes: false });
      const nodes = lab.outputs.labs[LAB].nodes;
      const a = nodes["site-a-sandbox-1"];
      const b = nodes["site-b-sandbox-1"];
      const first = await firstPacket(nodes.msmr.container, a.container, b.addresses["site-b-eid"], lab.startedAt);
      out.upToFirstPacketMs.push(first.upMs);
      out.firstPacketDelayMs.push(first.delayMs);
      if (i === 0) {
        out.overlayRttMs = await rttMs(a.container, b.addresses["site-b-eid"]);
        out.overlayMbitPerSecond = await httpMbitPerSecond(a.container, b.container, b.addresses["site-b-eid"]);
      }
      await lab.mocks.destroyAll();
    } finally {
      await sweep(testRun);
    }
  }

  // The same path without LISP: host, router, transit, router, host; static routes.
  const nativeRun = newTestRun();
  try {
    const native = await deployProgram(
      () =>
        new RoutedLab("native", {
          namePrefix: nativeRun.prefix,
          labels: { [TEST_LABEL]: nativeRun.id },
          spec: {
            segments: [
              { name: "lan-a", subnet: "10.245.1.0/24" },
              { name: "transit", subnet: "10.245.0.0/24" },
              { name: "lan-b", subnet: "10.245.2.0/24" },
            ],
            nodes: [
              {
                name: "ra",
                image: "router",
                router: true,
                interfaces: [
                  { segment: "lan-a", address: "10.245.1.1" },
                  { segment: "transit", address: "10.245.0.11" },
                ],
                routes: [{ to: "10.245.2.0/24", via: "10.245.0.12" }],
              },
              {
                name: "rb",
                image: "router",
                router: true,
                interfaces: [
                  { segment: "lan-b", address: "10.245.2.1" },
                  { segment: "transit", address: "10.245.0.12" },
                ],
                routes: [{ to: "10.245.1.0/24", via: "10.245.0.11" }],
              },
              {
                name: "ha",
                image: "client",
                interfaces: [{ segment: "lan-a", address: "10.245.1.10" }],
                routes: [{ to: "default", via: "10.245.1.1" }],
              },
              {
                name: "hb",
                image: "client",
                interfaces: [{ segment: "lan-b", address: "10.245.2.10" }],
                routes: [{ to: "default", via: "10.245.2.1" }],
                files: { "/srv/www/index.html": "hb\n" },
                commands: ["busybox httpd -p 80 -h /srv/www"],
              },
            ],
          },
        }),
    );
    await waitForNodes(Object.values(native.outputs.nodes).map((n) => n.container));
    const ha = native.outputs.nodes.ha.container;
    out.nativeRttMs = await rttMs(ha, "10.245.2.10");
    out.nativeMbitPerSecond = await httpMbitPerSecond(ha, native.outputs.nodes.hb.container, "10.245.2.10");
    await native.mocks.destroyAll();
  } finally {
    await sweep(nativeRun);
  }
  return out;
}
