/**
 * What a Docker host lacks for a lab, from its facts. Pure and import-free, so that the HostCheck
 * dynamic provider can carry it into Pulumi's dynamic-provider host.
 */
export interface HostFactsLike {
  dockerVersion: string;
  interfaces: string[];
  /** The host's IPv4 addresses; empty or absent when the host could not list them. */
  addresses?: string[];
  /** The project's lab images already on the host (docker-netlabs/*). */
  images?: string[];
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
}

/** What a host lacks for a lab, each issue naming the field; empty when it has everything. Pure. */
export function checkHostFacts(host: string, facts: HostFactsLike, needs: HostNeeds): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const iface of needs.interfaces ?? []) {
    if (!facts.interfaces.includes(iface)) {
      issues.push({ path: "interfaces", message: `host ${host} has no interface "${iface}" (it has ${facts.interfaces.join(", ")})` });
    }
  }
  const known = facts.addresses ?? [];
  for (const address of known.length > 0 ? (needs.addresses ?? []) : []) {
    if (!known.includes(address)) {
      issues.push({ path: "addresses", message: `host ${host} holds no address ${address} (it has ${known.join(", ")})` });
    }
  }
  for (const image of needs.images ?? []) {
    if (!(facts.images ?? []).includes(image)) {
      issues.push({
        path: "labImages",
        message: `host ${host} has no image ${image}: build it where there is egress (docker build images/<name>, tagged so) and load it there: docker save ${image} | ssh <host> docker load`,
      });
    }
  }
  const major = Number(facts.dockerVersion.split(".")[0]);
  if (facts.dockerVersion === "none") issues.push({ path: "dockerHost", message: `host ${host} answers SSH but runs no Docker engine` });
  else if (needs.minDockerMajor !== undefined && !(major >= needs.minDockerMajor)) {
    issues.push({
      path: "dockerHost",
      message: `host ${host} runs Docker ${facts.dockerVersion}; this lab needs ${needs.minDockerMajor} or later`,
    });
  }
  return issues;
}
