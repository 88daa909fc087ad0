"""Shared helpers for the unit tests: example inventories and real dhcpd -t."""

import copy
import os
import shutil
import subprocess
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTS = {
    "dhcp1.example.com": "10.4.7.9",
    "dhcp2.example.com": "10.4.7.210",
    "tftp1.example.com": "10.4.7.12",
}
DHCPD = shutil.which("dhcpd") or "/usr/sbin/dhcpd"


def example(name="example"):
    """The network description of one of the shipped example inventories."""
    with open(os.path.join(ROOT, "inventories", name, "group_vars", "all", "dhcp.yml")) as fh:
        return copy.deepcopy(yaml.safe_load(fh))


def dhcpd_t(text):
    """Run the real `dhcpd -t` on a config text; return (exit code, messages)."""
    assert os.path.exists(DHCPD), "dhcpd is not installed: apt-get install isc-dhcp-server"
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "dhcpd.conf")
        with open(conf, "w") as fh:
            fh.write(text)
        proc = subprocess.run(
            [DHCPD, "-t", "-cf", conf, "-lf", os.path.join(tmp, "leases"), "-pf", os.path.join(tmp, "pid")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=30,
        )
    return proc.returncode, proc.stdout


def assert_dhcpd_accepts(text):
    rc, out = dhcpd_t(text)
    assert rc == 0, "dhcpd -t rejected the config:\n%s\n---\n%s" % (out, text)
    # Warnings that mean the failover pair would misbehave at runtime.
    assert "load balancing will be disabled" not in out, out
