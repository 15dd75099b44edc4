/**
 * LabProbe: a dynamic resource that, once a lab is up, runs its checks on the lab's host (reach
 * an address, fetch a URL, BGP sessions Established, a file such as a DHCP lease present) and
 * exports the results; `failOnError` makes `pulumi up` fail when a check fails.
 *
 * The provider below runs in Pulumi's dynamic-provider host, which loads only node_modules: its
 * code is self-contained on purpose (node builtins and ssh2, required inside the functions).
 * Checks run `docker exec` in the lab's containers, locally or over one SSH connection per host.
 */
import * as pulumi from "@pulumi/pulumi";

export type ProbeCheck =
  | { kind: "fetch"; name: string; from: string; url: string; expect?: string }
  | { kind: "reach"; name: string; from: string; address: string }
  | { kind: "bgp"; name: string; router: string; established: number }
  /** A file present and not empty; its content is reported only with `show` (never for secrets). */
  | { kind: "file"; name: string; container: string; path: string; show?: boolean };

export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface ProbeSsh {
  host: string;
  port?: number;
  user: string;
  privateKey: pulumi.Input<string>;
  /** The host's public key as in known_hosts; the connection is refused if the host shows another. */
  hostKey?: string;
}

export interface LabProbeArgs {
  /** The lab's Docker host: unix:///... (the local engine) or ssh://user@host[:port] with `ssh`. */
  dockerHost: string;
  ssh?: ProbeSsh;
  checks: ProbeCheck[];
  /** How long each check may keep retrying before it counts as failed. */
  timeoutSeconds?: number;
  failOnError?: boolean;
}

interface ProbeInputs {
  dockerHost: string;
  ssh?: { host: string; port?: number; user: string; privateKey: string; hostKey?: string };
  checks: ProbeCheck[];
  timeoutSeconds: number;
  failOnError: boolean;
}

/** Runs every check, retrying each until it passes or its time is up. */
async function runChecks(inputs: ProbeInputs): Promise<ProbeResult[]> {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  let client: any;
  const exec = async (argv: string[]): Promise<{ code: number; stdout: string }> => {
    if (!inputs.ssh) {
      const { execFile } = require("node:child_process");
      return new Promise((resolve) =>
        execFile("docker", ["-H", inputs.dockerHost, ...argv], { timeout: 20_000 }, (error: any, stdout: string) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout) }),
        ),
      );
    }
    if (!client) {
      const { Client } = require("ssh2");
      client = await new Promise((resolve, reject) => {
        const c = new Client();
        c.on("ready", () => resolve(c))
          .on("error", (e: Error) => reject(new Error(`ssh ${inputs.ssh!.host}: connect: ${e.message}`)))
          .connect({
            host: inputs.ssh!.host,
            port: inputs.ssh!.port ?? 22,
            username: inputs.ssh!.user,
            privateKey: inputs.ssh!.privateKey,
            readyTimeout: 10_000,
            hostVerifier: (key: Buffer) => !inputs.ssh!.hostKey || key.equals(Buffer.from(inputs.ssh!.hostKey.trim().split(/\s+/)[1], "base64")),
          });
      });
    }
    return new Promise((resolve, reject) => {
      client.exec(["docker", ...argv].map(quote).join(" "), (error: Error | undefined, stream: any) => {
        if (error) return reject(error);
        let stdout = "";
        const timer = setTimeout(() => stream.close(), 20_000);
        stream.on("data", (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on("data", () => undefined);
        stream.on("close", (code: number | null) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stdout });
        });
      });
    });
  };
  const once = async (check: ProbeCheck): Promise<{ ok: boolean; detail: string }> => {
    switch (check.kind) {
      case "fetch": {
        const r = await exec(["exec", check.from, "curl", "-sf", "--max-time", "3", check.url]);
        const ok = r.code === 0 && (check.expect === undefined || r.stdout.includes(check.expect));
        return { ok, detail: ok ? `${check.from} fetched ${check.url}` : `${check.from} could not fetch ${check.url} (exit ${r.code})` };
      }
      case "reach": {
        const r = await exec(["exec", check.from, "ping", "-c", "1", "-W", "2", check.address]);
        return { ok: r.code === 0, detail: `${check.from} ${r.code === 0 ? "reaches" : "does not reach"} ${check.address}` };
      }
      case "bgp": {
        const r = await exec(["exec", check.router, "vtysh", "-c", "show bgp summary json"]);
        let established = 0;
        try {
          const peers = JSON.parse(r.stdout).ipv4Unicast?.peers ?? {};
          established = Object.values(peers).filter((p: any) => p.state === "Established").length;
        } catch {
          established = 0;
        }
        return { ok: established >= check.established, detail: `${check.router}: ${established} of ${check.established} sessions Established` };
      }
      case "file": {
        const r = await exec(["exec", check.container, "cat", check.path]);
        const content = r.stdout.trim();
        const detail = content === "" ? `${check.path} is missing or empty` : check.show ? `${check.path}: ${content}` : `${check.path} is present`;
        return { ok: r.code === 0 && content !== "", detail };
      }
    }
  };
  try {
    const results: ProbeResult[] = [];
    for (const check of inputs.checks) {
      const started = Date.now();
      let outcome = await once(check);
      while (!outcome.ok && Date.now() - started < inputs.timeoutSeconds * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        outcome = await once(check);
      }
      results.push({ name: check.name, ...outcome, ms: Date.now() - started });
    }
    return results;
  } finally {
    client?.end();
  }
}

async function probe(inputs: ProbeInputs) {
  const results = await runChecks(inputs);
  const failed = results.filter((r) => !r.ok);
  if (inputs.failOnError && failed.length > 0) {
    throw new Error(`lab probe: ${failed.length} of ${results.length} checks failed: ${failed.map((r) => r.detail).join("; ")}`);
  }
  return { ...inputs, results, passed: results.length - failed.length, failed: failed.length };
}

const probeProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ProbeInputs) {
    return { id: `probe-${Date.now().toString(36)}`, outs: await probe(inputs) };
  },
  async diff(_id: string, olds: ProbeInputs, news: ProbeInputs) {
    const keys = ["dockerHost", "checks", "timeoutSeconds", "failOnError"] as const;
    return { changes: keys.some((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key])) };
  },
  async update(_id: string, _olds: ProbeInputs, news: ProbeInputs) {
    return { outs: await probe(news) };
  },
};

export class LabProbe extends pulumi.dynamic.Resource {
  declare readonly results: pulumi.Output<ProbeResult[]>;
  declare readonly passed: pulumi.Output<number>;
  declare readonly failed: pulumi.Output<number>;

  constructor(name: string, args: LabProbeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      probeProvider,
      name,
      {
        dockerHost: args.dockerHost,
        ssh: args.ssh ? { ...args.ssh, privateKey: pulumi.secret(args.ssh.privateKey) } : undefined,
        checks: args.checks,
        timeoutSeconds: args.timeoutSeconds ?? 30,
        failOnError: args.failOnError ?? false,
        results: undefined,
        passed: undefined,
        failed: undefined,
      },
      opts,
      "netlabs",
      "LabProbe",
    );
  }
}
