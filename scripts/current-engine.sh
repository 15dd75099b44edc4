#!/usr/bin/env bash
# A current Docker engine (Debian sid's docker.io, 28.x) next to the distro one, for the e2e tier:
# users run Docker 27 to 29, this machine's distro engine is bookworm's 20.10.
#
#   current-engine.sh install            debootstrap sid (minbase) + docker.io into the engine tree;
#                                        skipped when the tree is there and its dockerd runs; prints
#                                        the version
#   current-engine.sh start --name N [--netns NS|none] [--socket PATH] [--data-root DIR] [-- DOCKERD-ARGS]
#                                        starts dockerd from the tree in network namespace NS (made by
#                                        the caller with `ip netns add`; `none` = the root one), waits
#                                        until it answers, prints its socket
#   current-engine.sh run   ...          as start, in the foreground: the process becomes dockerd
#                                        (for a caller that keeps it as its own child and signals it)
#   current-engine.sh stop --name N [--purge]
#                                        ends that dockerd (by its recorded PID) and whatever is left in
#                                        its mount namespace (its containerd and shims); --purge also
#                                        removes its data root
#   current-engine.sh status --name N    prints the PID and socket, exit 1 when not running
#
# Paths (all ours, all labelled): the tree /var/lib/docker-netlabs/engines/sid; per engine N a data
# root /var/lib/docker-netlabs/engine-data/N and a run dir /run/docker-netlabs-engine-N (pidfiles,
# log, exec root, default socket docker.sock). dockerd carries the engine label
# io.docker-netlabs.engine=N and puts its containers' cgroups under /docker-netlabs-engine-N.
# `--socket PATH` outside the run dir (e.g. /var/run/docker.sock for CI) is a symlink to the run
# dir's socket, made by start and removed by stop; one left there by an engine that no longer answers
# is replaced, one that answers (another engine's) is refused.
#
# WHY pivot_root, NOT chroot. A first try ran this dockerd with `chroot <tree>` (tree bind-mounted
# onto itself, in a private mount namespace, in a netns of its own). Containers ran and routed, but
# `docker exec` did not run in the container's filesystem. Measured (28.5.2, runc 1.3.6, kernel
# 6.18): the exec'd process was in the container's mount, net and pid namespaces (same
# /proc/self/ns/mnt inode as the container's init), yet its `/` was this machine's root filesystem
# (stat / gave the host root's device and inode 2; /work and /var/lib/docker-netlabs were there, a
# file the container had written at / was not, /sys/class/net listed the root netns's docker0, ifb0).
# It looked like "the chroot's filesystem" only because the host is Debian with /usr/sbin/dockerd too.
# Cause: setns(2) into a mount namespace resets the caller's root to that namespace's root mount,
# which is how runc's nsexec enters a container for `exec`; runc relies on its pivot_root at create
# having made the container's rootfs that namespace's root. Under chroot, pivot_root only replaced
# the mount the chroot stood on (the tree, at /var/lib/.../sid in that namespace), so the namespace
# root stayed the host's `/`: every `docker exec` (as root, with the container's capabilities) landed
# in the host's filesystem, a container escape as well as a wrong result. (Without the self bind
# mount, chroot fails earlier: containerd cannot find mount info for its root and drops its
# metadata plugin, and every `docker run` fails with "unknown service ...Leases".)
# Fix: dockerd gets a mount namespace of its own whose root IS the tree: unshare -m (private
# propagation, so nothing reaches the machine's mounts), bind the tree onto itself read-only, mount
# what dockerd needs on it (proc; a sysfs of its own netns with the machine's cgroup hierarchy
# bound in; /dev; tmpfs /run and /tmp; its data root and run dir at their own paths, so socket and
# pidfile paths read the same inside and out; /lib/modules and resolv.conf when present), then
# pivot_root into it and detach the old root. The namespace's root is then the tree, a container's
# pivot_root makes it the container's rootfs, and setns lands there. All mounts live in that
# namespace only and go when its last process ends: the machine's mount table is never touched.
set -euo pipefail

