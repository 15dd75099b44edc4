/**
 * Bad configurations, table-driven (issue 13): every key of every composition and the arguments of
 * every lab component, each case rejected before anything is registered with the field's path (the
 * config key for a stack, the component field for a component) and the value it had; valid edge
 * cases accepted. Every stack case runs with an SSH key and, where its labs read one, a map-server
 * key set as secrets: neither may appear in the error, whatever else is wrong.
 */
import * as util from "node:util";
import { describe, expect, it } from "vitest";
import { BgpTriangle, BgpTriangleArgs } from "../../components/bgp";
import { DockerHost } from "../../components/host/docker-host";
import { LabConfigError } from "../../components/net/errors";
import { LispSite, LispSiteArgs, OorRouter, OorRouterArgs } from "../../components/oor";
import { RoutedLab, RoutedLabArgs } from "../../components/routed-lab";
import { StackOutputs, buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx4bXBsZUhvc3RLZXlGb3JUZXN0c09ubHkxMjM0NTY3";
const SSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
const MAP_KEY = "Zr4tLm9QwXy2-map";
/** A remote site with a valid key: every stack case carries these secrets. */
const REMOTE = { dockerHost: "ssh://lab@192.0.2.7", sshPrivateKey: SSH_KEY, sshHostKey: HOST_KEY };
const SECRET_KEYS = ["sshPrivateKey", "oorMapServerKey"];

const RLOC = { subnet: "198.51.100.0/24", address: "198.51.100.11" };
const LISP_SITE = {
  labs: ["lisp-site"],
  oorMapServerKey: MAP_KEY,
  oorRloc: RLOC,
  oorSite: { eidSubnet: "10.241.1.0/24" },
  oorMapServer: "198.51.100.2",
};
const LISP_MSMR = {
  labs: ["lisp-msmr"],
  oorMapServerKey: MAP_KEY,
  oorRloc: { ...RLOC, address: "198.51.100.2" },
  oorSites: ["10.241.1.0/24", "10.241.2.0/24"],
};
const OOR_LAB = { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: MAP_KEY };

const SEGMENT = { name: "lan", subnet: "10.70.0.0/24" };
const NODE = { name: "h1", image: "client", interfaces: [{ segment: "lan", address: "10.70.0.10" }] };
const ROUTER = { name: "r1", image: "router", router: true, interfaces: [{ segment: "lan", address: "10.70.0.1" }] };
/** A routed-lab stack whose lab is the given segments, nodes and checks (defaults: one LAN, one host). */
function lab(spec: { segments?: unknown[]; nodes?: unknown[]; checks?: unknown[] } = {}, more: Record<string, unknown> = {}) {
  return {
    labs: ["routed-lab"],
    routedLab: { segments: spec.segments ?? [SEGMENT], nodes: spec.nodes ?? [NODE], ...(spec.checks ? { checks: spec.checks } : {}) },
    ...more,
  };
}
/** NODE with changes. */
const node = (changes: Record<string, unknown>) => ({ ...NODE, ...changes });

type Category = "types" | "ranges" | "names" | "addresses" | "overlaps" | "references" | "cross-lab" | "secrets";

interface StackCase {
  category: Category;
  what: string;
  config: Record<string, unknown>;
  /** The config key of the issue, without namespace (or a full key for another namespace). */
  path: string;
  /** Text of the value the issue must show (undefined for a secret or a missing key). */
  value?: string;
  /** The issue is about a secret's value: it must say the value is not shown. */
  hidden?: boolean;
}

const c = (category: Category, what: string, config: Record<string, unknown>, path: string, value?: string): StackCase => ({
  category,
  what,
  config,
  path,
  value,
});
/** A secret's value is wrong: the issue names the key and says the value is not shown. */
const hidden = (what: string, config: Record<string, unknown>, path: string): StackCase => ({
  category: "secrets",
  what,
  config,
  path,
  hidden: true,
});

const STACK_CASES: StackCase[] = [
  // Types: a value of the wrong JSON type, for every key.
  c("types", "dockerHost a number", { dockerHost: 2375 }, "dockerHost", "2375"),
  c("types", "sshOpts a string", { sshOpts: "-v" }, "sshOpts", '"-v"'),
  c("types", "sshOpts with a number", { sshOpts: ["-p", 22] }, "sshOpts[1]", "22"),
  c("types", "labs a string", { labs: "routed-lan" }, "labs", '"routed-lan"'),
  c("types", "namePrefix a list", { namePrefix: ["lab-"] }, "namePrefix", '"["lab-"]"'),
  c("types", "publishAddress a number", { labs: ["networking-demo"], publishAddress: 127 }, "publishAddress", "127"),
  c("types", "demoHostPort a string", { labs: ["networking-demo"], demoHostPort: "http" }, "demoHostPort", '"http"'),
  c("types", "demoHostPort a fraction", { labs: ["networking-demo"], demoHostPort: 80.5 }, "demoHostPort", "80.5"),
  c("types", "internal a string", { internal: "maybe" }, "internal", '"maybe"'),
  c("types", "probes a number", { probes: 1 }, "probes", "1"),
  c("types", "failOnProbe a string", { failOnProbe: "no way" }, "failOnProbe", '"no way"'),
  c("types", "restartPolicy a boolean", { restartPolicy: true }, "restartPolicy", "true"),
  c("types", "labImages a number", { labImages: 1 }, "labImages", "1"),
  c("types", "oorImage a list", { ...OOR_LAB, oorImage: ["oor"] }, "oorImage", '"["oor"]"'),
  c("types", "oorRloc a string", { ...LISP_SITE, oorRloc: "198.51.100.0/24" }, "oorRloc", '"198.51.100.0/24"'),
  c("types", "oorRloc.subnet a number", { ...LISP_SITE, oorRloc: { ...RLOC, subnet: 24 } }, "oorRloc.subnet", "24"),
  c("types", "oorRloc with an unknown field", { ...LISP_SITE, oorRloc: { ...RLOC, mask: 24 } }, "oorRloc", '"mask"'),
  c(
    "types",
    "oorSite.sandboxes a string",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/24", sandboxes: "sb" } },
    "oorSite.sandboxes",
    '"sb"',
  ),
  c("types", "oorMapServer a number", { ...LISP_SITE, oorMapServer: 2 }, "oorMapServer", "2"),
  c("types", "oorSites a string", { ...LISP_MSMR, oorSites: "10.241.1.0/24" }, "oorSites", '"10.241.1.0/24"'),
  c("types", "oorRlocRoutes an object", { ...LISP_SITE, oorRlocRoutes: { to: "203.0.113.0/24" } }, "oorRlocRoutes", undefined),
  c("types", "oorRlocRoutes[0] without to", { ...LISP_SITE, oorRlocRoutes: [{ via: "198.51.100.1" }] }, "oorRlocRoutes[0].to", undefined),
  c("types", "routedLab a list", { labs: ["routed-lab"], routedLab: [SEGMENT] }, "routedLab", undefined),
  c(
    "types",
    "routedLab.segments a string",
    { labs: ["routed-lab"], routedLab: { segments: "lan", nodes: [NODE] } },
    "routedLab.segments",
    '"lan"',
  ),
  c("types", "a node's router flag a string", lab({ nodes: [node({ router: "yes" })] }), "routedLab.nodes[0].router", '"yes"'),
  c("types", "a node's interfaces a string", lab({ nodes: [node({ interfaces: "lan" })] }), "routedLab.nodes[0].interfaces", '"lan"'),
  c(
    "types",
    "a published containerPort a string",
    lab({ nodes: [node({ publish: [{ containerPort: "80", hostPort: 8080 }] })] }),
    "routedLab.nodes[0].publish[0].containerPort",
    '"80"',
  ),
  c("types", "a node's commands a string", lab({ nodes: [node({ commands: "echo hi" })] }), "routedLab.nodes[0].commands", '"echo hi"'),
  // Routing policy (components/protocols/policy), from stack config.
  c(
    "references",
    "an import through a routing policy that does not exist",
    lab({ nodes: [{ ...ROUTER, ospf: {}, routing: { import: { ospf: { static: { policy: "nope" } } } } }] }),
    "routedLab.nodes[0].routing.import.ospf.static.policy",
    '"nope"',
  ),
  c(
    "addresses",
    "a discard static route with a next hop",
    lab({ nodes: [{ ...ROUTER, ospf: {}, routing: { static: [{ to: "10.9.0.0/24", discard: true, via: "10.70.0.2" }] } }] }),
    "routedLab.nodes[0].routing.static[0].via",
    '"10.70.0.2"',
  ),
  c(
    "types",
    "a segment's vxlan id a string",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: "42", remote: "192.0.2.9" } }] }),
    "routedLab.segments[0].vxlan.id",
    '"42"',
  ),
  c("types", "an unknown segment field", lab({ segments: [{ ...SEGMENT, vlan: 7 }] }), "routedLab.segments[0]", '"vlan"'),
  c("types", "an unknown key", { colour: "blue" }, "colour", '"blue"'),
  c("types", "a misspelt key", { namePrefx: "lab-" }, "namePrefx", "did you mean docker-netlabs:namePrefix?"),

  // Ranges: numbers and sizes outside what Docker, the kernel or the protocol accept.
  c(
    "ranges",
    "a command time limit of 0 s",
    lab({ nodes: [node({ commandTimeoutSeconds: 0 })] }),
    "routedLab.nodes[0].commandTimeoutSeconds",
    "0",
  ),
  c("ranges", "demoHostPort 0", { labs: ["networking-demo"], demoHostPort: 0 }, "demoHostPort", "0"),
  c("ranges", "demoHostPort 65536", { labs: ["networking-demo"], demoHostPort: 65536 }, "demoHostPort", "65536"),
  c("ranges", "demoHostPort negative", { labs: ["networking-demo"], demoHostPort: -80 }, "demoHostPort", "-80"),
  c("ranges", "labs empty", { labs: [] }, "labs", undefined),
  c("ranges", "namePrefix of 21 characters", { namePrefix: "a".repeat(21) }, "namePrefix", `"${"a".repeat(21)}"`),
  c("ranges", "oorMapServerKey of 7 characters", { ...OOR_LAB, oorMapServerKey: "Zr4tLm9" }, "oorMapServerKey", undefined),
  c(
    "ranges",
    "oorSite.sandboxes empty",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/24", sandboxes: [] } },
    "oorSite.sandboxes",
    undefined,
  ),
  c("ranges", "oorSites empty", { ...LISP_MSMR, oorSites: [] }, "oorSites", undefined),
  c(
    "ranges",
    "a /29 EID subnet (no room for a sandbox)",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/29" } },
    "oorSite.eidSubnet",
    '"10.241.1.0/29"',
  ),
  c(
    "ranges",
    "five sandboxes in a /28",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/28", sandboxes: ["a", "b", "c", "d", "e"] } },
    "oorSite.eidSubnet",
    '"10.241.1.0/28"',
  ),
  c(
    "ranges",
    "an RLOC subnet /31",
    { ...LISP_SITE, oorRloc: { subnet: "198.51.100.0/31", address: "198.51.100.1" } },
    "oorRloc.subnet",
    '"198.51.100.0/31"',
  ),
  c("ranges", "a segment /7", lab({ segments: [{ ...SEGMENT, subnet: "10.0.0.0/7" }] }), "routedLab.segments[0].subnet", '"10.0.0.0/7"'),
  c(
    "ranges",
    "a segment /32",
    lab({ segments: [{ ...SEGMENT, subnet: "10.70.0.0/32" }] }),
    "routedLab.segments[0].subnet",
    '"10.70.0.0/32"',
  ),
  c(
    "ranges",
    "a VNI of 0",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 0, remote: "192.0.2.9" } }] }),
    "routedLab.segments[0].vxlan.id",
    "0",
  ),
  c(
    "ranges",
    "a VNI of 16777216",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 16777216, remote: "192.0.2.9" } }] }),
    "routedLab.segments[0].vxlan.id",
    "16777216",
  ),
  c(
    "ranges",
    "a VXLAN port of 65536",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9", port: 65536 } }] }),
    "routedLab.segments[0].vxlan.port",
    "65536",
  ),
  c(
    "ranges",
    "a VXLAN MTU of 1279",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9", mtu: 1279 } }] }),
    "routedLab.segments[0].vxlan.mtu",
    "1279",
  ),
  c(
    "ranges",
    "a VXLAN MTU of 9001",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9", mtu: 9001 } }] }),
    "routedLab.segments[0].vxlan.mtu",
    "9001",
  ),
  c(
    "ranges",
    "a published hostPort 0",
    lab({ nodes: [node({ publish: [{ containerPort: 80, hostPort: 0 }] })] }),
    "routedLab.nodes[0].publish[0].hostPort",
    "0",
  ),
  c(
    "ranges",
    "a published containerPort 70000",
    lab({ nodes: [node({ publish: [{ containerPort: 70000, hostPort: 8080 }] })] }),
    "routedLab.nodes[0].publish[0].containerPort",
    "70000",
  ),
  c("ranges", "a node without interfaces", lab({ nodes: [node({ interfaces: [] })] }), "routedLab.nodes[0].interfaces", undefined),
  c("ranges", "a lab without segments", lab({ segments: [] }), "routedLab.segments", undefined),
  c(
    "ranges",
    "a published protocol sctp",
    lab({ nodes: [node({ publish: [{ containerPort: 80, hostPort: 8080, protocol: "sctp" }] })] }),
    "routedLab.nodes[0].publish[0].protocol",
    '"sctp"',
  ),

  // Names Docker, Linux or the project refuses.
  c("names", "namePrefix uppercase", { namePrefix: "Lab-" }, "namePrefix", '"Lab-"'),
  c("names", "namePrefix with an underscore", { namePrefix: "lab_" }, "namePrefix", '"lab_"'),
  c("names", "namePrefix starting with a dash", { namePrefix: "-lab" }, "namePrefix", '"-lab"'),
  c("names", "an unknown lab", { labs: ["bgp"] }, "labs[0]", '"bgp"'),
  c("names", "a lab named twice", { labs: ["routed-lan", "routed-lan"] }, "labs", 'names "routed-lan" twice'),
  c("names", "restartPolicy on-failure", { restartPolicy: "on-failure" }, "restartPolicy", '"on-failure"'),
  c("names", "labImages pull", { labImages: "pull" }, "labImages", '"pull"'),
  c("names", "oorImage uppercase", { ...OOR_LAB, oorImage: "OOR:latest" }, "oorImage", '"OOR:latest"'),
  c("names", "oorImage with a URL scheme", { ...OOR_LAB, oorImage: "https://docker.io/oor" }, "oorImage", '"https://docker.io/oor"'),
  c(
    "names",
    "oorRloc.parent too long for an interface",
    { ...LISP_SITE, oorRloc: { ...RLOC, parent: "enp0s31f6-uplink0" } },
    "oorRloc.parent",
    '"enp0s31f6-uplink0"',
  ),
  c("names", "oorRloc.parent with a space", { ...LISP_SITE, oorRloc: { ...RLOC, parent: "eth 1" } }, "oorRloc.parent", '"eth 1"'),
  c(
    "names",
    "a sandbox named uppercase",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/24", sandboxes: ["Sandbox"] } },
    "oorSite.sandboxes[0]",
    '"Sandbox"',
  ),
  c(
    "names",
    "a sandbox with an underscore",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/24", sandboxes: ["sb_1"] } },
    "oorSite.sandboxes[0]",
    '"sb_1"',
  ),
  c(
    "names",
    "a segment named uppercase",
    lab({ segments: [{ ...SEGMENT, name: "LAN" }], nodes: [node({ interfaces: [{ segment: "LAN", address: "10.70.0.10" }] })] }),
    "routedLab.segments[0].name",
    '"LAN"',
  ),
  c(
    "names",
    "a segment name starting with a digit",
    lab({ segments: [{ ...SEGMENT, name: "1lan" }] }),
    "routedLab.segments[0].name",
    '"1lan"',
  ),
  c(
    "names",
    "a segment name of 32 characters",
    lab({ segments: [{ ...SEGMENT, name: "l".repeat(32) }] }),
    "routedLab.segments[0].name",
    `"${"l".repeat(32)}"`,
  ),
  c("names", "a node name with a space", lab({ nodes: [node({ name: "h 1" })] }), "routedLab.nodes[0].name", '"h 1"'),
  c("names", "a node name with a dot", lab({ nodes: [node({ name: "h1.lab" })] }), "routedLab.nodes[0].name", '"h1.lab"'),
  c(
    "names",
    "an alias uppercase",
    lab({ nodes: [node({ interfaces: [{ segment: "lan", address: "10.70.0.10", aliases: ["Web"] }] })] }),
    "routedLab.nodes[0].interfaces[0].aliases[0]",
    '"Web"',
  ),
  c(
    "names",
    "an env variable name starting with a digit",
    lab({ nodes: [node({ env: { "1X": "y" } })] }),
    "routedLab.nodes[0].env.1X",
    undefined,
  ),
  c(
    "names",
    "a capability in lowercase",
    lab({ nodes: [node({ capabilities: ["net_admin"] })] }),
    "routedLab.nodes[0].capabilities[0]",
    '"net_admin"',
  ),
  c(
    "names",
    "a hosts entry with an underscore",
    lab({ nodes: [node({ hosts: { web_b: "10.70.0.20" } })] }),
    "routedLab.nodes[0].hosts.web_b",
    undefined,
  ),
  c(
    "names",
    "a file at the node's init script",
    lab({ nodes: [node({ files: { "/netlabs/init.sh": "echo" } })] }),
    "routedLab.nodes[0].files./netlabs/init.sh",
    undefined,
  ),
  // Normalised before the check (issue 20, point 12): each path reaches the init script or ready file.
  c(
    "names",
    "a file at //netlabs/init.sh",
    lab({ nodes: [node({ files: { "//netlabs/init.sh": "echo" } })] }),
    "routedLab.nodes[0].files.//netlabs/init.sh",
    '"/netlabs/init.sh" once normalised',
  ),
  c(
    "names",
    "a file at /./netlabs/init.sh",
    lab({ nodes: [node({ files: { "/./netlabs/init.sh": "echo" } })] }),
    "routedLab.nodes[0].files././netlabs/init.sh",
    '"/netlabs/init.sh" once normalised',
  ),
  c(
    "names",
    "a file at /run//netlabs/ready",
    lab({ nodes: [node({ files: { "/run//netlabs/ready": "" } })] }),
    "routedLab.nodes[0].files./run//netlabs/ready",
    '"/run/netlabs/ready" once normalised',
  ),
  c(
    "names",
    "a file at /etc/../netlabs/init.sh",
    lab({ nodes: [node({ files: { "/etc/../netlabs/init.sh": "echo" } })] }),
    "routedLab.nodes[0].files./etc/../netlabs/init.sh",
    '"/netlabs/init.sh" once normalised',
  ),
  // Capabilities (issue 20, point 13): real ones only; ALL and those reaching the host only when the node allows them.
  c("names", "capability ALL", lab({ nodes: [node({ capabilities: ["ALL"] })] }), "routedLab.nodes[0].capabilities[0]", '"ALL"'),
  c(
    "names",
    "capability SYS_MODULE",
    lab({ nodes: [node({ capabilities: ["NET_RAW", "SYS_MODULE"] })] }),
    "routedLab.nodes[0].capabilities[1]",
    '"SYS_MODULE"',
  ),
  c(
    "names",
    "capability CAP_SYS_PTRACE",
    lab({ nodes: [node({ capabilities: ["CAP_SYS_PTRACE"] })] }),
    "routedLab.nodes[0].capabilities[0]",
    '"CAP_SYS_PTRACE"',
  ),
  c(
    "names",
    "a capability Linux does not have",
    lab({ nodes: [node({ capabilities: ["NET_ADMN"] })] }),
    "routedLab.nodes[0].capabilities[0]",
    '"NET_ADMN"',
  ),
  c(
    "names",
    "a relative file path",
    lab({ nodes: [node({ files: { "etc/motd": "hi" } })] }),
    "routedLab.nodes[0].files.etc/motd",
    undefined,
  ),
  c("names", "an image ref that is empty", lab({ nodes: [node({ image: { ref: "" } })] }), "routedLab.nodes[0].image.ref", '""'),
  c("names", "an unknown lab image", lab({ nodes: [node({ image: "alpine" })] }), "routedLab.nodes[0].image", '"alpine"'),
  c(
    "names",
    "a VXLAN device name too long",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9", device: "enp0s31f6-uplink0" } }] }),
    "routedLab.segments[0].vxlan.device",
    '"enp0s31f6-uplink0"',
  ),
  c(
    "names",
    "a check from a name Docker refuses",
    lab({ checks: [{ from: "H1", reach: "10.70.0.1" }] }),
    "routedLab.checks[0].from",
    '"H1"',
  ),

  // Addresses that are not addresses, or not where they must be.
  c("addresses", "dockerHost ftp://", { dockerHost: "ftp://host" }, "dockerHost", '"ftp://host"'),
  c("addresses", "dockerHost port 99999", { dockerHost: "ssh://lab@host:99999" }, "dockerHost", '"ssh://lab@host:99999"'),
  c("addresses", "dockerHost tcp:// without a port", { dockerHost: "tcp://192.0.2.7" }, "dockerHost", '"tcp://192.0.2.7"'),
  c("addresses", "dockerHost tcp:// without TLS", { dockerHost: "tcp://192.0.2.7:2375" }, "dockerHost", '"tcp://192.0.2.7:2375"'),
  c(
    "addresses",
    "dockerHost ssh host starting with a dash",
    { dockerHost: "ssh://lab@-oProxyCommand" },
    "dockerHost",
    '"ssh://lab@-oProxyCommand"',
  ),
  c(
    "addresses",
    "sshOpts turning host key checking off",
    { sshOpts: ["-o", "StrictHostKeyChecking=no"] },
    "sshOpts[1]",
    '"StrictHostKeyChecking=no"',
  ),
  c(
    "addresses",
    "sshOpts with known_hosts /dev/null",
    { sshOpts: ["-o", "UserKnownHostsFile=/dev/null"] },
    "sshOpts[1]",
    '"UserKnownHostsFile=/dev/null"',
  ),
  c(
    "addresses",
    "sshOpts with StrictHostKeyChecking=false (ssh reads it as off)",
    { sshOpts: ["-oStrictHostKeyChecking=false"] },
    "sshOpts[0]",
    '"-oStrictHostKeyChecking=false"',
  ),
  c("addresses", "sshOpts loading another config file (-F)", { sshOpts: ["-F", "/tmp/ssh_config"] }, "sshOpts[0]", '"-F"'),
  c("addresses", "sshHostKey not a known_hosts key", { sshHostKey: "AAAAC3Nza" }, "sshHostKey", '"AAAAC3Nza"'),
  c("addresses", "publishAddress a host name", { labs: ["networking-demo"], publishAddress: "localhost" }, "publishAddress", '"localhost"'),
  c(
    "addresses",
    "publishAddress with an octet 256",
    { labs: ["networking-demo"], publishAddress: "127.0.0.256" },
    "publishAddress",
    '"127.0.0.256"',
  ),
  c("addresses", "oorMapServer a host name", { ...LISP_SITE, oorMapServer: "ms.lab.example" }, "oorMapServer", '"ms.lab.example"'),
  c(
    "addresses",
    "oorRloc.address not an address",
    { ...LISP_SITE, oorRloc: { ...RLOC, address: "198.51.100.300" } },
    "oorRloc.address",
    '"198.51.100.300"',
  ),
  c(
    "addresses",
    "oorRloc.address outside its subnet",
    { ...LISP_SITE, oorRloc: { ...RLOC, address: "203.0.113.9" } },
    "oorRloc.address",
    '"203.0.113.9"',
  ),
  c(
    "addresses",
    "oorRloc.address the network address",
    { ...LISP_SITE, oorRloc: { ...RLOC, address: "198.51.100.0" } },
    "oorRloc.address",
    '"198.51.100.0"',
  ),
  c(
    "addresses",
    "oorRloc.address Docker's default gateway",
    { ...LISP_SITE, oorRloc: { ...RLOC, address: "198.51.100.254" } },
    "oorRloc.address",
    '"198.51.100.254"',
  ),
  c(
    "addresses",
    "oorRloc.subnet not a network address",
    { ...LISP_SITE, oorRloc: { ...RLOC, subnet: "198.51.100.5/24" } },
    "oorRloc.subnet",
    '"198.51.100.5/24"',
  ),
  c(
    "addresses",
    "oorRloc.gateway outside its subnet",
    { ...LISP_SITE, oorRloc: { ...RLOC, gateway: "203.0.113.1" } },
    "oorRloc.gateway",
    '"203.0.113.1"',
  ),
  c(
    "addresses",
    "oorRloc.gateway the router's own address",
    { ...LISP_SITE, oorRloc: { ...RLOC, gateway: "198.51.100.11" } },
    "oorRloc.gateway",
    '"198.51.100.11"',
  ),
  c(
    "addresses",
    "oorRloc.gateway the broadcast address",
    { ...LISP_SITE, oorRloc: { ...RLOC, gateway: "198.51.100.255" } },
    "oorRloc.gateway",
    '"198.51.100.255"',
  ),
  c("addresses", "oorMapServer the RLOC gateway", { ...LISP_SITE, oorMapServer: "198.51.100.254" }, "oorMapServer", '"198.51.100.254"'),
  c(
    "addresses",
    "oorSite.eidSubnet not a prefix",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/33" } },
    "oorSite.eidSubnet",
    '"10.241.1.0/33"',
  ),
  c("addresses", "oorSite.eidSubnet IPv6", { ...LISP_SITE, oorSite: { eidSubnet: "fd00:1::/64" } }, "oorSite.eidSubnet", '"fd00:1::/64"'),
  c(
    "addresses",
    "oorSite.eidSubnet a host address",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.1/24" } },
    "oorSite.eidSubnet",
    '"10.241.1.1/24"',
  ),
  c("addresses", "oorSites with a host address", { ...LISP_MSMR, oorSites: ["10.241.1.5/24"] }, "oorSites[0]", '"10.241.1.5/24"'),
  c(
    "addresses",
    "oorRlocRoutes to not a prefix",
    { ...LISP_SITE, oorRlocRoutes: [{ to: "203.0.113.0" }] },
    "oorRlocRoutes[0].to",
    '"203.0.113.0"',
  ),
  c(
    "addresses",
    "oorRlocRoutes via not an address",
    { ...LISP_SITE, oorRlocRoutes: [{ to: "203.0.113.0/24", via: "gw" }] },
    "oorRlocRoutes[0].via",
    '"gw"',
  ),
  c(
    "addresses",
    "oorRlocRoutes via off the RLOC subnet",
    { ...LISP_SITE, oorRlocRoutes: [{ to: "203.0.113.0/24", via: "192.0.2.1" }] },
    "oorRlocRoutes[0].via",
    '"192.0.2.1"',
  ),
  c(
    "addresses",
    "oorRlocRoutes via the router itself",
    { ...LISP_SITE, oorRlocRoutes: [{ to: "203.0.113.0/24", via: "198.51.100.11" }] },
    "oorRlocRoutes[0].via",
    '"198.51.100.11"',
  ),
  c(
    "addresses",
    "lisp-msmr route via off the RLOC subnet",
    { ...LISP_MSMR, oorRlocRoutes: [{ to: "203.0.113.0/24", via: "192.0.2.1" }] },
    "oorRlocRoutes[0].via",
    '"192.0.2.1"',
  ),
  c(
    "addresses",
    "an interface address outside its segment",
    lab({ nodes: [node({ interfaces: [{ segment: "lan", address: "10.71.0.10" }] })] }),
    "routedLab.nodes[0].interfaces[0].address",
    '"10.71.0.10"',
  ),
  c(
    "addresses",
    "an interface at the network address",
    lab({ nodes: [node({ interfaces: [{ segment: "lan", address: "10.70.0.0" }] })] }),
    "routedLab.nodes[0].interfaces[0].address",
    '"10.70.0.0"',
  ),
  c(
    "addresses",
    "an interface at Docker's gateway",
    lab({ nodes: [node({ interfaces: [{ segment: "lan", address: "10.70.0.254" }] })] }),
    "routedLab.nodes[0].interfaces[0].address",
    '"10.70.0.254"',
  ),
  c(
    "addresses",
    "an interface address with a prefix",
    lab({ nodes: [node({ interfaces: [{ segment: "lan", address: "10.70.0.10/24" }] })] }),
    "routedLab.nodes[0].interfaces[0].address",
    '"10.70.0.10/24"',
  ),
  c(
    "addresses",
    "a segment gateway outside it",
    lab({ segments: [{ ...SEGMENT, gateway: "10.71.0.1" }] }),
    "routedLab.segments[0].gateway",
    '"10.71.0.1"',
  ),
  c(
    "addresses",
    "a route to a bad prefix",
    lab({ nodes: [ROUTER, node({ routes: [{ to: "10.80.0.0/33", via: "10.70.0.1" }] })] }),
    "routedLab.nodes[1].routes[0].to",
    '"10.80.0.0/33"',
  ),
  c(
    "addresses",
    "a next hop off-link",
    lab({ nodes: [node({ routes: [{ to: "default", via: "10.71.0.1" }] })] }),
    "routedLab.nodes[0].routes[0].via",
    '"10.71.0.1"',
  ),
  c(
    "addresses",
    "a next hop the node itself",
    lab({ nodes: [node({ routes: [{ to: "default", via: "10.70.0.10" }] })] }),
    "routedLab.nodes[0].routes[0].via",
    '"10.70.0.10"',
  ),
  c(
    "addresses",
    "a published hostAddress a name",
    lab({ nodes: [node({ publish: [{ containerPort: 80, hostPort: 8080, hostAddress: "localhost" }] })] }),
    "routedLab.nodes[0].publish[0].hostAddress",
    '"localhost"',
  ),
  c(
    "addresses",
    "a VXLAN remote a name",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "east" } }] }),
    "routedLab.segments[0].vxlan.remote",
    '"east"',
  ),
  c(
    "addresses",
    "a VXLAN remote that is local",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9", local: "192.0.2.9" } }] }),
    "routedLab.segments[0].vxlan.remote",
    '"192.0.2.9"',
  ),
  c(
    "addresses",
    "a hosts entry not an address",
    lab({ nodes: [node({ hosts: { "web-b": "web-b.lab" } })] }),
    "routedLab.nodes[0].hosts.web-b",
    '"web-b.lab"',
  ),
  c("addresses", "a check reaching a name", lab({ checks: [{ from: "h1", reach: "r1" }] }), "routedLab.checks[0].reach", '"r1"'),
  c(
    "addresses",
    "a check fetching ftp://",
    lab({ checks: [{ from: "h1", fetch: "ftp://10.70.0.1/" }] }),
    "routedLab.checks[0].fetch",
    '"ftp://10.70.0.1/"',
  ),

  // Overlaps and duplicates inside one lab.
  c(
    "overlaps",
    "two segments on one subnet",
    lab({ segments: [SEGMENT, { name: "lan2", subnet: "10.70.0.0/24" }] }),
    "routedLab.segments[1].subnet",
    '"10.70.0.0/24"',
  ),
  c(
    "overlaps",
    "a segment inside another",
    lab({ segments: [SEGMENT, { name: "lan2", subnet: "10.70.0.128/25" }] }),
    "routedLab.segments[1].subnet",
    '"10.70.0.128/25"',
  ),
  c(
    "overlaps",
    "two segments of one name",
    lab({ segments: [SEGMENT, { name: "lan", subnet: "10.71.0.0/24" }] }),
    "routedLab.segments[1].name",
    '"lan"',
  ),
  c(
    "overlaps",
    "two nodes of one name",
    lab({ nodes: [NODE, node({ interfaces: [{ segment: "lan", address: "10.70.0.11" }] })] }),
    "routedLab.nodes[1].name",
    '"h1"',
  ),
  c(
    "overlaps",
    "two nodes on one address",
    lab({ nodes: [NODE, node({ name: "h2" })] }),
    "routedLab.nodes[1].interfaces[0].address",
    '"10.70.0.10"',
  ),
  c(
    "overlaps",
    "a node on the gateway it was given",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.10" }] }),
    "routedLab.nodes[0].interfaces[0].address",
    '"10.70.0.10"',
  ),
  c(
    "overlaps",
    "one host port published twice",
    lab({
      nodes: [
        node({
          publish: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 81, hostPort: 8080 },
          ],
        }),
      ],
    }),
    "routedLab.nodes[0].publish[1].hostPort",
    "127.0.0.1:8080/tcp",
  ),
  c(
    "overlaps",
    "0.0.0.0:8080 against 127.0.0.1:8080 in one lab",
    lab({
      nodes: [
        node({
          publish: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 81, hostPort: 8080, hostAddress: "0.0.0.0" },
          ],
        }),
      ],
    }),
    "routedLab.nodes[0].publish[1].hostPort",
    "0.0.0.0:8080/tcp",
  ),
  c(
    "overlaps",
    "two routes to one prefix",
    lab({
      nodes: [
        ROUTER,
        node({
          routes: [
            { to: "default", via: "10.70.0.1" },
            { to: "default", via: "10.70.0.1" },
          ],
        }),
      ],
    }),
    "routedLab.nodes[1].routes[1].to",
    '"default"',
  ),
  c(
    "overlaps",
    "two interfaces on one segment",
    lab({
      nodes: [
        node({
          interfaces: [
            { segment: "lan", address: "10.70.0.10" },
            { segment: "lan", address: "10.70.0.11" },
          ],
        }),
      ],
    }),
    "routedLab.nodes[0].interfaces[1].segment",
    '"lan"',
  ),
  c(
    "overlaps",
    "two segments on one tunnel",
    lab({
      segments: [
        { ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9" } },
        { name: "lan2", subnet: "10.71.0.0/24", gateway: "10.71.0.254", vxlan: { id: 7, remote: "192.0.2.9" } },
      ],
    }),
    "routedLab.segments[1].vxlan.id",
    "7",
  ),
  c(
    "overlaps",
    "two sandboxes of one name",
    { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/24", sandboxes: ["sb", "sb"] } },
    "oorSite.sandboxes[1]",
    '"sb"',
  ),
  c(
    "overlaps",
    "the EID subnet inside the RLOC subnet",
    { ...LISP_SITE, oorSite: { eidSubnet: "198.51.100.128/25" } },
    "oorSite.eidSubnet",
    '"198.51.100.128/25"',
  ),
  c(
    "overlaps",
    "the EID subnet around the RLOC subnet",
    { ...LISP_SITE, oorSite: { eidSubnet: "198.51.0.0/16" } },
    "oorSite.eidSubnet",
    '"198.51.0.0/16"',
  ),
  c(
    "overlaps",
    "oorSites twice the same",
    { ...LISP_MSMR, oorSites: ["10.241.1.0/24", "10.241.1.0/24"] },
    "oorSites[1]",
    '"10.241.1.0/24"',
  ),
  c("overlaps", "oorSites nested", { ...LISP_MSMR, oorSites: ["10.241.0.0/16", "10.241.2.0/24"] }, "oorSites[1]", '"10.241.2.0/24"'),
  c(
    "overlaps",
    "an oorSites prefix inside the RLOC subnet",
    { ...LISP_MSMR, oorSites: ["198.51.100.0/28"] },
    "oorSites[0]",
    '"198.51.100.0/28"',
  ),
  c(
    "overlaps",
    "two RLOC routes to one prefix",
    { ...LISP_SITE, oorRlocRoutes: [{ to: "203.0.113.0/24" }, { to: "203.0.113.0/24", via: "198.51.100.1" }] },
    "oorRlocRoutes[1].to",
    '"203.0.113.0/24"',
  ),

  // References to things that do not exist, or keys missing or ignored.
  c(
    "references",
    "an interface on a segment that does not exist",
    lab({ nodes: [node({ interfaces: [{ segment: "wan", address: "10.70.0.10" }] })] }),
    "routedLab.nodes[0].interfaces[0].segment",
    '"wan"',
  ),
  c(
    "references",
    "a check from a node that does not exist",
    lab({ checks: [{ from: "h9", reach: "10.70.0.1" }] }),
    "routedLab.checks[0].from",
    '"h9"',
  ),
  c(
    "references",
    "a macvlan segment without its parent",
    lab({ segments: [{ ...SEGMENT, driver: "macvlan" }] }),
    "routedLab.segments[0].parent",
    undefined,
  ),
  c(
    "references",
    "a bridge segment with a parent",
    lab({ segments: [{ ...SEGMENT, parent: "eth1" }] }),
    "routedLab.segments[0].parent",
    '"eth1"',
  ),
  c(
    "references",
    "a stretched macvlan",
    lab({ segments: [{ ...SEGMENT, driver: "macvlan", parent: "eth1", gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9" } }] }),
    "routedLab.segments[0].vxlan",
    '"macvlan"',
  ),
  c(
    "references",
    "a stretched segment without its gateway",
    lab({ segments: [{ ...SEGMENT, vxlan: { id: 7, remote: "192.0.2.9" } }] }),
    "routedLab.segments[0].gateway",
    undefined,
  ),
  c("references", "lisp-site without oorMapServerKey", { ...LISP_SITE, oorMapServerKey: undefined }, "oorMapServerKey", undefined),
  c("references", "lisp-site without oorRloc", { ...LISP_SITE, oorRloc: undefined }, "oorRloc", undefined),
  c("references", "lisp-site without oorSite", { ...LISP_SITE, oorSite: undefined }, "oorSite", undefined),
  c("references", "lisp-site without oorMapServer", { ...LISP_SITE, oorMapServer: undefined }, "oorMapServer", undefined),
  c("references", "lisp-msmr without oorSites", { ...LISP_MSMR, oorSites: undefined }, "oorSites", undefined),
  c("references", "lisp-msmr without oorRloc", { ...LISP_MSMR, oorRloc: undefined }, "oorRloc", undefined),
  c("references", "oor-2xtrs-1msmr without its key", { labs: ["oor-2xtrs-1msmr"] }, "oorMapServerKey", undefined),
  c("references", "routed-lab without routedLab", { labs: ["routed-lab"] }, "routedLab", undefined),
  c("references", "oorMapServer the site itself", { ...LISP_SITE, oorMapServer: "198.51.100.11" }, "oorMapServer", '"198.51.100.11"'),
  c("references", "routedLab without routed-lab in labs", { labs: ["routed-lan"], routedLab: { segments: [] } }, "routedLab", undefined),
  c(
    "references",
    "oorSite with no lab that reads it",
    { labs: ["routed-lan"], oorSite: { eidSubnet: "10.241.1.0/24" } },
    "oorSite",
    undefined,
  ),
  c("references", "oorSites on a site stack", { ...LISP_SITE, oorSites: ["10.241.2.0/24"] }, "oorSites", undefined),
  c("references", "demoHostPort without networking-demo", { labs: ["routed-lan"], demoHostPort: 4100 }, "demoHostPort", undefined),
  c("references", "oorImage without an OOR lab", { labs: ["routed-lan"], oorImage: "oor:1" }, "oorImage", undefined),
  c("references", "a key in a misspelt namespace", { "docker-netlab:labs": ["routed-lan"] }, "docker-netlab:labs", '["routed-lan"]'),

  // Across the labs of one stack.
  c(
    "cross-lab",
    "routed-lab on networking-demo's subnet",
    lab(
      { segments: [{ name: "lan", subnet: "10.231.0.0/24" }], nodes: [node({ interfaces: [{ segment: "lan", address: "10.231.0.30" }] })] },
      { labs: ["networking-demo", "routed-lab"] },
    ),
    "routedLab.segments[0].subnet",
    '"10.231.0.0/24"',
  ),
  c(
    "cross-lab",
    "routed-lab around routed-lan's LANs",
    lab(
      { segments: [{ name: "lan", subnet: "10.232.0.0/16" }], nodes: [node({ interfaces: [{ segment: "lan", address: "10.232.9.10" }] })] },
      { labs: ["routed-lan", "routed-lab"] },
    ),
    "routedLab.segments[0].subnet",
    '"10.232.0.0/16"',
  ),
  c(
    "cross-lab",
    "routed-lab on bgp-triangle's host LAN",
    lab(
      { segments: [{ name: "lan", subnet: "10.0.0.0/24" }], nodes: [node({ interfaces: [{ segment: "lan", address: "10.0.0.30" }] })] },
      { labs: ["bgp-triangle", "routed-lab"] },
    ),
    "routedLab.segments[0].subnet",
    '"10.0.0.0/24"',
  ),
  c(
    "cross-lab",
    "lisp-site's RLOC network on oor-2xtrs-1msmr's",
    { ...LISP_SITE, labs: ["oor-2xtrs-1msmr", "lisp-site"] },
    "oorRloc.subnet",
    '"198.51.100.0/24"',
  ),
  c(
    "cross-lab",
    "lisp-site's EID network on networking-demo's",
    { ...LISP_SITE, labs: ["networking-demo", "lisp-site"], oorSite: { eidSubnet: "10.231.0.0/24" } },
    "oorSite.eidSubnet",
    '"10.231.0.0/24"',
  ),
  c(
    "cross-lab",
    "lisp-site and lisp-msmr on one oorRloc",
    { ...LISP_SITE, labs: ["lisp-msmr", "lisp-site"], oorSites: ["10.241.1.0/24"] },
    "oorRloc.subnet",
    '"198.51.100.0/24"',
  ),
  c(
    "cross-lab",
    "routed-lab on the demo's host port",
    lab({ nodes: [node({ publish: [{ containerPort: 80, hostPort: 4000 }] })] }, { labs: ["networking-demo", "routed-lab"] }),
    "routedLab.nodes[0].publish[0].hostPort",
    "127.0.0.1:4000/tcp",
  ),
  c(
    "cross-lab",
    "routed-lab on 0.0.0.0 and the demo's port",
    lab(
      { nodes: [node({ publish: [{ containerPort: 80, hostPort: 4000, hostAddress: "0.0.0.0" }] })] },
      { labs: ["networking-demo", "routed-lab"] },
    ),
    "routedLab.nodes[0].publish[0].hostPort",
    "0.0.0.0:4000/tcp",
  ),
  c(
    "cross-lab",
    "the demo on 0.0.0.0 and routed-lab's port",
    lab(
      { nodes: [node({ publish: [{ containerPort: 80, hostPort: 8080 }] })] },
      { labs: ["routed-lab", "networking-demo"], publishAddress: "0.0.0.0", demoHostPort: 8080 },
    ),
    "demoHostPort",
    "0.0.0.0:8080/tcp",
  ),
  c(
    "cross-lab",
    "a node named like another's port forwarder",
    lab({
      nodes: [
        node({ publish: [{ containerPort: 80, hostPort: 8080 }] }),
        node({ name: "h1-publish-8080-tcp", interfaces: [{ segment: "lan", address: "10.70.0.11" }] }),
      ],
    }),
    "routedLab.nodes[1].name",
    '"routed-lab-h1-publish-8080-tcp"',
  ),
  c(
    "cross-lab",
    "a node named like the lab's bridge guard",
    lab({ nodes: [ROUTER, node({ name: "bridge-guard" })] }),
    "routedLab.nodes[1].name",
    '"routed-lab-bridge-guard"',
  ),
  c(
    "cross-lab",
    "a node named like the lab's tunnel guard",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 7, remote: "192.0.2.9" } }], nodes: [node({ name: "tunnels" })] }),
    "routedLab.nodes[0].name",
    '"routed-lab-tunnels"',
  ),

  // Secrets set and wrong: named, never shown.
  hidden("oorMapServerKey too short", { ...OOR_LAB, oorMapServerKey: "Qx7vK2" }, "oorMapServerKey"),
  hidden(
    "oorMapServerKey with a newline",
    { ...OOR_LAB, oorMapServerKey: "Qx7vK2wP9r\nmap-resolver = { 203.0.113.66 }" },
    "oorMapServerKey",
  ),
  hidden("oorMapServerKey with a #", { ...LISP_SITE, oorMapServerKey: "Qx7vK2wP9r#tail8Zm" }, "oorMapServerKey"),
  hidden("oorMapServerKey with a space", { ...LISP_MSMR, oorMapServerKey: "Qx7vK2wP9r tail8Zm" }, "oorMapServerKey"),
  hidden("oorMapServerKey with a quote", { ...OOR_LAB, oorMapServerKey: 'Qx7vK2wP9r"tail8Zm' }, "oorMapServerKey"),
  hidden("oorMapServerKey a list", { ...OOR_LAB, oorMapServerKey: ["Qx7vK2wP9rtail8Zm"] }, "oorMapServerKey"),
  hidden("sshPrivateKey on a unix:// stack", { dockerHost: "unix:///var/run/docker.sock" }, "sshPrivateKey"),
  hidden("sshPrivateKey on a tcp:// stack", { dockerHost: "tcp://192.0.2.7:2375" }, "sshPrivateKey"),
  hidden(
    "dockerTlsKey on an ssh:// stack",
    { dockerTlsKey: "-----BEGIN PRIVATE KEY-----\nTLSKEYMATERIAL\n-----END PRIVATE KEY-----" },
    "dockerTlsKey",
  ),
  c("secrets", "sshPrivateKey with a host key that is not one", { sshHostKey: "AAAAC3Nza" }, "sshHostKey", '"AAAAC3Nza"'),
  c("secrets", "sshPrivateKey without its host key", { sshHostKey: undefined }, "sshHostKey"),
  hidden("sshPrivateKey in a misspelt key", { "docker-netlabs:sshPrivatekey": SSH_KEY }, "sshPrivatekey"),
  hidden(
    "oorMapServerKey in a misspelt namespace",
    { "docker-netlab:oorMapServerKey": "Qx7vK2wP9r#tail8Zm" },
    "docker-netlab:oorMapServerKey",
  ),
  c("secrets", "oorMapServerKey set with no lab that reads it", { labs: ["routed-lan"], oorMapServerKey: MAP_KEY }, "oorMapServerKey"),
  // BGP depth (issue 25): a session option reached from config, and a password never shown.
  c(
    "references",
    "a BGP session option for a neighbour that is no router",
    bgpPair({ neighbor: "r9", localAs: 65010 }),
    "routedLab.nodes[0].bgp.sessions[0].neighbor",
    '"r9"',
  ),
  c(
    "references",
    "a BGP localAs equal to the router's own ASN",
    bgpPair({ neighbor: "r2", localAs: 65001 }),
    "routedLab.nodes[0].bgp.sessions[0].localAs",
    "65001",
  ),
  hidden("a BGP password with a space", bgpPair({ neighbor: "r2", password: "Qx7v K2wP" }), "routedLab.nodes[0].bgp.sessions[0].password"),
];

