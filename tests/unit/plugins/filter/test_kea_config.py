"""The kea_config filter: both example inventories as Kea HA pairs, real kea-dhcp4 -t, and the HA checks.

`kea-dhcp4 -t` is the real one (Debian's kea-dhcp4-server). The HA mistakes
below are each shown to pass `kea-dhcp4 -t` and to be refused by the
collection's pair check, so the check is what stands between them and a host.
"""

import copy
import json
import os
import shutil
import subprocess
import tempfile

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.kea_config import FilterModule, kea_config
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_checker import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_expr import translate_match
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_pair import check_pair
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

from tests.helpers import HOSTS, ROOT, example

GOLDEN = os.path.join(ROOT, "tests", "golden")
KEA = shutil.which("kea-dhcp4") or "/usr/sbin/kea-dhcp4"
# -t checks that the interfaces exist: the controller's loopback stands in for the host's.
SETTINGS = {"interfaces": ["lo"]}


def kea_t(conf):
    """Run the real `kea-dhcp4 -t` on a configuration mapping: (exit code, output)."""
    assert os.path.exists(KEA), "kea-dhcp4 is not installed: apt-get install kea-dhcp4-server"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kea-dhcp4.conf")
        with open(path, "w") as fh:
            json.dump(conf, fh)
        env = dict(os.environ, KEA_PIDFILE_DIR=tmp, KEA_LOCKFILE_DIR=tmp)
        res = subprocess.run([KEA, "-t", path], capture_output=True, text=True, env=env, timeout=60, check=False)
    return res.returncode, res.stdout + res.stderr


def pair(description=None, **settings):
    s = dict(SETTINGS, **settings)
    return render_kea(description or example(), ["primary", "secondary"], HOSTS, s)


def problems_of(description, role=("primary", "secondary"), **settings):
    with pytest.raises(ModelError) as exc:
        render_kea(description, list(role), HOSTS, dict(SETTINGS, **settings))
    return exc.value.problems


@pytest.mark.parametrize("inventory", ["example", "example-primary-only"])
def test_examples_match_golden_and_pass_kea_t(inventory):
    configs = pair(example(inventory))
    for role, conf in configs.items():
        text = json.dumps(conf, indent=2, sort_keys=False) + "\n"
        golden = os.path.join(GOLDEN, "kea-%s-%s.json" % (inventory, role))
        if os.environ.get("UPDATE_GOLDEN"):
            with open(golden, "w") as fh:
                fh.write(text)
        with open(golden) as fh:
            assert text == fh.read(), "rendered config differs from %s (UPDATE_GOLDEN=1 to accept)" % golden
        code, out = kea_t(conf)
        assert code == 0, out


def test_kea_t_helper_fails_on_what_kea_rejects():
    conf = pair()["primary"]
    conf["Dhcp4"]["subnet4"][0]["pools"][0]["pool"] = "10.9.0.1 - 10.9.0.9"  # outside the subnet
    code, out = kea_t(conf)
    assert code != 0 and "10.9.0.1" in out


def test_filter_is_registered_and_renders_the_agent():
    assert FilterModule().filters()["kea_config"] is kea_config
    agent = kea_config(example(), "secondary", HOSTS, SETTINGS, part="ctrl_agent")
    assert agent["Control-agent"]["http-host"] == "10.4.7.210"
    assert agent["Control-agent"]["control-sockets"]["dhcp4"]["socket-name"] == "/run/kea/kea4-ctrl-socket"


def test_ha_pair_shape():
    configs = pair()
    p, s = configs["primary"]["Dhcp4"], configs["secondary"]["Dhcp4"]
    libs = [lib["library"].rsplit("/", 1)[1] for lib in p["hooks-libraries"]]
    assert libs == ["libdhcp_lease_cmds.so", "libdhcp_ha.so"]
    ha_p = p["hooks-libraries"][1]["parameters"]["high-availability"][0]
    ha_s = s["hooks-libraries"][1]["parameters"]["high-availability"][0]
    assert (ha_p["this-server-name"], ha_s["this-server-name"]) == ("dhcp1.example.com", "dhcp2.example.com")
    assert ha_p["peers"] == ha_s["peers"]
    assert [x["url"] for x in ha_p["peers"]] == ["http://10.4.7.9:8000/", "http://10.4.7.210:8000/"]
    # dhcpd's timers (seconds) as Kea's (milliseconds); a heartbeat every second.
    assert (ha_p["max-response-delay"], ha_p["heartbeat-delay"], ha_p["max-ack-delay"]) == (30000, 1000, 3000)
    # The failover pool is split in halves, one per server: new leases for its own HA class, and
    # any client asking again for an address it holds (a lease carried over from dhcpd, or given by
    # the partner alone); both peers have the same pools and ids.
    assert [(x["pool"], x["client-class"]) for x in p["subnet4"][0]["pools"]] == [
        ("10.4.45.1 - 10.4.45.125", "NETBOOT_HA_dhcp1.example.com"),
        ("10.4.45.126 - 10.4.45.250", "NETBOOT_HA_dhcp2.example.com"),
    ]
    halves = {c["name"]: c["test"] for c in p["client-classes"] if c["name"].startswith("NETBOOT_HA_")}
    assert halves == {"NETBOOT_HA_dhcp1.example.com": "member('HA_dhcp1.example.com') or pkt4.msgtype == 3",
                      "NETBOOT_HA_dhcp2.example.com": "member('HA_dhcp2.example.com') or pkt4.msgtype == 3"}
    assert [x["id"] for x in p["subnet4"]] == [x["id"] for x in s["subnet4"]]
    assert [x["pools"] for x in p["subnet4"]] == [x["pools"] for x in s["subnet4"]]
    # next_server: self: each peer names itself.
    boot = [c for c in p["client-classes"] + s["client-classes"] if "next-server" in c or c["name"].startswith("NETBOOT_BOOT")]
    assert {c.get("next-server") for c in boot if c in p["client-classes"]} == {"10.4.7.9"}
    assert {c.get("next-server") for c in boot if c in s["client-classes"]} == {"10.4.7.210"}


