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
        env=env, capture_output=True, text=True, timeout=300,
    )


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
