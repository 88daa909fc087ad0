"""Two pairs in one inventory, converged by one site.yml run (molecule's
converge): every peer carries its own pair's files and reaches its pair's
normal state, each site's clients are served by their own pair, and a change
to both sites under live probes leaves no client unanswered longer than a
first retransmission, and a secondary that fails leaves its primary alone."""

import json
import os
import random
import re
import subprocess
import time

from conftest import SITES
from dhcp_probe import IN_CONTAINER, run_in

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import parse_bindings, parse_state

# A client that gets no answer asks again after about 4 s (RFC 2131 4.1:
# retransmission delay of 4 s, then 8 s, ...).
MAX_GAP_S = 4.0


def test_every_peer_carries_its_own_pairs_files(fleet):
    for name, site in SITES.items():
        others = [s["net"] for n, s in SITES.items() if n != name]
        for peer, address in site["peers"].items():
            host = fleet.hosts[peer]
            if site["backend"] == "isc":
                text = host.file("/etc/dhcp/dhcpd.conf").content_string
                assert 'failover peer "site-%s" {' % name in text and "address %s;" % address in text
                assert "subnet %s0.0 netmask 255.255.0.0" % site["net"] in text
                assert host.service("isc-dhcp-server").is_running
                assert not host.service("kea-dhcp4-server").is_running
            else:
                # Kea reads the <?include?> of the HA password file; Python's json does not.
                text = host.file("/etc/kea/kea-dhcp4.conf").content_string
                conf = json.loads(text.replace('<?include "/etc/kea/netboot-ha-auth.json"?>', '"basic-auth-password": "x"'))
                ha = [h for h in conf["Dhcp4"]["hooks-libraries"] if "parameters" in h][0]["parameters"]["high-availability"][0]
                assert ha["this-server-name"] == peer
                assert [s["subnet"] for s in conf["Dhcp4"]["subnet4"]] == ["%s0.0/16" % site["net"]]
                text = json.dumps(conf)
                assert host.service("kea-dhcp4-server").is_running
                assert not host.service("isc-dhcp-server").is_running
            assert not any(o in text for o in others), "%s carries another site's addresses" % peer


def test_every_pair_is_in_its_normal_state(fleet):
    run = fleet.play("failover_state.yml")
    assert run.returncode == 0, run.stdout[-3000:]
    out = " ".join(run.stdout.split())
    for peer in SITES["a"]["peers"]:
        state = parse_state(fleet.hosts[peer].file("/var/lib/dhcp/dhcpd.leases").content_string, "site-a")
        assert (state["my_state"], state["partner_state"]) == ("normal", "normal"), (peer, state)
        assert "%s: my state normal, partner state normal (relationship site-a)" % peer in out
    for peer in SITES["b"]["peers"]:
        assert "%s: Kea HA state load-balancing" % peer in out


def test_each_sites_clients_are_served_by_their_own_pair(fleet):
    for site in SITES.values():
        seen = set()
        for n in range(12):
            offers = run_in(site["client"], "discover", "--mac", "52:54:00:f1:%02x:%02x" % (ord(site["net"][3]), n), "--wait", "2")
            assert offers, "no offer to client %d of %s" % (n, site["client"])
            for offer in offers:
                assert offer["server_id"] in site["peers"].values(), offer
                assert offer["yiaddr"].startswith(site["net"] + "45."), offer
                seen.add(offer["server_id"])
        # Both peers of the pair answer (load balancing splits the clients).
        assert seen == set(site["peers"].values()), seen


def test_verify_proves_each_pair_from_its_own_site(fleet):
    run = fleet.play("verify.yml")
    assert run.returncode == 0, run.stdout[-6000:]
    out = run.stdout
    assert "pair fa1/fa2" in out and "pair fb1/fb2" in out
    # Then each pair's state, and the ISC pair's two lease databases compared.
    assert "pair fa1/fa2: the two lease databases agree on every held address" in out, out[-4000:]
    assert "fb1: Kea HA state" in out and "fa2: my state normal, partner state normal" in out, out[-4000:]


def report(line):
    """A line for the lab's summary (tests/lab/run-lab.sh prints them at the end)."""
    print(line)
    with open(os.environ.get("LAB_REPORT", "/tmp/netboot-lab-report.txt"), "a") as fh:
        fh.write("fleet: " + line + "\n")


