"""dhcp_pools and dhcp_pool_report: the pools of a description, and a pair's
report from both peers' counts of real lease files (tests/status)."""

import copy
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcp_pool_report import dhcp_pool_report
from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcp_pools import dhcp_pools
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.pool_status import count, pool_status, read_kea_leases

from tests.helpers import ROOT
from tests.integration.test_pool_status_live import description

FILES = os.path.join(ROOT, "tests", "status")
DESC = description("b1", "b2")
FIRST = "dhcpd_subnets[0].pools[0]"


def peer(name, role, host, now=1796000000.0):
    result = pool_status(dhcp_pools(DESC, role=role), os.path.join(FILES, name + ".leases"), "pair-b1", role)
    return {"host": host, "status": dict(result, now=now)}


def kinds(report):
    return sorted((f["kind"], f["pool"]) for f in report["flags"])


def test_pools_name_their_variable_and_who_serves_them():
    plan = dhcp_pools(DESC)
    assert plan["failover"] == "pair-b1"
    assert [(p["id"], p["subnet"], p["ranges"], p["size"], p["served_by"]) for p in plan["pools"]] == [
        (FIRST, "10.77.0.0/24", [["10.77.0.100", "10.77.0.109"]], 10, "both"),
        ("dhcpd_subnets[1].pools[0]", "10.78.0.0/24", [["10.78.0.100", "10.78.0.119"]], 20, "both")]


def test_a_pool_served_by_one_peer_is_counted_on_that_peer_only():
    desc = copy.deepcopy(DESC)
    desc["dhcpd_subnets"][1]["pools"][0].update(failover=False, served_by="secondary")
    assert [p["id"] for p in dhcp_pools(desc, role="primary")] == [FIRST]
    assert len(dhcp_pools(desc, role="secondary")) == 2
    standalone = {k: v for k, v in DESC.items() if k != "dhcpd_failover"}
    assert {p["served_by"] for p in dhcp_pools(standalone)["pools"]} == {"standalone"}


def test_bad_descriptions_are_refused_naming_the_variable():
    desc = copy.deepcopy(DESC)
    desc["dhcpd_subnets"][0]["pools"][0]["range"] = "10.99.0.1 10.99.0.9"
    with pytest.raises(AnsibleFilterError, match=r"dhcpd_subnets\[0\]\.pools\[0\]\.range"):
        dhcp_pools(desc)
    with pytest.raises(AnsibleFilterError, match="role must be"):
        dhcp_pools(DESC, role="tertiary")
    with pytest.raises(AnsibleFilterError, match="result of dhcp_pools"):
        dhcp_pool_report([], {})


def test_a_healthy_pair_has_no_flag_and_both_peers_side_by_side():
    report = dhcp_pool_report(dhcp_pools(DESC), {"primary": peer("normal-primary", "primary", "b1"),
                                                 "secondary": peer("normal-secondary", "secondary", "b2")})
    assert report["flags"] == [] and report["skew"] == 0
    row = report["rows"][0]
    assert (row["peers"]["primary"]["active"], row["peers"]["secondary"]["active"]) == (4, 4)
    assert report["lines"][0].split()[3:] == ["primary", "b1", "secondary", "b2"]
    assert report["lines"][-1] == "no flag"


def test_a_peer_left_with_none_of_its_own_is_flagged_with_the_fix():
    """The alone primary's first pool after three more clients: one free
    address of its own left (no flag); after one more, none (flagged)."""
    alone = peer("alone-primary", "primary", "b1")
    report = dhcp_pool_report(dhcp_pools(DESC), {"primary": alone})
    assert ("free_on_one_peer", FIRST) not in kinds(report)
    assert ("failover", None) in kinds(report)
    row = next(r for r in alone["status"]["pools"] if r["id"] == FIRST)
    row.update(active=row["active"] + 1, used=row["used"] + 1, free=0, own_free=0)
    report = dhcp_pool_report(dhcp_pools(DESC), {"primary": alone})
    flag = next(f for f in report["flags"] if f["kind"] == "free_on_one_peer")
    assert flag["pool"] == FIRST and "b1 (the primary)" in flag["message"] and "holds all 2" in flag["message"]
    assert "peer holds all free leases" in flag["message"] and "max-balance" in flag["fix"]
    assert "communications-interrupted" in next(f["message"] for f in report["flags"] if f["kind"] == "failover")


