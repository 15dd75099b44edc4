/**
 * Every key of the stack configuration (namespace `docker-netlabs`), each defined once with its
 * type and default. The stack settings are read by stacks/index.ts itself; every other key belongs
 * to the compositions that list it in their `reads` (a unit test checks that each key has a reader).
 * Defaults equal Pulumi.yaml's config schema (a unit test keeps them equal).
 */
import { z } from "zod";
import { parseDockerHost } from "../components/host/docker-host-url";
import { hostKeyIssue } from "../components/host/ssh-identity";
import { sshOptionIssues } from "../components/host/ssh-options";
import { DEFAULT_RESTART_POLICY, restartPolicySchema } from "../components/host/lifecycle";
import { BASE_IMAGE } from "../components/host/engine-facts";
import { isIpv4Address } from "../components/net/addressing";
import { OOR_KEY_PATTERN, OOR_KEY_RULE } from "../components/oor/plan";

export const CONFIG_NAMESPACE = "docker-netlabs";

/** The compositions a stack can build, by name (see stacks/index.ts). */
export const COMPOSITION_NAMES = [
  "networking-demo",
  "routed-lan",
  "bgp-triangle",
  "oor-2xtrs-1msmr",
  "lisp-site",
  "lisp-msmr",
  "routed-lab",
] as const;
export type CompositionName = (typeof COMPOSITION_NAMES)[number];
/** What a stack builds unless it names its labs: everything that runs without an outside image or a secret. */
export const DEFAULT_LABS: CompositionName[] = ["networking-demo", "routed-lan", "bgp-triangle"];

/** Config keys whose values are secrets: errors name them, never show them. */
export const SECRET_CONFIG_KEYS = ["sshPrivateKey", "oorMapServerKey", "dockerTlsCa", "dockerTlsCert", "dockerTlsKey"] as const;

/** PEM text of one kind ("CERTIFICATE", "PRIVATE KEY" of any algorithm). */
const pem = (kind: RegExp, what: string) =>
  z
    .string()
    .refine(
      (text) => new RegExp(`-----BEGIN ${kind.source}-----[\\s\\S]+-----END ${kind.source}-----`).test(text),
      `must be ${what} in PEM form`,
    );

/**
 * A Docker image reference as the engine parses it (distribution/reference): [registry[:port]/]
 * lowercase path components joined by `.`, `_`, `__` or dashes, then an optional `:tag` and
 * `@algorithm:hex` digest. A name is at most 255 characters.
 */
const DOMAIN = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function isImageReference(text: string): boolean {
  if (text.length > 512) return false;
  const match = IMAGE_REFERENCE.exec(text);
  return match !== null && match[1].length <= 255;
}

/** A base image reference; a digest, when it has one, is sha256 in full (what `docker pull` takes). */
export function isBaseImage(text: string): boolean {
  return isImageReference(text) && (!text.includes("@") || /@sha256:[0-9a-f]{64}$/.test(text));
}

const ipv4 = z.string().refine(isIpv4Address, "must be an IPv4 address");
/** A host interface name as Linux takes it (IFNAMSIZ: at most 15 characters, no slash or space). */
const interfaceName = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, "must be a host interface name of at most 15 characters");

