/**
 * The Docker provider reaches ssh:// hosts through the `ssh` command and takes no key material,
 * only ssh options. A site's key (a Pulumi secret) and known host key are therefore written to
 * files the options point at: content-addressed under ~/.docker-netlabs/ssh, owner-only (folder
 * 0700, files 0600, tightened when they already exist), so that the options are the same on every
 * run and no key is ever passed on a command line. Only a run of the program writes them: refresh
 * and destroy of an ssh:// site on another machine need `--run-program` (README).
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DockerHostAddress } from "./docker-host-url";

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

/** The known_hosts line for a host and port, as ssh writes it. Pure. */
export function knownHostsLine(address: DockerHostAddress, hostKey: string): string {
  const [type, blob] = hostKey.trim().split(/\s+/);
  const name = address.port && address.port !== 22 ? `[${address.host}]:${address.port}` : address.host;
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

/**
 * Writes the identity's files into `dir` and returns the ssh options for them: `<id>.key` and
 * `<id>.known_hosts`, `id` a digest of both, so the same identity always gets the same names.
 */
export function writeSshIdentity(dir: string, address: DockerHostAddress, hostKey: string, key: string): string[] {
  const knownHosts = knownHostsLine(address, hostKey);
  const id = createHash("sha256").update(key).update("\0").update(knownHosts).digest("hex").slice(0, 16);
  const keyFile = path.join(dir, `${id}.key`);
  const knownHostsFile = path.join(dir, `${id}.known_hosts`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode applies only to a folder it creates: an existing one is tightened here.
  fs.chmodSync(dir, 0o700);
  writeOwnerOnly(keyFile, key.endsWith("\n") ? key : `${key}\n`);
  writeOwnerOnly(knownHostsFile, knownHosts);
  return sshIdentityOpts(keyFile, knownHostsFile);
}

/**
 * Writes a file readable by its owner only, also when it already exists with a looser mode
 * (writeFile's mode applies only on creation): the mode is set on the open file before its content
 * is replaced. A symbolic link in its place is refused rather than followed.
 */
function writeOwnerOnly(file: string, content: string): void {
  const { O_WRONLY, O_CREAT, O_NOFOLLOW = 0 } = fs.constants;
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_NOFOLLOW, 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the identity's files (when the key is known) and returns the ssh options for them. */
export function materializeSshIdentity(
  address: DockerHostAddress,
  identity: SshIdentity,
  dir: string = defaultSshIdentityDir(),
): pulumi.Output<string[]> {
  return pulumi.output(identity.privateKey).apply((key) => writeSshIdentity(dir, address, identity.hostKey, key));
}
