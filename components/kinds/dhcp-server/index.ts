/** A DHCP server (the dhcp-server image): dnsmasq in the foreground, its configuration in /etc/netlabs. */
import { labNodeKind } from "../lab-node";

export const dhcpServerKind = labNodeKind("dhcp-server", "dhcp-server", [
  "dnsmasq",
  "--keep-in-foreground",
  "--log-facility=-",
  "--user=root",
  "--conf-file=/etc/netlabs/dnsmasq.conf",
  "--dhcp-leasefile=/var/lib/misc/dnsmasq.leases",
]);
