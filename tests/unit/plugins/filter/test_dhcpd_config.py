"""The dhcpd_config filter: rendering, both peers, and real dhcpd -t."""

import os
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcpd_config import FilterModule, dhcpd_config

from tests.helpers import HOSTS, ROOT, assert_dhcpd_accepts, dhcpd_t, example, render_checked

GOLDEN = os.path.join(ROOT, "tests", "golden")


def render(model, role):
    return dhcpd_config(model, role, HOSTS)


def pools(text):
    """The pool blocks of a config, in order."""
    return re.findall(r"^ *pool \{.*?^ *\}$", text, re.S | re.M)


@pytest.mark.parametrize("inventory", ["example", "example-primary-only"])
@pytest.mark.parametrize("role", ["primary", "secondary"])
def test_examples_match_golden_and_pass_dhcpd(inventory, role):
    text = render(example(inventory), role)
    golden = os.path.join(GOLDEN, "%s-%s.conf" % (inventory, role))
    if os.environ.get("UPDATE_GOLDEN"):
        with open(golden, "w") as fh:
            fh.write(text)
    with open(golden) as fh:
        assert text == fh.read(), "rendered config differs from %s (UPDATE_GOLDEN=1 to accept)" % golden
    assert_dhcpd_accepts(text)


def test_filter_is_registered():
    assert FilterModule().filters()["dhcpd_config"] is dhcpd_config


def test_deterministic():
    model = example()
    assert render(model, "primary") == render(example(), "primary")


def test_primary_only_statements_only_on_primary():
    model = example()
    primary, secondary = render(model, "primary"), render(model, "secondary")
    assert "mclt 1800;" in primary and "split 128;" in primary
    assert "mclt" not in secondary and "split" not in secondary and "hba" not in secondary
    assert "primary;" in primary and "secondary;" in secondary
    assert "address 10.4.7.9;\n    port 647;\n    peer address 10.4.7.210;" in primary
    assert "address 10.4.7.210;\n    port 647;\n    peer address 10.4.7.9;" in secondary


def test_failover_pools_identical_on_both_peers():
    for inventory in ("example", "example-primary-only"):
        model = example(inventory)
        fo_primary = [p for p in pools(render(model, "primary")) if "failover peer" in p]
        fo_secondary = [p for p in pools(render(model, "secondary")) if "failover peer" in p]
        assert fo_primary and fo_primary == fo_secondary


def test_default_mode_boots_from_both_peers():
    model = example()
    for role, me in (("primary", "10.4.7.9"), ("secondary", "10.4.7.210")):
        text = render(model, role)
        # next_server: self: each peer sends clients to its own TFTP server.
        assert "next-server %s;" % me in text
        assert 'filename "shimx64.efi";' in text and 'filename "pxelinux.0";' in text
        assert "dynamic-bootp" not in text
        assert 'deny members of "pxe"' not in text