def test_a_change_to_both_sites_leaves_no_client_unanswered_longer_than_a_retransmission(fleet):
    lease_time = 600 + random.randint(1, 3000)
    watchers = {}
    for site in SITES.values():
        client = fleet.hosts[site["client"]]
        client.run("rm -f /tmp/watch.jsonl /tmp/watch.stop")
        watchers[site["client"]] = subprocess.Popen(
            ["podman", "exec", site["client"], "python3", IN_CONTAINER, "watch", "--duration", "400", "--interval", "0.5",
             "--wait", "2.5", "--secs", "4", "--out", "/tmp/watch.jsonl", "--stop-file", "/tmp/watch.stop"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(2)
        started = time.time()
        run = fleet.play("site.yml", "-e", "dhcpd_default_lease_time=%d" % lease_time)
        ended = time.time()
        assert run.returncode == 0, run.stdout[-6000:]
        time.sleep(2)
    finally:
        for name, proc in watchers.items():
            fleet.hosts[name].run("touch /tmp/watch.stop")
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.terminate()
                proc.wait(10)
    out = " ".join(run.stdout.split())
    assert "fa1/fa2 (isc): secondary fa2: changed; primary fa1: changed" in out
    assert "fb1/fb2 (kea): secondary fb2: changed; primary fb1: changed" in out
    report("one site.yml run changed both sites (4 peers, ISC and Kea) in %.1f s" % (ended - started))
    for site in SITES.values():
        lines = [json.loads(x) for x in fleet.hosts[site["client"]].file("/tmp/watch.jsonl").content_string.splitlines() if x.strip()]
        assert lines and lines[0]["t"] < started and lines[-1]["t"] > ended, "the probe did not cover the change"
        answered = [x["t"] for x in lines if x["servers"]]
        gaps = [b - a for a, b in zip(answered, answered[1:])]
        worst = max(gaps) if gaps else float("inf")
        report("%s: %d probes during the change, %d unanswered, longest time without an answer %.1f s" % (
            site["client"], len(lines), sum(1 for x in lines if not x["servers"]), worst))
        assert all(set(x["servers"]) <= set(site["peers"].values()) for x in lines)
        assert worst <= MAX_GAP_S, "%s: no peer answered for %.1f s during the change" % (site["client"], worst)
    for peer in SITES["a"]["peers"]:
        assert "default-lease-time %d;" % lease_time in fleet.hosts[peer].file("/etc/dhcp/dhcpd.conf").content_string
    for peer in SITES["b"]["peers"]:
        assert '"valid-lifetime": %d' % lease_time in fleet.hosts[peer].file("/etc/kea/kea-dhcp4.conf").content_string


DROP_IN = "/etc/systemd/system/isc-dhcp-server.service.d/zz-test-fault.conf"


def service_entered(host, service):
    """When the service last entered 'active' (monotonic, microseconds)."""
    return int(host.run("systemctl show -p ActiveEnterTimestampMonotonic --value %s" % service).stdout.strip() or 0)


def test_a_secondary_that_does_not_come_back_leaves_its_primary_untouched(fleet):
    """fa2's dhcpd cannot start again (a unit drop-in whose ExecStartPre fails,
    as a broken host would), while one option changes on both sites. Its
    primary fa1 must keep its files and keep running; with
    dhcp_fleet_stop_on_failure=false the other site completes, with the
    default (true) the other site's primary waits too."""
    fa1, fa2 = fleet.hosts["fa1"], fleet.hosts["fa2"]
    before = {"fa1": fa1.file("/etc/dhcp/dhcpd.conf").content_string,
              "fb1": fleet.hosts["fb1"].file("/etc/kea/kea-dhcp4.conf").content_string}
    entered = service_entered(fa1, "isc-dhcp-server")
    fa2.run("mkdir -p %s && printf '[Service]\\nExecStartPre=/bin/false\\n' > %s && systemctl daemon-reload"
            % (os.path.dirname(DROP_IN), DROP_IN))
    try:
        runs = {}
        for stop in ("false", "true"):
            lease_time = 600 + random.randint(1, 3000)
            runs[stop] = fleet.play("dhcp_failover.yml", "-e", "dhcpd_default_lease_time=%d" % lease_time,
                                    "-e", "dhcp_fleet_stop_on_failure=%s" % stop)
            assert runs[stop].returncode != 0, runs[stop].stdout[-3000:]
            out = " ".join(runs[stop].stdout.split())
            assert "fa1/fa2 (isc): secondary fa2: FAILED" in out, out[-3000:]
            assert "primary fa1: left untouched: its secondary fa2 failed" in out, out[-3000:]
            assert fa1.file("/etc/dhcp/dhcpd.conf").content_string == before["fa1"]
            assert service_entered(fa1, "isc-dhcp-server") == entered, "fa1 was restarted"
            assert fa1.service("isc-dhcp-server").is_running
            if stop == "false":
                assert "fb1/fb2 (kea): secondary fb2: changed; primary fb1: changed" in out, out[-3000:]
                fb1_conf = fleet.hosts["fb1"].file("/etc/kea/kea-dhcp4.conf").content_string
                assert '"valid-lifetime": %d' % lease_time in fb1_conf
            else:
                assert "fb1/fb2 (kea): secondary fb2: changed; primary fb1: left untouched: the secondary fa2 of " \
                       "another pair failed (dhcp_fleet_stop_on_failure)" in out, out[-3000:]
                assert fleet.hosts["fb1"].file("/etc/kea/kea-dhcp4.conf").content_string == fb1_conf
        # fa1 kept answering its site's clients throughout.
        offers = run_in(SITES["a"]["client"], "discover", "--wait", "4", "--secs", "4")
        assert SITES["a"]["peers"]["fa1"] in [o["server_id"] for o in offers], offers
        report("a failed secondary (fa2) left its primary fa1 untouched and serving; "
               "dhcp_fleet_stop_on_failure=false let site B complete, true held site B's primary")
    finally:
        fa2.run("rm -f %s && systemctl daemon-reload" % DROP_IN)
        restore = fleet.play("dhcp_failover.yml")
    assert restore.returncode == 0, restore.stdout[-3000:]
    for peer in SITES["a"]["peers"]:
        assert "default-lease-time 600;" in fleet.hosts[peer].file("/etc/dhcp/dhcpd.conf").content_string


def test_the_pre_flight_of_both_backends_refuses_a_clock_off_the_controllers(fleet):
    """The containers share the machine's clock, so a skew cannot be made
    here; an allowance below any real offset (-1 s) stands for one. The ISC
    and the Kea peers are each refused with the clock named and the fix, and
    nothing is changed."""
    expected = {
        "lab_site_a": "dhcpd refuses a peer more than 60 s apart",
        "lab_site_b": "Kea's HA hook ends HA (state terminated) when the partners' clocks are more than 60 s apart",
    }
    for site, words in expected.items():
        run = fleet.play("dhcp_check.yml", "--limit", site, "-e", "dhcpd_max_clock_skew=-1")
        assert run.returncode != 0, run.stdout[-3000:]
        out = " ".join(run.stdout.split())
        assert re.search(r"'s clock is -?\d+ s off the controller's", out), out[-3000:]
        assert words in out, out[-3000:]
        assert not re.search(r"changed=[1-9]", run.stdout.split("PLAY RECAP")[-1]), run.stdout[-2000:]


def test_a_lease_folder_without_room_is_refused_before_any_restart_and_reported(fleet):
    """A margin larger than any lab disk (dhcpd_lease_min_free_mib) stands for
    a full lease folder, which the containers cannot mount: the pre-flight of
    both backends refuses with the folder, its free space and the fix, and
    changes nothing; failover_state.yml reports the ISC peers' folders."""
    huge = "dhcpd_lease_min_free_mib=%d" % (1 << 30)
    folders = {"lab_site_a": "/var/lib/dhcp", "lab_site_b": "/var/lib/kea"}
    for site, folder in folders.items():
        run = fleet.play("dhcp_failover.yml", "--limit", site, "-e", huge, "-e", "dhcpd_default_lease_time=777")
        assert run.returncode != 0, run.stdout[-3000:]
        out = " ".join(run.stdout.split())
        assert re.search(r"'s lease folder %s has [\d.]+ MiB free, [\d.]+ MiB short" % folder, out), out[-3000:]
        assert "Free space there first" in out
        assert not re.search(r"changed=[1-9]", run.stdout.split("PLAY RECAP")[-1]), run.stdout[-2000:]
    for peer in SITES["a"]["peers"]:
        assert "default-lease-time 777;" not in fleet.hosts[peer].file("/etc/dhcp/dhcpd.conf").content_string
    state = fleet.play("failover_state.yml", "--limit", "lab_site_a", "-e", huge)
    assert state.returncode != 0, state.stdout[-3000:]
    out = " ".join(state.stdout.split())
    assert re.search(r"fa1: my state normal, partner state normal .* its folder [\d.]+ MiB free", out), out[-3000:]
    assert "dhcpd cannot record leases once it is full" in out, out[-3000:]
    # With the default margin the same playbook passes.
    assert fleet.play("failover_state.yml", "--limit", "lab_site_a").returncode == 0


def test_failover_state_names_an_address_the_two_peers_disagree_on(fleet):
    """A lease both ISC peers hold as active, then fa2's copy turned to
    backup (stopped, its entry appended with the other state, started again,
    as a peer that came back with a stale database is left; dhcpd reads it
    back as backup or free): failover_state.yml names the address and which
    peer holds what; with fa2's copy put back, it reports the pair in
    agreement."""
    peers = {name: fleet.hosts[name] for name in SITES["a"]["peers"]}
    leases = "/var/lib/dhcp/dhcpd.leases"
    result = run_in(SITES["a"]["client"], "dora", "--mac", "52:54:00:f1:c0:01", "--wait", "3")
    assert result["ack"] and result["ack"]["type"] == "ACK", result
    address = result["ack"]["yiaddr"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        states = {n: parse_bindings(h.file(leases).content_string).get(address) for n, h in peers.items()}
        if set(states.values()) == {"active"}:
            break
        time.sleep(0.5)
    assert set(states.values()) == {"active"}, states
    good = last_entry(peers["fa2"].file(leases).content_string, address)
    stale = good.replace("binding state active;", "binding state backup;")
    try:
        restart_with(fleet, peers["fa2"], leases, stale)
        # (dhcpd, reading it back, may keep it as backup or make it free: either may be handed out again.)
        stale_state = parse_bindings(peers["fa2"].file(leases).content_string)[address]
        assert stale_state in ("backup", "free"), stale_state
        run = fleet.play("failover_state.yml", "--limit", "lab_site_a")
        out = " ".join(run.stdout.split())
        assert run.returncode != 0, out[-3000:]
        assert "pair fa1/fa2: 1 address(es) held as active by one peer are free or backup on the other" in out, out[-3000:]
        assert "%s (active on fa1, %s on fa2)" % (address, stale_state) in out, out[-3000:]
        report("failover_state.yml named %s, active on fa1 and %s on fa2" % (address, stale_state))
    finally:
        restart_with(fleet, peers["fa2"], leases, good)
    run = fleet.play("failover_state.yml", "--limit", "lab_site_a")
    assert run.returncode == 0, run.stdout[-3000:]
    assert "pair fa1/fa2: the two lease databases agree on every held address" in run.stdout


def last_entry(text, address):
    """The last lease entry of ADDRESS in a dhcpd lease file (the one in force)."""
    entries = re.findall(r"^lease %s \{.*?^\}" % re.escape(address), text, re.S | re.M)
    assert entries, address
    return entries[-1]


def restart_with(fleet, host, leases, entry, timeout=90):
    """Stop dhcpd on HOST, append ENTRY to its lease file, start it, and wait
    until the pair is back in normal: a state record written since the stop
    (the partner writes one when it loses and finds HOST again; HOST itself
    goes back to normal without writing one), both saying normal."""
    assert host.run("systemctl stop isc-dhcp-server").rc == 0
    started = int(time.time())
    quoted = "'" + entry.replace("'", "'\"'\"'") + "'"
    assert host.run("printf '%%s\\n' %s >> %s" % (quoted, leases)).rc == 0
    assert host.run("systemctl start isc-dhcp-server").rc == 0
    deadline = time.monotonic() + timeout
    while True:
        states = [parse_state(fleet.hosts[p].file(leases).content_string, "site-a") for p in SITES["a"]["peers"]]
        fresh = max(max(s["my_since"] or 0, s["partner_since"] or 0) for s in states) >= started - 2
        if fresh and all(s["my_state"] == "normal" and s["partner_state"] == "normal" for s in states):
            return
        assert time.monotonic() < deadline, states
        time.sleep(1)
