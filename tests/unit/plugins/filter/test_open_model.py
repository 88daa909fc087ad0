"""The open model: option definitions, raw statements, includes, DDNS, boot
settings at every scope, DNS names and class forms, each through the real dhcpd -t."""

import os
import re
import tempfile

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import parse_model
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from tests.helpers import HOSTS, assert_dhcpd_accepts, example, render_checked

from .test_validation import problems

SECRET = "Zm9vYmFyYmF6cXV4cXV1eGZvb2Jhcg=="


def sub(m, i=0):
    return m["dhcpd_subnets"][i]


def first_problem(model, path):
    found, text = problems(model)
    msgs = [m for p, m in found if p == path]
    assert msgs, text
    return msgs[0]


# -- option definitions and spaces ---------------------------------------------


def test_definitions_spaces_and_encapsulation():
    model = example()
    model["dhcpd_option_definitions"] = [
        {"space": "ipxe", "name": "no-pxedhcp", "code": 176, "type": "unsigned integer 8"},
        {"space": "ipxe", "name": "bus-id", "code": 177, "type": "string"},
        {"name": "ipxe-encap-opts", "code": 175, "encapsulate": "ipxe"},
        {"name": "rfc3442-classless-static-routes", "code": 121, "type": "array of unsigned integer 8"},
        {"name": "site-record", "code": 240, "type": "{ ip-address, unsigned integer 16, text }"},
    ]
    model["dhcpd_options"] = {"ipxe.no-pxedhcp": 1, "rfc3442-classless-static-routes": "24, 10, 9, 1, 10, 4, 0, 1"}
    sub(model)["options"]["site-record"] = ["10.4.7.7", 8080, "a b"]
    text, dummy = render_checked(model, "primary")
    assert text.count("option space ipxe;") == 1
    assert text.index("option space ipxe;") < text.index("option ipxe.no-pxedhcp code 176 = unsigned integer 8;")
    assert text.index("code 176") < text.index("option ipxe.no-pxedhcp 1;")
    assert "option ipxe-encap-opts code 175 = encapsulate ipxe;" in text
    assert "option rfc3442-classless-static-routes 24, 10, 9, 1, 10, 4, 0, 1;" in text
    assert 'option site-record 10.4.7.7 8080 "a b";' in text


@pytest.mark.parametrize(
    "definition,path,words",
    [
        ({"name": "routers", "code": 200, "type": "ip-address"}, "dhcpd_option_definitions[0].name", "already an ISC DHCP 4.4 option"),
        ({"name": "my-opt", "code": 300, "type": "ip-address"}, "dhcpd_option_definitions[0].code", "between 1 and 254"),
        ({"name": "my-opt", "code": 200, "type": "array of text"}, "dhcpd_option_definitions[0].type", "arrays of text"),
        ({"name": "my-opt", "code": 200, "type": "integer 12"}, "dhcpd_option_definitions[0].type", "not a dhcpd option type"),
        ({"name": "my-opt", "code": 200}, "dhcpd_option_definitions[0]", "exactly one of type"),
        ({"name": "my-opt", "code": 200, "encapsulate": "nope"}, "dhcpd_option_definitions[0].encapsulate", "no options defined"),
        ({"space": "agent", "name": "x", "code": 9, "type": "text"}, "dhcpd_option_definitions[0].space", "space dhcpd declares itself"),
        ({"name": "bad name", "code": 200, "type": "text"}, "dhcpd_option_definitions[0].name", "not an option name"),
    ],
)
def test_definition_errors(definition, path, words):
    model = example()
    model["dhcpd_option_definitions"] = [definition]
    assert words in first_problem(model, path)


def test_definition_reusing_a_known_code_warns():
    """dhcpd accepts a second name for a code (real sites do: option arch code 93)."""
    model = example()
    model["dhcpd_option_definitions"] = [{"name": "arch", "code": 93, "type": "unsigned integer 16"}]
    warnings = []
    text = render_config(model, "primary", HOSTS, warnings=warnings)
    assert "option arch code 93 = unsigned integer 16;" in text
    assert any("code 93 is also pxe-system-type" in w for w in warnings), warnings


