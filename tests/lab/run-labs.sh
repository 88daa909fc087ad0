#!/bin/bash
# make lab: the site lab (on Debian 12, then a part of it on Debian 13) and
# the fleet lab at the same time. The two share nothing: their own
# containers, networks (netboot-lab; netboot-fleet-a and -b), Molecule
# scenarios and reports. Run one after the other they took about 3,500 s of
# CI's 90 minutes (the fleet lab's fault tests wait out 75 s outages and
# 60 s leases, the site lab boots VMs): most of both is waiting, which
# overlaps. make test runs the checks beside them too (tests/lab/run-all.sh). The fleet lab's output goes to a file and is printed when the
# site lab is done; the run fails if any of them fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .cache
log=.cache/fleet-lab.log
start=$(date +%s)
LAB_SCENARIO=fleet LAB_REPORT=/tmp/netboot-lab-report-fleet.txt bash tests/lab/run-lab.sh test >"$log" 2>&1 &
fleet=$!
# Stop the fleet lab too (by its process id) when this run is interrupted.
trap 'kill -TERM "$fleet" 2>/dev/null; wait "$fleet"; exit 130' INT TERM
LAB_REPORT=/tmp/netboot-lab-report-site.txt bash tests/lab/run-lab.sh test
site_rc=$?
echo "labs: site lab done after $(( $(date +%s) - start )) s (exit $site_rc)"
# Then the site lab again on Debian 13 containers, a part of its tests
# (molecule/default/tests/conftest.py, DEBIAN13), while the fleet lab runs:
# ISC dhcpd 4.4.3-P1, Kea 2.6.3 and tftpd-hpa from Debian 13's packages.
LAB_OS=debian13 bash tests/lab/build-image.sh \
    && bash tests/lab/lab-ssh.sh \
    && LAB_OS=debian13 LAB_REPORT=/tmp/netboot-lab-report-site-debian13.txt bash tests/lab/run-lab.sh test
site13_rc=$?
echo "labs: site lab on Debian 13 done after $(( $(date +%s) - start )) s (exit $site13_rc); waiting for the fleet lab"
wait "$fleet"
fleet_rc=$?
trap - INT TERM
echo "labs: fleet lab done after $(( $(date +%s) - start )) s (exit $fleet_rc); its output:"
sed 's/^/fleet| /' "$log"
echo "labs: all done in $(( $(date +%s) - start )) s (site lab exit $site_rc, on Debian 13 $site13_rc, fleet lab $fleet_rc)"
[ "$site_rc" -eq 0 ] && [ "$site13_rc" -eq 0 ] && [ "$fleet_rc" -eq 0 ]
