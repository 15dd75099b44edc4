#!/usr/bin/env bash
# `npm run lab:up` / `npm run lab:down`: the dev stack through the Pulumi CLI. Where the CLI is
# missing it says what to install, instead of the shell's "pulumi: not found".
# Extra arguments go to pulumi: `npm run lab:up -- --yes`.
set -euo pipefail
cmd=${1:-}
case "$cmd" in
  up | down) shift ;;
  *) echo "usage: scripts/lab.sh up|down [pulumi options]" >&2; exit 2 ;;
esac
if ! command -v pulumi >/dev/null 2>&1; then
  echo "lab: the Pulumi CLI is not installed (no pulumi on PATH): install it (https://www.pulumi.com/docs/install/), then run \`npm run lab:$cmd\` again." >&2
  exit 127
fi
# The npm package `pulumi` (a dependency) fetches the CLI from get.pulumi.com on first use into
# $PULUMI_HOME/versions (~/.pulumi/versions). Fetch it now, so that a machine that cannot reach
# get.pulumi.com is told so in one line rather than by the fetch's own error.
root=$(cd "$(dirname "$0")/.." && pwd -P)
if [ "$(realpath "$(command -v pulumi)")" = "$(realpath "$root/node_modules/pulumi/run.js" 2>/dev/null)" ]; then
  version=${PULUMI_VERSION:-$(node -p 'require(process.argv[1]).version' "$root/node_modules/pulumi/package.json")}
  if [ ! -x "${PULUMI_HOME:-$HOME/.pulumi}/versions/$version/bin/pulumi" ] && ! pulumi version >/dev/null 2>&1; then
    echo "lab: the Pulumi CLI $version (npm package pulumi) could not be fetched from get.pulumi.com (no internet here?): run \`npm run lab:$cmd\` again where get.pulumi.com is reachable, or install the CLI (https://www.pulumi.com/docs/install/) and put it on PATH first." >&2
    exit 127
  fi
fi
if [ "$cmd" = up ]; then
  pulumi stack select --create dev
  exec pulumi up --stack dev "$@"
fi
exec pulumi destroy --stack dev "$@"
