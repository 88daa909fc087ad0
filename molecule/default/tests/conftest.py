"""Fixtures for the lab's verify step: the real containers, a real DHCP
client (tests/lab/dhcp_probe.py) in client1, and the lab's description."""

import contextlib
import os
import subprocess
import sys
import time

import pytest
import testinfra
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, ROOT)
import tests.conftest  # noqa: E402,F401  (the collection on sys.path)

sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
import dhcp_probe  # noqa: E402
import os_subset  # noqa: E402

from ansible_collections.netboot.dhcp_failover.plugins.module_utils import lease_convert  # noqa: E402
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import parse_state  # noqa: E402

LAB = os.path.join(ROOT, "inventories", "lab")
PEERS = {"dhcp1": "10.4.7.9", "dhcp2": "10.4.7.210"}
# Paths and names per OS of the lab's containers (the roles' vars/*.yml).
OS = {
    "debian12": {
        "leases": "/var/lib/dhcp/dhcpd.leases",
        "service": "isc-dhcp-server",
        "tftp_service": "tftpd-hpa",
        "tftp_root": "/srv/tftp",
        "grub_cfg": "grub/grub.cfg",
        "sources": {
            "pxelinux.0": "/usr/lib/PXELINUX/pxelinux.0",
            "ldlinux.c32": "/usr/lib/syslinux/modules/bios/ldlinux.c32",
            "shimx64.efi": "/usr/lib/shim/shimx64.efi.signed",
            "grubx64.efi": "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed",
        },
    },
    "almalinux9": {
        "leases": "/var/lib/dhcpd/dhcpd.leases",
        "service": "dhcpd",
        "tftp_service": "tftp.socket",
        "tftp_root": "/var/lib/tftpboot",
        "grub_cfg": "grub.cfg",
        "sources": {
            "pxelinux.0": "/tftpboot/pxelinux.0",
            "ldlinux.c32": "/tftpboot/ldlinux.c32",
            "shimx64.efi": "/boot/efi/EFI/almalinux/shimx64.efi",
            "grubx64.efi": "/boot/efi/EFI/almalinux/grubx64.efi",
        },
    },
}
# Debian 13's packages put the same files in the same places (checked
# against the trixie packages tftpd-hpa, pxelinux, syslinux-common,
# grub-efi-amd64-signed, shim-signed and isc-dhcp-server).
OS["debian13"] = OS["debian12"]
OS = OS[os.environ.get("LAB_OS", "debian12")]
TFTP = {"name": "tftp1", "address": "10.4.7.12", "root": OS["tftp_root"]}
# Every TFTP server of the lab: both peers (next_server: self) and tftp1.
TFTP_SERVERS = {"dhcp1": PEERS["dhcp1"], "dhcp2": PEERS["dhcp2"], "tftp1": TFTP["address"]}
LEASES = OS["leases"]
SERVICE = OS["service"]


def lab_vars():
    out = {}
    folder = os.path.join(LAB, "group_vars", "all")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as fh:
            out.update(yaml.safe_load(fh) or {})
    return out