def test_subnet_ids_do_not_move_when_a_subnet_is_added_before():
    one = example()
    two = copy.deepcopy(one)
    two["dhcpd_subnets"].insert(0, {"network": "10.3.0.0/24"})
    ids_one = {s["subnet"]: s["id"] for s in pair(one)["primary"]["Dhcp4"]["subnet4"]}
    ids_two = {s["subnet"]: s["id"] for s in pair(two)["secondary"]["Dhcp4"]["subnet4"]}
    assert ids_two["10.4.0.0/16"] == ids_one["10.4.0.0/16"]
    assert len(set(ids_two.values())) == 2


def test_hot_standby_keeps_pools_whole():
    configs = pair(mode="hot-standby")
    p = configs["primary"]["Dhcp4"]
    assert [x["pool"] for x in p["subnet4"][0]["pools"]] == ["10.4.45.1 - 10.4.45.250"]
    ha = p["hooks-libraries"][1]["parameters"]["high-availability"][0]
    assert [x["role"] for x in ha["peers"]] == ["primary", "standby"]
    assert kea_t(configs["primary"])[0] == 0


def test_dedicated_listener_turns_multi_threading_on_in_both_places():
    conf = pair(transport="dedicated")["primary"]
    p = conf["Dhcp4"]
    ha = p["hooks-libraries"][1]["parameters"]["high-availability"][0]
    assert p["multi-threading"]["enable-multi-threading"] is True
    assert ha["multi-threading"] == {"enable-multi-threading": True, "http-dedicated-listener": True}
    assert kea_t(conf)[0] == 0


# -- the HA mistakes kea-dhcp4 -t lets through ---------------------------------------
def _ha(conf):
    return conf["Dhcp4"]["hooks-libraries"][1]["parameters"]["high-availability"][0]


def _wrong_name(p, s):
    _ha(s)["this-server-name"] = "dhcp3"


def _mode_typo(p, s):
    _ha(p)["mode"] = _ha(s)["mode"] = "load-balanced"


def _host_name_url(p, s):
    for conf in (p, s):
        _ha(conf)["peers"][1]["url"] = "http://dhcp2.example.com:8000/"


def _pool_unrestricted(p, s):
    for conf in (p, s):
        del conf["Dhcp4"]["subnet4"][0]["pools"][0]["client-class"]


def _ids_differ(p, s):
    s["Dhcp4"]["subnet4"][0]["id"] = 7


def _no_lease_cmds(p, s):
    for conf in (p, s):
        conf["Dhcp4"]["hooks-libraries"].pop(0)


def _threads_half_on(p, s):
    _ha(p)["multi-threading"] = {"enable-multi-threading": True, "http-dedicated-listener": True}