def test_text_with_backslashes_is_escaped():
    model = example()
    model["dhcpd_hosts"] = [{"name": "wds", "mac": "52:54:00:00:00:03", "boot_file": "boot\\x86\\wdsnbp.com"}]
    text, dummy = render_checked(model, "primary")
    assert 'filename "boot\\\\x86\\\\wdsnbp.com";' in text


def test_unknown_option_points_at_definitions():
    model = example()
    model["dhcpd_options"] = {"ipxe.no-pxedhcp": 1}
    msg = first_problem(model, "dhcpd_options.ipxe.no-pxedhcp")
    assert "not an ISC DHCP 4.4 option" in msg and "define it with dhcpd_option_definitions" in msg


def test_real_option_names_are_accepted():
    """Names 1.0 refused as 'dhcpd has no option named X'."""
    model = example()
    sub(model)["options"].update(
        {
            "static-routes": [["10.9.0.0", "10.4.0.1"], ["10.10.0.0", "10.4.0.2"]],
            "vendor-encapsulated-options": "01:04:0a:04:07:09",
            "dhcp-server-identifier": "10.4.7.9",
        }
    )
    text, dummy = render_checked(model, "primary")
    assert "option static-routes 10.9.0.0 10.4.0.1, 10.10.0.0 10.4.0.2;" in text
    assert "option vendor-encapsulated-options 01:04:0a:04:07:09;" in text


def test_option_expression():
    model = example()
    sub(model)["options"]["host-name"] = {"expression": 'concat ("pc-", binary-to-ascii (16, 8, "-", substring (hardware, 1, 6)))'}
    text, dummy = render_checked(model, "primary")
    assert 'option host-name = concat ("pc-", binary-to-ascii (16, 8, "-", substring (hardware, 1, 6)));' in text


# -- raw statements and includes ------------------------------------------------


def test_statements_at_every_scope_and_includes():
    model = example()
    model["dhcpd_statements"] = [
        "log-facility local7",
        "one-lease-per-client true",
        "use-host-decl-names on",
        "ping-check true",
        "ignore client-updates",
    ]
    sub(model)["statements"] = ["deny unknown-clients"]
    sub(model)["pools"][0]["statements"] = ["ping-timeout 2"]
    model["dhcpd_classes"] = [{"name": "lab", "match": 'option user-class = "lab"', "statements": ["lease limit 10"]}]
    model["dhcpd_hosts"] = [{"name": "pc1", "mac": "52:54:00:00:00:01", "address": "10.4.8.1", "statements": ['ddns-hostname "pc1"']}]
    model["dhcpd_shared_networks"] = [{"name": "lan", "statements": ["allow booting"], "subnets": [{"network": "10.9.0.0/24"}]}]
    with tempfile.TemporaryDirectory() as tmp:
        inc = os.path.join(tmp, "hosts.conf")
        model["dhcpd_includes"] = [inc]
        text = render_config(model, "primary", HOSTS)
        assert_dhcpd_accepts(text, {inc: "host extra { hardware ethernet 52:54:00:00:00:09; }\n"})
    for line in (
        "log-facility local7;",
        "ignore client-updates;",
        "    deny unknown-clients;",
        "        ping-timeout 2;",
        "    lease limit 10;",
        '    ddns-hostname "pc1";',
        "    allow booting;",
    ):
        assert line in text
    assert text.rstrip().endswith('include "%s";' % inc)


