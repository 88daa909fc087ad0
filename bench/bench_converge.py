#!/usr/bin/env python3
"""Benchmark the lab: converge, re-converge, boot-file update and takeover.

Run through `make bench-converge` (tests/lab/run-lab.sh bench), which makes
the lab network and removes everything afterwards. On fresh lab containers it
times, in one run:

  floor       a play that only gathers facts on the same hosts (Ansible's floor)
  first       playbooks/site.yml on fresh containers (installs included)
  second      site.yml again (reports the changed count, which should be 0)
  bootfiles   site.yml --tags bootfiles
  takeover    primary stopped -> the secondary answers a client the primary
              was serving (seconds, measured with the lab's DHCP probe)

and prints each as seconds and as a ratio to the floor. Nothing is asserted.
"""

import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(ROOT, "inventories", "lab")
FLOOR = os.path.join(ROOT, "bench", "floor.yml")
SITE = os.path.join(ROOT, "playbooks", "site.yml")
sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
import dhcp_probe  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw, check=False)


def play(playbook, *extra):
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="false")
    t0 = time.perf_counter()
    res = run(["ansible-playbook", "-i", LAB, playbook, *extra], env=env)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-3000:] + res.stderr[-2000:])
        raise SystemExit("ansible-playbook %s failed" % playbook)
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", res.stdout))
    return dt, changed


def probe(*args):
    return dhcp_probe.run_in("client1", *args)


def takeover():
    dhcp_probe.install("client1")
    mac = None
    for i in range(1, 30):
        candidate = "52:54:00:50:00:%02x" % i
        offers = probe("discover", "--mac", candidate, "--wait", "2")
        if offers and offers[0].get("server_id") == "10.4.7.9":
            mac = candidate
            break
    if mac is None:
        return None
    run(["podman", "exec", "dhcp1", "systemctl", "stop", "isc-dhcp-server"], check=True)
    t0 = time.perf_counter()
    try:
        while time.perf_counter() - t0 < 120:
            offers = probe("discover", "--mac", mac, "--wait", "1")
            if any(o.get("server_id") == "10.4.7.210" for o in offers):
                return time.perf_counter() - t0
        return None
    finally:
        run(["podman", "exec", "dhcp1", "systemctl", "start", "isc-dhcp-server"], check=True)


def main():
    t0 = time.perf_counter()
    # Create the containers, then wait for their sshd (Molecule's prepare):
    # the plays below connect over SSH with become, as on a real site.
    for step in ("create", "prepare"):
        res = subprocess.run(["molecule", step, "-s", "default"], cwd=ROOT, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            sys.stderr.write(res.stdout[-3000:] + res.stderr[-3000:])
            raise SystemExit("molecule %s failed" % step)
    create = time.perf_counter() - t0
    floor, dummy = play(FLOOR)
    first, first_changed = play(SITE)
    second, second_changed = play(SITE)
    bootfiles, bootfiles_changed = play(SITE, "--tags", "bootfiles")
    take = takeover()
    rows = [
        ("create containers, sshd up", create, None),
        ("floor (gather facts only)", floor, None),
        ("first converge", first, first_changed),
        ("second converge", second, second_changed),
        ("--tags bootfiles", bootfiles, bootfiles_changed),
    ]
    print("%-28s %9s %8s %8s" % ("step", "seconds", "x floor", "changed"))
    for name, secs, changed in rows:
        print("%-28s %9.1f %8s %8s" % (name, secs, "%.1f" % (secs / floor) if not name.startswith("create") else "-",
                                        "-" if changed is None else changed))
    if take is None:
        print("%-28s %9s" % ("takeover (primary stopped)", "n/a"))
    else:
        print("%-28s %9.1f %8.2f %8s" % ("takeover (primary stopped)", take, take / floor, "-"))
    print("second converge changed=%d (0 expected)" % second_changed)


if __name__ == "__main__":
    main()
