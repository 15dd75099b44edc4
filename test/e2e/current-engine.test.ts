/**
 * The current engine (scripts/current-engine.sh: Debian sid's docker.io 28.x from a debootstrap
 * tree, pivot_root into it, in a network namespace of its own) does what the labs need of Docker:
 * it reports 28.x, runs containers on internal bridge networks, `docker exec` lands in the
 * container's own filesystem and interfaces, containers ping each other, a NET_ADMIN container
 * routes between two internal networks, Docker 28's firewall chains are in the engine's netns, and
 * everything goes away afterwards. A second engine started the chroot way is the negative control:
 * the same exec check must fail on it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURRENT_ENGINE_TREE, CurrentEngine, startCurrentEngine } from "../support/current-engine";
import { DockerTarget, docker, execIn } from "../support/docker-cli";
import { TEST_LABEL, newTestRun } from "../support/lab-harness";
import { CURRENT_ENGINE, DOCKER, skipUnless } from "../support/requirements";

const skipReason = skipUnless([DOCKER, CURRENT_ENGINE]);
if (skipReason) console.warn(`[skipped] current engine tests: ${skipReason}`);

const BASE = "debian:bookworm-slim";
const exec = (target: DockerTarget, container: string, command: string[], timeoutMs = 20_000) =>
  execIn(container, command, timeoutMs, target);

/**
 * A tools image built in the engine: the base image, the tree's static busybox (ping, ip; the base
 * has neither and there is no registry) and a marker file only this image has.
 */
async function buildToolsImage(target: DockerTarget, tag: string, runId: string, marker: string): Promise<void> {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), "netlabs-ce-image-"));
  try {
    fs.copyFileSync(path.join(CURRENT_ENGINE_TREE, "bin/busybox"), path.join(context, "busybox"));
    fs.writeFileSync(path.join(context, "marker"), `${marker}\n`);
    fs.writeFileSync(
      path.join(context, "Dockerfile"),
      [
        `FROM ${BASE}`,
        "COPY busybox /usr/local/bin/busybox",
        "COPY marker /etc/netlabs-image-marker",
        `LABEL ${TEST_LABEL}=${runId}`,
        "",
      ].join("\n"),
    );
    await docker(target, ["build", "--quiet", "--tag", tag, context], { timeoutMs: 120_000 });
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
}

/**
 * What `docker exec` in `container` should see and does not: the image's marker, the file the
 * container's main process wrote at start, the image's /etc/os-release (not the engine tree's),
 * no file of the engine tree, the container's mount namespace, its own interfaces only.
 */
async function execProblems(
  target: DockerTarget,
  container: string,
  image: string,
  marker: string,
  started: string,
  label: string,
): Promise<string[]> {
  const problems: string[] = [];
  const read = async (file: string) => {
    const result = await exec(target, container, ["cat", file]);
    return result.code === 0 ? result.stdout : `(cat ${file} failed: ${result.stderr.trim()})`;
  };
  if ((await read("/etc/netlabs-image-marker")).trim() !== marker) problems.push("the image's marker file is not there");
  if ((await read("/started-by-main-process")).trim() !== started)
    problems.push("the file the container's main process wrote is not there");
  const imageOsRelease = await docker(target, ["run", "--rm", "--network", "none", "--label", label, image, "cat", "/etc/os-release"]);
  const execOsRelease = await read("/etc/os-release");
  if (execOsRelease !== imageOsRelease) problems.push(`/etc/os-release is not the image's: ${execOsRelease.split("\n")[0]}`);
  if (execOsRelease === fs.readFileSync(path.join(CURRENT_ENGINE_TREE, "etc/os-release"), "utf8"))
    problems.push("/etc/os-release is the engine tree's");
  for (const foreign of ["/etc/docker-netlabs-engine", "/var/lib/docker-netlabs", "/usr/sbin/dockerd", "/usr/bin/dockerd"]) {
    if ((await exec(target, container, ["test", "!", "-e", foreign])).code !== 0) problems.push(`${foreign} (not in the image) is visible`);
  }
  const pid = (await docker(target, ["inspect", "--format", "{{.State.Pid}}", container])).trim();
  const initMnt = fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  const execMnt = (await exec(target, container, ["readlink", "/proc/self/ns/mnt"])).stdout.trim();
  if (execMnt !== initMnt) problems.push(`exec's mount namespace ${execMnt || "(unknown)"} is not the container's ${initMnt}`);
  const links = (await exec(target, container, ["ls", "/sys/class/net"])).stdout.split(/\s+/).filter(Boolean).sort();
  if (links.join(" ") !== "eth0 lo") problems.push(`/sys/class/net lists ${links.join(" ")}, not the container's eth0 lo`);
  const mac = (
    await docker(target, ["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.MacAddress}}{{end}}", container])
  ).trim();
  if ((await read("/sys/class/net/eth0/address")).trim() !== mac) problems.push(`eth0's address is not the container's ${mac}`);
  return problems;
}

