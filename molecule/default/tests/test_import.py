"""playbooks/import.yml against the lab's running pair, over SSH with
become: the description it writes, put in place of the lab's own, changes
nothing on the next site.yml (the same files, no restart)."""

import os
import shutil
import subprocess

import yaml
from conftest import LAB, PEERS, ROOT

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import TOP_KEYS


def snapshot(lab):
    return {p: (lab.hosts[p].file("/etc/dhcp/dhcpd.conf").sha256sum, lab.service_time(p)) for p in PEERS}


def test_the_imported_lab_pair_converges_back_with_no_change(lab, tmp_path):
    before = snapshot(lab)
    run = lab.play("import.yml", "-e", "import_dir=%s" % (tmp_path / "imported"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    # The smallest group that holds both peers.
    written = tmp_path / "imported" / "group_vars" / "dhcp_servers" / "dhcp.yml"
    imported = yaml.safe_load(written.read_text())
    assert "Not said by this description" not in written.read_text()
    assert imported["dhcpd_failover"]["primary"]["host"] == "dhcp1" and imported["dhcpd_pxe"]["next_server"] == "self"
    for peer, role in (("dhcp1", "primary"), ("dhcp2", "secondary")):
        assert "/etc/dhcp/dhcpd.conf (%s): " % role in run.stdout
    assert run.stdout.count("0 in another scope, 0 not said; the rendering adds 0") == 2, run.stdout[-3000:]

    # The lab's inventory with the imported description in place of its own.
    inventory = tmp_path / "inventory"
    shutil.copytree(LAB, inventory)
    own = inventory / "group_vars" / "all" / "dhcp.yml"
    settings = {k: v for k, v in yaml.safe_load(own.read_text()).items() if k not in TOP_KEYS}
    own.write_text(yaml.safe_dump(settings))
    (inventory / "group_vars" / "dhcp_servers").mkdir()
    shutil.copy(written, inventory / "group_vars" / "dhcp_servers" / "dhcp.yml")
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="false")
    again = subprocess.run(["ansible-playbook", "-i", str(inventory), os.path.join(ROOT, "playbooks", "site.yml")],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-2000:]
    recap = again.stdout.split("PLAY RECAP")[-1]
    for peer in PEERS:
        [line] = [x for x in recap.splitlines() if x.startswith(peer + " ")]
        assert "changed=0" in line, recap
    assert snapshot(lab) == before
