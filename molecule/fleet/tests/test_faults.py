"""Faults injected into the pairs the roles deployed: nothing lost, nothing
handed out twice.

Clients that hold leases and renew them (tests/lab/dhcp_probe.py hold) run
on the site's client throughout; the lab's timers are shortened for the
test (60 s leases, MCLT 30 s, a pool of 100 addresses so that a freed
address is soon handed out again) and put back after it. Site A is an ISC
dhcpd pair, site B a Kea HA pair (load-balancing)."""

import concurrent.futures
import csv
import io
import json
import os
import re
import subprocess
import time

import pytest
import yaml

import kea_ctl
from conftest import INVENTORY, SITES
from test_fleet import report
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import (
    conflicts, parse_bindings, parse_state)



# A peer stays down longer than the leases (each lease of its copy ends
# meanwhile) and than the ISC start check's dhcpd_failover_recover_after
# (60 s); the split lasts as long.
LEASE_TIME = 60
DOWN_S = 75
SPLIT_S = 75


def isc_bindings(host):
    return parse_bindings(host.file("/var/lib/dhcp/dhcpd.leases").content_string)


def kea_bindings(host):
    """Address -> active or free, from Kea's memfile (the last row of each
    address: a lease in force has a lifetime, state 0 and an expiry ahead)."""
    now = time.time()
    out = {}
    for row in csv.DictReader(io.StringIO(host.file("/var/lib/kea/kea-leases4.csv").content_string)):
        active = int(row["valid_lifetime"] or 0) > 0 and row["state"] == "0" and int(row["expire"] or 0) > now
        out[row["address"]] = "active" if active else "free"
    return out


# What differs between the backends: the unit, the HA channel's port, how
# the lease database and the pair's state are read.
BACKENDS = {
    "a": {"service": "isc-dhcp-server", "port": 647, "bindings": isc_bindings},
    "b": {"service": "kea-dhcp4-server", "port": 8000, "bindings": kea_bindings},
}


def short_timers(site, *extra, pool_size=100, auto_partner_down=None):
    """The site's description with 60 s leases, an MCLT of 30 s and a pool of
    POOL_SIZE addresses (and auto_partner_down where given), as -e arguments."""
    with open(os.path.join(INVENTORY, "group_vars", "lab_site_%s" % site, "dhcp.yml"), encoding="utf-8") as fh:
        desc = yaml.safe_load(fh)
    desc["dhcpd_failover"]["mclt"] = 30
    if auto_partner_down is not None:
        desc["dhcpd_failover"]["auto_partner_down"] = auto_partner_down
    net = SITES[site]["net"]
    desc["dhcpd_subnets"][0]["pools"] = [{"range": "%s45.1 %s45.%d" % (net, net, pool_size)}]
    return ["-e", json.dumps({"dhcpd_failover": desc["dhcpd_failover"], "dhcpd_subnets": desc["dhcpd_subnets"],
                              "dhcpd_default_lease_time": LEASE_TIME, "dhcpd_max_lease_time": LEASE_TIME}), *extra]


class Holders:
    """dhcp_probe.py hold on a site's client, in the background."""

    def __init__(self, client, mac_group):
        self.client = client
        self.out = "/tmp/hold-%02x.jsonl" % mac_group
        self.stop_file = self.out + ".stop"
        subprocess.run(["podman", "exec", client, "rm", "-f", self.out, self.stop_file], check=True)
        self.proc = subprocess.Popen(
            ["podman", "exec", client, "python3", "/usr/local/bin/dhcp_probe", "hold", "--clients", "30",
             "--new-every", "3", "--mac-group", str(mac_group), "--wait", "2", "--duration", "900",
             "--out", self.out, "--stop-file", self.stop_file])

    def stop(self):
        subprocess.run(["podman", "exec", self.client, "touch", self.stop_file], check=True)
        self.proc.wait(timeout=60)
        text = subprocess.run(["podman", "exec", self.client, "cat", self.out], capture_output=True, text=True,
                              check=True).stdout
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def holdings(events):
    """Each lease a client held: (ip, mac, from, until), until cut short by
    the client's next NAK, expiry or other address."""
    out = []
    current = {}
    for ev in sorted(events, key=lambda e: e["t"]):
        mac = ev["mac"]
        if mac in current and (ev["event"] in ("nak", "expired") or (ev["event"] == "ack" and ev["ip"] != current[mac][0])):
            ip, start, until = current.pop(mac)
            out.append((ip, mac, start, min(until, ev["t"])))
        if ev["event"] == "ack":
            start = current[mac][1] if mac in current else ev["t"]
            current[mac] = (ev["ip"], start, ev["t"] + (ev["lease"] or LEASE_TIME))
    out.extend((ip, mac, start, until) for mac, (ip, start, until) in current.items())
    return out