ENGINES=/var/lib/docker-netlabs/engines
TREE=$ENGINES/sid
DATA_BASE=/var/lib/docker-netlabs/engine-data
PACKAGES=docker.io,docker-cli,containerd,runc,tini,iptables,iproute2,kmod,busybox-static
# busybox-static: a static ping/ip/sysctl the tests copy into an image (no registry, no apt here).
self=$(readlink -f "$0")

die() { echo "current-engine: $*" >&2; exit 1; }
log() { echo "current-engine: $*"; }

# The Debian mirror this machine's apt already uses (deb822 URIs: or one-line `deb URL`), or
# NETLABS_DEBIAN_MIRROR. Only a .../debian archive, not -security nor third-party repositories.
debian_mirror() {
  if [ -n "${NETLABS_DEBIAN_MIRROR:-}" ]; then echo "$NETLABS_DEBIAN_MIRROR"; return; fi
  local url
  url=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?//p' \
    | awk '{print $1}' | grep -E '^https?://[^ ]*/debian/?$' | head -n1)
  [ -n "$url" ] || die "no Debian mirror in /etc/apt/sources.list*; set NETLABS_DEBIAN_MIRROR"
  echo "${url%/}"
}

tree_works() {
  [ -f "$TREE/etc/docker-netlabs-engine" ] && [ -d "$TREE/.old-root" ] && [ -d "$TREE/var/lib/docker-netlabs" ] \
    && chroot "$TREE" /usr/sbin/dockerd --version >/dev/null 2>&1 \
    && chroot "$TREE" /usr/bin/containerd --version >/dev/null 2>&1 \
    && chroot "$TREE" /usr/sbin/runc --version >/dev/null 2>&1
}

