# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcpd_lease_conflicts
short_description: Name the addresses two ISC dhcpd failover peers disagree on
version_added: 1.6.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes one peer's bindings (address to binding state, as
    M(netboot.dhcp_failover.dhcpd_failover_state) returns them with O(netboot.dhcp_failover.dhcpd_failover_state#module:bindings))
    and its partner's, and returns every address one of them holds as C(active) that the other has C(free) or
    C(backup), and so may hand to a second client, each as C(ADDRESS (active on HOST, STATE on PARTNER)),
    sorted by address. An address missing from one database is not a conflict.
options:
  _input:
    description: This peer's bindings.
    type: dict
    required: true
  partner:
    description: The partner's bindings.
    type: dict
    required: true
  names:
    description: The two peers' names, this peer's first, for the messages.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Compare the two peers' lease databases
  ansible.builtin.assert:
    that: conflicts | length == 0
    fail_msg: "{{ conflicts | join(', ') }}"
  vars:
    conflicts: >-
      {{ dhcpd_failover_state.bindings | netboot.dhcp_failover.dhcpd_lease_conflicts(
           hostvars['dhcp2'].dhcpd_failover_state.bindings, names=[inventory_hostname, 'dhcp2']) }}
"""

RETURN = r"""
_value:
  description: One line per address, C(ADDRESS (active on HOST, STATE on PARTNER)).
  type: list
  elements: str
"""

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import conflicts


def dhcpd_lease_conflicts(mine, partner, names):
    """The addresses two peers' bindings disagree on, named (see DOCUMENTATION)."""
    me, other = names
    out = []
    for ip in conflicts(mine or {}, partner or {}):
        if (mine or {}).get(ip) == "active":
            out.append("%s (active on %s, %s on %s)" % (ip, me, partner[ip], other))
        else:
            out.append("%s (active on %s, %s on %s)" % (ip, other, mine[ip], me))
    return out


class FilterModule:
    """netboot.dhcp_failover lease comparison filter."""

    def filters(self):
        return {"dhcpd_lease_conflicts": dhcpd_lease_conflicts}
