#!/bin/bash
# Build the Debian 12 systemd container image the Molecule lab runs on
# (LAB_OS=debian13: the Debian 13 one, from the same archive's trixie suite).
# No registry is reachable here, so the root filesystem is made with
# mmdebstrap from the machine's configured Debian archive and imported.
# The hosts run sshd and have an ordinary user, netops, with passwordless
# sudo: the lab connects like a real site (SSH, then become). Its key is
# mounted at run time (tests/lab/lab-ssh.sh makes it), never baked in.
set -euo pipefail
if [ "${LAB_OS:-debian12}" = almalinux9 ]; then
    # Needs docker.io (not reachable from this project's CI machine).
    here="$(dirname "$0")"
    podman build -t "${LAB_IMAGE:-localhost/netboot-almalinux9-systemd:latest}" -f "$here/almalinux9.Containerfile" "$here"
    exit 0
fi
case "${LAB_OS:-debian12}" in
    debian12) suite=bookworm ;;
    debian13) suite=trixie ;;
    *) echo "LAB_OS: debian12, debian13 or almalinux9" >&2; exit 2 ;;
esac
IMAGE="${LAB_IMAGE:-localhost/netboot-${LAB_OS:-debian12}-systemd:latest}"
# The image carries the checksum of this script: a changed recipe rebuilds.
recipe="$(sha256sum "$0" | cut -c1-16)"
if podman image exists "$IMAGE" && [ "${LAB_REBUILD:-0}" != 1 ] \
    && [ "$(podman image inspect --format '{{ index .Labels "netboot.recipe" }}' "$IMAGE")" = "$recipe" ]; then
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
    --include=systemd,systemd-sysv,dbus,python3,python3-apt,procps,iproute2,sudo,ca-certificates,isc-dhcp-client,tftp-hpa,openssh-server \
    --skip=cleanup/apt/lists \
    --customize-hook='echo "Acquire::Check-Valid-Until \"false\";" > "$1/etc/apt/apt.conf.d/99no-valid-until"' \
    --customize-hook='rm -f "$1/etc/machine-id"; touch "$1/etc/machine-id"' \
    --customize-hook='ln -sf /dev/null "$1/etc/systemd/system/getty@tty1.service"' \
    --customize-hook='chroot "$1" useradd --create-home --shell /bin/bash netops' \
    --customize-hook='echo "netops ALL=(ALL) NOPASSWD: ALL" > "$1/etc/sudoers.d/netops"; chmod 0440 "$1/etc/sudoers.d/netops"' \
    --customize-hook='printf "AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/lab_keys/%%u\nPasswordAuthentication no\nPermitRootLogin no\n" > "$1/etc/ssh/sshd_config.d/lab.conf"' \
    "$suite" "$work/rootfs.tar" "$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || echo http://deb.debian.org/debian)"
podman import --change 'CMD ["/sbin/init"]' --change 'ENV container=podman' \
    --change "LABEL netboot.recipe=$recipe" "$work/rootfs.tar" "$IMAGE"
echo "built $IMAGE"
