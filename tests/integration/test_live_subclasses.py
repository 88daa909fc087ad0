"""Subclasses, one description on both backends: a real dhcpd and a real
kea-dhcp4 (2.2, and 2.6 where its root is built) answer the same clients
the same way. A pool open to the members of a class whose subclasses are
MAC addresses (``match: hardware``) serves the listed clients only, and a
subclass's own option reaches its client; a second class matches a prefix
of option 60. Each server in the network namespaces the test makes
(tests/integration/live.py), the lab's DHCP probe as the client."""

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from tests.integration import live

SITE = {
    "dhcpd_classes": [
        {"name": "known-macs", "match": "hardware",
         "subclasses": [{"match_value": "1:52:54:00:77:00:01"},
                        {"match_value": "1:52:54:00:77:00:02", "options": {"host-name": "two"}}]},
        {"name": "kiosks", "match": "substring (option vendor-class-identifier, 0, 5)",
         "subclasses": [{"match_value": "kiosk", "options": {"domain-name": "kiosk.lab"}}]},
    ],
    "dhcpd_subnets": [{"network": "10.77.0.0/24",
                       "pools": [{"range": "10.77.0.100 10.77.0.109", "allow": ['members of "known-macs"']},
                                 {"range": "10.77.0.200 10.77.0.209", "allow": ['members of "kiosks"']}]}],
}


def text(offer, code):
    value = offer["options"].get(str(code))
    return bytes.fromhex(value).decode() if value else None


def answers(lab):
    """What four clients are offered: (address, host-name, domain-name) or None."""
    out = {}
    for name, args in (("listed", ("--mac", "52:54:00:77:00:01")),
                       ("listed with an option", ("--mac", "52:54:00:77:00:02")),
                       ("not listed", ("--mac", "52:54:00:77:00:03")),
                       ("kiosk by option 60", ("--mac", "52:54:00:77:00:04", "--vendor", "kiosk-model-9"))):
        offers = lab.probe("discover", *args, "--ask", "12", "--ask", "15")
        out[name] = (offers[0]["yiaddr"], text(offers[0], 12), text(offers[0], 15)) if offers else None
    return out


def check(found):
    assert found["listed"] is not None and found["listed"][0].startswith("10.77.0.10"), found
    assert found["listed"][1] is None, found
    assert found["listed with an option"] is not None and found["listed with an option"][1] == "two", found
    assert found["not listed"] is None, found
    kiosk = found["kiosk by option 60"]
    assert kiosk is not None and kiosk[0].startswith("10.77.0.20") and kiosk[2] == "kiosk.lab", found


@pytest.mark.skipif(live.available() is not None, reason=str(live.available()))
def test_dhcpd_serves_the_subclasses_members_only():
    with live.Lab() as lab:
        lab.dhcpd(render_config(SITE, "standalone", {}))
        check(answers(lab))


@pytest.mark.skipif(live.kea_available() is not None, reason=str(live.kea_available()))
@pytest.mark.parametrize("kea", live.KEA_VERSION_PARAMS)
def test_kea_serves_the_same_clients_as_dhcpd(kea):
    with live.KeaPair(live.kea_version(kea)) as lab:
        lab.standalone(SITE)
        check(answers(lab))
