"""playbooks/render.yml over a whole inventory of three sites (two ISC
pairs, one Kea pair): every host gets its own pair's files, checked with the
real dhcpd -t and kea-dhcp4 -t; each pair mistake is refused naming the
culprit, with nothing written."""

import json
import os
import shutil

import pytest

from tests.helpers import ROOT, assert_dhcpd_accepts
from tests.integration.test_render_playbook import render

SITES = {"a": ("10.10", "isc"), "b": ("10.20", "isc"), "c": ("10.30", "kea")}


def copy_fleet(tmp_path):
    """A copy of inventories/fleet to break."""
    dest = tmp_path / "inventory"
    shutil.copytree(os.path.join(ROOT, "inventories", "fleet"), dest)
    return dest


def run(inventory, out, *extra):
    # Site C's Kea HA password is vaulted with the example inventory's vault password.
    return render(str(inventory), out, "-e", "render_os=Debian",
                  "--vault-password-file", os.path.join(ROOT, "inventories", "fleet", "example-vault-password"), *extra)


def test_every_host_gets_its_own_pairs_files(tmp_path):
    out = tmp_path / "out"
    result = run(os.path.join(ROOT, "inventories", "fleet"), out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for site, (net, backend) in SITES.items():
        for n, role in ((1, "primary"), (2, "secondary")):
            host = "%s-dhcp%d.example.com" % (site, n)
            me = "%s.0.1%d" % (net, n)
            others = [v[0] for k, v in SITES.items() if k != site]
            if backend == "isc":
                text = (out / host / "dhcpd.conf").read_text()
                assert 'failover peer "site-%s" {' % site in text
                assert ("    %s;" % role) in text
                assert "    address %s;" % me in text
                assert "next-server %s;" % me in text
                assert "subnet %s.0.0 netmask 255.255.0.0" % net in text
                assert not any(o + "." in text for o in others), host
                assert not (out / host / "kea-dhcp4.conf").exists()
                assert_dhcpd_accepts(text)
            else:
                # Kea reads <?include?> in its JSON; Python's json does not.
                include = '<?include "/etc/kea/netboot-ha-auth.json"?>'
                peers_text = (out / host / "kea-dhcp4.conf").read_text()
                assert peers_text.count(include) == 2
                conf = json.loads(peers_text.replace(include, '"basic-auth-password": "from-the-host"'))
                ha = [h for h in conf["Dhcp4"]["hooks-libraries"] if "parameters" in h][0]["parameters"]["high-availability"][0]
                assert ha["this-server-name"] == host
                assert sorted(p["url"] for p in ha["peers"]) == ["http://%s.0.11:8000/" % net, "http://%s.0.12:8000/" % net]
                assert [s["subnet"] for s in conf["Dhcp4"]["subnet4"]] == ["%s.0.0/16" % net]
                assert not (out / host / "dhcpd.conf").exists()
                # The HA password stays on the hosts: the review file includes it from there.
                assert all(p["basic-auth-user"] == "kea-ha" for p in ha["peers"])
                assert "site-c-example-ha-password" not in peers_text
                agent = json.loads((out / host / "kea-ctrl-agent.conf").read_text())["Control-agent"]
                assert agent["authentication"]["clients"] == [{"user": "kea-ha", "password-file": "kea-api-password"}]
    assert "site-c-example-ha-password" not in result.stdout + result.stderr
    # The Kea files were checked with the controller's kea-dhcp4 -t (it has
    # Debian's hooks), and the playbook says nothing went unchecked.
    assert "was not checked" not in result.stdout


def test_relative_render_dir_is_relative_to_where_the_command_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PWD", str(tmp_path))
    result = run(os.path.join(ROOT, "inventories", "fleet"), "review")
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "review" / "a-dhcp1.example.com" / "dhcpd.conf").exists()
    assert not os.path.exists(os.path.join(ROOT, "playbooks", "review"))


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _host_vars_differ(inv):
    # One peer of site B carries its own copy of the subnets, one range apart.
    write(inv / "host_vars" / "b-dhcp2.example.com.yml",
          "dhcpd_subnets:\n  - network: 10.20.0.0/16\n    pools:\n      - range: 10.20.100.1 10.20.100.200\n")


