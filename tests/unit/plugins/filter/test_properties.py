"""Property-based tests: valid descriptions always pass the real dhcpd -t;
broken ones always give the collection's error, never a traceback."""

import copy
import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_model import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from tests.unit.helpers import HOSTS, assert_dhcpd_accepts

SETTINGS = settings(max_examples=int(__import__("os").environ.get("HYPOTHESIS_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def subnets(draw, pxe_mode):
    count = draw(st.integers(1, 4))
    thirds = draw(st.lists(st.integers(0, 250), min_size=count, max_size=count, unique=True))
    out = []
    for third in thirds:
        net = ipaddress.IPv4Network("10.%d.%d.0/24" % (draw(st.integers(10, 20)), third))
        # Cut the usable addresses into disjoint ranges.
        cuts = sorted(draw(st.lists(st.integers(1, 254), min_size=2, max_size=6, unique=True)))
        ranges = [(cuts[i], cuts[i + 1] - 1) for i in range(0, len(cuts) - 1, 2)] or [(1, 254)]
        pools = []
        for j, (a, b) in enumerate(ranges):
            pool = {"range": "%s %s" % (net.network_address + a, net.network_address + b)}
            if draw(st.booleans()):
                pool["default_lease_time"] = draw(st.integers(60, 86400))
            pools.append(pool)
        if pxe_mode == "primary_only":
            pools.append({"range": "%s %s" % (net.network_address + 255 - 1 - 13, net.network_address + 254), "failover": False, "pxe": True, "bootp": draw(st.booleans())})
            pools[0]["range"] = "%s %s" % (net.network_address + 1, net.network_address + 200)
            pools = [pools[0], pools[-1]]
        options = {}
        if draw(st.booleans()):
            options["routers"] = str(net.network_address + 254)
        if draw(st.booleans()):
            options["domain-name-servers"] = [str(net.network_address + 253), "10.4.7.7"]
        if draw(st.booleans()):
            options["domain-search"] = ["example.com", "lab.example.com"]
        if draw(st.booleans()):
            options["time-offset"] = draw(st.integers(-43200, 43200))
        out.append({"network": str(net), "options": options, "pools": pools})
    # Drop a pool of a subnet into another key order to vary rendering paths.
    return out


@st.composite
def models(draw):
    pxe_mode = draw(st.sampled_from(["failover", "primary_only"]))
    failover = {
        "name": draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
        "primary": {"host": "dhcp1.example.com", "address": "10.4.7.9", "port": draw(st.sampled_from([647, 847, 519]))},
        "secondary": {"host": "dhcp2.example.com", "address": "10.4.7.210"},
        "mclt": draw(st.integers(60, 7200)),
        "load_balance_max_seconds": draw(st.integers(3, 5)),
    }
    if draw(st.booleans()):
        failover["split"] = draw(st.integers(0, 256))
    else:
        failover["hba"] = ":".join(draw(st.lists(st.sampled_from(["00", "ff", "0f", "a5"]), min_size=32, max_size=32)))
    if draw(st.booleans()):
        failover["auto_partner_down"] = draw(st.integers(0, 3600))
    model = {
        "dhcpd_failover": failover,
        "dhcpd_subnets": draw(subnets(pxe_mode)),
        "dhcpd_default_lease_time": draw(st.integers(60, 86400)),
    }
    if draw(st.booleans()) or pxe_mode == "primary_only":
        model["dhcpd_pxe"] = {
            "mode": pxe_mode,
            "next_server": draw(st.sampled_from(["tftp1.example.com", "10.4.7.12"])),
            "boot_files": {
                "bios": "pxelinux.0",
                "uefi_x64": draw(st.sampled_from(["shimx64.efi", "grubx64.efi", "uefi/grubx64.efi"])),
                "uefi_arm64": draw(st.sampled_from([None, "grubaa64.efi"])),
                "http_x64": draw(st.sampled_from([None, "http://10.4.7.12/shimx64.efi"])),
            },
            "ipxe_script": draw(st.sampled_from([None, "http://10.4.7.12/menu.ipxe"])),
            "concurrent_clients": 4,
        }
    if draw(st.booleans()):
        model["dhcpd_hosts"] = [
            {"name": "host%d" % i, "mac": "52:54:00:00:01:%02x" % i, "address": str(ipaddress.IPv4Address("10.4.8.0") + i)}
            for i in range(draw(st.integers(0, 3)))
        ]
        model["dhcpd_subnets"].append({"network": "10.4.8.0/24"})
    return model


@SETTINGS
@given(models(), st.sampled_from(["primary", "secondary", "standalone"]))
def test_valid_models_pass_dhcpd(model, role):
    assert_dhcpd_accepts(render_config(model, role, HOSTS))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(['x"; }', "10.4.45.300", "0.0.0.0 255.255.255.255", "members of \"nope\"", "", "-1", "{}"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@SETTINGS
@given(models(), st.data(), st.sampled_from(["primary", "secondary"]))
def test_broken_models_give_the_collections_error(model, data, role):
    model = copy.deepcopy(model)
    paths = [p for p in _paths(model) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        target = model
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = data.draw(JUNK)
        except (KeyError, IndexError, TypeError):
            continue
    try:
        text = render_config(model, role, HOSTS)
    except ModelError as exc:
        assert str(exc).count(": ") >= 1 and exc.problems
        return
    # The junk happened to be acceptable: then dhcpd must accept the result.
    assert_dhcpd_accepts(text)
