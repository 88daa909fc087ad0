"""What a user would see of the converged lab: a failover pair in state
normal, plain and PXE clients served by real dhcpd, boot files over TFTP,
and service kept while the primary is down."""

import ipaddress
import json
import os
import subprocess

import yaml
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from conftest import LAB, OS, PEERS, ROOT, SERVICE, TFTP, TFTP_SERVERS

POOL = (ipaddress.IPv4Address("10.4.45.1"), ipaddress.IPv4Address("10.4.45.250"))


def in_pool(addr):
    return POOL[0] <= ipaddress.IPv4Address(addr) <= POOL[1]


def test_deployed_configs_are_the_filters_rendering(lab):
    # The description: every dhcpd_* variable but the role's settings (its own list).
    with open(os.path.join(ROOT, "roles", "dhcpd", "vars", "main.yml")) as fh:
        settings = yaml.safe_load(fh)["__dhcpd_role_settings"]
    description = {k: v for k, v in lab.vars.items() if k.startswith("dhcpd_") and k not in settings}
    addresses = dict(TFTP_SERVERS, client1="")
    for peer, role in (("dhcp1", "primary"), ("dhcp2", "secondary")):
        deployed = lab.hosts[peer].file("/etc/dhcp/dhcpd.conf").content_string
        assert deployed == render_config(description, role, addresses)
    assert "mclt 1800;" in lab.hosts["dhcp1"].file("/etc/dhcp/dhcpd.conf").content_string
    assert "mclt" not in lab.hosts["dhcp2"].file("/etc/dhcp/dhcpd.conf").content_string


def test_the_first_converge_started_each_peer_once(lab):
    """One start and one failover handshake per peer: the new files were in
    place before the first start, so no restart followed it (and the
    idempotence run restarted nothing)."""
    assert lab.starts_after_converge == {"dhcp1": 1, "dhcp2": 1}


def test_both_peers_run_and_reach_normal(lab):
    for peer in PEERS:
        assert lab.hosts[peer].service(SERVICE).is_enabled
        assert lab.hosts[peer].socket("tcp://%s:647" % PEERS[peer]).is_listening
        st = lab.wait_state(peer, "normal", "normal", timeout=30)
        assert st["found"]


def test_plain_client_gets_a_lease_from_the_failover_pool(lab):
    result = lab.probe("dora", mac="52:54:00:10:00:01")
    ack = result["ack"]
    assert ack and ack["type"] == "ACK"
    assert in_pool(ack["yiaddr"])
    assert ack["server_id"] in PEERS.values()
    assert ack["routers"] == ["10.4.0.1"] and ack["lease_time"] == 600
    # Plain clients get no boot file and no next-server.
    assert ack["file"] == "" and ack["siaddr"] == "0.0.0.0"


def test_load_is_shared_between_the_peers(lab):
    servers = set()
    for i in range(1, 9):
        offers = lab.probe("discover", mac="52:54:00:20:00:%02x" % i, wait=2)
        assert len(offers) == 1, offers  # split 128: one peer answers each client
        servers.add(offers[0]["server_id"])
    assert servers == set(PEERS.values())


def test_bios_pxe_client_gets_pxelinux(lab):
    offers = lab.probe("discover", mac="52:54:00:30:00:01", arch=0, wait=3)
    assert offers, "no offer for a BIOS PXE client"
    o = offers[0]
    # next_server: self: the peer that offers names itself as the TFTP server.
    assert o["file"] == "pxelinux.0" and o["siaddr"] == o["server_id"]
    assert o["lease_time"] == 300 and in_pool(o["yiaddr"])


def test_uefi_pxe_clients_get_shim(lab):
    for arch, mac in ((7, "52:54:00:30:00:07"), (9, "52:54:00:30:00:09")):
        offers = lab.probe("discover", mac=mac, arch=arch, wait=3)
        assert offers and offers[0]["file"] == "shimx64.efi" and offers[0]["siaddr"] == offers[0]["server_id"], offers


def test_reservation_is_served_by_either_peer(lab):
    offers = lab.probe("discover", mac="52:54:00:00:77:01", wait=3)
    assert offers and {o["yiaddr"] for o in offers} == {"10.4.8.10"}