def _secondary_not_in_group(inv):
    text = (inv / "hosts.yml").read_text().replace("            b-dhcp2.example.com:\n    tftp", "    tftp")
    assert "b-dhcp2" in text
    lines = text.splitlines()
    # drop b-dhcp2 from dhcpd_secondary only
    idx = [i for i, line in enumerate(lines) if line.strip() == "dhcpd_secondary:"][0]
    lines = [line for i, line in enumerate(lines) if not (i > idx and line.strip() == "b-dhcp2.example.com:" and i < idx + 6)]
    (inv / "hosts.yml").write_text("\n".join(lines) + "\n")


def _host_in_both_groups(inv):
    text = (inv / "hosts.yml").read_text()
    text = text.replace("            a-dhcp1.example.com:\n            b-dhcp1.example.com:\n            c-dhcp1.example.com:\n",
                        "            a-dhcp1.example.com:\n            b-dhcp1.example.com:\n            c-dhcp1.example.com:\n"
                        "            b-dhcp2.example.com:\n")
    (inv / "hosts.yml").write_text(text)


def _host_in_two_pairs(inv):
    # Site C's description names site B's secondary as its own secondary.
    path = inv / "group_vars" / "site_c" / "dhcp.yml"
    path.write_text(path.read_text().replace("host: c-dhcp2.example.com", "host: b-dhcp2.example.com"))


def _backend_typo(inv):
    path = inv / "group_vars" / "site_c" / "dhcp.yml"
    path.write_text(path.read_text().replace("dhcp_backend: kea", "dhcp_backend: Kea"))


def _backend_name_typo(inv):
    path = inv / "group_vars" / "site_c" / "dhcp.yml"
    path.write_text(path.read_text().replace("dhcp_backend: kea", "dhcp_bakend: kea"))


def _backend_differs(inv):
    write(inv / "host_vars" / "c-dhcp2.example.com.yml", "dhcp_backend: isc\n")


def _description_typo_in_last_site(inv):
    path = inv / "group_vars" / "site_b" / "dhcp.yml"
    path.write_text(path.read_text().replace("    options:\n", "    optoins:\n"))


MISTAKES = {
    "peers read different descriptions": (
        _host_vars_differ,
        "b-dhcp1.example.com and b-dhcp2.example.com, the two peers of pair b-dhcp1.example.com/b-dhcp2.example.com, read different"
        " descriptions (first difference: dhcpd_subnets[0] differs)"),
    "secondary missing from its group": (
        _secondary_not_in_group,
        "b-dhcp2.example.com is the secondary of pair b-dhcp1.example.com/b-dhcp2.example.com (dhcpd_failover.secondary.host),"
        " but is not in dhcpd_secondary"),
    "host in both groups": (
        _host_in_both_groups, "b-dhcp2.example.com is in both dhcpd_primary and dhcpd_secondary"),
    "host in two pairs": (
        _host_in_two_pairs, "b-dhcp2.example.com is named as a peer of 2 pairs"),
    "backend not isc or kea": (
        _backend_typo, "dhcp_backend: 'Kea' on c-dhcp1.example.com is not a backend (did you mean 'kea'?)"),
    "misspelt backend variable": (
        _backend_name_typo, "dhcp_bakend: unknown variable on c-dhcp1.example.com (did you mean 'dhcp_backend'?)"),
    "backends differ": (
        _backend_differs, "have different dhcp_backend values (kea, isc)"),
    "description mistake in a later site": (
        _description_typo_in_last_site, "dhcpd_subnets[0].optoins: unknown setting (did you mean 'options'?)"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_pair_mistakes_are_refused_naming_the_culprit_with_nothing_written(mistake, tmp_path):
    breaker, message = MISTAKES[mistake]
    inv = copy_fleet(tmp_path)
    breaker(inv)
    out = tmp_path / "out"
    result = run(inv, out)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert message in output, output[-4000:]
    assert not out.exists() or not any(out.iterdir()), sorted(os.listdir(out))
