"""The operator playbooks: report the failover state, and put the surviving
peer into partner-down through OMAPI when its partner is gone; then the
partner returns and recovers. Keys (OMAPI, DDNS) never show in any output.

Each test sets up what it needs and leaves the pair in normal state with the
lab's own description (fixtures), so the order of test modules is free."""

import json
import os

import pytest

from conftest import PEERS, SERVICE

OMAPI_SECRET = "bGFiLW9tYXBpLXNlY3JldC1ub3QtZm9yLXByb2R1Y3Rpb24="
DDNS_SECRET = "bGFiLWRkbnMtdHNpZy1zZWNyZXQtbm90LWZvci1wcm9kdWN0aW9u"
OMAPI = {"dhcpd_omapi": {"key_name": "omapi_key", "key_secret": OMAPI_SECRET}}
KEYS = dict(OMAPI, dhcpd_ddns={
    "style": "interim", "updates": True, "domain_name": "lab.example.com",
    "keys": [{"name": "ddns-key", "secret": DDNS_SECRET}],
    "zones": [{"name": "lab.example.com", "primary": "10.4.7.7", "key": "ddns-key"}],
})
SECRETS = (OMAPI_SECRET, DDNS_SECRET)
# A short MCLT, so that the returning partner's recovery (recover-wait lasts
# MCLT) fits in a test.
SHORT_MCLT = 45


def no_secret_in(run):
    text = run.stdout + run.stderr
    return not any(secret in text for secret in SECRETS)


@pytest.fixture(scope="module")
def pair_with_keys(lab):
    """The pair converged with OMAPI and DDNS keys (over SSH with become, at
    -vvv) and a short MCLT, for this module's tests; afterwards both peers
    run, in state normal, with the lab's own description again."""
    failover = dict(lab.vars["dhcpd_failover"], mclt=SHORT_MCLT)
    extra = json.dumps(dict(KEYS, dhcpd_failover=failover))
    check = lab.play("site.yml", "--check", "--diff", "-vvv", "-e", extra)
    assert check.returncode == 0, check.stdout[-3000:]
    converge = lab.play("site.yml", "-vvv", "-e", extra)
    assert converge.returncode == 0, converge.stdout[-3000:]
    lab.wait_state("dhcp1", "normal", "normal", timeout=120)
    lab.extra = extra
    yield lab, check, converge
    for peer in PEERS:
        lab.hosts[peer].run("systemctl start %s" % SERVICE)
    # A partner that returns to a peer in partner-down recovers first
    # (recover, recover-wait for MCLT, recover-done), then both are normal.
    lab.wait_state("dhcp1", "normal", "normal", timeout=SHORT_MCLT + 120)
    lab.wait_state("dhcp2", "normal", "normal", timeout=60)
    lab.converge_default()


def test_failover_state_playbook_reports_both_peers(lab):
    run = lab.play("failover_state.yml")
    assert run.returncode == 0, run.stdout[-3000:]
    for peer in PEERS:
        assert "%s: my state normal, partner state normal" % peer in run.stdout


def test_partner_down_needs_confirmation(lab):
    run = lab.play("partner_down.yml", "-e", "partner_down_host=dhcp2", "-e", json.dumps(OMAPI))
    assert run.returncode != 0 and "partner_down_confirm=yes" in run.stdout + run.stderr
    assert lab.state("dhcp2")["my_state"] == "normal"


def test_keys_never_show_and_stay_owner_only(pair_with_keys, tmp_path):
    lab, check, converge = pair_with_keys
    # site.yml in check mode with --diff and for real, both at -vvv.
    assert no_secret_in(check) and no_secret_in(converge)
    for peer in PEERS:
        host = lab.hosts[peer]
        conf = host.file("/etc/dhcp/dhcpd.conf")
        assert "omapi-port 7911;" in conf.content_string
        assert 'include "/etc/dhcp/dhcpd.secrets.conf";' in conf.content_string
        assert not any(secret in conf.content_string for secret in SECRETS)
        keys = host.file("/etc/dhcp/dhcpd.secrets.conf")
        assert (keys.user, keys.group, keys.mode) == ("root", "root", 0o600)
        assert all(secret in keys.content_string for secret in SECRETS)
        # No fact or file Ansible left behind holds a key.
        assert host.run("grep -rlF %s /home/netops /tmp /var/tmp /root 2>/dev/null" % OMAPI_SECRET).stdout == ""
    # render.yml on the controller, at -vvv: keys only in the 0600 file.
    render = lab.play("render.yml", "-vvv", "-e", "render_dir=%s" % tmp_path, "-e", lab.extra)
    assert render.returncode == 0, render.stdout[-3000:]
    assert no_secret_in(render)
    for peer in PEERS:
        keys = tmp_path / peer / "dhcpd.secrets.conf"
        assert os.stat(keys).st_mode & 0o777 == 0o600
        assert OMAPI_SECRET in keys.read_text()
        assert OMAPI_SECRET not in (tmp_path / peer / "dhcpd.conf").read_text()


def test_partner_down_through_omapi_then_the_partner_recovers(pair_with_keys):
    lab = pair_with_keys[0]
    assert lab.hosts["dhcp1"].run("systemctl stop %s" % SERVICE).rc == 0
    lab.wait_state("dhcp2", "communications-interrupted", timeout=30)
    run = lab.play("partner_down.yml", "-vvv", "-e", "partner_down_host=dhcp2", "-e", "partner_down_confirm=yes",
                   "-e", lab.extra)
    assert run.returncode == 0, run.stdout[-3000:]
    assert no_secret_in(run)
    assert lab.state("dhcp2")["my_state"] == "partner-down"
    offers = lab.probe("discover", mac="52:54:00:70:00:01", wait=3)
    assert offers and offers[0]["server_id"] == PEERS["dhcp2"]
