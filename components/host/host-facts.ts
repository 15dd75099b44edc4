/**
 * What a Docker host lacks for a lab, from its facts. Pure and import-free, so that the HostCheck
 * dynamic provider can carry it into Pulumi's dynamic-provider host.
 */
export interface HostFactsLike {
  dockerVersion: string;
  /** The interfaces of the engine's network namespace; absent when unknown: their check is skipped with a note. */
  interfaces?: string[];
  /** The host's IPv4 addresses; empty or absent when the host could not list them. */
  addresses?: string[];
  /** The project's lab images already on the host (docker-netlabs/*). */
  images?: string[];
  /** What the images asked about say they are built from, by tag (label io.docker-netlabs.source). */
  imageSources?: Record<string, string>;
  /** Why interfaces and addresses are unknown (engine-facts.ts), for the note. */
  networkUnknown?: string;
  /** What the docker CLI said when no engine answered. */
  unanswered?: string;
  /** The kernel the engine runs on. */
  kernel?: string;
  /** Of the kernel features tried, whether the kernel has each (kernel-facts.ts, KERNEL_FEATURES); absent when unknown. */
  kernelFeatures?: Record<string, boolean>;
  /** Why they are unknown, for the note. */
  kernelUnknown?: string;
  /** The memory the engine can give its containers, bytes. */
  memoryBytes?: number;
  /** The CPUs its containers see (kernel look). */
  cpus?: number;
  /** "yes", "no: <what tc said>" or "unknown: <why>" (kernel look). */
  netem?: string;
}

/** A kernel feature a lab's node needs (its vrfs, its VLANs). */
export interface KernelFeatureNeed {
  /** vrf, 8021q or bridge-vlan-filtering. */
  feature: string;
  /** The lab the node is in. */
  lab: string;
  /** The node that needs it. */
  node: string;
  /** The node's field that needs it (vrfs, vlans.ports, vlans.interfaces). */
  field: string;
}

export interface HostNeeds {
  /** Host interfaces the labs sit on (macvlan parents, tunnel underlays). */
  interfaces?: string[];
  /** Addresses the host must hold (the local end of a stretched segment's tunnel). */
  addresses?: string[];
  /** The lowest Docker Engine major version the lab's features need. */
  minDockerMajor?: number;
  /** Lab images the labs use without building them (labImages: preloaded). */
  images?: string[];
  /** What each of those must say it is built from (label io.docker-netlabs.source), by tag. */
  imageSources?: Record<string, string>;
  /** The base they are built on (the Dockerfiles' BASE), for the build command an issue shows. */
  baseImage?: string;
  /** Kernel features the labs' nodes need (VRFs, VLANs). */
  kernelFeatures?: KernelFeatureNeed[];
  /** The interfaces that need netem (delay, jitter or loss), each described for a message ("lab l node r1's interface on segment core"). */
  netem?: string[];
  /** The memory the labs' nodes may use together, MiB. */
  memoryMiB?: number;
  /** The nodes that ask for CPUs, each described, with how many. */
  cpus?: CpuNeed[];
}

/** A node's CPUs, for the check against the host's cores. */
export interface CpuNeed {
  /** The node, described for a message ("lab l node r1"). */
  what: string;
  /** How many it asks for. */
  cpus: number;
}

/** Whether the labs need the kernel look (CPUs or netem). */
export function needsKernelLook(needs: HostNeeds): boolean {
  return (needs.netem?.length ?? 0) > 0 || (needs.cpus?.length ?? 0) > 0;
}

/** What the host's kernel and size lack for the labs: netem, memory, CPUs. */
function resourceIssues(host: string, facts: HostFactsLike, needs: HostNeeds): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (facts.netem?.startsWith("no")) {
    for (const what of needs.netem ?? []) {
      issues.push({
        path: "dockerHost",
        message: `host ${host}'s kernel has no netem qdisc (module sch_netem; tc said ${facts.netem.replace(/^no:\s*/, "")}), which ${what} needs for its delay, jitter or loss (a rate alone needs only tbf)`,
      });
    }
  }
  const memoryMiB = facts.memoryBytes === undefined ? undefined : Math.floor(facts.memoryBytes / 1048576);
  if (needs.memoryMiB !== undefined && memoryMiB !== undefined && needs.memoryMiB > memoryMiB) {
    issues.push({
      path: "dockerHost",
      message: `host ${host} has ${memoryMiB} MiB for containers; the labs' nodes ask for ${needs.memoryMiB} MiB together`,
    });
  }
  for (const need of facts.cpus === undefined ? [] : (needs.cpus ?? [])) {
    if (need.cpus > facts.cpus!)
      issues.push({ path: "dockerHost", message: `host ${host} has ${facts.cpus} CPUs; ${need.what} asks for ${need.cpus}` });
  }
  return issues;
}

