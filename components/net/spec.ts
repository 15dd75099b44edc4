/**
 * A lab's shape as a user writes it: segments, nodes, routes, published ports and checks, as plain
 * data (no unions, literal types or functions) that Pulumi's component analyzer can read. Where a
 * field takes one of a few strings, the schema of topology.ts checks it and names the field and
 * the value; the schema also takes the shorthands stack config may hold (`image: { ref }`).
 */
import type * as pulumi from "@pulumi/pulumi";

/** A Docker network of the lab. */
export interface SegmentSpec {
  /** Lowercase letters, digits and dashes, starting with a letter; the network is `<prefix><lab>-<name>`. */
  name: string;
  /**
   * Its IPv4 subnet, e.g. "10.70.0.0/24"; also on a segment with `ipv6` (IPv6-only segments are
   * refused: Docker would give the network an IPv4 subnet of its own pools, README, IPv6).
   */
  subnet: string;
  /**
   * Its IPv6 prefix, /64 to /127, e.g. "2001:db8:1::/64": Docker's network gets IPv6, with Docker's
   * own gateway on the prefix's last address, and every interface on it needs its `ipv6`.
   */
  ipv6?: string;
  /** "bridge" (default) or "macvlan" (on the host interface `parent`). */
  driver?: string;
  /** An internal network has no route out through the host (default true). */
  internal?: boolean;
  /** Docker's own gateway address; defaults to the last usable address so that .1 stays free. */
  gateway?: string;
  /** Host interface a macvlan segment sits on. */
  parent?: string;
  /** Stretch this bridge segment to another host (each host's stack holds its own half). */
  vxlan?: VxlanSpec;
  /**
   * An unnumbered point-to-point link (RoutedLab's routing): exactly two routers, each with a
   * loopback, whose interfaces borrow it (`<loopback>/32 peer <the other's loopback>`). Docker still
   * needs the subnet and gives each end an address there, by which the node finds the interface;
   * the node removes it before its routing starts.
   */
  unnumbered?: boolean;
  /**
   * The MTU of every interface on it, 1280 to 9000 (Docker's network MTU on a bridge; set by each
   * node's init on a macvlan). A stretched segment's is its `vxlan.mtu`.
   */
  mtu?: number;
  /** What every node sends on this segment suffers, unless its interface has an impairment of its own. */
  impairment?: ImpairmentSpec;
}

/**
 * Impairment of what a node sends on an interface, applied with the kernel's traffic control in the
 * node's network namespace (netem for delay, jitter and loss, tbf for the rate); any subset.
 * Changing it changes the running lab in place; removing it restores the interface.
 */
export interface ImpairmentSpec {
  /** Added delay, 0 to 60000 ms (netem). */
  delayMs?: number;
  /** Delay variation, 0 to 60000 ms, with delayMs only (netem). */
  jitterMs?: number;
  /** Packets dropped at random, 0 to 100 % (netem). */
  lossPercent?: number;
  /** Rate limit, 0.01 to 100000 Mbit/s (tbf). */
  rateMbit?: number;
}

/** A segment stretched to another Docker host through a VXLAN tunnel between the two hosts. */
export interface VxlanSpec {
  /** VXLAN network identifier, 1 to 16777215; the same at both ends. */
  id: number;
  /** The other host's underlay address. */
  remote: string;
  /** This host's underlay address to send from; the kernel chooses when it is omitted. */
  local?: string;
  /** The underlay interface on this host (optional). */
  device?: string;
  /** UDP port of the tunnel at both ends (IANA's 4789 unless told). */
  port?: number;
  /** MTU of the segment, 1280 to 9000: the underlay's less the 50 bytes VXLAN adds (default 1450). */
  mtu?: number;
}

/** A node's address on one segment. */
export interface InterfaceSpec {
  /** The segment's name. */
  segment: string;
  /** The node's IPv4 address there, inside the segment's subnet. */
  address: string;
  /** The node's IPv6 address there, inside the segment's `ipv6` prefix (required on such a segment). */
  ipv6?: string;
  /** Extra DNS names of the node on this segment. */
  aliases?: string[];
  /** Its MAC address, e.g. "02:00:00:00:01:01": unicast, and locally administered unless universalMac is set. */
  mac?: string;
  /** Lets `mac` be a universally administered (vendor) address. */
  universalMac?: boolean;
  /** Its MTU, 1280 to 9000 (the segment's unless told). */
  mtu?: number;
  /** What the node sends here suffers (the segment's impairment unless told). */
  impairment?: ImpairmentSpec;
}

