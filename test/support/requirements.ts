/**
 * The one place that decides whether a test whose requirement is missing here skips or fails.
 * A skip (with the reason) on a developer's machine; a failure naming the requirement wherever the
 * run must prove everything: CI=true (as .ci/run and the public CI run), or the variable that
 * requires that tier (NETLABS_REQUIRE_E2E=1, NETLABS_REQUIRE_CURRENT_ENGINE=1, NETLABS_REQUIRE_CLI=1).
 * The skips CI allows: the CLI tier where no `pulumi` binary exists (it cannot be installed on every
 * machine), unless NETLABS_REQUIRE_CLI=1 requires it too; and a kernel feature the machine's kernel
 * lacks, which no install brings to a kernel built without it (the team's machines: `.ci/run` with
 * CI=true skips those tests there, naming what is missing): the vrf and 8021q modules and bridge
 * VLAN filtering, unless NETLABS_REQUIRE_KERNEL_MODULES=1 requires them, and netem (delay, jitter
 * and loss), unless NETLABS_REQUIRE_NETEM=1 does. The public CI's runners have them all, and its
 * workflow sets both.
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
  | "pulumi-command-plugin"
  | "kernel-vrf"
  | "kernel-8021q"
  | "kernel-bridge-vlan-filtering";

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
  "kernel-vrf": ["NETLABS_REQUIRE_KERNEL_MODULES"],
  "kernel-8021q": ["NETLABS_REQUIRE_KERNEL_MODULES"],
  "kernel-bridge-vlan-filtering": ["NETLABS_REQUIRE_KERNEL_MODULES"],
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

/**
 * Whether this kernel makes a link of a kind: tried as root in a network namespace of its own
 * (`unshare --net`), gone with it, so the host's interfaces are never touched. The kernel loads a
 * module it has (rtnl-link-<kind>) on the first try, as a lab node's init would.
 */
function kernelLinkMissing(feature: string, script: string): string | undefined {
  if (process.getuid?.() !== 0) return `trying the kernel's ${feature} needs root (a network namespace of its own)`;
  if (!onPath("unshare") || !onPath("ip")) return `no unshare or ip on this machine to try the kernel's ${feature}`;
  try {
    execFileSync("unshare", ["--net", "sh", "-c", script], { stdio: "pipe", timeout: 10_000 });
    return undefined;
  } catch (error) {
    const said = String((error as { stderr?: Buffer }).stderr ?? "")
      .trim()
      .split("\n")[0];
    const kernel = fs.existsSync("/proc/sys/kernel/osrelease") ? fs.readFileSync("/proc/sys/kernel/osrelease", "utf8").trim() : "?";
    return `this kernel (${kernel}) has no ${feature}${said ? ` (${said})` : ""}`;
  }
}

/** The vrf module: VRF devices (a lab's `vrfs`). */
export const KERNEL_VRF: Requirement = {
  name: "kernel-vrf",
  missing: () => kernelLinkMissing("vrf module", "ip link add nl-try type vrf table 10"),
};

/** The 8021q module: 802.1Q subinterfaces (tagged `vlans.interfaces`). */
export const KERNEL_8021Q: Requirement = {
  name: "kernel-8021q",
  missing: () =>
    kernelLinkMissing("8021q module", "ip link add nl-try type bridge && ip link add link nl-try name nl-try.10 type vlan id 10"),
};

/** VLAN filtering in the bridge (CONFIG_BRIDGE_VLAN_FILTERING): bridge nodes (`vlans.ports`). */
export const KERNEL_BRIDGE_VLAN_FILTERING: Requirement = {
  name: "kernel-bridge-vlan-filtering",
  missing: () =>
    kernelLinkMissing("VLAN filtering in its bridge (CONFIG_BRIDGE_VLAN_FILTERING)", "ip link add nl-try type bridge vlan_filtering 1"),
};
