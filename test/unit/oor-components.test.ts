import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { hostConnection } from "../../components/host/docker-host";
import { LispSite, OorRouter } from "../../components/oor";
import { readStackConfig } from "../../stacks/config";
import { buildStack } from "../../stacks";
import { OorLab } from "../../components/oor";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram, valueOf } from "../support/run-program";
import { OOR_FIXTURES } from "./oor-fixtures";

/** Runs `program` and reports, for every Container, whether its uploads and envs were secret. */
async function secretsSeen(program: (inspect: pulumi.ResourceTransformation) => unknown) {
  const seen: Record<string, { uploadsSecret: boolean; envsSecret: boolean; uploads: any[]; envs: string[] | undefined }> = {};
  const pending: Promise<void>[] = [];
  const inspect: pulumi.ResourceTransformation = (args) => {
    if (args.type === "docker:index/container:Container") {
      const uploads = pulumi.output(args.props.uploads);
      const envs = pulumi.output(args.props.envs);
      pending.push(
        (async () => {
          seen[args.name] = {
            uploadsSecret: await pulumi.isSecret(uploads),
            envsSecret: await pulumi.isSecret(envs),
            uploads: (await valueOf(uploads)) ?? [],
            envs: await valueOf(envs),
          };
        })(),
      );
    }
    return undefined;
  };
  const mocks = new RecordingMocks();
  const result = await runProgram(mocks, () => program(inspect));
  await Promise.all(pending);
  return { seen, mocks, result };
}

const xtrArgs = { ...OOR_FIXTURES.xtr, rlocNetwork: "rloc", image: "registry.example/oor:test" };

