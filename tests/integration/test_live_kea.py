"""A real Kea HA pair rendered by kea_config, and real DHCP clients.

Two kea-dhcp4 servers, each with its kea-ctrl-agent, in network namespaces
the test makes (tests/integration/live.py, KeaPair), joined by a bridge with the
lab's DHCP probe on it. Proves what `kea-dhcp4 -t` cannot: the pair reaches
load-balancing, plain, BIOS, UEFI, UEFI HTTP and iPXE clients are served by
each server with the right boot file, leases reach the partner, and a
server that stops has its clients taken over by the other.
"""

import time

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

from tests.integration import live

pytestmark = pytest.mark.skipif(live.kea_available() is not None, reason=str(live.kea_available()))

ROLES = ("primary", "secondary")
HOSTS = {"k1": live.PEER_IPS[0], "k2": live.PEER_IPS[1]}
SITE = {
    "dhcpd_failover": {
        "name": "kea-pair",
        "primary": {"host": "k1", "address": live.PEER_IPS[0]},
        "secondary": {"host": "k2", "address": live.PEER_IPS[1]},
        "mclt": 60,
        "split": 128,
        # Kea: heartbeat every 2 s, partner unreachable after 6 s, clients unacked after 3 s.
        "max_response_delay": 6,
        "load_balance_max_seconds": 3,
    },
    "dhcpd_default_lease_time": 600,
    "dhcpd_subnets": [{"network": "10.77.0.0/24", "options": {"routers": "10.77.0.254"}, "pools": [{"range": "10.77.0.100 10.77.0.199"}]}],
    "dhcpd_pxe": {
        "next_server": "self",
        "ipxe_script": "http://10.77.0.1/menu.ipxe",
        "boot_files": {"bios": "pxelinux.0", "uefi_x64": "shimx64.efi", "http_x64": "http://10.77.0.1/shimx64.efi"},
    },
    "dhcpd_classes": [{"name": "lab", "match": 'option user-class = "lab"', "pxe": {"boot_files": {"uefi_x64": "lab.efi"}}}],
    "dhcpd_hosts": [{"name": "fixed", "mac": "52:54:00:77:00:09", "address": "10.77.0.9", "boot_file": "host.efi"}],
}
# (probe arguments, boot file, next-server is the answering server)
KINDS = {
    "plain": ([], "", False),
    "bios": (["--arch", "0"], "pxelinux.0", True),
    "uefi": (["--arch", "7"], "shimx64.efi", True),
    "ipxe": (["--arch", "7", "--user-class", "iPXE"], "http://10.77.0.1/menu.ipxe", True),
    "http": (["--arch", "16", "--vendor", "HTTPClient:Arch:00016:UNDI:003016"], "http://10.77.0.1/shimx64.efi", False),
    "class": (["--arch", "7", "--user-class", "lab"], "lab.efi", True),
}


def start_pair(lab, **settings):
    configs = {}
    for i, role in enumerate(ROLES):
        conf = render_kea(SITE, role, HOSTS, lab.settings(i, **settings))
        code, out = lab.check(i, conf)
        assert code == 0, out
        configs[role] = conf
        lab.start(i, conf, render_kea(SITE, role, HOSTS, lab.settings(i), part="ctrl_agent"))
        # The Kea asked for is the one that runs.
        assert lab.kea_version.startswith(lab.version + ".") and "version %s" % lab.kea_version in lab.log(i), lab.log(i)[:500]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = [lab.ha_state(i) for i in (0, 1)]
        if states == ["load-balancing"] * 2:
            return configs
        time.sleep(0.5)
    raise AssertionError("the pair did not reach load-balancing: %s\n%s" % (states, lab.log(0)[-3000:]))


def by_server(lab, args, count=16):
    """Ask as ``count`` clients of one kind (different MACs); the first answer of each server."""
    seen = {}
    for n in range(count):
        for offer in lab.probe("discover", "--mac", "52:54:00:77:%02x:%02x" % (len(args), n), *args, wait=1):
            seen.setdefault(offer["server_id"], offer)
        if len(seen) == 2:
            break
    return seen


@pytest.mark.parametrize("kea", live.KEA_VERSION_PARAMS)
def test_kea_pair_serves_every_kind_of_client_from_both_servers_and_syncs_leases(kea):
    with live.KeaPair(live.kea_version(kea)) as lab:
        start_pair(lab)
        for kind, (args, boot_file, own_next_server) in KINDS.items():
            seen = by_server(lab, args)
            assert sorted(seen) == sorted(live.PEER_IPS), "%s clients were not served by both servers: %s" % (kind, seen)
            for server, offer in seen.items():
                assert offer["file"] == boot_file, (kind, server, offer)
                assert offer["siaddr"] == (server if own_next_server else "0.0.0.0"), (kind, server, offer)
                assert offer["yiaddr"].startswith("10.77.0.1"), offer
            if kind == "http":
                assert all(o.get("vendor_class") == "HTTPClient" for o in seen.values())
        # The reservation's own boot file wins over the class's and the arch's.
        offers = lab.probe("discover", "--mac", "52:54:00:77:00:09", "--arch", "7", "--user-class", "lab")
        assert [(o["yiaddr"], o["file"]) for o in offers] == [("10.77.0.9", "host.efi")]
        # A lease granted by one server is on the other one too (lease_cmds, lease4-update).
        result = lab.probe("dora", "--mac", "52:54:00:77:02:01")
        assert result["ack"], result
        address, server = result["ack"]["yiaddr"], result["ack"]["server_id"]
        other = 1 - live.PEER_IPS.index(server)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            answer = lab.command(other, "lease4-get", {"ip-address": address})
            if answer.get("result") == 0:
                break
            time.sleep(0.2)
        assert answer.get("result") == 0, answer
        assert answer["arguments"]["hw-address"] == "52:54:00:77:02:01"


@pytest.mark.parametrize("kea", live.KEA_VERSION_PARAMS)
def test_kea_takeover_when_a_server_stops(kea):
    with live.KeaPair(live.kea_version(kea)) as lab:
        start_pair(lab, max_unacked_clients=2)
        # MACs that the load balancing gives to server 1 (it answers them).
        mine = []
        for n in range(40):
            mac = "52:54:00:77:03:%02x" % n
            offers = lab.probe("discover", "--mac", mac, wait=1)
            if offers and offers[0]["server_id"] == live.PEER_IPS[0]:
                mine.append(mac)
            if len(mine) == 4:
                break
        assert len(mine) == 4
        stopped = time.monotonic()
        lab.stop(0)
        # Clients that retried for 10 s (secs) and got no answer: more than
        # max-unacked-clients of them let server 2 take over (partner-down).
        taken_over = None
        while time.monotonic() - stopped < 60 and taken_over is None:
            for mac in mine:
                offers = lab.probe("discover", "--mac", mac, "--secs", "10", wait=0.5)
                if any(o["server_id"] == live.PEER_IPS[1] for o in offers):
                    taken_over = time.monotonic() - stopped
                    break
        assert taken_over is not None, lab.log(1)[-3000:]
        assert lab.ha_state(1) == "partner-down"
        print("kea %s takeover: server 2 answered server 1's clients %.1f s after server 1 stopped" % (lab.kea_version, taken_over))
