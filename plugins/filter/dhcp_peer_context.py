# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcp_peer_context
short_description: One DHCP host's view of its failover pair, from its own variables
version_added: 1.6.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Works out, on the controller and from one host's own variables, everything that belongs to its pair -
    its role by inventory group and by C(dhcpd_failover), the partner, the backend (C(dhcp_backend)), the
    failover addresses, a digest of the network description (and of each of its parts), the subnets and pools.
  - Lists the problems that need no other host - a host in both C(dhcpd_primary) and C(dhcpd_secondary), a
    group that disagrees with C(dhcpd_failover), a C(dhcp_backend) other than C(isc) or C(kea), an unknown
    C(dhcp_*), C(kea_*) or C(tftp_server_*) variable.
  - With O(host_state), also what only the host shows - a failover address that is not one of its own, no
    declared subnet for an address it listens on.
  - The playbooks set the result as the fact C(dhcp_peer) of every DHCP host; the roles, C(verify.yml) and
    the filter M(netboot.dhcp_failover.dhcp_fleet_check#filter) read it. See docs/fleet.md.
options:
  _input:
    description:
      - C(host) (C(inventory_hostname)), C(groups) (C(group_names)) and C(vars), the host's C(dhcp_*), C(dhcpd_*),
        C(kea_*) and C(tftp_server_*) variables as a mapping. The network description is every C(dhcpd_*)
        variable but the settings of the C(netboot.dhcp_failover.dhcpd) role (C(dhcpd_interfaces) and the
        like, which may differ between the peers).
      - Or a context this filter returned, to add what O(host_state) shows.
    type: dict
    required: true
  host_state:
    description: The result of M(netboot.dhcp_failover.host_state) on the host (its C(addresses) are read).
    type: dict
    required: false
  listen:
    description: The interfaces the DHCP server will listen on (empty - all of them).
    type: list
    elements: str
    required: false
"""

EXAMPLES = r"""
- name: Work out this peer's pair
  ansible.builtin.set_fact:
    dhcp_peer: >-
      {{ {'host': inventory_hostname, 'groups': group_names, 'vars': dict(names | zip(query('ansible.builtin.vars', *names)))}
         | netboot.dhcp_failover.dhcp_peer_context }}
  vars:
    names: "{{ query('ansible.builtin.varnames', '^(dhcpd?|kea|tftp_server)_') }}"
"""

RETURN = r"""
_value:
  description:
    - C(host), C(role) (C(primary), C(secondary) or C(standalone)), C(group_role), C(pair) (C(PRIMARY/SECONDARY),
      or the host for a standalone server), C(failover_name), C(primary), C(secondary), C(partner), C(address),
      C(partner_address), C(backend), C(digest), C(parts) (digests of each variable and of its items), C(subnets),
      C(pools) and C(problems) (a list of messages, each naming the variable or group and the fix).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._fleet import host_problems, peer_context


def dhcp_peer_context(facts, host_state=None, listen=None):
    """Filter entry point: one host's peer context (see plugin_utils/_fleet.py)."""
    if isinstance(facts, dict) and "pair" in facts and "problems" in facts:
        context = dict(facts)  # a context worked out before: add what the host shows
    elif isinstance(facts, dict) and isinstance(facts.get("vars"), dict):
        context = peer_context(str(facts.get("host", "")), [str(g) for g in facts.get("groups") or []], {str(k): v for k, v in facts["vars"].items()})
    else:
        raise AnsibleFilterError("dhcp_peer_context: the input must be a mapping with host, groups and vars (or a context it returned)")
    if host_state:
        context["problems"] = context["problems"] + host_problems(context, host_state.get("addresses"), list(listen or []))
    return context


class FilterModule:
    """netboot.dhcp_failover peer context filter."""

    def filters(self):
        return {"dhcp_peer_context": dhcp_peer_context}
