"""DDNS through Kea, for real: a Kea HA pair rendered from a description
with dhcpd_ddns, each server with its kea-dhcp-ddns (D2) rendered from the
same description, and a real named holding the forward and reverse zones
(updates allowed with the TSIG key only). Clients that send a host name
(option 12) get leases from either server; their A and PTR records are read
back with dig. On this machine's Kea (2.2) and on Debian 13's (2.6). Everything runs in network namespaces the test makes
(tests/integration/live.py, KeaPair): named and server 1 at 10.77.0.1,
server 2 at 10.77.0.2, the lab's DHCP probe on the bridge between them."""

import os
import shutil
import time

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

from tests.integration import live
from tests.integration.test_live_kea import HOSTS, ROLES
from tests.integration.test_live_kea import SITE as PAIR_SITE

pytestmark = [
    pytest.mark.skipif(live.kea_available() is not None, reason=str(live.kea_available())),
    pytest.mark.skipif(not os.path.exists(live.KEA_D2), reason="needs kea-dhcp-ddns-server"),
    pytest.mark.skipif(shutil.which("named") is None or shutil.which("dig") is None,
                       reason="needs bind9 (named) and bind9-dnsutils (dig)"),
]

KEY = "bmV0Ym9vdC1sYWIta2VhLWQyLWtleS1mb3ItdGVzdHM="
DNS = live.PEER_IPS[0]
SITE = dict(PAIR_SITE, dhcpd_ddns={
    "style": "standard",
    "domain_name": "kea.test",
    "keys": [{"name": "kea-ddns", "algorithm": "hmac-sha256", "secret": KEY}],
    "zones": [
        {"name": "kea.test", "primary": DNS, "key": "kea-ddns"},
        {"name": "0.77.10.in-addr.arpa", "primary": DNS, "key": "kea-ddns"},
    ],
})


def start_named(lab):
    argv = live.named(os.path.join(lab.tmp, "named"), DNS, "kea-ddns", KEY, "kea.test", "0.77.10.in-addr.arpa")
    lab.spawn(0, "named", argv, "running")


def dig(lab, name, kind):
    res = live.subprocess.run(["ip", "netns", "exec", lab.servers[0], "dig", "+short", "@" + DNS, name, kind],
                              capture_output=True, text=True, timeout=30, check=False)
    return res.stdout.strip()


@pytest.mark.parametrize("kea", live.KEA_VERSION_PARAMS)
def test_leases_from_both_kea_servers_create_a_and_ptr_records_through_kea_dhcp_ddns(kea):
    with live.KeaPair(live.kea_version(kea)) as lab:
        start_named(lab)
        for i, role in enumerate(ROLES):
            settings = lab.settings(i, d2_control_socket=os.path.join(lab.dir(i), "d2.sock"))
            d2 = render_kea(SITE, role, HOSTS, settings, part="d2")
            keys = render_kea(SITE, role, HOSTS, settings, part="d2_keys")
            # The secret is only in the keys part, never in the configurations.
            assert KEY in keys
            assert KEY not in repr(d2) and KEY not in repr(render_kea(SITE, role, HOSTS, settings))
            code, out = lab.d2(i, d2, keys)
            assert code == 0, out
            conf = render_kea(SITE, role, HOSTS, settings)
            code, out = lab.check(i, conf)
            assert code == 0, out
            lab.start(i, conf, render_kea(SITE, role, HOSTS, lab.settings(i), part="ctrl_agent"))
            assert "version %s" % lab.kea_version in lab.log(i, "d2"), lab.log(i, "d2")[:500]
        deadline = time.monotonic() + 60
        while [lab.ha_state(i) for i in (0, 1)] != ["load-balancing"] * 2:
            assert time.monotonic() < deadline, lab.log(0)[-3000:]
            time.sleep(0.5)
        # Clients with host names until each server has handed out a lease.
        leased = {}
        for n in range(16):
            name = "ws%02d" % n
            result = lab.probe("dora", "--mac", "52:54:00:77:d0:%02x" % n, "--hostname", name)
            assert result["ack"], result
            leased.setdefault(result["ack"]["server_id"], (name, result["ack"]["yiaddr"]))
            if len(leased) == 2:
                break
        assert sorted(leased) == sorted(live.PEER_IPS), leased
        for server, (name, address) in leased.items():
            fqdn = name + ".kea.test"
            ptr = ".".join(reversed(address.split("."))) + ".in-addr.arpa"
            a_record = ptr_record = ""
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not (a_record and ptr_record):
                a_record, ptr_record = dig(lab, fqdn, "A"), dig(lab, ptr, "PTR")
                time.sleep(0.5)
            i = live.PEER_IPS.index(server)
            assert a_record == address, (server, fqdn, a_record, lab.log(i, "d2")[-2000:])
            assert ptr_record == fqdn + ".", (server, ptr, ptr_record, lab.log(i, "d2")[-2000:])
        # Neither daemon wrote the secret to its log.
        for i in (0, 1):
            for name in ("dhcp4", "d2"):
                assert KEY not in lab.log(i, name)
