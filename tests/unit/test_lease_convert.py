"""The lease files of ISC dhcpd and Kea read and written (plugins/module_utils/lease_convert.py):
the forms each server writes, what is carried and what is not. The live test
(tests/integration/test_lease_switch_live.py) proves the files with the real servers."""

import os
import subprocess
import tempfile

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.lease_convert import (
    INFINITE, held, kea_subnets, read_isc, read_kea, read_kea_config, write_isc, write_kea)

from tests.helpers import DHCPD

NOW = 1796330000
ISC = """# The format of this file is documented in the dhcpd.leases(5) manual page.
authoring-byte-order little-endian;

lease 10.4.45.10 {
  starts 3 2026/12/02 10:00:00;
  ends 3 2026/12/02 10:10:00;
  binding state active;
  hardware ethernet 52:54:00:00:00:01;
}
lease 10.4.45.10 {
  starts epoch %(start)d;
  ends epoch %(end)d;
  cltt epoch %(start)d;
  binding state active;
  next binding state free;
  hardware ethernet 52:54:00:00:00:01;
  uid "\\001RT\\000\\000\\000\\001";
  client-hostname "pc, one";
}
lease 10.4.45.11 {
  starts epoch %(start)d;
  ends never;
  binding state active;
  hardware ethernet 52:54:00:00:00:02;
  uid 01:52:54:00:00:00:02;
}
lease 10.4.45.12 {
  starts epoch %(start)d;
  ends epoch %(end)d;
  binding state free;
  hardware ethernet 52:54:00:00:00:03;
}
lease 10.4.45.13 {
  starts epoch %(old)d;
  ends epoch %(old)d;
  binding state active;
  hardware ethernet 52:54:00:00:00:04;
}
lease 10.9.0.5 {
  starts epoch %(start)d;
  ends epoch %(end)d;
  binding state active;
  hardware ethernet 52:54:00:00:00:05;
}
""" % {"start": NOW - 60, "end": NOW + 540, "old": NOW - 3600}
CONFIG = {"Dhcp4": {"subnet4": [{"id": 1, "subnet": "10.4.0.0/16"}], "shared-networks": [{"subnet4": [{"id": 7, "subnet": "10.8.0.0/24"}]}]}}


def test_dhcpd_leases_to_kea_rows():
    leases, skipped = held(read_isc(ISC), NOW)
    assert [lease["address"] for lease in leases] == ["10.4.45.10", "10.4.45.11", "10.9.0.5"]
    assert skipped == {"free": 1, "ended": 1}
    first = leases[0]
    assert first["client_id"] == b"\x01RT\x00\x00\x00\x01" and first["hostname"] == "pc, one"
    assert first["cltt"] == NOW - 60 and first["ends"] == NOW + 540
    assert leases[1]["client_id"] == bytes.fromhex("01525400000002") and leases[1]["ends"] is None
    assert kea_subnets(CONFIG) == [(__import__("ipaddress").IPv4Network("10.4.0.0/16"), 1), (__import__("ipaddress").IPv4Network("10.8.0.0/24"), 7)]
    text, outside = write_kea(leases, kea_subnets(CONFIG))
    assert outside == ["10.9.0.5"]
    lines = text.splitlines()
    assert lines[0] == "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"
    assert lines[1] == "10.4.45.10,52:54:00:00:00:01,01:52:54:00:00:00:01,600,%d,1,0,0,pc&#x2c one,0," % (NOW + 540)
    assert lines[2].startswith("10.4.45.11,52:54:00:00:00:02,01:52:54:00:00:00:02,%d," % INFINITE)
    # Read back as Kea's own file: the same leases.
    again = read_kea([text])
    assert again["10.4.45.10"]["hostname"] == "pc, one" and again["10.4.45.10"]["ends"] == NOW + 540


def test_the_kea_configuration_is_read_with_its_includes_and_comments():
    text = """// kea-dhcp4.conf as the collection writes it
{"Dhcp4": {"hooks-libraries": [{"parameters": {"high-availability": [{"peers": [
    {"auto-failover": true,
     <?include "/etc/kea/netboot-ha-auth.json"?>,
     "name": "dhcp1"}]}]}}],
  # a comment
  "subnet4": [{"id": 3, "subnet": "10.4.0.0/16"}]}}
"""
    assert [sid for dummy, sid in kea_subnets(read_kea_config(text))] == [3]


def test_kea_rows_to_dhcpd_leases_that_dhcpd_reads():
    header = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n"
    older = header + "10.4.45.20,52:54:00:00:00:20,,600,%d,1,0,0,,0,\n" % (NOW + 100)
    newer = header + ("10.4.45.20,52:54:00:00:00:20,,600,%d,1,0,0,twenty,0,\n"   # renewed: the last row wins
                      "10.4.45.21,52:54:00:00:00:21,,0,%d,1,0,0,,0,\n"          # valid_lifetime 0: deleted
                      "10.4.45.22,,,86400,%d,1,0,0,,1,\n"                       # declined
                      "10.4.45.23,52:54:00:00:00:23,01:02:03,600,%d,1,0,0,,0,\n") % (NOW + 500, NOW, NOW + 80000, NOW + 300)
    leases, skipped = held(read_kea([older, newer]), NOW)
    assert [lease["address"] for lease in leases] == ["10.4.45.20", "10.4.45.23"]
    assert skipped == {"deleted": 1, "declined": 1}
    text = write_isc(leases, NOW, failover_name="dhcp-failover")
    back = read_isc(text)
    assert back["10.4.45.20"]["hostname"] == "twenty" and back["10.4.45.20"]["ends"] == NOW + 500
    assert back["10.4.45.23"]["client_id"] == b"\x01\x02\x03"
    assert 'failover peer "dhcp-failover" state {' in text and "my state normal at" in text
    # dhcpd itself reads it (-T: load the lease file and write it again), with a configuration of that failover peer.
    conf = """failover peer "dhcp-failover" { primary; address 127.0.0.1; peer address 127.0.0.2; mclt 60; split 128; }
subnet 10.4.0.0 netmask 255.255.0.0 { pool { failover peer "dhcp-failover"; range 10.4.45.1 10.4.45.250; } }
"""
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in (("dhcpd.conf", conf), ("dhcpd.leases", text)):
            with open(os.path.join(tmp, name), "w") as fh:
                fh.write(body)
        run = subprocess.run([DHCPD, "-4", "-T", "-cf", os.path.join(tmp, "dhcpd.conf"), "-lf", os.path.join(tmp, "dhcpd.leases"),
                              "-pf", os.path.join(tmp, "pid")], capture_output=True, text=True, timeout=30, check=False)
    out = run.stdout + run.stderr
    # dhcpd -T exits 0 even for a corrupt file: what it says is the test.
    assert run.returncode == 0 and "Corrupt" not in out and "Wrote 2 leases to leases file." in out, out
