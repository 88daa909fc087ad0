"""playbooks/render.yml on the two example inventories: files on the
controller, identical to the golden configs, accepted by dhcpd -t."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import COLLECTIONS
from tests.helpers import ROOT, assert_dhcpd_accepts

# ansible-playbook of the Python running the tests (the project's venv).
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
if not os.path.exists(PLAYBOOK):
    PLAYBOOK = shutil.which("ansible-playbook") or "ansible-playbook"


def render(inventory, render_dir, *extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_FORCE_COLOR="false")
    return subprocess.run(
        [PLAYBOOK, "-i", os.path.join(ROOT, "inventories", inventory),
         os.path.join(ROOT, "playbooks", "render.yml"), "-e", "render_dir=%s" % render_dir, *extra],
        env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("inventory", ["example", "example-primary-only"])
def test_render_playbook_writes_checked_configs(inventory, tmp_path):
    run = render(inventory, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for host, role in (("dhcp1.example.com", "primary"), ("dhcp2.example.com", "secondary")):
        with open(tmp_path / host / "dhcpd.conf") as fh:
            text = fh.read()
        with open(os.path.join(ROOT, "tests", "golden", "%s-%s.conf" % (inventory, role))) as fh:
            assert text == fh.read()
        assert_dhcpd_accepts(text)


def test_render_playbook_refuses_bad_input_naming_the_variable(tmp_path):
    run = render("example", tmp_path,
                 "-e", '{"dhcpd_pxe": {"next_server": "dhcp1.example.com", "boot_files": {"uefi_x64": "http://x/shim.efi"}}}')
    assert run.returncode != 0
    assert "dhcpd_pxe.boot_files.uefi_x64: a PXE boot file is a path on the TFTP server, not a URL" in run.stdout + run.stderr
    assert not (tmp_path / "dhcp1.example.com").exists()


SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0MTI="
DDNS_SECRET = "ZGRucy1zZWNyZXQtZm9yLXRoZS1yZW5kZXItdGVzdA=="


def test_render_playbook_keeps_keys_secret_at_vvv(tmp_path):
    """Keys go to an owner-only file next to dhcpd.conf, and never into the output, even at -vvv."""
    extra = {
        "dhcpd_omapi": {"key_name": "omapi_key", "key_secret": SECRET},
        "dhcpd_ddns": {
            "style": "interim",
            "domain_name": "example.com",
            "keys": [{"name": "ddns", "secret": DDNS_SECRET}],
            "zones": [{"name": "example.com", "primary": "10.4.7.7", "key": "ddns"}],
        },
        "dhcpd_includes": ["/etc/dhcp/hosts-extra.conf"],
    }
    run = render("example", tmp_path, "-vvv", "-e", json.dumps(extra))
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert SECRET not in output and DDNS_SECRET not in output
    for host in ("dhcp1.example.com", "dhcp2.example.com"):
        conf = (tmp_path / host / "dhcpd.conf").read_text()
        secrets = tmp_path / host / "dhcpd.secrets.conf"
        assert SECRET not in conf and DDNS_SECRET not in conf
        assert 'include "/etc/dhcp/dhcpd.secrets.conf";' in conf
        assert SECRET in secrets.read_text() and DDNS_SECRET in secrets.read_text()
        assert oct(secrets.stat().st_mode & 0o777) == "0o600"
    # The user's include is not on the controller: said, not silently skipped.
    assert "Included files are never read on the controller" in output and "/etc/dhcp/hosts-extra.conf" in output


def test_kea_render_writes_kea_dhcp_ddns_conf_that_includes_its_keys_and_never_shows_them(tmp_path):
    """With dhcp_backend kea, dhcpd_ddns gives each server a kea-dhcp-ddns.conf
    whose TSIG keys are an include of the host's owner-only keys file: the
    secret is neither in the files written for review nor in the output at
    -vvv."""
    extra = {
        "dhcp_backend": "kea",
        "dhcpd_ddns": {
            "style": "standard",
            "domain_name": "example.com",
            "keys": [{"name": "ddns", "secret": DDNS_SECRET}],
            "zones": [{"name": "example.com", "primary": "10.4.7.7", "key": "ddns"},
                      {"name": "7.4.10.in-addr.arpa", "primary": "10.4.7.7", "key": "ddns"}],
        },
    }
    run = render("example", tmp_path, "-vvv", "-e", json.dumps(extra), "-e", "kea_ha_auth_password=render-test")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert DDNS_SECRET not in output
    for host in ("dhcp1.example.com", "dhcp2.example.com"):
        written = {p.name: p.read_text() for p in (tmp_path / host).iterdir()}
        assert "kea-dhcp-ddns.conf" in written, sorted(written)
        assert all(DDNS_SECRET not in text for text in written.values())
        d2 = written["kea-dhcp-ddns.conf"]
        assert '"tsig-keys": <?include "/etc/kea/netboot-ddns-keys.json"?>' in d2
        # Nothing else in it but JSON (with the include as a list, it parses).
        parsed = json.loads(d2.replace('<?include "/etc/kea/netboot-ddns-keys.json"?>', "[]"))
        assert [d["name"] for d in parsed["DhcpDdns"]["reverse-ddns"]["ddns-domains"]] == ["7.4.10.in-addr.arpa."]
        assert d2.endswith("}\n") and not d2.endswith("\n\n")
        dhcp4 = written["kea-dhcp4.conf"]
        assert '"ddns-qualifying-suffix": "example.com."' in dhcp4 and '"enable-updates": true' in dhcp4


def test_render_playbook_reports_unknown_variables(tmp_path):
    run = render("example", tmp_path, "-e", '{"dhcpd_statment": ["log-facility local7"]}')
    assert run.returncode != 0
    assert "dhcpd_statment: unknown variable (did you mean 'dhcpd_statements'?)" in run.stdout + run.stderr


@pytest.mark.parametrize("where", ["global", "subnet", "class"])
def test_a_render_for_review_runs_nothing_a_description_asks_for(where, tmp_path):
    """dhcpd runs a global execute() whenever it reads the file, dhcpd -t
    included: the render refuses it, naming the variable, and the program
    never runs (the marker file is never created)."""
    marker = tmp_path / "ran"
    statement = 'execute ("/usr/bin/touch", "%s")' % marker
    if where == "global":
        extra, name = {"dhcpd_statements": [statement]}, "dhcpd_statements[0]"
    elif where == "subnet":
        extra = {"dhcpd_subnets": [{"network": "10.4.0.0/16", "statements": ['set x = execute("/usr/bin/touch", "%s")' % marker]}]}
        name = "dhcpd_subnets[0].statements[0]"
    else:
        extra = {"dhcpd_classes": [{"name": "c", "match": 'EXECUTE("/usr/bin/touch", "%s") = 0' % marker}]}
        name = "dhcpd_classes[0].match"
    run = render("example", tmp_path / "out", "-e", json.dumps(extra))
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    assert name in output and "runs a program (execute)" in output, output[-3000:]
    assert not marker.exists()
    assert not (tmp_path / "out" / "dhcp1.example.com" / "dhcpd.conf").exists()


def test_execute_inside_a_quoted_string_is_only_text(tmp_path):
    run = render("example", tmp_path, "-e", json.dumps({"dhcpd_statements": ['log (info, "execute (nothing)")']}))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert 'log (info, "execute (nothing)");' in (tmp_path / "dhcp1.example.com" / "dhcpd.conf").read_text()
