"""Shared helpers for the unit tests: example inventories and real dhcpd -t."""

import copy
import os
import shutil
import subprocess
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


def dhcpd_t(text, files=None):
    """Run the real `dhcpd -t` on a config text; return (exit code, messages).

    ``files``: {path: text} written first (include files the config names).
    """
    assert os.path.exists(DHCPD), "dhcpd is not installed: apt-get install isc-dhcp-server"
    for path, content in (files or {}).items():
        with open(path, "w") as fh:
            fh.write(content)
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "dhcpd.conf")
        with open(conf, "w") as fh:
            fh.write(text)
        proc = subprocess.run(
            [DHCPD, "-t", "-cf", conf, "-lf", os.path.join(tmp, "leases"), "-pf", os.path.join(tmp, "pid")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=30, check=False)
    return proc.returncode, proc.stdout


def assert_dhcpd_accepts(text, files=None):
    rc, out = dhcpd_t(text, files)
    assert rc == 0, "dhcpd -t rejected the config:\n%s\n---\n%s" % (out, text)
    # Warnings that mean the failover pair would misbehave at runtime.
    assert "load balancing will be disabled" not in out, out


def render_checked(model, role, hosts=None):
    """Render a peer's config and its secrets file, and pass both through the real dhcpd -t."""
    hosts = HOSTS if hosts is None else hosts
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

    with tempfile.TemporaryDirectory() as tmp:
        secrets_path = os.path.join(tmp, "dhcpd.secrets.conf")
        text = render_config(model, role, hosts, secrets_path=secrets_path)
        secrets = render_config(model, role, hosts, part="secrets", secrets_path=secrets_path)
        assert_dhcpd_accepts(text, {secrets_path: secrets} if secrets else None)
    return text.replace(secrets_path, "/etc/dhcp/dhcpd.secrets.conf"), secrets