describe("OorRouter", () => {
  it("file mode: /dev/net/tun, NET_ADMIN and NET_RAW, rp_filter off, forwarding on, the config a secret upload", async () => {
    const { seen, mocks } = await secretsSeen((inspect) => new OorRouter("xtr", xtrArgs, { transformations: [inspect] }));
    const container = mocks.ofType("docker:index/container:Container")[0].inputs;
    expect(container.devices).toEqual([{ hostPath: "/dev/net/tun", containerPath: "/dev/net/tun" }]);
    // Docker's defaults dropped: OOR 1.3.0 was measured to need these two alone (issue 20, point 14).
    expect(container.capabilities).toEqual({ drops: ["ALL"], adds: ["NET_ADMIN", "NET_RAW"] });
    expect(container.sysctls).toMatchObject({
      "net.ipv4.ip_forward": "1",
      "net.ipv4.conf.all.rp_filter": "0",
      "net.ipv4.conf.default.rp_filter": "0",
    });
    expect(container.sysctls["net.ipv6.conf.all.forwarding"]).toBe("1"); // the fixture has an IPv6 EID prefix
    expect(container.networksAdvanced).toEqual([{ name: "rloc", ipv4Address: "192.0.2.11" }]);
    expect(container.entrypoints).toEqual(["/bin/sh", "/netlabs/oor-start.sh"]);
    expect(seen.xtr.uploadsSecret).toBe(true);
    expect(mocks.named("xtr").secretPaths).toEqual(["uploads"]);
    const template = seen.xtr.uploads.find((u: any) => u.file === "/netlabs/oor.conf.template").content;
    expect(template).toContain("key         = site-a-key");
    expect(mocks.ofType("docker:index/remoteImage:RemoteImage")[0].inputs).toMatchObject({
      name: "registry.example/oor:test",
      keepLocally: true,
    });
    const start = seen.xtr.uploads.find((u: any) => u.file === "/netlabs/oor-start.sh").content as string;
    // Traffic to the RLOC subnet stays on the main table, ahead of OOR's per-RLOC table (its rules come at 12 and up).
    expect(start).toContain("ip rule add to 192.0.2.0/24 lookup main pref 10 || exit 74");
    // The template with the key is made owner-only before anything else (issue 20, point 8).
    expect(start.split("\n")[3]).toMatch(/^chmod 600 \/netlabs\/oor\.conf\.template \|\| /);
    expect(start.indexOf("chmod 600 /netlabs/oor.conf.template")).toBeLessThan(start.indexOf("cat /netlabs/oor.conf.template"));
    execFileSync("sh", ["-n"], { input: start });
  });

  it("by default builds the project's own image (images/oor) on the host, and pulls nothing", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new OorRouter("xtr", { ...xtrArgs, image: undefined }));
    expect(mocks.ofType("docker:index/remoteImage:RemoteImage")).toEqual([]);
    const [image] = mocks.ofType("docker:index/image:Image");
    expect(image.inputs.imageName).toMatch(/^docker-netlabs\/oor:[0-9a-f]{16}$/);
    expect(image.inputs.build.context).toMatch(/images\/oor$/);
  });

  it("holds `pulumi up` on a readiness gate over the router, healthy once OOR reports it started", async () => {
    const mocks = new RecordingMocks();
    await runProgram(
      mocks,
      () =>
        new OorRouter("xtr", { ...xtrArgs, namePrefix: "p-", host: hostConnection("ssh://lab@site-a.example"), readyTimeoutSeconds: 40 }),
    );
    const container = mocks.named("xtr").inputs;
    expect(container.healthcheck.tests[0]).toBe("CMD-SHELL");
    expect(container.healthcheck.tests[1]).toContain("test -f /run/oor/ready");
    const gate = mocks.resources.find((r) => r.type.includes("NodesReady"))!;
    expect(gate.inputs).toMatchObject({
      lab: "p-xtr",
      dockerHost: "ssh://lab@site-a.example",
      timeoutSeconds: 40,
      nodes: [{ node: "xtr", container: "p-xtr" }],
    });
  });

  it("env mode: exactly the image's variables, as a secret, and the image's own start", async () => {
    const { seen, mocks } = await secretsSeen(
      (inspect) =>
        new OorRouter(
          "xtr",
          { ...xtrArgs, config: "env", proxyEtrs: [], eidPrefixes: [{ prefix: "10.1.0.0/24" }] },
          { transformations: [inspect] },
        ),
    );
    expect(seen.xtr.envsSecret).toBe(true);
    expect(mocks.named("xtr").secretPaths).toEqual(["envs"]);
    expect(seen.xtr.envs!.map((e) => e.split("=")[0]).sort()).toEqual([
      "DEBUG",
      "IPMAPRESOLVER",
      "IPMAPSERVER",
      "IPPROXYETRV4",
      "IPPROXYETRV6",
      "IPV4EIDPREFFIX",
      "IPV6EIDPREFFIX",
      "KEYMAPSERVER",
      "OPMODE",
    ]);
    const container = mocks.ofType("docker:index/container:Container")[0].inputs;
    expect(container.entrypoints).toBeUndefined();
    expect(container.uploads).toBeUndefined();
  });

  it("runs no watchtower: watchtower: true is refused, naming the field and what to do instead, creating nothing (issue 20, point 14)", async () => {
    const without = new RecordingMocks();
    await runProgram(without, () => new OorRouter("xtr", xtrArgs));
    expect(without.ofType("docker:index/container:Container")).toHaveLength(1);
    const withIt = new RecordingMocks();
    await expect(runProgram(withIt, () => new OorRouter("xtr", { ...xtrArgs, watchtower: true }))).rejects.toThrow(
      /watchtower: watchtower is no longer run: .*name a newer OOR image by digest in image and run pulumi up \(got true\)/,
    );
    expect(withIt.resources.filter((resource) => resource.type !== "pulumi:providers:docker")).toEqual([]);
  });

  it("rejects a bad RLOC route before creating anything", async () => {
    const mocks = new RecordingMocks();
    await expect(runProgram(mocks, () => new OorRouter("xtr", { ...xtrArgs, rlocRoutes: [{ to: "10.0.0.0/33" }] }))).rejects.toThrow(
      /rlocRoutes\[0\]\.to/,
    );
    expect(mocks.resources).toEqual([]);
  });
});