/** Two eBGP routers on one link, r1's session to r2 with `session`'s options. */
function bgpPair(session: Record<string, unknown>) {
  const link = { name: "l12", subnet: "10.70.1.0/29" };
  const bgpRouter = (name: string, asn: number, address: string, sessions?: unknown[]) => ({
    name,
    image: "router",
    router: true,
    interfaces: [{ segment: "l12", address }],
    bgp: { asn, ...(sessions ? { sessions } : {}) },
  });
  return lab({ segments: [link], nodes: [bgpRouter("r1", 65001, "10.70.1.1", [session]), bgpRouter("r2", 65002, "10.70.1.2")] });
}

/** Every 8-character piece of a secret, and its lines: none may appear in the error or its util.inspect. */
function expectNoSecret(error: unknown, secret: unknown): void {
  const text = String(secret);
  const pieces = text.length <= 8 ? [text] : Array.from({ length: text.length - 7 }, (_, i) => text.slice(i, i + 8));
  pieces.push(...text.split("\n").filter((line) => line.length >= 8));
  const shown = `${(error as Error).message}\n${util.inspect(error, { depth: 10 })}`;
  for (const piece of pieces) expect(shown, `shows ${JSON.stringify(piece)}`).not.toContain(piece);
}

function secretsOf(config: Record<string, unknown>): unknown[] {
  return [SSH_KEY, config.oorMapServerKey, config["docker-netlabs:sshPrivatekey"], config["docker-netlab:oorMapServerKey"]].filter(
    (secret) => secret !== undefined,
  );
}

