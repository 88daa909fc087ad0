"""Which hosts the roles accept and what they do on each OS, run through the
roles' real tasks with ansible-playbook on the controller (connection local;
only the facts of the OS in question are given, nothing is changed)."""

import json
import os
import subprocess
import sys
import tempfile

import pytest

from tests.helpers import ROOT
from ansible_collections.netboot.dhcp_failover.plugins.modules.dhcpd_check import omapi_algorithm_problem

# The per-OS values come from the internal role common (os_vars), as both
# roles load them; the dhcpd role's own os_vars.yml adds its role variables.
PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: netboot.dhcp_failover.{include}
        tasks_from: {tasks}
        public: true
      vars:
        common_role: {role}
    - ansible.builtin.debug:
        msg: "{{{{ {expr} }}}}"
"""


def facts(distribution, major, family="RedHat"):
    return {"os_family": family, "distribution": distribution, "distribution_major_version": major,
            "distribution_version": major + ".4", "pkg_mgr": "dnf" if family == "RedHat" else "apt"}


def run(role, expr, ansible_facts, tasks_from=None, **extra):
    with tempfile.TemporaryDirectory() as tmp:
        play = os.path.join(tmp, "play.yml")
        with open(play, "w") as fh:
            include, tasks = ("dhcpd", "os_vars.yml") if role == "dhcpd" else ("common", "os_vars.yml")
            if tasks_from:
                include, tasks = role, tasks_from
            fh.write(PLAY.format(include=include, tasks=tasks, role=role, expr=expr))
        env = dict(os.environ, ANSIBLE_FORCE_COLOR="false", ANSIBLE_STDOUT_CALLBACK="json",
                   ANSIBLE_HOME=os.path.join(tmp, "home"), ANSIBLE_LOCALHOST_WARNING="false")
        res = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", play,
                              "-e", json.dumps(dict(extra, ansible_facts=ansible_facts, ansible_python_interpreter=sys.executable))],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    out = json.loads(res.stdout)
    tasks = out["plays"][0]["tasks"]
    result = tasks[-1]["hosts"]["localhost"]
    return res.returncode, result


@pytest.mark.parametrize("distribution,major", [("AlmaLinux", "10"), ("RedHat", "8"), ("Rocky", "10")])
def test_a_red_hat_family_release_other_than_9_is_refused_with_the_supported_versions(distribution, major):
    rc, result = run("dhcpd", "1", facts(distribution, major))
    assert rc != 0
    assert "dhcpd role supports" in result["msg"]
    assert "the Red Hat family 9 (AlmaLinux, RHEL, Rocky, Oracle Linux, CentOS Stream)" in result["msg"] and "Debian 12" in result["msg"]
    assert "EL 10 ships no dhcp-server" in result["msg"]


# Each role's per-OS files say which releases they serve: Kea runs on EL 10
# (which ships it in place of dhcp-server), not on EL 8.
@pytest.mark.parametrize("distribution,major,refused", [("AlmaLinux", "10", False), ("AlmaLinux", "9", False), ("RedHat", "8", True)])
def test_the_kea_role_serves_the_releases_its_per_os_file_names(distribution, major, refused):
    rc, result = run("kea", "__kea_os.dhcp4_service", facts(distribution, major))
    if refused:
        assert rc != 0 and "kea role supports" in result["msg"] and "the Red Hat family 9 and 10" in result["msg"]
    else:
        assert rc == 0 and result["msg"] == "kea-dhcp4", result


# The copies the role makes, from the loaded per-OS values through the same
# plan filter the role uses (plugins/filter/tftp_plan.py).
UEFI_COPIES = "(__tftp_server_os | netboot.dhcp_failover.tftp_plan({'bios': false}, ansible_facts['distribution'])).copies"


@pytest.mark.parametrize("distribution,vendor", [("AlmaLinux", "almalinux"), ("RedHat", "redhat"),
                                                 ("OracleLinux", "redhat"), ("Rocky", "rocky"),
                                                 ("EuroLinux", "eurolinux")])
def test_uefi_loaders_come_from_the_vendor_folder_with_mokmanager(distribution, vendor):
    rc, result = run("tftp_server", UEFI_COPIES, facts(distribution, "9"))
    assert rc == 0, result
    assert [(x["src"], x["dest"]) for x in result["msg"]] == [
        ("/boot/efi/EFI/%s/shimx64.efi" % vendor, "shimx64.efi"),
        ("/boot/efi/EFI/%s/grubx64.efi" % vendor, "grubx64.efi"),
        ("/boot/efi/EFI/%s/mmx64.efi" % vendor, "mmx64.efi"),
    ]


def test_debian_12_copies_mokmanager_beside_shim():
    rc, result = run("tftp_server", UEFI_COPIES, facts("Debian", "12", family="Debian"))
    assert rc == 0, result
    assert {"src": "/usr/lib/shim/mmx64.efi.signed", "dest": "mmx64.efi"} in result["msg"]


# The TFTP pre-flight (read-only: host_state reads this controller's paths)
# reads every listed distribution's EFI folder in its first round trip, and
# only an unlisted one's in a second.
@pytest.mark.parametrize("distribution,second", [("AlmaLinux", None), ("EuroLinux", "eurolinux")])
def test_the_tftp_pre_flight_reads_an_unlisted_efi_folder_in_a_second_round_trip(distribution, second):
    rc, result = run("tftp_server", "__tftp_server_register_more", facts(distribution, "9"), tasks_from="preflight.yml",
                     tftp_server_root="/nonexistent/tftp")
    assert rc == 0, result
    more = result["msg"]
    if second is None:
        assert more.get("skipped") is True
    else:
        assert sorted(more["files"]) == ["/boot/efi/EFI/%s/%s" % (second, f) for f in ("grubx64.efi", "mmx64.efi", "shimx64.efi")]


FAILOVER = {
    "name": "fo", "mclt": 1800, "split": 128,
    "primary": {"host": "localhost", "address": "10.4.7.9", "port": 647},
    "secondary": {"host": "dhcp2", "address": "10.4.7.210", "port": 847},
}


def selinux_ports(**extra):
    # As the dhcpd_primary role runs it (its peer role given).
    rc, result = run("dhcpd", "__dhcpd_selinux_ports", facts("AlmaLinux", "9"), dhcpd_failover=FAILOVER, dhcpd_peer_role="primary", **extra)
    assert rc == 0, result
    return sorted((p["proto"], p["port"], p["setype"]) for p in result["msg"])


def test_selinux_labels_only_ports_its_policy_does_not_cover():
    assert selinux_ports() == []
    assert selinux_ports(dhcpd_omapi={"key_name": "k", "key_secret": "c2VjcmV0", "port": 7911}) == []


def test_a_custom_omapi_or_failover_port_is_labelled_dhcpd_port_t():
    assert selinux_ports(dhcpd_omapi={"key_name": "k", "key_secret": "c2VjcmV0", "port": 9991}) == [("tcp", "9991", "dhcpd_port_t")]
    failover = dict(FAILOVER, primary=dict(FAILOVER["primary"], port=520))
    rc, result = run("dhcpd", "__dhcpd_selinux_ports", facts("AlmaLinux", "9"), dhcpd_failover=failover, dhcpd_peer_role="primary")
    assert [(p["proto"], p["port"]) for p in result["msg"]] == [("tcp", "520")]


@pytest.mark.parametrize("algorithm,rpm,refused", [
    ("hmac-sha256", "4.4.2-15.b1.el9", True),
    ("hmac-sha512", "4.4.2-16.b1.el9_0", True),
    ("hmac-sha256", "4.4.2-17.b1.el9", False),
    ("hmac-sha256", "4.4.2-19.b1.el9", False),
    ("hmac-md5", "4.4.2-15.b1.el9", False),
    ("hmac-sha256", "", False),  # no dhcp-server rpm: Debian's 4.4.3 takes SHA-2 keys
    ("", "4.4.2-15.b1.el9", False),  # OMAPI off
])
def test_sha2_omapi_keys_need_dhcp_server_4_4_2_17(algorithm, rpm, refused):
    problem = omapi_algorithm_problem(algorithm, rpm)
    assert bool(problem) == refused
    if refused:
        assert rpm in problem and "hmac-md5" in problem and "4.4.2-17.b1" in problem
