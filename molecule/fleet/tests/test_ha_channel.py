"""The Kea pair's HA channel admits only the partner: each Kea Control Agent
(through which the partner's HA commands go, and which takes every other Kea
command) asks for the pair's user and password, kept in owner-only files on
the peers and never shown by a run, even at -vvv with --diff."""

import re

import kea_ctl
from conftest import SITES

PEERS = SITES["b"]["peers"]


def test_a_host_that_is_not_the_partner_cannot_command_kea(fleet):
    client = fleet.hosts[SITES["b"]["client"]]
    leases = "/var/lib/kea/kea-leases4.csv"
    stolen = {"ip-address": "10.7.45.77", "hw-address": "52:54:00:ba:d0:01"}
    for peer, address in PEERS.items():
        # No credentials, or wrong ones: 401, and nothing happens.
        for credentials in (None, ("kea-ha", "guess"), ("admin", kea_ctl.password())):
            status, answer = kea_ctl.send(client, address, "lease4-add", stolen, credentials=credentials)
            assert status == 401, (peer, credentials and credentials[0], status, answer)
            status, answer = kea_ctl.send(client, address, "config-get", credentials=credentials)
            assert status == 401, (peer, status)
        assert "10.7.45.77" not in fleet.hosts[peer].file(leases).content_string
        # The pair's credentials are the fence, not the network: with them the
        # same host gets an answer (a read-only command).
        status, answer = kea_ctl.send(client, address, "ha-heartbeat")
        assert status == 200 and answer["result"] == 0, (status, answer)
        # ... and the pair is still load-balancing: the partners' own channel works.
        assert answer["arguments"]["state"] == "load-balancing", answer


def test_the_password_is_in_owner_only_files_and_never_in_the_output(fleet):
    password = kea_ctl.password()
    for peer in PEERS:
        host = fleet.hosts[peer]
        conf = host.file("/etc/kea/kea-dhcp4.conf")
        assert password not in conf.content_string
        assert conf.content_string.count('<?include "/etc/kea/netboot-ha-auth.json"?>') == 2
        assert password not in host.file("/etc/kea/kea-ctrl-agent.conf").content_string
        for path in ("/etc/kea/netboot-ha-auth.json", "/etc/kea/netboot-ha-password"):
            f = host.file(path)
            assert (f.user, f.group, oct(f.mode)) == ("root", "_kea", "0o640"), path
            assert password in f.content_string
    # A check run with diff at -vvv, and a real change of site B at -vvv:
    # neither shows the password anywhere (task arguments, results, diffs).
    check = fleet.play("dhcp_failover.yml", "--limit", "lab_site_b", "--check", "--diff", "-vvv",
                       "-e", "dhcpd_default_lease_time=888")
    assert check.returncode == 0, check.stdout[-3000:]
    assert password not in check.stdout
    assert "valid-lifetime" in check.stdout  # the diff was shown
    change = fleet.play("dhcp_failover.yml", "--limit", "lab_site_b", "-vvv", "-e", "dhcpd_default_lease_time=888")
    try:
        assert change.returncode == 0, change.stdout[-3000:]
        assert password not in change.stdout
        assert re.search(r"fb1/fb2 \(kea\): secondary fb2: changed; primary fb1: changed", " ".join(change.stdout.split()))
    finally:
        restore = fleet.play("dhcp_failover.yml", "--limit", "lab_site_b")
    assert restore.returncode == 0, restore.stdout[-3000:]
    assert password not in restore.stdout