describe("a bad stack configuration is named at preview, by config key and value, with nothing registered", () => {
  it.each(STACK_CASES.map((item) => [`${item.category}: ${item.what}`, item] as const))("%s", async (_, item) => {
    const config = { ...REMOTE, ...item.config };
    const mocks = new RecordingMocks();
    let caught: unknown;
    try {
      await runProgram(mocks, () => buildStack(readStackConfig()), { config, secretKeys: SECRET_KEYS });
    } catch (error) {
      caught = error;
    }
    expect(caught, "no error").toBeInstanceOf(LabConfigError);
    const error = caught as LabConfigError;
    const fullPath = item.path.includes(":") ? item.path : `docker-netlabs:${item.path}`;
    const line = error.message.split("\n").find((text) => text.startsWith(`  - ${fullPath}: `));
    expect(line, `no issue at ${fullPath} in:\n${error.message}`).toBeDefined();
    if (item.value !== undefined) expect(line).toContain(item.value);
    if (item.hidden) expect(line).toContain("(secret, not shown)");
    expect(mocks.resources).toEqual([]);
    for (const secret of secretsOf(config)) expectNoSecret(error, secret);
  });
});

/** A component's arguments, and where its error must point. */
interface ComponentCase {
  component: "RoutedLab" | "BgpTriangle" | "OorRouter" | "LispSite" | "DockerHost";
  what: string;
  create: () => unknown;
  path: string;
  value?: string;
  /** A secret among the arguments that must not be shown. */
  secret?: string;
}

