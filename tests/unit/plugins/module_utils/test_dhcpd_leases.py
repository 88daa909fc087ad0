"""The start check of a failover peer (plugins/module_utils/dhcpd_leases.py):
when a peer that comes back starts from an empty lease file, and what it
keeps. The decision is a pure function; the command is run as systemd runs
it, against files in a temporary folder and a partner that is a socket this
test listens on (loopback only)."""

import os
import socket
import subprocess
import sys
import time

from tests.helpers import ROOT
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import (
    decide, parse_leases, replace_lease_file, stale_leases)

TOOL = os.path.join(ROOT, "plugins", "module_utils", "dhcpd_leases.py")
NOW = 1796300000  # 2026-12-03 (epoch seconds)

CONF = """failover peer "site-a" {
  primary;
  address 10.6.7.9;
  port 647;
  peer address %s;
  peer port %d;
  max-response-delay 30;
  mclt 30;
  split 128;
}
"""


def leases(my_state="normal", ends=(NOW - 100, NOW + 100)):
    stamp = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(NOW - 3600))
    text = ('failover peer "site-a" state {\n  my state %s at 4 %s;\n  partner state normal at 4 %s;\n}\n'
            % (my_state, stamp, stamp))
    for i, end in enumerate(ends):
        text += ("lease 10.6.45.%d {\n  starts epoch %d;\n  ends epoch %d; # comment\n  binding state active;\n"
                 "  next binding state expired;\n}\n" % (10 + i, end - 60, end))
    text += "lease 10.6.45.99 {\n  ends never;\n  binding state free;\n}\n"
    return text


def never_called(address, port):
    raise AssertionError("the partner was asked though it did not matter")


def test_the_copy_is_replaced_only_after_a_long_outage_in_normal_with_leases_ended_and_the_partner_up():
    def up(address, port):
        return (address, port) == ("10.6.7.210", 647)

    conf = CONF % ("10.6.7.210", 647)
    replace, why = decide(conf, leases(), NOW, NOW - 300, 60, up)
    assert replace, why
    assert "down 300 s, 1 lease(s) of this copy ended meanwhile (10.6.45.10)" in why
    assert "partner 10.6.7.210:647 served" in why
    # Each condition missing keeps the file.
    assert decide("ddns-update-style none;\n", leases(), NOW, NOW - 300, 60, never_called) == (
        False, "no failover peer in the configuration")
    assert decide(conf, leases(), NOW, NOW - 5, 60, never_called) == (False, "down 5 s, less than 60 s")
    assert decide(conf, leases(my_state="partner-down"), NOW, NOW - 300, 60, never_called) == (
        False, "my state partner-down: the lease file is kept")
    assert decide(conf, leases(ends=(NOW + 100,)), NOW, NOW - 300, 60, never_called) == (
        False, "no lease of this copy ended while dhcpd was down")

    def down(address, port):
        return False

    replace, why = decide(conf, leases(), NOW, NOW - 300, 60, down)
    assert not replace and "does not answer: this copy may be the only one, kept" in why
    # communications-interrupted is a state the copy is replaced from too.
    assert decide(conf, leases(my_state="communications-interrupted"), NOW, NOW - 300, 60, up)[0]


def test_stale_means_active_and_ended_in_the_last_entry_of_each_address():
    text = leases(ends=(NOW - 100, NOW + 100, NOW - 5))
    # A later entry for 10.6.45.10 frees it: no longer stale.
    text += "lease 10.6.45.10 {\n  ends epoch %d;\n  binding state free;\n}\n" % (NOW - 100)
    parsed = parse_leases(text)
    assert parsed["10.6.45.99"] == {"state": "free", "ends": None}
    assert stale_leases(parsed, NOW) == ["10.6.45.12"]
    # The weekday form dhcpd writes by default (UTC).
    dated = "lease 10.6.45.7 {\n  ends 4 2026/12/03 09:00:00;\n  binding state active;\n}\n"
    assert parse_leases(dated)["10.6.45.7"]["ends"] == 1796288400


def test_the_old_file_is_kept_with_its_owner_and_mode_and_three_copies_at_most(tmp_path):
    path = tmp_path / "dhcpd.leases"
    for n in range(5):
        path.write_text("copy %d\n" % n)
        os.chmod(path, 0o640)
        aside = replace_lease_file(str(path), NOW + n)
        assert open(aside).read() == "copy %d\n" % n
        assert path.read_text() == "" and (os.stat(path).st_mode & 0o777) == 0o640
    copies = sorted(p.name for p in tmp_path.iterdir() if p.name != "dhcpd.leases")
    assert copies == ["dhcpd.leases.before-recover.%d" % (NOW + n) for n in (2, 3, 4)]


def run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, check=True).stdout


def test_the_command_replaces_the_file_when_the_partner_answers_and_keeps_it_when_not(tmp_path):
    now = int(time.time())
    lease_file, stamp, conf = tmp_path / "dhcpd.leases", tmp_path / "stopped", tmp_path / "dhcpd.conf"
    text = leases(ends=(now - 90,)).replace("at 4 ", "at 4 ")
    lease_file.write_text(text)
    old = now - 120
    os.utime(lease_file, (old, old))
    # No dhcpd runs in this test's cgroup: "stopping" notes nothing.
    run_tool("stopping", "--stamp", str(stamp))
    assert not stamp.exists()
    stamp.write_text("%d\n" % old)
    os.utime(stamp, (old, old))
    with socket.socket() as partner:
        partner.bind(("127.0.0.1", 0))
        partner.listen(1)
        port = partner.getsockname()[1]
        conf.write_text(CONF % ("127.0.0.1", port))
        args = ["start-check", "--config", str(conf), "--leases", str(lease_file), "--stamp", str(stamp), "--after", "60"]
        out = run_tool(*args, "--dry-run")
        assert out.startswith("netboot-dhcpd-leases: (dry run) down 12") and lease_file.read_text() == text
        out = run_tool(*args)
        assert "starting from an empty lease file" in out and lease_file.read_text() == ""
        kept = [p for p in tmp_path.iterdir() if ".before-recover." in p.name]
        assert len(kept) == 1 and kept[0].read_text() == text and str(kept[0]) in out
    # The partner gone: the file is kept.
    lease_file.write_text(text)
    os.utime(lease_file, (old, old))
    out = run_tool(*args)
    assert "does not answer" in out and lease_file.read_text() == text
    # A restart (dhcpd stopped just now, as "stopping" notes) never replaces it.
    stamp.write_text("%d\n" % int(time.time()))
    out = run_tool(*args)
    assert "less than 60 s" in out and lease_file.read_text() == text
