# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prometheus alert rules for one DHCP pair, from its description.

The rules read the metrics the status exporter writes for the node_exporter
textfile collector (plugins/module_utils/pool_status.py, textfile()), with
the labels ``pair`` (PRIMARY/SECONDARY, or the server of a standalone
description) and ``peer`` (the inventory host). Names: docs/observe.md.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._pool_report import pool_plan

DEFAULTS = {"threshold": 0.9, "utilisation_for": "10m", "failover_for": "5m", "one_peer_for": "5m", "stale_after": 900,
            "stale_for": "5m"}


class RulesError(ValueError):
    """A setting of the rules that cannot be used."""


def _settings(settings):
    out = dict(DEFAULTS)
    for key, value in (settings or {}).items():
        if key not in DEFAULTS:
            raise RulesError("unknown setting %r (known: %s)" % (key, ", ".join(sorted(DEFAULTS))))
        out[key] = value
    if not isinstance(out["threshold"], (int, float)) or not 0 < out["threshold"] <= 1:
        raise RulesError("threshold must be a number above 0 and at most 1, got %r" % (out["threshold"],))
    if not isinstance(out["stale_after"], int) or out["stale_after"] <= 0:
        raise RulesError("stale_after must be a number of seconds above 0, got %r" % (out["stale_after"],))
    return out


def _quote(value):
    """A PromQL label value (a double-quoted string)."""
    return json.dumps(str(value))


def _peers(description):
    fo = description.get("dhcpd_failover") or {}
    return [fo[side]["host"] for side in ("primary", "secondary") if isinstance(fo.get(side), dict) and fo[side].get("host")]


def prometheus_rules(description: Mapping[str, Any], pair: Optional[str] = None, hosts: Optional[Mapping[str, Any]] = None,
                     settings: Optional[Mapping[str, Any]] = None, peers: Optional[list] = None) -> Dict[str, Any]:
    """The rules file (a mapping, to be written as YAML) for the pair the
    description says. ``pair`` defaults to PRIMARY/SECONDARY of
    dhcpd_failover; ``peers`` (the hosts that report) to its two hosts."""
    s = _settings(settings)
    plan = pool_plan(description, hosts)
    peers = list(peers) if peers else _peers(description)
    if pair is None:
        if len(peers) != 2:
            raise RulesError("pair: give the pair's name (its servers' inventory names) for a description without dhcpd_failover hosts")
        pair = "%s/%s" % tuple(peers)
    if not peers:
        raise RulesError("peers: name the inventory hosts that report for this server")
    sel = "pair=%s" % _quote(pair)
    rules = [_pool_high(plan, sel, s)]
    if plan["failover"]:
        rules.extend(_failover(plan["failover"], sel, s))
    rules.extend(_stale(pair, peer, sel, s) for peer in peers)
    return {"groups": [{"name": "netboot-dhcp %s" % pair, "rules": rules}]}


def _pool_high(plan, sel, s):
    pools = ", ".join("%s (%s)" % (p["id"], " ".join("%s-%s" % tuple(r) for r in p["ranges"])) for p in plan["pools"])
    return {
        "alert": "NetbootDhcpPoolHigh",
        "expr": "max by (pair, pool, subnet) (netboot_dhcp_pool_utilisation_ratio{%s}) > %s" % (sel, s["threshold"]),
        "for": s["utilisation_for"],
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "DHCP pool {{ $labels.pool }} ({{ $labels.subnet }}) of pair {{ $labels.pair }} is {{ $value | humanizePercentage }} used",
            "description": "Above %d%% for %s: new clients soon get no address. Widen the range, add a pool or shorten the lease"
                           " times. The pair's pools: %s." % (round(100 * s["threshold"]), s["utilisation_for"], pools),
        },
    }


def _failover(name, sel, s):
    return [{
        "alert": "NetbootDhcpFreeLeasesOnOnePeer",
        "expr": "netboot_dhcp_pool_own_free{%s} == 0 and netboot_dhcp_pool_partner_free{%s} > 0" % (sel, sel),
        "for": s["one_peer_for"],
        "labels": {"severity": "critical"},
        "annotations": {
            "summary": "{{ $labels.peer }} has no free address of its own in pool {{ $labels.pool }}: its partner holds them all",
            "description": "dhcpd on {{ $labels.peer }} logs 'peer holds all free leases' and clients that reach only it get no"
                           " address. Pool balancing moves free leases only while both peers are in normal state: bring"
                           " failover %s back to normal; a lower max-balance balances sooner." % name,
        },
    }, {
        "alert": "NetbootDhcpFailoverNotNormal",
        "expr": "netboot_dhcp_failover_normal{%s} == 0" % sel,
        "for": s["failover_for"],
        "labels": {"severity": "critical"},
        "annotations": {
            "summary": "Failover %s on {{ $labels.peer }} is not in normal state" % name,
            "description": "Each peer serves only its own share, or one serves alone: playbooks/status.yml names the states"
                           " and the fix.",
        },
    }]


def _stale(pair, peer, sel, s):
    metric = "netboot_dhcp_status_timestamp_seconds{%s, peer=%s}" % (sel, _quote(peer))
    return {
        "alert": "NetbootDhcpStatusStale",
        "expr": "time() - %s > %d or absent(%s)" % (metric, s["stale_after"], metric),
        # absent() is also true before the first scrape after Prometheus starts: held for stale_for.
        "for": s["stale_for"],
        "labels": {"severity": "warning", "pair": pair, "peer": peer},
        "annotations": {
            "summary": "No DHCP pool figures from %s for more than %d s" % (peer, s["stale_after"]),
            "description": "The status exporter (netboot-dhcp-status) on %s has not written its textfile for the"
                           " node_exporter textfile collector, or Prometheus does not scrape that node_exporter." % peer,
        },
    }
