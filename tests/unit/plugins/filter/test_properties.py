"""Property-based tests: valid descriptions always pass the real dhcpd -t;
broken ones always give the collection's error, never a traceback."""

import copy
import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_types import parse_type
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_vocab import OPTIONS

from tests.helpers import HOSTS, assert_dhcpd_accepts, dhcpd_t

SAFE_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters='"'), max_size=20)
ATOM_TYPES = [
    "boolean",
    "ip-address",
    "text",
    "string",
    "domain-list",
    "domain-name",
    "unsigned integer 8",
    "signed integer 16",
    "unsigned integer 32",
    "integer 8",
]
LEAF_TYPES = ["boolean", "ip-address", "unsigned integer 8", "signed integer 16", "unsigned integer 32"]


@st.composite
def type_strings(draw):
    kind = draw(st.sampled_from(["atom", "array", "record", "record-array", "array-record"]))
    if kind == "atom":
        return draw(st.sampled_from(ATOM_TYPES))
    if kind == "array":
        return "array of " + draw(st.sampled_from(LEAF_TYPES))
    fields = draw(st.lists(st.sampled_from(LEAF_TYPES), min_size=1, max_size=3))
    if kind == "record":
        fields.append(draw(st.sampled_from(LEAF_TYPES + ["text", "string"])))
        return "{ %s }" % ", ".join(fields)
    if kind == "record-array":
        return "{ %s, array of %s }" % (", ".join(fields), draw(st.sampled_from(LEAF_TYPES)))
    return "array of { %s }" % ", ".join(fields + [draw(st.sampled_from(LEAF_TYPES))])


@st.composite
def values(draw, tree):
    """A value of a parsed type, as a user writes it in YAML."""
    if tree[0] == "array":
        return draw(st.lists(values(tree[1]), min_size=1, max_size=3))
    if tree[0] == "record":
        return [draw(values(f)) for f in tree[1]]
    kind = tree[1]
    if kind == "integer":
        bits, signed = tree[2], tree[3]
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        return draw(st.integers(low, high))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "ip-address":
        return draw(st.one_of(st.ip_addresses(v=4).map(str), st.sampled_from(["ns1.example.com", "boot.example.org"])))
    if kind in ("text", "string"):
        return draw(SAFE_TEXT)
    if kind.startswith("domain-list"):
        return draw(st.lists(st.sampled_from(["example.com", "lab.example.com", "a-b.example.org"]), min_size=1, max_size=3))
    if kind == "ip6-address":
        return draw(st.ip_addresses(v=6).map(str))
    return draw(st.sampled_from(["example.com", "lab.example.com"]))


ALL_OPTIONS = sorted((space, name) for space, table in OPTIONS.items() for name in table)
STATEMENTS = {
    "global": [
        "log-facility local7",
        "one-lease-per-client true",
        "use-host-decl-names on",
        "ping-check false",
        "ignore client-updates",
        "allow booting",
    ],
    "subnet": ["deny unknown-clients", "ping-timeout 2", "allow bootp", "ignore declines"],
    "pool": ["ping-check true", "ping-timeout 3", "min-secs 2"],
}


@st.composite
def boot_mapping(draw):
    files = {}
    for key in draw(st.lists(st.sampled_from(["bios", "uefi_x64", "uefi_arm64", "uefi_ia32", "other"]), max_size=3, unique=True)):
        files[key] = draw(st.sampled_from(["pxelinux.0", "shimx64.efi", "dir/grub.efi", "boot\\x86\\wdsnbp.com"]))
    out = {"boot_files": files} if files else {}
    out["next_server"] = draw(st.sampled_from(["10.4.7.12", "self", "tftp1.example.com", "tftp.example.org"]))
    if draw(st.booleans()) or not files:
        # Without files, a scope only hands out next-server, to every client.
        out["clients"] = "all" if not files else draw(st.sampled_from(["pxe", "all"]))
    return out


