/**
 * A stand-in `docker` executable first on PATH, for unit tests of what the program asks an engine
 * (engine-facts.ts): it answers `docker version`, `info`, `image ls`, `image inspect` (the images'
 * source labels), the look at the engine's network namespace (`run`) and the look at its kernel
 * (`run --network none`) with the facts of an engine the test describes (one that may run
 * elsewhere: a VM, another machine), and records every call's argv. It skips the global options
 * the product passes first (-H, the TLS files). No real engine is touched.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface StandInEngine {
  /** false: no engine answers (docker version fails as the CLI does). */
  answers?: boolean;
  version?: string;
  os?: string;
  arch?: string;
  kernel?: string;
  memTotal?: number;
  /** `docker image ls` lines (repository:tag). */
  images?: string[];
  /** The label io.docker-netlabs.source of images among `images`, by tag (absent: the image has none). */
  imageSources?: Record<string, string>;
  /** The engine's network namespace, as the look reads it. */
  interfaces?: string[];
  addresses?: string[];
  bridgeNetfilter?: string;
  /** How the look lists addresses: `ip -o -4 addr` (the image has ip) or /proc/net/fib_trie. */
  addressListing?: "ip" | "fib_trie";
  /** The look itself fails, saying this (e.g. the engine refuses the image). */
  lookFails?: string;
  /** What the kernel look (`run --network none`) finds, by feature (vrf, 8021q, bridge-vlan-filtering): yes when true. */
  kernelFeatures?: Record<string, boolean>;
  /** What the kernel look (`run --network none`) finds: its CPUs, and netem ("yes" or "no: <what tc said>"). */
  cpus?: number;
  netem?: string;
}

export interface StandInDocker {
  /** Every call's argv, in order (global options included). */
  calls(): string[][];
}

/** The look's output for these interfaces and addresses, as the look script prints it. */
export function lookOutput(engine: StandInEngine): string {
  const addresses = engine.addresses ?? [];
  const listing =
    engine.addressListing === "fib_trie"
      ? [
          "== fib_trie",
          "Local:",
          "  +-- 0.0.0.0/0 3 0 5",
          ...addresses.flatMap((address) => [`     |-- ${address}`, "        /32 host LOCAL"]),
        ]
      : [
          "== ip-addr",
          ...addresses.map((address, i) => `${i + 1}: if${i}    inet ${address}/24 scope global if${i}\\       valid_lft forever`),
        ];
  return ["== interfaces", ...(engine.interfaces ?? []), "== bridge-nf-call-iptables", engine.bridgeNetfilter ?? "1", ...listing, ""].join(
    "\n",
  );
}

/** Runs `body` with the stand-in first on PATH, then removes it and restores PATH. */
export async function withStandInDocker<T>(engine: StandInEngine, body: (docker: StandInDocker) => Promise<T> | T): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-stand-in-docker-"));
  const file = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const server = {
    Version: engine.version ?? "27.3.1",
    ApiVersion: "1.47",
    Os: engine.os ?? "linux",
    Arch: engine.arch ?? "arm64",
    KernelVersion: engine.kernel ?? "6.10.14-linuxkit",
  };
  file("version.json", `${JSON.stringify(server)}\n`);
  file("info.txt", `${engine.memTotal ?? 8_222_093_312}\n`);
  file("images.txt", (engine.images ?? []).map((image) => `${image}\n`).join(""));
  file("look.txt", lookOutput(engine));
  file(
    "sources.txt",
    Object.entries(engine.imageSources ?? {})
      .map(([tag, source]) => `${tag} ${source}\n`)
      .join(""),
  );
  file("look-fails.txt", engine.lookFails ?? "");
  file(
    "kernel.txt",
    [
      `== cpus\n${engine.cpus ?? 4}\n== netem\n${engine.netem ?? "yes"}`,
      "== kernel",
      ...Object.entries(engine.kernelFeatures ?? {}).map(([feature, has]) => `${feature} ${has ? "yes" : "no"}`),
      "",
    ].join("\n"),
  );
  const calls = path.join(dir, "calls");
  file("calls", "");
  file(
    "docker",
    [
      "#!/bin/sh",
      `dir='${dir}'`,
      // Each argument ends with \037, each call with \036: arguments may hold newlines (the look's script).
      `for arg in "$@"; do printf '%s\\037' "$arg"; done >> "$dir/calls"; printf '\\036' >> "$dir/calls"`,
      'while [ $# -gt 0 ]; do case "$1" in -H|--tlscacert|--tlscert|--tlskey) shift 2 ;; --tlsverify) shift ;; *) break ;; esac; done',
      engine.answers === false
        ? `echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1`
        : ":",
      'case "$1" in',
      '  version) cat "$dir/version.json" ;;',
      '  info) cat "$dir/info.txt" ;;',
      // `image inspect --format <f> <tag>...`: one line per image present (its tags as JSON, its label), as the engine prints it.
      '  image) if [ "$2" = inspect ]; then shift 4; rc=0; for tag in "$@"; do',
      '      if grep -qxF "$tag" "$dir/images.txt"; then printf \'["%s"] %s\\n\' "$tag" "$(grep -F "$tag " "$dir/sources.txt" | head -n 1 | cut -d " " -f 2)";',
      '      else echo "Error response from daemon: No such image: $tag" >&2; rc=1; fi; done; exit $rc; fi; cat "$dir/images.txt" ;;',
      // The kernel look runs in a network namespace of its own (--network none), the network look in the engine's.
      '  run) case " $* " in *" --network none "*) cat "$dir/kernel.txt"; exit 0 ;; esac',
      '    if [ -s "$dir/look-fails.txt" ]; then cat "$dir/look-fails.txt" >&2; exit 125; fi; cat "$dir/look.txt" ;;',
      '  *) echo "stand-in docker: no $1" >&2; exit 1 ;;',
      "esac",
    ].join("\n"),
  );
  fs.chmodSync(path.join(dir, "docker"), 0o755);
  const savedPath = process.env.PATH;
  process.env.PATH = `${dir}:${savedPath}`;
  try {
    return await body({
      calls: () =>
        fs
          .readFileSync(calls, "utf8")
          .split("\x1e")
          .filter(Boolean)
          .map((call) => call.split("\x1f").slice(0, -1)),
    });
  } finally {
    process.env.PATH = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
