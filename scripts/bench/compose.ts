/**
 * The same lab as a plain docker compose project, for the side-by-side bring-up figure: rendered
 * from the same plan, with the same images, addresses, capabilities, sysctls, init scripts and FRR
 * files (bind-mounted), and the same bridge guard as a host-network service.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { bridgeRuleSteps, renderHostGuardScript } from "../../components/host/host-guard-script";
import { LAB_IMAGE_COMMANDS } from "../../components/kinds";
import { LabPlan } from "../../components/routed-lab/plan";
import { renderNodeInit } from "../../components/routed-lab/node-init";

export interface ComposeProject {
  file: string;
  project: string;
}

/** Writes `<dir>/docker-compose.yml` and the files it mounts; returns the compose project. */
export function writeComposeProject(
  plan: LabPlan,
  images: Record<string, string>,
  dir: string,
  labels: Record<string, string>,
): ComposeProject {
  const services: Record<string, unknown> = {};
  const mount = (owner: string, target: string, content: string, mode = 0o644): string => {
    const file = path.join(dir, owner, target);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
    return `${file}:${target}`;
  };

  if (plan.guardedBridges.length > 0) {
    services["bridge-guard"] = {
      image: images.router,
      container_name: `${plan.lab}-bridge-guard`,
      network_mode: "host",
      cap_drop: ["ALL"],
      cap_add: ["NET_ADMIN", "NET_RAW"],
      init: true,
      stop_grace_period: "10s",
      entrypoint: ["/bin/sh", "/netlabs/host-guard.sh"],
      volumes: [
        mount(
          "bridge-guard",
          "/netlabs/host-guard.sh",
          renderHostGuardScript(bridgeRuleSteps(plan.guardedBridges, `docker-netlabs:${plan.lab}`)),
          0o755,
        ),
      ],
      labels,
    };
  }
  for (const node of plan.nodes) {
    if (typeof node.image !== "string") throw new Error("compose comparison: lab images only");
    const capabilities = new Set(node.capabilities);
    if (node.router || node.routes.length > 0) capabilities.add("NET_ADMIN");
    services[node.name] = {
      image: images[node.image],
      container_name: node.containerName,
      hostname: node.name,
      init: true,
      entrypoint: ["/bin/sh", "/netlabs/init.sh"],
      command: node.command ?? LAB_IMAGE_COMMANDS[node.image],
      ...(capabilities.size ? { cap_add: [...capabilities].sort() } : {}),
      ...(node.router ? { sysctls: { "net.ipv4.ip_forward": "1", "net.ipv4.conf.all.rp_filter": "0" } } : {}),
      networks: Object.fromEntries(
        node.interfaces.map((iface) => [iface.segment, { ipv4_address: iface.address, aliases: [node.name, ...iface.aliases] }]),
      ),
      volumes: [
        mount(node.name, "/netlabs/init.sh", renderNodeInit(node), 0o755),
        ...Object.entries(node.files).map(([file, content]) => mount(node.name, file, content)),
      ],
      labels,
      ...(plan.guardedBridges.length > 0 ? { depends_on: ["bridge-guard"] } : {}),
    };
  }
  const networks = Object.fromEntries(
    plan.segments.map((segment) => [
      segment.name,
      {
        driver: segment.driver,
        internal: segment.internal,
        ...(segment.bridgeName ? { driver_opts: { "com.docker.network.bridge.name": segment.bridgeName } } : {}),
        ipam: { config: [{ subnet: segment.subnet.cidr, gateway: segment.gateway }] },
        labels,
      },
    ]),
  );
  const file = path.join(dir, "docker-compose.yml");
  fs.writeFileSync(file, stringify({ version: "2.4", services, networks }));
  return { file, project: plan.lab.replace(/[^a-z0-9]/g, "") };
}

/**
 * A fresh folder for a compose project's bind-mounted files, where the engine can see it: the
 * project's current engine (scripts/current-engine.sh) runs in a mount namespace of its own whose
 * /tmp is not this machine's, but its data root is bound at the same path; any other engine sees /tmp.
 */
export function composeWorkDir(prefix: string): string {
  const info = spawnSync("docker", ["info", "--format", "{{.DockerRootDir}} {{json .Labels}}"], { encoding: "utf8", timeout: 10_000 });
  const [root, labels = ""] = (info.stdout ?? "").trim().split(" ", 2);
  const base = labels.includes("io.docker-netlabs.engine=") && root ? path.join(root, "netlabs-bench") : os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, prefix));
}