def handed_twice(events):
    """Addresses two clients held at the same time."""
    by_ip = {}
    for ip, mac, start, until in holdings(events):
        by_ip.setdefault(ip, []).append((start, until, mac))
    twice = set()
    for ip, spans in by_ip.items():
        spans.sort()
        for (s1, u1, m1), (s2, _u2, m2) in zip(spans, spans[1:]):
            if m1 != m2 and s2 < u1 - 0.5:
                twice.add(ip)
    return sorted(twice)


def held_at(events, at):
    return {ip for ip, _mac, start, until in holdings([e for e in events if e["t"] <= at]) if start <= at < until}


def not_held_by_both(events, at, peers_bindings):
    """Addresses clients held at time AT that are not active on both peers."""
    return sorted(ip for ip in held_at(events, at) if any(b.get(ip) != "active" for b in peers_bindings.values()))


def held_by_neither(events, at, peers_bindings):
    """Addresses clients held at time AT that neither peer has as active
    (lost: both may hand them out again). While the pair runs, a renewal's
    update may still be on its way to the other peer: that is not a loss."""
    return sorted(ip for ip in held_at(events, at) if all(b.get(ip) != "active" for b in peers_bindings.values()))


def first_lease_waits(events, since):
    """For each client whose first try came after SINCE: seconds from that
    try to its first ACK (None: never)."""
    first, acked = {}, {}
    for ev in sorted(events, key=lambda e: e["t"]):
        first.setdefault(ev["mac"], ev["t"])
        if ev["event"] == "ack":
            acked.setdefault(ev["mac"], ev["t"])
    return [round(acked[m] - t, 1) if m in acked else None for m, t in first.items() if t > since]


def bindings(fleet, site):
    return {p: BACKENDS[site]["bindings"](fleet.hosts[p]) for p in SITES[site]["peers"]}


def wait_pair(fleet, site, since, timeout=240):
    """Until the pair is back in its normal state: both ISC peers normal
    with a state record written since SINCE, or both Kea servers in
    load-balancing. Returns the monotonic time it was."""
    deadline = time.monotonic() + timeout
    peers = SITES[site]["peers"]
    while True:
        if site == "a":
            states = {p: parse_state(fleet.hosts[p].file("/var/lib/dhcp/dhcpd.leases").content_string, "site-a")
                      for p in peers}
            fresh = max(max(s["my_since"] or 0, s["partner_since"] or 0) for s in states.values()) >= since
            done = fresh and all(s["my_state"] == "normal" and s["partner_state"] == "normal" for s in states.values())
        else:
            states = {}
            for p, address in peers.items():
                _status, answer = kea_ctl.send(fleet.hosts[p], address, "ha-heartbeat")
                states[p] = ((answer or {}).get("arguments") or {}).get("state")
            done = set(states.values()) == {"load-balancing"}
        if done:
            return time.monotonic()
        assert time.monotonic() < deadline, states
        time.sleep(1)


def split(site, name, heal=False):
    """Drop (or let through again) every TCP packet between the site's two
    peers, in NAME's network namespace, with the controller's iptables (the
    lab image has none)."""
    other = [address for peer, address in SITES[site]["peers"].items() if peer != name][0]
    pid = subprocess.run(["podman", "inspect", "-f", "{{.State.Pid}}", name], capture_output=True, text=True,
                         check=True).stdout.strip()
    for chain, side in (("INPUT", "-s"), ("OUTPUT", "-d")):
        rule = [chain, side, other, "-p", "tcp", "-j", "DROP"]
        if heal:
            while subprocess.run(["nsenter", "-t", pid, "-n", "iptables", "-D", *rule], capture_output=True,
                                 check=False).returncode == 0:
                pass
        else:
            subprocess.run(["nsenter", "-t", pid, "-n", "iptables", "-I", *rule], check=True)


