/**
 * FRR's files for one router, assembled from the sections of the protocols it runs. Pure and
 * deterministic.
 *
 * Docker names a container's interfaces in its own order, so the configuration is rendered as a
 * template: each interface appears as a token (`@IF_<segment>@`) that the node's init script
 * replaces with the interface it found holding the segment's address, writing /etc/frr/frr.conf
 * before FRR starts. The real FRR checks these files in test/e2e/frr-config-check.test.ts.
 */
import { AnyRoutingProtocol, FrrDaemon, FrrSections, RouterBase, RouterInterface } from "../protocol";

export const FRR_CONFIG_PATH = "/etc/frr/frr.conf";
export const FRR_TEMPLATE_PATH = "/netlabs/frr.conf.in";
export const FRR_DAEMONS_PATH = "/etc/frr/daemons";
export const FRR_VTYSH_PATH = "/etc/frr/vtysh.conf";
/**
 * FRR's log: its daemons run detached, so `log stdout` would go nowhere; the node's init follows
 * this file onto the container's output, where `docker logs` shows it.
 */
export const FRR_LOG_PATH = "/var/log/frr/frr.log";
/**
 * The only capabilities a router running FRR keeps (Docker's other defaults are dropped). Measured
 * with FRR 8.4 by dropping each in turn: every daemon raises NET_ADMIN, NET_RAW and SYS_ADMIN at
 * start, bgpd, ospfd and bfdd also NET_BIND_SERVICE, and exits without one ("privs_init: initial
 * cap_set_proc failed"); FRR's init fails without CHOWN, FOWNER, DAC_OVERRIDE, SETUID or SETGID.
 * KILL: watchfrr runs as root and its daemons as frr; without it root may not signal them (measured
 * with kill -0), so watchfrr could not restart a hung daemon.
 */
export const FRR_CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "KILL",
  "NET_ADMIN",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETGID",
  "SETUID",
  "SYS_ADMIN",
] as const;

/** The files a router's routing owns: a node's own `files` may not name them. */
export const FRR_RESERVED_PATHS = [FRR_CONFIG_PATH, FRR_TEMPLATE_PATH, FRR_DAEMONS_PATH, FRR_VTYSH_PATH] as const;

/** How long FRR may take, after it is started, to run its daemons with their configuration loaded. */
export const FRR_WAIT_SECONDS = 30;

export const VTYSH_CONF = "service integrated-vtysh-config\n";

/** The token standing for the interface on `segment` until the node's init fills it in. */
export function interfaceToken(segment: string): string {
  return `@IF_${segment}@`;
}

/** How FRR runs a router's protocols: what the node's init needs, and the files FRR reads. */
export interface FrrRouterPlan {
  /** The daemons it runs besides zebra and staticd (which FRR always starts), in the protocols' order. */
  daemons: string[];
  /** Per daemon, zebra first: a line of its running configuration once it loaded the router's (for `grep -x`). */
  readyLines: { daemon: string; line: string }[];
  /**
   * Each segment the protocols configure, in the node's order: the lines of its interface node, and
   * the protocols they are of (the node applies them again to a reconnected segment's new interface).
   */
  interfaces: { segment: string; address: string; lines: string[]; protocols: string[] }[];
  /** The configuration template, the daemons file and vtysh.conf, by path. */
  files: Record<string, string>;
  /** Shell lines the node's init runs once its interfaces are found (protocol.ts, setup); absent when none. */
  setup?: string[];
  /**
   * The template (and the init, which re-applies interface lines) holds a secret, such as an OSPF
   * key: the node declares them as Pulumi secrets. Absent otherwise.
   */
  holdsSecret?: boolean;
  /** Its interfaces on unnumbered segments: Docker's address there, and the loopbacks borrowed in its place. */
  unnumbered?: { segment: string; address: string; prefixLength: number; local: string; peer: string }[];
  /** Values of the template's secret tokens, by token (absent where none): filled in as a Pulumi secret when the file is uploaded. */
  secrets?: Record<string, unknown>;
}

