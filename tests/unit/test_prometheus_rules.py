"""prometheus_rules: the rules file passes promtool check rules, and
promtool test rules (tests/prometheus/alerts.test.yml) proves each alert
fires when it should and not before; the same test fails on rules that
would not fire."""

import copy
import os
import shutil
import subprocess

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.prometheus_rules import prometheus_rules

from tests.helpers import ROOT
from tests.integration.test_pool_status_live import description

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
TESTS = os.path.join(ROOT, "tests", "prometheus", "alerts.test.yml")
DESC = description("b1", "b2")


def promtool(tmp_path, rules_text, *argv):
    assert os.path.exists(PROMTOOL), "needs promtool (Debian's prometheus package: make deps installs it)"
    (tmp_path / "rules.yml").write_text(rules_text)
    shutil.copy(TESTS, tmp_path / "alerts.test.yml")
    return subprocess.run([PROMTOOL] + list(argv), cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)


def test_the_rules_pass_promtool_check(tmp_path):
    run = promtool(tmp_path, prometheus_rules(DESC), "check", "rules", "rules.yml")
    assert run.returncode == 0 and "SUCCESS: 5 rules found" in run.stdout, run.stdout + run.stderr


def test_each_alert_fires_when_it_should(tmp_path):
    run = promtool(tmp_path, prometheus_rules(DESC), "test", "rules", "alerts.test.yml")
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_alert_tests_fail_on_rules_that_would_not_fire(tmp_path):
    run = promtool(tmp_path, prometheus_rules(DESC, settings={"threshold": 0.96}), "test", "rules", "alerts.test.yml")
    assert run.returncode != 0 and "NetbootDhcpPoolHigh" in run.stdout + run.stderr


def test_a_server_without_failover_gets_no_failover_alert_and_needs_its_name():
    standalone = {k: v for k, v in copy.deepcopy(DESC).items() if k != "dhcpd_failover"}
    with pytest.raises(AnsibleFilterError, match="pair: give the pair's name"):
        prometheus_rules(standalone)
    rules = yaml.safe_load(prometheus_rules(standalone, pair="d1", peers=["d1"]))["groups"][0]["rules"]
    assert [r["alert"] for r in rules] == ["NetbootDhcpPoolHigh", "NetbootDhcpStatusStale"]
    assert rules[1]["labels"]["peer"] == "d1"


def test_settings_and_descriptions_are_checked():
    with pytest.raises(AnsibleFilterError, match="unknown setting 'treshold'"):
        prometheus_rules(DESC, settings={"treshold": 0.8})
    with pytest.raises(AnsibleFilterError, match="threshold must be a number above 0 and at most 1"):
        prometheus_rules(DESC, settings={"threshold": 90})
    bad = copy.deepcopy(DESC)
    bad["dhcpd_failover"]["mclt"] = -1
    with pytest.raises(AnsibleFilterError, match=r"dhcpd_failover\.mclt"):
        prometheus_rules(bad)
