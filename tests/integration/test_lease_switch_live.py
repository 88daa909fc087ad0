"""Clients keep their addresses from ISC dhcpd to Kea and back.

A real dhcpd, then a real kea-dhcp4, then dhcpd again, on the same server
side of two network namespaces the test makes (tests/integration/live.py),
each rendered by the collection from one description. Clients take leases
from dhcpd; between each stop and the next start the dhcp_lease_convert
module (run by ansible, as the roles run it) carries the lease file over;
then each client asks again for its address as after a reboot (a broadcast
DHCPREQUEST with no server id) and must be answered ACK with that address.
Another client asking for an address a client holds is answered NAK by the
same servers. Without the conversion, Kea answers each of these clients NAK
(it has no lease for them, and the collection makes it authoritative).
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.lease_convert import read_isc, read_kea
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

from tests.conftest import COLLECTIONS
from tests.helpers import DHCPD
from tests.integration import live

pytestmark = pytest.mark.skipif(live.kea_available() is not None, reason=str(live.kea_available()))

ANSIBLE = os.path.join(os.path.dirname(sys.executable), "ansible")
if not os.path.exists(ANSIBLE):
    ANSIBLE = shutil.which("ansible") or "ansible"

SITE = {
    "dhcpd_default_lease_time": 600,
    "dhcpd_max_lease_time": 600,
    "dhcpd_subnets": [{"network": "10.77.0.0/24", "options": {"routers": "10.77.0.254"}, "pools": [{"range": "10.77.0.100 10.77.0.199"}]}],
}
CLIENTS = ["52:54:00:5c:00:%02x" % n for n in range(1, 5)]
STRANGER = "52:54:00:5c:00:99"


def convert(**args):
    """The dhcp_lease_convert module, run by ansible against this machine."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_FORCE_COLOR="false", ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    run = subprocess.run([ANSIBLE, "localhost", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable,
                          "-m", "netboot.dhcp_failover.dhcp_lease_convert", "-a", json.dumps(args)],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


def start_dhcpd(lab):
    return lab.start([DHCPD, "-f", "-d", "-4", "-cf", lab.path("dhcpd.conf"), "-lf", lab.path("dhcpd.leases"),
                      "-pf", lab.path("dhcpd.pid"), "vs"], "dhcpd.log", "Server starting service.")


def start_kea(lab):
    return lab.start(["env", "KEA_PIDFILE_DIR=" + lab.tmp, "KEA_LOCKFILE_DIR=" + lab.tmp, live.KEA_DHCP4, "-c", lab.path("kea.json")],
                     "kea.log", "DHCP4_STARTED")


def stop_last(lab):
    live._stop(lab.procs.pop())


def ask_again(lab, mac, address):
    return lab.probe("request", "--mac", mac, "--requested", address)


def assert_kept(lab, held, taken):
    """Every holder is answered ACK with its address; another client asking for one is answered NAK."""
    for mac, address in held.items():
        reply = ask_again(lab, mac, address)
        assert reply and reply["type"] == "ACK" and reply["yiaddr"] == address, (mac, address, reply)
    assert ask_again(lab, STRANGER, taken)["type"] == "NAK"
    stop_last(lab)


def test_clients_keep_their_addresses_from_dhcpd_to_kea_and_back():
    with live.Lab() as lab:
        with open(lab.path("dhcpd.conf"), "w") as fh:
            fh.write(render_config(SITE, "standalone", None))
        settings = {"interfaces": ["vs"], "control_socket": lab.path("kea4.sock"), "lease_file": lab.path("kea-leases4.csv")}
        with open(lab.path("kea.json"), "w") as fh:
            json.dump(render_kea(SITE, "standalone", None, settings), fh)

        # 1. ISC dhcpd: each client takes a lease.
        lab.dhcpd(render_config(SITE, "standalone", None))
        held = {}
        for mac in CLIENTS:
            result = lab.probe("dora", "--mac", mac)
            assert result["ack"] and result["ack"]["type"] == "ACK", result
            held[mac] = result["ack"]["yiaddr"]
        taken = held[CLIENTS[0]]
        assert ask_again(lab, STRANGER, taken)["type"] == "NAK"
        stop_last(lab)

        # 2. To Kea: the leases go with the clients.
        to_kea = convert(direction="isc_to_kea", src=lab.path("dhcpd.leases"), dest=lab.path("kea-leases4.csv"), kea_config=lab.path("kea.json"))
        assert to_kea["carried"] == len(CLIENTS) and to_kea["outside"] == [], to_kea
        start_kea(lab)
        assert_kept(lab, held, taken)
        with open(lab.path("kea-leases4.csv")) as fh:
            kea_leases = read_kea([fh.read()])
        assert {lease["hwaddr"]: address for address, lease in kea_leases.items() if lease["state"] == "active"} == held

        # 3. Back to ISC dhcpd: Kea's leases (renewed there) become dhcpd's.
        back = convert(direction="kea_to_isc", src=lab.path("kea-leases4.csv"), dest=lab.path("dhcpd.leases"))
        assert back["carried"] == len(CLIENTS), back
        assert os.path.exists(lab.path("dhcpd.leases.before-switch"))
        log = start_dhcpd(lab)
        assert "lease file" not in log.lower() or "corrupt" not in log.lower(), log
        assert_kept(lab, held, taken)
        with open(lab.path("dhcpd.leases")) as fh:
            isc_leases = read_isc(fh.read())
        assert {lease["hwaddr"]: address for address, lease in isc_leases.items() if lease["state"] == "active"} == held
