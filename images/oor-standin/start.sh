#!/bin/sh
# OOR stand-in: record what OpenOverlayRouter would have been given, then answer LISP ports.
set -u
report=/run/oor-standin
mkdir -p "$report"
if [ -e /oor/oor.conf ]; then
  cp /oor/oor.conf /etc/oor.conf
  echo file > "$report/config-source"
else
  echo env > "$report/config-source"
  printf '%s\n' "$@" > "$report/args"
fi
ip -o -4 addr show | awk '{ print $2, $4 }' > "$report/addresses"
ip -4 route show > "$report/routes"
if (exec 3<>/dev/net/tun) 2>/dev/null; then echo yes > "$report/tun"; else echo no > "$report/tun"; fi
grep -E '^Cap(Eff|Bnd):' /proc/self/status > "$report/capabilities"
for s in net/ipv4/ip_forward net/ipv4/conf/all/rp_filter net/ipv4/conf/default/rp_filter; do
  echo "$s $(cat /proc/sys/$s)"
done > "$report/sysctls"
touch "$report/ready"
echo "oor-standin: reported; answering UDP 4341 and 4342 (this is not OpenOverlayRouter)"
socat UDP-RECVFROM:4341,fork,reuseaddr SYSTEM:'echo data-from-$(hostname)' &
exec socat UDP-RECVFROM:4342,fork,reuseaddr SYSTEM:'echo control-from-$(hostname)'