/**
 * The preloaded images the host lacks, or holds under their tag but built from something else (its
 * source label not the one the stack would build it with: retagged, stale, or built otherwise).
 */
function preloadedImageIssues(host: string, facts: HostFactsLike, needs: HostNeeds): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const image of needs.images ?? []) {
    const expected = needs.imageSources?.[image];
    const name = image.replace(/^docker-netlabs\//, "").replace(/:.*$/, "");
    const build = `docker build${needs.baseImage ? ` --build-arg BASE=${needs.baseImage}` : ""}${expected ? ` --build-arg SOURCE=${expected}` : ""} -t ${image} images/${name}`;
    if (!(facts.images ?? []).includes(image)) {
      issues.push({
        path: "labImages",
        message: `host ${host} has no image ${image}: build it where there is egress (${build}) and load it there: docker save ${image} | ssh <host> docker load`,
      });
    } else if (expected !== undefined && facts.imageSources && facts.imageSources[image] !== expected) {
      const label = facts.imageSources[image] ? `"${facts.imageSources[image]}"` : "missing";
      issues.push({
        path: "labImages",
        message: `host ${host} has an image ${image} that is not built from what its tag says (label io.docker-netlabs.source ${label}, not "${expected}"): remove it there, build it again (${build}) and load it: docker save ${image} | ssh <host> docker load`,
      });
    }
  }
  return issues;
}

/** What a host lacks for a lab, each issue naming the field; empty when it has everything. Pure. */
export function checkHostFacts(host: string, facts: HostFactsLike, needs: HostNeeds): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  // Interfaces that could not be read are not checked (hostFactNotes says so).
  const interfaces = facts.interfaces ?? [];
  for (const iface of facts.interfaces ? (needs.interfaces ?? []) : []) {
    if (!interfaces.includes(iface)) {
      issues.push({ path: "interfaces", message: `host ${host} has no interface "${iface}" (it has ${interfaces.join(", ")})` });
    }
  }
  const known = facts.addresses ?? [];
  for (const address of known.length > 0 ? (needs.addresses ?? []) : []) {
    if (!known.includes(address)) {
      issues.push({ path: "addresses", message: `host ${host} holds no address ${address} (it has ${known.join(", ")})` });
    }
  }
  issues.push(...preloadedImageIssues(host, facts, needs), ...resourceIssues(host, facts, needs));
  const major = Number(facts.dockerVersion.split(".")[0]);
  if (facts.dockerVersion === "none") {
    const said = facts.unanswered ? ` (docker version: ${facts.unanswered})` : "";
    issues.push({ path: "dockerHost", message: `host ${host} answers SSH but runs no Docker engine${said}` });
  } else if (needs.minDockerMajor !== undefined && !(major >= needs.minDockerMajor)) {
    issues.push({
      path: "dockerHost",
      message: `host ${host} runs Docker ${facts.dockerVersion}; this lab needs ${needs.minDockerMajor} or later`,
    });
  }
  return issues;
}

/**
 * What was not checked and why: the interfaces and addresses the labs need, where the host's could
 * not be read (no image on the engine to look with). A note, not an error: Docker itself refuses a
 * missing macvlan parent when it creates the network. Pure.
 */
export function hostFactNotes(host: string, facts: HostFactsLike, needs: HostNeeds): string[] {
  const kernel =
    (needs.netem?.length ?? 0) > 0 && facts.netem?.startsWith("unknown")
      ? [
          `host ${host}: netem (for ${needs.netem!.join(", ")}) not checked ahead: ${facts.netem.replace(/^unknown:\s*/, "")}; the impairment fails at up if the kernel lacks it.`,
        ]
      : [];
  return [...kernel, ...networkNotes(host, facts, needs)];
}

function networkNotes(host: string, facts: HostFactsLike, needs: HostNeeds): string[] {
  if (facts.interfaces !== undefined) return [];
  const unchecked = [
    ...(needs.interfaces?.length ? [`interfaces ${needs.interfaces.join(", ")}`] : []),
    ...(needs.addresses?.length ? [`addresses ${needs.addresses.join(", ")}`] : []),
  ];
  if (unchecked.length === 0) return [];
  return [
    `host ${host}: ${unchecked.join(" and ")} not checked ahead: ${facts.networkUnknown ?? "they could not be read"}. ` +
      "Docker refuses a missing macvlan parent when it creates the network; to have them checked before, " +
      "load debian:bookworm-slim or a lab image there.",
  ];
}
