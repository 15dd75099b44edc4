/**
 * The one place that decides whether a test whose requirement is missing here skips or fails.
 * A skip (with the reason) on a developer's machine; a failure naming the requirement wherever the
 * run must prove everything: CI=true (as .ci/run and the public CI run), or the variable that
 * requires that tier (NETLABS_REQUIRE_E2E=1, NETLABS_REQUIRE_CURRENT_ENGINE=1, NETLABS_REQUIRE_CLI=1).
 * The only skip CI allows is the CLI tier where no `pulumi` binary exists (it cannot be installed on
 * every machine), unless NETLABS_REQUIRE_CLI=1 requires it too. One test skips for a kernel module:
 * delay, jitter and loss need netem (sch_netem), which this machine's kernel lacks; the public CI
 * workflow, whose runners' kernel has it, requires it (NETLABS_REQUIRE_NETEM=1), and CI=true alone
 * does not, so that .ci/run passes here.
 * Every skipIf/runIf in test/ takes what `skipUnless` returned (test/unit/requirements.test.ts checks).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { kernelLookArgs, parseKernelLook } from "../../components/host/engine-facts";
import { labImageTag } from "../../components/images/lab-image";
import { dockerUnavailableReason } from "./docker-cli";

export type RequirementName =
  | "docker"
  | "sshd"
  | "ssh-client"
  | "emulated-hosts"
  | "current-engine"
  | "bridge-netfilter"
  | "netem"
  | "pulumi-cli"
  | "pulumi-docker-plugin"
  | "pulumi-command-plugin";

export interface Requirement {
  name: RequirementName;
  /** Why it is missing here, or undefined when it is present. */
  missing(): string | undefined;
}

/** The variables that turn a missing requirement into a failure; CI=true turns all but the CLI. */
const REQUIRED_BY: Record<RequirementName, string[]> = {
  docker: ["CI", "NETLABS_REQUIRE_E2E"],
  sshd: ["CI", "NETLABS_REQUIRE_E2E"],
  "ssh-client": ["CI", "NETLABS_REQUIRE_E2E"],
  "emulated-hosts": ["CI", "NETLABS_REQUIRE_E2E"],
  "current-engine": ["CI", "NETLABS_REQUIRE_CURRENT_ENGINE"],
  "bridge-netfilter": ["CI", "NETLABS_REQUIRE_E2E"],
  netem: ["NETLABS_REQUIRE_NETEM"],
  "pulumi-cli": ["NETLABS_REQUIRE_CLI"],
  "pulumi-docker-plugin": ["CI", "NETLABS_REQUIRE_CLI"],
  "pulumi-command-plugin": ["CI", "NETLABS_REQUIRE_CLI"],
};

/** The variable of `env` that makes `name` required (e.g. "CI=true"), or undefined. */
export function requiredBy(name: RequirementName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = REQUIRED_BY[name].find((variable) => env[variable] === (variable === "CI" ? "true" : "1"));
  return set && `${set}=${env[set]}`;
}

/**
 * The reason to skip, from the first missing requirement, or undefined when all are here. Throws,
 * naming the requirement and why it is missing, where that requirement is required (`requiredBy`).
 */
export function skipUnless(requirements: Requirement[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const requirement of requirements) {
    const reason = requirement.missing();
    if (reason === undefined) continue;
    const required = requiredBy(requirement.name, env);
    if (required) throw new Error(`requirement "${requirement.name}" is required here (${required}) but missing: ${reason}`);
    return reason;
  }
  return undefined;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":").some((dir) => fs.existsSync(path.join(dir, tool)));
}

/** A Docker engine that answers, with debian:bookworm-slim loaded. */
export const DOCKER: Requirement = { name: "docker", missing: dockerUnavailableReason };

