"""The user's own design, made correct: PXE (and dynamic BOOTP) from a pool
outside failover on the primary only. The pair runs the lab's own description
again afterwards (fixture site_restored)."""

import copy
import ipaddress
import json

from conftest import PEERS

PXE_POOL = ipaddress.IPv4Network("10.4.46.0/27")


def test_pxe_from_the_primary_only(site_restored):
    lab = site_restored
    subnets = copy.deepcopy(lab.vars["dhcpd_subnets"])
    subnets[0]["pools"].append({"range": "10.4.46.1 10.4.46.30", "failover": False, "pxe": True, "bootp": True})
    pxe = dict(lab.vars["dhcpd_pxe"], mode="primary_only")
    run = lab.play("dhcp_failover.yml", "-e", json.dumps({"dhcpd_subnets": subnets, "dhcpd_pxe": pxe}))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    primary = lab.hosts["dhcp1"].file("/etc/dhcp/dhcpd.conf").content_string
    secondary = lab.hosts["dhcp2"].file("/etc/dhcp/dhcpd.conf").content_string
    assert "range dynamic-bootp 10.4.46.1 10.4.46.30;" in primary and "10.4.46.1" not in secondary.split("served by")[0]
    assert "next-server" not in secondary
    lab.wait_state("dhcp1", "normal", "normal", timeout=60)

    # PXE clients: one offer, from the primary, out of the PXE pool, with the boot file.
    for arch, bootfile in ((0, "pxelinux.0"), (7, "shimx64.efi")):
        offers = lab.probe("discover", mac="52:54:00:80:00:%02x" % arch, arch=arch, wait=3)
        assert len(offers) == 1, offers
        o = offers[0]
        assert o["server_id"] == PEERS["dhcp1"] and ipaddress.IPv4Address(o["yiaddr"]) in PXE_POOL
        assert o["file"] == bootfile and o["siaddr"] == PEERS["dhcp1"]
    # A BOOTP client gets a dynamic-bootp address from the primary's pool.
    replies = lab.probe("discover", mac="52:54:00:80:01:01", bootp=True, wait=3)
    assert replies and ipaddress.IPv4Address(replies[0]["yiaddr"]) in PXE_POOL, replies
    # Plain clients stay in the failover pool.
    ack = lab.probe("dora", mac="52:54:00:80:02:01")["ack"]
    assert ack and ipaddress.IPv4Address(ack["yiaddr"]) not in PXE_POOL

    # The trade-off of this mode: no network boot while the primary is down.
    with lab.primary_down():
        assert lab.probe("discover", mac="52:54:00:80:00:07", arch=7, wait=4) == []
        plain = lab.probe("discover", mac="52:54:00:80:02:02", wait=4)
        assert plain and plain[0]["server_id"] == PEERS["dhcp2"]
