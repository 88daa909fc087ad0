"""playbooks/status.yml against two real ISC dhcpd failover pairs.

Each pair runs in network namespaces the test makes (tests/integration/live.py,
two servers and a client on a bridge), rendered by the collection from its
description. Pair A is healthy: both peers in normal, four clients hold
leases. Pair B is the user story's failure made for real: its secondary is
stopped, clients take every address of the primary's share of a pool, and
the primary logs "peer holds all free leases" to the next client while its
partner's share sits unused. The inventory's four hosts are this machine
(ansible_connection local), each reading its own server's lease file; the
playbook must tell the two pairs apart, count both peers of each, and flag
pair B only, with the fix. Then the status exporter writes pair B's figures,
real node_exporters serve them and a real Prometheus fires the alerts.
"""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.netboot.dhcp_failover.plugins.filter.dhcp_pools import dhcp_pools
from ansible_collections.netboot.dhcp_failover.plugins.filter.prometheus_rules import prometheus_rules
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import parse_state
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.pool_status import count, read_leases
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._pool_report import peer_pools, pool_plan

from tests.conftest import COLLECTIONS
from tests.helpers import ROOT
from tests.integration import live

pytestmark = pytest.mark.skipif(live.available() is not None, reason=str(live.available()))

PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
if not os.path.exists(PLAYBOOK):
    PLAYBOOK = shutil.which("ansible-playbook") or "ansible-playbook"
STATUS = os.path.join(COLLECTIONS, "ansible_collections", "netboot", "dhcp_failover", "playbooks", "status.yml")
ROLES = ("primary", "secondary")
SECRET = "c3RhdHVzLXBsYXlib29rLW9tYXBpLXNlY3JldA=="
EXPORTER = os.path.join(ROOT, "plugins", "module_utils", "pool_status.py")
BROWSER = os.path.join(ROOT, "tests", "integration", "status_page.py")
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or "/usr/bin/prometheus-node-exporter"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def description(primary, secondary):
    return {
        "dhcpd_failover": {
            "name": "pair-%s" % primary,
            "primary": {"host": primary, "address": live.PEER_IPS[0]},
            "secondary": {"host": secondary, "address": live.PEER_IPS[1]},
            "mclt": 3600,
            "split": 128,
            "load_balance_max_seconds": 3,
        },
        "dhcpd_default_lease_time": 600,
        "dhcpd_max_lease_time": 600,
        # The clients' subnet, and one behind a relay that no client here reaches.
        "dhcpd_subnets": [{"network": "10.77.0.0/24", "options": {"routers": "10.77.0.254"}, "pools": [{"range": "10.77.0.100 10.77.0.109"}]},
                          {"network": "10.78.0.0/24", "options": {"routers": "10.78.0.254"}, "pools": [{"range": "10.78.0.100 10.78.0.119"}]}],
    }


def leases_text(lab, i):
    with open(os.path.join(lab.dir(i), "dhcpd.leases")) as fh:
        return fh.read()


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "%s: not within %d s" % (what, timeout)
        time.sleep(0.5)


def counts(lab, i, desc, role):
    states = read_leases(leases_text(lab, i).splitlines())[0]
    return {row["id"]: row for row in count(peer_pools(pool_plan(desc), role), states, role)}


def start_pair(lab, desc):
    """Both peers, in normal, with the first pool balanced between them (5 free, 5 backup)."""
    for i, role in enumerate(ROLES):
        lab.dhcpd(i, render_config(desc, role))
    name = desc["dhcpd_failover"]["name"]
    for i in (0, 1):
        wait_for("peer %d in normal" % (i + 1), lambda i=i: parse_state(leases_text(lab, i), name)["partner_state"] == "normal")
    wait_for("the pool balanced between the peers",
             lambda: counts(lab, 0, desc, "primary")["dhcpd_subnets[0].pools[0]"]["backup"] == 5)


