#!/bin/bash
# ansible-test sanity for Python 3.11 on the collection as published: the
# tarball ansible-galaxy builds, unpacked at ansible_collections/netboot/
# dhcp_failover (where ansible-test requires a collection to be). The lab,
# bench and CI scripts are not part of it (galaxy.yml build_ignore). ansible-test keeps its virtual environments under
# $HOME/.ansible/test: HOME points at a cache outside the user's home, and
# the pip bootstrap it would download comes from tests/sanity/get_pip.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
cache="${NETBOOT_ANSIBLE_TEST_HOME:-/var/tmp/netboot-ansible-test}"
work="$root/.cache/sanity"
pip_version="$(python -c '
from ansible_test._internal.python_requirements import get_venv_packages
class Python: version = "3.11"
print(get_venv_packages(Python())["pip"])')"
mkdir -p "$cache/.ansible/test/cache"
cp tests/sanity/get_pip.py "$cache/.ansible/test/cache/get_pip_${pip_version//./_}.py"
rm -rf "$work"
dest="$work/ansible_collections/netboot/dhcp_failover"
mkdir -p "$dest"
ansible-galaxy collection build --output-path "$work" . >/dev/null
tar -xzf "$work"/netboot-dhcp_failover-*.tar.gz -C "$dest"
cd "$dest"
git init -q . && git add -A
HOME="$cache" ansible-test sanity --local --python 3.11 --color no "$@"
