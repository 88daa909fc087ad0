#!/bin/bash
# Kea 2.6 (Debian 13's, the Kea generation EL 10 ships) for the integration
# tests: a Debian 13 (trixie) root folder with kea-dhcp4, kea-ctrl-agent and
# kea-dhcp-ddns, made with mmdebstrap from Debian's archive, in
# /var/tmp/netboot-kea-2.6/root. tests/integration/live.py runs its daemons chrooted
# there, inside the tests' own network namespaces and a private mount
# namespace (nothing is mounted on this machine). Made once (about 30 s),
# outside the project, where ansible-test keeps its own cache too.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST="${NETBOOT_KEA26_ROOT:-/var/tmp/netboot-kea-2.6/root}"
MIRROR="${NETBOOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if [ -x "$DEST/usr/sbin/kea-dhcp4" ] && [ -f "$DEST/.netboot-ready" ]; then
    echo "kea 2.6 root: ready in $DEST ($(chroot "$DEST" /usr/sbin/kea-dhcp4 -v))"
    exit 0
fi
rm -rf "$DEST"
mkdir -p "$DEST"
tarball="$(mktemp /var/tmp/netboot-kea26.XXXXXX.tar)"
conf="$(mktemp)"
trap 'rm -f "$tarball" "$conf"' EXIT
# The archive may be a snapshot whose Release files have expired (as in
# tests/lab/build-image.sh).
echo 'Acquire::Check-Valid-Until "false";' > "$conf"
APT_CONFIG="$conf" mmdebstrap --quiet --variant=essential --components=main \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --include=kea-dhcp4-server,kea-ctrl-agent,kea-dhcp-ddns-server \
    trixie "$tarball" "$MIRROR"
tar -xf "$tarball" -C "$DEST"
touch "$DEST/.netboot-ready"
echo "kea 2.6 root: made in $DEST ($(chroot "$DEST" /usr/sbin/kea-dhcp4 -v))"
