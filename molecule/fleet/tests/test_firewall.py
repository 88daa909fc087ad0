"""firewalld running on the peers (Debian ships it; EL runs it by default):
the dhcpd and kea roles open DHCP and the HA channel to the partner only.
From each site's client the failover port (ISC) and the HA port (Kea) cannot
be reached, the partner reconnects through the rules after a restart, and
clients are still served. firewalld and what it brought are purged
afterwards, and sudo answers on every peer as before."""

import subprocess
import time

from conftest import SITES
from dhcp_probe import run_in
from test_faults import wait_pair
from test_fleet import report

PORTS = {"a": 647, "b": 8000}
BEFORE = "/var/tmp/netboot-packages-before-firewalld"
SERVICES = {"a": "isc-dhcp-server", "b": "kea-dhcp4-server"}

REACH = ("import socket, sys\n"
         "try:\n"
         "    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close(); print('open')\n"
         "except OSError as exc:\n"
         "    print('closed', exc)\n")


def reach(host, address, port):
    """Whether a TCP connection from HOST to ADDRESS:PORT opens."""
    out = host.run("python3 -c \"%s\" %s %d" % (REACH, address, port)).stdout.strip()
    return out.startswith("open"), out


def peers():
    return [p for site in SITES.values() for p in site["peers"]]


def test_with_firewalld_running_only_the_partner_reaches_the_ha_channel_and_clients_are_served(fleet):
    # What the peer had before, so that everything the install brings
    # (dbus-user-session among it, whose user manager hangs on stopping in
    # these containers and makes the next SSH login wait 90 s) goes again.
    installs = [subprocess.Popen(["podman", "exec", "-e", "DEBIAN_FRONTEND=noninteractive", name, "sh", "-c",
                                  "dpkg-query -W -f '${Package}\\n' | sort > %s && apt-get install -y -q firewalld" % BEFORE],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for name in peers()]
    try:
        for proc in installs:
            assert proc.wait(timeout=600) == 0, proc.stderr.read()[-2000:]
        for name in peers():
            fleet.hosts[name].run("systemctl enable --now firewalld")
            assert fleet.hosts[name].run("systemctl is-active firewalld").stdout.strip() == "active", name
        run = fleet.play("dhcp_failover.yml")
        assert run.returncode == 0, run.stdout[-3000:]
        for key, site in SITES.items():
            (first, first_address), (second, second_address) = site["peers"].items()
            for name, partner_address in ((first, second_address), (second, first_address)):
                rules = fleet.hosts[name].run("firewall-cmd --list-all").stdout
                assert "dhcp" in rules.split("services:")[1].splitlines()[0].split(), rules
                assert 'source address="%s/32" port port="%d" protocol="tcp" accept' % (partner_address, PORTS[key]) in rules, rules
            # Not from the client, for either peer.
            for address in site["peers"].values():
                opened, out = reach(fleet.hosts[site["client"]], address, PORTS[key])
                assert not opened, (site["client"], address, out)
            # The partner gets through: the secondary restarted, the pair is
            # back in its normal state over new connections.
            started = int(time.time())
            assert fleet.hosts[second].run("systemctl restart %s" % SERVICES[key]).rc == 0
            wait_pair(fleet, key, started - 2, timeout=180)
            # Clients are answered (both peers, as a client that has waited:
            # secs above the load-balancing threshold).
            offers = run_in(site["client"], "discover", "--mac", "52:54:00:f1:f1:0%s" % ("1" if key == "a" else "2"),
                            "--secs", "10", "--wait", "3")
            assert offers and offers[0]["type"] == "OFFER", offers
            report("firewalld on site %s: port %d closed to %s, the pair back in its normal state after a restart, "
                   "%d offer(s) to a client" % (key, PORTS[key], site["client"], len(offers)))
        run = fleet.play("failover_state.yml")
        assert run.returncode == 0, run.stdout[-3000:]
    finally:
        purges = [subprocess.Popen(["podman", "exec", "-e", "DEBIAN_FRONTEND=noninteractive", name, "sh", "-c",
                                    "systemctl disable --now firewalld; dpkg-query -W -f '${Package}\\n' | sort "
                                    "| comm -13 %s - | xargs -r apt-get purge -y -q && rm %s" % (BEFORE, BEFORE)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                  for name in peers()]
        for proc in purges:
            assert proc.wait(timeout=600) == 0, proc.stderr.read()[-2000:]
        # The lab as it was: a play that escalates on every peer runs.
        run = fleet.play("failover_state.yml")
        assert run.returncode == 0, run.stdout[-3000:]