/** FRR's plan of a router, from the sections of the protocols it runs; `protocols`: every registered one (the daemons file lists theirs). */
export function planFrr(
  protocols: readonly AnyRoutingProtocol[],
  hostname: string,
  interfaces: RouterInterface[],
  router: RouterBase,
): FrrRouterPlan {
  const running = protocols.filter((protocol) => protocol.runs(router));
  const sections = running.map((protocol) => ({ title: protocol.title, sections: protocol.frr.sections(router) }));
  const daemons = running.flatMap((protocol) => protocol.frr.running(router));
  const interfaceNodes = interfaceNodesOf(interfaces, sections);
  const setup = running.flatMap((protocol) => protocol.frr.setup?.(router) ?? []);
  const secrets = Object.assign({}, ...sections.map(({ sections: { secrets = {} } }) => secrets));
  return {
    // A daemon two protocols run (OSPF's ospfd, also in a VRF) is named once; staticd runs on every
    // router, and a protocol may still wait for it to load its routes (readyLines).
    daemons: [...new Set(daemons.map(({ daemon }) => daemon))].filter((daemon) => daemon !== "staticd"),
    readyLines: [
      { daemon: "zebra", line: `hostname ${hostname}` },
      ...daemons.map(({ daemon, readyLine }) => ({ daemon, line: readyLine })),
    ],
    interfaces: interfaceNodes,
    files: {
      [FRR_TEMPLATE_PATH]: renderFrrTemplate(hostname, sections, interfaceNodes),
      [FRR_DAEMONS_PATH]: renderDaemons(protocols, new Set(daemons.map(({ daemon }) => daemon))),
      [FRR_VTYSH_PATH]: VTYSH_CONF,
    },
    ...(setup.length > 0 ? { setup } : {}),
    ...(sections.some(({ sections: part }) => part.secret) ? { holdsSecret: true } : {}),
    ...unnumberedOf(interfaces),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}

/** The router's unnumbered interfaces, where it has some. */
function unnumberedOf(interfaces: RouterInterface[]): Pick<FrrRouterPlan, "unnumbered"> {
  const unnumbered = interfaces.flatMap(({ segment, address, prefixLength, borrowed }) =>
    borrowed ? [{ segment, address, prefixLength, local: borrowed.local, peer: borrowed.peer }] : [],
  );
  return unnumbered.length > 0 ? { unnumbered } : {};
}

/** Per segment with the protocols' lines, in the node's order: a description, then each protocol's lines. */
function interfaceNodesOf(
  interfaces: RouterInterface[],
  sections: { title: string; sections: FrrSections }[],
): FrrRouterPlan["interfaces"] {
  return interfaces.flatMap(({ segment, address }) => {
    const parts = sections.flatMap(({ title, sections: { interfaces: lines = [] } }) =>
      lines.filter((part) => part.segment === segment).map((part) => ({ title, lines: part.lines })),
    );
    if (parts.length === 0) return [];
    const lines = [`description ${segment}`, ...parts.flatMap((part) => part.lines)];
    return [{ segment, address, lines, protocols: parts.map((part) => part.title) }];
  });
}

/**
 * The configuration: a header, the protocols' preambles (nodes others refer to), the interface
 * nodes (`lo`, then each segment), then each protocol's router node; every node closed by `exit`.
 */
function renderFrrTemplate(hostname: string, sections: { sections: FrrSections }[], interfaceNodes: FrrRouterPlan["interfaces"]): string {
  const node = (lines: string[]) => [...lines, "exit", "!"];
  const indented = (lines: string[]) => lines.map((line) => ` ${line}`);
  const loopback = sections.flatMap(({ sections: { loopback = [] } }) => loopback);
  const global = sections.flatMap(({ sections: { global = [] } }) => global);
  const lines = [
    `! docker-netlabs: generated FRR configuration of ${hostname}; interface names are filled in when the node starts`,
    "frr defaults traditional",
    `hostname ${hostname}`,
    `log file ${FRR_LOG_PATH} informational`,
    // Failover in a lab takes tens of ms: seconds would not tell its steps apart.
    "log timestamp precision 3",
    "service integrated-vtysh-config",
    "!",
    ...(global.length > 0 ? [...global, "!"] : []),
    ...sections.flatMap(({ sections: { preamble } }) => (preamble ? node(preamble) : [])),
    ...(loopback.length > 0 ? node(["interface lo", ...indented(loopback)]) : []),
    ...interfaceNodes.flatMap(({ segment, lines }) => node([`interface ${interfaceToken(segment)}`, ...indented(lines)])),
    ...sections.flatMap(({ sections: { router } }) => (router ? node(router) : [])),
    "end",
    "",
  ];
  return lines.join("\n");
}

/** `name_options="   -A …"`, the options aligned as in FRR's own daemons file. */
const optionsLine = (daemon: string, options: string) => `${daemon}_options="${" ".repeat(Math.max(0, 7 - daemon.length))}${options}"`;

/**
 * /etc/frr/daemons: FRR's init starts zebra, staticd and the daemons set to yes, under watchfrr.
 * Listed: every daemon its protocol always lists, and any other the router runs; the options of
 * the per-node protocols' daemons come before staticd's, the lab-wide ones' after.
 */
function renderDaemons(protocols: readonly AnyRoutingProtocol[], running: ReadonlySet<string>): string {
  const listed = protocols.flatMap((protocol) =>
    protocol.frr.daemons
      .filter((daemon: FrrDaemon) => daemon.listedWhenOff || running.has(daemon.name))
      .map((daemon: FrrDaemon) => ({ daemon, perNode: protocol.nodeSchema !== undefined })),
  );
  const options = (perNode: boolean) =>
    listed.filter((entry) => entry.perNode === perNode).map(({ daemon }) => optionsLine(daemon.name, daemon.options));
  return [
    "# docker-netlabs: generated; the daemons this router needs",
    ...listed.map(({ daemon }) => `${daemon.name}=${running.has(daemon.name) ? "yes" : "no"}`),
    "vtysh_enable=yes",
    optionsLine("zebra", "-A 127.0.0.1 -s 90000000"),
    ...options(true),
    optionsLine("staticd", "-A 127.0.0.1"),
    ...options(false),
    "",
  ].join("\n");
}
