#!/bin/bash
# Host settings rootful podman needs on this kind of machine (found on Debian 12 hosts whose PID 1 is not systemd):
# runc instead of crun (cgroups hybrid mode) and container ulimits that the
# runtime may set: nofile within `ulimit -Hn`; nproc was refused at 65536
# with a hard limit of 96365 and accepted at 32768, so half the hard limit,
# capped at 32768.
set -euo pipefail
conf=/etc/containers/containers.conf
mkdir -p /etc/containers
n=$(ulimit -Hn); u=$(ulimit -Hu)
[ "$n" = unlimited ] && n=65536
[ "$u" = unlimited ] && u=65536
[ "$n" -gt 65536 ] && n=65536
u=$((u / 2)); [ "$u" -gt 32768 ] && u=32768
block="# netboot.dhcp_failover lab (begin)
[containers]
default_ulimits = [\"nofile=$n:$n\", \"nproc=$u:$u\"]
[engine]
runtime = \"runc\"
# netboot.dhcp_failover lab (end)"
if [ -f "$conf" ]; then
    # Drop an earlier copy of the block, keep everything else.
    sed -i '/^# netboot.dhcp_failover lab/,/^# netboot.dhcp_failover lab (end)/d' "$conf"
fi
printf '%s\n' "$block" >> "$conf"