/** A static route of a node. */
export interface RouteSpec {
  /** An IPv4 or IPv6 CIDR, "default" (IPv4's) or "default6" (IPv6's, also written ::/0). */
  to: string;
  /** The next hop, of the destination's family: an address on one of the node's segments (on-link). */
  via: string;
}

/** A port of a node published on the host. */
export interface PublishSpec {
  /** The node's port, 1 to 65535. */
  containerPort: number;
  /** The host's port, 1 to 65535. */
  hostPort: number;
  /** "tcp" (default) or "udp". */
  protocol?: string;
  /** The host address to listen on (default 127.0.0.1; 0.0.0.0 is every address). */
  hostAddress?: string;
}

/** A node of a lab: a container with one address per segment. */
export interface TopologyNodeSpec {
  /** Lowercase letters, digits and dashes, starting with a letter; the container is `<prefix><lab>-<name>`. */
  name: string;
  /** A lab image, built from images/ on the host: "router", "web", "client" or "dhcp-server". Give this or imageRef. */
  image?: string;
  /** An image of yours instead of a lab image (e.g. "nginx:1.27"), pulled if absent. Give this or image. */
  imageRef?: string;
  /** Its addresses, one per segment it is on (at least one). */
  interfaces: InterfaceSpec[];
  /** Static routes, each via an address on one of its segments. */
  routes?: RouteSpec[];
  /** Forwards packets between its interfaces. */
  router?: boolean;
  /** Shell commands run once every interface is up, in order, before the main process. */
  commands?: string[];
  /**
   * How long each of `commands` may run, 1 to 3600 s (default 60), before the node stops it and
   * gives up, naming it (a hung command would otherwise hold the node unready for ever). Keep it
   * below the lab's readiness wait.
   */
  commandTimeoutSeconds?: number;
  /** The main process; defaults to the lab image's own, or an idle wait for other images. */
  command?: string[];
  /** Ports published on the host. */
  publish?: PublishSpec[];
  /**
   * Files written into the container before it starts: absolute path to content. Paths are
   * normalised (`//`, `.` and `..` resolved) before they are checked; none under /netlabs or /run/netlabs.
   */
  files?: Record<string, string>;
  /** Environment variables; values may be Pulumi secrets and stay secret. */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Names the node resolves outside Docker's DNS, name to IPv4 address: Docker's DNS knows only the
   * containers of its own host, so this is how a node names the far half of a stretched segment.
   */
  hosts?: Record<string, string>;
  /**
   * Capabilities beyond what the node's role needs (NET_ADMIN is added for routes and routers):
   * Linux capabilities by name; `ALL` and those that reach the host (net/capabilities.ts) only
   * with allowHostReachingCapabilities.
   */
  capabilities?: string[];
  /** Lets `capabilities` name ALL and the capabilities that reach the host (SYS_ADMIN, SYS_MODULE, ...). */
  allowHostReachingCapabilities?: boolean;
  /** CPUs the node may use, e.g. 0.5 (Docker's --cpus); at most the host's cores. The lab's nodeDefaults unless told. */
  cpus?: number;
  /** Memory the node may use, in MiB (no swap beyond it); at least what its kind needs. The lab's nodeDefaults unless told. */
  memoryMiB?: number;
}

/** Resources every node of a lab gets unless it says otherwise. */
export interface NodeDefaultsSpec {
  /** CPUs each node may use, e.g. 0.5. */
  cpus?: number;
  /** Memory each node may use, MiB. */
  memoryMiB?: number;
}

/**
 * What the lab is for, checked by its probe once it is up: a node reaches an address (ping) or
 * fetches a URL; exactly one of `reach` and `fetch`.
 */
export interface CheckSpec {
  /** The node the check runs in. */
  from: string;
  /** An IPv4 or IPv6 address the node pings. */
  reach?: string;
  /** An http:// or https:// URL the node fetches (an IPv6 host in brackets: http://[2001:db8:3::10]/). */
  fetch?: string;
  /** Text the fetched answer must contain (fetch checks only). */
  expect?: string;
}
