/**
 * A tcp:// engine's TLS (dockerd --tlsverify): the CA that signed the engine's certificate, and
 * this client's certificate and key, all Pulumi secrets. The Docker provider takes them as text;
 * the Docker CLI that the readiness gate, the probes and the DHCP lease run takes only files, so
 * they are also written, owner-only, where dockerTlsFiles (host-exec.ts) says, and folders of
 * engines no run has used for a while are removed (owner-only-files.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { dockerTlsFiles } from "./host-exec";
import { ensureOwnerOnlyDir, removeStaleFiles, writeOwnerOnly } from "./owner-only-files";

export interface DockerTls {
  /** PEM of the CA that signed the engine's certificate. */
  ca: pulumi.Input<string>;
  /** PEM of this client's certificate. */
  cert: pulumi.Input<string>;
  /** PEM of this client's key. */
  key: pulumi.Input<string>;
}

/** The material as text, once it is known. */
export interface DockerTlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

/** Writes the material into the engine's TLS folder (owner-only), and removes the stale folders of other engines. */
export function writeDockerTls(dockerHost: string, material: DockerTlsMaterial): void {
  const files = dockerTlsFiles(dockerHost);
  const dir = path.dirname(files.ca);
  ensureOwnerOnlyDir(dir);
  for (const part of ["ca", "cert", "key"] as const) {
    writeOwnerOnly(files[part], material[part].endsWith("\n") ? material[part] : `${material[part]}\n`);
  }
  // Rewriting a file leaves its folder's time as it was: the folder is marked as used by this run.
  const now = new Date();
  fs.utimesSync(dir, now, now);
  removeStaleFiles(path.dirname(dir), /^[0-9a-f]{16}$/, [path.basename(dir)]);
}

/** The material, secret, once its files are written: the provider is configured only after that. */
export function materializeDockerTls(dockerHost: string, tls: DockerTls): pulumi.Output<DockerTlsMaterial> {
  return pulumi.secret(
    pulumi.all([tls.ca, tls.cert, tls.key]).apply(([ca, cert, key]) => {
      const material = { ca, cert, key };
      writeDockerTls(dockerHost, material);
      return material;
    }),
  );
}
