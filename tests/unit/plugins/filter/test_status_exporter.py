"""What dhcp_status_exporter says a DHCP server needs for the status
exporter: its files are checked by systemd itself (systemd-analyze verify),
and the unit's own command line, run as written against lease files from a
real dhcpd pair, writes the figures the alert rules read."""

import json
import os
import shlex
import shutil
import subprocess

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcp_status_exporter import dhcp_status_exporter
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._pool_report import peer_pools, pool_plan

from tests.helpers import ROOT
from tests.integration.test_pool_status_live import description

DEBIAN = {"package": "prometheus-node-exporter", "service": "prometheus-node-exporter",
          "textfile_dir": "/var/lib/prometheus/node-exporter"}
PLAN = pool_plan(description("b1", "b2"))


def settings(**extra):
    base = {"variable": "dhcpd_status_exporter", "backend": "isc", "pools": peer_pools(PLAN, "primary"),
            "lease_file": "/var/lib/dhcp/dhcpd.leases", "failover": "pair-b1", "role": "primary", "pair": "b1/b2",
            "peer": "b1", "textfile_dir": "", "interval": 60, "after": "isc-dhcp-server.service",
            "node_exporter": DEBIAN, "install_node_exporter": True}
    base.update(extra)
    return base


def files(result):
    return {f["path"]: f for f in result["files"]}


def test_an_isc_peer_gets_the_exporter_its_pools_and_a_timer_and_node_exporter():
    out = dhcp_status_exporter(settings())
    got = files(out)
    assert sorted(got) == sorted(dhcp_status_exporter(None, part="paths"))
    with open(os.path.join(ROOT, "plugins", "module_utils", "pool_status.py")) as fh:
        assert got["/usr/local/libexec/netboot-dhcp-status"]["content"] == fh.read()
    assert got["/usr/local/libexec/netboot-dhcp-status"]["mode"] == "0755"
    assert json.loads(got["/etc/netboot-dhcp-status/pools.json"]["content"]) == peer_pools(PLAN, "primary")
    assert out["packages"] == ["prometheus-node-exporter"]
    assert out["running"] == ["netboot-dhcp-status.timer", "prometheus-node-exporter"]
    # The units' names, for the roles' read of the host and the handler, are the files' names.
    units = dhcp_status_exporter(None, part="units")
    assert units == {"service": "netboot-dhcp-status.service", "timer": "netboot-dhcp-status.timer"}
    assert {"/etc/systemd/system/" + name for name in units.values()} <= set(got)
    assert out["textfile_dir"] == "/var/lib/prometheus/node-exporter"
    assert "OnUnitActiveSec=60\n" in got["/etc/systemd/system/netboot-dhcp-status.timer"]["content"]


def test_a_kea_server_is_asked_its_ha_state_through_the_control_socket_and_a_site_node_exporter_is_left_alone():
    out = dhcp_status_exporter(settings(backend="kea", failover="", control_socket="/run/kea/kea4-ctrl-socket",
                                        install_node_exporter=False, textfile_dir="/srv/node/textfiles", interval="15"))
    unit = files(out)["/etc/systemd/system/netboot-dhcp-status.service"]["content"]
    exec_start = shlex.split(unit.split("ExecStart=")[1].splitlines()[0])
    assert exec_start[exec_start.index("--backend") + 1] == "kea"
    assert exec_start[exec_start.index("--control-socket") + 1] == "/run/kea/kea4-ctrl-socket"
    assert "--failover" not in exec_start
    assert exec_start[-1] == "/srv/node/textfiles/netboot_dhcp.prom"
    assert out["packages"] == [] and out["running"] == ["netboot-dhcp-status.timer"]


@pytest.mark.parametrize("extra, words", [
    ({"node_exporter": {}, "install_node_exporter": False},
     "dhcpd_status_exporter_textfile_dir: no textfile collector folder known on this OS"),
    ({"node_exporter": {}, "install_node_exporter": True, "textfile_dir": "/srv/t"},
     "dhcpd_status_exporter_node_exporter: this OS ships no node_exporter package"),
    ({"interval": 2}, "dhcpd_status_exporter_interval must be a whole number of seconds, at least 5"),
    ({"textfile_dir": "textfiles"}, "dhcpd_status_exporter_textfile_dir must be an absolute path"),
    ({"pair": ""}, "dhcpd_status_exporter: missing pair"),
])
def test_settings_the_exporter_cannot_run_with_are_named_with_the_fix(extra, words):
    with pytest.raises(AnsibleFilterError) as err:
        dhcp_status_exporter(settings(**extra))
    assert words in str(err.value)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_service_and_the_timer(tmp_path):
    for f in dhcp_status_exporter(settings())["files"]:
        if f["path"].startswith("/etc/systemd/system/"):
            (tmp_path / os.path.basename(f["path"])).write_text(f["content"])
    run = subprocess.run(["systemd-analyze", "verify", "--man=no",
                          str(tmp_path / "netboot-dhcp-status.service"), str(tmp_path / "netboot-dhcp-status.timer")],
                         capture_output=True, text=True, check=False)
    # Complaints about the host's own units are not this unit's.
    ours = [line for line in (run.stdout + run.stderr).splitlines() if "netboot-dhcp-status" in line]
    assert run.returncode == 0 and ours == [], run.stdout + run.stderr


def test_the_units_command_line_writes_the_figures_from_a_real_lease_file(tmp_path):
    """The ExecStart as written, with the files where the role puts them
    moved under tmp_path, on the lease file of a real dhcpd primary."""
    out = dhcp_status_exporter(settings(lease_file=os.path.join(ROOT, "tests", "status", "normal-primary.leases"),
                                        textfile_dir=str(tmp_path / "textfiles")))
    os.makedirs(tmp_path / "textfiles")
    moved = {}
    for f in out["files"]:
        dest = tmp_path / f["path"].lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(f["content"])
        moved[f["path"]] = str(dest)
    unit = files(out)["/etc/systemd/system/netboot-dhcp-status.service"]["content"]
    argv = [moved.get(a, a) for a in shlex.split(unit.split("ExecStart=")[1].splitlines()[0])]
    run = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "textfiles" / "netboot_dhcp.prom").read_text()
    assert 'netboot_dhcp_failover_normal{pair="b1/b2",peer="b1"} 1' in text, text
    assert 'netboot_dhcp_pool_size{pair="b1/b2",peer="b1",pool="dhcpd_subnets[0].pools[0]"' in text, text
