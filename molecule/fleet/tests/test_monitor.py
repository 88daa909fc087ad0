"""The monitor from the description, in the fleet lab: the roles' status
exporter on each peer (dhcpd_status_exporter / kea_status_exporter, with
Debian's node_exporter), a real Prometheus per site on the site's client
(Debian's prometheus package) with the rules playbooks/prometheus_rules.yml
wrote from the description, and the alerts it fires: a pool filled by lab
clients past the threshold, a peer stopped. Site A is an ISC dhcpd pair,
site B a Kea HA pair."""

import json
import os
import tempfile
import time

import pytest

from conftest import SITES
from dhcp_probe import run_in
from test_faults import wait_pair
from test_fleet import report

TEXTFILE = "/var/lib/prometheus/node-exporter/netboot_dhcp.prom"
RULES_DIR = "/etc/prometheus/netboot-dhcp"
POOL_SIZE = 250
# Every alert at once in the lab (the defaults hold them for minutes).
SETTINGS = {"utilisation_for": "0m", "one_peer_for": "0m", "failover_for": "0m", "stale_for": "1m"}
SERVICES = {"a": "isc-dhcp-server", "b": "kea-dhcp4-server"}


def pair(site):
    return "/".join(SITES[site]["peers"])


def api(fleet, site, path):
    """GET Prometheus' API on the site's client (inside the container)."""
    host = fleet.hosts[SITES[site]["client"]]
    code = ("import sys,urllib.request;sys.stdout.write(urllib.request.urlopen("
            "'http://127.0.0.1:9090/api/v1/%s',timeout=5).read().decode())" % path)
    res = host.run("python3 -c %s" % json.dumps(code))
    return json.loads(res.stdout)["data"] if res.rc == 0 else None


def firing(fleet, site):
    data = api(fleet, site, "alerts") or {"alerts": []}
    return {(a["labels"]["alertname"], a["labels"].get("peer"), a["labels"].get("pair")) for a in data["alerts"]
            if a["state"] == "firing"}


def wait_for(what, check, timeout=150):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        assert time.monotonic() < deadline, "%s: not within %d s" % (what, timeout)
        time.sleep(2)


def write_rules(fleet, site, settings):
    """playbooks/prometheus_rules.yml for one site (its peers and its Prometheus)."""
    run = fleet.play("prometheus_rules.yml", "--limit", "lab_site_%s" % site,
                     "-e", json.dumps({"prometheus_rules_settings": settings}))
    assert run.returncode == 0, run.stdout[-3000:]
    return run


def utilisation(fleet, site):
    """The highest utilisation of the site's pool in Prometheus (both peers)."""
    data = api(fleet, site, "query?query=max(netboot_dhcp_pool_utilisation_ratio)")
    return float(data["result"][0]["value"][1]) if data and data["result"] else None


@pytest.fixture(scope="module")
def prometheus(fleet):
    """Prometheus on each site's client, scraping its two peers' node_exporters
    and reading the rules folder; the rules written by the playbook."""
    for site, s in SITES.items():
        host = fleet.hosts[s["client"]]
        host.run_expect([0], "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus")
        config = {"global": {"scrape_interval": "2s", "evaluation_interval": "2s"},
                  "rule_files": [RULES_DIR + "/*.yml"],
                  "scrape_configs": [{"job_name": "dhcp", "static_configs": [
                      {"targets": ["%s:9100" % address for address in s["peers"].values()]}]}]}
        host.run_expect([0], "printf '%%s\\n' %s > /etc/prometheus/prometheus.yml" % json.dumps(json.dumps(config)))
        host.run_expect([0], "systemctl restart prometheus")
    for site in SITES:
        write_rules(fleet, site, dict(SETTINGS, threshold=0.99))
    return fleet


def test_the_roles_exporter_feeds_prometheus_and_each_site_loads_only_its_own_pairs_rules(prometheus):
    fleet = prometheus
    for site, s in SITES.items():
        for peer in s["peers"]:
            host = fleet.hosts[peer]
            assert host.service("netboot-dhcp-status.timer").is_enabled
            assert host.service("prometheus-node-exporter").is_running
            text = host.file(TEXTFILE).content_string
            assert 'netboot_dhcp_pool_size{pair="%s",peer="%s"' % (pair(site), peer) in text, text[:2000]
            # Owner-writable only, read by node_exporter.
            assert host.file(TEXTFILE).mode == 0o644
        groups = wait_for("site %s's rules loaded" % site, lambda: (api(fleet, site, "rules") or {}).get("groups"))
        assert [g["name"] for g in groups] == ["netboot-dhcp %s" % pair(site)], groups
        client = fleet.hosts[s["client"]]
        assert client.file("%s/netboot-dhcp-%s.yml" % (RULES_DIR, pair(site).replace("/", "_"))).mode == 0o644
        # Both peers scraped, both in their normal state, nothing firing.
        normal = wait_for("both peers of %s scraped" % site, lambda: (
            api(fleet, site, "query?query=netboot_dhcp_failover_normal") or {}).get("result") if len(
            (api(fleet, site, "query?query=netboot_dhcp_failover_normal") or {}).get("result", [])) == 2 else None)
        assert sorted((r["metric"]["peer"], r["value"][1]) for r in normal) == [(p, "1") for p in sorted(s["peers"])]
        assert firing(fleet, site) == set(), firing(fleet, site)


