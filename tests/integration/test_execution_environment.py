"""The collection's controller-side dependencies, as ansible-builder finds
them when it builds an execution environment (AWX / Automation Platform):
introspection of the collection as installed, and bindep on this machine."""

import os
import subprocess
import sys

import yaml

from tests.conftest import COLLECTIONS
from tests.helpers import ROOT

BIN = os.path.dirname(sys.executable)


def test_ansible_builder_introspection_finds_the_render_checks_dependencies():
    run = subprocess.run([os.path.join(BIN, "ansible-builder"), "introspect", "--sanitize", COLLECTIONS],
                         capture_output=True, text=True, timeout=120, check=True)
    data = yaml.safe_load(run.stdout.split("---", 1)[1])
    system = [line.split("#")[0].strip() for line in data["system"] if "netboot.dhcp_failover" in line]
    assert system == ["isc-dhcp-server [platform:dpkg]", "kea-dhcp4-server [platform:dpkg]",
                      "dhcp-server [platform:rpm !platform:rhel-10 !platform:centos-10]", "kea [platform:rpm]"]
    # In Python only what ansible-core requires too (kea_tls_check reads PEM with it).
    assert [line.split("#")[0].strip() for line in data["python"]] == ["cryptography"]


def test_bindep_on_this_debian_machine_asks_for_the_debian_packages_only():
    run = subprocess.run([os.path.join(BIN, "bindep"), "-l", "newline", "-f", os.path.join(ROOT, "meta", "ee-bindep.txt")],
                         capture_output=True, text=True, timeout=60, check=False)
    # rc 0: nothing missing (the tests' machine has both, from `make deps`).
    assert run.returncode == 0, run.stdout + run.stderr
    listed = subprocess.run([os.path.join(BIN, "bindep"), "-b", "--list_all=newline", "-f", os.path.join(ROOT, "meta", "ee-bindep.txt")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert sorted(listed.stdout.split()) == ["isc-dhcp-server", "kea-dhcp4-server"], listed.stdout + listed.stderr


def test_the_metadata_files_ship_in_the_collection_artifact():
    with open(os.path.join(ROOT, "galaxy.yml")) as fh:
        ignored = yaml.safe_load(fh)["build_ignore"]
    with open(os.path.join(ROOT, "meta", "execution-environment.yml")) as fh:
        deps = yaml.safe_load(fh)["dependencies"]
    for path in deps.values():
        assert os.path.exists(os.path.join(ROOT, path))
        assert not any(path == pat or path.startswith(pat.rstrip("/") + "/") for pat in ignored)
