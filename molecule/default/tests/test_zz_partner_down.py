"""The operator playbooks: report the failover state, and put the surviving
peer into partner-down through OMAPI when its partner is gone. Runs last:
it leaves the pair in partner-down."""

import json

from conftest import PEERS, SERVICE

OMAPI = {"dhcpd_omapi": {"key_name": "omapi_key", "key_secret": "bGFiLW9tYXBpLXNlY3JldC1ub3QtZm9yLXByb2R1Y3Rpb24="}}


def test_failover_state_playbook_reports_both_peers(lab):
    run = lab.play("failover_state.yml")
    assert run.returncode == 0, run.stdout[-3000:]
    for peer in PEERS:
        assert "%s: my state normal, partner state normal" % peer in run.stdout


def test_partner_down_needs_confirmation(lab):
    run = lab.play("partner_down.yml", "-e", "partner_down_host=dhcp2", "-e", json.dumps(OMAPI))
    assert run.returncode != 0 and "partner_down_confirm=yes" in run.stdout + run.stderr
    assert lab.state("dhcp2")["my_state"] == "normal"


def test_partner_down_through_omapi(lab):
    converge = lab.play("dhcp_failover.yml", "-e", json.dumps(OMAPI))
    assert converge.returncode == 0, converge.stdout[-3000:]
    assert "omapi-port 7911;" in lab.hosts["dhcp2"].file("/etc/dhcp/dhcpd.conf").content_string
    # The key never shows in the play's output.
    assert OMAPI["dhcpd_omapi"]["key_secret"] not in converge.stdout
    assert lab.hosts["dhcp1"].run("systemctl stop %s" % SERVICE).rc == 0
    lab.wait_state("dhcp2", "communications-interrupted", timeout=30)
    run = lab.play("partner_down.yml", "-e", "partner_down_host=dhcp2", "-e", "partner_down_confirm=yes", "-e", json.dumps(OMAPI))
    assert run.returncode == 0, run.stdout[-3000:]
    assert OMAPI["dhcpd_omapi"]["key_secret"] not in run.stdout
    assert lab.state("dhcp2")["my_state"] == "partner-down"
    offers = lab.probe("discover", mac="52:54:00:70:00:01", wait=3)
    assert offers and offers[0]["server_id"] == PEERS["dhcp2"]
