"""A converge that changes the configuration: the peers restart one at a
time, a client probing throughout is always answered, no lease is lost.
Runs last: it leaves the lab with a changed lease time."""

import json
import random
import subprocess
import time

from conftest import PEERS
from dhcp_probe import IN_CONTAINER

# Probes start every second; a restart of both peers at once (stop, 2 s
# pause in the init script, start, failover startup) leaves a longer gap.
MAX_GAP_S = 3.0
# The probes ask as a client's first retransmission does (secs 4, past the
# lab's load_balance_max_seconds 3), which either peer may answer. A first
# DISCOVER (secs 0) is answered only by the peer its hash belongs to, and a
# dhcpd that got SIGTERM stops answering about a second before its partner
# learns it is going (dhcp_io_shutdown_countdown in ISC DHCP's
# server/dhcpd.c closes the listeners first and moves the failover peers to
# shut-down only at a later step, a second apart): in that second a new
# client of the restarting peer is answered on its retransmission instead.
# Measured in the lab from both peers' logs; it is dhcpd's, not the roles'.
RETRANSMISSION_SECS = "4"
# A lease counts as one to keep when it is still in force this long after the
# update starts (the update takes under a minute in the lab; the lab's leases
# last 600 s).
OUTLIVE_S = 300


def test_rolling_update_keeps_service_and_leases(site_restored):
    lab = site_restored
    # Leases to keep: clients that completed DORA now (both peers record them).
    for n in range(3):
        assert lab.probe("dora", mac="52:54:00:60:00:%02x" % n)["ack"], "no lease for client %d" % n
    time.sleep(2)
    # Leases that must outlive the update: those still in force well after it
    # (a lease of an earlier test that ends while the update runs ends
    # because its time is up, which is not a loss).
    outlive = time.time() + OUTLIVE_S
    before = {p: lab.active_leases(p, at=outlive) for p in PEERS}
    for peer in PEERS:
        assert {"52:54:00:60:00:%02x" % n for n in range(3)} <= set(before[peer].values()), (peer, before[peer])
    started = {p: lab.service_time(p) for p in PEERS}
    lease_time = 600 + random.randint(1, 3000)
    client = lab.hosts["client1"]
    client.run("rm -f /tmp/watch.jsonl /tmp/watch.stop")
    watcher = subprocess.Popen(
        ["podman", "exec", "client1", "python3", IN_CONTAINER, "watch",
         "--duration", "400", "--interval", "1", "--wait", "2.5", "--secs", RETRANSMISSION_SECS,
         "--out", "/tmp/watch.jsonl", "--stop-file", "/tmp/watch.stop"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        time.sleep(2)
        update_started = time.time()
        run = lab.play("dhcp_failover.yml", "-e", "dhcpd_default_lease_time=%d" % lease_time)
        update_ended = time.time()
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        time.sleep(2)
    finally:
        client.run("touch /tmp/watch.stop")
        try:
            watcher.wait(30)
        except subprocess.TimeoutExpired:
            watcher.terminate()
            watcher.wait(10)
    lines = [json.loads(x) for x in client.file("/tmp/watch.jsonl").content_string.splitlines() if x.strip()]
    # The probe asked all through the update (before it began until after it
    # ended), about once a second.
    assert lines and lines[0]["t"] < update_started and lines[-1]["t"] > update_ended, "the probe did not cover the update"
    assert len(lines) >= (update_ended - update_started) / 3, "the probe ran too rarely: %d probes in %.0f s" % (
        len(lines), update_ended - update_started)
    answered = [x["t"] for x in lines if x["servers"]]
    gaps = [b - a for a, b in zip(answered, answered[1:])]
    worst = max(gaps) if gaps else float("inf")
    unanswered = sum(1 for x in lines if not x["servers"])
    print("probes=%d unanswered=%d longest gap between answers=%.1f s" % (len(lines), unanswered, worst))
    assert answered and answered[0] - lines[0]["t"] < MAX_GAP_S and lines[-1]["t"] - answered[-1] < MAX_GAP_S
    assert worst <= MAX_GAP_S, "no peer answered for %.1f s during the update" % worst
    # Both peers got the new configuration and were restarted.
    for peer in PEERS:
        assert "default-lease-time %d;" % lease_time in lab.hosts[peer].file("/etc/dhcp/dhcpd.conf").content_string
        assert lab.service_time(peer) > started[peer], "%s was not restarted" % peer
    # Never both down: the secondary went first, and the primary went down
    # only after the secondary was back up.
    assert lab.service_time("dhcp1", "InactiveEnterTimestampMonotonic") > lab.service_time("dhcp2")
    # No lease was lost.
    for peer in PEERS:
        after = lab.active_leases(peer, at=outlive)
        lost = {ip: mac for ip, mac in before[peer].items() if after.get(ip) != mac}
        assert not lost, "%s lost leases: %r" % (peer, lost)
    lab.wait_state("dhcp1", "normal", "normal", timeout=60)
    lab.wait_state("dhcp2", "normal", "normal", timeout=60)