def test_utilisation_and_clock_flags_follow_their_thresholds():
    peers = {"primary": peer("alone-primary", "primary", "b1", now=1796000000.0),
             "secondary": peer("normal-secondary", "secondary", "b2", now=1796000045.0)}
    # The first pool: 7 of 10 in use on the primary.
    assert ("utilisation", FIRST) in kinds(dhcp_pool_report(dhcp_pools(DESC), peers, threshold=0.6))
    assert ("utilisation", FIRST) not in kinds(dhcp_pool_report(dhcp_pools(DESC), peers, threshold=0.7))
    report = dhcp_pool_report(dhcp_pools(DESC), peers, max_skew=30)
    assert report["skew"] == -45 and ("clock_skew", None) in kinds(report)
    assert ("clock_skew", None) not in kinds(dhcp_pool_report(dhcp_pools(DESC), peers, max_skew=60))


def test_a_peer_without_the_relationship_in_its_lease_file_is_flagged():
    empty = {"host": "b2", "status": pool_status(dhcp_pools(DESC, role="secondary"), "/nonexistent/dhcpd.leases", "pair-b1", "secondary")}
    report = dhcp_pool_report(dhcp_pools(DESC), {"primary": peer("normal-primary", "primary", "b1"), "secondary": empty})
    assert any(f["kind"] == "failover" and "b2 (the secondary) has no state" in f["message"] for f in report["flags"])


def kea_peer(role, host, ha):
    """A Kea server's figures from its real lease file, with the HA state as
    status-get gives it (load-balancing: each server leases from its half)."""
    states = read_kea_leases([os.path.join(FILES, "kea-%s-leases4.csv" % role)], 1796374500)
    failover = dict({"found": True, "my_since": None, "partner_since": None, "mode": "load-balancing"}, **ha)
    pools = count(dhcp_pools(DESC, role=role), states, role, "kea", ha["my_state"] == "load-balancing")
    return {"host": host, "status": {"pools": pools, "failover": failover, "backend": "kea", "now": 1796374500.0}}


LB = {"my_state": "load-balancing", "partner_state": "load-balancing", "partner_in_touch": True, "healthy": True}


def test_a_kea_server_whose_half_is_full_is_flagged_with_the_kea_fix():
    report = dhcp_pool_report(dhcp_pools(DESC), {"primary": kea_peer("primary", "k1", LB), "secondary": kea_peer("secondary", "k2", LB)})
    assert kinds(report) == [("free_on_one_peer", FIRST), ("utilisation", FIRST)]
    flag = report["flags"][1] if report["flags"][1]["kind"] == "free_on_one_peer" else report["flags"][0]
    assert "k1 (the primary)" in flag["message"] and "its half" in flag["message"] and "ALLOC_ENGINE_V4_ALLOC_FAIL_CLASSES" in flag["message"]
    assert "peer holds all free leases" not in flag["message"] and "widen the range" in flag["fix"]
    assert any(line.startswith("failover pair-b1 on k1: my state load-balancing") for line in report["lines"])


def test_a_kea_server_out_of_its_mode_or_out_of_touch_is_flagged():
    down = dict(LB, my_state="partner-down", partner_state="unavailable", partner_in_touch=False, healthy=False)
    report = dhcp_pool_report(dhcp_pools(DESC), {"primary": kea_peer("primary", "k1", down)})
    failover = [f for f in report["flags"] if f["kind"] == "failover"]
    assert len(failover) == 1 and "its HA state is partner-down, not load-balancing" in failover[0]["message"]
    assert "serves every client alone" in failover[0]["fix"]
    # Alone, the primary serves its partner's half too: not one-sided.
    assert ("free_on_one_peer", FIRST) not in kinds(report)
    lost = dict(LB, partner_in_touch=False, healthy=False)
    report = dhcp_pool_report(dhcp_pools(DESC), {"primary": kea_peer("primary", "k1", lost)})
    assert any("its partner is not in touch" in f["message"] for f in report["flags"])
