"""dhcpd_import: a running dhcpd.conf (and its partner's) read back into the
description, rendered again, passed through the real `dhcpd -t` and compared
with the original statement by statement (tests/corpus/statements.py).

Three kinds of input:
- what the collection itself writes, for every corpus site, the example and
  lab inventories and the golden open model: the import must give back the
  same statements, in the same scopes;
- the user story's two hand-written files (tests/import/user-story-*.conf):
  everything comes back but the one statement that broke PXE, which is
  listed with the reason;
- a hand-written site (tests/import/hand-written.conf) in the ways real
  files are written: groups, ranges outside pools, the Arch field of option
  60, a code-93 option of the site's own, keys, zones, an include given and
  one not, an `on commit` block and an `if` that is not a boot choice.
"""

import glob
import json
import os
import tempfile

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcpd_import import FilterModule, dhcpd_import
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._import import checked_copy
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import TOP_KEYS

from tests.corpus.statements import compare, statements
from tests.helpers import ROOT, assert_dhcpd_accepts

IMPORT = os.path.join(ROOT, "tests", "import")
PEERS = {"primary": "dhcp1", "secondary": "dhcp2"}


def _read(path):
    with open(path) as fh:
        return fh.read()


def descriptions():
    """(name, description, hosts) of everything the collection renders in its tests and examples."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "corpus", "*.yml"))):
        data = yaml.safe_load(_read(path))
        out.append(("corpus/" + os.path.basename(path)[:-4], data["description"], data.get("hosts") or None))
    for inv in ("example", "example-primary-only", "lab"):
        merged = {}
        for path in sorted(glob.glob(os.path.join(ROOT, "inventories", inv, "group_vars", "*", "*.yml"))):
            merged.update(yaml.safe_load(_read(path)) or {})
        out.append(("inventories/" + inv, {k: v for k, v in merged.items() if k in TOP_KEYS}, None))
    data = yaml.safe_load(_read(os.path.join(ROOT, "tests", "golden", "open-model.yml")))
    out.append(("golden/open-model", {k: v for k, v in data.items() if k in TOP_KEYS}, None))
    return out


def roles_of(description):
    return ["primary", "secondary"] if description.get("dhcpd_failover") else ["standalone"]


def render_and_check(variables, role, includes=()):
    """Render the imported description for ``role`` and pass it, with its keys and includes, through dhcpd -t."""
    variables = checked_copy(variables)
    with tempfile.TemporaryDirectory() as tmp:
        secrets_path = os.path.join(tmp, "secrets.conf")
        text = render_config(variables, role, None, secrets_path=secrets_path)
        secrets = render_config(variables, role, None, part="secrets", secrets_path=secrets_path)
        files, checked = {}, text
        if secrets:
            files[secrets_path] = secrets
        for i, path in enumerate(sorted(set(includes) | set(variables.get("dhcpd_includes") or []))):
            stand_in = os.path.join(tmp, "include-%d.conf" % i)
            files[stand_in] = "\n"
            checked = checked.replace('include "%s";' % path, 'include "%s";' % stand_in)
        assert_dhcpd_accepts(checked, files)
    return text.replace(secrets_path, "/etc/dhcp/dhcpd.secrets.conf"), secrets


def report(name, original, again):
    same, moved, missing = compare(statements(original), statements(again))
    added = compare(statements(again), statements(original))[2]
    total = len(same) + len(moved) + len(missing)
    print("%s: %d statements, %d in place, %d in another scope, %d not expressed (%.1f%% kept), %d added"
          % (name, total, len(same), len(moved), len(missing), 100.0 * (len(same) + len(moved)) / max(total, 1), len(added)))
    return same, moved, missing, added


CASES = descriptions()


@pytest.mark.parametrize("name,description,hosts", CASES, ids=[c[0] for c in CASES])
def test_what_the_collection_writes_comes_back_statement_for_statement(name, description, hosts):
    roles = roles_of(description)
    texts = {role: render_config(description, role, hosts) for role in roles}
    result = dhcpd_import(texts[roles[0]], partner=texts.get("secondary"), hosts=PEERS)
    assert result["unexpressed"] == [], result["unexpressed"]
    assert result["role"] == roles[0]
    for role in roles:
        again, dummy = render_and_check(result["vars"], role)
        same, moved, missing, added = report("%s (%s)" % (name, role), texts[role], again)
        assert (moved, missing, added) == ([], [], []), (moved, missing, added)


def test_the_lab_pair_comes_back_as_the_same_files():
    """The description import.yml writes for the lab converges to the files running there."""
    description = [c[1] for c in CASES if c[0] == "inventories/lab"][0]
    texts = {role: render_config(description, role, None) for role in ("primary", "secondary")}
    result = dhcpd_import(texts["secondary"], partner=texts["primary"], hosts=PEERS)
    assert result["role"] == "secondary"
    for role in ("primary", "secondary"):
        assert render_config(result["vars"], role, None) == texts[role]
    assert result["vars"]["dhcpd_failover"]["primary"]["host"] == "dhcp1"
    assert result["vars"]["dhcpd_pxe"]["next_server"] == "self"


def test_the_user_story_pair_comes_back_without_the_statement_that_broke_pxe():
    originals = {role: _read(os.path.join(IMPORT, "user-story-%s.conf" % role)) for role in ("primary", "secondary")}
    for text in originals.values():
        assert_dhcpd_accepts(text)  # the site's files were valid: the fault was in what they meant
    result = dhcpd_import(originals["primary"], partner=originals["secondary"], hosts=PEERS,
                          source="user-story-primary.conf", partner_source="user-story-secondary.conf")
    [left_out] = result["unexpressed"]
    assert left_out["statement"] == 'deny members of "dhcp"' and left_out["file"] == "user-story-primary.conf"
    assert "all PXE clients are members of" in left_out["why"]
    assert originals["primary"].splitlines()[left_out["line"] - 1].strip() == 'deny members of "dhcp";'
    variables = result["vars"]
    assert variables["dhcpd_pxe"]["mode"] == "primary_only"
    assert variables["dhcpd_pxe"]["boot_files"] == {"uefi_x64": "grubx64.efi", "other": "pxelinux.0"}
    pools = variables["dhcpd_subnets"][0]["pools"]
    assert [p.get("pxe") for p in pools] == [None, True]
    for role in ("primary", "secondary"):
        again, dummy = render_and_check(variables, role)
        same, moved, missing, added = report("user-story (%s)" % role, originals[role], again)
        assert [s for dummy, s in missing] == (['deny members of dhcp'] if role == "primary" else [])


def test_a_hand_written_site_comes_back_with_what_it_cannot_say_listed():
    original = _read(os.path.join(IMPORT, "hand-written.conf"))
    extra = "host extra1 { hardware ethernet 52:54:00:aa:bb:09; fixed-address 192.0.2.40; }\n"
    with tempfile.TemporaryDirectory() as tmp:
        stand_ins = {path: os.path.join(tmp, os.path.basename(path)) for path in ("/etc/dhcp/extra-hosts.conf", "/etc/dhcp/more.conf")}
        checked = original
        for path, stand_in in stand_ins.items():
            checked = checked.replace(path, stand_in)
        assert_dhcpd_accepts(checked, {stand_ins["/etc/dhcp/extra-hosts.conf"]: extra, stand_ins["/etc/dhcp/more.conf"]: "\n"})
    result = dhcpd_import(original, includes={"/etc/dhcp/extra-hosts.conf": extra}, source="hand-written.conf")
    variables = result["vars"]
    assert result["not_read"] == ["/etc/dhcp/more.conf"] and variables["dhcpd_includes"] == ["/etc/dhcp/more.conf"]
    assert {u["statement"] for u in result["unexpressed"]} == {
        "authoritative",  # in a subnet: the description says it once, globally
        'set clip = binary-to-ascii (10, 8, ".", leased-address)',  # an "on commit" block
        'option domain-name "legacy.site.example"',  # an if that is not a boot choice
    }
    for item in result["unexpressed"]:
        assert item["file"] == "hand-written.conf" and item["why"]
        assert item["statement"].split()[0] in original.splitlines()[item["line"] - 1]
    assert variables["dhcpd_pxe"] == {
        "boot_files": {"uefi_x64": "efi/shimx64.efi", "uefi_arm64": "efi/grubaa64.efi", "other": "pxelinux.0"},
        "ipxe_script": "http://192.0.2.10/menu.ipxe", "next_server": "192.0.2.10"}
    hosts = {h["name"]: h for h in variables["dhcpd_hosts"]}
    assert hosts["printer2"]["options"] == {"domain-name": "printers.site.example", "host-name": "printer-two"}
    assert hosts["printer1"]["default_lease_time"] == 600 and "extra1" in hosts
    assert hosts["kiosk"]["boot_file"] == "kiosk.efi"
    again, secrets = render_and_check(variables, "standalone")
    # The keys are in the secrets file now, their secrets in Vault.
    same, moved, missing, added = report("hand-written", original, again + secrets)
    assert {s for dummy, s in missing} == {
        "set clip=binary-to-ascii(10,8,.,leased-address)", "option domain-name legacy.site.example",
        # the same bytes, written 01:52:54:00:00:00:01
        "subclass macs 1:52:54:00:00:00:01",
        # the include that was read: its host is in the description now
        "include /etc/dhcp/extra-hosts.conf"}
    # Secrets are compared unseen: each key has one on both sides.
    assert ("key omapi_key", "secret (not shown)") in same


def test_secrets_come_out_as_references_never_in_the_clear():
    original = _read(os.path.join(IMPORT, "hand-written.conf"))
    result = dhcpd_import(original)
    dumped = json.dumps(result)
    for secret in ("b21hcGktaGFuZC13cml0dGVuLXNlY3JldA==", "ZGRucy1oYW5kLXdyaXR0ZW4tc2VjcmV0LXZhbHVl"):
        assert secret in original and secret not in dumped
    assert result["vars"]["dhcpd_omapi"]["key_secret"] == "{{ vault_dhcpd_key_omapi_key }}"
    assert result["vars"]["dhcpd_ddns"]["keys"] == [{"name": "ddns-key", "algorithm": "hmac-sha256", "secret": "{{ vault_dhcpd_key_ddns_key }}"}]
    assert result["secrets"] == [{"key": "ddns-key", "variable": "vault_dhcpd_key_ddns_key"},
                                 {"key": "omapi_key", "variable": "vault_dhcpd_key_omapi_key"}]


@pytest.mark.parametrize("text,where,words", [
    ("subnet 10.0.0.0 netmask 255.0.0.0 {\n  option routers 10.0.0.1;\n", "site.conf:1", "not closed"),
    ("authoritative;\noption routers 10.0.0.1\n}\n", "site.conf:2", "no ';' before the '}'"),
    ("option domain-name \"open;\n", "site.conf:1", "string is not closed"),
    ("default-lease-time 600;\n}\n", "site.conf:2", "closes no block"),
])
def test_text_dhcpd_would_not_read_is_an_error_with_file_and_line(text, where, words):
    with pytest.raises(AnsibleFilterError) as err:
        dhcpd_import(text, source="site.conf")
    assert where in str(err.value) and words in str(err.value)
    assert "Traceback" not in str(err.value)


def test_a_pair_must_be_one_primary_and_one_secondary():
    primary = _read(os.path.join(IMPORT, "user-story-primary.conf"))
    with pytest.raises(AnsibleFilterError, match="one primary and one secondary"):
        dhcpd_import(primary, partner=primary)
    with pytest.raises(AnsibleFilterError, match="mapping"):
        dhcpd_import(primary, includes=["/etc/dhcp/x.conf"])
    assert FilterModule().filters()["dhcpd_import"] is dhcpd_import


CORPUS = [(path, render["role"], render["original"]) for path in sorted(glob.glob(os.path.join(ROOT, "tests", "corpus", "*.yml")))
          for render in yaml.safe_load(_read(path))["renders"]]


@pytest.mark.parametrize("site,role,original", CORPUS, ids=["%s-%s" % (os.path.basename(s)[:-4], r) for s, r, dummy in CORPUS])
def test_published_sites_keep_their_statements_through_the_import(site, role, original):
    """The published files of tests/corpus (kept as their statements) as they run once
    migrated, imported back: every statement the migration kept is still there."""
    from tests.unit.test_corpus import read_original

    data = yaml.safe_load(_read(site))
    description = data["description"]
    roles = roles_of(description)
    texts = {r: render_config(description, r, data.get("hosts") or None) for r in roles}
    # The owner-only file of keys is read too: their algorithms are in it (their secrets never leave it).
    keys = {"/etc/dhcp/dhcpd.secrets.conf": render_config(description, roles[0], data.get("hosts") or None, part="secrets")}
    result = dhcpd_import(texts[roles[0]], partner=texts.get("secondary"), includes=keys, partner_includes=keys)
    assert "secret" not in json.dumps(result["vars"]).replace('"secret": "{{', "")
    again, secrets = render_and_check(result["vars"], role, includes=(data.get("includes") or {}))
    published = read_original(original)
    same, moved, missing = compare(published, statements(again + "\n" + (secrets or "")))
    placeholders = {item["statement"] for item in (data.get("not_expressed") or {}).get(original, [])}
    counted = len(published) - len([s for s in published if s[1] in placeholders])
    print("%s (%s): %d published statements, %d in place, %d in another scope, %d not expressed (%.1f%% of the %d dhcpd runs kept)"
          % (os.path.basename(site), role, len(published), len(same), len(moved), len(missing),
             100.0 * (len(same) + len(moved)) / counted, counted))
    assert {s for dummy, s in missing} == placeholders