def test_boot_files_download_over_tftp_and_match(lab):
    client = lab.hosts["client1"]
    sources = dict(OS["sources"])
    sources.update({OS["grub_cfg"]: None, "pxelinux.cfg/default": None})
    for server, address in TFTP_SERVERS.items():
        tftp = lab.hosts[server]
        for name, source in sources.items():
            res = client.run("cd /tmp && rm -f dl && tftp %s -m binary -c get %s dl && sha256sum dl" % (address, name))
            assert res.rc == 0 and res.stdout, "tftp get %s from %s failed: %s %s" % (name, server, res.stdout, res.stderr)
            got = res.stdout.split()[0]
            served = tftp.file("%s/%s" % (TFTP["root"], name)).sha256sum
            assert got == served, (server, name)
            # The same boot tree on every TFTP server: no drift between them.
            assert served == lab.hosts["tftp1"].file("%s/%s" % (TFTP["root"], name)).sha256sum, (server, name)
            if source:
                assert served == tftp.file(source).sha256sum, (server, name)
    tftp = lab.hosts["tftp1"]
    # Guard: two different boot files never hash alike, so the checks above can fail.
    assert tftp.file(TFTP["root"] + "/pxelinux.0").sha256sum != tftp.file(TFTP["root"] + "/ldlinux.c32").sha256sum
    menu = tftp.file(TFTP["root"] + "/" + OS["grub_cfg"]).content_string
    assert 'echo "netboot-lab boot menu"' in menu
    assert 'menuentry "Lab kernel (placeholder, not shipped)" --id lab {' in menu
    assert "linux /lab/vmlinuz console=ttyS0" in menu and "initrd /lab/initrd.img" in menu
    bios_menu = tftp.file(TFTP["root"] + "/pxelinux.cfg/default").content_string
    assert "DEFAULT lab" in bios_menu and "KERNEL lab/vmlinuz" in bios_menu


def test_user_files_are_served(lab):
    with open(os.path.join(ROOT, "tests", "lab", "files", "lab-readme.txt")) as fh:
        expected = fh.read()
    for address in TFTP_SERVERS.values():
        res = lab.hosts["client1"].run("cd /tmp && rm -f dl && tftp %s -m binary -c get lab/readme.txt dl && cat dl" % address)
        assert res.rc == 0 and res.stdout == expected, address


def test_leases_are_recorded_on_both_peers(lab):
    result = lab.probe("dora", mac="52:54:00:10:00:02")
    ip = result["ack"]["yiaddr"]
    # The peer that acked tells its partner (BNDUPD): both lease files know it.
    for peer in PEERS:
        for dummy in range(10):
            if lab.active_leases(peer).get(ip) == "52:54:00:10:00:02":
                break
            lab.hosts[peer].run("sleep 1")
        assert lab.active_leases(peer).get(ip) == "52:54:00:10:00:02", peer


def test_secondary_serves_everyone_while_the_primary_is_down(lab):
    with lab.primary_down():
        seen = set()
        for i in range(1, 5):
            offers = lab.probe("discover", mac="52:54:00:40:00:%02x" % i, wait=4)
            assert offers, "no offer while the primary is down"
            seen |= {o["server_id"] for o in offers}
        pxe = lab.probe("discover", mac="52:54:00:40:01:07", arch=7, wait=4)
        assert pxe and pxe[0]["file"] == "shimx64.efi" and pxe[0]["server_id"] == PEERS["dhcp2"]
        assert pxe[0]["siaddr"] == PEERS["dhcp2"]
        assert seen == {PEERS["dhcp2"]}


def test_host_state_reads_each_service_as_systemctl_does(lab):
    """host_state reads every unit with one systemctl show (and asks
    is-enabled again only for SysV scripts): over SSH with become, it must
    report what systemctl is-active / is-enabled print on the host, for a
    running SysV or native service, a static, a masked and a missing unit
    (not-found);
    and the default route's interface as ip route shows it."""
    host = lab.hosts["dhcp1"]
    units = [SERVICE, "ssh", "systemd-journald", "netboot-test-masked", "no-such-unit-netboot"]
    assert host.run("systemctl mask netboot-test-masked.service").rc == 0
    try:
        res = subprocess.run(["ansible", "dhcp1", "-i", LAB, "--become", "-m", "netboot.dhcp_failover.host_state",
                              "-a", json.dumps({"services": units})],
                             cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
        assert res.returncode == 0, res.stdout + res.stderr
        out = json.loads(res.stdout.split(" => ", 1)[1])
        for unit in units:
            active = host.run("systemctl is-active %s" % unit).stdout.strip()
            enabled = (host.run("systemctl is-enabled %s 2>/dev/null" % unit).stdout.strip().splitlines() or [""])[-1]
            if unit == "no-such-unit-netboot" and enabled == "":
                # Debian 12's systemd (252) prints nothing for a missing
                # unit, Debian 13's (257) not-found; host_state says not-found.
                enabled = "not-found"
            assert out["services"][unit] == {"active": active, "enabled": enabled}, unit
    finally:
        host.run("systemctl unmask netboot-test-masked.service")
    assert out["services"][SERVICE] == {"active": "active", "enabled": "enabled"}
    assert out["services"]["netboot-test-masked"]["enabled"] == "masked"
    route = host.run("ip -4 route show default").stdout.split()
    assert out["default_interface"] == route[route.index("dev") + 1]
