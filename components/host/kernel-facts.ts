/**
 * What a Docker host's kernel offers the labs that need it (VRFs, VLANs), and what it lacks of it.
 * Asked only when a lab's nodes need a feature, for a unix:// or tcp:// engine (engine-check.ts):
 * these tries join the kernel look of engine-facts.ts (a short-lived container in a network
 * namespace of its own), each link kind made as a node's init makes it.
 */
import type { DockerOutput } from "./engine-facts";
import type { HostFactsLike, HostNeeds } from "./host-facts";

/**
 * The kernel features a lab may need (a VRF's device, an 802.1Q subinterface, a bridge with VLAN
 * filtering), each tried the way a node's init makes it: a link of that kind in the look's own
 * network namespace. A module the kernel has is loaded by that first try, as it would be for the lab.
 */
export const KERNEL_FEATURES: Record<string, string> = {
  vrf: "ip link add nl-try type vrf table 10",
  "8021q": "ip link add nl-try8 type bridge && ip link add link nl-try8 name nl-try8.10 type vlan id 10",
  "bridge-vlan-filtering": "ip link add nl-tryv type bridge vlan_filtering 1",
};

/** What each kernel feature is, in an issue. */
const KERNEL_FEATURE_NAMES: Record<string, string> = {
  vrf: "vrf module",
  "8021q": "8021q module (802.1Q VLAN subinterfaces)",
  "bridge-vlan-filtering": "VLAN filtering in its bridge (CONFIG_BRIDGE_VLAN_FILTERING)",
};

/**
 * The lines the kernel look (engine-facts.ts, kernelLookArgs) adds for these features: each tried,
 * `<feature> yes|no` a line, after its own sections.
 */
export const KERNEL_FEATURES_SCRIPT = [
  "echo '== kernel'",
  ...Object.entries(KERNEL_FEATURES).map(
    ([feature, script]) => `if ( ${script} ) 2>/dev/null; then echo '${feature} yes'; else echo '${feature} no'; fi`,
  ),
].join("\n");

/** Each feature's answer from the kernel look's output; undefined when it is not the look's. */
export function parseKernelLook(stdout: string): Record<string, boolean> | undefined {
  const lines = stdout.split("\n").map((line) => line.trim());
  const start = lines.indexOf("== kernel");
  if (start < 0) return undefined;
  const features: Record<string, boolean> = {};
  for (const line of lines.slice(start + 1)) {
    const match = /^(\S+) (yes|no)$/.exec(line);
    if (match && match[1] in KERNEL_FEATURES) features[match[1]] = match[2] === "yes";
  }
  return Object.keys(features).length > 0 ? features : undefined;
}

/** The kernel's facts from the look (absent when no lab image could run it). */
export function kernelFacts(look: DockerOutput | undefined): { kernelFeatures?: Record<string, boolean>; kernelUnknown?: string } {
  if (!look)
    return { kernelUnknown: "the engine has no docker-netlabs/router or client image to try its kernel with (nothing is pulled for it)" };
  const features = look.code === 0 ? parseKernelLook(look.stdout) : undefined;
  if (features) return { kernelFeatures: features };
  const said = `${look.stderr}\n${look.stdout}`.split("\n").find((line) => line.trim() !== "") ?? `exit ${look.code}`;
  return { kernelUnknown: `the look at the engine's kernel failed: ${said.trim().slice(0, 200)}` };
}

/** The kernel features the host's kernel lacks, each naming the host, the lab's node and the feature. */
export function kernelFeatureIssues(host: string, facts: HostFactsLike, needs: HostNeeds): { path: string; message: string }[] {
  const known = facts.kernelFeatures;
  if (!known) return [];
  return (needs.kernelFeatures ?? [])
    .filter((need) => known[need.feature] === false)
    .map((need) => ({
      path: "dockerHost",
      message: `host ${host}'s kernel${facts.kernel ? ` (${facts.kernel})` : ""} has no ${KERNEL_FEATURE_NAMES[need.feature] ?? need.feature}, which node ${need.node} of lab ${need.lab} needs for its ${need.field}: run the lab on a host whose kernel has it`,
    }));
}

/** The kernel features the labs need that could not be tried (no lab image on the engine yet): a note. */
export function kernelNotes(host: string, facts: HostFactsLike, needs: HostNeeds): string[] {
  const wanted = [...new Set((needs.kernelFeatures ?? []).map((need) => need.feature))];
  if (wanted.length === 0 || facts.kernelFeatures !== undefined) return [];
  return [
    `host ${host}: its kernel's ${wanted.join(", ")} not checked ahead: ${facts.kernelUnknown ?? "it could not be tried"}. ` +
      "A node whose kernel lacks one stops at start naming it (exit 78 or 79).",
  ];
}
