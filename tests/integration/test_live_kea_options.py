"""Option definitions and spaces on a real kea-dhcp4: the iPXE options of a
description (dhcpd_option_definitions with the ipxe space and option 175
encapsulating it) reach a real client inside option 175, as iPXE reads them
(iPXE's include/ipxe/dhcp.h: option 175, its "encapsulated options" with
codes such as 176 no-pxedhcp and 190 username). One standalone server in a
network namespace the test makes (tests/integration/live.py, KeaPair), the
lab's DHCP probe on the bridge."""

import pytest

from tests.integration import live

pytestmark = pytest.mark.skipif(live.kea_available() is not None, reason=str(live.kea_available()))

SITE = {
    "dhcpd_option_definitions": [
        {"name": "ipxe-encap-opts", "code": 175, "encapsulate": "ipxe"},
        {"space": "ipxe", "name": "no-pxedhcp", "code": 176, "type": "unsigned integer 8"},
        {"space": "ipxe", "name": "username", "code": 190, "type": "string"},
        {"name": "iscsi-initiator-iqn", "code": 203, "type": "string"},
    ],
    "dhcpd_options": {"ipxe.no-pxedhcp": 1, "ipxe.username": "boot", "iscsi-initiator-iqn": "iqn.2026-12.lab:pve"},
    "dhcpd_subnets": [{"network": "10.77.0.0/24", "options": {"routers": "10.77.0.254"},
                       "pools": [{"range": "10.77.0.100 10.77.0.109"}]}],
}


def suboptions(hexdata):
    raw, out, i = bytes.fromhex(hexdata), {}, 0
    while i < len(raw):
        out[raw[i]] = raw[i + 2:i + 2 + raw[i + 1]]
        i += 2 + raw[i + 1]
    return out


@pytest.mark.parametrize("kea", live.KEA_VERSION_PARAMS)
def test_ipxe_options_reach_a_real_client_inside_option_175(kea):
    with live.KeaPair(live.kea_version(kea)) as lab:
        lab.standalone(SITE)
        offers = lab.probe("discover", "--user-class", "iPXE", "--ask", "175", "--ask", "203")
        assert offers, lab.log(0)[-3000:]
        options = offers[0]["options"]
        assert "175" in options, options
        assert suboptions(options["175"]) == {176: b"\x01", 190: b"boot"}
        assert bytes.fromhex(options["203"]) == b"iqn.2026-12.lab:pve"
        # A client that does not ask for them gets neither (Kea sends what the client asks for).
        plain = lab.probe("discover", "--mac", "52:54:00:12:34:57")
        assert plain and "175" not in plain[0]["options"] and "203" not in plain[0]["options"]