def test_lab_clients_filling_a_pool_fire_the_utilisation_alert(prometheus):
    """The threshold just above what the pool holds now; ten new lab clients
    take a lease each; the alert fires for the site's pool only."""
    fleet = prometheus
    for site, s in SITES.items():
        before = wait_for("site %s's utilisation" % site, lambda: utilisation(fleet, site) is not None) and utilisation(fleet, site)
        threshold = round(before + 4.5 / POOL_SIZE, 4)
        write_rules(fleet, site, dict(SETTINGS, threshold=threshold))
        time.sleep(6)
        assert not any(name == "NetbootDhcpPoolHigh" for name, _, _ in firing(fleet, site))
        for n in range(10):
            reply = run_in(s["client"], "dora", "--mac", "52:54:00:e7:%02x:%02x" % (ord(site), n), "--wait", "3")
            assert reply["ack"] and reply["ack"]["type"] == "ACK", reply
        got = wait_for("NetbootDhcpPoolHigh for %s" % pair(site), lambda: {
            f for f in firing(fleet, site) if f[0] == "NetbootDhcpPoolHigh"})
        assert {f[2] for f in got} == {pair(site)}
        after = utilisation(fleet, site)
        report("monitor: site %s: 10 lab clients took %.3f -> %.3f of the pool; NetbootDhcpPoolHigh fired above %.3f"
               % (site, before, after, threshold))


def test_a_stopped_peer_fires_the_failover_alert_for_its_partner(prometheus):
    """The secondary's server stopped on both sites at once: the primary's
    figures leave the normal state and Prometheus fires
    NetbootDhcpFailoverNotNormal for it, and playbooks/status.yml flags both
    pairs (ISC and Kea) in one run; started again, the pair goes back to
    normal and the alert ends."""
    fleet = prometheus
    since = time.time()
    stopped = time.monotonic()
    try:
        for site, s in SITES.items():
            secondary = list(s["peers"])[1]
            fleet.hosts[secondary].run_expect([0], "systemctl stop %s" % SERVICES[site])
        took = {}
        for site, s in SITES.items():
            primary = list(s["peers"])[0]
            wait_for("NetbootDhcpFailoverNotNormal for %s" % primary, lambda: (
                "NetbootDhcpFailoverNotNormal", primary, pair(site)) in firing(fleet, site), timeout=180)
            took[site] = time.monotonic() - stopped
        # playbooks/status.yml says the same for both sites in one run: each pair's table, flagged. The
        # containers share the machine's clock, so an allowance below any real offset (-1 s) stands for a skew.
        out = os.path.join(tempfile.mkdtemp(), "status.json")
        run = fleet.play("status.yml", "-e", "status_json=%s" % out, "-e", "dhcpd_max_clock_skew=-1")
        assert run.returncode == 0, run.stdout[-3000:]
        with open(out) as fh:
            reports = {r["hosts"]["primary"]: r for r in json.load(fh)}
        for site, s in SITES.items():
            primary, secondary = list(s["peers"])
            report_ = reports[primary]
            assert report_["hosts"] == {"primary": primary, "secondary": secondary}, report_["hosts"]
            assert [row["peers"]["primary"]["size"] for row in report_["rows"]] == [POOL_SIZE]
            assert {"failover", "clock_skew"} <= {f["kind"] for f in report_["flags"]}, report_["flags"]
        assert "FLAG failover" in run.stdout and "FLAG clock_skew" in run.stdout
    finally:
        for site, s in SITES.items():
            fleet.hosts[list(s["peers"])[1]].run("systemctl start %s" % SERVICES[site])
    for site, s in SITES.items():
        wait_pair(fleet, site, since)
        wait_for("the failover alert of %s ended" % pair(site), lambda: not any(
            f[0] == "NetbootDhcpFailoverNotNormal" for f in firing(fleet, site)), timeout=120)
        report("monitor: site %s: %s stopped, NetbootDhcpFailoverNotNormal fired for %s within %.0f s; ended once the pair was back"
               % (site, list(s["peers"])[1], list(s["peers"])[0], took[site]))