@pytest.mark.parametrize(
    "statement,words",
    [
        ('failover peer "x" state', "dhcpd_failover"),
        ("range 10.4.1.1 10.4.1.2", "range/ranges"),
        ("next-server 10.4.7.9", "next_server"),
        ('filename "x.efi"', "boot_files"),
        ("ddns-update-style interim", "dhcpd_ddns.style"),
        ("authoritative", "dhcpd_authoritative"),
        ("not authoritative", "dhcpd_authoritative"),
        ("mclt 10", "dhcpd_failover.mclt"),
        ("option routers 10.4.0.1", "options: mapping"),
        ("default-lease-time 60", "default_lease_time"),
        ('include "/etc/dhcp/x.conf"', "dhcpd_includes"),
        ("ping-check true; } evil {", "without ';', '{', '}'"),
        ("log-facility\nlocal7", "one statement on one line"),
    ],
)
def test_statements_that_collide_or_open_blocks_are_refused(statement, words):
    model = example()
    sub(model)["statements"] = [statement]
    assert words in first_problem(model, "dhcpd_subnets[0].statements[0]")


def test_pool_permits_stay_in_allow_deny():
    model = example()
    sub(model)["pools"][0]["statements"] = ['deny members of "pxe"']
    assert "allow/deny lists" in first_problem(model, "dhcpd_subnets[0].pools[0].statements[0]")
    sub(model)["pools"][0]["statements"] = ["allow booting"]
    assert "allow/deny lists" in first_problem(model, "dhcpd_subnets[0].pools[0].statements[0]")


def test_bad_include_path():
    model = example()
    model["dhcpd_includes"] = ["hosts.conf"]
    assert "absolute path" in first_problem(model, "dhcpd_includes[0]")


# -- DDNS ----------------------------------------------------------------------------


def ddns_model():
    model = example()
    model["dhcpd_pxe"]["next_server"] = "10.4.7.12"  # the same on both peers, for the comparison below
    model["dhcpd_ddns"] = {
        "style": "interim",
        "updates": True,
        "update_static_leases": True,
        "domain_name": "example.com",
        "rev_domain_name": "in-addr.arpa",
        "keys": [{"name": "ddns-key", "algorithm": "hmac-sha256", "secret": SECRET}],
        "zones": [
            {"name": "example.com", "primary": "10.4.7.7", "key": "ddns-key"},
            {"name": "4.10.in-addr.arpa.", "primary": "10.4.7.7", "secondary": "ns2.example.com", "key": "ddns-key"},
        ],
    }
    return model


def test_ddns_same_on_both_peers_and_key_only_in_secrets():
    model = ddns_model()
    texts = {}
    for role in ("primary", "secondary"):
        text, secrets = render_checked(model, role)
        texts[role] = text
        assert "ddns-update-style interim;" in text and "ddns-updates on;" in text and "update-static-leases on;" in text
        assert 'ddns-domainname "example.com";' in text
        assert "zone example.com. {\n    primary 10.4.7.7;\n    key ddns-key;\n}" in text
        assert "secondary ns2.example.com;" in text
        assert SECRET not in text and SECRET in secrets
        assert text.index('include "/etc/dhcp/dhcpd.secrets.conf";') < text.index("zone example.com.")

    def strip(t):
        return re.sub(r"(?s)failover peer .*?\n}\n", "", t).split("\n", 2)[2]

    assert strip(texts["primary"]) == strip(texts["secondary"])


@pytest.mark.parametrize(
    "mutate,path,words",
    [
        (lambda d: d["zones"][0].update(key="other"), "dhcpd_ddns.zones[0].key", "not in dhcpd_ddns.keys"),
        (lambda d: d["keys"][0].update(secret="not base64!"), "dhcpd_ddns.keys[0].secret", "base64 TSIG secret"),
        (lambda d: d.update(style="none"), "dhcpd_ddns.style", "set style: interim"),
        (lambda d: d.update(style="ad-hoc"), "dhcpd_ddns.style", "must be one of none, interim, standard"),
        (lambda d: d["zones"][0].update(primary="10.4.7"), "dhcpd_ddns.zones[0].primary", "not an IPv4 address"),
        (lambda d: d.update(updates="sometimes"), "dhcpd_ddns.updates", "true or false"),
    ],
)
def test_ddns_errors(mutate, path, words):
    model = ddns_model()
    mutate(model["dhcpd_ddns"])
    assert words in first_problem(model, path)


# -- boot settings at every scope ------------------------------------------------------


