"""playbooks/status.yml against a real Kea HA pair in load-balancing.

The pair runs in network namespaces the test makes (tests/integration/live.py,
KeaPair), rendered by the collection from its description: each failover
range split in two halves, one for each server's clients. Clients fill the
primary's half; the next clients the load balancing gives it get no address
while the secondary's half still has free ones: Kea's form of the user
story's failure. The inventory's two hosts are this machine (ansible_connection
local), each reading its own server's lease file and control socket; the
playbook must count both servers, say their HA state and flag the primary's
half with the Kea fix. Then the secondary stops and the primary's HA state
is flagged, and the status exporter (the module_utils file run as a script,
--backend kea) writes the same figures.
"""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcp_pools import dhcp_pools
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.pool_status import kea_ha_status
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

from tests.conftest import COLLECTIONS
from tests.helpers import ROOT
from tests.integration import live

pytestmark = pytest.mark.skipif(live.kea_available() is not None, reason=str(live.kea_available()))

PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
if not os.path.exists(PLAYBOOK):
    PLAYBOOK = shutil.which("ansible-playbook") or "ansible-playbook"
STATUS = os.path.join(COLLECTIONS, "ansible_collections", "netboot", "dhcp_failover", "playbooks", "status.yml")
EXPORTER = os.path.join(ROOT, "plugins", "module_utils", "pool_status.py")
ROLES = ("primary", "secondary")
HOSTS = {"k1": live.PEER_IPS[0], "k2": live.PEER_IPS[1]}
FIRST = "dhcpd_subnets[0].pools[0]"
SITE = {
    "dhcp_backend": "kea",
    "dhcpd_failover": {
        "name": "kea-status",
        "primary": {"host": "k1", "address": live.PEER_IPS[0]},
        "secondary": {"host": "k2", "address": live.PEER_IPS[1]},
        "mclt": 60,
        "split": 128,
        "max_response_delay": 6,
        "load_balance_max_seconds": 3,
    },
    "dhcpd_default_lease_time": 600,
    "dhcpd_subnets": [{"network": "10.77.0.0/24", "options": {"routers": "10.77.0.254"}, "pools": [{"range": "10.77.0.100 10.77.0.109"}]},
                      {"network": "10.78.0.0/24", "options": {"routers": "10.78.0.254"}, "pools": [{"range": "10.78.0.100 10.78.0.119"}]}],
}
DESCRIPTION = {k: v for k, v in SITE.items() if k.startswith("dhcpd_")}


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "%s: not within %d s" % (what, timeout)
        time.sleep(0.5)


