"""Fixtures of the fleet lab (molecule/fleet): two sites in one inventory,
site A an ISC dhcpd pair, site B a Kea HA pair, each on its own network with
a client that probes it (tests/lab/dhcp_probe.py, a real DHCP client)."""

import os
import subprocess
import sys

import pytest
import testinfra

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, ROOT)
import tests.conftest  # noqa: E402,F401  (the collection on sys.path)

sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
import dhcp_probe  # noqa: E402

INVENTORY = os.path.join(ROOT, "inventories", "lab-fleet")
# Each site: its backend, its peers (name -> failover address), its network,
# its client.
SITES = {
    "a": {"backend": "isc", "peers": {"fa1": "10.6.7.9", "fa2": "10.6.7.210"}, "net": "10.6.", "client": "fa-client"},
    "b": {"backend": "kea", "peers": {"fb1": "10.7.7.9", "fb2": "10.7.7.210"}, "net": "10.7.", "client": "fb-client"},
}


class Fleet:
    def __init__(self):
        names = [p for s in SITES.values() for p in s["peers"]] + [s["client"] for s in SITES.values()]
        self.hosts = {n: testinfra.get_host("podman://" + n) for n in names}
        for s in SITES.values():
            dhcp_probe.install(s["client"])

    def play(self, playbook, *args):
        """ansible-playbook playbooks/PLAYBOOK against the fleet lab's inventory;
        its stdout holds stderr too (where a failed task's message may go)."""
        env = dict(os.environ, ANSIBLE_FORCE_COLOR="false")
        return subprocess.run(["ansible-playbook", "-i", INVENTORY, os.path.join(ROOT, "playbooks", playbook), *args],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=900, check=False)


@pytest.fixture(scope="session")
def fleet():
    return Fleet()


# The tests that inject faults or install firewalld run last: they put the lab
# back as they found it (the lab's own description converged again, firewalld
# purged), but a lab left otherwise by a failed one must not fail the others.
LAST = ("test_faults.py", "test_firewall.py")


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: os.path.basename(str(item.fspath)) in LAST)