def fault_under_load(fleet, site, fault, extra_vars, recovers=True, mac_group=0xc1, peer="primary"):
    """Under holding clients: kill one peer's server (kill -9) or stop it
    (systemctl stop), and restart it DOWN_S later; or split the peers for
    SPLIT_S. The clients' events and the peers' bindings 5 s after the pair
    is back in its normal state."""
    down = fleet.hosts[list(SITES[site]["peers"])[0 if peer == "primary" else 1]]
    service = BACKENDS[site]["service"]
    run = fleet.play("dhcp_failover.yml", "--limit", "lab_site_%s" % site, *extra_vars)
    assert run.returncode == 0, run.stdout[-3000:]
    kept_before = down.run("ls /var/lib/dhcp").stdout.split() if site == "a" else []
    holders = Holders(SITES[site]["client"], mac_group)
    try:
        time.sleep(45)
        began = time.monotonic()
        if fault == "partition":
            for name in SITES[site]["peers"]:
                split(site, name)
            time.sleep(SPLIT_S)
            started = int(time.time())
            for name in SITES[site]["peers"]:
                split(site, name, heal=True)
            what = "peers split"
        else:
            command = "systemctl kill --signal=KILL %s" if fault == "kill" else "systemctl stop %s"
            assert down.run(command % service).rc == 0
            time.sleep(DOWN_S)
            started = int(time.time())
            # On Debian the unit generated from dhcpd's init script stays
            # "active (exited)" after dhcpd died: the operator restarts it.
            assert down.run("systemctl restart %s" % service).rc == 0
            what = "%s down (%s)" % (peer, fault)
        back = time.monotonic()
        healed = time.time()
        if site == "a" and fault != "partition":
            journal = down.run("journalctl -u %s --since @%d --no-pager -o cat" % (service, started - 2)).stdout
            if recovers:
                verdict = re.search(r"netboot-dhcpd-leases: down (\d+) s, \d+ lease\(s\) of this copy ended meanwhile "
                                    r".* starting from an empty lease file", journal)
                assert verdict and int(verdict.group(1)) >= DOWN_S - 1, journal[-2000:]
                # This fault's copy kept aside (an earlier round's may be there too).
                kept = [f for f in down.run("ls /var/lib/dhcp").stdout.split() if f not in kept_before]
                assert any(f.startswith("dhcpd.leases.before-recover.") for f in kept), kept
        normal = wait_pair(fleet, site, started - 2)
        # A moment after the pair is back: what the two databases say of the
        # addresses clients hold then (stale expiries arrive at once).
        time.sleep(5)
        snapshot = {"t": time.time(), "bindings": bindings(fleet, site), "healed": healed}
        report("site %s: %s %.0f s; back to its normal state %.0f s after" % (site, what, back - began, normal - back))
        time.sleep(40)
    finally:
        events = holders.stop()
    return events, snapshot


def outcome(fleet, site, events, snapshot):
    """What the clients and the two databases show after a fault."""
    acks = [e for e in events if e["event"] == "ack"]
    end = max(e["t"] for e in events)
    time.sleep(3)  # the clients have stopped: the last updates reach the other peer
    final = bindings(fleet, site)
    first, second = (final[p] for p in SITES[site]["peers"])
    return {
        "clients": len({e["mac"] for e in acks}), "acks": len(acks),
        "naks": len([e for e in events if e["event"] == "nak"]),
        "twice": handed_twice(events),
        "at_resync": held_by_neither(events, snapshot["t"], snapshot["bindings"]),
        "at_end": not_held_by_both(events, end, final),
        "disagree": conflicts(first, second),
        "waits": first_lease_waits(events, snapshot["healed"]),
        "snapshot": snapshot["bindings"], "final": final,
    }


def describe(what, out):
    waits = [w for w in out["waits"] if w is not None]
    return ("%s: %d clients, %d ACKs, %d NAKs; handed to two clients: %d; held but active on neither peer 5 s "
            "after the pair was back: %d; held but not active on both at the end: %d; peers disagreeing: %d; "
            "clients new since: %d, longest wait for a first lease %.1f s, %d never served" % (
                what, out["clients"], out["acks"], out["naks"], len(out["twice"]), len(out["at_resync"]),
                len(out["at_end"]), len(out["disagree"]), len(out["waits"]), max(waits or [0]), out["waits"].count(None)))


def check_nothing_lost(out):
    assert out["clients"] > 40, out["clients"]
    assert out["twice"] == [], out["twice"]
    assert out["at_resync"] == [], [(ip, {n: b.get(ip) for n, b in out["snapshot"].items()}) for ip in out["at_resync"]]
    assert out["at_end"] == [], [(ip, {n: b.get(ip) for n, b in out["final"].items()}) for ip in out["at_end"]]
    assert out["disagree"] == [], out["disagree"]


def restore(fleet, site):
    """The lab's own description again, and the server running on both peers."""
    for name in SITES[site]["peers"]:
        split(site, name, heal=True)
    run = fleet.play("dhcp_failover.yml", "--limit", "lab_site_%s" % site)
    assert run.returncode == 0, run.stdout[-3000:]


