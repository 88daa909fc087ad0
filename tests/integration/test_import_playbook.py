"""playbooks/import.yml on an inventory of two pairs and a standalone server,
their running files on this machine (ansible_connection local, each host's
import_config_path a file of its own): one description per pair, written to
the pair's group; what renders from it is what runs; keys stay secret at
-vvv; the running files are not touched."""

import hashlib
import os
import shutil
import subprocess
import sys

import yaml

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._import import checked_copy

from tests.conftest import COLLECTIONS
from tests.helpers import ROOT

PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
if not os.path.exists(PLAYBOOK):
    PLAYBOOK = shutil.which("ansible-playbook") or "ansible-playbook"

OMAPI_SECRET = "b21hcGktc2VjcmV0LWZvci10aGUtaW1wb3J0LXRlc3Q="
DDNS_SECRET = "ZGRucy1zZWNyZXQtZm9yLXRoZS1pbXBvcnQtdGVzdA=="


def _load(path):
    with open(path) as fh:
        return yaml.safe_load(fh)


def site_a():
    """The golden open model with its keys: a pair with OMAPI, DDNS, classes, boot settings."""
    data = _load(os.path.join(ROOT, "tests", "golden", "open-model.yml"))
    data = {k: v for k, v in data.items() if k.startswith("dhcpd_")}
    data["dhcpd_omapi"]["key_secret"] = OMAPI_SECRET
    data["dhcpd_ddns"]["keys"][0]["secret"] = DDNS_SECRET
    data["dhcpd_includes"] = []
    # The pair's inventory hosts, as a site's inventory names them.
    data["dhcpd_failover"]["primary"]["host"], data["dhcpd_failover"]["secondary"]["host"] = "a1", "a2"
    return data