const LAB_SPEC: RoutedLabArgs["spec"] = { segments: [SEGMENT], nodes: [{ ...NODE, image: "client" }] };
const routed = (what: string, args: Partial<RoutedLabArgs>, path: string, value?: string, name = "lab"): ComponentCase => ({
  component: "RoutedLab",
  what,
  create: () => new RoutedLab(name, { spec: LAB_SPEC, ...args }),
  path,
  value,
});
const bgp = (what: string, args: BgpTriangleArgs, path: string, value?: string): ComponentCase => ({
  component: "BgpTriangle",
  what,
  create: () => new BgpTriangle("bgp", args),
  path,
  value,
});
const XTR: OorRouterArgs = {
  mode: "xTR",
  rlocNetwork: "rloc",
  rlocSubnet: "192.0.2.0/24",
  rlocAddress: "192.0.2.11",
  mapResolvers: ["192.0.2.2"],
  mapServers: [{ address: "192.0.2.2", key: MAP_KEY }],
  eidPrefixes: [{ prefix: "10.1.0.0/24" }],
};
const MS: OorRouterArgs = {
  mode: "MS",
  rlocNetwork: "rloc",
  rlocSubnet: "192.0.2.0/24",
  rlocAddress: "192.0.2.2",
  sites: [{ eidPrefix: "10.1.0.0/24", key: MAP_KEY }],
};
const oor = (what: string, args: OorRouterArgs, path: string, value?: string, secret?: string): ComponentCase => ({
  component: "OorRouter",
  what,
  create: () => new OorRouter("oor", args),
  path,
  value,
  secret,
});
const SITE: LispSiteArgs = {
  eidSubnet: "10.1.0.0/24",
  rlocNetwork: "rloc",
  rlocSubnet: "192.0.2.0/24",
  rlocAddress: "192.0.2.11",
  mapResolvers: ["192.0.2.2"],
  mapServers: [{ address: "192.0.2.2", key: MAP_KEY }],
};
const site = (what: string, args: Partial<LispSiteArgs>, path: string, value?: string): ComponentCase => ({
  component: "LispSite",
  what,
  create: () => new LispSite("site", { ...SITE, ...args }),
  path,
  value,
});