def run_status(tmp_path, lab, *extra):
    hosts = {}
    for i, name in enumerate(("k1", "k2")):
        settings = lab.settings(i)
        hosts[name] = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "ansible_host": HOSTS[name],
                       "kea_pool_status_lease_file": settings["lease_file"],
                       "kea_pool_status_control_socket": settings["control_socket"]}
    inventory = {"all": {"hosts": hosts, "vars": SITE, "children": {
        "dhcpd_primary": {"hosts": {"k1": None}}, "dhcpd_secondary": {"hosts": {"k2": None}}}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_FORCE_COLOR="false")
    run = subprocess.run([PLAYBOOK, "-i", str(tmp_path / "inventory.yml"), STATUS, "-e", "status_json=%s" % (tmp_path / "status.json")]
                         + list(extra), env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    reports = json.loads((tmp_path / "status.json").read_text())
    assert len(reports) == 1, reports
    return run, reports[0]


def test_status_counts_a_kea_pair_and_flags_a_full_half_then_a_lost_partner(tmp_path):
    with live.KeaPair() as lab:
        for i, role in enumerate(ROLES):
            conf = render_kea(DESCRIPTION, role, HOSTS, lab.settings(i))
            lab.start(i, conf, render_kea(DESCRIPTION, role, HOSTS, lab.settings(i), part="ctrl_agent"))
        wait_for("both servers in load-balancing", lambda: [lab.ha_state(i) for i in (0, 1)] == ["load-balancing"] * 2)
        wait_for("each server's partner in touch and in load-balancing",
                 lambda: all(kea_ha_status(lab.settings(i)["control_socket"])["partner_state"] == "load-balancing" for i in (0, 1)))

        # A healthy pair with two clients: nothing flagged, both servers count them.
        got = {}
        for n in range(1, 3):
            answer = lab.probe("dora", "--mac", "52:54:00:d0:00:%02x" % n)
            assert answer.get("ack"), answer
            got[answer["ack"]["yiaddr"]] = answer["ack"]["server_id"]
        wait_for("both servers' lease files hold both leases",
                 lambda: all(sum(1 for line in open(lab.settings(i)["lease_file"]) if line.startswith("10.77.")) >= 2 for i in (0, 1)))
        run, report = run_status(tmp_path, lab)
        assert report["hosts"] == {"primary": "k1", "secondary": "k2"} and report["flags"] == [], report["flags"]
        for role in ROLES:
            first = next(r for r in report["rows"] if r["id"] == FIRST)["peers"][role]
            assert (first["size"], first["active"]) == (10, 2)
            assert report["states"][role]["my_state"] == "load-balancing" and report["states"][role]["healthy"]
        assert "failover kea-status on k1: my state load-balancing" in run.stdout

        # Fill the primary's half: the clients the load balancing gives it, until it answers no more.
        for n in range(3, 30):
            answer = lab.probe("dora", "--mac", "52:54:00:d0:00:%02x" % n, wait=2)
            if answer.get("ack"):
                got[answer["ack"]["yiaddr"]] = answer["ack"]["server_id"]
            if sum(1 for server in got.values() if server == live.PEER_IPS[0]) == 5 and answer.get("ack") is None:
                break
        mine = sorted(a for a, server in got.items() if server == live.PEER_IPS[0])
        assert mine == ["10.77.0.10%d" % n for n in range(5)], got
        assert "ALLOC_ENGINE_V4_ALLOC_FAIL_CLASSES" in lab.log(0)
        run, report = run_status(tmp_path, lab)
        first = next(r for r in report["rows"] if r["id"] == FIRST)["peers"]["primary"]
        assert (first["own_free"], first["partner_free"]) == (0, 10 - len(got))
        one_sided = [f for f in report["flags"] if f["kind"] == "free_on_one_peer"]
        assert [f["pool"] for f in one_sided] == [FIRST], report["flags"]
        assert "k1 (the primary)" in one_sided[0]["message"] and "widen the range" in one_sided[0]["fix"]
        assert "FLAG free_on_one_peer" in run.stdout
        print("\n".join(report["lines"]))  # the table docs/observe.md shows (pytest -s)

        # The exporter writes the same figures, with the HA state.
        (tmp_path / "pools.json").write_text(json.dumps(dhcp_pools(DESCRIPTION, role="primary")))
        out = tmp_path / "netboot_dhcp.prom"
        exporter = subprocess.run(
            ["python3", EXPORTER, "--pools", str(tmp_path / "pools.json"), "--leases", lab.settings(0)["lease_file"], "--role", "primary",
             "--backend", "kea", "--control-socket", lab.settings(0)["control_socket"], "--pair", "k1/k2", "--peer", "k1", "--out", str(out)],
            capture_output=True, text=True, timeout=60, check=False)
        assert exporter.returncode == 0, exporter.stderr
        text = out.read_text()
        assert 'netboot_dhcp_pool_own_free{pair="k1/k2",peer="k1",pool="%s",subnet="10.77.0.0/24"} 0' % FIRST in text
        assert 'netboot_dhcp_failover_normal{pair="k1/k2",peer="k1"} 1' in text

        # The secondary stops: the primary leaves load-balancing, and says so; the secondary gives no state.
        lab.stop(1)
        lab.stop(1, "agent")
        wait_for("the primary out of load-balancing",
                 lambda: kea_ha_status(lab.settings(0)["control_socket"])["my_state"] != "load-balancing", timeout=60)
        run, report = run_status(tmp_path, lab)
        failover = [f["message"] for f in report["flags"] if f["kind"] == "failover"]
        assert any(m.startswith("k1 (the primary): its HA state is ") for m in failover), failover
        assert any(m.startswith("k2 (the secondary): kea-dhcp4 gave no HA state") for m in failover), failover
        print("\n".join(report["lines"]))