def control(fleet):
    """The ISC crash with the start check off (not a test: run by hand,
    docs/operations.md has its figures)."""
    try:
        events, snapshot = fault_under_load(fleet, "a", "kill", short_timers(
            "a", "-e", "dhcpd_failover_recover_after=86400"), recovers=False, mac_group=0xc2)
        out = outcome(fleet, "a", events, snapshot)
        report(describe("site a: crash of the primary, start check off", out))
        return out
    finally:
        restore(fleet, "a")


@pytest.fixture(scope="module", autouse=True)
def lab_description_afterwards(fleet):
    """The lab's own description on both sites once this module's faults are
    done (each round applies its short timers itself, so the rounds in
    between need no restore)."""
    yield
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for result in [pool.submit(restore, fleet, site) for site in SITES]:
            result.result()


def at_both_sites(fleet, sites, run_site):
    """RUN_SITE(site) for each site at the same time (the sites are separate
    pairs on separate networks, as an organisation's are); a site that
    failed is restored at once. Returns {site: its result}, or fails naming
    every site that failed."""
    def one(site):
        try:
            return run_site(site)
        except BaseException:
            restore(fleet, site)
            raise

    with concurrent.futures.ThreadPoolExecutor(len(sites)) as pool:
        futures = {site: pool.submit(one, site) for site in sites}
        concurrent.futures.wait(futures.values())
    failed = {site: f.exception() for site, f in futures.items() if f.exception() is not None}
    for site, error in failed.items():
        report("site %s failed: %s" % (site, str(error)[:2000]))
    assert not failed, {site: "%s: %s" % (type(e).__name__, str(e)[:1500]) for site, e in failed.items()}
    return {site: f.result() for site, f in futures.items()}


# Each fault at both sites at once (ISC at site A, Kea at site B), except a
# clean stop of the primary, which only ISC dhcpd treats apart (its
# shutdown moves its state to shut-down, which its partner reads).
@pytest.mark.parametrize("peer,fault,sites", [("primary", "kill", "ab"), ("secondary", "stop", "ab"), ("primary", "stop", "a")])
def test_a_peer_down_longer_than_its_leases_comes_back_and_nothing_is_lost(fleet, peer, fault, sites):
    """One peer's server is killed (kill -9) or stopped cleanly (systemctl
    stop) while clients hold and renew leases, stays down 75 s (longer than
    the 60 s leases: every lease of its copy ends meanwhile, the partner
    renews them), and is restarted. ISC: the start check moves the peer's
    copy aside and dhcpd recovers its partner's database. Kea: the
    restarted server syncs its leases from its partner. No address was held
    by two clients, none that a client held was active on neither peer just
    after the pair was back, every one held at the end is active on both
    peers, and the two databases agree. (The ISC crash with the start check
    off, control() above: 2 addresses held by two clients, 9 active on
    neither peer, in the run of 2026-12-03.)"""
    group = {("a", "primary", "kill"): 0xc1, ("a", "primary", "stop"): 0xc3, ("a", "secondary", "stop"): 0xc5,
             ("b", "primary", "kill"): 0xd1, ("b", "secondary", "stop"): 0xd5}

    def run_site(site):
        events, snapshot = fault_under_load(fleet, site, fault, short_timers(site), mac_group=group[(site, peer, fault)],
                                            peer=peer)
        out = outcome(fleet, site, events, snapshot)
        report(describe("site %s: %s down (%s)" % (site, peer, fault), out))
        check_nothing_lost(out)

    at_both_sites(fleet, list(sites), run_site)


def test_a_split_between_the_peers_loses_nothing_and_new_clients_are_served_after_it(fleet):
    """The HA channel between the two peers is cut for 75 s (every TCP packet
    between them dropped, in both peers' network namespaces) while clients
    hold and renew leases and new ones arrive, then let through again:
    nothing is handed out twice or lost, and every client that arrived after
    the split got a lease (the longest wait is reported). Both sites, at
    the same time, with auto_partner_down: 0, the setting that keeps a peer
    from taking over its partner's share while the partner is alive
    (docs/kea.md): Kea's auto-failover, on by default, handed 10.7.45.1 to
    two clients in the fresh-clone CI run of 2026-12-03 (7 NAKs), as the
    issue's fault injection had found (2 to 5)."""
    def run_site(site):
        events, snapshot = fault_under_load(fleet, site, "partition", short_timers(site, pool_size=250, auto_partner_down=0),
                                            mac_group=0xc4 + (0x10 if site == "b" else 0))
        out = outcome(fleet, site, events, snapshot)
        report(describe("site %s: split of the peers" % site, out))
        check_nothing_lost(out)
        assert out["waits"] and out["waits"].count(None) == 0, out["waits"]

    at_both_sites(fleet, ["a", "b"], run_site)
