#!/usr/bin/env bash
# Makes a fresh Debian machine ready to run the tests: a Docker engine that answers,
# debootstrap, iptables, OpenSSH server, and the locally seeded debian:bookworm-slim base image.
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# --bench also installs Debian's docker-compose, for the side-by-side figure of `npm run bench`.
bench=no
[ "${1:-}" = "--bench" ] && bench=yes
# The engine started when none answers: "current" (default) is Debian sid's docker.io 28.x from
# scripts/current-engine.sh, as users run (27 to 29); "distro" is this machine's docker.io (20.10
# on bookworm), which the emulated hosts of the two-host tests still use.
engine=${NETLABS_ENGINE:-current}

need_pkgs=()
command -v dockerd >/dev/null || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null || need_pkgs+=(debootstrap)
command -v iptables >/dev/null || need_pkgs+=(iptables)
[ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
command -v ip >/dev/null || need_pkgs+=(iproute2)
# debootstrap checks the Debian release it installs the current engine from against this keyring
# (always there on Debian; a package on Ubuntu, e.g. the public CI's runners).
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need_pkgs+=(debian-archive-keyring)
[ $bench = yes ] && ! command -v docker-compose >/dev/null && need_pkgs+=(docker-compose)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "prepare: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1 && [ "$engine" = current ]; then
  echo "prepare: starting the current engine"
  bash "$here/current-engine.sh" install
  # Its pid is kept by the script (/run/docker-netlabs-engine-main): only it is ever stopped.
  bash "$here/current-engine.sh" start --name main --netns none --socket /var/run/docker.sock
fi
# Where every test must run (CI=true, NETLABS_REQUIRE_CURRENT_ENGINE=1), the current engine's tree
# too, which test/e2e/current-engine.test.ts starts engines from, even with an engine answering.
if [ "${CI:-}" = true ] || [ "${NETLABS_REQUIRE_CURRENT_ENGINE:-}" = 1 ]; then
  bash "$here/current-engine.sh" install
fi
# Where the VRF and VLAN tests must run (NETLABS_REQUIRE_KERNEL_MODULES=1, the public CI), their
# modules loaded now; on a kernel that keeps some apart (Ubuntu's linux-modules-extra), those too.
if [ "${NETLABS_REQUIRE_KERNEL_MODULES:-}" = 1 ] && ! modprobe -a vrf 8021q 2>/dev/null; then
  echo "prepare: installing linux-modules-extra-$(uname -r) for vrf and 8021q"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "linux-modules-extra-$(uname -r)" >/dev/null; } || true
  modprobe -a vrf 8021q || echo "prepare: no vrf or 8021q module for this kernel: the VRF and VLAN tests will fail, naming it"
fi
if ! docker info >/dev/null 2>&1; then
  echo "prepare: starting dockerd"
  # dockerd is ours to start here: its PID is kept so that only it is ever stopped.
  nohup dockerd >/var/log/docker-netlabs-dockerd.log 2>&1 &
  echo $! >/var/run/docker-netlabs-dockerd.pid
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "prepare: dockerd did not answer within 60 s"; tail -n 30 /var/log/docker-netlabs-dockerd.log; exit 1; }
fi

"$here/seed-base-image.sh"