describe("LispSite", () => {
  const site = () => ({
    rlocNetwork: "rloc",
    rlocSubnet: "192.0.2.0/24",
    rlocAddress: "192.0.2.11",
    mapResolvers: ["192.0.2.2"],
    mapServers: [{ address: "192.0.2.2", key: pulumi.secret("site-key-1") }],
    eidSubnet: "10.1.0.0/24",
    sandboxes: ["sandbox-1", "sandbox-2"],
    image: "registry.example/oor:test",
  });

  it("gives each sandbox a default route through the xTR's EID address", async () => {
    const mocks = new RecordingMocks();
    const lisp = await runProgram(mocks, () => new LispSite("a", site()));
    expect(lisp.xtrEidAddress).toBe("10.1.0.1");
    const containers = mocks.ofType("docker:index/container:Container").map((c) => c.inputs);
    for (const sandbox of ["a-eid-sandbox-1", "a-eid-sandbox-2"]) {
      const init = containers.find((c) => c.name === sandbox)!.uploads[0].content as string;
      expect(init).toContain("ip route add default via 10.1.0.1");
    }
    const xtr = containers.find((c) => c.name === "a-xtr")!;
    expect(xtr.networksAdvanced).toEqual([
      { name: "rloc", ipv4Address: "192.0.2.11" },
      { name: "a-eid-eid", ipv4Address: "10.1.0.1" },
    ]);
  });

  it("guards the EID bridge: Docker's isolation would drop frames for other sites", async () => {
    const mocks = new RecordingMocks();
    await runProgram(
      mocks,
      () => new LispSite("a", { ...site(), namePrefix: "p-", images: { router: "router:test", client: "client:test" } }),
    );
    const guard = mocks.named("a-eid-guard");
    const network = mocks.ofType("docker:index/network:Network")[0].inputs;
    const bridge = network.options["com.docker.network.bridge.name"];
    expect(guard.inputs).toMatchObject({ name: "p-a-eid-guard", image: "router:test", networkMode: "host" });
    const script = guard.inputs.uploads[0].content as string;
    expect(script).toContain(
      `'-i' '${bridge}' '-m' 'physdev' '--physdev-is-bridged' '-m' 'comment' '--comment' 'docker-netlabs:p-a' '-j' 'ACCEPT'`,
    );
  });

  it("serves each sandbox's container name on port 80, and probes the far sandboxes it is given", async () => {
    const mocks = new RecordingMocks();
    const lisp = await runProgram(mocks, () => new LispSite("a", site()));
    const sandbox = mocks.named("a-eid-sandbox-1").inputs;
    expect(sandbox.uploads.find((u: any) => u.file === "/srv/www/index.html").content).toBe("a-eid-sandbox-1\n");
    expect(sandbox.uploads[0].content).toContain("busybox httpd -p 80 -h /srv/www");
    const checks = lisp.probeChecks([{ name: "b sandbox-1", address: "10.2.0.10", page: "b-eid-sandbox-1" }]);
    expect(checks).toContainEqual({
      kind: "file",
      name: "a-xtr registered 10.1.0.0/24 with the map server",
      container: "a-xtr",
      path: "/run/oor/registered/10.1.0.0_24",
    });
    expect(checks).toContainEqual({
      kind: "fetch",
      name: "sandbox-2 fetches b sandbox-1 across the overlay",
      from: "a-eid-sandbox-2",
      url: "http://10.2.0.10/",
      expect: "b-eid-sandbox-1",
    });
    expect(
      checks
        .filter((c) => c.kind === "reach")
        .map((c) => (c as any).address)
        .sort(),
    ).toEqual(["10.1.0.1", "10.1.0.1", "10.2.0.10", "10.2.0.10"]);
  });

  it("refuses an xTR EID address that a sandbox has", async () => {
    const mocks = new RecordingMocks();
    await expect(runProgram(mocks, () => new LispSite("a", { ...site(), xtrEidAddress: "10.1.0.10" }))).rejects.toThrow(
      /xtrEidAddress: "10.1.0.10" is a sandbox's address/,
    );
    expect(mocks.resources).toEqual([]);
  });
});

describe("oor-2xtrs-1msmr composition", () => {
  it("needs the secret key, naming it", async () => {
    const mocks = new RecordingMocks();
    await expect(runProgram(mocks, () => buildStack(readStackConfig()), { config: { labs: ["oor-2xtrs-1msmr"] } })).rejects.toThrow(
      /docker-netlabs:oorMapServerKey: the oor-2xtrs-1msmr lab needs it/,
    );
    expect(mocks.resources).toEqual([]);
  });

  it("keeps the key secret in every container that carries it, and out of the stack outputs", async () => {
    const key = "correct-horse-battery";
    const { seen } = await secretsSeen(
      (inspect) =>
        new OorLab(
          "oor",
          {
            key,
            image: "registry.example/oor:test",
            internal: true,
            namePrefix: "",
            images: { client: "client:test", router: "router:test" },
          },
          { transformations: [inspect] },
        ),
    );
    const carriers = Object.entries(seen).filter(([, c]) => c.uploads.some((u: any) => String(u.content).includes(key)));
    expect(carriers.map(([name]) => name).sort()).toEqual(["oor-msmr", "oor-site-a-xtr", "oor-site-b-xtr"]);
    for (const [, container] of carriers) expect(container.uploadsSecret).toBe(true);

    const mocks = new RecordingMocks();
    const outputs = await runProgram(mocks, () => buildStack(readStackConfig()), {
      config: { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: key },
      secretKeys: ["oorMapServerKey"],
    });
    expect(JSON.stringify(outputs.labs)).not.toContain(key);
    expect(Object.keys(outputs.labs["oor-2xtrs-1msmr"].nodes).sort()).toEqual([
      "msmr",
      "site-a-sandbox-1",
      "site-a-xtr",
      "site-b-sandbox-1",
      "site-b-xtr",
    ]);
  });
});

