"""playbooks/render.yml on the two example inventories: files on the
controller, identical to the golden configs, accepted by dhcpd -t."""

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import COLLECTIONS
from tests.unit.helpers import ROOT, assert_dhcpd_accepts

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
    run = render("example", tmp_path, "-vvv", "-e", __import__("json").dumps(extra))
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
    assert "Not on the controller, so not checked here" in output and "/etc/dhcp/hosts-extra.conf" in output


def test_render_playbook_reports_unknown_variables(tmp_path):
    run = render("example", tmp_path, "-e", '{"dhcpd_statment": ["log-facility local7"]}')
    assert run.returncode != 0
    assert "dhcpd_statment: unknown variable (did you mean 'dhcpd_statements'?)" in run.stdout + run.stderr