def take(lab, macs):
    got = {}
    for mac in macs:
        answer = lab.probe("dora", "--mac", mac)
        assert (answer.get("ack") or {}).get("type") == "ACK", answer
        got[mac] = answer["ack"]["yiaddr"]
    return got


def run_status(tmp_path, pairs, *extra):
    hosts, children = {}, {"dhcpd_primary": {"hosts": {}}, "dhcpd_secondary": {"hosts": {}}}
    for site, (lab, desc) in pairs.items():
        names = (desc["dhcpd_failover"]["primary"]["host"], desc["dhcpd_failover"]["secondary"]["host"])
        # Pair A's inventory also holds an OMAPI key: it must never show (the run is at -vvv).
        children[site] = {"hosts": {n: None for n in names},
                          "vars": dict(desc, dhcpd_omapi={"key_name": "omapi_key", "key_secret": SECRET}) if site == "site_a" else desc}
        for i, (name, role) in enumerate(zip(names, ROLES)):
            hosts[name] = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                           "ansible_host": live.PEER_IPS[i],
                           "dhcpd_pool_status_lease_file": os.path.join(lab.dir(i), "dhcpd.leases")}
            children["dhcpd_%s" % role]["hosts"][name] = None
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts, "children": children}}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_FORCE_COLOR="false")
    run = subprocess.run([PLAYBOOK, "-i", str(tmp_path / "inventory.yml"), STATUS, "-e", "status_json=%s" % (tmp_path / "status.json")]
                         + list(extra), env=env, capture_output=True, text=True, timeout=600, check=False)
    return run


@pytest.fixture(scope="module")
def pairs():
    """Pair A healthy with four clients; pair B's primary alone with its own share of the first pool gone."""
    desc_a, desc_b = description("a1", "a2"), description("b1", "b2")
    with live.KeaPair() as lab_a, live.KeaPair() as lab_b:
        start_pair(lab_a, desc_a)
        start_pair(lab_b, desc_b)
        take(lab_a, ["52:54:00:a0:00:%02x" % n for n in range(1, 5)])
        # Pair B: the secondary stops; the primary alone takes clients until its own share is gone.
        lab_b.stop(1, "dhcpd")
        wait_for("pair B's primary without its partner",
                 lambda: parse_state(leases_text(lab_b, 0), "pair-b1")["my_state"] in ("partner-down", "communications-interrupted"))
        before = counts(lab_b, 0, desc_b, "primary")["dhcpd_subnets[0].pools[0]"]
        got = take(lab_b, ["52:54:00:b0:00:%02x" % n for n in range(1, before["own_free"] + 1)])
        assert len(got) == 5 and len(set(got.values())) == 5, got
        # The next client is not answered: dhcpd says why, in the user story's words.
        assert lab_b.probe("discover", "--mac", "52:54:00:b0:00:ff") == [], "answered with the pool's own share gone"
        wait_for("the primary's log", lambda: "peer holds all free leases" in lab_b.log(0, "dhcpd"), timeout=10)
        wait_for("both of pair A's peers record the four leases",
                 lambda: all(counts(lab_a, i, desc_a, r)["dhcpd_subnets[0].pools[0]"]["active"] == 4 for i, r in enumerate(ROLES)))
        yield {"site_a": (lab_a, desc_a), "site_b": (lab_b, desc_b)}


@pytest.fixture(scope="module")
def status_run(pairs, tmp_path_factory):
    """status.yml run once over both pairs, with its JSON and HTML reports."""
    tmp_path = tmp_path_factory.mktemp("status")
    run = run_status(tmp_path, pairs, "-e", "status_html=%s" % (tmp_path / "status.html"), "-vvv")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run, tmp_path


def test_status_never_shows_a_key(status_run):
    run, tmp_path = status_run
    assert "key_secret" in json.dumps(yaml.safe_load((tmp_path / "inventory.yml").read_text()))  # it was there to leak
    for text in (run.stdout, run.stderr, (tmp_path / "status.json").read_text(), (tmp_path / "status.html").read_text()):
        assert SECRET not in text


