"""The pair as a unit: plugin_utils/_fleet.py directly (peer contexts, the
checks across the pairs of a run, what the host's addresses show), and the
two filters over it."""

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcp_fleet_check import dhcp_fleet_check
from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcp_peer_context import dhcp_peer_context
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._fleet import fleet_check, host_problems, peer_context, split_variables


def site(letter, net, **extra):
    desc = {
        "dhcpd_failover": {
            "name": "site-" + letter,
            "primary": {"host": letter + "1", "address": net + ".0.11"},
            "secondary": {"host": letter + "2", "address": net + ".0.12"},
            "mclt": 1800, "split": 128,
        },
        "dhcpd_subnets": [{"network": net + ".0.0/16", "pools": [{"range": "%s.100.1 %s.100.250" % (net, net)}]}],
    }
    desc.update(extra)
    return desc


def ctx(host, role_group, variables):
    return peer_context(host, [role_group, "all"], copy.deepcopy(variables))


def fleet(*sites):
    contexts = []
    for letter, variables in sites:
        contexts.append(ctx(letter + "1", "dhcpd_primary", variables))
        contexts.append(ctx(letter + "2", "dhcpd_secondary", variables))
    hosts = [c["host"] for c in contexts]
    return contexts, hosts, [h for h in hosts if h.endswith("1")], [h for h in hosts if h.endswith("2")]


def test_a_context_is_its_own_pair():
    c = ctx("b2", "dhcpd_secondary", dict(site("b", "10.20"), dhcp_backend="kea", dhcpd_interfaces=["eth1"]))
    assert (c["role"], c["group_role"], c["pair"], c["partner"], c["backend"]) == ("secondary", "secondary", "b1/b2", "b1", "kea")
    assert (c["address"], c["partner_address"]) == ("10.20.0.12", "10.20.0.11")
    assert c["subnets"] == ["10.20.0.0/16"] and c["pools"] == [["10.20.100.1", "10.20.100.250"]]
    assert c["problems"] == []


def test_role_settings_are_not_part_of_the_description():
    """dhcpd_interfaces may differ between the peers; the description may not."""
    desc, backend, others = split_variables(dict(site("a", "10.10"), dhcpd_interfaces=["eth0"], dhcp_backend="isc", kea_ha_mode="hot-standby"))
    assert "dhcpd_interfaces" not in desc and "dhcpd_failover" in desc
    assert backend == "isc" and others == ["dhcp_backend", "kea_ha_mode"]
    a = ctx("a1", "dhcpd_primary", dict(site("a", "10.10"), dhcpd_interfaces=["eth0"]))
    b = ctx("a2", "dhcpd_secondary", dict(site("a", "10.10"), dhcpd_interfaces=["ens3"]))
    assert a["digest"] == b["digest"]


def test_three_good_pairs_pass_and_are_listed():
    result = fleet_check(*fleet(("a", site("a", "10.10")), ("b", site("b", "10.20")), ("c", dict(site("c", "10.30"), dhcp_backend="kea"))))
    assert result["errors"] == [] and result["warnings"] == []
    assert [(p["pair"], p["backend"]) for p in result["pairs"]] == [("a1/a2", "isc"), ("b1/b2", "isc"), ("c1/c2", "kea")]


def test_the_first_difference_is_named_down_to_the_item():
    contexts, hosts, prim, sec = fleet(("a", site("a", "10.10")))
    other = site("a", "10.10")
    other["dhcpd_subnets"].append({"network": "10.11.0.0/16"})
    contexts[1] = ctx("a2", "dhcpd_secondary", other)
    errors = fleet_check(contexts, hosts, prim, sec)["errors"]
    assert len(errors) == 1 and "first difference: dhcpd_subnets[1] differs (on a2 only)" in errors[0]
    contexts[1] = ctx("a2", "dhcpd_secondary", dict(site("a", "10.10"), dhcpd_options={"domain-name": "x"}))
    assert "first difference: dhcpd_options set on a2 only" in fleet_check(contexts, hosts, prim, sec)["errors"][0]


def test_a_peer_left_out_of_the_run_is_a_warning_and_a_peer_outside_the_inventory_an_error():
    contexts, hosts, prim, sec = fleet(("a", site("a", "10.10")))
    result = fleet_check(contexts[:1], hosts, prim, sec)
    assert result["errors"] == []
    assert result["warnings"] == ["a2, the secondary of pair a1/a2, is not part of this run (--limit?): only its partner is checked"
                                  " and changed; run both peers together to keep their configurations equal"]
    result = fleet_check(contexts[:1], ["a1"], ["a1"], [])
    assert result["errors"] == ["dhcpd_failover.secondary.host of a1 names 'a2', which is not in the inventory: add it to"
                                " dhcpd_secondary or fix the name"]


def test_a_group_that_disagrees_with_the_description_is_refused():
    c = ctx("a2", "dhcpd_primary", site("a", "10.10"))
    assert c["problems"] == ["a2 is in dhcpd_primary, but its dhcpd_failover names it as secondary: move it to dhcpd_secondary or fix"
                             " dhcpd_failover.primary.host"]
    c = ctx("x9", "dhcpd_secondary", site("a", "10.10"))
    assert "x9 is in dhcpd_secondary, but its dhcpd_failover names a1 as primary and a2 as secondary" in c["problems"][0]