def write_hosts(tmp_path):
    """Each server's running files, as the collection (site A) or the site itself (site B, the user story) wrote them."""
    files, hosts = {}, {}
    description = site_a()
    for host, role in (("a1", "primary"), ("a2", "secondary")):
        secrets_path = str(tmp_path / host / "dhcpd.secrets.conf")
        (tmp_path / host).mkdir()
        (tmp_path / host / "dhcpd.conf").write_text(render_config(description, role, None, secrets_path=secrets_path))
        (tmp_path / host / "dhcpd.secrets.conf").write_text(render_config(description, role, None, part="secrets", secrets_path=secrets_path))
        os.chmod(secrets_path, 0o600)
    for host, role in (("b1", "primary"), ("b2", "secondary")):
        (tmp_path / host).mkdir()
        shutil.copy(os.path.join(ROOT, "tests", "import", "user-story-%s.conf" % role), tmp_path / host / "dhcpd.conf")
    (tmp_path / "c1").mkdir()
    (tmp_path / "c1" / "dhcpd.conf").write_text(render_config(_load(os.path.join(ROOT, "tests", "corpus", "ztp.yml"))["description"], "standalone", None))
    for host in ("a1", "a2", "b1", "b2", "c1"):
        hosts[host] = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                       "import_config_path": str(tmp_path / host / "dhcpd.conf")}
        for name in os.listdir(tmp_path / host):
            files[str(tmp_path / host / name)] = hashlib.sha256((tmp_path / host / name).read_bytes()).hexdigest()
    inventory = {"all": {"hosts": hosts, "children": {
        "site_a": {"hosts": {"a1": None, "a2": None}},
        "site_b": {"hosts": {"b1": None, "b2": None}},
        "site_c": {"hosts": {"c1": None}},
        "dhcp_everywhere": {"hosts": {"a1": None, "a2": None, "b1": None, "b2": None, "c1": None}},
        "dhcpd_primary": {"hosts": {"a1": None, "b1": None, "c1": None}},
        "dhcpd_secondary": {"hosts": {"a2": None, "b2": None}},
    }}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    return files


def run_import(tmp_path, *extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_FORCE_COLOR="false")
    return subprocess.run(
        [PLAYBOOK, "-i", str(tmp_path / "inventory.yml"), os.path.join(ROOT, "playbooks", "import.yml"),
         "-e", "import_dir=%s" % (tmp_path / "out"), *extra],
        env=env, capture_output=True, text=True, timeout=600, check=False)


def test_import_writes_one_description_per_pair_that_renders_what_runs(tmp_path):
    files = write_hosts(tmp_path)
    run = run_import(tmp_path, "-vvv")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    # Nothing on the hosts changed.
    for path, digest in files.items():
        with open(path, "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == digest, path
    # Keys are read (dhcpd needs them) but their secrets never leave the import.
    written = {p: (tmp_path / "out" / p).read_text() for p in ("group_vars/site_a/dhcp.yml", "group_vars/site_b/dhcp.yml", "host_vars/c1/dhcp.yml")}
    for text in list(written.values()) + [output]:
        assert OMAPI_SECRET not in text and DDNS_SECRET not in text
    assert sorted(os.listdir(tmp_path / "out" / "group_vars")) == ["site_a", "site_b"]

    # Site A converges back: the description renders exactly the running files.
    site = yaml.safe_load(written["group_vars/site_a/dhcp.yml"])
    assert site["dhcpd_omapi"]["key_secret"] == "{{ vault_dhcpd_key_omapi_key }}"
    assert site["dhcpd_failover"]["primary"]["host"] == "a1" and site["dhcpd_failover"]["secondary"]["host"] == "a2"
    for host, role in (("a1", "primary"), ("a2", "secondary")):
        secrets_path = str(tmp_path / host / "dhcpd.secrets.conf")
        running = (tmp_path / host / "dhcpd.conf").read_text()
        assert render_config(checked_copy(site), role, None, secrets_path=secrets_path) == running
    assert "vault_dhcpd_key_ddns_key: the secret of the key \"ddns-key\"" in written["group_vars/site_a/dhcp.yml"]

    # Site B, the user story: the statement that broke PXE is left out, and said.
    site_b = written["group_vars/site_b/dhcp.yml"]
    assert "# Not said by this description (1 statement, left out):" in site_b
    assert "b1:%s:53: deny members of \"dhcp\"" % (tmp_path / "b1" / "dhcpd.conf") in site_b
    assert yaml.safe_load(site_b)["dhcpd_pxe"]["mode"] == "primary_only"

    # The comparison, per peer.
    for host in ("a1", "a2"):
        assert "%s (%s): " % (tmp_path / host / "dhcpd.conf", "primary" if host == "a1" else "secondary") in output
    assert "(standalone): 16 statements, 16 the same, 0 in another scope, 0 not said; the rendering adds 0" in output
    # Site A's keys live in a file of its own path here; the description includes the collection's.
    assert "not said: [global] include %s" % (tmp_path / "a1" / "dhcpd.secrets.conf") in output
    assert "not said: [subnet 10.4.0.0 netmask 255.255.0.0] deny members of dhcp" in output
    assert "written to %s/host_vars/c1/dhcp.yml" % (tmp_path / "out") in output


def test_import_names_the_group_it_is_told(tmp_path):
    write_hosts(tmp_path)
    run = run_import(tmp_path, "-e", "import_hosts=site_a", "-e", "import_group=dhcp_everywhere")
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert os.listdir(tmp_path / "out") == ["group_vars"]
    assert os.listdir(tmp_path / "out" / "group_vars") == ["dhcp_everywhere"]


def test_import_without_a_folder_says_so(tmp_path):
    write_hosts(tmp_path)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_FORCE_COLOR="false")
    run = subprocess.run([PLAYBOOK, "-i", str(tmp_path / "inventory.yml"), os.path.join(ROOT, "playbooks", "import.yml")],
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode != 0 and "Set the output folder: -e import_dir=DIR" in run.stdout
