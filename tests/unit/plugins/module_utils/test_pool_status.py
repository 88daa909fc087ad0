"""The pool counts of dhcp_pool_status, on lease files written by a real
dhcpd failover pair and a real Kea HA pair (tests/status/README.md says how
they were made)."""

import ipaddress
import os

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import parse_bindings, parse_state
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.pool_status import (
    count, kea_ha_status, pool_status, read_kea_leases, read_leases, textfile)
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._pool_report import peer_pools, pool_plan

from tests.helpers import ROOT
from tests.integration.test_pool_status_live import description

FILES = os.path.join(ROOT, "tests", "status")
PLAN = pool_plan(description("b1", "b2"))
FIRST, RELAYED = "dhcpd_subnets[0].pools[0]", "dhcpd_subnets[1].pools[0]"


def status(name, role):
    return pool_status(peer_pools(PLAN, role), os.path.join(FILES, name + ".leases"), "pair-b1", role)


def by_id(result):
    return {row["id"]: row for row in result["pools"]}


@pytest.mark.parametrize("name", ["normal-primary", "normal-secondary", "alone-primary"])
def test_the_streaming_reader_agrees_with_the_whole_file_reader(name):
    """Line by line (any file size) and the failover_state module's reader
    (the whole text at once) find the same last binding of every address
    and the same failover state."""
    with open(os.path.join(FILES, name + ".leases")) as fh:
        text = fh.read()
    states, failover = read_leases(text.splitlines(), "pair-b1")
    whole = parse_bindings(text)
    assert {str(ipaddress.IPv4Address(a)): s for a, s in states.items()} == whole
    assert failover == parse_state(text, "pair-b1")
    # Every address of both pools is in the file: dhcpd writes a lease for each at its start.
    assert len(whole) == 30


def test_both_peers_in_normal_count_the_same_leases_and_each_its_own_share():
    primary, secondary = by_id(status("normal-primary", "primary")), by_id(status("normal-secondary", "secondary"))
    for rows in (primary, secondary):
        first = rows[FIRST]
        assert (first["size"], first["active"], first["free"] + first["backup"], first["unrecorded"]) == (10, 4, 6, 0)
        assert first["utilisation"] == 0.4
        assert (rows[RELAYED]["size"], rows[RELAYED]["active"], rows[RELAYED]["free"], rows[RELAYED]["backup"]) == (20, 0, 10, 10)
    # The primary hands out free leases, the secondary backup ones.
    assert (primary[FIRST]["own_free"], primary[FIRST]["partner_free"]) == (primary[FIRST]["free"], primary[FIRST]["backup"])
    assert (secondary[FIRST]["own_free"], secondary[FIRST]["partner_free"]) == (secondary[FIRST]["backup"], secondary[FIRST]["free"])


def test_a_primary_alone_uses_only_its_own_share():
    result = status("alone-primary", "primary")
    assert (result["failover"]["my_state"], result["failover"]["partner_state"]) == ("communications-interrupted", "normal")
    first = by_id(result)[FIRST]
    before = by_id(status("normal-primary", "primary"))[FIRST]
    # Three more clients: all from the primary's free share; its partner's backup share is untouched.
    assert first["active"] == before["active"] + 3
    assert first["free"] == before["free"] - 3 and first["backup"] == before["backup"]


def test_a_missing_lease_file_counts_every_address_as_unrecorded(tmp_path):
    result = pool_status(peer_pools(PLAN, "primary"), str(tmp_path / "none.leases"), "pair-b1", "primary")
    assert result["lease_file_size"] == 0 and not result["failover"]["found"]
    assert [(r["unrecorded"], r["used"]) for r in result["pools"]] == [(10, 0), (20, 0)]


def test_given_back_and_unknown_states_are_not_in_use():
    lines = ("lease 10.77.0.100 {\n  binding state active;\n}\nlease 10.77.0.100 {\n  binding state released;\n"
             "  next binding state free;\n}\nlease 10.77.0.101 {\n  binding state abandoned;\n}\n"
             "lease 10.77.0.102 {\n  binding state reset;\n}\nlease 10.9.9.9 {\n  binding state active;\n}\n").splitlines()
    states = read_leases(lines)[0]
    row = count(peer_pools(PLAN, "primary"), states, "primary")[0]
    assert (row["active"], row["expired"], row["abandoned"], row["unrecorded"], row["used"]) == (0, 2, 1, 7, 1)


