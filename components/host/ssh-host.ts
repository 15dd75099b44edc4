/**
 * An SSH connection to a Docker host (ssh2), for what the Docker provider cannot do: read host
 * facts at preview (HostCheck: the engine's facts of engine-facts.ts, with the same docker commands
 * as for a local or tcp:// engine) and reach the engine's socket. One connection per host, reused for all its work;
 * connect and every command are bounded by timeouts (a command's from the moment it is asked for,
 * so a channel that never opens times out too), and keepalives drop a connection that goes silent;
 * the host key is always checked against the
 * configured one; every error names the host and the step that failed, never the key.
 * (Docker commands with the provider's own ssh options go through host-exec.ts instead.)
 */
import { Client, ClientChannel } from "ssh2";
import {
  DockerOutput,
  ENGINE_QUERIES,
  EngineFacts,
  engineFacts,
  imageSourcesArgs,
  kernelLookArgs,
  kernelLookImage,
  lookImage,
  networkLookArgs,
} from "./engine-facts";
import { shWord } from "./host-exec";

export interface SshTarget {
  host: string;
  port?: number;
  user: string;
  /** OpenSSH private key text (a secret in stack config). */
  privateKey: string;
  /** The host's public key as in known_hosts ("ssh-ed25519 AAAA..."); without it no host is trusted. */
  hostKey: string;
  connectTimeoutMs?: number;
  /** Bounds each command from the moment it is asked for, the channel's opening included. */
  commandTimeoutMs?: number;
  /** How often a silent connection is probed (SSH keepalive); after 3 unanswered probes it is dropped. */
  keepaliveIntervalMs?: number;
}

export type SshStep = "connect" | "key" | "host-key" | "auth" | "exec";

export class SshHostError extends Error {
  constructor(
    readonly host: string,
    readonly step: SshStep,
    message: string,
  ) {
    super(`ssh ${host}: ${step}: ${message}`);
    // Set again: serialized for a dynamic provider (HostCheck), super() becomes Error.call(this, ...),
    // which returns a new error and leaves this one without a message.
    this.message = `ssh ${host}: ${step}: ${message}`;
    this.name = "SshHostError";
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** A host's facts as its engine sees them (engine-facts.ts): the same for every transport. */
export type HostFacts = EngineFacts;

export class SshHost {
  /** SSH connections this object opened (one, however much work it does). */
  connectionsOpened = 0;
  private connecting?: Promise<Client>;
  private readonly label: string;

  constructor(readonly target: SshTarget) {
    this.label = `${target.user}@${target.host}:${target.port ?? 22}`;
  }

  /** The connection, opened on first use and reused after. */
  connect(): Promise<Client> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  private open(): Promise<Client> {
    const expected = parseHostKey(this.target.hostKey);
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyRejected = false;
      this.connectionsOpened++;
      client
        .on("ready", () => resolve(client))
        .on("error", (error: Error & { level?: string }) => {
          this.connecting = undefined;
          if (hostKeyRejected) reject(new SshHostError(this.label, "host-key", "the host's key is not the configured hostKey"));
          else if (error.level === "client-authentication") reject(new SshHostError(this.label, "auth", "the key was refused"));
          else reject(new SshHostError(this.label, "connect", error.message));
        });
      try {
        client.connect({
          host: this.target.host,
          port: this.target.port ?? 22,
          username: this.target.user,
          privateKey: this.target.privateKey,
          readyTimeout: this.target.connectTimeoutMs ?? 10_000,
          // A host that stalls after the handshake is dropped, not waited on for ever.
          keepaliveInterval: this.target.keepaliveIntervalMs ?? 10_000,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => {
            hostKeyRejected = !key.equals(expected);
            return !hostKeyRejected;
          },
        });
      } catch {
        // ssh2 throws here for a key it cannot parse; its message is not repeated (the step is enough).
        this.connecting = undefined;
        reject(new SshHostError(this.label, "key", "the private key cannot be read (an unencrypted OpenSSH or PEM key is needed)"));
      }
    });
  }

