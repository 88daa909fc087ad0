"""The description's sections are declared once (plugin_utils/_model_schema.py)
and written down twice more: as the nested suboptions of the dhcpd role's
meta/argument_specs.yml and as the key table of docs/model.md. These tests
hold the three together, and prove that every description the readers
accept (the inventories and the corpus of real sites) also passes Ansible's
own validation of the role's arguments, and that a misspelt key is refused
by both."""

import glob
import os
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils import _model_schema as schema
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_checker import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import TOP_KEYS, parse_model

from tests.helpers import HOSTS, ROOT, example

SPEC_TYPES = {"int": "int", "bool": "bool", "choice": "str", "name": "str", "line": "str", "text": "str", "address": "str",
              "domain": "str", "secret": "str", "raw": "raw"}


def role_options():
    with open(os.path.join(ROOT, "roles", "dhcpd", "meta", "argument_specs.yml")) as fh:
        return yaml.safe_load(fh)["argument_specs"]["main"]["options"]


def at(options, path):
    """The suboptions at a dotted path of the role's options (list elements are walked through)."""
    node = {"options": options}
    for key in path.split("."):
        node = node["options"][key]
    return node["options"]


# Each section and where the argument specs nest it.
PLACES = [
    (schema.FAILOVER, ["dhcpd_failover"]),
    (schema.FAILOVER_PEER, ["dhcpd_failover.primary", "dhcpd_failover.secondary"]),
    (schema.PXE, ["dhcpd_pxe"]),
    # (A pool's pxe may also be true: the PXE-only pool; a host takes none.)
    (schema.SCOPE_PXE, ["dhcpd_subnets.pxe", "dhcpd_shared_networks.pxe", "dhcpd_shared_networks.subnets.pxe", "dhcpd_classes.pxe"]),
    (schema.SUBNET, ["dhcpd_subnets", "dhcpd_shared_networks.subnets"]),
    (schema.POOL, ["dhcpd_subnets.pools", "dhcpd_shared_networks.subnets.pools"]),
    (schema.SHARED_NETWORK, ["dhcpd_shared_networks"]),
    (schema.CLASS, ["dhcpd_classes"]),
    (schema.SUBCLASS, ["dhcpd_classes.subclasses"]),
    (schema.HOST, ["dhcpd_hosts"]),
    (schema.OMAPI, ["dhcpd_omapi"]),
    (schema.DDNS, ["dhcpd_ddns"]),
    (schema.DDNS_KEY, ["dhcpd_ddns.keys"]),
    (schema.DDNS_ZONE, ["dhcpd_ddns.zones"]),
    (schema.OPTION_DEFINITION, ["dhcpd_option_definitions"]),
]


def test_every_section_has_its_place_in_the_argument_specs():
    assert sorted(s.name for s, dummy in PLACES) == sorted(s.name for s in schema.SECTIONS)


@pytest.mark.parametrize("section,places", PLACES, ids=[s.name for s, dummy in PLACES])
def test_the_argument_specs_nest_each_section_key_for_key(section, places):
    for place in places:
        spec = at(role_options(), place)
        assert list(spec) == list(section.keys), place
        for f in section.fields:
            entry = spec[f.key]
            if entry["type"] in ("dict", "list"):
                assert f.kind == "raw", "%s.%s: a nested section is read by its policy" % (place, f.key)
            else:
                assert entry["type"] == SPEC_TYPES[f.kind], "%s.%s" % (place, f.key)
            assert tuple(entry.get("choices") or ()) == tuple(f.choices), "%s.%s" % (place, f.key)
            assert entry.get("default") == f.default, "%s.%s" % (place, f.key)
            assert entry.get("no_log", False) == (f.kind == "secret"), "%s.%s" % (place, f.key)
            # Ansible would refuse a standalone server's empty mapping: the
            # readers say what is missing, naming the fix.
            assert not entry.get("required"), "%s.%s" % (place, f.key)
            assert entry.get("description"), "%s.%s" % (place, f.key)


def test_docs_model_lists_each_section_s_keys_and_which_are_required():
    with open(os.path.join(ROOT, "docs", "model.md")) as fh:
        text = fh.read()
    rows = dict(re.findall(r"^\| `([^`]+)` \| (`.*`|\*\*`.*) \|$", text, re.M))
    for section in schema.SECTIONS:
        assert section.name in rows, "docs/model.md has no row for %s" % section.name
        listed = [(bool(m.group(1)), m.group(2)) for m in re.finditer(r"(\*\*)?`([a-z_]+)`(?:\*\*)?", rows[section.name])]
        assert listed == [(f.required, f.key) for f in section.fields], section.name


def descriptions():
    """Every description the repository holds: the inventories' and the corpus's."""
    out = []
    for name in ("example", "example-primary-only", "lab"):
        out.append(("inventories/" + name, example(name)))
    for site in sorted(glob.glob(os.path.join(ROOT, "tests", "corpus", "*.yml"))):
        with open(site) as fh:
            data = yaml.safe_load(fh)
        out.append((os.path.relpath(site, ROOT), data["description"]))
    return out


@pytest.mark.parametrize("name,description", descriptions(), ids=[n for n, dummy in descriptions()])
def test_what_the_readers_accept_ansible_s_argument_validation_accepts(name, description):
    spec = {k: v for k, v in role_options().items() if k in TOP_KEYS}
    description = {k: v for k, v in description.items() if k in TOP_KEYS}  # the role's own settings aside
    parse_model(description, None)  # accepted by the readers (the inventory's hosts aside)
    result = ArgumentSpecValidator(spec).validate(description)
    assert not result.error_messages, (name, result.error_messages)


def test_a_misspelt_key_is_refused_by_both_and_the_readers_name_the_fix():
    description = example()
    description = dict(description, dhcpd_failover=dict(description["dhcpd_failover"], max_respone_delay=30))
    with pytest.raises(ModelError) as err:
        parse_model(description, HOSTS)
    assert "dhcpd_failover.max_respone_delay: unknown setting (did you mean 'max_response_delay'?)" in str(err.value)
    spec = {k: v for k, v in role_options().items() if k in TOP_KEYS}
    result = ArgumentSpecValidator(spec).validate({k: v for k, v in description.items() if k in TOP_KEYS})
    assert any("max_respone_delay" in m for m in result.error_messages)
