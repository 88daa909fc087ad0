# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: prometheus_rules
short_description: Prometheus alert rules for a DHCP pair, from its network description
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the same description mapping as P(netboot.dhcp_failover.dhcpd_config#filter) (checked the same way)
    and returns the text of a Prometheus rules file for the pair, on the metrics of the collection's status
    exporter (docs/observe.md) - a pool used above O(settings.threshold); a failover pool where a peer has no
    free address of its own while its partner has some; failover not in normal state; a peer whose figures
    are missing or stale.
  - The rules pass C(promtool check rules); the collection's tests run C(promtool test rules) on each alert.
options:
  _input:
    description: Mapping of the network description variables, keyed by variable name.
    type: dict
    required: true
  pair:
    description:
      - The value of the C(pair) label the pair's metrics carry; default C(PRIMARY/SECONDARY), the inventory
        hosts of C(dhcpd_failover).
    type: str
    required: false
  peers:
    description: The inventory hosts that report for the pair; default the two hosts of C(dhcpd_failover).
    type: list
    elements: str
    required: false
  hosts:
    description: Mapping of inventory hostname to address, as for P(netboot.dhcp_failover.dhcpd_config#filter).
    type: dict
    required: false
  settings:
    description:
      - C(threshold) (utilisation, above 0 and at most 1, default 0.9), C(utilisation_for) (default C(10m)),
        C(one_peer_for) (default C(5m)), C(failover_for) (default C(5m)), C(stale_after) (seconds, default 900) and C(stale_for)
        (default C(5m), how long figures must be missing or old before the alert fires).
    type: dict
    required: false
"""

EXAMPLES = r"""
- name: Write the pair's alert rules where Prometheus reads them
  ansible.builtin.copy:
    content: "{{ description | netboot.dhcp_failover.prometheus_rules(settings={'threshold': 0.85}) }}"
    dest: /etc/prometheus/rules/dhcp-pair.yml
    mode: "0644"
    validate: promtool check rules %s
"""

RETURN = r"""
_value:
  description: The rules file's YAML text (one group, C(netboot-dhcp PAIR)).
  type: str
"""

import json

import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_checker import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._prometheus_rules import RulesError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._prometheus_rules import prometheus_rules as _rules


def prometheus_rules(description, pair=None, peers=None, hosts=None, settings=None):
    """Filter entry point: the pair's rules file text (see plugin_utils/_prometheus_rules.py)."""
    if not isinstance(description, dict):
        raise AnsibleFilterError("prometheus_rules: the input must be a mapping of dhcpd_* variables, got %s" % type(description).__name__)
    if settings is not None and not isinstance(settings, dict):
        raise AnsibleFilterError("prometheus_rules: settings must be a mapping")
    try:
        rules = _rules(description, pair, hosts, settings, peers)
    except (ModelError, RulesError) as exc:
        raise AnsibleFilterError("prometheus_rules: %s" % exc) from exc
    # Plain types only: Ansible's own string types (values from inventory or -e) are not YAML-representable.
    rules = json.loads(json.dumps(rules))
    return yaml.safe_dump(rules, sort_keys=False, default_flow_style=False, width=1000)


class FilterModule:
    """netboot.dhcp_failover Prometheus rules filter."""

    def filters(self):
        return {"prometheus_rules": prometheus_rules}
