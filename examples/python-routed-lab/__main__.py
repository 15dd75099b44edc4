"""The routed LAN (a router, three LANs, a host on each) and the eBGP triangle, from Python.

The SDK `pulumi_docker_netlabs` is what `pulumi package add ../..` generates (into sdks/) and
installs into this program's virtualenv.
"""

import pulumi
import pulumi_docker_netlabs as netlabs

LANS = [1, 2, 3]


def host(lan: int) -> netlabs.NodeSpecArgs:
    """A host on LAN `lan`, routing everything through the router."""
    return netlabs.NodeSpecArgs(
        name=f"h{lan}",
        image="client",
        interfaces=[netlabs.InterfaceSpecArgs(segment=f"lan{lan}", address=f"10.244.{lan}.10")],
        routes=[netlabs.RouteSpecArgs(to="default", via=f"10.244.{lan}.1")],
    )


router = netlabs.NodeSpecArgs(
    name="r1",
    image="router",
    router=True,
    interfaces=[netlabs.InterfaceSpecArgs(segment=f"lan{lan}", address=f"10.244.{lan}.1") for lan in LANS],
)

lan = netlabs.RoutedLab(
    "lan",
    name_prefix="py-",
    probe=netlabs.LabProbeSettingsArgs(timeout_seconds=60),
    spec=netlabs.RoutedLabSpecArgs(
        segments=[netlabs.SegmentSpecArgs(name=f"lan{lan}", subnet=f"10.244.{lan}.0/24") for lan in LANS],
        nodes=[router, *(host(lan) for lan in LANS)],
        checks=[netlabs.CheckSpecArgs(from_="h1", reach="10.244.3.10")],
    ),
)

bgp = netlabs.BgpTriangle(
    "bgp",
    name_prefix="py-",
    # Apart from the LAN's (and the dev stack's) subnets, so both run on one engine.
    subnets=netlabs.BgpTriangleSubnetsArgs(
        host="10.245.0.0/24",
        stub="10.245.1.0/24",
        web="10.245.2.0/24",
        r1r2="10.245.12.0/29",
        r1r3="10.245.13.0/29",
        r2r3="10.245.23.0/29",
    ),
    probe=netlabs.LabProbeSettingsArgs(timeout_seconds=120),
)

pulumi.export("lan_diagram", lan.mermaid)
pulumi.export("lan_probe", lan.probe_results)
pulumi.export("bgp_sessions", bgp.sessions)
pulumi.export("bgp_probe", bgp.probe_results)
