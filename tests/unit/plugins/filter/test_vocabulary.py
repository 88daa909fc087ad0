"""The option table and dhcpd's type grammar, proved against the real dhcpd -t."""

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_types import TypeError_, parse_type
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_vocab import OPTIONS

from tests.helpers import assert_dhcpd_accepts, dhcpd_t, example, render_checked

from .test_validation import problems


def sample(tree):
    """A value of the type, as a user would write it in YAML."""
    if tree[0] == "array":
        return [sample(tree[1]), sample(tree[1])]
    if tree[0] == "record":
        return [sample(f) for f in tree[1]]
    kind = tree[1]
    return {
        "integer": 1,
        "boolean": True,
        "ip-address": "10.4.7.7",
        "ip6-address": "2001:db8::1",
        "text": "sample text",
        "string": "sample",
        "domain-list": ["example.com", "lab.example.com"],
        "domain-list compressed": ["example.com", "lab.example.com"],
        "domain-name": "example.com",
    }[kind]


ALL = [(space, name) for space, table in OPTIONS.items() for name in table]


def key(space, name):
    return name if space == "dhcp" else "%s.%s" % (space, name)


@pytest.mark.parametrize("space,name", ALL, ids=[key(s, n) for s, n in ALL])
def test_every_option_in_the_table_passes_dhcpd(space, name):
    tree = parse_type(OPTIONS[space][name][1])
    model = example()
    model["dhcpd_subnets"][0]["options"] = {key(space, name): sample(tree)}
    text, dummy = render_checked(model, "primary")
    assert "option %s " % key(space, name) in text


@pytest.mark.parametrize(
    "name,value,words",
    [
        ("routers", "not an address", "not an IPv4 address"),
        ("interface-mtu", 70000, "between 0 and 65535"),
        ("ip-forwarding", "maybe", "true or false"),
        ("static-routes", ["10.0.0.1"], "takes 2 fields"),
        ("domain-search", ["not a domain!"], "not a domain name"),
        ("slp-service-scope", [True], "takes 2 fields"),
        ("time-offset", 2**31, "between -2147483648 and 2147483647"),
        ("host-name", ["a", "b"], "takes one text"),
    ],
)
def test_wrong_type_is_refused(name, value, words):
    model = example()
    model["dhcpd_subnets"][0]["options"] = {name: value}
    found, text = problems(model)
    assert any(p == "dhcpd_subnets[0].options.%s" % name and words in m for p, m in found), text


@pytest.mark.parametrize(
    "type_text",
    [
        "boolean",
        "signed integer 16",
        "unsigned integer 32",
        "integer 8",
        "ip-address",
        "ip6-address",
        "text",
        "string",
        "domain-list",
        "domain-list compressed",
        "domain-name",
        "array of ip-address",
        "array of unsigned integer 8",
        "{ ip-address, unsigned integer 8 }",
        "{ unsigned integer 8, text }",
        "{ boolean, array of ip-address }",
        "array of { ip-address, ip-address }",
    ],
)
def test_type_grammar_matches_dhcpd_accepting(type_text):
    tree = parse_type(type_text)
    assert tree
    assert_dhcpd_accepts("option test-opt code 240 = %s;\nsubnet 10.0.0.0 netmask 255.255.255.0 { }\n" % type_text)


@pytest.mark.parametrize(
    "type_text,words",
    [
        ("array of text", "arrays of text"),
        ("array of array of ip-address", "no nested arrays"),
        ("{ text, ip-address }", "text must be at end of record"),
        ("{ string, ip-address }", "string must be at end of record"),
        ("unsigned integer 12", "not a dhcpd option type"),
        ("ipaddress", "not a dhcpd option type"),
    ],
)
def test_type_grammar_matches_dhcpd_refusing(type_text, words):
    with pytest.raises(TypeError_, match=words):
        parse_type(type_text)
    rc, _out = dhcpd_t("option test-opt code 240 = %s;\nsubnet 10.0.0.0 netmask 255.255.255.0 { }\n" % type_text)
    assert rc != 0, "dhcpd accepted %r, the model refuses it" % type_text
