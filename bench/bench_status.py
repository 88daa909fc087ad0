#!/usr/bin/env python3
"""Benchmark: count the pools of a 100 MB dhcpd lease file.

The file is made from the blocks a real dhcpd pair wrote (tests/status):
a /16 of pools, every address with a history of entries as dhcpd appends
them (free, active, renewals, expiry), until it is 100 MB. Reports, in one
run, wall time and peak memory of pool_status (streaming, line by line)
and, as the yardstick, of reading the whole file into memory with the
failover_state module's reader (dhcpd_leases.parse_bindings), and their
ratios. Each reader runs in a child process so that its peak memory is its
own (ru_maxrss). Nothing is asserted: this is a report.
Usage: python3 bench/bench_status.py [MEGABYTES]
"""

import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import tests.conftest  # noqa: E402,F401  (puts the collection on sys.path)

from tests.conftest import COLLECTIONS  # noqa: E402

# One address's history as dhcpd writes it (the shape of tests/status/*.leases).
BLOCK = """lease %(ip)s {
  starts 4 2026/12/03 10:%(m)02d:00;
  ends 4 2026/12/03 10:%(e)02d:00;
  tstp 4 2026/12/03 10:%(e)02d:00;
  tsfp 4 2026/12/03 10:%(e)02d:00;
  atsfp 4 2026/12/03 10:%(e)02d:00;
  cltt 4 2026/12/03 10:%(m)02d:00;
  binding state %(state)s;
  next binding state %(next)s;
  rewind binding state free;
  hardware ethernet 52:54:00:%(a)02x:%(b)02x:%(c)02x;
  uid "\\001RT\\000%(a)c%(b)c%(c)c";
  client-hostname "client-%(a)d-%(b)d-%(c)d";
}
"""
STATES = (("free", "backup"), ("backup", "free"), ("active", "free"), ("active", "expired"), ("expired", "free"))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.netboot.dhcp_failover.plugins.module_utils import dhcpd_leases, pool_status
which, path, pools = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
t = time.perf_counter()
if which == "stream":
    out = pool_status.pool_status(pools, path, "fo", "primary")
    active = sum(p["active"] for p in out["pools"])
else:
    with open(path, encoding="utf-8", errors="replace") as fh:
        states = dhcpd_leases.parse_bindings(fh.read())
    active = sum(1 for s in states.values() if s == "active")
print(json.dumps({"seconds": time.perf_counter() - t, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "active": active}))
"""


def make_file(path, megabytes):
    """Entries for 10.20.0.0/16's addresses, round after round, until the file has ``megabytes``."""
    target = megabytes * 1024 * 1024
    n = 0
    with open(path, "w") as fh:
        fh.write("# The format of this file is documented in the dhcpd.leases(5) manual page.\n")
        while fh.tell() < target:
            i = n % 65024
            state, nxt = STATES[(n // 65024 + i) % len(STATES)]
            fh.write(BLOCK % {"ip": "10.20.%d.%d" % (i // 254, 1 + i % 254), "m": n % 50, "e": n % 50 + 5, "state": state, "next": nxt,
                              "a": (i >> 16) & 255, "b": (i >> 8) & 255, "c": i & 255})
            n += 1
    return n


def run(which, path, pools):
    res = subprocess.run([sys.executable, "-c", CHILD, COLLECTIONS, which, path, json.dumps(pools)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def main():
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    pools = [{"id": "dhcpd_subnets[%d].pools[0]" % k, "ranges": [["10.20.%d.1" % k, "10.20.%d.254" % k]], "failover": True}
             for k in range(256)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dhcpd.leases")
        t = time.perf_counter()
        entries = make_file(path, megabytes)
        size = os.path.getsize(path)
        print("lease file: %.0f MB, %d entries for 65,024 addresses in 256 pools (made in %.1f s)" % (
            size / 1e6, entries, time.perf_counter() - t))
        stream, whole = run("stream", path, pools), run("whole", path, pools)
    assert stream["active"] == whole["active"], (stream, whole)
    print("%-44s %10s %12s" % ("reader", "seconds", "peak MiB"))
    print("%-44s %10.2f %12.1f" % ("pool_status (streaming, per pool)", stream["seconds"], stream["peak_kib"] / 1024))
    print("%-44s %10.2f %12.1f" % ("whole file in memory (parse_bindings)", whole["seconds"], whole["peak_kib"] / 1024))
    print("ratio streaming / whole file: time %.2fx, peak memory %.2fx; %d addresses active in both" % (
        stream["seconds"] / whole["seconds"], stream["peak_kib"] / whole["peak_kib"], stream["active"]))
    print("throughput: %.0f MB/s" % (size / 1e6 / stream["seconds"]))


if __name__ == "__main__":
    main()
