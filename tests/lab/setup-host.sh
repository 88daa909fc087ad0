#!/bin/bash
# Host settings rootful podman needs on this kind of machine (lab-notes.md):
# runc instead of crun (cgroups hybrid mode) and ulimits within the hard limits.
set -euo pipefail
conf=/etc/containers/containers.conf
mkdir -p /etc/containers
if ! grep -q '^# netboot.dhcp_failover lab' "$conf" 2>/dev/null; then
    n=$(ulimit -Hn); u=$(ulimit -Hu)
    [ "$n" = unlimited ] && n=1048576
    [ "$u" = unlimited ] && u=65536
    [ "$n" -gt 65536 ] && n=65536
    [ "$u" -gt 65536 ] && u=65536
    cat >> "$conf" <<CONF
# netboot.dhcp_failover lab
[containers]
default_ulimits = ["nofile=$n:$n", "nproc=$u:$u"]
[engine]
runtime = "runc"
CONF
fi