def test_shared_networks_and_pools_across_pairs_are_warnings_not_errors():
    b = site("b", "10.10")  # site B reuses site A's network (separate VRFs?)
    b["dhcpd_failover"]["name"] = "site-b"
    result = fleet_check(*fleet(("a", site("a", "10.10")), ("b", b)))
    assert result["errors"] == []
    assert any("pairs a1/a2 and b1/b2 both declare 10.10.0.0/16" in w for w in result["warnings"])
    assert any("overlapping pools (10.10.100.1 10.10.100.250 and 10.10.100.1 10.10.100.250)" in w for w in result["warnings"])


def test_unknown_variables_of_every_family_are_named_with_a_suggestion():
    c = ctx("a1", "dhcpd_primary", dict(site("a", "10.10"), kea_ha_mdoe="hot-standby", tftp_server_fils=[], dhcp_backend="isc",
                                        tftp_server_address="10.10.0.11", kea_ha_state={}))
    assert c["problems"] == [
        "kea_ha_mdoe: unknown variable on a1 (did you mean 'kea_ha_mode'?): the collection does not read it (docs/fleet.md lists them)",
        "tftp_server_fils: unknown variable on a1 (did you mean 'tftp_server_files'?): the collection does not read it"
        " (docs/fleet.md lists them)",
    ]


def test_host_addresses_the_failover_address_must_be_the_hosts_own_and_a_subnet_must_be_declared():
    c = ctx("a1", "dhcpd_primary", site("a", "10.10"))
    assert host_problems(c, {"eth0": ["10.10.0.11/16"], "lo": ["127.0.0.1/8"]}, ["eth0"]) == []
    moved = host_problems(c, {"eth0": ["10.10.0.99/16"]}, ["eth0"])
    assert len(moved) == 1 and moved[0].startswith("dhcpd_failover.primary.address is 10.10.0.11, which is not an address of a1"
                                                   " (it has 10.10.0.99)")
    elsewhere = host_problems(c, {"eth0": ["10.10.0.11/16"], "eth1": ["192.168.5.2/24"]}, ["eth1"])
    assert elsewhere == ["a1 listens on eth1, but no subnet in dhcpd_subnets or dhcpd_shared_networks holds its address there"
                         " (192.168.5.2/24): dhcpd exits at start ('No subnet declaration for ...'): declare that subnet (with no"
                         " pool if it serves no client) or set dhcpd_interfaces"]
    assert host_problems(c, {}, []) == []  # no addresses read: nothing to say
    typo = host_problems(c, {"eth0": ["10.10.0.11/16"], "lo": ["127.0.0.1/8"]}, ["eht0"])
    assert typo == ["dhcpd_interfaces names eht0, where a1 has no IPv4 address (its interfaces with one: eth0, lo): the server"
                    " could not answer there; name an interface of the host, or leave dhcpd_interfaces unset for the default"
                    " route's"]


def test_the_filters_refuse_with_every_problem_and_accept_a_context_back():
    variables = dict(site("a", "10.10"), dhcp_backend="kae")
    c = dhcp_peer_context({"host": "a1", "groups": ["dhcpd_primary"], "vars": variables})
    assert c["problems"] == ["dhcp_backend: 'kae' on a1 is not a backend (did you mean 'kea'?): set dhcp_backend to isc (ISC dhcpd,"
                             " the default) or kea"]
    again = dhcp_peer_context(c, host_state={"addresses": {"eth0": ["10.10.0.5/16"]}}, listen=["eth0"])
    assert len(again["problems"]) == 2 and "not an address of a1" in again["problems"][1]
    with pytest.raises(AnsibleFilterError, match="1 problem.*no host was changed"):
        dhcp_fleet_check([c], {"all": ["a1", "a2"], "dhcpd_primary": ["a1"], "dhcpd_secondary": ["a2"]})
    with pytest.raises(AnsibleFilterError, match="the input must be"):
        dhcp_peer_context(["not", "a", "mapping"])


def test_boot_files_no_tftp_server_of_the_pair_holds_are_warned_about(monkeypatch):
    """next_server: self sends clients to the peers; a boot file outside the
    tftp_server role's plan (on every supported OS) and the user's files is
    named with the variable that hands it out."""
    pxe = {"next_server": "self", "boot_files": {"bios": "pxelinux.0", "uefi_x64": "shimx64.efi", "arm64": "grubaa64.efi"}}
    contexts, hosts, prim, sec = fleet(("a", site("a", "10.10", dhcpd_pxe=pxe)))
    groups = {"all": hosts, "dhcpd_primary": prim, "dhcpd_secondary": sec}
    held = {"address": "", "bios": True, "uefi": True, "files": [{"dest": "lab/readme.txt"}]}
    tftp = {"a1": dict(held, address="10.10.0.11"), "a2": dict(held, address="10.10.0.12")}
    from ansible.utils.display import Display

    said = []
    monkeypatch.setattr(Display, "warning", lambda self, msg, *a, **k: said.append(msg))
    dhcp_fleet_check(contexts, groups, tftp=tftp)
    assert said == ["dhcp_fleet_check: pair a1/a2 hands out grubaa64.efi (dhcpd_pxe.boot_files.arm64), which a1, a2 will not hold"
                    " (next_server self): add it to tftp_server_files there, or fix the boot file"]
    del said[:]
    tftp["a2"]["files"] = [{"dest": "grubaa64.efi"}]
    tftp["a1"]["uefi"] = False
    dhcp_fleet_check(contexts, groups, tftp=tftp)
    assert len(said) == 2 and "grubaa64.efi (dhcpd_pxe.boot_files.arm64), which a1 will not hold" in said[1]
    assert "shimx64.efi (dhcpd_pxe.boot_files.uefi_x64), which a1 will not hold" in said[0]
