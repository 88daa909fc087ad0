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
import os_subset  # noqa: E402

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


# On the Debian 13 image (LAB_OS=debian13, tests/lab/run-lab.sh) the lab runs
# these only: each pair's files and state, clients of every kind served by
# their own pair (verify.yml), a rolling change of both sites, DNS updates
# through Kea 2.6's kea-dhcp-ddns, and the fenced HA channel. The faults,
# firewall, monitoring and execution environment tests run on Debian 12 only
# (make test's time; docs/lab.md).
DEBIAN13 = (
    "test_every_peer_carries_its_own_pairs_files",
    "test_every_pair_is_in_its_normal_state",
    "test_each_sites_clients_are_served_by_their_own_pair",
    "test_verify_proves_each_pair_from_its_own_site",
    "test_a_change_to_both_sites_leaves_no_client_unanswered_longer_than_a_retransmission",
    "test_leases_from_both_kea_servers_reach_a_real_named_through_kea_dhcp_ddns",
    "test_a_host_that_is_not_the_partner_cannot_command_kea",
)


def pytest_collection_modifyitems(session, config, items):
    os_subset.keep(config, items, "debian13", names=DEBIAN13)
    items.sort(key=lambda item: os.path.basename(str(item.fspath)) in LAST)
