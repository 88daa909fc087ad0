# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcp_fleet_check
short_description: Check every failover pair of a run together, before any host changes
version_added: 1.6.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the peer contexts (M(netboot.dhcp_failover.dhcp_peer_context#filter)) of every DHCP host in the run
    and refuses, with every problem named at once - the two peers of a pair reading different descriptions
    (naming the first variable or item that differs), or different C(dhcp_backend) values; a host named as a
    peer that is not in the inventory or not in the matching group; a host named in two pairs; and every
    problem a context lists.
  - Warns (without stopping) about a peer left out of the run (C(--limit)), and about networks or pools that
    two pairs share, which is right only where the sites are separate routing domains (VRFs).
  - Returns the pairs of the run. See docs/fleet.md.
options:
  _input:
    description: The peer contexts of every DHCP host of the run.
    type: list
    elements: dict
    required: true
  groups:
    description: The inventory's C(groups) magic variable (C(all), C(dhcpd_primary) and C(dhcpd_secondary) are read).
    type: dict
    required: true
  run_hosts:
    description: The hosts of this run (C(ansible_play_hosts_all)); default, the hosts with a context.
    type: list
    elements: str
    required: false
  tftp:
    description:
      - Each TFTP server (C(tftp_servers)) to its C(address) and its C(tftp_server_bios), C(tftp_server_uefi),
        C(tftp_server_bios_modules), C(tftp_server_files) and C(tftp_server_downloads) as C(bios), C(uefi),
        C(bios_modules), C(files) and C(downloads). With it, a boot file a pair hands out that the TFTP servers
        its C(next_server) names will not hold (by the tftp_server role's plan, on every supported OS) is warned about.
    type: dict
    required: false
"""

EXAMPLES = r"""
- name: Check the pairs of the run together
  ansible.builtin.set_fact:
    dhcp_pairs: >-
      {{ ansible_play_hosts_all | map('extract', hostvars, 'dhcp_peer') | list
         | netboot.dhcp_failover.dhcp_fleet_check(groups=groups, run_hosts=ansible_play_hosts_all) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: A list of the pairs, each with C(pair), C(name), C(primary), C(secondary), C(backend) and C(hosts).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._fleet import fleet_check, tftp_holds, tftp_os_values


def dhcp_fleet_check(contexts, groups, run_hosts=None, tftp=None):
    """Filter entry point: check the pairs of a run together (see plugin_utils/_fleet.py)."""
    if not isinstance(contexts, list) or not all(isinstance(c, dict) and "pair" in c for c in contexts):
        raise AnsibleFilterError("dhcp_fleet_check: the input must be the list of every DHCP host's dhcp_peer context")
    if not isinstance(groups, dict):
        raise AnsibleFilterError("dhcp_fleet_check: groups must be the inventory's groups mapping")
    servers = None
    if tftp is not None:
        values = tftp_os_values()
        servers = {str(name): {"address": str(t.get("address", "")), "holds": tftp_holds(values, dict(t))} for name, t in dict(tftp).items()}
    result = fleet_check(
        [dict(c) for c in contexts],
        list(groups.get("all") or []),
        list(groups.get("dhcpd_primary") or []),
        list(groups.get("dhcpd_secondary") or []),
        list(run_hosts) if run_hosts is not None else None,
        servers,
    )
    if result["errors"]:
        raise AnsibleFilterError("dhcp_fleet_check: %d problem(s) across the pairs, no host was changed:\n- %s"
                                 % (len(result["errors"]), "\n- ".join(result["errors"])))
    for message in result["warnings"]:
        Display().warning("dhcp_fleet_check: %s" % message)
    return result["pairs"]


class FilterModule:
    """netboot.dhcp_failover fleet check filter."""

    def filters(self):
        return {"dhcp_fleet_check": dhcp_fleet_check}
