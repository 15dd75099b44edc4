/**
 * IPv4 address maths for lab plans. Pure functions over plain strings; CIDR parsing and
 * range checks come from ipaddr.js so that edge cases (octets, prefix bounds) are not ours to get wrong.
 */
import * as ipaddr from "ipaddr.js";

export interface Ipv4Subnet {
  /** The network address, e.g. "10.0.1.0". */
  network: string;
  prefixLength: number;
  /** Canonical CIDR text, e.g. "10.0.1.0/24". */
  cidr: string;
}

function toInt(address: ipaddr.IPv4): number {
  return address.toByteArray().reduce((acc, octet) => acc * 256 + octet, 0);
}

function fromInt(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** True when `text` is a dotted-quad IPv4 address (no prefix). */
export function isIpv4Address(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/**
 * Parses "a.b.c.d/n" where a.b.c.d is the network address itself.
 * Returns an error text (not an exception) so validators can name the field.
 */
export function parseSubnet(text: string): Ipv4Subnet | string {
  const [addressText, prefixText, ...rest] = text.split("/");
  if (rest.length > 0 || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) {
    return "is not an IPv4 CIDR such as 10.0.1.0/24";
  }
  if (!isIpv4Address(addressText)) return "is not an IPv4 CIDR such as 10.0.1.0/24";
  const prefixLength = Number(prefixText);
  if (prefixLength < 8 || prefixLength > 30) return "needs a prefix length between /8 and /30";
  const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();
  if (network !== addressText) return `is not a network address (did you mean ${network}/${prefixLength}?)`;
  return { network, prefixLength, cidr: `${network}/${prefixLength}` };
}

/** First and last address of a subnet, as 32-bit integers. */
export function bounds(subnet: Ipv4Subnet): [number, number] {
  const first = toInt(ipaddr.IPv4.parse(subnet.network));
  return [first, first + 2 ** (32 - subnet.prefixLength) - 1];
}

/** True when `address` lies inside `subnet`, network and broadcast addresses included. */
export function subnetContains(subnet: Ipv4Subnet, address: string): boolean {
  return ipaddr.IPv4.parse(address).match(ipaddr.IPv4.parse(subnet.network), subnet.prefixLength);
}

/** True when `address` is a host address of `subnet` (neither its network nor broadcast address). */
export function isUsableHost(subnet: Ipv4Subnet, address: string): boolean {
  const [first, last] = bounds(subnet);
  const value = toInt(ipaddr.IPv4.parse(address));
  return value > first && value < last;
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  const [aFirst, aLast] = bounds(a);
  const [bFirst, bLast] = bounds(b);
  return aFirst <= bLast && bFirst <= aLast;
}

/** The n-th host address (1-based) of a subnet: hostAddress(10.0.1.0/24, 1) = 10.0.1.1. */
export function hostAddress(subnet: Ipv4Subnet, n: number): string {
  const [first, last] = bounds(subnet);
  const value = first + n;
  if (n < 1 || value >= last) throw new Error(`host ${n} is outside ${subnet.cidr}`);
  return fromInt(value);
}

/** The highest usable address, where labs put Docker's own gateway so that .1 stays free for routers. */
export function lastUsableAddress(subnet: Ipv4Subnet): string {
  return fromInt(bounds(subnet)[1] - 1);
}

/** The highest block of `prefixLength` inside `subnet`, as CIDR: topBlock(10.0.0.0/24, 28) = 10.0.0.240/28. */
export function topBlock(subnet: Ipv4Subnet, prefixLength: number): string {
  if (prefixLength < subnet.prefixLength) throw new Error(`/${prefixLength} is larger than ${subnet.cidr}`);
  const [, last] = bounds(subnet);
  return `${fromInt(last - 2 ** (32 - prefixLength) + 1)}/${prefixLength}`;
}
