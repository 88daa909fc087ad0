#!/bin/bash
# make test: the checks (lint, unit tests, integration tests) and the labs
# (make lab: the site lab, then its Debian 13 part, beside the fleet lab;
# tests/lab/run-labs.sh) at the same time. The checks take about 12 minutes
# of mostly CPU; the labs about 40, mostly waiting (outages, leases, VM
# boots): one after the other they took 53 minutes of CI's 90 on these
# 2-core machines. The checks share nothing with the labs: their daemons run
# in network namespaces of their own (tests/integration/live.py), Molecule's
# syntax check in lint keeps its state under .cache/xdg. The checks' output
# goes to .cache/checks.log and is printed when the labs are done; the run
# fails if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .cache
# Both lanes use the virtualenv and the collection path: made once, first.
make --no-print-directory venv collection || exit 1
log=.cache/checks.log
start=$(date +%s)
# The checks in a process group of their own, stopped by its id if this
# run is interrupted.
setsid bash -c '
    rc=0; times=""
    for stage in lint unit integration; do
        t=$(date +%s)
        make --no-print-directory "$stage"; s=$?
        [ "$s" -eq 0 ] || rc=1
        times="$times $stage $(( $(date +%s) - t )) s (exit $s),"
        echo "checks: $stage done"
    done
    echo "checks:${times%,}"
    exit $rc' >"$log" 2>&1 &
checks=$!
trap 'kill -TERM -- "-$checks" 2>/dev/null; wait "$checks"; exit 130' INT TERM
echo "test: lint, unit and integration tests running beside the labs, output in $log"
make --no-print-directory lab
lab_rc=$?
lab_s=$(( $(date +%s) - start ))
wait "$checks"
checks_rc=$?
trap - INT TERM
echo "test: the checks' output:"
sed 's/^/checks| /' "$log"
echo "test stages: $(grep '^checks: lint [0-9]' "$log" | sed 's/^checks: //'); labs $lab_s s (exit $lab_rc); all done in $(( $(date +%s) - start )) s"
[ "$checks_rc" -eq 0 ] && [ "$lab_rc" -eq 0 ]