/** Keys the stack itself reads: where the labs run, how they are named, restarted, imaged and probed. */
export const SETTING_KEYS = {
  dockerHost: z
    .string()
    .default("unix:///var/run/docker.sock")
    .superRefine((value, ctx) => {
      const parsed = parseDockerHost(value);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
      // ssh reads a user or host that starts with a dash as one of its own options (-oProxyCommand=...).
      else if (parsed.host.startsWith("-") || parsed.user?.startsWith("-")) {
        ctx.addIssue({ code: "custom", message: "names a user or host starting with '-', which ssh would read as an option" });
      }
    }),
  /**
   * Extra ssh options, from an allow-list (components/host/ssh-options.ts): the provider, probes,
   * readiness gate and lease all use them, so none may weaken host key checking or run a command.
   */
  sshOpts: z
    .array(z.string())
    .superRefine((opts, ctx) => {
      for (const issue of sshOptionIssues(opts)) ctx.addIssue({ code: "custom", path: [issue.index], message: issue.message });
    })
    .default([]),
  /** The private key of an ssh:// host (set with `pulumi config set --secret sshPrivateKey < key`). */
  sshPrivateKey: z.string().optional(),
  /** That host's public key as in known_hosts ("ssh-ed25519 AAAA..."): hosts are never trusted blindly. */
  sshHostKey: z
    .string()
    .superRefine((value, ctx) => {
      const issue = hostKeyIssue(value);
      if (issue) ctx.addIssue({ code: "custom", message: issue });
    })
    .optional(),
  /**
   * A tcp:// engine's TLS (as `dockerd --tlsverify` serves it): the CA that signed the engine's
   * certificate, and this client's certificate and key. A plain tcp:// Docker API is root for
   * anyone on the path, so a tcp:// dockerHost needs all three. Secrets (`pulumi config set --secret
   * dockerTlsKey < key.pem`); they reach the provider as secrets and the Docker CLI as owner-only files.
   */
  dockerTlsCa: pem(/CERTIFICATE/, "a CA certificate").optional(),
  dockerTlsCert: pem(/CERTIFICATE/, "a client certificate").optional(),
  dockerTlsKey: pem(/(?:RSA |EC )?PRIVATE KEY/, "a private key").optional(),
  labs: z
    .array(z.enum(COMPOSITION_NAMES, { message: `must be one of ${COMPOSITION_NAMES.join(", ")}` }))
    .min(1, "names no lab")
    .default([...DEFAULT_LABS])
    .superRefine((labs, ctx) => {
      const twice = labs.filter((lab, index) => labs.indexOf(lab) !== index);
      if (twice.length > 0)
        ctx.addIssue({ code: "custom", message: `names ${[...new Set(twice)].map((lab) => `"${lab}"`).join(", ")} twice` });
    }),
  namePrefix: z
    .string()
    .regex(/^(?:[a-z0-9][a-z0-9-]{0,19})?$/, "must be at most 20 lowercase letters, digits or dashes, not starting with a dash")
    .default(""),
  /** Probe each lab once it is up (LabProbe) and export the results. */
  probes: z.boolean().default(true),
  /** Fail `pulumi up` when a probe check fails. */
  failOnProbe: z.boolean().default(false),
  /** What lab containers do after a Docker daemon restart or host reboot. */
  restartPolicy: restartPolicySchema.default(DEFAULT_RESTART_POLICY),
  /**
   * Build the lab images on the host, or use ones already loaded there under their digest tag
   * (hosts without egress): the node images, and the own OOR image when the OOR labs run it.
   */
  labImages: z.enum(["build", "preloaded"], { message: "must be build or preloaded" }).default("build"),
  /**
   * The base of the own images (their Dockerfiles' FROM), part of what their tags digest: pinned by
   * digest (`debian:bookworm-slim@sha256:<64 hex>`), a new pin rebuilds them on a host that can pull it.
   */
  baseImage: z
    .string()
    .refine(isBaseImage, "must be an image reference, pinned as name[:tag]@sha256:<64 hex digits> (e.g. debian:bookworm-slim@sha256:...)")
    .default(BASE_IMAGE),
};

/** Keys the compositions read, each listed in the `reads` of the compositions that use it. */
export const LAB_KEYS = {
  publishAddress: ipv4.default("127.0.0.1"),
  demoHostPort: z
    .number()
    .int("must be a whole number")
    .min(1, "must be a port from 1 to 65535")
    .max(65535, "must be a port from 1 to 65535")
    .default(4000),
  internal: z.boolean().default(true),
  /** The OpenOverlayRouter image of the OOR labs: the own (images/oor, built on the host or preloaded, as labImages says) unless another is named. */
  oorImage: z
    .string()
    .refine(isImageReference, "must be an image reference such as openoverlayrouter/oor:latest or registry.example:5000/oor@sha256:<hex>")
    .default("docker-netlabs/oor"),
  /** The map-server key of the OOR labs; set it with `pulumi config set --secret`. */
  oorMapServerKey: z.string().min(8, "must be at least 8 characters").regex(OOR_KEY_PATTERN, OOR_KEY_RULE).optional(),
  /** lisp-site / lisp-msmr: this site's RLOC network and its address there (a macvlan on `parent` if named). */
  oorRloc: z.strictObject({ subnet: z.string(), address: ipv4, gateway: ipv4.optional(), parent: interfaceName.optional() }).optional(),
  /** lisp-site: the site's EID prefix and sandbox names. */
  oorSite: z.strictObject({ eidSubnet: z.string(), sandboxes: z.array(z.string()).min(1, "names no sandbox").optional() }).optional(),
  /** lisp-site: the MS/MR's RLOC address (the lisp-msmr stack's msmr address). */
  oorMapServer: ipv4.optional(),
  /** lisp-msmr: the EID prefixes of the sites it accepts. */
  oorSites: z.array(z.string()).min(1, "names no site").optional(),
  /** lisp-site / lisp-msmr: routes towards the other sites' RLOCs (via a hop, or on-link). */
  oorRlocRoutes: z.array(z.strictObject({ to: z.string(), via: ipv4.optional() })).optional(),
  /** routed-lab: the lab itself (segments, nodes, checks), as in components/net/topology.ts; validated there. */
  routedLab: z.record(z.string(), z.unknown()).optional(),
};

export type SettingKey = keyof typeof SETTING_KEYS;
export type LabKey = keyof typeof LAB_KEYS;

/** The validated value of every key (defaults applied; optional keys may be absent). */
export type StackConfig = { [K in SettingKey]: z.output<(typeof SETTING_KEYS)[K]> } & { [K in LabKey]: z.output<(typeof LAB_KEYS)[K]> };

/** What a composition is given: the keys it reads, the ones it requires present. */
export type ConfigSlice<K extends LabKey, R extends K = never> = { [P in Exclude<K, R>]: StackConfig[P] } & {
  [P in R]-?: NonNullable<StackConfig[P]>;
};

/** A config key as Pulumi names it, for error paths: docker-netlabs:oorRloc.address. */
export function configPath(path: string): string {
  return `${CONFIG_NAMESPACE}:${path}`;
}
