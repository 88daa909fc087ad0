"""Every validation rule: the error names the variable path and the fix."""

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import ModelError, parse_model
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from tests.helpers import HOSTS, example


def problems(model, role="primary", hosts=None):
    hosts = HOSTS if hosts is None else hosts
    with pytest.raises(ModelError) as err:
        render_config(model, role, hosts)
    return err.value.problems, str(err.value)


def fo(m):
    return m["dhcpd_failover"]


def pool(m, i=0):
    return m["dhcpd_subnets"][0]["pools"][i]


def po(m):
    return m["dhcpd_pxe"]


CASES = [
    # (id, inventory, mutation, expected path, expected words)
    ("no-secondary", "example", lambda m: fo(m).pop("secondary"), "dhcpd_failover.secondary", "is required"),
    ("bad-name", "example", lambda m: fo(m).update(name='dhcp "fo"'), "dhcpd_failover.name", "failover relationship name"),
    ("no-mclt", "example", lambda m: fo(m).pop("mclt"), "dhcpd_failover.mclt", "is required"),
    ("no-split-no-hba", "example", lambda m: fo(m).pop("split"), "dhcpd_failover.split", "needs split (0-256) or hba"),
    ("split-and-hba", "example", lambda m: fo(m).update(hba=":".join(["ff"] * 32)), "dhcpd_failover.split", "exactly one of split and hba"),
    ("split-range", "example", lambda m: fo(m).update(split=300), "dhcpd_failover.split", "between 0 and 256"),
    ("bad-hba", "example", lambda m: (fo(m).pop("split"), fo(m).update(hba="ff:ff")), "dhcpd_failover.hba", "32 colon-separated hex bytes"),
    ("mclt-on-secondary", "example", lambda m: fo(m)["secondary"].update(mclt=1800), "dhcpd_failover.secondary.mclt", "on the primary only"),
    (
        "split-on-secondary",
        "example",
        lambda m: fo(m)["secondary"].update(split=128),
        "dhcpd_failover.secondary.split",
        "move split up to dhcpd_failover.split",
    ),
    (
        "lb-on-secondary",
        "example",
        lambda m: fo(m)["secondary"].update(load_balance_max_seconds=3),
        "dhcpd_failover.secondary.load_balance_max_seconds",
        "set load_balance_max_seconds once",
    ),
    ("no-address", "example", lambda m: fo(m)["primary"].pop("address"), "dhcpd_failover.primary.address", "is required"),
    ("no-peer-address", "example", lambda m: fo(m)["secondary"].update(address="10.4.7"), "dhcpd_failover.secondary.address", "not an IPv4 address"),
    (
        "same-host",
        "example",
        lambda m: fo(m)["secondary"].update(host="dhcp1.example.com"),
        "dhcpd_failover.secondary.host",
        "must be different hosts",
    ),
    (
        "unknown-host",
        "example",
        lambda m: fo(m)["secondary"].update(host="dhcp3.example.com"),
        "dhcpd_failover.secondary.host",
        "is not a host in the inventory",
    ),
    (
        "lbms-zero",
        "example",
        lambda m: fo(m).update(load_balance_max_seconds=0),
        "dhcpd_failover.load_balance_max_seconds",
        "both peers answer every client",
    ),
    (
        "ownership",
        "example",
        lambda m: fo(m).update(max_lease_ownership=20, max_lease_misbalance=15),
        "dhcpd_failover.max_lease_ownership",
        "lower than max_lease_misbalance",
    ),
    ("port", "example", lambda m: fo(m)["primary"].update(port=70000), "dhcpd_failover.primary.port", "between 1 and 65535"),
    ("typo-key", "example", lambda m: fo(m).update(mlct=10), "dhcpd_failover.mlct", "did you mean 'mclt'"),
    ("no-referring-pools", "example", lambda m: pool(m).update(failover=False), "dhcpd_failover", "has no referring pools"),
    ("bootp-in-failover", "example", lambda m: pool(m).update(bootp=True), "dhcpd_subnets[0].pools[0].bootp", "not allowed in a failover pool"),
    (
        "range-outside",
        "example",
        lambda m: pool(m).update(range="10.5.0.1 10.5.0.20"),
        "dhcpd_subnets[0].pools[0].range",
        "not inside the subnet 10.4.0.0/16",
    ),
    (
        "range-reversed",
        "example",
        lambda m: pool(m).update(range="10.4.45.250 10.4.45.1"),
        "dhcpd_subnets[0].pools[0].range",
        "swap the two addresses",
    ),
    ("range-broadcast", "example", lambda m: pool(m).update(range="10.4.255.1 10.4.255.255"), "dhcpd_subnets[0].pools[0].range", "broadcast address"),
    ("range-garbage", "example", lambda m: pool(m).update(range="10.4.45.1"), "dhcpd_subnets[0].pools[0].range", "two IPv4 addresses"),
    ("no-range", "example", lambda m: pool(m).pop("range"), "dhcpd_subnets[0].pools[0].range", "Pool declaration with no address range"),
    (
        "overlap",
        "example",
        lambda m: m["dhcpd_subnets"][0]["pools"].append({"range": "10.4.45.200 10.4.45.254"}),
        "dhcpd_subnets[0].pools[1]",
        "is declared twice",
    ),
    (
        "subnet-overlap",
        "example",
        lambda m: m["dhcpd_subnets"].append({"network": "10.4.8.0/24"}),
        "dhcpd_subnets[1].network",
        "overlaps 10.4.0.0/16",
    ),
    (
        "subnet-host-bits",
        "example",
        lambda m: m["dhcpd_subnets"][0].update(network="10.4.7.0/16"),
        "dhcpd_subnets[0].network",
        "did you mean 10.4.0.0/16",
    ),
    ("no-subnets", "example", lambda m: m.update(dhcpd_subnets=[]), "dhcpd_subnets", "no subnet is declared"),
    (
        "architecture-type",
        "example",
        lambda m: m["dhcpd_subnets"][0]["options"].update({"architecture-type": "00:07"}),
        "dhcpd_subnets[0].options.architecture-type",
        "pxe-system-type",
    ),
    (
        "unknown-option",
        "example",
        lambda m: m["dhcpd_subnets"][0]["options"].update({"domain-name-server": "10.4.7.7"}),
        "dhcpd_subnets[0].options.domain-name-server",
        "did you mean 'domain-name-servers'",
    ),
    (
        "bad-option-ip",
        "example",
        lambda m: m["dhcpd_subnets"][0]["options"].update(routers="10.4.0.256"),
        "dhcpd_subnets[0].options.routers",
        "not an IPv4 address",
    ),
    (
        "option-injection",
        "example",
        lambda m: m["dhcpd_subnets"][0]["options"].update({"domain-name": 'x"; evil'}),
        "dhcpd_subnets[0].options.domain-name",
        "may not contain quotes",
    ),
    (
        "time-offset-type",
        "example",
        lambda m: m["dhcpd_subnets"][0]["options"].update({"time-offset": "five"}),
        "dhcpd_subnets[0].options.time-offset",
        "whole number",
    ),
    ("no-next-server", "example", lambda m: po(m).pop("next_server"), "dhcpd_pxe.next_server", "without a next-server"),
    (
        "unknown-next-server",
        "example",
        lambda m: po(m).update(next_server="tftp9"),
        "dhcpd_pxe.next_server",
        "neither an IPv4 address nor an inventory host",
    ),
    ("no-boot-files", "example", lambda m: po(m).update(boot_files={"bios": None}), "dhcpd_pxe.boot_files", "no boot file is set"),
    (
        "http-not-url",
        "example",
        lambda m: po(m)["boot_files"].update(http_x64="shimx64.efi"),
        "dhcpd_pxe.boot_files.http_x64",
        "http:// or https:// URL",
    ),
    ("tftp-url", "example", lambda m: po(m)["boot_files"].update(uefi_x64="http://x/y.efi"), "dhcpd_pxe.boot_files.uefi_x64", "not a URL"),
    ("bad-mode", "example", lambda m: po(m).update(mode="secondary_only"), "dhcpd_pxe.mode", "must be one of failover, primary_only"),
    (
        "pxe-denied-failover-mode",
        "example",
        lambda m: pool(m).update(deny=['members of "pxe"']),
        "dhcpd_subnets[0].pools",
        "no pool admits PXE clients",
    ),
    (
        "pxe-pool-in-failover-mode",
        "example",
        lambda m: m["dhcpd_subnets"][0]["pools"].append({"range": "10.4.46.1 10.4.46.50", "failover": False, "pxe": True}),
        "dhcpd_subnets[0].pools[1].pxe",
        "only with dhcpd_pxe.mode: primary_only",
    ),
    (
        "pxe-pool-too-small",
        "example-primary-only",
        lambda m: po(m).pop("concurrent_clients"),
        "dhcpd_subnets[0].pools[1].range",
        "widen it to at least 12 addresses",
    ),
    (
        "pxe-pool-with-failover",
        "example-primary-only",
        lambda m: pool(m, 1).update(failover=True),
        "dhcpd_subnets[0].pools[1].pxe",
        "set failover: false",
    ),
    (
        "pxe-allowed-in-failover-pool",
        "example-primary-only",
        lambda m: pool(m, 0).update(allow=['members of "pxe"']),
        "dhcpd_subnets[0].pools[0].allow",
        "only the pool with pxe: true may admit",
    ),
    ("no-pxe-pool", "example-primary-only", lambda m: m["dhcpd_subnets"][0]["pools"].pop(1), "dhcpd_subnets[0].pools", "no pool with pxe: true"),
    (
        "pxe-pool-on-secondary",
        "example-primary-only",
        lambda m: pool(m, 1).update(served_by="secondary"),
        "dhcpd_subnets[0].pools[1].served_by",
        "served by the primary",
    ),
    (
        "served-by-both",
        "example-primary-only",
        lambda m: pool(m, 1).update(served_by="both"),
        "dhcpd_subnets[0].pools[1].served_by",
        "both peers would hand out the same addresses",
    ),
    ("undeclared-class", "example", lambda m: pool(m).update(deny=['members of "printers"']), "dhcpd_subnets[0].pools[0].deny[0]", "no such class"),
    ("bad-permit", "example", lambda m: pool(m).update(allow=["booting"]), "dhcpd_subnets[0].pools[0].allow[0]", "is not a dhcpd permit"),
    (
        "reserved-class",
        "example",
        lambda m: m.update(dhcpd_classes=[{"name": "pxe", "match": "exists user-class"}]),
        "dhcpd_classes[0].name",
        "declared by the collection",
    ),
    (
        "class-injection",
        "example",
        lambda m: m.update(dhcpd_classes=[{"name": "x", "match": "true; } evil {"}]),
        "dhcpd_classes[0].match",
        "one dhcpd match expression",
    ),
    (
        "host-in-range",
        "example",
        lambda m: m.update(dhcpd_hosts=[{"name": "h", "mac": "52:54:00:00:00:01", "address": "10.4.45.10"}]),
        "dhcpd_hosts[0].address",
        "inside the dynamic range",
    ),
    (
        "host-outside",
        "example",
        lambda m: m.update(dhcpd_hosts=[{"name": "h", "mac": "52:54:00:00:00:01", "address": "192.0.2.1"}]),
        "dhcpd_hosts[0].address",
        "none of the declared subnets",
    ),
    ("host-bad-mac", "example", lambda m: m.update(dhcpd_hosts=[{"name": "h", "mac": "52:54:00:00:01"}]), "dhcpd_hosts[0].mac", "not a MAC address"),
    (
        "host-dup-mac",
        "example",
        lambda m: m.update(dhcpd_hosts=[{"name": "a", "mac": "52:54:00:00:00:01"}, {"name": "b", "mac": "52:54:00:00:00:01"}]),
        "dhcpd_hosts[1].mac",
        "already used by dhcpd_hosts[0]",
    ),
    ("unknown-variable", "example", lambda m: m.update(dhcpd_subnet=[]), "dhcpd_subnet", "did you mean 'dhcpd_subnets'"),
    ("omapi-secret", "example", lambda m: m.update(dhcpd_omapi={"key_name": "k", "key_secret": "short"}), "dhcpd_omapi.key_secret", "base64 secret"),
    ("authoritative-type", "example", lambda m: m.update(dhcpd_authoritative="maybe"), "dhcpd_authoritative", "true or false"),
    (
        "global-option",
        "example",
        lambda m: m.update(dhcpd_options={"domain-name-servers": "dns1"}),
        "dhcpd_options.domain-name-servers",
        "not an IPv4 address",
    ),
    ("lease-time-type", "example", lambda m: m.update(dhcpd_max_lease_time="long"), "dhcpd_max_lease_time", "whole number"),
    ("subnet-not-mapping", "example", lambda m: m.update(dhcpd_subnets=["10.4.0.0/16"]), "dhcpd_subnets[0]", "must be a mapping"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule(case):
    _id, inventory, mutate, path, words = case
    model = example(inventory)
    mutate(model)
    found, text = problems(model)
    paths = [p for p, dummy in found]
    assert path in paths, text
    assert any(words in msg for p, msg in found if p == path), text
    assert "Traceback" not in text


def test_all_problems_reported_at_once():
    model = example()
    fo(model).pop("mclt")
    fo(model)["secondary"]["split"] = 128
    pool(model).update(range="10.5.0.1 10.5.0.2")
    po(model).pop("next_server")
    found, text = problems(model)
    assert len(found) == 4, text
    assert text.startswith("4 problems in the DHCP network description:")


def test_users_original_design_is_refused_with_the_cause():
    """The configs from the user story: PXE pool denies class "dhcp", failover pool denies "pxe"."""
    model = example("example-primary-only")
    model["dhcpd_classes"] = [{"name": "dhcp", "match": "exists dhcp-message-type"}]
    pool(model, 1)["deny"] = ['members of "dhcp"']
    found, text = problems(model)
    assert "dhcpd_subnets[0].pools[1].deny" in [p for p, dummy in found], text
    assert 'denies members of "dhcp", a class that all PXE clients are members of' in text
    assert "remove that deny" in text


def test_role_needs_failover():
    model = example()
    model.pop("dhcpd_failover")
    model["dhcpd_pxe"]["next_server"] = "10.4.7.9"
    found, text = problems(model, role="secondary")
    assert found == [("dhcpd_failover", found[0][1])] and "render with role standalone" in text


def test_hosts_are_optional():
    """Without an inventory, a next_server address still works and hosts are not checked."""
    model = example()
    model["dhcpd_pxe"]["next_server"] = "10.4.7.9"
    assert parse_model(model, None).pxe.boot.next_server == ("ip", "10.4.7.9")