MISTAKES = {
    "wrong this-server-name": (_wrong_name, "secondary:Dhcp4.hooks-libraries.high-availability.this-server-name"),
    "mode typo": (_mode_typo, "primary:Dhcp4.hooks-libraries.high-availability.mode"),
    "host name in a peer URL": (_host_name_url, "primary:Dhcp4.hooks-libraries.high-availability.peers[1].url"),
    "pool not restricted to an HA class": (_pool_unrestricted, "primary:subnet 10.4.0.0/16.pools[0]"),
    "different subnet ids": (_ids_differ, "secondary:Dhcp4.subnet4"),
    "lease_cmds hook missing": (_no_lease_cmds, "primary:Dhcp4.hooks-libraries"),
    "multi-threading on in the hook only": (_threads_half_on, "primary:Dhcp4.hooks-libraries.high-availability.multi-threading"),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_ha_mistake_passes_kea_t_and_is_refused(name):
    mutate, path = MISTAKES[name]
    configs = pair()
    p, s = copy.deepcopy(configs["primary"]), copy.deepcopy(configs["secondary"])
    assert check_pair(p, s) == []
    mutate(p, s)
    for conf in (p, s):
        code, out = kea_t(conf)
        assert code == 0, "kea-dhcp4 -t refused it after all (%s):\n%s" % (name, out[-2000:])
    found = check_pair(p, s)
    assert path in [x[0] for x in found], found


# -- what the description says that Kea cannot -----------------------------------------
def test_open_model_refusals_name_every_path():
    with open(os.path.join(GOLDEN, "open-model.yml")) as fh:
        description = yaml.safe_load(fh)
    found = dict(problems_of(description))
    for path in (
        "dhcpd_statements[0]",
        "dhcpd_includes[0]",
        "dhcpd_ddns.style",  # interim
        "dhcpd_ddns.zones[1].secondary",  # a DNS name, not an inventory host
        "dhcpd_classes[0].statements[0]",
        "dhcpd_shared_networks[0].statements[0]",
    ):
        assert path in found, sorted(found)
    assert all("Kea" in message for message in found.values())


# -- DDNS: kea-dhcp4's settings and kea-dhcp-ddns (D2) ---------------------------
D2 = shutil.which("kea-dhcp-ddns") or "/usr/sbin/kea-dhcp-ddns"
DDNS_KEY = "bmV0Ym9vdC11bml0LWQyLWtleQ=="


def ddns_site(**ddns):
    description = example()
    description["dhcpd_ddns"] = dict({
        "style": "standard", "domain_name": "lab.example",
        "keys": [{"name": "k1", "algorithm": "hmac-sha512", "secret": DDNS_KEY}],
        "zones": [{"name": "lab.example", "primary": "10.4.7.53", "secondary": "10.4.7.54", "key": "k1"},
                  {"name": "7.4.10.in-addr.arpa.", "primary": "10.4.7.53", "key": "k1"}],
    }, **ddns)
    return description


def d2_t(conf, keys_text):
    """The real `kea-dhcp-ddns -t` on a D2 configuration whose keys stand-in is
    replaced by an include of the keys file, as the kea role writes it."""
    assert os.path.exists(D2), "kea-dhcp-ddns is not installed: apt-get install kea-dhcp-ddns-server"
    with tempfile.TemporaryDirectory() as tmp:
        keys = os.path.join(tmp, "keys.json")
        with open(keys, "w") as fh:
            fh.write(keys_text)
        path = os.path.join(tmp, "d2.conf")
        with open(path, "w") as fh:
            fh.write(json.dumps(conf).replace('"netboot:include-ddns-keys"', '<?include "%s"?>' % keys))
        env = dict(os.environ, KEA_PIDFILE_DIR=tmp, KEA_LOCKFILE_DIR=tmp)
        res = subprocess.run([D2, "-t", path], capture_output=True, text=True, env=env, timeout=60, check=False)
    return res.returncode, res.stdout + res.stderr


def test_ddns_becomes_kea_dhcp4_settings_and_a_d2_configuration_both_kea_checks_accept():
    description = ddns_site()
    confs = pair(description)
    for conf in confs.values():
        d4 = conf["Dhcp4"]
        assert d4["dhcp-ddns"]["enable-updates"] is True and d4["dhcp-ddns"]["server-port"] == 53001
        assert d4["ddns-qualifying-suffix"] == "lab.example." and d4["ddns-send-updates"] is True
        assert kea_t(conf)[0] == 0
    d2 = render_kea(description, "primary", HOSTS, SETTINGS, part="d2")["DhcpDdns"]
    assert d2["tsig-keys"] == "netboot:include-ddns-keys"
    assert d2["forward-ddns"]["ddns-domains"] == [{"name": "lab.example.", "key-name": "k1", "dns-servers": [
        {"ip-address": "10.4.7.53", "port": 53}, {"ip-address": "10.4.7.54", "port": 53}]}]
    assert [d["name"] for d in d2["reverse-ddns"]["ddns-domains"]] == ["7.4.10.in-addr.arpa."]
    keys = render_kea(description, "primary", HOSTS, SETTINGS, part="d2_keys")
    assert json.loads(keys) == [{"name": "k1", "algorithm": "HMAC-SHA512", "secret": DDNS_KEY}]
    # The secret is in the keys part only.
    assert DDNS_KEY not in json.dumps(confs) + json.dumps(d2)
    code, out = d2_t({"DhcpDdns": d2}, keys)
    assert code == 0, out
    # A key D2 cannot decode fails that same check (the helper can fail).
    assert d2_t({"DhcpDdns": d2}, keys.replace(DDNS_KEY, "@@not-base64@@"))[0] != 0


def test_ddns_off_or_without_updates():
    assert render_kea(example(), "primary", HOSTS, SETTINGS, part="d2") == {}
    assert render_kea(example(), "primary", HOSTS, SETTINGS, part="d2_keys") == ""
    # What the kea role asks before installing kea-dhcp-ddns, and the
    # rendering's own answer (a d2 configuration or none), agree.
    for description in (example(), ddns_site(), ddns_site(updates=False), dict(example(), dhcpd_ddns={"style": "none"})):
        wanted = render_kea(description, ["primary", "secondary"], HOSTS, part="ddns")
        assert wanted == {role: render_kea(description, role, HOSTS, SETTINGS, part="d2") != {} for role in ("primary", "secondary")}
    assert render_kea(ddns_site(), "primary", HOSTS, part="ddns") is True
    assert render_kea(example(), "primary", HOSTS, part="ddns") is False
    assert "dhcp-ddns" not in pair()["primary"]["Dhcp4"]
    quiet = pair(ddns_site(updates=False))["primary"]["Dhcp4"]
    assert quiet["ddns-send-updates"] is False


def test_ddns_kea_cannot_do_is_refused_with_the_fix():
    found = dict(problems_of(ddns_site(style="interim", rev_domain_name="rev.lab.example", zones=[])))
    assert "set style: standard" in found["dhcpd_ddns.style"]
    assert "in-addr.arpa" in found["dhcpd_ddns.rev_domain_name"]
    assert "list the forward and reverse zones" in found["dhcpd_ddns.zones"]
    site = ddns_site()
    site["dhcpd_ddns"]["zones"][0]["primary"] = "ns1.elsewhere.example"
    assert "inventory host" in dict(problems_of(site))["dhcpd_ddns.zones[0].primary"]
    # An inventory host's address is taken.
    site["dhcpd_ddns"]["zones"][0]["primary"] = "tftp1.example.com"
    d2 = render_kea(site, "primary", HOSTS, SETTINGS, part="d2")["DhcpDdns"]
    assert d2["forward-ddns"]["ddns-domains"][0]["dns-servers"][0]["ip-address"] == "10.4.7.12"


def test_ddns_warns_that_kea_updates_reserved_addresses_too():
    site = ddns_site()
    site["dhcpd_hosts"] = [{"name": "printer", "mac": "52:54:00:00:00:99", "address": "10.4.7.99"}]
    warnings = []
    render_kea(site, ["primary", "secondary"], HOSTS, SETTINGS, warnings=warnings)
    assert any("update_static_leases" in w for w in warnings), warnings
    warnings = []
    site["dhcpd_ddns"]["update_static_leases"] = True
    render_kea(site, ["primary", "secondary"], HOSTS, SETTINGS, warnings=warnings)
    assert not any("update_static_leases" in w for w in warnings), warnings


def test_settings_and_input_refused_with_their_names():
    assert [p for p, dummy in problems_of(example(), mode="load-balanced")] == ["kea_ha_mode"]
    description = example()
    description["dhcpd_failover"]["secondary"]["address"] = "dhcp2.elsewhere.example"
    found = dict(problems_of(description))
    assert "IPv4" in found["dhcpd_failover.secondary.address"]
    description = example()
    description["dhcpd_subnets"][0]["pools"][0]["range"] = "10.4.45.1 10.4.45.1"
    assert "dhcpd_subnets[0].pools[0].range" in dict(problems_of(description))


def test_split_255_asks_for_hot_standby():
    description = example()
    description["dhcpd_failover"]["split"] = 255
    assert "hot-standby" in dict(problems_of(description))["dhcpd_failover.split"]
    pair(description, mode="hot-standby")


def test_filter_error_and_warnings():
    description = example("example-primary-only")
    with pytest.raises(AnsibleFilterError, match="kea_ha_mode"):
        kea_config(description, "primary", HOSTS, dict(SETTINGS, mode="x"))
    warnings = []
    render_kea(description, ["primary", "secondary"], HOSTS, SETTINGS, warnings=warnings)
    assert any(w.startswith("dhcpd_pxe.mode") for w in warnings)


@pytest.mark.parametrize(
    "expr, kea",
    [
        ('option user-class = "lab"', "option[77].hex == 'lab'"),
        ('substring (option vendor-class-identifier, 0, 9) = "PXEClient"', "substring(option[60].hex,0,9) == 'PXEClient'"),
        ("exists user-class and not option pxe-system-type = 00:07", "option[77].exists and not option[93].hex == 0x0007"),
        ('option host-name = "a" or (option host-name = "b")', "option[12].hex == 'a' or (option[12].hex == 'b')"),
    ],
)
def test_match_translation(expr, kea):
    assert translate_match(expr) == kea


def test_untranslatable_match_asks_for_kea_test():
    description = example()
    description["dhcpd_classes"] = [{"name": "odd", "match": 'pick-first-value (option host-name, "x") = "x"'}]
    assert "kea_test" in dict(problems_of(description))["dhcpd_classes[0].match"]
    description["dhcpd_classes"][0]["kea_test"] = "option[12].hex == 'x'"
    configs = pair(description)
    assert {"name": "odd", "test": "option[12].hex == 'x'"} in configs["primary"]["Dhcp4"]["client-classes"]
    assert kea_t(configs["primary"])[0] == 0


def subclass_site(**known):
    description = example()
    description["dhcpd_classes"] = [
        dict({"name": "known-macs", "match": "hardware",
              "subclasses": [{"match_value": "1:52:54:00:00:00:01"},
                             {"match_value": "1:52:54:00:00:00:02", "max_lease_time": 600, "options": {"host-name": "two"}}]}, **known),
        {"name": "vendors", "match": "substring (option vendor-class-identifier, 0, 4)", "subclasses": [{"match_value": "MSFT"}],
         "options": {"domain-name": "msft.lab"}},
    ]
    return description


def test_subclasses_become_a_class_per_value_before_their_class_which_holds_their_members():
    configs = pair(subclass_site())
    classes = configs["primary"]["Dhcp4"]["client-classes"]
    names = [k["name"] for k in classes]
    assert names[:5] == ["known-macs:1", "known-macs:2", "known-macs", "vendors:1", "vendors"]
    assert classes[0] == {"name": "known-macs:1", "test": "concat(substring(pkt4.htype,-1,all),pkt4.mac) == 0x01525400000001"}
    assert classes[1] == {"name": "known-macs:2", "test": "concat(substring(pkt4.htype,-1,all),pkt4.mac) == 0x01525400000002",
                          "max-valid-lifetime": 600, "option-data": [{"name": "host-name", "data": "two"}]}
    assert classes[2] == {"name": "known-macs", "test": "member('known-macs:1') or member('known-macs:2')"}
    assert classes[3]["test"] == "substring(option[60].hex,0,4) == 'MSFT'"
    assert classes[4] == {"name": "vendors", "test": "member('vendors:1')", "option-data": [{"name": "domain-name", "data": "msft.lab"}]}
    assert configs["secondary"]["Dhcp4"]["client-classes"][:5] == classes[:5]
    for conf in configs.values():
        code, out = kea_t(conf)
        assert code == 0, out


def test_subclasses_kea_cannot_compare_are_refused_with_the_fix():
    description = subclass_site(match="option agent.circuit-id")
    description["dhcpd_classes"][0]["subclasses"].append({"match_value": "it's", "statements": ["lease limit 1"]})
    found = dict(problems_of(description))
    assert "kea_test" in found["dhcpd_classes[0].match"]
    assert "bytes" in found["dhcpd_classes[0].subclasses[2].match_value"]
    assert "Kea has no raw statements" in found["dhcpd_classes[0].subclasses[2].statements[0]"]
    # kea_test gives the data in Kea's own words.
    description = subclass_site(match="option agent.circuit-id", kea_test="option[82].option[1].hex")
    classes = pair(description)["primary"]["Dhcp4"]["client-classes"]
    assert classes[0]["test"] == "option[82].option[1].hex == 0x01525400000001"
    assert kea_t(pair(description)["primary"])[0] == 0


def test_spawning_is_still_refused():
    description = example()
    description["dhcpd_classes"] = [{"name": "per-client", "match": 'option user-class = "x"', "spawn_with": "option dhcp-client-identifier"}]
    assert "Kea does not spawn classes" in dict(problems_of(description))["dhcpd_classes[0].spawn_with"]


def test_no_key_reaches_the_kea_files_or_warnings():
    """dhcpd_omapi has no use in Kea: its secret is in neither server's file, the agent's, nor the warnings."""
    secret = "c2VjcmV0LWtleS1mb3ItdGhlLWtlYS1jaGVjaw=="
    description = example()
    description["dhcpd_omapi"] = {"key_name": "omapi_key", "key_secret": secret}
    warnings = []
    configs = render_kea(description, ["primary", "secondary"], HOSTS, SETTINGS, warnings=warnings)
    agent = render_kea(description, "primary", HOSTS, SETTINGS, part="ctrl_agent")
    assert warnings == ["dhcpd_omapi: not used by Kea, which is controlled through its control socket"]
    assert secret not in json.dumps(configs) + json.dumps(agent) + json.dumps(warnings)


def test_boot_files_that_are_all_urls_render_for_kea_without_next_server():
    description = example()
    description["dhcpd_pxe"] = {"boot_files": {"http_x64": "http://10.4.7.12/boot/shimx64.efi"}}
    for role, conf in pair(description).items():
        text = json.dumps(conf)
        assert "next-server" not in text, role
        assert "http://10.4.7.12/boot/shimx64.efi" in text
        code, out = kea_t(conf)
        assert code == 0, out


def test_the_ha_channel_asks_for_a_password_that_never_passes_through_the_filter(tmp_path):
    """With auth_user, each peer entry names the user and a stand-in for the
    password, which the role replaces with an include of the owner-only file
    that holds it; the Control Agent reads it from a password file. The real
    kea-dhcp4 -t and kea-ctrl-agent -t accept both as the host reads them."""
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_settings import AUTH_PASSWORD_MARK

    configs = pair(auth_user="kea-ha", config_dir=str(tmp_path))
    for role, conf in configs.items():
        ha = _ha(conf)
        assert [(p["basic-auth-user"], p["basic-auth-password"]) for p in ha["peers"]] == [("kea-ha", AUTH_PASSWORD_MARK)] * 2
        code, out = kea_t(conf)  # the pre-flight's check, before the password file is there
        assert code == 0, out
        # As the role writes it: the include of the file with the password.
        (tmp_path / "netboot-ha-auth.json").write_text('"basic-auth-password": "s3cret"\n')
        text = json.dumps(conf, indent=2).replace('"basic-auth-password": "%s"' % AUTH_PASSWORD_MARK,
                                                  '<?include "%s"?>' % (tmp_path / "netboot-ha-auth.json"))
        (tmp_path / "kea-dhcp4.conf").write_text(text)
        env = dict(os.environ, KEA_PIDFILE_DIR=str(tmp_path), KEA_LOCKFILE_DIR=str(tmp_path))
        res = subprocess.run([KEA, "-t", str(tmp_path / "kea-dhcp4.conf")], capture_output=True, text=True, env=env, timeout=60, check=False)
        assert res.returncode == 0, res.stdout + res.stderr
        agent = render_kea(example(), role, HOSTS, dict(SETTINGS, auth_user="kea-ha", config_dir=str(tmp_path)), "ctrl_agent")
        auth = agent["Control-agent"]["authentication"]
        assert auth["type"] == "basic" and auth["directory"] == str(tmp_path)
        assert auth["clients"] == [{"user": "kea-ha", "password-file": "kea-api-password"}]
        (tmp_path / "kea-api-password").write_text("s3cret")
        (tmp_path / "ca.json").write_text(json.dumps(agent))
        res = subprocess.run([os.path.join(os.path.dirname(KEA), "kea-ctrl-agent"), "-t", str(tmp_path / "ca.json")],
                             capture_output=True, text=True, env=env, timeout=60, check=False)
        assert res.returncode == 0 and "requires basic HTTP authentication" in res.stdout + res.stderr, res.stdout + res.stderr
    # Without auth_user (a standalone server, or dedicated transport): no credentials.
    assert all("basic-auth-user" not in p for p in _ha(pair()["primary"])["peers"])
    assert all("basic-auth-user" not in p for p in _ha(pair(auth_user="kea-ha", transport="dedicated")["primary"])["peers"])
    assert "basic-auth" not in json.dumps(pair(auth_user="kea-ha", transport="dedicated"))


def test_a_user_name_basic_authentication_cannot_carry_is_refused():
    problems = problems_of(example(), auth_user="kea:ha")
    assert problems and problems[0][0] == "kea_ha_auth_user"


def test_auto_partner_down_zero_means_no_takeover_on_either_backend():
    description = example()
    assert [p["auto-failover"] for p in _ha(pair(description)["primary"])["peers"]] == [True, True]
    description["dhcpd_failover"]["auto_partner_down"] = 0
    for conf in pair(description).values():
        assert [p["auto-failover"] for p in _ha(conf)["peers"]] == [False, False]
        code, out = kea_t(conf)
        assert code == 0, out
    description["dhcpd_failover"]["auto_partner_down"] = 600
    assert [p["auto-failover"] for p in _ha(pair(description)["secondary"])["peers"]] == [True, True]


def test_heartbeat_and_delayed_updates_follow_the_settings_and_a_heartbeat_too_long_is_refused():
    """The heartbeat is 1 s unless set (and then shorter than
    max_response_delay), whatever max_response_delay is; delayed-updates-limit
    is written in load-balancing only; kea-dhcp4 -t takes what is rendered."""
    default = _ha(pair()["primary"])
    assert (default["heartbeat-delay"], default["delayed-updates-limit"]) == (1000, 100)
    code, out = kea_t(pair()["primary"])
    assert code == 0, out[-2000:]
    tuned = pair(heartbeat_delay=2, delayed_updates_limit=500)
    assert (_ha(tuned["primary"])["heartbeat-delay"], _ha(tuned["secondary"])["delayed-updates-limit"]) == (2000, 500)
    code, out = kea_t(tuned["primary"])
    assert code == 0, out[-2000:]
    assert "delayed-updates-limit" not in _ha(pair(mode="hot-standby")["primary"])
    assert problems_of(example(), heartbeat_delay=30) == [(
        "kea_ha_heartbeat_delay",
        "30 s: must be shorter than dhcpd_failover.max_response_delay (30 s), or a partner is declared down between two heartbeats")]
    assert problems_of(example(), delayed_updates_limit=-1) == [("kea_ha_delayed_updates_limit", "-1: a whole number, at least 0")]


def make_pki(folder, peers):
    """A CA and a certificate per peer (name -> address, an IP
    subjectAltName), made with openssl as an operator would: PEM files
    CA.pem, NAME.pem and NAME.key in FOLDER."""
    def ssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
        "-subj", "/CN=netboot test CA", "-keyout", "CA.key", "-out", "CA.pem")
    for name, address in peers.items():
        ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=%s" % name,
            "-keyout", "%s.key" % name, "-out", "%s.csr" % name)
        (folder / ("%s.ext" % name)).write_text("subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n" % address)
        ssl("x509", "-req", "-in", "%s.csr" % name, "-CA", "CA.pem", "-CAkey", "CA.key", "-CAcreateserial",
            "-days", "30", "-extfile", "%s.ext" % name, "-out", "%s.pem" % name)


