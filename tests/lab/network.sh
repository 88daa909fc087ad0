#!/bin/bash
# The lab's own podman network: the user's 10.4.0.0/16 on a bridge that only
# the lab's containers (and the QEMU clients' tap devices) are attached to.
# LAB_NETWORK, LAB_SUBNET and LAB_GATEWAY name another (the fleet lab's).
# Usage: network.sh up | down | bridge
set -euo pipefail
NET="${LAB_NETWORK:-netboot-lab}"
SUBNET="${LAB_SUBNET:-10.4.0.0/16}"
GATEWAY="${LAB_GATEWAY:-10.4.0.1}"
case "${1:-up}" in
    up)
        if ! podman network exists "$NET"; then
            podman network create --disable-dns --subnet "$SUBNET" --gateway "$GATEWAY" "$NET" >/dev/null
        fi
        echo "network $NET ready"
        ;;
    down)
        if podman network exists "$NET"; then
            podman network rm -f "$NET" >/dev/null
        fi
        ;;
    bridge)
        podman network inspect "$NET" --format '{{.NetworkInterface}}'
        ;;
    *)
        echo "usage: $0 up|down|bridge" >&2
        exit 2
        ;;
esac