const COMPONENT_CASES: ComponentCase[] = [
  routed("a lab name Docker refuses", {}, "name", '"Lab_1"', "Lab_1"),
  routed("a name prefix with a dot", { namePrefix: "a.b" }, "namePrefix", '"a.b"'),
  routed("a spec that is not an object", { spec: "lan" as unknown as RoutedLabArgs["spec"] }, "(root)", undefined),
  routed(
    "a node image ref that is empty",
    { spec: { segments: [SEGMENT], nodes: [{ ...NODE, image: { ref: "" } as unknown as string }] } },
    "nodes[0].image.ref",
    '""',
  ),
  routed(
    "0.0.0.0 and 127.0.0.1 on one port",
    {
      spec: {
        segments: [{ ...SEGMENT, internal: false }],
        nodes: [
          {
            ...NODE,
            image: "client",
            publish: [
              { containerPort: 80, hostPort: 80, hostAddress: "0.0.0.0" },
              { containerPort: 81, hostPort: 80 },
            ],
          },
        ],
      },
    },
    "nodes[0].publish[1].hostPort",
    "127.0.0.1:80/tcp",
  ),
  routed(
    "a file under /run/netlabs",
    { spec: { segments: [SEGMENT], nodes: [{ ...NODE, image: "client", files: { "/run/netlabs/ready": "" } }] } },
    "nodes[0].files./run/netlabs/ready",
    undefined,
  ),
  bgp("an ASN of 0", { asns: { r1: 0 } }, "asns.r1", "0"),
  bgp("an ASN of 2^32", { asns: { r2: 4294967296 } }, "asns.r2", "4294967296"),
  bgp("an ASN that is a fraction", { asns: { r3: 65000.5 } }, "asns.r3", "65000.5"),
  bgp("two routers in one AS", { asns: { r1: 65001, r2: 65001 } }, "asns.r2", "65001"),
  bgp("a router id that is not an address", { routerIds: { r1: "one" } }, "routerIds.r1", '"one"'),
  bgp("two routers with one id", { routerIds: { r1: "9.9.9.9", r3: "9.9.9.9" } }, "routerIds.r3", '"9.9.9.9"'),
  bgp("a host LAN smaller than /28", { subnets: { host: "10.0.0.0/29" } }, "subnets.host", '"10.0.0.0/29"'),
  bgp("a link /30 (no room for Docker's gateway)", { subnets: { r1r2: "10.255.12.0/30" } }, "subnets.r1r2", '"10.255.12.0/30"'),
  bgp("two subnets overlapping", { subnets: { web: "10.0.0.0/16" } }, "subnets.web", '"10.0.0.0/16"'),
  bgp("a subnet that is not a network address", { subnets: { stub: "11.0.0.1/24" } }, "subnets.stub", '"11.0.0.1/24"'),
  bgp("HOST outside its LAN", { hostAddress: "10.9.0.10" }, "hostAddress", '"10.9.0.10"'),
  bgp("WEB_SERVER on its router's address", { webAddress: "12.0.0.1" }, "webAddress", '"12.0.0.1"'),
  bgp("a BFD interval of 5 ms", { bfd: { intervalMs: 5 } }, "bfd.intervalMs", "5"),
  bgp("a BFD multiplier of 1", { bfd: { multiplier: 1 } }, "bfd.multiplier", "1"),
  bgp("a hold time of 2 s", { timers: { holdSeconds: 2 } }, "timers.holdSeconds", "2"),
  bgp("an empty question", { question: "" }, "question", '""'),
  oor("a mode that does not exist", { ...XTR, mode: "XTR" as OorRouterArgs["mode"] }, "mode", '"XTR"'),
  oor("debug 4", { ...XTR, debug: 4 }, "debug", "4"),
  oor("an RLOC subnet that is not one", { ...XTR, rlocSubnet: "192.0.2.0" }, "rlocSubnet", '"192.0.2.0"'),
  oor("an RLOC address outside its subnet", { ...XTR, rlocAddress: "192.0.3.11" }, "rlocAddress", '"192.0.3.11"'),
  oor("an xTR without a map server", { ...XTR, mapServers: [] }, "mapServers", undefined),
  oor("an MS without sites", { ...MS, sites: [] }, "sites", undefined),
  oor("an MS with EID prefixes", { ...MS, eidPrefixes: [{ prefix: "10.2.0.0/24" }] }, "eidPrefixes", undefined),
  oor("env config for an MS", { ...MS, config: "env" }, "config", undefined),
  oor("an instance id of 2^24", { ...XTR, eidPrefixes: [{ prefix: "10.1.0.0/24", iid: 16777216 }] }, "eidPrefixes[0].iid", "16777216"),
  oor("a priority of 256", { ...XTR, eidPrefixes: [{ prefix: "10.1.0.0/24", priority: 256 }] }, "eidPrefixes[0].priority", "256"),
  oor(
    "its own address as map server",
    { ...XTR, mapServers: [{ address: "192.0.2.11", key: MAP_KEY }] },
    "mapServers[0].address",
    '"192.0.2.11"',
  ),
  oor(
    "an EID prefix inside the RLOC subnet",
    { ...XTR, eidPrefixes: [{ prefix: "192.0.2.128/25" }] },
    "eidPrefixes[0].prefix",
    '"192.0.2.128/25"',
  ),
  oor(
    "two MS sites overlapping",
    {
      ...MS,
      sites: [
        { eidPrefix: "10.1.0.0/16", key: MAP_KEY },
        { eidPrefix: "10.1.2.0/24", key: MAP_KEY },
      ],
    },
    "sites[1].eidPrefix",
    '"10.1.2.0/24"',
  ),
  oor(
    "an RLOC route via a hop off the RLOC subnet",
    { ...XTR, rlocRoutes: [{ to: "203.0.113.0/24", via: "10.9.9.9" }] },
    "rlocRoutes[0].via",
    '"10.9.9.9"',
  ),
  oor(
    "a site key oor.conf cannot hold",
    { ...MS, sites: [{ eidPrefix: "10.1.0.0/24", key: "Qx7vK2wP9r#tail8Zm" }] },
    "sites[0].key",
    undefined,
    "Qx7vK2wP9r#tail8Zm",
  ),
  oor(
    "a map-server key with a newline",
    { ...XTR, mapServers: [{ address: "192.0.2.2", key: "Qx7vK2wP9r\nmap-resolver" }] },
    "mapServers[0].key",
    undefined,
    "Qx7vK2wP9r\nmap-resolver",
  ),
  site("a /29 EID subnet", { eidSubnet: "10.1.0.0/29" }, "eidSubnet", '"10.1.0.0/29"'),
  site("five sandboxes in a /28", { eidSubnet: "10.1.0.0/28", sandboxes: ["a", "b", "c", "d", "e"] }, "eidSubnet", '"10.1.0.0/28"'),
  site("an EID subnet that is IPv6", { eidSubnet: "fd00::/64" }, "eidSubnet", '"fd00::/64"'),
  site("the xTR on a sandbox's address", { xtrEidAddress: "10.1.0.10" }, "xtrEidAddress", '"10.1.0.10"'),
  site("the xTR on Docker's gateway", { xtrEidAddress: "10.1.0.254" }, "xtrEidAddress", '"10.1.0.254"'),
  site("the xTR outside its EID subnet", { xtrEidAddress: "10.2.0.1" }, "xtrEidAddress", '"10.2.0.1"'),
  site("a sandbox name Docker refuses", { sandboxes: ["Sandbox 1"] }, "sandboxes[0]", '"Sandbox 1"'),
  site("two sandboxes of one name", { sandboxes: ["sb", "sb"] }, "sandboxes[1]", '"sb"'),
  site("the EID subnet overlapping the RLOC subnet", { eidSubnet: "192.0.2.0/25" }, "eidSubnet", '"192.0.2.0/25"'),
  site(
    "an RLOC route via the xTR itself",
    { rlocRoutes: [{ to: "203.0.113.0/24", via: "192.0.2.11" }] },
    "rlocRoutes[0].via",
    '"192.0.2.11"',
  ),
  {
    component: "DockerHost",
    what: "a host URL it cannot reach",
    create: () => new DockerHost("h", { host: "ftp://192.0.2.7" }),
    path: "host",
    value: '"ftp://192.0.2.7"',
  },
  {
    component: "DockerHost",
    what: "ssh options for a unix:// host",
    create: () => new DockerHost("h", { sshOpts: ["-v"] }),
    path: "sshOpts",
    value: '"unix:///var/run/docker.sock"',
  },
];

