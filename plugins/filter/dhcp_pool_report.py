# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcp_pool_report
short_description: A failover pair's pools side by side, with flags that say what is wrong and the fix
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the pools of a description (P(netboot.dhcp_failover.dhcp_pools#filter) without O(role)) and both
    peers' M(netboot.dhcp_failover.dhcp_pool_status) results, and returns each pool with both peers' counts
    and the flags - a pool used above O(threshold); a failover pool whose free addresses are all the partner's
    while a peer has none (dhcpd's "peer holds all free leases"); a failover state that is not normal;
    clocks more than O(max_skew) seconds apart. See docs/observe.md.
options:
  _input:
    description: The description's pools, as P(netboot.dhcp_failover.dhcp_pools#filter) returns them without O(role).
    type: dict
    required: true
  peers:
    description:
      - Role (C(primary), C(secondary) or C(standalone)) to a mapping with C(host) (its inventory name) and
        C(status) (its M(netboot.dhcp_failover.dhcp_pool_status) result; left out where it could not be read).
    type: dict
    required: true
  threshold:
    description: Utilisation (0 to 1) above which a pool is flagged.
    type: float
    default: 0.9
  max_skew:
    description: Seconds the two peers' clocks may differ before they are flagged.
    type: int
    default: 30
"""

EXAMPLES = r"""
- name: Show the pair's pools
  ansible.builtin.debug:
    msg: >-
      {{ description | netboot.dhcp_failover.dhcp_pools | netboot.dhcp_failover.dhcp_pool_report(
           {'primary': {'host': 'dhcp1', 'status': status1}, 'secondary': {'host': 'dhcp2', 'status': status2}}).lines }}
"""

RETURN = r"""
_value:
  description:
    - C(failover), C(hosts) (role to host), C(rows) (each pool with C(peers), role to its counts), C(states)
      (role to its failover states), C(skew) (seconds, primary minus secondary, or null), C(flags) (each with
      C(kind) - C(utilisation), C(free_on_one_peer), C(failover) or C(clock_skew) -, C(pool), C(message) and
      C(fix)) and C(lines), the report as lines of a table followed by the flags.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._pool_report import pair_report, report_text


def dhcp_pool_report(plan, peers, threshold=0.9, max_skew=30):
    """Filter entry point: the pair's report (see plugin_utils/_pool_report.py)."""
    if not isinstance(plan, dict) or not isinstance(plan.get("pools"), list):
        raise AnsibleFilterError("dhcp_pool_report: the input must be the result of dhcp_pools without role")
    if not isinstance(peers, dict) or not all(isinstance(p, dict) for p in peers.values()):
        raise AnsibleFilterError("dhcp_pool_report: peers must map each role to {host, status}")
    report = pair_report(plan, peers, float(threshold), int(max_skew))
    report["lines"] = report_text(report)
    return report


class FilterModule:
    """netboot.dhcp_failover pool report filter."""

    def filters(self):
        return {"dhcp_pool_report": dhcp_pool_report}
