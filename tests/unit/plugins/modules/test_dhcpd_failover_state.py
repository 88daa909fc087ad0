"""The lease-file reader behind dhcpd_failover_state (pure function), and
the module run as Ansible runs it (a JSON file of arguments) for its wait."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import COLLECTIONS
from tests.helpers import ROOT
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import parse_state

MODULE = os.path.join(ROOT, "plugins", "modules", "dhcpd_failover_state.py")

LEASES = """
failover peer "dhcp-failover" state {
  my state recover at 3 2026/11/25 19:20:59;
  partner state unknown-state at 3 2026/11/25 19:20:59;
  mclt 0;
}
lease 10.4.45.124 {
  starts 3 2026/11/25 19:21:00;
  binding state backup;
}
failover peer "other" state {
  my state partner-down at 3 2026/11/25 19:30:00;
  partner state communications-interrupted at 3 2026/11/25 19:29:00;
}
failover peer "dhcp-failover" state {
  my state normal at 3 2026/11/25 19:21:00;
  partner state normal at 3 2026/11/25 19:21:29;
  mclt 1800;
}
"""


def test_last_block_of_the_named_relationship_wins():
    st = parse_state(LEASES, "dhcp-failover")
    assert st["found"] and st["my_state"] == "normal" and st["partner_state"] == "normal"
    assert st["my_since"] == 1795634460 and st["partner_since"] == 1795634489


def test_other_relationship_and_epoch_format():
    assert parse_state(LEASES, "other")["my_state"] == "partner-down"
    st = parse_state('failover peer "x" state {\n  my state normal at epoch 1795634460;\n}\n', "x")
    assert st["my_since"] == 1795634460 and st["partner_state"] is None


def test_missing_relationship():
    assert parse_state(LEASES, "nope") == {"found": False, "my_state": None, "partner_state": None, "my_since": None, "partner_since": None}


def run_module(tmp_path, **args):
    argfile = tmp_path / "args.json"
    argfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    # The module imports the collection's module_utils, as Ansible ships them with it.
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    res = subprocess.run([sys.executable, MODULE, str(argfile)], capture_output=True, text=True, timeout=60, check=False,
                         env=env)
    return json.loads(res.stdout)


def state_block(mine, partner, at):
    return 'failover peer "dhcp-failover" state {\n  my state %s at epoch %d;\n  partner state %s at epoch %d;\n}\n' % (
        mine, at, partner, at)


def test_wait_returns_once_dhcpd_writes_normal_after_the_restart(tmp_path):
    """The module waits on the host: a lease file that says normal from
    before the restart keeps it waiting; the block dhcpd appends 1.5 s later
    ends the wait, in one module run."""
    leases = tmp_path / "dhcpd.leases"
    restart = int(time.time())
    leases.write_text(state_block("normal", "normal", restart - 600))

    def dhcpd_writes():
        time.sleep(1.5)
        with open(leases, "a") as fh:
            fh.write(state_block("normal", "normal", int(time.time())))

    writer = threading.Thread(target=dhcpd_writes)
    writer.start()
    out = run_module(tmp_path, name="dhcp-failover", lease_file=str(leases), wait_normal_since=restart - 5, wait_timeout=30)
    writer.join()
    assert not out.get("failed"), out
    assert out["my_state"] == out["partner_state"] == "normal"
    # It returned the block written after the restart, not the old one.
    assert out["partner_since"] >= restart


def test_wait_fails_after_the_timeout_naming_the_states(tmp_path):
    leases = tmp_path / "dhcpd.leases"
    leases.write_text(state_block("communications-interrupted", "unknown-state", int(time.time())))
    out = run_module(tmp_path, name="dhcp-failover", lease_file=str(leases), wait_normal_since=int(time.time()) - 5,
                     wait_timeout=1)
    assert out["failed"]
    assert "not back to normal 1 s after the restart (my state communications-interrupted, partner state unknown-state)" in out["msg"]


def test_without_wait_it_only_reads(tmp_path):
    """A peer not in normal state is reported, not waited for: the module
    does not fail without wait_normal_since."""
    leases = tmp_path / "dhcpd.leases"
    leases.write_text(state_block("communications-interrupted", "unknown-state", int(time.time())))
    out = run_module(tmp_path, name="dhcp-failover", lease_file=str(leases))
    assert out["my_state"] == "communications-interrupted" and out["partner_state"] == "unknown-state"
    assert not out.get("failed"), out


def test_a_full_lease_folder_is_reported_with_the_lease_file_s_size(tmp_path):
    """A real 1 MiB tmpfs as the lease folder (the unit tests run as root):
    the free space the module reports falls to 0 when the folder is full."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder = tmp_path / "dhcp"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], check=True)
    try:
        leases = folder / "dhcpd.leases"
        leases.write_text(LEASES)
        out = run_module(tmp_path, name="dhcp-failover", lease_file=str(leases))
        assert out["lease_file_size"] == len(LEASES.encode())
        assert 0 < out["lease_folder_free"] <= 1 << 20
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # ENOSPC: the folder is full
        finally:
            os.close(fd)
        out = run_module(tmp_path, name="dhcp-failover", lease_file=str(leases))
        assert out["lease_folder_free"] == 0 and out["my_state"] == "normal"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_bindings_are_the_last_entry_of_each_address_and_conflicts_are_named():
    from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import conflicts, parse_bindings

    text = (
        "lease 10.4.45.10 {\n  starts 4 2026/12/03 06:00:00;\n  binding state free;\n}\n"
        "lease 10.4.45.10 {\n  starts 4 2026/12/03 06:01:00;\n  binding state active;\n  next binding state free;\n}\n"
        "lease 10.4.45.11 {\n  binding state backup;\n}\n"
        + LEASES
    )
    mine = parse_bindings(text)
    assert mine["10.4.45.10"] == "active" and mine["10.4.45.11"] == "backup"
    theirs = dict(mine, **{"10.4.45.10": "free", "10.4.45.11": "active", "10.4.45.12": "active"})
    # Active on one and free or backup on the other; missing on one is not a conflict.
    assert conflicts(mine, theirs) == ["10.4.45.10", "10.4.45.11"]
    assert conflicts(mine, mine) == []
