#!/usr/bin/env bash
# Seeds debian:bookworm-slim into the local engine when no registry can be reached:
# debootstrap a minimal bookworm and `docker import` it under the tag the Dockerfiles use.
set -euo pipefail
tag=debian:bookworm-slim
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "seed: $tag already present"; exit 0
fi
root=$(mktemp -d /tmp/netlabs-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "seed: debootstrap bookworm (minbase) into $root"
start=$(date +%s)
debootstrap --variant=minbase bookworm "$root" >/tmp/netlabs-debootstrap.log 2>&1 \
  || { tail -n 30 /tmp/netlabs-debootstrap.log; exit 1; }
# Keep apt working inside builds, as in the official slim image.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$tag" >/dev/null
echo "seed: $tag imported in $(( $(date +%s) - start )) s"
