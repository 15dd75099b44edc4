/**
 * Which Linux capabilities a lab node may ask for. Every name must be a capability of Linux (with
 * or without Docker's CAP_ prefix). Those that reach past the container to the host (its kernel,
 * clock, security policy, files or other processes) are refused unless the node sets
 * `allowHostReachingCapabilities: true`. Left out of that list on purpose: SYS_RESOURCE (it lifts
 * the container's own limits, a way to use more of the host like any busy container, not a way into
 * it), WAKE_ALARM and BLOCK_SUSPEND (power management only), and the capabilities that act inside
 * the container's own namespaces (NET_ADMIN, NET_RAW, SYS_NICE, ...). Pure.
 */

/** Every capability of Linux 6.x (include/uapi/linux/capability.h), without the CAP_ prefix. */
export const LINUX_CAPABILITIES: readonly string[] = [
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "IPC_OWNER",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_CHROOT",
  "SYS_PTRACE",
  "SYS_PACCT",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_NICE",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "MKNOD",
  "LEASE",
  "AUDIT_WRITE",
  "AUDIT_CONTROL",
  "SETFCAP",
  "MAC_OVERRIDE",
  "MAC_ADMIN",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
  "AUDIT_READ",
  "PERFMON",
  "BPF",
  "CHECKPOINT_RESTORE",
];

/** The capabilities that reach the host, each with what it lets a container do there. */
export const HOST_REACHING_CAPABILITIES: Readonly<Record<string, string>> = {
  ALL: "grants every capability, those below included",
  SYS_ADMIN: "mounts file systems, enters namespaces and administers much of the kernel: the usual way out of a container",
  SYS_MODULE: "loads kernel modules: code in the host's kernel",
  SYS_RAWIO: "reaches the host's I/O ports and device memory",
  SYS_PTRACE: "reads and changes other processes' memory",
  SYS_BOOT: "reboots the host or loads another kernel (kexec)",
  SYS_TIME: "sets the host's clock (it is not namespaced)",
  MAC_ADMIN: "changes the host's AppArmor or SELinux policy",
  MAC_OVERRIDE: "overrides the host's AppArmor or SELinux policy",
  DAC_READ_SEARCH: "opens files by handle (open_by_handle_at), outside the container's root",
  BPF: "loads BPF programs into the host's kernel",
  PERFMON: "watches the host's kernel and every process through perf events",
  SYSLOG: "reads the host kernel's log and addresses",
  AUDIT_CONTROL: "changes the host's audit rules",
  AUDIT_READ: "reads the host's audit log",
};

/** The capability without Docker's optional CAP_ prefix. */
export function capabilityName(text: string): string {
  return text.replace(/^CAP_/, "");
}

/** Why a node may not have this capability unless it allows host-reaching ones; undefined when it may. */
export function hostReachingReason(capability: string): string | undefined {
  return HOST_REACHING_CAPABILITIES[capabilityName(capability)];
}

export function isCapability(text: string): boolean {
  const name = capabilityName(text);
  return name === "ALL" || LINUX_CAPABILITIES.includes(name);
}