def open_model_parts(draw, model):
    """Options from the whole table, definitions of random types, raw statements, boot settings per scope."""
    sub = model["dhcpd_subnets"][0]
    for space, name in draw(st.lists(st.sampled_from(ALL_OPTIONS), max_size=4, unique=True)):
        key = name if space == "dhcp" else "%s.%s" % (space, name)
        sub.setdefault("options", {})[key] = draw(values(parse_type(OPTIONS[space][name][1])))
    definitions = []
    for i, type_text in enumerate(draw(st.lists(type_strings(), max_size=3))):
        space = draw(st.sampled_from([None, "site"]))
        d = {"name": "opt%d" % i, "code": 200 + i, "type": type_text}
        if space:
            d["space"] = space
        definitions.append(d)
        key = d["name"] if not space else "site." + d["name"]
        model.setdefault("dhcpd_options", {})[key] = draw(values(parse_type(type_text)))
    if definitions:
        model["dhcpd_option_definitions"] = definitions
    model["dhcpd_statements"] = draw(st.lists(st.sampled_from(STATEMENTS["global"]), max_size=3, unique=True))
    sub["statements"] = draw(st.lists(st.sampled_from(STATEMENTS["subnet"]), max_size=2, unique=True))
    if sub.get("pools"):
        sub["pools"][-1]["statements"] = draw(st.lists(st.sampled_from(STATEMENTS["pool"]), max_size=2, unique=True))
    if draw(st.booleans()):
        sub["pxe"] = draw(boot_mapping())
    if sub.get("pools") and draw(st.booleans()) and not sub["pools"][0].get("pxe"):
        sub["pools"][0]["pxe"] = draw(boot_mapping())


SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("HYPOTHESIS_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


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
            pools.append(
                {
                    "range": "%s %s" % (net.network_address + 255 - 1 - 13, net.network_address + 254),
                    "failover": False,
                    "pxe": True,
                    "bootp": draw(st.booleans()),
                }
            )
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
    if draw(st.booleans()):
        open_model_parts(draw, model)
    return model


@SETTINGS
@given(models(), st.sampled_from(["primary", "secondary", "standalone"]))
def test_valid_models_pass_dhcpd(model, role):
    if role == "standalone" and "self" in repr(model):
        role = "primary"
    assert_dhcpd_accepts(render_config(model, role, HOSTS))


@SETTINGS
@given(type_strings(), st.data())
def test_type_strings_and_values_agree_with_dhcpd(type_text, data):
    """Every type the model accepts, dhcpd accepts, with a value of that type."""
    tree = parse_type(type_text)
    model = {
        "dhcpd_subnets": [{"network": "10.4.0.0/16"}],
        "dhcpd_option_definitions": [{"name": "t", "code": 250, "type": type_text}],
        "dhcpd_options": {"t": data.draw(values(tree))},
    }
    text = render_config(model, "standalone", HOSTS)
    rc, out = dhcpd_t(text)
    assert rc == 0, out + text


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
    st.sampled_from(['x"; }', "10.4.45.300", "0.0.0.0 255.255.255.255", 'members of "nope"', "", "-1", "{}"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@SETTINGS
@given(models(), st.data(), st.sampled_from(["primary", "secondary"]))
def test_broken_models_give_the_collections_error(model, data, role):
    model = copy.deepcopy(model)
    paths = [p for p in _paths(model) if p]
    raw_statement = False
    for dummy in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        raw_statement |= any(str(k).endswith("statements") for k in path)
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
    if raw_statement:
        # Raw statements are checked for shape only; dhcpd -t is their judge
        # (the roles run it on every peer before any change): it either takes
        # the file or names the line.
        rc, out = dhcpd_t(text)
        assert rc == 0 or " line " in out, out
        return
    # The junk happened to be acceptable: then dhcpd must accept the result.
    assert_dhcpd_accepts(text)


@SETTINGS
@given(models(), st.sampled_from(["primary", "secondary"]))
def test_the_kea_backend_refuses_before_it_writes(model, role):
    """For any model the dhcpd side accepts, the kea backend either refuses
    with exactly what its checks (_kea_check.kea_problems) found before any
    writing, or writes a configuration: the writer itself never refuses."""
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_check import kea_problems
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_settings import read_settings
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import parse_model

    settings = {"interfaces": ["eth0"]}
    found, dummy = kea_problems(parse_model(model, HOSTS), read_settings(settings), HOSTS, role)
    try:
        conf = render_kea(model, role, HOSTS, settings)
    except ModelError as exc:
        assert found and exc.problems == list(dict.fromkeys(found))
    else:
        assert not found
        assert conf["Dhcp4"]["subnet4"] or conf["Dhcp4"].get("shared-networks")