describe.skipIf(skipReason)(`the current Docker engine (28.x, pivot_root)${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const testRun = newTestRun();
  const label = `${TEST_LABEL}=${testRun.id}`;
  const image = `netlabs-ce-tools:${testRun.id}`;
  const marker = `image-marker-${testRun.id}`;
  const started = `started-${testRun.id}`;
  const figures: string[] = [];
  let engine: CurrentEngine;
  let target: DockerTarget;

  const sleeper = (extra: string[]) => [
    "run",
    "--detach",
    "--label",
    label,
    ...extra,
    image,
    "sh",
    "-c",
    `echo ${started} > /started-by-main-process && exec sleep infinity`,
  ];
  const addressOn = async (container: string, network: string) =>
    (await docker(target, ["inspect", "--format", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container])).trim();
  const leftovers = async () => ({
    containers: (await docker(target, ["ps", "-a", "--filter", `label=${label}`, "--format", "{{.Names}}"])).split("\n").filter(Boolean),
    networks: (await docker(target, ["network", "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"])).split("\n").filter(Boolean),
  });

  beforeAll(async () => {
    const t0 = Date.now();
    engine = await startCurrentEngine({ images: [BASE] });
    target = engine.target;
    figures.push(`engine answered ${engine.startMs} ms after start; up with ${BASE} loaded: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await buildToolsImage(target, image, testRun.id, marker);
  }, 300_000);

  afterAll(async () => {
    if (engine) {
      // Everything the tests made, removed through the engine, and checked; then the engine itself.
      const made = await leftovers().catch(() => ({ containers: [], networks: [] }));
      if (made.containers.length) await docker(target, ["rm", "--force", ...made.containers], { timeoutMs: 60_000 });
      if (made.networks.length) await docker(target, ["network", "rm", ...made.networks]);
      await docker(target, ["image", "rm", image]).catch(() => undefined);
      expect(await leftovers()).toEqual({ containers: [], networks: [] });
      const runDir = `/run/docker-netlabs-engine-${engine.name}`;
      await engine.stop();
      expect(fs.existsSync(`/proc/${engine.pid}`)).toBe(false);
      expect(fs.existsSync(runDir)).toBe(false);
      expect(fs.existsSync(`/var/lib/docker-netlabs/engine-data/${engine.name}`)).toBe(false);
      expect(fs.existsSync(`/run/netns/${engine.netns}`)).toBe(false);
      expect(fs.readFileSync("/proc/self/mounts", "utf8")).not.toContain(engine.name);
    }
    for (const line of figures) console.log(`[figures] current engine: ${line}`);
  }, 180_000);

  it("docker version reports a 28.x engine, from the tree's packages", async () => {
    const version = JSON.parse(await docker(target, ["version", "--format", "{{json .Server}}"]));
    expect(version.Version).toMatch(/^28\./);
    figures.push(
      `engine ${version.Version}, API ${version.ApiVersion}, ${version.Components?.map((c: any) => `${c.Name} ${c.Version}`).join(", ")}`,
    );
    const info = JSON.parse(await docker(target, ["info", "--format", "{{json .}}"]));
    expect(info.Labels).toContain(`io.docker-netlabs.engine=${engine.name}`);
    expect(info.Driver).toBe("overlay2");
  });

  it("runs a container on an internal bridge network, and docker exec sees the container's own filesystem and interfaces", async () => {
    await docker(target, ["network", "create", "--internal", "--label", label, "--subnet", "10.201.0.0/24", "ce-solo"]);
    const network = JSON.parse(await docker(target, ["network", "inspect", "ce-solo"]))[0];
    expect(network).toMatchObject({ Driver: "bridge", Internal: true });
    await docker(target, sleeper(["--name", `ce-solo-${testRun.id}`, "--network", "ce-solo"]));
    expect(await addressOn(`ce-solo-${testRun.id}`, "ce-solo")).toMatch(/^10\.201\.0\./);
    expect(await execProblems(target, `ce-solo-${testRun.id}`, image, marker, started, label)).toEqual([]);
  });

  it("two containers on one internal network ping each other", async () => {
    await docker(target, ["network", "create", "--internal", "--label", label, "--subnet", "10.201.3.0/24", "ce-pair"]);
    const [a, b] = [`ce-a-${testRun.id}`, `ce-b-${testRun.id}`];
    for (const name of [a, b]) await docker(target, sleeper(["--name", name, "--network", "ce-pair"]));
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      const ping = await exec(target, from, ["busybox", "ping", "-c", "3", "-W", "2", await addressOn(to, "ce-pair")]);
      expect(ping.stdout + ping.stderr).toMatch(/3 packets transmitted, 3 packets received/);
    }
  });

  it("a NET_ADMIN container forwards a ping between two internal networks (a router)", async () => {
    const [left, right] = ["ce-left", "ce-right"];
    await docker(target, ["network", "create", "--internal", "--label", label, "--subnet", "10.201.1.0/24", left]);
    await docker(target, ["network", "create", "--internal", "--label", label, "--subnet", "10.201.2.0/24", right]);
    const [router, h1, h2] = ["router", "h1", "h2"].map((n) => `ce-${n}-${testRun.id}`);
    await docker(
      target,
      sleeper(["--name", router, "--network", left, "--ip", "10.201.1.254", "--cap-add", "NET_ADMIN", "--sysctl", "net.ipv4.ip_forward=1"]),
    );
    await docker(target, ["network", "connect", "--ip", "10.201.2.254", right, router]);
    await docker(target, sleeper(["--name", h1, "--network", left, "--ip", "10.201.1.10", "--cap-add", "NET_ADMIN"]));
    await docker(target, sleeper(["--name", h2, "--network", right, "--ip", "10.201.2.10", "--cap-add", "NET_ADMIN"]));
    for (const [host, via, far] of [
      [h1, "10.201.1.254", "10.201.2.0/24"],
      [h2, "10.201.2.254", "10.201.1.0/24"],
    ]) {
      const route = await exec(target, host, ["busybox", "ip", "route", "add", far, "via", via]);
      expect(route.stderr).toBe("");
    }
    // As the labs' host guard does: bridged traffic on the lab bridges passes Docker's isolation
    // rules (br_netfilter sends it through FORWARD), here in the engine's own netns.
    const bridges = await Promise.all(
      [left, right].map(async (n) => `br-${(await docker(target, ["network", "inspect", "--format", "{{.Id}}", n])).trim().slice(0, 12)}`),
    );
    for (const bridge of bridges) {
      const rule = await engine.inNetns([
        "iptables",
        "-w",
        "5",
        "-I",
        "DOCKER-USER",
        "-i",
        bridge,
        "-m",
        "physdev",
        "--physdev-is-bridged",
        "-j",
        "ACCEPT",
      ]);
      expect(rule.stderr).toBe("");
    }
    const ping = await exec(target, h1, ["busybox", "ping", "-c", "3", "-W", "2", "10.201.2.10"]);
    expect(ping.stdout + ping.stderr).toMatch(/3 packets transmitted, 3 packets received/);
    expect(ping.stdout).toMatch(/ttl=63/); // one hop: the router decremented it
    const back = await exec(target, h2, ["busybox", "ping", "-c", "2", "-W", "2", "10.201.1.10"]);
    expect(back.stdout).toMatch(/2 packets received/);
  });

  it("Docker 28's firewall chains are in the engine's network namespace, not in the machine's", async () => {
    const rules = await engine.inNetns(["iptables", "-w", "5", "-S"]);
    expect(rules.code).toBe(0);
    for (const chain of ["DOCKER", "DOCKER-FORWARD", "DOCKER-BRIDGE", "DOCKER-CT", "DOCKER-ISOLATION-STAGE-1", "DOCKER-USER"]) {
      expect(rules.stdout).toContain(`-N ${chain}\n`);
    }
    expect(rules.stdout).toContain("-A FORWARD -j DOCKER-FORWARD");
    // The engine's bridges are in its netns only.
    const bridge = `br-${(await docker(target, ["network", "inspect", "--format", "{{.Id}}", "ce-pair"])).trim().slice(0, 12)}`;
    expect((await engine.inNetns(["ip", "link", "show", bridge])).code).toBe(0);
    expect(fs.existsSync(`/sys/class/net/${bridge}`)).toBe(false);
  });

  it("negative control: an engine started with chroot instead of pivot_root fails the exec check", async () => {
    const control = await startCurrentEngine({ images: [BASE], root: "chroot" });
    try {
      await buildToolsImage(control.target, image, testRun.id, marker);
      await docker(control.target, ["network", "create", "--internal", "--label", label, "ce-control"]);
      const name = `ce-control-${testRun.id}`;
      await docker(control.target, sleeper(["--name", name, "--network", "ce-control"]));
      const problems = await execProblems(control.target, name, image, marker, started, label);
      figures.push(`chroot control: ${problems.length} exec problems: ${problems.join("; ")}`);
      expect(problems).toContain("the image's marker file is not there");
      expect(problems).toContain("the file the container's main process wrote is not there");
      expect(problems.some((p) => p.startsWith("/var/lib/docker-netlabs"))).toBe(true); // the machine's root
      // The diagnosis: exec did join the container's mount namespace; its root is that namespace's
      // root mount, which under chroot is still the machine's `/` (the container's pivot_root only
      // replaced the tree's mount).
      expect(problems.filter((p) => p.startsWith("exec's mount namespace"))).toEqual([]);
      await docker(control.target, ["rm", "--force", name], { timeoutMs: 60_000 });
      await docker(control.target, ["network", "rm", "ce-control"]);
    } finally {
      await control.stop();
    }
  });
});
