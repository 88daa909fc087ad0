#!/bin/bash
# Build the lab's execution environment image (tests/lab/ee/) with
# ansible-builder, the way AWX users build theirs, without a registry or
# Galaxy: a base image made here with mmdebstrap from Debian 12 packages,
# the Python wheels downloaded first with pip, and the collections as
# tarballs (this one built from the working tree, its two dependencies
# packed from the copies the virtualenv holds). The image carries the
# checksum of its inputs: it is rebuilt only when they change.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${NETBOOT_VENV:-$root/.venv}"
BASE=localhost/netboot-ee-base:latest
IMAGE="${NETBOOT_EE_IMAGE:-localhost/netboot-ee:latest}"
core="$("$venv/bin/python" -c 'import ansible.release; print(ansible.release.__version__)')"
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ctx="$work/ee"
mkdir -p "$ctx/collections" "$ctx/wheels"
sed "s/ANSIBLE_CORE_VERSION/$core/" "$here/ee/execution-environment.yml" > "$ctx/execution-environment.yml"
cp "$here/ee/requirements.yml" "$ctx/"

# This collection, as ansible-galaxy builds it (its build_ignore applies).
"$venv/bin/ansible-galaxy" collection build --force --output-path "$work/build" "$root" >/dev/null
mv "$work"/build/netboot-dhcp_failover-*.tar.gz "$ctx/collections/netboot-dhcp_failover.tar.gz"
# ansible.posix and community.general, packed from the virtualenv's
# installed copies (tests/lab/pack_collection.py).
for c in ansible/posix community/general; do
    "$venv/bin/python" "$here/pack_collection.py" "$site/ansible_collections/$c" "$ctx/collections/${c/\//-}.tar.gz"
done

# The inputs' checksum: the definition, this script, the collection tarball's
# contents and ansible-core's version.
recipe="$( { cat "$0" "$ctx/execution-environment.yml" "$ctx/requirements.yml"; \
    tar -xzOf "$ctx/collections/netboot-dhcp_failover.tar.gz" | sha256sum; } | sha256sum | cut -c1-16)"
if podman image exists "$IMAGE" && [ "${LAB_REBUILD:-0}" != 1 ] \
    && [ "$(podman image inspect --format '{{ index .Labels "netboot.recipe" }}' "$IMAGE")" = "$recipe" ]; then
    echo "image $IMAGE already present"
    exit 0
fi

# The base image: Python, pip and an SSH client; pip may install into the
# system Python (the image is the environment), and services installed
# later are not started during the build.
base_recipe="$(sha256sum "$0" | cut -c1-16)"
if ! podman image exists "$BASE" \
    || [ "$(podman image inspect --format '{{ index .Labels "netboot.recipe" }}' "$BASE")" != "$base_recipe" ]; then
    cat > "$work/ee-pkgmgr" <<'SHIM'
#!/bin/sh
# ansible-builder runs "$PKGMGR install -y PACKAGES" and "$PKGMGR clean all".
set -e
what="$1"; shift
case "$what" in
    install)
        pkgs=""
        for a in "$@"; do case "$a" in -*) ;; *) pkgs="$pkgs $a" ;; esac; done
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs
        ;;
    clean) apt-get clean; rm -rf /var/lib/apt/lists/* ;;
    *) echo "ee-pkgmgr: $what is not supported" >&2; exit 2 ;;
esac
SHIM
    mmdebstrap --variant=apt \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --include=python3,python3-pip,python3-venv,openssh-client,ca-certificates \
        --customize-hook='echo "Acquire::Check-Valid-Until \"false\";" > "$1/etc/apt/apt.conf.d/99no-valid-until"' \
        --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED' \
        --customize-hook='printf "#!/bin/sh\nexit 101\n" > "$1/usr/sbin/policy-rc.d"; chmod 0755 "$1/usr/sbin/policy-rc.d"' \
        --customize-hook="upload $work/ee-pkgmgr /usr/local/bin/ee-pkgmgr" \
        --customize-hook='chmod 0755 "$1/usr/local/bin/ee-pkgmgr"' \
        bookworm "$work/rootfs.tar" "$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || echo http://deb.debian.org/debian)"
    podman import --change "LABEL netboot.recipe=$base_recipe" "$work/rootfs.tar" "$BASE"
fi

# The wheels of ansible-core, ansible-runner and what ansible-builder's
# stages install (bindep, PyYAML, packaging, dumb-init), for the image's Python 3.11.
"$venv/bin/python" -m pip download --quiet --only-binary=:all: --python-version 3.11 \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
    --implementation cp --abi cp311 --abi abi3 --abi none --dest "$ctx/wheels" \
    "ansible-core==$core" ansible-runner bindep pyyaml packaging "dumb-init==1.2.5"

"$venv/bin/ansible-builder" build --file "$ctx/execution-environment.yml" --context "$work/context" \
    --tag "$IMAGE" --container-runtime podman --build-arg "NETBOOT_RECIPE=$recipe" --verbosity 2
podman image rm "$IMAGE-labelled" >/dev/null 2>&1 || true
# The recipe label, added on top of the built image.
printf 'FROM %s\nLABEL netboot.recipe=%s\n' "$IMAGE" "$recipe" | podman build --quiet -t "$IMAGE" -f - "$work" >/dev/null
echo "built $IMAGE"
