/**
 * IPv6 address maths for lab plans, beside addressing.ts's IPv4. Pure functions over plain strings;
 * parsing comes from ipaddr.js. Addresses are kept in their RFC 5952 text (lowercase, zeros
 * compressed): the form `ip -6 addr` prints, which a node's init looks for, and the one under which
 * two spellings of one address are the same.
 */
import * as ipaddr from "ipaddr.js";

export interface Ipv6Prefix {
  /** The network address in RFC 5952 text, e.g. "2001:db8:1::". */
  network: string;
  prefixLength: number;
  /** Canonical CIDR text, e.g. "2001:db8:1::/64". */
  cidr: string;
}

/** The prefix lengths a segment may have: /64 (SLAAC's, the usual LAN) down to /127 (a point-to-point link, RFC 6164). */
export const SEGMENT_PREFIX_LENGTHS = { min: 64, max: 127 } as const;

/** Kinds of address no segment or loopback may use: ipaddr.js's range to its name in messages. */
const NOT_FOR_A_SEGMENT: ReadonlyMap<string, string> = new Map([
  ["unspecified", "unspecified"],
  ["linkLocal", "link-local"],
  ["multicast", "multicast"],
  ["loopback", "loopback"],
  ["ipv4Mapped", "IPv4-mapped"],
]);

/** True when `text` is a plain IPv6 address: no prefix, no zone (`%eth0`), no dotted IPv4 tail. */
export function isIpv6Address(text: string): boolean {
  return !/[%.]/.test(text) && ipaddr.IPv6.isValid(text);
}

/** An IPv6 address in RFC 5952 text; `text` must be one (isIpv6Address). */
export function canonicalIpv6(text: string): string {
  return ipaddr.IPv6.parse(text).toRFC5952String();
}

function toBigInt(address: string): bigint {
  return ipaddr.IPv6.parse(address)
    .toByteArray()
    .reduce((acc, byte) => acc * 256n + BigInt(byte), 0n);
}

function fromBigInt(value: bigint): string {
  const bytes: number[] = [];
  for (let shift = 120n; shift >= 0n; shift -= 8n) bytes.push(Number((value >> shift) & 0xffn));
  return (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toRFC5952String();
}

/**
 * Parses "prefix/n" where prefix is the network address itself and n is within `lengths` (any
 * length, 0 to 128, unless told). Returns an error text (not an exception) so validators can name the field.
 */
export function parsePrefix6(text: string, lengths: { min: number; max: number } = { min: 0, max: 128 }): Ipv6Prefix | string {
  const [addressText, prefixText, ...rest] = text.split("/");
  const expected = "is not an IPv6 prefix such as 2001:db8:1::/64";
  if (rest.length > 0 || prefixText === undefined || !/^\d{1,3}$/.test(prefixText) || !isIpv6Address(addressText)) return expected;
  const prefixLength = Number(prefixText);
  if (prefixLength < lengths.min || prefixLength > lengths.max) return `needs a prefix length between /${lengths.min} and /${lengths.max}`;
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${addressText}/${prefixLength}`).toRFC5952String();
  if (network !== canonicalIpv6(addressText)) return `is not a network address (did you mean ${network}/${prefixLength}?)`;
  return { network, prefixLength, cidr: `${network}/${prefixLength}` };
}

/** A segment's prefix: /64 to /127 and of unicast addresses. */
export function parseSegmentPrefix6(text: string): Ipv6Prefix | string {
  const prefix = parsePrefix6(text, SEGMENT_PREFIX_LENGTHS);
  if (typeof prefix === "string") return prefix;
  const kind = specialKind6(prefix.network);
  if (kind) return `is a ${kind} prefix; a segment's is a unicast one (global, or unique local in fc00::/7)`;
  return prefix;
}

/** What kind of address `address` is when no node may hold it (link-local, multicast...), else undefined. */
export function specialKind6(address: string): string | undefined {
  return NOT_FOR_A_SEGMENT.get(ipaddr.IPv6.parse(address).range());
}

/** First and last address of a prefix, as 128-bit integers. */
export function bounds6(prefix: Ipv6Prefix): [bigint, bigint] {
  const first = toBigInt(prefix.network);
  return [first, first + 2n ** BigInt(128 - prefix.prefixLength) - 1n];
}

/** True when `address` lies inside `prefix`. */
export function prefixContains6(prefix: Ipv6Prefix, address: string): boolean {
  return ipaddr.IPv6.parse(address).match(ipaddr.IPv6.parse(prefix.network), prefix.prefixLength);
}

/**
 * True when `address` can be a node's on the segment of `prefix`: inside it, and not its first
 * address, the Subnet-Router anycast address (RFC 4291 2.6.1) a forwarding interface answers for;
 * on a /127 both addresses are usable (RFC 6164, and Linux adds no anycast address there).
 */
export function isUsableHost6(prefix: Ipv6Prefix, address: string): boolean {
  if (!prefixContains6(prefix, address)) return false;
  return prefix.prefixLength === 127 || toBigInt(address) !== bounds6(prefix)[0];
}

/** The prefix's last address, where labs put Docker's own IPv6 gateway, as they put the IPv4 one on the highest usable address. */
export function lastAddress6(prefix: Ipv6Prefix): string {
  return fromBigInt(bounds6(prefix)[1]);
}
