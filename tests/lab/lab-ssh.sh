#!/bin/bash
# The lab's SSH material on the controller, in NETBOOT_LAB_SSH_DIR (the
# project's .cache/lab-ssh by default; nothing under the user's home):
#   id_ed25519[.pub]  the key of the lab's ordinary user, netops (mounted
#                     read-only into every container as its authorized key);
#   known_hosts       the host key of each lab image, for the lab networks
#                     (10.4, and 10.6 and 10.7 of the fleet lab) only, so
#                     that Ansible checks host keys as on a real site;
#   kea-ha-password   the password of the Kea pairs' HA channel (owner-only),
#                     which the lab inventories read with a file lookup, as a
#                     real site reads it from Ansible Vault;
#   ddns-key          the TSIG key (base64, owner-only) of the fleet lab's
#                     site B, whose Kea pair updates DNS on its client's
#                     named (molecule/fleet/tests/test_ddns.py);
#   kea-tls/          TLS of the fleet lab's Kea pair (site B): a CA
#                     (CA.pem; its key CA.key) and, for each peer, NAME.pem
#                     with its address as an IP subjectAltName and NAME.key,
#                     owner-only, read by inventories/lab-fleet as a real site
#                     reads its vaulted PEM texts.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR="${NETBOOT_LAB_SSH_DIR:-$PWD/.cache/lab-ssh}"
IMAGE="${LAB_IMAGE:-localhost/netboot-debian12-systemd:latest}"
mkdir -p "$DIR"
chmod 0700 "$DIR"
if [ ! -f "$DIR/id_ed25519" ]; then
    ssh-keygen -q -t ed25519 -N '' -C netops@netboot-lab -f "$DIR/id_ed25519"
fi
chmod 0644 "$DIR/id_ed25519.pub"
if [ ! -s "$DIR/kea-ha-password" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$DIR/kea-ha-password")
fi
chmod 0600 "$DIR/kea-ha-password"
if [ ! -s "$DIR/ddns-key" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 > "$DIR/ddns-key")
fi
chmod 0600 "$DIR/ddns-key"
tls="$DIR/kea-tls"
if [ ! -s "$tls/fb2.pem" ]; then
    (umask 077 && mkdir -p "$tls" && cd "$tls" &&
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
         -subj "/CN=netboot lab CA" -keyout CA.key -out CA.pem 2>/dev/null &&
     for peer in fb1:10.7.7.9 fb2:10.7.7.210; do
         name=${peer%%:*}
         openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
             -keyout "$name.key" -out "$name.csr" 2>/dev/null
         printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n' "${peer#*:}" > "$name.ext"
         openssl x509 -req -in "$name.csr" -CA CA.pem -CAkey CA.key -CAcreateserial -days 3650 \
             -extfile "$name.ext" -out "$name.pem" 2>/dev/null
     done)
fi
# One line per lab image present (Debian 12, and Debian 13 where it was
# built): ssh accepts a host whose key is any of them.
: > "$DIR/known_hosts.new"
for image in "$IMAGE" localhost/netboot-debian13-systemd:latest; do
    podman image exists "$image" || continue
    hostkey="$(podman run --rm --network none "$image" cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f1,2)"
    echo "10.4.*.*,10.6.*.*,10.7.*.* $hostkey" >> "$DIR/known_hosts.new"
done
mv "$DIR/known_hosts.new" "$DIR/known_hosts"
echo "lab ssh material ready in $DIR"