def test_tls_on_the_ha_channel_makes_https_peers_and_agents_that_require_a_client_certificate(tmp_path):
    """With tls, the peer URLs are https, the HA hook presents the files the
    role writes in config_dir, and the Control Agent serves https and takes
    only clients with a certificate the pair's CA signed. The real
    kea-dhcp4 -t and kea-ctrl-agent -t accept both with real PEM files."""
    configs = pair(auth_user="kea-ha", tls=True, config_dir=str(tmp_path))
    files = {"trust-anchor": str(tmp_path / "netboot-ha-ca.pem"), "cert-file": str(tmp_path / "netboot-ha-cert.pem"),
             "key-file": str(tmp_path / "netboot-ha-key.pem")}
    make_pki(tmp_path, {"primary": "10.4.7.9"})
    for src, dst in (("CA.pem", "netboot-ha-ca.pem"), ("primary.pem", "netboot-ha-cert.pem"), ("primary.key", "netboot-ha-key.pem")):
        shutil.copy(tmp_path / src, tmp_path / dst)
    env = dict(os.environ, KEA_PIDFILE_DIR=str(tmp_path), KEA_LOCKFILE_DIR=str(tmp_path))
    for role, conf in configs.items():
        ha = _ha(conf)
        assert [p["url"] for p in ha["peers"]] == ["https://10.4.7.9:8000/", "https://10.4.7.210:8000/"]
        assert {k: ha[k] for k in files} == files and "require-client-certs" not in ha
        code, out = kea_t(conf)
        assert code == 0, out
        agent = render_kea(example(), role, HOSTS, dict(SETTINGS, auth_user="kea-ha", tls=True, config_dir=str(tmp_path)),
                           "ctrl_agent")["Control-agent"]
        assert {k: agent[k] for k in files} == files and agent["cert-required"] is True
        (tmp_path / "kea-api-password").write_text("s3cret")
        (tmp_path / "ca.json").write_text(json.dumps({"Control-agent": agent}))
        res = subprocess.run([os.path.join(os.path.dirname(KEA), "kea-ctrl-agent"), "-t", str(tmp_path / "ca.json")],
                             capture_output=True, text=True, env=env, timeout=60, check=False)
        assert res.returncode == 0, res.stdout + res.stderr
    # The dedicated listener (Kea >= 2.1.7) is the server side: it asks for the partner's certificate.
    dedicated = _ha(pair(tls=True, transport="dedicated", config_dir=str(tmp_path))["primary"])
    assert dedicated["require-client-certs"] is True and dedicated["peers"][0]["url"].startswith("https://")
    # Without tls: plain http, no TLS keys anywhere.
    assert "trust-anchor" not in json.dumps(pair(auth_user="kea-ha")) and _ha(pair()["primary"])["peers"][0]["url"].startswith("http://")
    problems = problems_of(example(), tls="yes")
    assert problems and problems[0][0] == "kea_ha_tls_cert"