def test_self_layout_peers_differ_only_in_next_server():
    """inventories/example (TFTP on both peers): apart from the failover block,
    which is each peer's own view, the two files differ in next-server only."""
    import difflib

    model = example()
    primary, secondary = render(model, "primary"), render(model, "secondary")

    def body(text):
        text = text.split("\n", 3)[3]  # the header names the peer
        start = text.index('failover peer "')
        return text[:start] + text[text.index("\n}\n", start) + 3 :]

    changed = [
        line
        for line in difflib.unified_diff(body(primary).splitlines(), body(secondary).splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed and all("next-server" in line for line in changed), changed
    assert {line[1:].strip() for line in changed} == {"next-server 10.4.7.9;", "next-server 10.4.7.210;"}


def test_primary_only_mode_keeps_pxe_pool_on_primary():
    model = example("example-primary-only")
    model["dhcpd_hosts"] = [{"name": "kiosk", "mac": "52:54:00:00:00:02", "address": "10.4.8.2", "boot_file": "kiosk.efi"}]
    primary, secondary = render(model, "primary"), render(model, "secondary")
    assert "range dynamic-bootp 10.4.45.251 10.4.45.255;" in primary
    assert "10.4.45.251" not in secondary.replace("# dhcpd_subnets[0].pools[1]", "")
    assert "next-server" not in secondary and "filename" not in secondary
    # The class is still declared on the secondary: its failover pool names it.
    assert 'class "pxe"' in secondary and 'deny members of "pxe";' in secondary
    # dynamic-bootp never lands in a pool with a failover peer.
    for block in pools(primary):
        assert not ("dynamic-bootp" in block and "failover peer" in block)


def test_architecture_branches_and_ipxe_and_http():
    model = example()
    model["dhcpd_pxe"]["boot_files"].update(uefi_arm64="grubaa64.efi", uefi_ia32="bootia32.efi", http_x64="http://10.4.7.12/boot/shimx64.efi")
    model["dhcpd_pxe"]["ipxe_script"] = "http://10.4.7.12/boot/menu.ipxe"
    model["dhcpd_pxe"]["lease_time"] = 300
    text, dummy = render_checked(model, "secondary")
    cls = text[text.index('class "pxe"') : text.index('class "httpboot"')]
    assert "default-lease-time 300;" in cls
    boot = text[text.index("# Network boot for every subnet") : text.index("subnet 10.4.0.0")]
    # HTTP boot first (its clients also send option 93), then PXE.
    assert boot.index('"HTTPClient" {') < boot.index('"PXEClient" {')
    assert 'option vendor-class-identifier "HTTPClient";' in boot
    assert 'if option pxe-system-type = 00:10 {\n        filename "http://10.4.7.12/boot/shimx64.efi";' in boot
    # iPXE first, so it does not chainload itself again.
    assert boot.index('option user-class = "iPXE"') < boot.index("pxe-system-type = 00:07")
    assert "option pxe-system-type = 00:07 or option pxe-system-type = 00:09" in boot
    assert 'option pxe-system-type = 00:0b {\n        filename "grubaa64.efi";' in boot
    assert 'option pxe-system-type = 00:06 {\n        filename "bootia32.efi";' in boot


def test_reservations_shared_networks_classes_omapi():
    model = example()
    model["dhcpd_shared_networks"] = [
        {
            "name": "branch",
            "options": {"domain-name-servers": ["10.9.0.2"]},
            "subnets": [
                {"network": "10.9.1.0/24", "options": {"routers": "10.9.1.1"}, "pools": [{"range": "10.9.1.50-10.9.1.150"}]},
                {"network": "10.9.2.0/24", "pools": [{"ranges": [["10.9.2.10", "10.9.2.20"], "10.9.2.30 10.9.2.40"]}]},
            ],
        }
    ]
    model["dhcpd_classes"] = [{"name": "lab", "match": 'option user-class = "lab"', "default_lease_time": 600}]
    model["dhcpd_subnets"][0]["pools"][0]["deny"] = ['members of "lab"']
    model["dhcpd_hosts"] = [
        {"name": "printer1", "mac": "52:54:00:AA:BB:01", "address": "10.4.8.10"},
        {"name": "kiosk", "mac": "52-54-00-aa-bb-02", "address": "10.9.1.5", "boot_file": "kiosk.efi", "options": {"host-name": "kiosk"}},
    ]
    secret = "c2VjcmV0c2VjcmV0c2VjcmV0MTI="
    model["dhcpd_omapi"] = {"key_name": "omapi_key", "key_secret": secret, "port": 7911}
    texts = {}
    for role in ("primary", "secondary"):
        text, secrets = render_checked(model, role)
        texts[role] = text
        assert 'shared-network "branch" {' in text
        assert "host printer1 {\n    hardware ethernet 52:54:00:aa:bb:01;\n    fixed-address 10.4.8.10;" in text
        # The host's boot file comes with the next-server of dhcpd_pxe (self: this peer).
        me = "10.4.7.9" if role == "primary" else "10.4.7.210"
        assert (
            'host kiosk {\n    hardware ethernet 52:54:00:aa:bb:02;\n    fixed-address 10.9.1.5;\n    next-server %s;\n    filename "kiosk.efi";' % me
            in text
        )
        assert "range 10.9.2.30 10.9.2.40;" in text
        assert "omapi-port 7911;" in text and "omapi-key omapi_key;" in text
        # The key is only in the secrets file, which dhcpd.conf includes.
        assert secret not in text and 'include "/etc/dhcp/dhcpd.secrets.conf";' in text
        assert secret in secrets and 'key "omapi_key" {' in secrets
    assert texts["primary"].split('class "pxe"')[1].count("host ") == texts["secondary"].split('class "pxe"')[1].count("host ")


def test_standalone_has_no_failover():
    model = example("example-primary-only")
    text = render(model, "standalone")
    assert "failover peer" not in text and "mclt" not in text
    assert "range dynamic-bootp 10.4.45.251 10.4.45.255;" in text
    assert_dhcpd_accepts(text)


def test_hba_instead_of_split():
    model = example()
    del model["dhcpd_failover"]["split"]
    model["dhcpd_failover"]["hba"] = ":".join(["f0"] * 32)
    text = render(model, "primary")
    assert "hba f0:" in text and "split" not in text
    assert_dhcpd_accepts(text)
    assert "hba" not in render(model, "secondary")


def test_filter_errors_are_ansible_errors_listing_every_problem():
    model = example()
    model["dhcpd_failover"]["load_balance_max_seconds"] = 0
    model["dhcpd_subnets"][0]["pools"][0]["range"] = "10.5.0.1 10.5.0.9"
    with pytest.raises(AnsibleFilterError) as err:
        render(model, "primary")
    msg = str(err.value)
    assert msg.startswith("dhcpd_config: 2 problems")
    assert "dhcpd_failover.load_balance_max_seconds: must be between 3 and 5" in msg
    assert "dhcpd_subnets[0].pools[0].range: 10.5.0.1 - 10.5.0.9 is not inside the subnet 10.4.0.0/16" in msg
    assert "Traceback" not in msg


def test_filter_rejects_non_mapping_and_bad_role():
    with pytest.raises(AnsibleFilterError, match="must be a mapping"):
        dhcpd_config(["x"], "primary")
    with pytest.raises(AnsibleFilterError, match="role: must be one of primary, secondary, standalone"):
        dhcpd_config(example(), "tertiary", HOSTS)


def test_dhcpd_t_really_checks():
    """The dhcpd -t helper fails on what dhcpd rejects (guards the golden tests)."""
    text = render(example(), "primary").replace("mclt 1800;\n", "")
    rc, out = dhcpd_t(text)
    assert rc != 0 and "must have mclt" in out


def test_open_model_golden():
    """Every key of the open model: golden files for both peers and the secrets file."""
    import tempfile

    import yaml

    with open(os.path.join(GOLDEN, "open-model.yml")) as fh:
        model = yaml.safe_load(fh)
    hosts = dict(HOSTS, **{"printer.example.com": ""})
    for role in ("primary", "secondary"):
        text = dhcpd_config(model, role, hosts)
        secrets = dhcpd_config(model, role, hosts, part="secrets")
        for name, content in (("open-model-%s.conf" % role, text), ("open-model-secrets.conf", secrets)):
            golden = os.path.join(GOLDEN, name)
            if os.environ.get("UPDATE_GOLDEN"):
                with open(golden, "w") as fh:
                    fh.write(content)
            with open(golden) as fh:
                assert content == fh.read(), "rendered file differs from %s (UPDATE_GOLDEN=1 to accept)" % golden
        with tempfile.TemporaryDirectory() as tmp:
            files = {os.path.join(tmp, "s.conf"): secrets, os.path.join(tmp, "h.conf"): "host extra { hardware ethernet 52:54:00:00:00:99; }\n"}
            checked = text.replace("/etc/dhcp/dhcpd.secrets.conf", os.path.join(tmp, "s.conf")).replace(
                "/etc/dhcp/hosts-extra.conf", os.path.join(tmp, "h.conf")
            )
            assert_dhcpd_accepts(checked, files)
        assert "b21hcGktc2VjcmV0" not in text and "b21hcGktc2VjcmV0" in secrets


def test_a_list_of_roles_renders_each_peer_from_one_check():
    from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcpd_config import dhcpd_config

    model = example()
    texts = dhcpd_config(model, role=["primary", "secondary"], hosts=HOSTS)
    assert texts == {role: dhcpd_config(model, role=role, hosts=HOSTS) for role in ("primary", "secondary")}
    assert "mclt" in texts["primary"] and "mclt" not in texts["secondary"]


def test_the_secrets_part_reads_only_the_keys():
    from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcpd_config import dhcpd_config

    keys = {"dhcpd_omapi": {"key_name": "omapi_key", "key_secret": "c2VjcmV0LXNlY3JldC1zZWNyZXQ="}}
    # Renders from the keys alone, as the roles do after the config was checked ...
    assert 'secret "c2VjcmV0LXNlY3JldC1zZWNyZXQ=";' in dhcpd_config(dict(keys), role="primary", part="secrets")
    # ... and still refuses a bad key.
    with pytest.raises(AnsibleFilterError, match="dhcpd_omapi.key_secret"):
        dhcpd_config({"dhcpd_omapi": {"key_name": "k", "key_secret": "not base64!"}}, role="primary", part="secrets")


def test_boot_files_that_are_all_urls_render_without_next_server():
    """UEFI HTTP boot needs no TFTP server: no next-server, no empty PXE
    branch, and real dhcpd accepts the file."""
    model = example()
    model["dhcpd_pxe"] = {"boot_files": {"bios": None, "uefi_x64": None, "http_x64": "http://10.4.7.12/boot/shimx64.efi"}}
    for role in ("primary", "secondary"):
        text, dummy = render_checked(model, role)
        assert "next-server" not in text
        assert '"PXEClient" {' not in text.split('class "httpboot"')[1]
        assert 'filename "http://10.4.7.12/boot/shimx64.efi";' in text


def test_a_scope_pxe_without_files_takes_its_parents_or_is_refused():
    model = example()
    model["dhcpd_subnets"][0]["pxe"] = {"next_server": "10.4.7.12"}
    # Inherits dhcpd_pxe's files.
    text, dummy = render_checked(model, "primary")
    subnet = text[text.index("subnet 10.4.0.0"):]
    assert "next-server 10.4.7.12;" in subnet and 'filename "pxelinux.0";' in subnet
    # With no dhcpd_pxe there is nothing to inherit: refused, never the collection's defaults.
    del model["dhcpd_pxe"]
    with pytest.raises(AnsibleFilterError) as err:
        render(model, "primary")
    assert "dhcpd_subnets[0].pxe.boot_files: no boot file is set" in str(err.value)
    assert "dhcpd_pxe" in str(err.value)
    # dhcpd_pxe without boot_files still gets the documented defaults.
    model["dhcpd_pxe"] = {"next_server": "10.4.7.12"}
    del model["dhcpd_subnets"][0]["pxe"]
    text, dummy = render_checked(model, "primary")
    assert 'filename "pxelinux.0";' in text and 'filename "shimx64.efi";' in text