def test_the_textfile_holds_every_figure_with_the_pair_and_peer():
    text = textfile(status("alone-primary", "primary"), "b1/b2", "b1", 1796000000)
    assert 'netboot_dhcp_pool_own_free{pair="b1/b2",peer="b1",pool="%s",subnet="10.77.0.0/24"} 1' % FIRST in text
    assert 'netboot_dhcp_pool_addresses{pair="b1/b2",peer="b1",pool="%s",subnet="10.77.0.0/24",state="active"} 7' % FIRST in text
    assert 'netboot_dhcp_failover_normal{pair="b1/b2",peer="b1"} 0' in text
    assert 'netboot_dhcp_status_timestamp_seconds{pair="b1/b2",peer="b1"} 1796000000' in text
    # One HELP and one TYPE line per metric, each sample line a metric name.
    names = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(names) == len(set(names)) and all(line.split("{")[0] in names for line in text.splitlines() if not line.startswith("#"))


# The Kea pair's files were written at about this moment (each lease 600 s).
KEA_NOW = 1796374500


def kea_rows(role, now=KEA_NOW, halves=True, files=None):
    files = files or [os.path.join(FILES, "kea-%s-leases4.csv" % role)]
    return {row["id"]: row for row in count(peer_pools(PLAN, role), read_kea_leases(files, now), role, "kea", halves)}


def test_kea_rows_count_by_their_last_state_and_each_server_its_own_half():
    """The primary's file: its half (100-104) full, then on the secondary's
    half one lease deleted, one declined and one ended (lease4-del,
    lease4-update); the secondary's file has all ten active."""
    first = kea_rows("primary")[FIRST]
    assert (first["size"], first["active"], first["free"], first["abandoned"], first["expired"], first["unrecorded"]) == (10, 7, 1, 1, 1, 0)
    assert first["used"] == 8 and first["halves"]["primary"] == [["10.77.0.100", "10.77.0.104"]]
    # New clients of the primary get nothing though two addresses of the secondary's half are free (one ended).
    assert (first["own_free"], first["partner_free"]) == (0, 2)
    second = kea_rows("secondary")[FIRST]
    assert (second["active"], second["own_free"], second["partner_free"]) == (10, 0, 0)
    # Alone (partner-down) or in hot-standby a server leases from the whole pool.
    assert (kea_rows("primary", halves=False)[FIRST]["own_free"], kea_rows("primary", halves=False)[FIRST]["partner_free"]) == (2, 0)
    # Ten minutes later every lease has ended (Kea reclaims them): nothing in use.
    later = kea_rows("primary", now=KEA_NOW + 700)[FIRST]
    assert (later["active"], later["expired"], later["abandoned"], later["own_free"], later["partner_free"]) == (0, 8, 1, 5, 4)


def test_kea_files_left_by_the_lease_file_cleanup_are_read_first(tmp_path):
    """Rows split over FILE.1 (older) and FILE (newer) count as the one file."""
    with open(os.path.join(FILES, "kea-primary-leases4.csv")) as fh:
        header, *rows = fh.read().splitlines()
    (tmp_path / "leases4.csv.1").write_text("\n".join([header] + rows[:10]) + "\n")
    (tmp_path / "leases4.csv").write_text("\n".join([header] + rows[10:]) + "\n")
    result = pool_status(peer_pools(PLAN, "primary"), str(tmp_path / "leases4.csv"), role="primary", backend="kea", now=KEA_NOW)
    assert by_id(result)[FIRST] == dict(kea_rows("primary", halves=False)[FIRST])
    assert result["lease_file_size"] == sum(os.path.getsize(tmp_path / n) for n in ("leases4.csv.1", "leases4.csv"))


def test_a_kea_control_socket_that_does_not_answer_is_said_not_raised(tmp_path):
    result = pool_status(peer_pools(PLAN, "primary"), str(tmp_path / "none.csv"), role="primary", backend="kea",
                         control_socket=str(tmp_path / "kea4.sock"))
    assert result["failover"]["found"] is False and "kea4.sock" in result["failover"]["error"]
    assert [(r["unrecorded"], r["own_free"]) for r in result["pools"]] == [(10, 10), (20, 20)]
    with pytest.raises(OSError):
        kea_ha_status(str(tmp_path / "kea4.sock"))


def test_the_kea_textfile_says_the_ha_state():
    status = {"pools": list(kea_rows("primary").values()), "backend": "kea", "lease_file_size": 1,
              "failover": {"found": True, "my_state": "partner-down", "partner_state": None, "mode": "load-balancing",
                           "partner_in_touch": False, "healthy": False}}
    text = textfile(status, "k1/k2", "k1", 1796000000)
    assert 'netboot_dhcp_failover_normal{pair="k1/k2",peer="k1"} 0' in text
    assert 'netboot_dhcp_failover_state_info{pair="k1/k2",peer="k1",my_state="partner-down",partner_state=""} 1' in text
    assert 'netboot_dhcp_pool_partner_free{pair="k1/k2",peer="k1",pool="%s",subnet="10.77.0.0/24"} 2' % FIRST in text
