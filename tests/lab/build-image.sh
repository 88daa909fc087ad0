#!/bin/bash
# Build the Debian 12 systemd container image the Molecule lab runs on.
# No registry is reachable here, so the root filesystem is made with
# mmdebstrap from the machine's configured Debian archive and imported.
set -euo pipefail
IMAGE="${LAB_IMAGE:-localhost/netboot-debian12-systemd:latest}"
if podman image exists "$IMAGE" && [ "${LAB_REBUILD:-0}" != 1 ]; then
    echo "image $IMAGE already present"
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The archive may be a snapshot whose Release files have expired.
cat > "$work/apt.conf" <<'CONF'
Acquire::Check-Valid-Until "false";
CONF
APT_CONFIG="$work/apt.conf" mmdebstrap --variant=apt \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --include=systemd,systemd-sysv,dbus,python3,python3-apt,procps,iproute2,sudo,ca-certificates,isc-dhcp-client,tftp-hpa \
    --skip=cleanup/apt/lists \
    --customize-hook='echo "Acquire::Check-Valid-Until \"false\";" > "$1/etc/apt/apt.conf.d/99no-valid-until"' \
    --customize-hook='rm -f "$1/etc/machine-id"; touch "$1/etc/machine-id"' \
    --customize-hook='ln -sf /dev/null "$1/etc/systemd/system/getty@tty1.service"' \
    bookworm "$work/rootfs.tar" "$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || echo http://deb.debian.org/debian)"
podman import --change 'CMD ["/sbin/init"]' --change 'ENV container=podman' "$work/rootfs.tar" "$IMAGE"
echo "built $IMAGE"