def test_tls_material_that_does_not_belong_together_is_named_before_it_reaches_a_host(tmp_path):
    """kea_tls_check, the pre-flight's check of kea_ha_tls_*: real PEM files
    made with openssl; each mistake named by its variable, the key's content
    never in a message."""
    from ansible_collections.netboot.dhcp_failover.plugins.filter.kea_tls_check import FilterModule as TlsFilters
    check = TlsFilters().filters()["kea_tls_check"]
    make_pki(tmp_path, {"k1": "10.4.7.9", "k2": "10.4.7.210"})
    other = tmp_path / "other"
    other.mkdir()
    make_pki(other, {"k1": "10.4.7.9"})
    text = {path.name: path.read_text() for path in tmp_path.iterdir() if path.is_file()}
    ca, k1, k1_key, k2_key = text["CA.pem"], text["k1.pem"], text["k1.key"], text["k2.key"]
    assert check(ca, k1, k1_key, "10.4.7.9") == []
    assert check(ca, k1, k1_key) == []
    mistakes = {
        "the partner's key": (ca, k1, k2_key, "10.4.7.9", "kea_ha_tls_key: not the key of kea_ha_tls_cert (CN=k1)"),
        "another CA": ((other / "CA.pem").read_text(), k1, k1_key, "10.4.7.9", "kea_ha_tls_cert: CN=k1 is not signed by kea_ha_tls_ca_cert"),
        "the partner's address": (ca, k1, k1_key, "10.4.7.210",
                                  "kea_ha_tls_cert: has no IP subjectAltName 10.4.7.210, this peer's failover address (it has 10.4.7.9)"),
        "a key for a certificate": (ca, k1, k1, "10.4.7.9", "kea_ha_tls_key: not a PEM private key"),
        "no certificate": (ca, "k1.pem", k1_key, None, "kea_ha_tls_cert: not a PEM certificate"),
        "no CA": ("", k1, k1_key, None, "kea_ha_tls_ca_cert: not a PEM certificate"),
    }
    for what, (c, cert, key, address, expected) in mistakes.items():
        out = check(c, cert=cert, key=key, address=address)
        assert len(out) == 1 and out[0].startswith(expected), (what, out)
        for line in key.splitlines():
            assert "-----" in line or line not in out[0], what
    subprocess.run(["openssl", "pkey", "-in", "k1.key", "-aes256", "-passout", "pass:x", "-out", "k1.enc"], cwd=tmp_path, check=True)
    out = check(ca, k1, (tmp_path / "k1.enc").read_text())
    assert out and out[0].startswith("kea_ha_tls_key: an encrypted key"), out