def test_per_scope_boot_settings_render_in_their_scope():
    model = example()
    model["dhcpd_pxe"]["next_server"] = "10.4.7.9"
    sub(model)["pxe"] = {"boot_files": {"uefi_x64": "subnet.efi"}}
    sub(model)["pools"][0]["pxe"] = {"boot_files": {"bios": "pool.0"}, "next_server": "10.4.7.12"}
    model["dhcpd_classes"] = [{"name": "lab", "match": 'option user-class = "lab"', "pxe": {"boot_files": {"uefi_x64": "class.efi"}}}]
    model["dhcpd_shared_networks"] = [
        {
            "name": "lan",
            "pxe": {"clients": "all", "boot_files": {"other": "any.0"}},
            "subnets": [{"network": "10.9.0.0/24", "pools": [{"range": "10.9.0.10 10.9.0.20"}]}],
        }
    ]
    text, dummy = render_checked(model, "secondary")
    subnet = text[text.index("subnet 10.4.0.0") : text.index("    pool {")]
    assert 'filename "subnet.efi";' in subnet and "next-server 10.4.7.9;" in subnet
    # Inherited keys are written too, so the scope says everything its clients get.
    assert 'filename "pxelinux.0";' in subnet
    pool = text[text.index("    pool {") :]
    assert "next-server 10.4.7.12;" in pool and 'filename "pool.0";' in pool and 'filename "subnet.efi";' in pool
    cls = text[text.index('class "lab"') :]
    assert 'filename "class.efi";' in cls
    lan = text[text.index('shared-network "lan"') :]
    # clients: all -> no PXEClient test; "other" is the file of every other client.
    assert '    } else {\n        filename "any.0";' in lan
    assert 'shared-network "lan" {\n    next-server 10.4.7.9;' in lan


def test_bios_only_and_uefi_only_sites():
    for files in ({"bios": "pxelinux.0"}, {"uefi_x64": "grubx64.efi"}):
        model = example()
        model["dhcpd_pxe"]["boot_files"] = files
        text, dummy = render_checked(model, "primary")
        assert 'filename "%s";' % list(files.values())[0] in text
        other = "shimx64.efi" if "bios" in files else "pxelinux.0"
        assert other not in text


def test_clients_all_gives_every_client_a_file():
    model = example()
    model["dhcpd_pxe"].update(clients="all", boot_files={"bios": "pxelinux.0"})
    text, dummy = render_checked(model, "primary")
    assert '"PXEClient" {\n    next-server' not in text
    assert "\nnext-server 10.4.7.9;\nif not exists pxe-system-type" in text


def test_next_server_self_differs_only_in_next_server():
    model = example()
    model["dhcpd_pxe"]["next_server"] = "self"
    model["dhcpd_hosts"] = [{"name": "kiosk", "mac": "52:54:00:00:00:02", "address": "10.4.8.2", "boot_file": "kiosk.efi"}]
    sub(model)["pools"][0]["pxe"] = {"boot_files": {"bios": "pool.0"}}
    primary, dummy = render_checked(model, "primary")
    secondary, dummy = render_checked(model, "secondary")
    assert "next-server 10.4.7.9;" in primary and "10.4.7.210;" not in primary.split("failover peer", maxsplit=1)[0]
    assert "next-server 10.4.7.210;" in secondary

    def body(t):
        return t[t.index("# Network boot clients") :]

    assert body(primary).count("next-server 10.4.7.9;") == 3
    assert body(primary).replace("next-server 10.4.7.9;", "next-server SELF;") == body(secondary).replace(
        "next-server 10.4.7.210;", "next-server SELF;"
    )


def test_self_needs_failover():
    model = example()
    model.pop("dhcpd_failover")
    model["dhcpd_subnets"][0]["pools"][0]["failover"] = False
    model["dhcpd_pxe"]["next_server"] = "self"
    found, text = problems(model, role="standalone")
    assert any(p == "dhcpd_pxe.next_server" and "needs dhcpd_failover" in m for p, m in found), text


