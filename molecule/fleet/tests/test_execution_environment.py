"""The collection run the way AWX runs it: from inside an execution
environment image (built by tests/lab/build-ee.sh with ansible-builder, the
collection installed in it from its tarball), site.yml against the fleet
lab over SSH as netops with become, like any other controller."""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import INVENTORY, SITES

IMAGE = os.environ.get("NETBOOT_EE_IMAGE", "localhost/netboot-ee:latest")
SSH_DIR = os.environ.get("NETBOOT_LAB_SSH_DIR", os.path.join(os.path.dirname(INVENTORY), "..", ".cache", "lab-ssh"))
EE_UID = 1000  # the user an ansible-builder image runs as
INSIDE = "/runner/inventories/" + os.path.basename(INVENTORY)


@pytest.fixture(scope="module")
def ee_ssh_dir():
    """The lab's key, known hosts, Kea HA password, DNS update key and TLS
    material (every file the inventory reads), readable by the image's user only."""
    if subprocess.run(["podman", "image", "exists", IMAGE], check=False).returncode != 0:
        pytest.fail("no execution environment image %s: tests/lab/run-lab.sh builds it (tests/lab/build-ee.sh)" % IMAGE)
    folder = tempfile.mkdtemp(prefix="netboot-ee-ssh-")
    try:
        os.mkdir(os.path.join(folder, "kea-tls"))
        names = ["id_ed25519", "known_hosts", "kea-ha-password", "ddns-key"] + [
            "kea-tls/" + name for name in ("CA.pem", "fb1.pem", "fb1.key", "fb2.pem", "fb2.key")]
        for name in names:
            shutil.copy(os.path.join(SSH_DIR, name), os.path.join(folder, name))
            os.chown(os.path.join(folder, name), EE_UID, 0)
            os.chmod(os.path.join(folder, name), 0o600)
        os.chown(os.path.join(folder, "kea-tls"), EE_UID, 0)
        os.chmod(os.path.join(folder, "kea-tls"), 0o700)
        os.chown(folder, EE_UID, 0)
        os.chmod(folder, 0o700)
        yield folder
    finally:
        shutil.rmtree(folder)


def ee_run(ssh_dir, *command):
    networks = []
    for net in ("netboot-fleet-a", "netboot-fleet-b"):
        networks += ["--network", net]
    return subprocess.run(
        ["podman", "run", "--rm", *networks,
         # All of inventories/: the fleet lab's links to the site lab's connection settings.
         "-v", "%s:/runner/inventories:ro" % os.path.dirname(INVENTORY), "-v", "%s:/runner/lab-ssh" % ssh_dir,
         "-e", "NETBOOT_LAB_SSH_DIR=/runner/lab-ssh", "-e", "ANSIBLE_FORCE_COLOR=false",
         IMAGE, *command],
        capture_output=True, text=True, timeout=900, check=False)


def test_site_yml_runs_from_the_execution_environment_and_finds_the_converged_fleet_unchanged(ee_ssh_dir):
    run = ee_run(ee_ssh_dir, "ansible-playbook", "-i", INSIDE, "netboot.dhcp_failover.site")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    recap = dict(re.findall(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)", run.stdout, re.M))
    peers = [p for s in SITES.values() for p in s["peers"]]
    assert set(peers) <= set(recap), recap
    assert {h: int(c) for h, c in recap.items() if int(c)} == {}, run.stdout[-4000:]
    out = " ".join(run.stdout.split())
    assert "fa1/fa2 (isc): secondary fa2: unchanged; primary fa1: unchanged" in out
    assert "fb1/fb2 (kea): secondary fb2: unchanged; primary fb1: unchanged" in out


def test_the_execution_environment_checks_rendered_files_with_its_own_dhcpd_and_kea(ee_ssh_dir):
    """render.yml in the image writes each host's files and checks them with
    the dhcpd and kea-dhcp4 that ansible-builder installed there from the
    collection's meta/execution-environment.yml (bindep)."""
    run = ee_run(ee_ssh_dir, "bash", "-c",
                 "ansible-playbook -i " + INSIDE + " netboot.dhcp_failover.render -e render_dir=/tmp/out"
                 " -e render_os=Debian && cd /tmp/out && ls */*")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "was not checked" not in run.stdout, run.stdout[-4000:]
    checks = {
        "dhcpd": re.search(r"Check the rendered files with the controller's dhcpd -t\] \*+\n((?:ok: .*\n)+)", run.stdout),
        "kea": re.search(r"Check the rendered kea-dhcp4.conf with the controller's kea-dhcp4 -t\] \*+\n((?:ok: .*\n)+)",
                         run.stdout),
    }
    for site in SITES.values():
        check = checks["dhcpd" if site["backend"] == "isc" else "kea"]
        assert check, run.stdout[-4000:]
        for peer in site["peers"]:
            assert "ok: [%s -> localhost]" % peer in check.group(1)
            assert "%s/%s" % (peer, "dhcpd.conf" if site["backend"] == "isc" else "kea-dhcp4.conf") in run.stdout.split()
