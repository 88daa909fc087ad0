#!/bin/bash
# Run the Molecule lab (molecule/default) with its network, and always clean
# up: containers, the lab network and any VM tap device are removed at the
# end, also when the run fails or is interrupted.
#   run-lab.sh test      destroy, create, converge, idempotence, verify, destroy
#   run-lab.sh bench     converge timings (bench/bench_converge.py), then destroy
#   run-lab.sh destroy   remove what a lab run left behind
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=tests/lab
action="${1:-test}"
scenario="${LAB_SCENARIO:-default}"
if [ "$scenario" = almalinux9 ]; then
    export NETBOOT_LAB_IMAGE="${NETBOOT_LAB_IMAGE:-localhost/netboot-almalinux9-systemd:latest}"
fi
# LAB_OS=debian13: the scenario's hosts on the Debian 13 image (the fleet
# lab runs a part of its tests there, molecule/fleet/tests/conftest.py).
if [ "${LAB_OS:-debian12}" = debian13 ]; then
    export NETBOOT_LAB_IMAGE="${NETBOOT_LAB_IMAGE:-localhost/netboot-debian13-systemd:latest}"
    export NETBOOT_LAB_OS=debian13
fi
export NETBOOT_LAB_SSH_DIR="${NETBOOT_LAB_SSH_DIR:-$PWD/.cache/lab-ssh}"

# The networks of the scenario: the lab's, or the fleet lab's two sites.
networks() {
    if [ "$scenario" = fleet ]; then
        LAB_NETWORK=netboot-fleet-a LAB_SUBNET=10.6.0.0/16 LAB_GATEWAY=10.6.0.1 bash "$HERE/network.sh" "$1"
        LAB_NETWORK=netboot-fleet-b LAB_SUBNET=10.7.0.0/16 LAB_GATEWAY=10.7.0.1 bash "$HERE/network.sh" "$1"
    else
        bash "$HERE/network.sh" "$1"
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    molecule destroy -s "$scenario" >/dev/null 2>&1 || true
    # The site lab's VM tap (the fleet lab, which may run at the same time,
    # has none: tests/lab/run-labs.sh).
    if [ "$scenario" != fleet ]; then
        ip link del nbtap0 >/dev/null 2>&1 || true
    fi
    networks down || true
    exit $rc
}

case "$action" in
    destroy)
        cleanup
        ;;
    test)
        trap cleanup EXIT INT TERM
        # Clear what an earlier, interrupted run may have left, then make the
        # network (Molecule's own destroy step would remove it).
        molecule destroy -s "$scenario" >/dev/null 2>&1 || true
        # The fleet lab also runs site.yml from an execution environment.
        if [ "$scenario" = fleet ]; then
            bash "$HERE/build-ee.sh"
        fi
        networks up
        start=$(date +%s)
        export LAB_REPORT="${LAB_REPORT:-/tmp/netboot-lab-report.txt}"
        rm -f "$LAB_REPORT"
        molecule test -s "$scenario"
        echo "lab: molecule test took $(( $(date +%s) - start )) s"
        [ -f "$LAB_REPORT" ] && sed 's/^/lab: /' "$LAB_REPORT" || true
        ;;
    bench)
        trap cleanup EXIT INT TERM
        molecule destroy -s "$scenario" >/dev/null 2>&1 || true
        networks up
        python bench/bench_converge.py
        ;;
    *)
        echo "usage: $0 test|bench|destroy" >&2
        exit 2
        ;;
esac
