"""The operator playbooks: report the failover state, and put the surviving
peer into partner-down through OMAPI when its partner is gone. Runs last:
it leaves the pair in partner-down."""

import json

from conftest import PEERS, SERVICE

OMAPI = {"dhcpd_omapi": {"key_name": "omapi_key", "key_secret": "bGFiLW9tYXBpLXNlY3JldC1ub3QtZm9yLXByb2R1Y3Rpb24="}}
DDNS_SECRET = "bGFiLWRkbnMtdHNpZy1zZWNyZXQtbm90LWZvci1wcm9kdWN0aW9u"
KEYS = dict(OMAPI, dhcpd_ddns={
    "style": "interim", "updates": True, "domain_name": "lab.example.com",
    "keys": [{"name": "ddns-key", "secret": DDNS_SECRET}],
    "zones": [{"name": "lab.example.com", "primary": "10.4.7.7", "key": "ddns-key"}],
})
SECRETS = (OMAPI["dhcpd_omapi"]["key_secret"], DDNS_SECRET)


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
    # Keys (OMAPI and DDNS) never show, at -vvv, in a check run with --diff or a real run.
    check = lab.play("dhcp_failover.yml", "--check", "--diff", "-vvv", "-e", json.dumps(KEYS))
    assert check.returncode == 0, check.stdout[-3000:]
    converge = lab.play("dhcp_failover.yml", "-vvv", "-e", json.dumps(KEYS))
    assert converge.returncode == 0, converge.stdout[-3000:]
    for run in (check, converge):
        for secret in SECRETS:
            assert secret not in run.stdout + run.stderr
    for peer in PEERS:
        host = lab.hosts[peer]
        conf = host.file("/etc/dhcp/dhcpd.conf").content_string
        assert "omapi-port 7911;" in conf and 'include "/etc/dhcp/dhcpd.secrets.conf";' in conf
        assert not any(secret in conf for secret in SECRETS)
        keys = host.file("/etc/dhcp/dhcpd.secrets.conf")
        assert (keys.user, keys.group, keys.mode) == ("root", "root", 0o600)
        assert all(secret in keys.content_string for secret in SECRETS)
    assert lab.hosts["dhcp1"].run("systemctl stop %s" % SERVICE).rc == 0
    lab.wait_state("dhcp2", "communications-interrupted", timeout=30)
    run = lab.play("partner_down.yml", "-vvv", "-e", "partner_down_host=dhcp2", "-e", "partner_down_confirm=yes", "-e", json.dumps(KEYS))
    assert run.returncode == 0, run.stdout[-3000:]
    assert not any(secret in run.stdout + run.stderr for secret in SECRETS)
    assert lab.state("dhcp2")["my_state"] == "partner-down"
    offers = lab.probe("discover", mac="52:54:00:70:00:01", wait=3)
    assert offers and offers[0]["server_id"] == PEERS["dhcp2"]