export const SSHD_BINARY = "/usr/sbin/sshd";
/** An OpenSSH server binary for test/support/sshd.ts. */
export const SSHD: Requirement = {
  name: "sshd",
  missing: () => (fs.existsSync(SSHD_BINARY) ? undefined : `no ${SSHD_BINARY} (install openssh-server, see scripts/prepare-machine.sh)`),
};

/** An OpenSSH client (`ssh`) on PATH. */
export const SSH_CLIENT: Requirement = {
  name: "ssh-client",
  missing: () => {
    try {
      execFileSync("ssh", ["-V"], { stdio: "pipe", timeout: 10_000 });
      return undefined;
    } catch {
      return "no `ssh` client on PATH (install openssh-client)";
    }
  },
};

/** What test/support/emulated-hosts.ts needs: root, a second dockerd, network namespaces. */
export const EMULATED_HOSTS: Requirement = {
  name: "emulated-hosts",
  missing: () => {
    for (const tool of ["dockerd", "nsenter", "unshare", "ip"]) {
      if (!onPath(tool)) return `no ${tool} on this machine (see scripts/prepare-machine.sh)`;
    }
    if (process.getuid?.() !== 0) return "emulated hosts need root (network namespaces, a second dockerd)";
    if (!fs.existsSync("/run/docker.sock")) return "no /run/docker.sock to bind each host's engine over";
    return undefined;
  },
};

/** The debootstrap tree the current engine runs from (read-only to every engine). */
export const CURRENT_ENGINE_TREE = "/var/lib/docker-netlabs/engines/sid";

/** What test/support/current-engine.ts needs: root, the engine tree, namespaces tools. */
export const CURRENT_ENGINE: Requirement = {
  name: "current-engine",
  missing: () => {
    if (process.getuid?.() !== 0) return "the current engine needs root (network and mount namespaces, a second dockerd)";
    if (
      !fs.existsSync(path.join(CURRENT_ENGINE_TREE, "etc/docker-netlabs-engine")) ||
      !fs.existsSync(path.join(CURRENT_ENGINE_TREE, "usr/sbin/dockerd"))
    ) {
      return `no engine tree at ${CURRENT_ENGINE_TREE} (run scripts/current-engine.sh install)`;
    }
    const tool = ["nsenter", "unshare", "pivot_root", "ip", "docker"].find((t) => !onPath(t));
    return tool && `no ${tool} on this machine`;
  },
};

/**
 * The engine's kernel takes a netem qdisc: tried as the product tries it (engine-facts.ts, the
 * kernel look) on the lab's router image, else in a network namespace of this machine's own (the
 * local engine shares its kernel).
 */
export const NETEM: Requirement = {
  name: "netem",
  missing: () => {
    const image = labImageTag("router");
    const tried = (argv: string[]) => {
      try {
        return execFileSync(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 }).toString();
      } catch (error) {
        return String((error as { stderr?: Buffer }).stderr ?? error);
      }
    };
    const hasImage = tried(["docker", "image", "inspect", "--format", "ok", image]).trim() === "ok";
    const said = hasImage
      ? (parseKernelLook({ code: 0, stdout: tried(["docker", ...kernelLookArgs(image)]), stderr: "" }, "").netem ?? "")
      : tried(["unshare", "--net", "sh", "-c", "tc qdisc add dev lo root netem delay 1ms && echo yes"]).trim();
    return said === "yes" ? undefined : `the kernel has no netem qdisc (sch_netem): ${said.replace(/^no:\s*/, "")}`;
  },
};

/** Bridged traffic passes iptables (br_netfilter, bridge-nf-call-iptables = 1; Docker turns it on). */
export const BRIDGE_NETFILTER: Requirement = {
  name: "bridge-netfilter",
  missing: () => {
    const file = "/proc/sys/net/bridge/bridge-nf-call-iptables";
    const value = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "absent";
    return value === "1" ? undefined : `bridge-nf-call-iptables is ${value}: isolation rules do not see bridged traffic here`;
  },
};
