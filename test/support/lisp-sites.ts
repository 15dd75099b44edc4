/**
 * The per-role LISP stacks (Pulumi.msmr.yaml, Pulumi.site-a.yaml, Pulumi.site-b.yaml) as the e2e
 * tier deploys them: each stack file's config, pointed at an emulated host, its RLOC network a
 * macvlan on that host's underlay interface (the stack files' `parent: eth1`).
 */
import { EmulatedHost } from "./emulated-hosts";
import { stackFileConfig } from "./stack-files";
import { ensureLocalImage } from "./stretch-sites";

export type LispStack = "msmr" | "site-a" | "site-b";

/** What the emulated hosts need: the base image and the images the LISP stacks run. */
export async function lispImages(): Promise<string[]> {
  return ["debian:bookworm-slim", ...(await Promise.all(["client", "router", "oor"].map(ensureLocalImage)))];
}

/** A LISP stack file's config, deployed to `host` through ssh:// with its keys, images preloaded. */
export function lispStackConfig(stack: LispStack, host: EmulatedHost, key: string, overrides: Record<string, unknown> = {}) {
  const config = stackFileConfig(stack);
  return {
    ...config,
    oorRloc: { ...config.oorRloc, parent: host.underlayDevice },
    oorMapServerKey: key,
    dockerHost: host.dockerHost,
    sshPrivateKey: host.sshd.privateKey,
    sshHostKey: host.sshd.hostPublicKey,
    // The emulated hosts have no egress: their images are loaded ahead (lispImages).
    labImages: "preloaded",
    ...overrides,
  };
}