def test_subnets_with_reservations_tell_kea_they_are_out_of_the_pools():
    """The description refuses a reservation inside a pool's range, so every
    subnet with reservations and pools says reservations-out-of-pool; the real
    kea-dhcp4 -t takes it."""
    description = example()
    description["dhcpd_hosts"] = [{"name": "printer", "mac": "52:54:00:44:00:01", "address": "10.4.7.50"}]
    description["dhcpd_subnets"].append({"network": "10.9.0.0/24", "pools": []})
    description["dhcpd_hosts"].append({"name": "scanner", "mac": "52:54:00:44:00:02", "address": "10.9.0.5"})
    for role, conf in pair(description).items():
        subnets = {s["subnet"]: s for s in conf["Dhcp4"]["subnet4"]}
        assert subnets["10.4.0.0/16"]["reservations-out-of-pool"] is True
        # A subnet of reservations only has no pool to skip.
        assert "reservations-out-of-pool" not in subnets["10.9.0.0/24"]
        assert kea_t(conf)[0] == 0, role
    assert all("reservations-out-of-pool" not in s for s in pair()["primary"]["Dhcp4"]["subnet4"])


# -- option definitions and spaces ------------------------------------------------------
def ipxe_site():
    """The published iPXE site of tests/corpus (its PXE and iPXE spaces, option 175 encapsulating iPXE's, option
    93 named again), without the dhcpd statements Kea has no place for, and with iPXE options set."""
    with open(os.path.join(ROOT, "tests", "corpus", "ipxe-spaces.yml")) as fh:
        site = yaml.safe_load(fh)["description"]
    description = {k: v for k, v in site.items() if k not in ("dhcpd_statements", "dhcpd_includes")}
    for sub in description["dhcpd_subnets"]:
        sub.pop("statements", None)
    description["dhcpd_options"].update({"ipxe.no-pxedhcp": 1, "ipxe.username": "boot", "arch": 7,
                                         "iscsi-initiator-iqn": "iqn.2026-12.lab:pve"})
    return description


