import { describe, expect, it } from "vitest";
import { configIssues } from "../support/config-issues";
import { BgpTriangle, planBgpTriangle } from "../../components/bgp";
import { planRoutedLab } from "../../components/routed-lab/plan";
import { FRR_CAPABILITIES, FRR_TEMPLATE_PATH } from "../../components/protocols";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";

const issuesOf = (options: unknown): string => configIssues(() => planBgpTriangle("bgp", options as any)).join("\n");

describe("planBgpTriangle", () => {
  const plan = planBgpTriangle("bgp");

  it("follows the seed: ASNs, LANs, addresses", () => {
    expect([plan.routers.r1.bgp!.asn, plan.routers.r2.bgp!.asn, plan.routers.r3.bgp!.asn]).toEqual([4500, 55000, 65000]);
    expect([plan.routers.r1.routerId, plan.routers.r2.routerId, plan.routers.r3.routerId]).toEqual(["1.1.1.1", "2.2.2.2", "3.3.3.3"]);
    expect(plan.routers.r1.bgp!.networks).toEqual(["10.0.0.0/24"]);
    expect(plan.routers.r2.bgp!.networks).toEqual(["12.0.0.0/24"]);
    expect(plan.routers.r3.bgp!.networks).toEqual(["11.0.0.0/24"]);
    expect([plan.hostAddress, plan.webAddress]).toEqual(["10.0.0.10", "12.0.0.10"]);
    const host = plan.spec.nodes.find((n) => n.name === "host")!;
    expect(host.routes).toEqual([{ to: "default", via: "10.0.0.1" }]);
    const web = plan.spec.nodes.find((n) => n.name === "web")!;
    expect(web.routes).toEqual([{ to: "default", via: "12.0.0.1" }]);
  });

  it("configures one eBGP session per link end, six in all", () => {
    expect(plan.sessions.map((s) => `${s.router}->${s.neighbor}@${s.address}/AS${s.remoteAs}`)).toEqual([
      "r1->r2@10.255.12.2/AS55000",
      "r1->r3@10.255.13.2/AS65000",
      "r2->r1@10.255.12.1/AS4500",
      "r2->r3@10.255.23.2/AS65000",
      "r3->r1@10.255.13.1/AS4500",
      "r3->r2@10.255.23.1/AS55000",
    ]);
  });

  it("runs FRR on its routers through RoutedLab's routing: FRR's capabilities only, FRR files, no start command of its own", () => {
    const planned = planRoutedLab("bgp", plan.spec);
    for (const router of planned.nodes.filter((n) => n.router)) {
      expect([router.capabilities, router.dropDefaultCapabilities]).toEqual([[...FRR_CAPABILITIES], true]);
      expect(Object.keys(router.files).sort()).toEqual(["/etc/frr/daemons", "/etc/frr/vtysh.conf", FRR_TEMPLATE_PATH]);
      expect(router.command).toBeUndefined();
    }
    expect(plan.spec.bfd).toEqual({ intervalMs: 100, multiplier: 3 });
    expect(planBgpTriangle("bgp", { bfd: false }).routers.r1.bfd).toBeUndefined();
  });

  it("renders the same BGP configuration as the fixed-shape triangle did", () => {
    const r1 = planRoutedLab("bgp", plan.spec).nodes.find((n) => n.name === "r1")!;
    const body = r1.files[FRR_TEMPLATE_PATH].split("\n").slice(1).join("\n");
    expect(body).toBe(
      [
        "frr defaults traditional",
        "hostname r1",
        "log file /var/log/frr/frr.log informational",
        "log timestamp precision 3",
        "service integrated-vtysh-config",
        "!",
        "bfd",
        " profile netlabs",
        "  detect-multiplier 3",
        "  receive-interval 100",
        "  transmit-interval 100",
        " exit",
        // Declared whole, so that bgpd joins these sessions rather than re-registering its own.
        " peer 10.255.12.2 local-address 10.255.12.1 interface @IF_r1r2@",
        "  profile netlabs",
        " exit",
        " peer 10.255.13.2 local-address 10.255.13.1 interface @IF_r1r3@",
        "  profile netlabs",
        " exit",
        "exit",
        "!",
        "router bgp 4500",
        " bgp router-id 1.1.1.1",
        " bgp log-neighbor-changes",
        " no bgp ebgp-requires-policy",
        " no bgp network import-check",
        " timers bgp 1 3",
        " coalesce-time 50",
        " neighbor 10.255.12.2 remote-as 55000",
        " neighbor 10.255.12.2 description r2",
        " neighbor 10.255.12.2 timers connect 1",
        " neighbor 10.255.12.2 bfd profile netlabs",
        " neighbor 10.255.13.2 remote-as 65000",
        " neighbor 10.255.13.2 description r3",
        " neighbor 10.255.13.2 timers connect 1",
        " neighbor 10.255.13.2 bfd profile netlabs",
        " address-family ipv4 unicast",
        "  network 10.0.0.0/24",
        " exit-address-family",
        "exit",
        "!",
        "end",
        "",
      ].join("\n"),
    );
  });

  it.each([
    [{ asns: { r1: 0 } }, /asns\.r1: must be an ASN from 1 to 4294967295 \(got 0\)/],
    [{ asns: { r2: 4294967296 } }, /asns\.r2: must be an ASN from 1 to 4294967295 \(got 4294967296\)/],
    [{ asns: { r3: 4500 } }, /asns\.r3: 4500 is also r1's ASN; eBGP needs distinct ASNs/],
    [{ routerIds: { r2: "1.1.1.1" } }, /routerIds\.r2: "1.1.1.1" is also r1's router id/],
    [{ routerIds: { r1: "one" } }, /routerIds\.r1: must be an IPv4 address \(got "one"\)/],
    [{ subnets: { web: "10.0.0.0/16" } }, /subnets\.web: "10.0.0.0\/16" overlaps subnets\.host \(10.0.0.0\/24\)/],
    [{ subnets: { r1r2: "10.255.12.0/30" } }, /subnets\.r1r2: "10.255.12.0\/30" is too small/],
    [{ subnets: { stub: "11.0.0.1/24" } }, /subnets\.stub: "11.0.0.1\/24" is not a network address/],
    [{ hostAddress: "12.0.0.5" }, /hostAddress: "12.0.0.5" is outside subnets\.host \(10.0.0.0\/24\)/],
    [{ webAddress: "12.0.0.1" }, /webAddress: "12.0.0.1" is the router's or Docker gateway's address/],
    [{ bfd: { intervalMs: 5 } }, /bfd\.intervalMs: must be 10 to 60000 ms \(got 5\)/],
    [{ timers: { holdSeconds: 2 } }, /timers\.holdSeconds: must be at least 3 \(got 2\)/],
    [{ timers: { keepaliveSeconds: 3 } }, /timers\.keepaliveSeconds: 3 must be less than holdSeconds \(3\)/],
    [{ asn: 1 }, /Unrecognized key: "asn"/],
  ])("rejects %j naming the field", (options, expected) => {
    expect(issuesOf(options)).toMatch(expected);
  });
});

describe("BgpTriangle resource graph", () => {
  it("creates six internal networks and five containers, no privileged, with FRR capabilities", async () => {
    const mocks = new RecordingMocks();
    await runProgram(mocks, () => new BgpTriangle("bgp", { namePrefix: "x-" }));
    expect(mocks.ofType("docker:index/network:Network")).toHaveLength(6);
    const containers = mocks.ofType("docker:index/container:Container");
    expect(containers.map((c) => c.inputs.name).sort()).toEqual([
      "x-bgp-bridge-guard",
      "x-bgp-host",
      "x-bgp-r1",
      "x-bgp-r2",
      "x-bgp-r3",
      "x-bgp-web",
    ]);
    const r1 = containers.find((c) => c.inputs.name === "x-bgp-r1")!.inputs;
    expect(r1.capabilities).toEqual({
      drops: ["ALL"],
      adds: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW", "SETGID", "SETUID", "SYS_ADMIN"],
    });
    expect(r1.sysctls["net.ipv4.ip_forward"]).toBe("1");
    for (const container of containers) expect(container.inputs.privileged).toBeUndefined();
  });

  it("creates nothing when an argument is invalid", async () => {
    const mocks = new RecordingMocks();
    await expect(runProgram(mocks, () => new BgpTriangle("bgp", { asns: { r1: 0 } }))).rejects.toThrow(/asns\.r1/);
    expect(mocks.resources).toEqual([]);
  });
});