cmd_install() {
  command -v debootstrap >/dev/null || die "no debootstrap (scripts/prepare-machine.sh installs it)"
  if tree_works; then
    log "engine tree $TREE already present: $(chroot "$TREE" /usr/sbin/dockerd --version)"
    return
  fi
  local mirror staging start
  mirror=$(debian_mirror)
  staging="$TREE.staging.$$"
  mkdir -p "$ENGINES"
  rm -rf "$staging"
  trap 'rm -rf "$staging"' EXIT
  start=$(date +%s)
  log "debootstrap sid (minbase) with $PACKAGES into $staging"
  debootstrap --variant=minbase --include="$PACKAGES" sid "$staging" "$mirror" >"$ENGINES/debootstrap-sid.log" 2>&1 \
    || { tail -n 30 "$ENGINES/debootstrap-sid.log" >&2; die "debootstrap failed (log: $ENGINES/debootstrap-sid.log)"; }
  rm -rf "$staging"/var/cache/apt/archives/*.deb
  # Mount points the engine's root needs, made now: the tree is read-only to the engines.
  mkdir -p "$staging/.old-root" "$staging/var/lib/docker-netlabs" "$staging/lib/modules"
  {
    echo "# Made by docker-netlabs scripts/current-engine.sh install on $(date -u +%FT%TZ); safe to delete when no engine runs."
    chroot "$staging" dpkg-query -W docker.io docker-cli containerd runc iptables
  } >"$staging/etc/docker-netlabs-engine"
  rm -rf "$TREE"
  mv "$staging" "$TREE"
  trap - EXIT
  tree_works || die "the new tree's dockerd does not run"
  log "installed in $(( $(date +%s) - start )) s: $(chroot "$TREE" /usr/sbin/dockerd --version)"
}

# Options shared by start, run, stop, status.
name="" netns="" socket="" data_root="" purge=no
dockerd_extra=()
parse_opts() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --name) name=$2; shift 2 ;;
      --netns) netns=$2; shift 2 ;;
      --socket) socket=$2; shift 2 ;;
      --data-root) data_root=$2; shift 2 ;;
      --purge) purge=yes; shift ;;
      --) shift; dockerd_extra=("$@"); break ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ "$name" =~ ^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}$ ]] || die "--name: letters, digits, _ . - (got '$name')"
  run_dir=/run/docker-netlabs-engine-$name
  : "${data_root:=$DATA_BASE/$name}"
  case "$data_root" in /var/lib/docker-netlabs/*) ;; *) die "--data-root must be under /var/lib/docker-netlabs/" ;; esac
  own_socket=$run_dir/docker.sock
}

# Runs as `nsenter --net=... unshare --mount --propagation private current-engine.sh __enter ...`:
# builds the engine's root in this (new, private) mount namespace, pivots into it, execs dockerd.
cmd_enter() {
  local root=$TREE
  mount --bind "$root" "$root"                       # pivot_root needs the new root to be a mount
  mount -o remount,bind,ro "$root"                   # engines share the tree; none writes to it
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"                   # this netns's /sys/class/net
  mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup" # ...with the machine's cgroup hierarchy
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=755 tmpfs "$root/run"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mount -t tmpfs -o mode=755 tmpfs "$root/var/lib/docker-netlabs"
  mkdir -p "$root$run_dir" "$root$data_root"
  mount --bind "$run_dir" "$root$run_dir"
  mount --bind "$data_root" "$root$data_root"
  # Containers that bind /var/run/docker.sock get this engine, as on a machine where it is the engine.
  ln -s "$own_socket" "$root/run/docker.sock"
  if [ -d /lib/modules ]; then mount --rbind -o ro /lib/modules "$root/lib/modules"; fi
  if [ -f /etc/resolv.conf ]; then mount --bind -o ro "$(readlink -f /etc/resolv.conf)" "$root/etc/resolv.conf"; fi
  echo $$ >"$run_dir/engine.pid"
  readlink /proc/self/ns/mnt >"$run_dir/engine.mntns"
  local enter_root=()
  if [ "${NETLABS_ENGINE_ROOT:-pivot_root}" = chroot ]; then
    # UNSOUND, kept only as the e2e test's negative control (see the header): `docker exec` lands
    # in the machine's root filesystem.
    enter_root=(chroot "$root")
  else
    cd "$root"
    pivot_root . .old-root
    cd /
    umount -l /.old-root
  fi
  exec "${enter_root[@]}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /usr/sbin/dockerd \
    --data-root "$data_root" \
    --exec-root "$run_dir/exec" \
    --pidfile "$run_dir/dockerd.pid" \
    --host "unix://$own_socket" \
    --label "io.docker-netlabs.engine=$name" \
    --cgroup-parent "/docker-netlabs-engine-$name" \
    "${dockerd_extra[@]}"
}

engine_pid() {
  local pid
  pid=$(cat "$run_dir/engine.pid" 2>/dev/null) || return 1
  # Ours only if it is still the dockerd that this run dir describes.
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--exec-root $run_dir/exec " || return 1
  echo "$pid"
}

prepare_start() {
  [ "$(id -u)" = 0 ] || die "needs root"
  tree_works || die "no working engine tree at $TREE (run: $0 install)"
  [ -n "$netns" ] || die "--netns NAME (from ip netns add) or --netns none (the root network namespace)"
  if [ "$netns" != none ] && [ ! -e "/run/netns/$netns" ]; then die "no network namespace $netns (ip netns add $netns)"; fi
  if pid=$(engine_pid); then die "engine $name already runs (pid $pid)"; fi
  if [ -n "$socket" ] && [ "$socket" != "$own_socket" ]; then
    if [ -e "$socket" ] || [ -L "$socket" ]; then
      if [ -L "$socket" ] && [ "$(readlink "$socket")" = "$own_socket" ]; then
        :
      elif [ -e "$socket" ] && [ ! -S "$socket" ]; then
        die "$socket exists and is not a socket: refusing"
      elif timeout 5 docker -H "unix://$socket" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
        die "$socket is the socket of a running engine that is not '$name': refusing"
      else
        # Left by an engine that is gone (a machine image taken while it ran, a session that ended):
        # nothing answers on it, so replacing it takes nothing away from anyone.
        log "$socket is left by an engine that no longer runs ($(readlink "$socket" 2>/dev/null || echo socket)): replacing it"
        rm -f "$socket"
      fi
    fi
  fi
  rm -rf "$run_dir"
  mkdir -p "$run_dir" "$data_root"
  echo "docker-netlabs current engine '$name' (scripts/current-engine.sh), netns ${netns}, started $(date -u +%FT%TZ)" >"$run_dir/LABEL"
  echo "docker-netlabs current engine '$name' data root (scripts/current-engine.sh)" >"$data_root/LABEL"
  launch=(unshare --mount --propagation private -- "$self" __enter --name "$name" --data-root "$data_root" -- "${dockerd_extra[@]}")
  [ "$netns" = none ] || launch=(nsenter "--net=/run/netns/$netns" -- "${launch[@]}")
}

cmd_start() {
  prepare_start
  local start=$(date +%s%N) pid=""
  setsid "${launch[@]}" </dev/null >"$run_dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do
    pid=$(engine_pid) && engine_answers && break
    if ! kill -0 $! 2>/dev/null && ! pid=$(engine_pid); then break; fi
    sleep 0.5
  done
  if ! engine_answers; then
    tail -n 20 "$run_dir/dockerd.log" >&2
    cmd_stop_quiet
    die "engine $name did not answer within 60 s"
  fi
  if [ -n "$socket" ] && [ "$socket" != "$own_socket" ]; then
    ln -sfn "$own_socket" "$socket"
    echo "$socket" >"$run_dir/engine.socket-link"
  fi
  log "engine $name (pid $pid, netns $netns) answers at unix://${socket:-$own_socket} in $(( ($(date +%s%N) - start) / 1000000 )) ms: $(chroot "$TREE" /usr/sbin/dockerd --version)"
}

# The engine answers its API on its socket (the machine's docker CLI; any version >= 17.06 will do).
engine_answers() {
  [ -S "$own_socket" ] && timeout 5 docker -H "unix://$own_socket" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

cmd_run() {
  prepare_start
  exec "${launch[@]}"
}

cmd_stop_quiet() { cmd_stop >/dev/null 2>&1 || true; }

cmd_stop() {
  [ "$(id -u)" = 0 ] || die "needs root"
  local pid="" mntns="" left link
  mntns=$(cat "$run_dir/engine.mntns" 2>/dev/null || true)
  link=$(cat "$run_dir/engine.socket-link" 2>/dev/null || true)
  if pid=$(engine_pid); then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "dockerd $pid still there after 30 s: SIGKILL"; kill -KILL "$pid"; }
  fi
  # What is left in the engine's own mount namespace (containerd, shims) is ours to end.
  if [ -n "$mntns" ]; then
    for _ in $(seq 1 30); do
      left=$(in_mntns "$mntns")
      [ -z "$left" ] && break
      sleep 0.5
    done
    for p in $(in_mntns "$mntns"); do
      log "ending what is left in the engine's mount namespace: $p ($(cat "/proc/$p/comm" 2>/dev/null))"
      kill -KILL "$p" 2>/dev/null || true
    done
  fi
  # Its mounts were all in that namespace: it is gone with its last process. Nothing of ours
  # should be mounted here; check rather than assume.
  if grep -q -e " $run_dir" -e " $data_root" /proc/self/mounts; then
    die "mounts under $run_dir or $data_root in this namespace: not ours to remove, left in place"
  fi
  if [ -n "$link" ] && [ -L "$link" ] && [ "$(readlink "$link")" = "$own_socket" ]; then rm -f "$link"; fi
  for dir in /sys/fs/cgroup/*/docker-netlabs-engine-"$name" /sys/fs/cgroup/docker-netlabs-engine-"$name"; do
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "$run_dir"
  if [ $purge = yes ]; then rm -rf "$data_root"; rmdir "$DATA_BASE" 2>/dev/null || true; fi
  log "engine $name stopped${pid:+ (pid $pid)}"
}

in_mntns() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$1" ] && echo -n "${p#/proc/} "
  done
  true
}

cmd_status() {
  local pid
  pid=$(engine_pid) || { echo "engine $name: not running"; exit 1; }
  echo "engine $name: pid $pid, socket unix://$own_socket, data root $data_root"
}

verb=${1:-}
[ $# -gt 0 ] && shift
case "$verb" in
  install) cmd_install ;;
  start) parse_opts "$@"; cmd_start ;;
  run) parse_opts "$@"; cmd_run ;;
  stop) parse_opts "$@"; cmd_stop ;;
  status) parse_opts "$@"; cmd_status ;;
  __enter) parse_opts "$@"; cmd_enter ;;
  *) sed -n '2,19p' "$self" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
