#!/usr/bin/env python3
"""Benchmark a fleet: the time of a converge over N failover pairs as a ratio
to one pair, measured in the same run. Run through `make bench-fleet`.

Four pairs of Debian 12 systemd containers (the lab image), each pair on a
podman network of its own (10.81.0.0/16 ... 10.84.0.0/16) with its own
description in its site group's group_vars, reached with podman exec as
root. After a first converge of all four pairs (timed, not compared), for
N = 1, 2 and 4 pairs (--limit to the first N sites):

  floor     Ansible's floor on the same hosts: a play that only gathers
            facts (bench/floor.yml, median of 3); its growth with N is what
            this machine's two cores add for any playbook
  no-op     playbooks/dhcp_failover.yml changing nothing (median of 3),
            after an untimed converge that puts every pair back
  change    one option changed on every pair of the run (median of 3),
            each restarting both peers of every pair, one peer per pair at
            a time

and the ratio of each to the same step with one pair, and of the no-op to
the floor of the same hosts. Everything it makes
(containers, networks, the inventory) is removed at the end, also on
failure. Nothing is asserted: this is a report.
"""

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAIR = os.path.join(ROOT, "playbooks", "dhcp_failover.yml")
FLOOR = os.path.join(ROOT, "bench", "floor.yml")
IMAGE = os.environ.get("NETBOOT_LAB_IMAGE", "localhost/netboot-debian12-systemd:latest")
PAIRS = 4


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw, check=False)


def net(i):
    return "10.8%d" % i


def hosts():
    return [("bench%d-%d" % (i, n), i, n) for i in range(1, PAIRS + 1) for n in (1, 2)]


def write_inventory(folder):
    os.makedirs(os.path.join(folder, "group_vars", "all"))
    lines = ["---", "all:", "  vars:", "    ansible_connection: containers.podman.podman", "    ansible_user: root",
             "    ansible_python_interpreter: /usr/bin/python3", "  children:"]
    for i in range(1, PAIRS + 1):
        lines += ["    site%d:" % i, "      hosts:", "        bench%d-1:" % i, "        bench%d-2:" % i]
    lines += ["    dhcpd_primary:", "      hosts:"] + ["        bench%d-1:" % i for i in range(1, PAIRS + 1)]
    lines += ["    dhcpd_secondary:", "      hosts:"] + ["        bench%d-2:" % i for i in range(1, PAIRS + 1)]
    with open(os.path.join(folder, "hosts.yml"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    with open(os.path.join(folder, "group_vars", "all", "dhcp.yml"), "w") as fh:
        fh.write("---\ndhcpd_default_lease_time: 600\ndhcpd_interfaces: [eth0]\n")
    for i in range(1, PAIRS + 1):
        os.makedirs(os.path.join(folder, "group_vars", "site%d" % i))
        with open(os.path.join(folder, "group_vars", "site%d" % i, "dhcp.yml"), "w") as fh:
            fh.write(
                "---\n"
                "dhcpd_failover:\n"
                "  name: site-%d\n"
                "  primary: {host: bench%d-1, address: %s.7.9}\n"
                "  secondary: {host: bench%d-2, address: %s.7.210}\n"
                "  load_balance_max_seconds: 3\n"
                "  mclt: 1800\n"
                "  split: 128\n"
                "dhcpd_subnets:\n"
                "  - network: %s.0.0/16\n"
                "    options: {routers: %s.0.1}\n"
                "    pools:\n"
                "      - range: %s.45.1 %s.45.250\n" % (i, i, net(i), i, net(i), net(i), net(i), net(i), net(i)))


def up():
    for i in range(1, PAIRS + 1):
        res = run(["podman", "network", "create", "--disable-dns", "--subnet", "%s.0.0/16" % net(i), "--gateway", "%s.0.1" % net(i),
                   "netboot-bench-%d" % i])
        if res.returncode != 0:
            raise SystemExit("podman network create failed: %s" % res.stderr)
    for name, i, n in hosts():
        res = run(["podman", "run", "-d", "--name", name, "--hostname", name, "--systemd", "always", "--cap-add", "NET_ADMIN",
                   "--cap-add", "NET_RAW", "--network", "netboot-bench-%d" % i, "--ip", "%s.7.%s" % (net(i), "9" if n == 1 else "210"),
                   IMAGE, "/sbin/init"])
        if res.returncode != 0:
            raise SystemExit("podman run %s failed: %s" % (name, res.stderr))
    for name, dummy, dummy in hosts():
        for dummy in range(60):
            state = run(["podman", "exec", name, "systemctl", "is-system-running"]).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.5)


def down():
    for name, dummy, dummy in hosts():
        run(["podman", "rm", "-f", "-t", "0", name])
    for i in range(1, PAIRS + 1):
        run(["podman", "network", "rm", "-f", "netboot-bench-%d" % i])


def play(inventory, n, *extra, playbook=PAIR):
    limit = ":".join("site%d" % i for i in range(1, n + 1))
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="false")
    t0 = time.perf_counter()
    res = run(["ansible-playbook", "-i", inventory, playbook, "--limit", limit, "-f", "10", *extra], env=env)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-3000:] + res.stderr[-2000:])
        raise SystemExit("ansible-playbook failed")
    changed = sum(int(c) for c in re.findall(r"changed=(\d+)", res.stdout.split("PLAY RECAP")[-1]))
    return dt, changed


def main():
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        inventory = os.path.join(tmp, "fleet")
        write_inventory(inventory)
        try:
            down()
            up()
            first, dummy = play(inventory, PAIRS)
            for n in (1, 2, PAIRS):
                # Every pair back to the inventory's values (the changes of
                # the step before left some on another lease time).
                play(inventory, PAIRS)
                floor = statistics.median(play(inventory, n, playbook=FLOOR)[0] for dummy in range(3))
                noops = [play(inventory, n) for dummy in range(3)]
                changes = [play(inventory, n, "-e", "dhcpd_default_lease_time=%d" % (700 + random.randint(1, 5000)))
                           for dummy in range(3)]
                rows[n] = (floor, statistics.median(t for t, c in noops), max(c for t, c in noops),
                           statistics.median(t for t, c in changes))
        finally:
            down()
    print("\n== fleet (podman exec as root; forks 10) ==")
    print("first converge of %d pairs: %.1f s" % (PAIRS, first))
    print("%-6s %9s %9s %10s %9s %10s %8s %11s %9s" % (
        "pairs", "floor (s)", "x 1 pair", "no-op (s)", "x 1 pair", "x floor", "changed", "change (s)", "x 1 pair"))
    one = rows[1]
    for n, (floor, noop, changed, change) in sorted(rows.items()):
        print("%-6d %9.1f %9.2f %10.1f %9.2f %10.2f %8d %11.1f %9.2f" % (
            n, floor, floor / one[0], noop, noop / one[1], noop / floor, changed, change, change / one[3]))


if __name__ == "__main__":
    main()