def test_status_tells_a_healthy_pair_from_one_whose_free_leases_are_all_on_the_partner(status_run):
    run, tmp_path = status_run
    reports = {r["failover"]: r for r in json.loads((tmp_path / "status.json").read_text())}

    assert sorted(reports) == ["pair-a1", "pair-b1"]
    a, b = reports["pair-a1"], reports["pair-b1"]
    # Pair A: both peers counted, the same four clients on each, nothing flagged.
    assert a["hosts"] == {"primary": "a1", "secondary": "a2"}
    for role in ROLES:
        assert [row["peers"][role]["active"] for row in a["rows"]] == [4, 0]
        assert [row["peers"][role]["size"] for row in a["rows"]] == [10, 20]
        assert a["states"][role]["my_state"] == "normal"
    assert a["flags"] == [], a["flags"]
    # Pair B: the primary has no address of its own left in the first pool, its partner holds the other five.
    first = {row["id"]: row for row in b["rows"]}["dhcpd_subnets[0].pools[0]"]["peers"]["primary"]
    assert (first["size"], first["active"], first["own_free"], first["partner_free"]) == (10, 5, 0, 5)
    kinds = {(f["kind"], f["pool"]) for f in b["flags"]}
    assert ("free_on_one_peer", "dhcpd_subnets[0].pools[0]") in kinds, b["flags"]
    assert any(kind == "failover" for kind, pool in kinds), b["flags"]
    one_sided = [f for f in b["flags"] if f["kind"] == "free_on_one_peer"][0]
    assert "b1 (the primary)" in one_sided["message"] and "max-balance" in one_sided["fix"]
    # What the user sees: the table with both pairs' peers and pair B's flags.
    assert "a1" in run.stdout and "b2" in run.stdout and "FLAG free_on_one_peer" in run.stdout


def test_the_html_page_shows_each_pool_as_a_bar_per_peer_in_a_real_browser(status_run, tmp_path):
    """The page status_html wrote, opened in a real headless Chromium (through
    its WebDriver, both in a network namespace the test makes): what it shows
    and how wide each bar is drawn."""
    run, folder = status_run
    ns = "nweb" + os.urandom(3).hex()
    try:
        subprocess.run(["ip", "netns", "add", ns], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        res = subprocess.run(["ip", "netns", "exec", ns, sys.executable, BROWSER, str(folder / "status.html"), str(tmp_path)],
                             capture_output=True, text=True, timeout=180, check=False)
    finally:
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True, check=False)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    page = json.loads(res.stdout)
    assert page["title"] == "DHCP pairs: pools and failover"
    assert sorted(page["pairs"]) == ["pair-a1", "pair-b1"]
    a, b = page["pairs"]["pair-a1"], page["pairs"]["pair-b1"]
    assert a["heading"] == "a1 / a2 (failover pair-a1)" and a["flags"] == [] and a["ok"]
    assert [p["pool"] for p in b["pools"]] == ["dhcpd_subnets[0].pools[0]", "dhcpd_subnets[1].pools[0]"]
    first = b["pools"][0]["peers"]
    # b1: half the bar active, none of its own free, the partner's half; b2 (stopped, its last record): half its own.
    assert abs(first["primary"]["active"] - 0.5) < 0.02 and first["primary"]["own"] == 0
    assert abs(first["primary"]["partner"] - 0.5) < 0.02
    assert abs(first["secondary"]["own"] - 0.5) < 0.02 and first["secondary"]["active"] == 0
    assert {f["kind"] for f in b["flags"]} == {"free_on_one_peer", "failover"}
    assert all(f["shown"] for f in b["flags"]) and any("peer holds all free leases" in f["text"] for f in b["flags"])
    assert os.path.getsize(os.path.join(tmp_path, "status.png")) > 0


