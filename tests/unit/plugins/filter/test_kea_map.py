"""_kea_map.py's promise: a key declared there is checked and written
wherever it is found, with no other file to change. A probe key found at
every place the table names is asked for by the checks and by the writer at
each of them, and what it writes lands in the scope's own JSON entry."""

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils import _kea_map
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

from tests.helpers import HOSTS, example

PLACES = ("dhcpd", "class") + _kea_map.ANY_SCOPE


def every_place():
    description = example()
    description["dhcpd_shared_networks"] = [
        {"name": "campus", "subnets": [{"network": "10.9.0.0/24", "pools": [{"range": "10.9.0.10 10.9.0.20"}]}]}]
    description["dhcpd_classes"] = [{"name": "macs", "match": "hardware", "subclasses": [{"match_value": "1:52:54:00:00:00:09"}]}]
    description["dhcpd_hosts"] = list(description.get("dhcpd_hosts") or []) + [{"name": "fixed", "mac": "52:54:00:09:00:01", "address": "10.9.0.5"}]
    return description


def test_a_key_is_checked_and_written_at_every_place_it_is_found(monkeypatch):
    checked, written = set(), set()

    def probe(at):
        def check(checks, obj, path):
            checked.add(at)

        def write(writer, obj, out, me):
            written.add(at)
            if isinstance(out, dict):  # a scope's entry, or the Dhcp4 mapping
                out["user-context"] = {"probe": at}

        return _kea_map.Key("probe at " + at, (at,), lambda obj, path, spath: [(path, "x")], kea="probe", check=check, write=write)

    monkeypatch.setattr(_kea_map, "KEYS", _kea_map.KEYS + tuple(probe(at) for at in PLACES))
    conf = render_kea(every_place(), "primary", HOSTS, {"interfaces": ["lo"]})["Dhcp4"]
    assert checked == set(PLACES)
    assert written == set(PLACES)
    # A scope's key writes into that scope's own entry.
    assert conf["user-context"] == {"probe": "dhcpd"}
    campus = conf["shared-networks"][0]
    assert campus["user-context"] == {"probe": "scope:shared_network"}
    assert campus["subnet4"][0]["user-context"] == {"probe": "scope:subnet"}
    assert all(p["user-context"] == {"probe": "scope:pool"} for p in campus["subnet4"][0]["pools"])
    assert campus["subnet4"][0]["reservations"][0]["user-context"] == {"probe": "scope:host"}
    assert next(k for k in conf["client-classes"] if k["name"] == "macs:1")["user-context"] == {"probe": "scope:subclass"}
    assert next(k for k in conf["client-classes"] if k["name"] == "macs")["user-context"] == {"probe": "scope:class"}