def test_host_boot_settings():
    model = example()
    model["dhcpd_hosts"] = [
        {"name": "a", "mac": "52:54:00:00:00:01", "next_server": "10.4.7.12", "boot_file": "a.efi"},
        {"name": "b", "mac": "52:54:00:00:00:02", "boot_file": "b.efi"},
    ]
    text, dummy = render_checked(model, "primary")
    assert 'host a {\n    hardware ethernet 52:54:00:00:00:01;\n    next-server 10.4.7.12;\n    filename "a.efi";' in text
    assert 'host b {\n    hardware ethernet 52:54:00:00:00:02;\n    next-server 10.4.7.9;\n    filename "b.efi";' in text


def test_host_boot_file_without_any_next_server_is_refused():
    """1.0 rendered this with no next-server anywhere (the client would ask 0.0.0.0)."""
    model = example()
    model["dhcpd_pxe"]["enabled"] = False
    model["dhcpd_hosts"] = [{"name": "b", "mac": "52:54:00:00:00:02", "boot_file": "b.efi"}]
    assert "needs a next-server" in first_problem(model, "dhcpd_hosts[0].boot_file")


def test_scope_boot_without_next_server_is_refused():
    model = example()
    model.pop("dhcpd_pxe")
    sub(model)["pxe"] = {"boot_files": {"bios": "pxelinux.0"}}
    assert "without a next-server" in first_problem(model, "dhcpd_subnets[0].pxe.next_server")


# -- DNS names -----------------------------------------------------------------------------


def test_dns_names_where_dhcpd_takes_them():
    model = example()
    model["dhcpd_failover"]["primary"]["address"] = "dhcp1.example.com"
    model["dhcpd_failover"]["secondary"]["address"] = "dhcp2.example.com"
    sub(model)["options"]["domain-name-servers"] = ["ns1.example.com", "10.4.7.29"]
    model["dhcpd_pxe"]["next_server"] = "tftp.example.org"
    warnings = []
    hosts = dict(HOSTS)
    text = render_config(model, "primary", hosts, warnings=warnings)
    assert "address dhcp1.example.com;" in text and "peer address dhcp2.example.com;" in text
    assert "option domain-name-servers ns1.example.com, 10.4.7.29;" in text
    assert "next-server tftp.example.org;" in text
    # Inventory hosts are looked up: the peers' addresses could be compared.
    assert not [w for w in warnings if "peers' addresses" in w]
    model["dhcpd_failover"]["secondary"]["address"] = "dhcp9.example.net"
    warnings = []
    render_config(model, "primary", hosts, warnings=warnings)
    assert any("could not check that the peers' addresses differ: dhcp9.example.net" in w for w in warnings), warnings


def test_dns_name_peers_resolving_to_one_address_are_refused():
    model = example()
    model["dhcpd_failover"]["primary"]["address"] = "dhcp1.example.com"
    model["dhcpd_failover"]["secondary"]["address"] = "10.4.7.9"
    assert "different addresses" in first_problem(model, "dhcpd_failover.secondary.address")


def test_single_label_names_are_refused_as_likely_typos():
    model = example()
    model["dhcpd_options"] = {"domain-name-servers": "dns1"}
    assert "fully qualified" in first_problem(model, "dhcpd_options.domain-name-servers")


# -- classes ---------------------------------------------------------------------------------


def test_spawn_and_subclass_classes():
    model = example()
    model["dhcpd_classes"] = [
        {
            "name": "per-client",
            "match": 'option user-class = "limited"',
            "spawn_with": "option dhcp-client-identifier",
            "statements": ["lease limit 2"],
        },
        {
            "name": "known-macs",
            "match": "hardware",
            "subclasses": [
                {"match_value": "1:52:54:00:00:00:01"},
                {"match_value": "1:52:54:00:00:00:02", "options": {"host-name": "two"}, "max_lease_time": 600},
            ],
        },
        {"name": "vendors", "match": "substring (option vendor-class-identifier, 0, 4)", "subclasses": [{"match_value": "MSFT"}]},
    ]
    sub(model)["pools"][0]["deny"] = ['members of "per-client"']
    text, dummy = render_checked(model, "primary")
    assert (
        'class "per-client" {\n    match if option user-class = "limited";\n    spawn with option dhcp-client-identifier;\n    lease limit 2;\n}'
        in text
    )
    assert 'class "known-macs" {\n    match hardware;\n}' in text
    assert 'subclass "known-macs" 01:52:54:00:00:00:01;' in text
    assert 'subclass "known-macs" 01:52:54:00:00:00:02 {\n    max-lease-time 600;\n    option host-name "two";\n}' in text
    assert 'subclass "vendors" "MSFT";' in text


