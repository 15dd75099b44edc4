/**
 * LISP data packets as seen on an xTR's RLOC side: tcpdump (from the router image) in the xTR's
 * network namespace, its hex dump decoded here (outer IPv4, UDP, the 8-byte LISP header, inner IPv4).
 */
import { DockerTarget, execIn, run } from "./docker-cli";

export interface LispDataPacket {
  outerSrc: string;
  outerDst: string;
  dstPort: number;
  innerSrc: string;
  innerDst: string;
  /** IP protocol of the inner packet (1 ICMP, 6 TCP). */
  innerProtocol: number;
}

const ipv4At = (bytes: number[], offset: number) => bytes.slice(offset, offset + 4).join(".");

/** Decodes `tcpdump -x` output (IPv4 onwards) into LISP data packets; other packets are skipped. */
export function decodeLispData(dump: string): LispDataPacket[] {
  const packets: number[][] = [];
  for (const line of dump.split("\n")) {
    const hex = /^\s+0x[0-9a-f]{4}:\s+((?:[0-9a-f]{4}\s?)+)/.exec(line);
    if (hex) {
      const bytes = hex[1]
        .replace(/\s/g, "")
        .match(/../g)!
        .map((b) => parseInt(b, 16));
      if (/^\s+0x0000:/.test(line)) packets.push([]);
      packets.at(-1)?.push(...bytes);
    }
  }
  return packets.flatMap((bytes) => {
    if (bytes[0] >> 4 !== 4 || bytes[9] !== 17) return [];
    const udp = (bytes[0] & 0x0f) * 4;
    const dstPort = (bytes[udp + 2] << 8) | bytes[udp + 3];
    if (dstPort !== 4341) return [];
    const inner = udp + 8 + 8;
    if (bytes.length < inner + 20 || bytes[inner] >> 4 !== 4) return [];
    return [
      {
        outerSrc: ipv4At(bytes, 12),
        outerDst: ipv4At(bytes, 16),
        dstPort,
        innerSrc: ipv4At(bytes, inner + 12),
        innerDst: ipv4At(bytes, inner + 16),
        innerProtocol: bytes[inner + 9],
      },
    ];
  });
}

/**
 * Captures up to `count` UDP packets in `container`'s network namespace, for at most `seconds`,
 * and returns the LISP data packets (UDP 4341) among them; the capture container is labelled and
 * removed. The filter is plain "udp": on the "any" device (Linux cooked v2) tcpdump 4.99's
 * "udp dst port 4341" matched nothing here while "udp" matched the same packets (measured).
 */
export async function captureLispData(
  container: string,
  routerImage: string,
  { count, seconds = 15, label, target }: { count: number; seconds?: number; label: string; target?: DockerTarget },
): Promise<LispDataPacket[]> {
  const result = await run(
    "docker",
    [
      ...(target ? ["-H", target.host] : []),
      "run",
      "--rm",
      "--label",
      label,
      "--network",
      `container:${container}`,
      "--cap-add",
      "NET_RAW",
      "--cap-add",
      "NET_ADMIN",
      routerImage,
      "timeout",
      String(seconds),
      "tcpdump",
      "-i",
      "any",
      "-nn",
      "-x",
      "-c",
      String(count),
      "udp",
    ],
    { timeoutMs: (seconds + 20) * 1000 },
  );
  return decodeLispData(result.stdout);
}

/** One ping that may take `tries` attempts (a new flow's first packets wait for the mapping). */
export async function pingOnce(container: string, address: string, tries: number): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if ((await execIn(container, ["ping", "-c", "1", "-W", "2", address])).code === 0) return true;
  }
  return false;
}
