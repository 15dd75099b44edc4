/**
 * docker.Network as @pulumi/docker 5.2.0 applies it: terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_network.go and resource_docker_network_funcs.go, bridged by
 * pulumi/pulumi-docker provider/resources.go (docker_network is not delete-before-replace).
 * - every input is ForceNew: any change replaces, nothing updates in place; labels and ipam_config
 *   are TypeSets, so their order is no change;
 * - create: `ipv6` sets EnableIPv6 only when true (d.GetOk), every ipam_config entry is an IPAM
 *   config of its own (subnet, ip_range, gateway, aux_address): an IPv6 network is ipv6 with its
 *   prefix as a second entry. The CLI here gives each entry's flags in turn and pairs a gateway
 *   with the subnet holding it, as the API's entries pair them (an entry's gateway is in its subnet);
 * - create: NetworkCreate, then resourceDockerNetworkRead, a StateChangeConf with Delay 2 s: the
 *   first inspect, and so the create, ends no earlier than 2 s after the network exists;
 * - delete: a StateChangeConf (Delay 2 s, MinTimeout 5 s, Timeout 30 s) whose every refresh is
 *   inspect (gone: removed) then NetworkRemove, pending while Docker says "has active endpoints":
 *   tries at about 2, 7, 17 and 27 s, then a timeout. A network deleted before the containers on
 *   it fails.
 */
import { docker, run } from "../docker-cli";
import { Diff, ResourceEmulator, changedInputs } from "./emulator";
import { AppliedResource, Inputs, sleep } from "./state";

const NETWORK_INPUTS = new Set(["name", "driver", "internal", "attachable", "ipv6", "ipamConfigs", "options", "labels"]);
/** Inputs the provider keeps as sets (schema.TypeSet): their order is no change. */
const NETWORK_SETS = ["labels", "ipamConfigs"];

/** StateChangeConf's Delay before the first refresh, in the provider's read and delete alike. */
const REFRESH_DELAY_MS = 2_000;
/** The waits between the delete's refreshes: MinTimeout 5 s, then doubling up to 10 s, within 30 s. */
const DELETE_RETRY_WAITS_MS = [5_000, 10_000, 10_000];

export const networkEmulator: ResourceEmulator = {
  type: "docker:index/network:Network",
  kind: "Network",
  inputs: NETWORK_INPUTS,
  async create({ name, inputs, target }) {
    const id = (await docker(target, networkCreateArgs(name, inputs))).trim();
    await sleep(REFRESH_DELAY_MS);
    return { id, state: { ...inputs, name: inputs.name ?? name, scope: "local" } };
  },
  diff(resource, news): Diff {
    const changed = changedInputs(resource.inputs ?? {}, news, NETWORK_SETS);
    return { changes: changed.length > 0, replace: changed.length > 0 };
  },
  async update() {
    throw new Error("real-Docker mocks: every Network input is ForceNew; there is no update");
  },
  delete: removeNetwork,
};

/** `docker network create` for the network's inputs (exported for the double's own unit tests). */
export function networkCreateArgs(name: string, inputs: Inputs): string[] {
  const command = ["network", "create", "--driver", inputs.driver ?? "bridge"];
  if (inputs.internal) command.push("--internal");
  if (inputs.attachable) command.push("--attachable");
  if (inputs.ipv6) command.push("--ipv6");
  for (const ipam of inputs.ipamConfigs ?? []) {
    if (ipam.subnet) command.push("--subnet", ipam.subnet);
    if (ipam.gateway) command.push("--gateway", ipam.gateway);
    if (ipam.ipRange) command.push("--ip-range", ipam.ipRange);
    for (const [key, value] of Object.entries(ipam.auxAddress ?? {})) command.push("--aux-address", `${key}=${value}`);
  }
  for (const [key, value] of Object.entries(inputs.options ?? {})) command.push("--opt", `${key}=${value}`);
  for (const { label, value } of inputs.labels ?? []) command.push("--label", `${label}=${value}`);
  command.push(inputs.name ?? name);
  return command;
}

/** resourceDockerNetworkDelete: refreshes after the delay, then at each wait, while endpoints remain. */
async function removeNetwork(resource: AppliedResource): Promise<void> {
  const host = resource.target!.host;
  await sleep(REFRESH_DELAY_MS);
  for (const waitMs of [...DELETE_RETRY_WAITS_MS, undefined]) {
    const removed = await run("docker", ["-H", host, "network", "rm", resource.id], { timeoutMs: 30_000 });
    if (removed.code === 0 || /No such network|not found/i.test(removed.stderr)) return;
    if (!/active endpoints/.test(removed.stderr)) throw new Error(`network rm ${resource.id}: ${removed.stderr.trim()}`);
    if (waitMs === undefined) throw new Error(`network rm ${resource.id}: timeout while waiting for state to become 'removed'`);
    await sleep(waitMs);
  }
}
