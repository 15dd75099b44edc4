/**
 * The OorRouter's start script (file mode): wait for the RLOC address, add the RLOC routes, keep
 * traffic to the RLOC subnet and routes on the main table (OOR adds a source rule sending
 * everything from the RLOC through a table of its own whose default route is the RLOC network's
 * gateway, the host, so every Map-Register would otherwise hairpin through the host), write
 * /oor/oor.conf from the rendered template with every `@IFACE_OF:<address>@` replaced by the
 * interface that holds the address (Docker's interface order is its own), then hand over to the
 * image's own start script, which runs OOR with /oor/oor.conf. Pure.
 *
 * The template holds the map-server key. It stays, readable by its owner only, as the rendered
 * files are (umask 077): every start renders it again (after a daemon restart Docker may name the
 * interfaces otherwise, and uploads are written only when the container is created). Measured on
 * Docker 28.5 (issue 20, point 8): a restarted router renders from it and is healthy again; with it
 * removed, the restart loops on exit 70. Removing it would not narrow who can read the key either:
 * /oor/oor.conf and /var/lib/oor/oor.conf hold it for the same readers (root in the container,
 * anyone who may use the engine), and OOR needs the latter.
 */
import { IFACE_WITH_FUNCTION, shQuote } from "../net/shell";

export const OOR_TEMPLATE_PATH = "/netlabs/oor.conf.template";
export const OOR_START_PATH = "/netlabs/oor-start.sh";
export const OOR_CONFIG_PATH = "/oor/oor.conf";
/** The OOR image's own start script. */
export const OOR_IMAGE_START = "/tmp/start.sh";

/** Preference of the rules that keep RLOC-side destinations on the main table (OOR's own come after). */
export const RLOC_RULE_PREFERENCE = 10;

export interface OorStartOptions {
  rlocAddress: string;
  /** The RLOC network's subnet: reached on-link, never through OOR's per-RLOC table. */
  rlocSubnet: string;
  /** Routes towards other sites' RLOCs: via a next hop, or on-link (over the RLOC interface). */
  rlocRoutes: { to: string; via?: string }[];
  waitSeconds?: number;
}

export function renderOorStartScript(options: OorStartOptions): string {
  const tries = (options.waitSeconds ?? 30) * 5;
  return [
    "#!/bin/sh",
    "# docker-netlabs OorRouter start: generated; rewritten on every deploy.",
    "set -u",
    // Uploaded 0644: the key in it is for root alone, like the files rendered from it.
    `chmod 600 ${OOR_TEMPLATE_PATH} || { echo "oor-start: cannot make ${OOR_TEMPLATE_PATH} owner-only" >&2; exit 70; }`,
    IFACE_WITH_FUNCTION,
    "tries=0",
    `while [ -z "$(iface_with ${options.rlocAddress})" ] && [ "$tries" -lt ${tries} ]; do tries=$((tries + 1)); sleep 0.2; done`,
    `RLOC_IF=$(iface_with ${options.rlocAddress})`,
    `[ -n "$RLOC_IF" ] || { echo "oor-start: RLOC address ${options.rlocAddress} never appeared" >&2; exit 71; }`,
    ...options.rlocRoutes.map((route) =>
      route.via
        ? `ip route replace ${route.to} via ${route.via} || exit 73`
        : `ip route replace ${route.to} dev "$RLOC_IF" scope link || exit 73`,
    ),
    ...[options.rlocSubnet, ...options.rlocRoutes.map((route) => route.to)].flatMap((to) => [
      `while ip rule del to ${to} lookup main pref ${RLOC_RULE_PREFERENCE} 2>/dev/null; do :; done`,
      `ip rule add to ${to} lookup main pref ${RLOC_RULE_PREFERENCE} || exit 74`,
    ]),
    "mkdir -p /oor",
    // Replace each placeholder with the interface holding its address.
    `conf=$(cat ${OOR_TEMPLATE_PATH})`,
    "for address in $(grep -o '@IFACE_OF:[0-9.]*@' " + OOR_TEMPLATE_PATH + " | sort -u | sed 's/@IFACE_OF:\\(.*\\)@/\\1/'); do",
    '  name=$(iface_with "$address")',
    '  [ -n "$name" ] || { echo "oor-start: no interface holds $address" >&2; exit 72; }',
    '  conf=$(printf \'%s\\n\' "$conf" | sed "s/@IFACE_OF:$address@/$name/g")',
    "done",
    "umask 077",
    `printf '%s\\n' "$conf" > ${OOR_CONFIG_PATH}`,
    `exec ${shQuote(OOR_IMAGE_START)}`,
    "",
  ].join("\n");
}
