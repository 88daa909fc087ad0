#!/bin/bash
# make demo: build the lab, run playbooks/site.yml against it with
# ansible-playbook, PXE-boot a VM client and print a summary. Everything it
# made is removed at the end, also when it fails or is interrupted.
set -euo pipefail
cd "$(dirname "$0")/../.."
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    echo "demo: removing the lab"
    molecule destroy >/dev/null 2>&1 || true
    ip link del nbtap0 >/dev/null 2>&1 || true
    bash tests/lab/network.sh down || true
    exit $rc
}
trap cleanup EXIT INT TERM
export NETBOOT_LAB_SSH_DIR="${NETBOOT_LAB_SSH_DIR:-$PWD/.cache/lab-ssh}"
molecule destroy >/dev/null 2>&1 || true
bash tests/lab/network.sh up
echo "demo: creating the lab containers (dhcp1, dhcp2, tftp1, client1)"
molecule create >/dev/null 2>&1 || { echo "demo: molecule create failed; run it by hand to see why" >&2; exit 1; }
echo "demo: waiting for sshd; Ansible logs in as netops and uses sudo (become)"
molecule prepare >/dev/null 2>&1 || { echo "demo: the lab's hosts are not reachable over SSH; run molecule prepare to see why" >&2; exit 1; }
echo "demo: ansible-playbook -i inventories/lab playbooks/site.yml"
ANSIBLE_FORCE_COLOR=false ansible-playbook -i inventories/lab playbooks/site.yml | sed -n '/PLAY RECAP/,$p'
python3 tests/lab/demo_summary.py