def test_class_form_errors():
    model = example()
    model["dhcpd_classes"] = [
        {"name": "a", "subclasses": [{"match_value": "x"}]},
        {"name": "b"},
        {"name": "c", "match": "hardware", "spawn_with": "hardware", "subclasses": [{"match_value": "x"}]},
    ]
    found, text = problems(model)
    paths = dict(found)
    assert "needs match" in paths["dhcpd_classes[0].match"], text
    assert "is required" in paths["dhcpd_classes[1].match"], text
    assert "not both" in paths["dhcpd_classes[2].spawn_with"], text


def test_many_classes_warn_instead_of_refusing():
    model = example()
    model["dhcpd_classes"] = [{"name": "c%d" % i, "match": 'option user-class = "c%d"' % i} for i in range(6)]
    warnings = []
    text = render_config(model, "primary", HOSTS, warnings=warnings)
    assert text.count("class ") >= 8
    assert any("too many classes match" in w for w in warnings), warnings


# -- nothing silently ignored ----------------------------------------------------------------


def test_unknown_top_level_variable_is_named():
    model = example()
    model["dhcpd_statment"] = ["log-facility local7"]
    assert "did you mean 'dhcpd_statements'" in first_problem(model, "dhcpd_statment")


def test_model_keeps_typed_values():
    model = parse_model(ddns_model(), HOSTS)
    assert model.ddns.zones[0].primary == ("ip", "10.4.7.7")
    assert model.shared_networks[0].subnets[0].scope.options[0].value[0] in ("ip", "array", "text", "int")


def test_what_serves_no_client_is_warned_about_not_refused():
    """A subnet with neither pool nor reservation, and a shared network of one
    subnet: warnings at render time (they still pass dhcpd -t), naming the
    variable; a subnet with a reservation, and a shared network of two, pass
    in silence."""
    model = example()
    model["dhcpd_subnets"] += [{"network": "10.20.0.0/24"}, {"network": "10.21.0.0/24"}]
    model["dhcpd_hosts"] = [{"name": "printer", "mac": "52:54:00:44:00:01", "address": "10.21.0.5"}]
    model["dhcpd_shared_networks"] = [
        {"name": "alone", "subnets": [{"network": "10.30.0.0/24", "pools": [{"range": "10.30.0.10 10.30.0.20"}]}]},
        {"name": "pair", "subnets": [{"network": "10.31.0.0/24", "pools": [{"range": "10.31.0.10 10.31.0.20"}]},
                                     {"network": "10.32.0.0/24", "pools": [{"range": "10.32.0.10 10.32.0.20"}]}]},
    ]
    warnings = []
    text = render_config(model, "primary", HOSTS, warnings=warnings)
    assert_dhcpd_accepts(text)
    served = sorted(w for w in warnings if "serves no client" in w or "holds one subnet" in w)
    assert len(served) == 2, warnings
    assert served[0].startswith("dhcpd_shared_networks[0]: shared network 'alone' holds one subnet") and "dhcpd_subnets" in served[0]
    assert served[1].startswith("dhcpd_subnets[1]: 10.20.0.0/24 has neither a pool nor a reservation")
    # The same with a reservation of more than a name, a MAC and an address.
    model["dhcpd_hosts"][0]["boot_file"] = "printer.efi"
    assert sorted(w for w in parse_model(model, HOSTS).warnings if "serves no client" in w or "holds one subnet" in w) == served
    # The example draws none.
    assert parse_model(example(), None).warnings == []