def test_a_real_prometheus_fires_the_alerts_from_the_exporters_figures(tmp_path, pairs):
    """The status exporter (run as the role installs it: the module_utils
    file as a script) writes each of pair B's peers' figures; a real
    node_exporter per peer serves them through its textfile collector; a real
    Prometheus, with the rules prometheus_rules wrote from pair B's
    description, scrapes both and fires the alerts for b1 only."""
    lab_b, desc_b = pairs["site_b"]
    ns = "nprom" + os.urandom(3).hex()
    procs = []
    try:
        subprocess.run(["ip", "netns", "add", ns], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        targets = []
        for i, (host, role) in enumerate(zip(("b1", "b2"), ROLES)):
            folder = tmp_path / host
            folder.mkdir()
            (folder / "pools.json").write_text(json.dumps(dhcp_pools(desc_b, role=role)))
            exporter = subprocess.run(
                ["python3", EXPORTER, "--pools", str(folder / "pools.json"), "--leases", os.path.join(lab_b.dir(i), "dhcpd.leases"),
                 "--role", role, "--failover", "pair-b1", "--pair", "b1/b2", "--peer", host, "--out", str(folder / "netboot_dhcp.prom")],
                capture_output=True, text=True, timeout=60, check=False)
            assert exporter.returncode == 0, exporter.stderr
            port = 9100 + i
            procs.append(_serve(ns, tmp_path / ("node-%s.log" % host), [
                NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % port, "--collector.disable-defaults",
                "--collector.textfile", "--collector.textfile.directory=%s" % folder]))
            targets.append("127.0.0.1:%d" % port)
        (tmp_path / "rules.yml").write_text(prometheus_rules(desc_b, settings={
            "threshold": 0.45, "utilisation_for": "0m", "one_peer_for": "0m", "failover_for": "0m", "stale_for": "0m"}))
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(tmp_path / "rules.yml")],
            "scrape_configs": [{"job_name": "dhcp", "static_configs": [{"targets": targets}]}]}))
        procs.append(_serve(ns, tmp_path / "prometheus.log", [
            PROMETHEUS, "--config.file=%s" % (tmp_path / "prometheus.yml"), "--storage.tsdb.path=%s" % (tmp_path / "tsdb"),
            "--web.listen-address=127.0.0.1:9090"]))
        wanted = {("NetbootDhcpPoolHigh", None), ("NetbootDhcpFreeLeasesOnOnePeer", "b1"), ("NetbootDhcpFailoverNotNormal", "b1")}
        firing = set()

        def fired():
            firing.clear()
            firing.update(_firing(ns))
            # With stale_for 0m the stale alert fires until a peer's first scrape: both peers report once it is gone.
            return wanted <= firing and not any(name == "NetbootDhcpStatusStale" for name, peer in firing)

        wait_for("the alerts firing in Prometheus and no stale peer (%s)" % sorted(firing, key=str), fired, timeout=90)
    finally:
        for proc in procs:
            live._stop(proc)
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True, check=False)
    # b2 has its own share and is in normal; both peers report (no stale alert).
    assert ("NetbootDhcpFreeLeasesOnOnePeer", "b2") not in firing and ("NetbootDhcpFailoverNotNormal", "b2") not in firing
    assert not any(name == "NetbootDhcpStatusStale" for name, peer in firing), firing


def _serve(ns, log, argv):
    with open(log, "w") as out:
        return subprocess.Popen(["ip", "netns", "exec", ns] + argv, stdout=out, stderr=subprocess.STDOUT)


def _firing(ns):
    """(alert name, peer label) of every firing alert, from Prometheus' API inside ``ns``."""
    code = ("import json,urllib.request;"
            "print(urllib.request.urlopen('http://127.0.0.1:9090/api/v1/alerts',timeout=5).read().decode())")
    res = subprocess.run(["ip", "netns", "exec", ns, "python3", "-c", code], capture_output=True, text=True, timeout=30, check=False)
    if res.returncode != 0:
        return set()
    alerts = json.loads(res.stdout)["data"]["alerts"]
    return {(a["labels"]["alertname"], a["labels"].get("peer")) for a in alerts if a["state"] == "firing"}