def test_option_definitions_and_spaces_become_option_defs_kea_accepts():
    conf = render_kea(ipxe_site(), ["standalone"], HOSTS, SETTINGS)["standalone"]["Dhcp4"]
    defs = {(d["space"], d["name"]): d for d in conf["option-def"]}
    assert defs[("dhcp4", "ipxe-encap-opts")] == {"name": "ipxe-encap-opts", "code": 175, "space": "dhcp4", "type": "empty",
                                                  "array": False, "encapsulate": "ipxe"}
    assert defs[("ipxe", "priority")]["type"] == "int8" and defs[("PXE", "mtftp-ip")]["type"] == "ipv4-address"
    assert defs[("ipxe", "username")]["type"] == "string" and defs[("PXE", "mtftp-cport")]["type"] == "uint16"
    # Option 93 is Kea's client-system: not defined again, the user's name spoken as Kea's.
    assert ("dhcp4", "arch") not in defs
    data = {(o.get("space", "dhcp4"), o["name"]): o for o in conf["option-data"]}
    assert data[("dhcp4", "client-system")]["data"] == "7"
    assert data[("ipxe", "no-pxedhcp")]["data"] == "1" and data[("ipxe", "username")]["data"] == "boot"
    # The iPXE options go out inside option 175, so 175 is sent too.
    assert data[("dhcp4", "ipxe-encap-opts")] == {"name": "ipxe-encap-opts"}
    code, out = kea_t({"Dhcp4": conf})
    assert code == 0, out[-2000:]


def test_the_same_definitions_without_a_kea_option_def_show_kea_refuses_them():
    """The translation is needed: the same configuration without its option-def entries fails kea-dhcp4 -t."""
    conf = render_kea(ipxe_site(), ["standalone"], HOSTS, SETTINGS)["standalone"]["Dhcp4"]
    del conf["option-def"]
    code, dummy = kea_t({"Dhcp4": conf})
    assert code != 0


@pytest.mark.parametrize("definition, path, words", [
    ({"name": "routes", "code": 249, "type": "array of { ip-address, unsigned integer 8 }"},
     "dhcpd_option_definitions[0].type", "an array of records"),
    ({"name": "paths", "code": 250, "type": "{ unsigned integer 8, array of ip-address }"},
     "dhcpd_option_definitions[0].type", "a record that ends in a list"),
    ({"name": "authentication", "code": 90, "type": "string"},
     "dhcpd_option_definitions[0].code", "code 90 is a standard Kea option"),
])
def test_definitions_kea_cannot_take_are_refused_with_their_path(definition, path, words):
    description = example()
    description["dhcpd_option_definitions"] = [definition]
    found = dict(problems_of(description))
    assert path in found and words in found[path], found
