# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcp_pools
short_description: Every pool of a network description, with its ranges and the peers that lease from it
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the same description mapping as P(netboot.dhcp_failover.dhcpd_config#filter) (checked the same way)
    and returns its pools, for M(netboot.dhcp_failover.dhcp_pool_status) and
    P(netboot.dhcp_failover.dhcp_pool_report#filter). See docs/observe.md.
options:
  _input:
    description: Mapping of the network description variables, keyed by variable name.
    type: dict
    required: true
  role:
    description:
      - With it, only the pools this peer leases from (C(primary), C(secondary) or C(standalone)), as a list.
      - Without it, C(failover) (the relationship's name, or null) and C(pools), every pool.
    type: str
    choices: [primary, secondary, standalone]
    required: false
  hosts:
    description: Mapping of inventory hostname to address, as for P(netboot.dhcp_failover.dhcpd_config#filter).
    type: dict
    required: false
"""

EXAMPLES = r"""
- name: The primary's pools
  ansible.builtin.debug:
    msg: "{{ description | netboot.dhcp_failover.dhcp_pools(role='primary') }}"
"""

RETURN = r"""
_value:
  description:
    - Each pool with C(id) (its variable path, such as C(dhcpd_subnets[0].pools[0])), C(subnet),
      C(shared_network), C(ranges) (pairs of first and last address), C(size), C(failover), C(served_by)
      (C(both), C(primary), C(secondary), or C(standalone) without failover) and C(pxe_only).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_checker import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._pool_report import peer_pools, pool_plan


def dhcp_pools(description, role=None, hosts=None):
    """Filter entry point: the description's pools (see plugin_utils/_pool_report.py)."""
    if not isinstance(description, dict):
        raise AnsibleFilterError("dhcp_pools: the input must be a mapping of dhcpd_* variables, got %s" % type(description).__name__)
    if role not in (None, "primary", "secondary", "standalone"):
        raise AnsibleFilterError("dhcp_pools: role must be primary, secondary or standalone, got %r" % (role,))
    try:
        plan = pool_plan(description, hosts)
    except ModelError as exc:
        raise AnsibleFilterError("dhcp_pools: %s" % exc) from exc
    return plan if role is None else peer_pools(plan, role)


class FilterModule:
    """netboot.dhcp_failover pools filter."""

    def filters(self):
        return {"dhcp_pools": dhcp_pools}