describe("bad component arguments are named by field and value, with nothing registered", () => {
  it.each(COMPONENT_CASES.map((item) => [`${item.component}: ${item.what}`, item] as const))("%s", async (_, item) => {
    const mocks = new RecordingMocks();
    let caught: unknown;
    try {
      await runProgram(mocks, item.create);
    } catch (error) {
      caught = error;
    }
    expect(caught, "no error").toBeInstanceOf(LabConfigError);
    const error = caught as LabConfigError;
    const issue = error.issues.find((found) => found.path === item.path);
    expect(issue, `no issue at ${item.path} in:\n${error.message}`).toBeDefined();
    if (item.value !== undefined) expect(issue!.message).toContain(item.value);
    if (item.secret !== undefined) {
      expect(issue!.message).toContain("(secret, not shown)");
      expectNoSecret(error, item.secret);
    }
    expectNoSecret(error, MAP_KEY);
    expect(mocks.resources).toEqual([]);
  });
});

/** Valid edge cases: each registers its lab. */
const EDGE_CASES: [string, Record<string, unknown>][] = [
  [
    "a /30 link: one node and Docker's gateway",
    lab({
      segments: [{ name: "link", subnet: "10.70.0.0/30" }],
      nodes: [node({ interfaces: [{ segment: "link", address: "10.70.0.1" }] })],
    }),
  ],
  [
    "VNI 16777215, VXLAN port 65535, MTU 9000",
    lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 16777215, remote: "192.0.2.9", port: 65535, mtu: 9000 } }] }),
  ],
  ["VNI 1, MTU 1280", lab({ segments: [{ ...SEGMENT, gateway: "10.70.0.254", vxlan: { id: 1, remote: "192.0.2.9", mtu: 1280 } }] })],
  [
    "published ports 1 and 65535",
    lab({
      nodes: [
        node({
          publish: [
            { containerPort: 65535, hostPort: 65535 },
            { containerPort: 1, hostPort: 1 },
          ],
        }),
      ],
    }),
  ],
  [
    "one port over tcp and udp",
    lab({
      nodes: [
        node({
          publish: [
            { containerPort: 53, hostPort: 5353, hostAddress: "0.0.0.0" },
            { containerPort: 53, hostPort: 5353, protocol: "udp" },
          ],
        }),
      ],
    }),
  ],
  ["demoHostPort 65535", { labs: ["networking-demo"], demoHostPort: 65535 }],
  ["a namePrefix of 20 characters", { labs: ["routed-lan"], namePrefix: "a".repeat(20) }],
  ["a node name of 31 characters", lab({ nodes: [node({ name: `h${"1".repeat(30)}` })] })],
  [
    "routed-lab next to routed-lan's LANs",
    lab(
      { segments: [{ name: "lan", subnet: "10.232.4.0/24" }], nodes: [node({ interfaces: [{ segment: "lan", address: "10.232.4.10" }] })] },
      { labs: ["routed-lan", "routed-lab"] },
    ),
  ],
  [
    "routed-lab and the demo on one port, different addresses",
    lab(
      { nodes: [node({ publish: [{ containerPort: 80, hostPort: 4000, hostAddress: "127.0.0.2" }] })] },
      { labs: ["networking-demo", "routed-lab"] },
    ),
  ],
  ["a /28 EID subnet with four sandboxes", { ...LISP_SITE, oorSite: { eidSubnet: "10.241.1.0/28", sandboxes: ["a", "b", "c", "d"] } }],
  ["an RLOC gateway at .1 and the xTR at .254", { ...LISP_SITE, oorRloc: { ...RLOC, address: "198.51.100.254", gateway: "198.51.100.1" } }],
  [
    "an RLOC route on-link and one via a hop",
    { ...LISP_SITE, oorRlocRoutes: [{ to: "203.0.113.0/24" }, { to: "192.0.2.0/24", via: "198.51.100.1" }] },
  ],
  ["lisp-msmr with sites side by side", { ...LISP_MSMR, oorSites: ["10.241.0.0/24", "10.241.1.0/24", "10.242.0.0/16"] }],
  ["the dev stack's three labs together", { labs: ["networking-demo", "routed-lan", "bgp-triangle"] }],
  [
    "a host-reaching capability on a node that allows it",
    lab({ nodes: [node({ capabilities: ["SYS_PTRACE", "CAP_NET_RAW"], allowHostReachingCapabilities: true })] }),
  ],
  ["a file path with // and . in it (normalised)", lab({ nodes: [node({ files: { "/etc//netlabs/./motd": "hi" } })] })],
];

