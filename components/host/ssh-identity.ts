/**
 * The Docker provider reaches ssh:// hosts through the `ssh` command and takes no key material,
 * only ssh options. A site's key (a Pulumi secret) and known host key are therefore written to
 * files the options point at: content-addressed under ~/.docker-netlabs/ssh, owner-only, so that
 * the options are the same on every run and no key is ever passed on a command line.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DockerHostAddress } from "./docker-host-url";

export interface SshIdentity {
  privateKey: pulumi.Input<string>;
  /** The host's public key, as in known_hosts ("ssh-ed25519 AAAA..."). */
  hostKey: string;
}

export const SSH_IDENTITY_DIR = path.join(os.homedir(), ".docker-netlabs", "ssh");

/** The known_hosts line for a host and port, as ssh writes it. Pure. */
export function knownHostsLine(address: DockerHostAddress, hostKey: string): string {
  const [type, blob] = hostKey.trim().split(/\s+/);
  const name = address.port && address.port !== 22 ? `[${address.host}]:${address.port}` : address.host;
  return `${name} ${type} ${blob}\n`;
}

/** ssh options that use the identity's files. Pure. */
export function sshIdentityOpts(keyFile: string, knownHostsFile: string): string[] {
  return [
    "-i", keyFile,
    "-o", `UserKnownHostsFile=${knownHostsFile}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "IdentitiesOnly=yes",
    "-o", "ConnectTimeout=10",
  ];
}

/** Writes the identity's files (when the key is known) and returns the ssh options for them. */
export function materializeSshIdentity(address: DockerHostAddress, identity: SshIdentity): pulumi.Output<string[]> {
  return pulumi.output(identity.privateKey).apply((key) => {
    const id = createHash("sha256").update(key).update("\0").update(knownHostsLine(address, identity.hostKey)).digest("hex").slice(0, 16);
    const keyFile = path.join(SSH_IDENTITY_DIR, `${id}.key`);
    const knownHostsFile = path.join(SSH_IDENTITY_DIR, `${id}.known_hosts`);
    fs.mkdirSync(SSH_IDENTITY_DIR, { recursive: true, mode: 0o700 });
    fs.writeFileSync(keyFile, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
    fs.writeFileSync(knownHostsFile, knownHostsLine(address, identity.hostKey), { mode: 0o600 });
    return sshIdentityOpts(keyFile, knownHostsFile);
  });
}
