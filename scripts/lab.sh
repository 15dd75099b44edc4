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
if [ "$cmd" = up ]; then
  pulumi stack select --create dev
  exec pulumi up --stack dev "$@"
fi
exec pulumi destroy --stack dev "$@"