class Lab:
    def __init__(self):
        self.hosts = {n: testinfra.get_host("podman://" + n) for n in ("dhcp1", "dhcp2", "tftp1", "client1")}
        self.vars = lab_vars()
        dhcp_probe.install("client1")
        # Taken before any test restarts anything: how often dhcpd has
        # started on each peer since boot (converge and idempotence only).
        self.starts_after_converge = {p: self.dhcpd_starts(p) for p in PEERS}

    def probe(self, command="discover", **kw):
        """Run the DHCP probe in client1; keyword arguments become its options."""
        args = [command]
        for key, value in kw.items():
            if value is True:
                args.append("--" + key.replace("_", "-"))
            elif value is not None and value is not False:
                args += ["--" + key.replace("_", "-"), str(value)]
        return dhcp_probe.run_in("client1", *args)

    def play(self, playbook, *args):
        """ansible-playbook playbooks/PLAYBOOK against the lab inventory."""
        env = dict(os.environ, ANSIBLE_FORCE_COLOR="false")
        return subprocess.run(["ansible-playbook", "-i", LAB, os.path.join(ROOT, "playbooks", playbook), *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)

    def dhcpd_starts(self, peer):
        """How often dhcpd has started on PEER since the container booted (its log says so once per start)."""
        out = self.hosts[peer].run("journalctl -b -o cat _COMM=dhcpd | grep -c 'Server starting service' || true")
        return int(out.stdout.strip() or 0)

    def service_time(self, peer, what="ActiveEnterTimestampMonotonic"):
        """A systemd timestamp of the peer's dhcpd (the containers share the host's monotonic clock)."""
        out = self.hosts[peer].run("systemctl show -p %s --value %s" % (what, SERVICE))
        return int(out.stdout.strip() or 0)

    @contextlib.contextmanager
    def primary_down(self):
        """Stop the primary until the block ends, then bring the pair back to normal."""
        with self.peer_down("dhcp1"):
            yield

    @contextlib.contextmanager
    def peer_down(self, peer, tftp=False):
        """Stop a peer's dhcpd (and its TFTP server: the whole host is down for
        network boot) until the block ends, then bring the pair back to normal."""
        other = "dhcp2" if peer == "dhcp1" else "dhcp1"
        services = [SERVICE] + ([OS["tftp_service"]] if tftp else [])
        assert self.hosts[peer].run("systemctl stop %s" % " ".join(services)).rc == 0
        try:
            self.wait_state(other, "communications-interrupted", timeout=30)
            yield
        finally:
            assert self.hosts[peer].run("systemctl start %s" % " ".join(services)).rc == 0
        self.wait_state("dhcp1", "normal", "normal", timeout=90)
        self.wait_state("dhcp2", "normal", "normal", timeout=90)

    def state(self, peer):
        text = self.hosts[peer].file(LEASES).content_string
        return parse_state(text, self.vars["dhcpd_failover"]["name"])

    def wait_state(self, peer, mine, partner=None, timeout=90):
        deadline = time.monotonic() + timeout
        while True:
            st = self.state(peer)
            if st["my_state"] == mine and (partner is None or st["partner_state"] == partner):
                return st
            if time.monotonic() > deadline:
                raise AssertionError("%s did not reach %s/%s: %r" % (peer, mine, partner, st))
            time.sleep(1)

    def active_leases(self, peer, at=None):
        """{ip: mac} of the leases in a peer's lease file that clients hold at
        time ``at`` (epoch seconds, default now): the last entry of each
        address, active and not ended by then (the collection's own reader of
        dhcpd.leases, plugins/module_utils/lease_convert.py)."""
        text = self.hosts[peer].file(LEASES).content_string
        held, _others = lease_convert.held(lease_convert.read_isc(text), time.time() if at is None else at)
        return {lease["address"]: lease["hwaddr"] for lease in held if lease["hwaddr"]}


    def converge_default(self):
        """Converge the DHCP pair back to the lab's own description and wait for normal."""
        run = self.play("dhcp_failover.yml")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
        self.wait_state("dhcp1", "normal", "normal", timeout=120)
        self.wait_state("dhcp2", "normal", "normal", timeout=120)


@pytest.fixture(scope="session")
def lab():
    return Lab()


@pytest.fixture
def site_restored(lab):
    """For a test that converges another description: afterwards the pair runs
    the lab's own description again, in state normal, whatever the test did."""
    yield lab
    lab.converge_default()


# On the Debian 13 image (LAB_OS=debian13, tests/lab/run-labs.sh) the site
# lab runs these: the ISC pair and its clients, the TFTP server's boot files
# and a UEFI VM booting through them, the boot trees of every TFTP server,
# check mode and the bootfiles tag, a rolling change, and the whole Kea
# chapter (the switch to Kea 2.6 and back with the leases clients hold, both
# Kea servers serving every kind of client, takeover, a rolling change). The
# rest (partner-down through OMAPI, the primary-only design, import, the
# long VM runs) stays on Debian 12 for CI's time (docs/lab.md).
DEBIAN13_FILES = ("test_lab.py", "test_kea_backend.py", "test_rolling_update.py")
DEBIAN13 = (
    "test_vm_boots_from_the_lab_to_the_menu",
    "test_boot_trees_are_identical_on_every_tftp_server",
    "test_external_tftp_layout",
    "test_verify_playbook_passes_on_the_healthy_lab",
    "test_check_mode_shows_the_diff_and_changes_nothing",
    "test_bootfiles_tag_updates_menus_only_and_keeps_user_files",
)


def pytest_collection_modifyitems(session, config, items):
    os_subset.keep(config, items, "debian13", names=DEBIAN13, files=DEBIAN13_FILES)