describe("one stack per LISP role (Pulumi.msmr.yaml, Pulumi.site-a.yaml, Pulumi.site-b.yaml)", () => {
  const stackConfig = (stack: string) => {
    const file = parseYaml(fs.readFileSync(path.join(__dirname, "../..", `Pulumi.${stack}.yaml`), "utf8"));
    return { ...file.config, "docker-netlabs:oorMapServerKey": "shared-site-key" } as Record<string, unknown>;
  };

  it.each([
    ["site-a", "ssh://lab@site-a.lab.example", "198.51.100.11", "10.241.1.0/24"],
    ["site-b", "ssh://lab@site-b.lab.example", "198.51.100.12", "10.241.2.0/24"],
  ])(
    "%s: its own Docker host, a macvlan RLOC network, an xTR registering its EID prefix with a secret key",
    async (stack, host, rloc, eid) => {
      const mocks = new RecordingMocks();
      await runProgram(mocks, () => buildStack(readStackConfig()), { config: stackConfig(stack), secretKeys: ["oorMapServerKey"] });
      expect(mocks.ofType("pulumi:providers:docker")[0].inputs.host).toBe(host);
      const networks = mocks.ofType("docker:index/network:Network").map((n) => n.inputs);
      expect(networks.find((n) => n.name === "lisp-site-rloc")).toMatchObject({ driver: "macvlan", options: { parent: "eth1" } });
      const xtr = mocks.named("lisp-site-xtr");
      expect(xtr.secretPaths).toEqual(["uploads"]);
      const template = xtr.inputs.uploads.find((u: any) => u.file === "/netlabs/oor.conf.template").content as string;
      expect(template).toContain(`eid-prefix          = ${eid}`);
      expect(template).toContain(`address  = ${rloc}`);
      expect(template).toContain("address     = 198.51.100.2");
      expect(
        mocks
          .ofType("docker:index/container:Container")
          .map((c) => c.inputs.name)
          .sort(),
      ).toEqual(["lisp-site-eid-guard", "lisp-site-eid-sandbox-1", "lisp-site-xtr"]);
    },
  );

  it("msmr: a map server accepting both sites' prefixes", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => buildStack(readStackConfig()), { config: stackConfig("msmr"), secretKeys: ["oorMapServerKey"] });
    const ms = mocks.named("lisp-msmr");
    expect(ms.secretPaths).toEqual(["uploads"]);
    const template = ms.inputs.uploads.find((u: any) => u.file === "/netlabs/oor.conf.template").content as string;
    expect(template.match(/lisp-site \{/g)).toHaveLength(2);
    expect(template).toContain("control-iface = @IFACE_OF:198.51.100.2@");
  });

  it("names each missing key of a site stack, creating nothing", async () => {
    const mocks = new RecordingMocks();
    await expect(runProgram(mocks, () => buildStack(readStackConfig()), { config: { labs: ["lisp-site"] } })).rejects.toThrow(
      /docker-netlabs:oorMapServerKey: the lisp-site lab needs it[\s\S]*docker-netlabs:oorRloc[\s\S]*docker-netlabs:oorSite[\s\S]*docker-netlabs:oorMapServer/,
    );
    expect(mocks.resources).toEqual([]);
  });

  it("rejects an IPv6 EID site at preview, saying what does work, before creating anything", async () => {
    const mocks = new RecordingMocks();
    const config = { ...stackConfig("site-a"), "docker-netlabs:oorSite": { eidSubnet: "fd00:1::/64" } };
    await expect(runProgram(mocks, () => buildStack(readStackConfig()), { config })).rejects.toThrow(
      /docker-netlabs:oorSite\.eidSubnet: "fd00:1::\/64" is an IPv6 prefix: a LISP site's sandboxes are on an IPv4 network \(IPv6 EID prefixes work on OorRouter, not on LispSite\)/,
    );
    expect(mocks.resources).toEqual([]);
  });

  it("rejects an RLOC address outside the RLOC subnet before creating anything", async () => {
    const mocks = new RecordingMocks();
    const config = { ...stackConfig("site-a"), "docker-netlabs:oorRloc": { subnet: "198.51.100.0/24", address: "203.0.113.9" } };
    await expect(runProgram(mocks, () => buildStack(readStackConfig()), { config })).rejects.toThrow(
      /docker-netlabs:oorRloc\.address: "203\.0\.113\.9" is outside the RLOC subnet/,
    );
    expect(mocks.resources).toEqual([]);
  });
});
