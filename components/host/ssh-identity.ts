/**
 * The Docker provider reaches ssh:// hosts through the `ssh` command and takes no key material,
 * only ssh options. A site's key (a Pulumi secret) and known host key are therefore written to
 * files the options point at: content-addressed under ~/.docker-netlabs/ssh, owner-only (folder
 * 0700 and never a symbolic link, files 0600, see owner-only-files.ts), so that the options are the
 * same on every run and no key is ever passed on a command line. Only a run of the program writes
 * them: refresh and destroy need `--run-program` (docs/sites-and-pull-requests.md).
 *
 * Why the files outlive the program: the engine deletes what the program no longer declares, and
 * the old halves of create-before-replace, after the program has ended, with this provider and its
 * options; a key removed when the program ends would fail those deletes. So each run rewrites its
 * own files and removes those no run has written for STALE_SECRET_FILE_MS (a rotated key's, a
 * stack no longer deployed from here): a key lives on this machine from the last run that used it
 * until the first run after that time.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import { DockerHostAddress, bareHost } from "./docker-host-url";
import { ensureOwnerOnlyDir, removeStaleFiles, writeOwnerOnly } from "./owner-only-files";

export interface SshIdentity {
  /** The private key: a Pulumi secret, written to an owner-only file that the ssh options name. */
  privateKey: pulumi.Input<string>;
  /** The host's public key, as in known_hosts ("ssh-ed25519 AAAA..."). */
  hostKey: string;
}

/** Where the identities' files go: ~/.docker-netlabs/ssh, read when called (not at import). */
export function defaultSshIdentityDir(): string {
  return path.join(os.homedir(), ".docker-netlabs", "ssh");
}

/** The key types an OpenSSH server may show as its host key (DSA is gone from OpenSSH). */
export const HOST_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

/**
 * What is wrong with a host key as known_hosts holds it ("<type> <base64> [comment]", one line), or
 * undefined: a known type, and a key blob that decodes and names the same type. Pure.
 */
export function hostKeyIssue(hostKey: string): string | undefined {
  const rule = `must be a known_hosts key, "<type> <base64> [comment]" on one line, of type ${HOST_KEY_TYPES.join(", ")}`;
  const match = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: [^\r\n]*)?$/.exec(hostKey.trim());
  if (!match) return rule;
  const [, type, blob] = match;
  if (!(HOST_KEY_TYPES as readonly string[]).includes(type)) return `${rule} (not ${type})`;
  // The blob starts with its own type name (RFC 4253, 6.6): a key pasted under another type is refused.
  const bytes = Buffer.from(blob, "base64");
  const length = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  const named = length > 0 && 4 + length <= bytes.length ? bytes.subarray(4, 4 + length).toString("latin1") : undefined;
  if (named !== type) return `${rule}: its base64 part is not a ${type} key`;
  return undefined;
}

/** The known_hosts line for a host and port, as ssh writes it (an IPv6 address in one pair of brackets). Pure. */
export function knownHostsLine(address: DockerHostAddress, hostKey: string): string {
  const [type, blob] = hostKey.trim().split(/\s+/);
  const host = bareHost(address.host);
  const name = address.port && address.port !== 22 ? `[${host}]:${address.port}` : host;
  return `${name} ${type} ${blob}\n`;
}

/** ssh options that use the identity's files. Pure. */
export function sshIdentityOpts(keyFile: string, knownHostsFile: string): string[] {
  return [
    "-i",
    keyFile,
    "-o",
    `UserKnownHostsFile=${knownHostsFile}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "ConnectTimeout=10",
  ];
}

/** The names identity files have: `<id>.key` and `<id>.known_hosts`. */
const IDENTITY_FILE = /^[0-9a-f]{16}\.(key|known_hosts)$/;

/**
 * Writes the identity's files into `dir` and returns the ssh options for them: `<id>.key` and
 * `<id>.known_hosts`, `id` a digest of both, so the same identity always gets the same names.
 * Identity files no run has written for STALE_SECRET_FILE_MS (a rotated key's, a stack no longer
 * deployed from here) are removed.
 */
export function writeSshIdentity(dir: string, address: DockerHostAddress, hostKey: string, key: string): string[] {
  const knownHosts = knownHostsLine(address, hostKey);
  const id = createHash("sha256").update(key).update("\0").update(knownHosts).digest("hex").slice(0, 16);
  const keyFile = path.join(dir, `${id}.key`);
  const knownHostsFile = path.join(dir, `${id}.known_hosts`);
  ensureOwnerOnlyDir(dir);
  writeOwnerOnly(keyFile, key.endsWith("\n") ? key : `${key}\n`);
  writeOwnerOnly(knownHostsFile, knownHosts);
  removeStaleFiles(dir, IDENTITY_FILE, [path.basename(keyFile), path.basename(knownHostsFile)]);
  return sshIdentityOpts(keyFile, knownHostsFile);
}

/** Writes the identity's files (when the key is known) and returns the ssh options for them. */
export function materializeSshIdentity(
  address: DockerHostAddress,
  identity: SshIdentity,
  dir: string = defaultSshIdentityDir(),
): pulumi.Output<string[]> {
  return pulumi.output(identity.privateKey).apply((key) => writeSshIdentity(dir, address, identity.hostKey, key));
}