describe("valid edge cases are accepted", () => {
  it.each(EDGE_CASES)("%s", async (_, config) => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), { config: { ...REMOTE, ...config }, secretKeys: SECRET_KEYS });
    expect(mocks.ofType("docker:index/container:Container").length).toBeGreaterThan(0);
  });

  it("an ASN of 4294967295, a /28 host LAN and /29 links in a BgpTriangle", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new BgpTriangle("bgp", { asns: { r1: 4294967295, r2: 1, r3: 65000 }, subnets: { host: "10.0.0.0/28" } }));
    expect(mocks.ofType("docker:index/container:Container").length).toBeGreaterThan(0);
  });

  it("an OorRouter with instance id 16777215, debug 3 and priority 255", async () => {
    const mocks = new RecordingMocks();
    await runProgram(
      mocks,
      () => new OorRouter("oor", { ...XTR, debug: 3, eidPrefixes: [{ prefix: "10.1.0.0/24", iid: 16777215, priority: 255 }] }),
    );
    expect(mocks.ofType("docker:index/container:Container")).toHaveLength(1);
  });
});

describe("a secret set on a valid stack is in no output, name, label, log line or plain input", () => {
  it.each([
    ["oor-2xtrs-1msmr", OOR_LAB],
    ["lisp-site", LISP_SITE],
    ["lisp-msmr", LISP_MSMR],
  ])("%s", async (_, config) => {
    const logged: string[] = [];
    const original = { log: console.log, error: console.error, warn: console.warn, info: console.info };
    for (const method of ["log", "error", "warn", "info"] as const)
      console[method] = (...args: unknown[]) => logged.push(util.format(...args));
    const mocks = new RecordingMocks();
    let outputs: StackOutputs | undefined;
    try {
      outputs = await runProgram(mocks, () => buildStack(readStackConfig()), { config: { ...REMOTE, ...config }, secretKeys: SECRET_KEYS });
    } finally {
      Object.assign(console, original);
    }
    for (const secret of [MAP_KEY, SSH_KEY.split("\n")[1]]) {
      expect(JSON.stringify(outputs?.labs)).not.toContain(secret);
      expect(logged.join("\n")).not.toContain(secret);
      for (const resource of mocks.resources) {
        expect(resource.name).not.toContain(secret);
        // Where a secret is carried, the engine is told so; everywhere else it is absent.
        const plain = { ...resource.inputs };
        for (const secretPath of resource.secretPaths) delete plain[secretPath.split(/[.[]/)[0]];
        expect(JSON.stringify(plain), `${resource.type} ${resource.name}`).not.toContain(secret);
      }
    }
    const carriers = mocks.resources.filter((resource) => JSON.stringify(resource.inputs).includes(MAP_KEY));
    expect(carriers.length).toBeGreaterThan(0);
  });
});

describe("the bad-configuration suite", () => {
  it("counts its cases per category (at least 150 in all)", () => {
    const counts: Record<string, number> = {};
    for (const item of STACK_CASES) counts[item.category] = (counts[item.category] ?? 0) + 1;
    for (const item of COMPONENT_CASES) counts[`component:${item.component}`] = (counts[`component:${item.component}`] ?? 0) + 1;
    counts["valid edge cases"] = EDGE_CASES.length + 2;
    const total = STACK_CASES.length + COMPONENT_CASES.length;
    console.log(
      `[bad-config] ${total} rejected cases: ${Object.entries(counts)
        .map(([category, count]) => `${category} ${count}`)
        .join(", ")}`,
    );
    expect(total).toBeGreaterThanOrEqual(150);
    expect(counts).toEqual({
      types: 32,
      ranges: 24,
      names: 36,
      addresses: 46,
      overlaps: 18,
      references: 24,
      "cross-lab": 12,
      secrets: 15,
      "component:RoutedLab": 6,
      "component:BgpTriangle": 16,
      "component:OorRouter": 16,
      "component:LispSite": 10,
      "component:DockerHost": 2,
      "valid edge cases": 19,
    });
  });
});
