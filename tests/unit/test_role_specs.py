"""Every role's argument spec describes every default, with the same value,
and every public variable carries the role's prefix."""

import os

import pytest
import yaml

from tests.helpers import ROOT

ROLES = sorted(os.listdir(os.path.join(ROOT, "roles")))


def load(role, *parts):
    path = os.path.join(ROOT, "roles", role, *parts)
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return yaml.safe_load(fh)


@pytest.mark.parametrize("role", ROLES)
def test_argument_spec_matches_defaults(role):
    spec = load(role, "meta", "argument_specs.yml")
    assert spec and "main" in spec["argument_specs"], "%s has no meta/argument_specs.yml" % role
    # Every entry point's options, with main's (an option named by several
    # entry points must say the same default everywhere).
    options = {}
    for point, entry in spec["argument_specs"].items():
        # The common role's "playbooks" entry point documents the run-wide
        # variables the playbooks read (dhcp_backend, render_dir, ...); it is
        # never run, and no role defaults them.
        if (role, point) == ("common", "playbooks"):
            continue
        for name, option in (entry.get("options") or {}).items():
            if option.get("required"):
                continue
            assert name not in options or options[name].get("default") == option.get("default"), name
            options[name] = option
    defaults = load(role, "defaults", "main.yml") or {}
    for name, value in defaults.items():
        assert name in options, "%s: default %s is not in the argument spec" % (role, name)
        assert options[name].get("description"), "%s: %s has no description" % (role, name)
        if "default" in options[name]:
            assert options[name]["default"] == value, "%s: %s defaults differ" % (role, name)
    for name in options:
        assert name in defaults, "%s: %s is in the argument spec but has no default in defaults/main.yml" % (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_variables_carry_the_role_prefix(role):
    prefix = {"tftp_server": "tftp_server_", "common": "common_", "kea": "kea_"}.get(role, "dhcpd_")
    for name in load(role, "defaults", "main.yml") or {}:
        assert name.startswith(prefix), name
    for name in load(role, "vars", "main.yml") or {}:
        assert name.startswith("__" + prefix), name


def test_both_backends_know_every_dhcpd_role_setting():
    """The dhcpd_* variables that are role settings, not the description: the
    kea role reads the same description and must skip the same ones (a
    setting missing there is refused by kea_config as an unknown key), and
    each is a documented option of the dhcpd role."""
    dhcpd = load("dhcpd", "vars", "main.yml")["__dhcpd_role_settings"]
    kea = load("kea", "vars", "main.yml")["__kea_dhcpd_settings"]
    assert sorted(dhcpd) == sorted(kea)
    options = {name for entry in load("dhcpd", "meta", "argument_specs.yml")["argument_specs"].values()
               for name in entry.get("options", {})}
    # The facts the failover_state and pool_status entry points return.
    facts = ("dhcpd_failover_state", "dhcpd_pool_status")
    assert [s for s in dhcpd if s not in options and s not in facts] == []


@pytest.mark.parametrize("role", ["dhcpd", "kea", "tftp_server"])
def test_meta_platforms_are_the_releases_the_per_os_files_serve(role):
    """A new release is a line in the role's per-OS file (which the pre-flight
    holds a host to) and in its meta platforms: these two agree."""
    platforms = {p["name"]: [str(v) for v in p["versions"]] for p in load(role, "meta", "main.yml")["galaxy_info"]["platforms"]}
    redhat = load(role, "vars", "RedHat.yml")["__%s_os" % role]
    debian = load(role, "vars", "Debian.yml")["__%s_os" % role]
    assert platforms["EL"] == redhat["releases"]
    # The DHCP roles are run on Debian 13 too (the fleet lab on Debian 13
    # containers); the TFTP server role only on Debian 12 so far.
    debian_releases = {"dhcpd": ["bookworm", "trixie"], "kea": ["bookworm", "trixie"], "tftp_server": ["bookworm", "trixie"]}[role]
    names = {"bookworm": "12", "trixie": "13"}
    assert "releases" not in debian and platforms["Debian"] == debian_releases
    assert debian["supported"] == "Debian " + " and ".join(names[r] for r in debian_releases)
    assert redhat["supported"].startswith("the Red Hat family %s " % " and ".join(redhat["releases"]))


def test_the_kea_role_names_the_files_the_renderer_names():
    """The HA channel's files and the DNS update keys: their names are the
    renderer's constants (plugins/plugin_utils/_kea_settings.py,
    _kea_ddns.py), which the rendered JSON points at; the role writes,
    removes and reads those paths, and replaces the renderer's stand-in."""
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_ddns import KEYS_FILE, KEYS_MARK
    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_settings import (
        AUTH_INCLUDE_FILE, AUTH_PASSWORD_FILE, OLD_AUTH_PASSWORD_FILE, TLS_FILES)

    kea = load("kea", "vars", "main.yml")
    names = [AUTH_INCLUDE_FILE, AUTH_PASSWORD_FILE] + [TLS_FILES[k] for k in ("trust-anchor", "cert-file", "key-file")]
    assert kea["__kea_secret_names"] == ["/" + name for name in names + [KEYS_FILE, OLD_AUTH_PASSWORD_FILE]]
    assert [os.path.basename(path) for path in kea["__kea_old_files"]] == [OLD_AUTH_PASSWORD_FILE]
    assert os.path.basename(kea["__kea_ddns_keys_path"].split("}}")[-1]) == KEYS_FILE
    assert kea["__kea_ddns_mark"] == '"tsig-keys": "%s"' % KEYS_MARK
    assert [os.path.basename(kea["__kea_tls_paths"][k]) for k in ("ca_file", "cert_file", "key_file")] == names[2:]
    assert [os.path.basename(kea[k]) for k in ("__kea_auth_include_path", "__kea_auth_password_path")] == names[:2]
