"""DNS updates from site B's Kea pair: the description asks for them
(dhcpd_ddns in inventories/lab-fleet/group_vars/lab_site_b/dhcp.yml), and
the kea role installed, configured and started kea-dhcp-ddns beside each
kea-dhcp4. Debian's bind9 on the site's client holds the forward and reverse
zones, updatable with the lab's TSIG key only. Clients that send a host name
get leases from either server; dig reads their A and PTR records back. The
key is only in an owner-only file on the peers."""

import os
import shlex

import kea_ctl
from conftest import SITES
from dhcp_probe import run_in

SITE = SITES["b"]
DNS = "10.7.9.99"  # fb-client
ZONES = {"site-b.lab": "/var/lib/bind/site-b.lab.db", "7.10.in-addr.arpa": "/var/lib/bind/7.10.rev.db"}
NAMED_LOCAL = """key "site-b-ddns" { algorithm hmac-sha256; secret "%s"; };
zone "site-b.lab" { type master; file "/var/lib/bind/site-b.lab.db"; allow-update { key site-b-ddns; }; };
zone "7.10.in-addr.arpa" { type master; file "/var/lib/bind/7.10.rev.db"; allow-update { key site-b-ddns; }; };
"""
ZONE = """$TTL 300
@ IN SOA ns.site-b.lab. admin.site-b.lab. 1 3600 600 86400 300
@ IN NS ns.site-b.lab.
"""


def ddns_key():
    with open(os.path.join(kea_ctl.SSH_DIR, "ddns-key"), encoding="ascii") as fh:
        return fh.read().strip()


def put(host, path, text):
    host.run_expect([0], "printf '%%s' %s > %s" % (shlex.quote(text), path))


def test_leases_from_both_kea_servers_reach_a_real_named_through_kea_dhcp_ddns(fleet):
    key = ddns_key()
    client = fleet.hosts[SITE["client"]]
    client.run_expect([0], "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bind9 bind9-dnsutils")
    put(client, "/etc/bind/named.conf.local", NAMED_LOCAL % key)
    for zone, path in ZONES.items():
        put(client, path, ZONE + ("ns IN A %s\n" % DNS if zone == "site-b.lab" else ""))
        client.run_expect([0], "chown bind:bind %s" % path)
    client.run_expect([0], "systemctl restart named")
    for peer in SITE["peers"]:
        host = fleet.hosts[peer]
        assert host.service("kea-dhcp-ddns-server").is_running
        keys = host.file("/etc/kea/netboot-ddns-keys.json")
        assert (keys.user, keys.group, oct(keys.mode)) == ("root", "_kea", "0o640")
        assert key in keys.content_string
        conf = host.file("/etc/kea/kea-dhcp-ddns.conf").content_string
        assert key not in conf and '<?include "/etc/kea/netboot-ddns-keys.json"?>' in conf
    # Clients with host names until each server has handed out a lease.
    leased = {}
    for n in range(24):
        name = "dyn%02d" % n
        reply = run_in(SITE["client"], "dora", "--mac", "52:54:00:dd:00:%02x" % n, "--hostname", name, "--wait", "3")
        assert reply["ack"], reply
        leased.setdefault(reply["ack"]["server_id"], (name, reply["ack"]["yiaddr"]))
        if len(leased) == 2:
            break
    assert sorted(leased) == sorted(SITE["peers"].values()), leased
    for server, (name, address) in leased.items():
        fqdn = "%s.site-b.lab" % name
        ptr = ".".join(reversed(address.split("."))) + ".in-addr.arpa"
        a_record = ptr_record = ""
        for _ in range(40):
            a_record = client.run("dig +short @%s %s A" % (DNS, fqdn)).stdout.strip()
            ptr_record = client.run("dig +short @%s %s PTR" % (DNS, ptr)).stdout.strip()
            if a_record and ptr_record:
                break
            client.run("sleep 0.5")
        peer = [p for p, a in SITE["peers"].items() if a == server][0]
        journal = fleet.hosts[peer].run("journalctl -u kea-dhcp-ddns-server --no-pager -n 30 -o cat").stdout
        assert a_record == address, (server, fqdn, a_record, journal)
        assert ptr_record == fqdn + ".", (server, ptr, ptr_record, journal)
        assert key not in journal
