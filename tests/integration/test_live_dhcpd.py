"""What real clients get from a real dhcpd rendered by the collection.

dhcpd runs in a network namespace with a veth to a client namespace
(tests/integration/live.py); the lab's DHCP probe asks as a PXE client. These prove
behaviour that `dhcpd -t` cannot: which scope's boot file wins, and that a
DDNS update really reaches a DNS server (named, in the same namespace).
"""

import shutil
import time

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from tests.integration import live

pytestmark = pytest.mark.skipif(live.available() is not None, reason=str(live.available()))

KEY = "bmV0Ym9vdC1sYWItZGRucy1rZXktZm9yLXRlc3RzMDE="


def site(lab_path, extra=None):
    description = {
        "dhcpd_statements": ["ping-check false"],
        "dhcpd_pxe": {
            "next_server": live.SERVER_IP,
            "boot_files": {"bios": "global.0", "uefi_x64": "global.efi", "uefi_arm64": "global-arm.efi"},
        },
        "dhcpd_subnets": [
            {
                "network": "10.77.0.0/24",
                "pxe": {"boot_files": {"uefi_x64": "subnet.efi"}},
                "pools": [{"range": "10.77.0.100 10.77.0.150", "pxe": {"boot_files": {"bios": "pool.0"}}}],
            }
        ],
        "dhcpd_classes": [{"name": "lab", "match": 'option user-class = "lab"', "pxe": {"boot_files": {"uefi_x64": "class.efi"}}}],
        "dhcpd_hosts": [{"name": "fixed", "mac": "52:54:00:77:00:09", "address": "10.77.0.9", "boot_file": "host.efi"}],
    }
    description.update(extra or {})
    secrets_path = lab_path("dhcpd.secrets.conf")
    return (
        render_config(description, "standalone", {}, secrets_path=secrets_path),
        {"dhcpd.secrets.conf": render_config(description, "standalone", {}, part="secrets", secrets_path=secrets_path)},
    )


def offer(lab, *args):
    offers = lab.probe("discover", *args)
    assert offers, "no offer for %s" % (args,)
    return offers[0]


def test_most_specific_scope_wins_for_real_clients():
    with live.Lab() as lab:
        config, files = site(lab.path)
        lab.dhcpd(config, files)
        # Only the global settings name an ARM64 file.
        assert offer(lab, "--mac", "52:54:00:77:00:01", "--arch", "11")["file"] == "global-arm.efi"
        # The subnet overrides the global x64 UEFI file.
        got = offer(lab, "--mac", "52:54:00:77:00:02", "--arch", "7")
        assert (got["file"], got["siaddr"]) == ("subnet.efi", live.SERVER_IP)
        # The pool overrides the subnet (and the global) BIOS file.
        assert offer(lab, "--mac", "52:54:00:77:00:03", "--arch", "0")["file"] == "pool.0"
        # A class is more specific than pool and subnet (dhcpd.conf(5)).
        assert offer(lab, "--mac", "52:54:00:77:00:04", "--arch", "7", "--user-class", "lab")["file"] == "class.efi"
        # The host declaration is the most specific of all.
        got = offer(lab, "--mac", "52:54:00:77:00:09", "--arch", "7", "--user-class", "lab")
        assert (got["file"], got["yiaddr"], got["siaddr"]) == ("host.efi", "10.77.0.9", live.SERVER_IP)
        # A plain client gets no boot file (clients: pxe is the default).
        assert offer(lab, "--mac", "52:54:00:77:00:05")["file"] == ""


@pytest.mark.skipif(shutil.which("named") is None, reason="needs bind9 (named) and bind9-dnsutils (dig)")
def test_ddns_update_reaches_a_real_dns_server():
    with live.Lab() as lab:
        argv = live.named(lab.tmp, live.SERVER_IP, "ddns-key", KEY, "example.test", "0.77.10.in-addr.arpa")
        lab.start(argv, "named.log", "running")
        ddns = {
            "dhcpd_ddns": {
                "style": "interim",
                "updates": True,
                "domain_name": "example.test",
                "rev_domain_name": "in-addr.arpa",
                "keys": [{"name": "ddns-key", "algorithm": "hmac-sha256", "secret": KEY}],
                "zones": [
                    {"name": "example.test", "primary": live.SERVER_IP, "key": "ddns-key"},
                    {"name": "0.77.10.in-addr.arpa", "primary": live.SERVER_IP, "key": "ddns-key"},
                ],
            }
        }
        config, files = site(lab.path, ddns)
        config = config.replace(
            "    pool {",
            '    ddns-hostname = concat ("dyn-", binary-to-ascii (16, 8, "-", substring (hardware, 1, 6)));\n    pool {',
            1,
        )
        assert KEY not in config
        lab.dhcpd(config, files)
        result = lab.probe("dora", "--mac", "52:54:00:77:00:0a")
        assert result["ack"], result
        address = result["ack"]["yiaddr"]
        name = "dyn-52-54-0-77-0-a.example.test"
        ptr = ".".join(reversed(address.split("."))) + ".in-addr.arpa"
        a_record = ptr_record = ""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (a_record and ptr_record):
            a_record = lab.in_server("dig", "+short", "@" + live.SERVER_IP, name, "A").stdout.strip()
            ptr_record = lab.in_server("dig", "+short", "@" + live.SERVER_IP, ptr, "PTR").stdout.strip()
            time.sleep(0.5)
        with open(lab.path("dhcpd.log")) as fh:
            log = fh.read()
        assert a_record == address, log
        assert ptr_record == name + ".", log
        assert KEY not in log
