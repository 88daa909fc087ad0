#!/usr/bin/env python3
"""Benchmark converges on the lab, as ratios to Ansible's floor measured in
the same run. Run through `make bench-converge` (tests/lab/run-lab.sh
bench), which makes the lab network and removes everything afterwards.

For each connection - SSH as the ordinary user netops with become and
pipelining (how users run), and podman exec as root (no network) - on fresh
containers:

  two-peer (dhcp1, dhcp2; playbooks/dhcp_failover.yml)
    floor      a play that only gathers facts on the two peers (median of 3,
               as every floor here)
    first      the first converge (and how often each peer's dhcpd started)
    no-op      three converges that change nothing: median and range
    change     one option changed, while client1 probes every 0.2 s as a
               client either peer may serve: the time, the restart order,
               and the longest time neither peer answered
  four-host (playbooks/site.yml)
    floor, no-op x3, and --tags bootfiles on the TFTP host against that
    host's floor
  takeover     primary stopped: seconds until the secondary answers a client
               the primary was serving, probed every 0.2 s
  Kea          the same pair switched to dhcp_backend: kea (not timed), then
               three no-op converges against the two-peer floor

Nothing is asserted: this is a report.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(ROOT, "inventories", "lab")
FLOOR = os.path.join(ROOT, "bench", "floor.yml")
SITE = os.path.join(ROOT, "playbooks", "site.yml")
PAIR = os.path.join(ROOT, "playbooks", "dhcp_failover.yml")
PEERS = {"dhcp1": "10.4.7.9", "dhcp2": "10.4.7.210"}
SERVICE = "isc-dhcp-server"
sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
import dhcp_probe  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw, check=False)


def podman_inventory(tmp):
    """The lab inventory, reached with podman exec as root instead of SSH."""
    inv = os.path.join(tmp, "lab-podman")
    shutil.copytree(LAB, inv)
    with open(os.path.join(inv, "group_vars", "netboot_lab", "connection.yml"), "w") as fh:
        fh.write("---\nansible_connection: containers.podman.podman\nansible_user: root\n")
        # Where the lab's secrets are (group_vars/netboot_lab/secrets.yml reads the Kea HA password there).
        fh.write("netboot_lab_ssh_dir: %s\n" % os.environ.get("NETBOOT_LAB_SSH_DIR", os.path.join(ROOT, ".cache", "lab-ssh")))
    for name in os.listdir(os.path.join(inv, "host_vars")):
        path = os.path.join(inv, "host_vars", name)
        with open(path) as fh:
            text = "".join(line for line in fh if not line.startswith("ansible_host:"))
        with open(path, "w") as fh:
            fh.write(text)
    return inv


def play(inventory, playbook, *extra):
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="false")
    t0 = time.perf_counter()
    res = run(["ansible-playbook", "-i", inventory, playbook, *extra], env=env)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-3000:] + res.stderr[-2000:])
        raise SystemExit("ansible-playbook %s failed" % playbook)
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", res.stdout.split("PLAY RECAP")[-1]))
    return dt, changed


def fresh_lab():
    run(["molecule", "destroy", "-s", "default"])
    # Molecule's destroy removes the lab network: make it again, with its subnet.
    run(["bash", os.path.join(ROOT, "tests", "lab", "network.sh"), "up"])
    for step in ("create", "prepare"):
        res = run(["molecule", step, "-s", "default"])
        if res.returncode != 0:
            sys.stderr.write(res.stdout[-3000:] + res.stderr[-3000:])
            raise SystemExit("molecule %s failed" % step)
    dhcp_probe.install("client1")


def sh(host, command):
    return run(["podman", "exec", host, "sh", "-c", command]).stdout.strip()


def starts(host):
    """How often dhcpd has started on HOST (its own log line, once per start)."""
    return int(sh(host, "journalctl -b -o cat _COMM=dhcpd 2>/dev/null | grep -c 'Server starting service' || true") or 0)


def monotonic(host, what):
    return int(sh(host, "systemctl show -p %s --value %s" % (what, SERVICE)) or 0) / 1e6


def watch(duration, action):
    """Run action() while client1 probes every 0.2 s; return (action's result, probes)."""
    # The probing clients first take a lease each (DORA): dhcpd then offers
    # it again at once, where an address never leased is pinged first (1 s,
    # dhcpd's ping check), which would hide gaps shorter than that.
    for n in range(8):
        dhcp_probe.run_in("client1", "dora", "--mac", "52:54:00:aa:00:%02x" % n, "--wait", "3")
    sh("client1", "rm -f /tmp/bench.jsonl /tmp/bench.stop")
    watcher = subprocess.Popen(
        # A probe starts every 0.2 s; one that gets no answer waits up to 1 s.
        # secs 10 lets either peer answer any client (past the load-balancing
        # window), so an unanswered probe means neither peer answered.
        ["podman", "exec", "client1", "python3", dhcp_probe.IN_CONTAINER, "watch", "--duration", str(duration),
         "--interval", "0.2", "--wait", "1", "--secs", "10", "--out", "/tmp/bench.jsonl", "--stop-file", "/tmp/bench.stop"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)
        result = action()
        time.sleep(1)
    finally:
        sh("client1", "touch /tmp/bench.stop")
        try:
            watcher.wait(30)
        except subprocess.TimeoutExpired:
            watcher.terminate()
            watcher.wait(10)
    probes = [json.loads(x) for x in sh("client1", "cat /tmp/bench.jsonl").splitlines() if x.strip()]
    return result, probes


def longest_silence(probes):
    answered = [p["t"] for p in probes if p["servers"]]
    if not answered:
        return float("inf")
    edges = [probes[0]["t"]] + answered + [probes[-1]["t"]]
    return max(b - a for a, b in zip(edges, edges[1:]))


def takeover():
    mac = None
    for i in range(1, 40):
        candidate = "52:54:00:50:00:%02x" % i
        offers = dhcp_probe.run_in("client1", "discover", "--mac", candidate, "--wait", "2")
        if offers and offers[0].get("server_id") == PEERS["dhcp1"]:
            mac = candidate
            break
    if mac is None:
        return None
    sh("dhcp1", "systemctl stop %s" % SERVICE)
    t0 = time.perf_counter()
    try:
        while time.perf_counter() - t0 < 120:
            offers = dhcp_probe.run_in("client1", "discover", "--mac", mac, "--wait", "0.2")
            if any(o.get("server_id") == PEERS["dhcp2"] for o in offers):
                return time.perf_counter() - t0
        return None
    finally:
        sh("dhcp1", "systemctl start %s" % SERVICE)
        time.sleep(15)


def floor_of(inventory, *extra):
    """Ansible's floor: the median of three facts-only plays."""
    return statistics.median(play(inventory, FLOOR, *extra)[0] for dummy in range(3))


def bench(name, inventory):
    fresh_lab()
    rows = []
    pair = ["--limit", "dhcp_servers"]
    floor2 = floor_of(inventory, *pair)
    first, first_changed = play(inventory, PAIR)
    first_starts = {p: starts(p) for p in PEERS}
    rows.append(("two-peer floor (facts only)", floor2, floor2, None))
    rows.append(("two-peer first converge", first, floor2, first_changed))
    noops = [play(inventory, PAIR) for dummy in range(3)]
    times = [t for t, c in noops]
    rows.append(("two-peer no-op (median of 3)", statistics.median(times), floor2, max(c for t, c in noops)))
    before = {p: monotonic(p, "ActiveEnterTimestampMonotonic") for p in PEERS}
    (change, change_changed), probes = watch(240, lambda: play(inventory, PAIR, "-e", "dhcpd_default_lease_time=%d" % (600 + int(time.time()) % 3000)))
    rows.append(("two-peer one option changed", change, floor2, change_changed))
    up = {p: monotonic(p, "ActiveEnterTimestampMonotonic") for p in PEERS}
    down = {p: monotonic(p, "InactiveEnterTimestampMonotonic") for p in PEERS}
    floor4 = floor_of(inventory)
    rows.append(("four-host floor (facts only)", floor4, floor4, None))
    play(inventory, SITE)
    site = [play(inventory, SITE) for dummy in range(3)]
    rows.append(("four-host site.yml no-op (median of 3)", statistics.median(t for t, c in site), floor4, max(c for t, c in site)))
    floor_t = floor_of(inventory, "--limit", "tftp1")
    boots = [play(inventory, SITE, "--tags", "bootfiles", "--limit", "tftp1") for dummy in range(3)]
    boot, boot_changed = statistics.median(t for t, c in boots), max(c for t, c in boots)
    rows.append(("tftp1 floor (facts only)", floor_t, floor_t, None))
    rows.append(("tftp1 --tags bootfiles (median of 3)", boot, floor_t, boot_changed))
    take = takeover()
    kea = ["-e", "dhcp_backend=kea"]
    play(inventory, PAIR, *kea)
    keas = [play(inventory, PAIR, *kea) for dummy in range(3)]
    rows.append(("Kea two-peer no-op (median of 3)", statistics.median(t for t, c in keas), floor2, max(c for t, c in keas)))

    print("\n== %s ==" % name)
    print("%-40s %9s %8s %8s" % ("step", "seconds", "x floor", "changed"))
    for label, secs, floor, changed in rows:
        print("%-40s %9.1f %8.1f %8s" % (label, secs, secs / floor, "-" if changed is None else changed))
    print("two-peer no-op range: %.1f - %.1f s" % (min(times), max(times)))
    print("first converge: dhcpd started %s" % ", ".join("%d time(s) on %s" % (n, p) for p, n in sorted(first_starts.items())))
    restarted = {p: up[p] > before[p] for p in PEERS}
    print("one option changed: restarted %s; dhcp2 back up %.1f s before dhcp1 went down; longest time neither peer answered %.1f s"
          " (%d probes, one every 0.2 s while answered, %d unanswered)" % (
              ", ".join(p for p in sorted(PEERS) if restarted[p]), down["dhcp1"] - up["dhcp2"], longest_silence(probes),
              len(probes), sum(1 for p in probes if not p["servers"])))
    print("takeover after the primary stops: %s" % ("%.1f s" % take if take is not None else "n/a"))


def main():
    which = os.environ.get("BENCH_CONNECTIONS", "ssh,podman").split(",")
    with tempfile.TemporaryDirectory() as tmp:
        inventories = {"ssh": LAB, "podman": podman_inventory(tmp)}
        for name in which:
            bench("%s (%s)" % (name, "SSH as netops with become and pipelining" if name == "ssh" else "podman exec as root"),
                  inventories[name])


if __name__ == "__main__":
    main()