  /**
   * Runs one command on the host, bounded by the command timeout from the moment it is asked for:
   * a host that never opens the channel or never answers the exec request times out too.
   */
  async exec(command: string, timeoutMs = this.target.commandTimeoutMs ?? 30_000): Promise<ExecResult> {
    const client = await this.connect();
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let channel: ClientChannel | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        channel?.close();
        reject(new SshHostError(this.label, "exec", `${command}: no result within ${timeoutMs} ms`));
      }, timeoutMs);
      client.exec(command, (error, stream: ClientChannel) => {
        // A channel that opens after its time is up is closed at once.
        if (timedOut) return stream?.close();
        if (error) {
          clearTimeout(timer);
          return reject(new SshHostError(this.label, "exec", `${command}: ${error.message}`));
        }
        channel = stream;
        let stdout = "";
        let stderr = "";
        stream.on("data", (data: Buffer) => (stdout += data.toString()));
        stream.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
        stream.on("close", (code: number | null) => {
          clearTimeout(timer);
          resolve({ stdout, stderr, code: code ?? -1 });
        });
      });
    });
  }

  /**
   * Every fact HostCheck needs, read as the engine sees them with the same docker commands the
   * local CLI runs for unix:// and tcp:// (engine-facts.ts), each one bounded: the queries, then a
   * look at the engine's network namespace from a container on an image it already has; and what
   * the images `sourcesOf` say they are built from.
   */
  async facts(sourcesOf: readonly string[] = [], kernel = false): Promise<HostFacts> {
    const docker = async (args: readonly string[]): Promise<DockerOutput> => {
      try {
        return await this.exec(["docker", ...args].map(shWord).join(" "));
      } catch (error) {
        // A command out of time is a fact unknown; a connection that fails is the check's failure.
        if (error instanceof SshHostError && error.step === "exec") return { code: -1, stdout: "", stderr: error.message };
        throw error;
      }
    };
    const version = await docker(ENGINE_QUERIES.version);
    if (version.code !== 0) return engineFacts({ version });
    const [info, images] = [await docker(ENGINE_QUERIES.info), await docker(ENGINE_QUERIES.images)];
    const image = lookImage(images);
    const look = image ? await docker(networkLookArgs(image)) : undefined;
    const sources = sourcesOf.length > 0 ? await docker(imageSourcesArgs(sourcesOf)) : undefined;
    const kernelImage = kernel ? kernelLookImage(images) : undefined;
    const kernelLook = kernelImage ? await docker(kernelLookArgs(kernelImage)) : undefined;
    return engineFacts({ version, info, images, sources, sourcesOf, look, lookWanted: true, kernelLook, kernelWanted: kernel });
  }

  /**
   * A stream to the host's Docker socket over this connection (needs AllowStreamLocalForwarding
   * on the server): how a client speaks to a remote engine with a key and host key of its own.
   */
  async openDockerSocket(socketPath = "/var/run/docker.sock"): Promise<ClientChannel> {
    const client = await this.connect();
    return new Promise((resolve, reject) =>
      client.openssh_forwardOutStreamLocal(socketPath, (error, stream) =>
        error ? reject(new SshHostError(this.label, "exec", `forwarding ${socketPath}: ${error.message}`)) : resolve(stream),
      ),
    );
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting) (await connecting.catch(() => undefined))?.end();
  }
}

/** The raw key blob of a known_hosts style line ("ssh-ed25519 AAAA... comment"). */
export function parseHostKey(line: string): Buffer {
  const blob = line.trim().split(/\s+/)[1];
  if (!blob) throw new Error(`hostKey ${JSON.stringify(line)} is not "<type> <base64>" as in known_hosts`);
  return Buffer.from(blob, "base64");
}

export { checkHostFacts } from "./host-facts";
export type { HostNeeds } from "./host-facts";
