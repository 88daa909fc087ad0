# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: host_differences
short_description: How a host, as host_state read it, differs from what a role would make of it
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the result of M(netboot.dhcp_failover.host_state) and what a role expects of the host, and returns
    every difference, one line each, the expected files that are missing or differ, and whether there is none.
  - Files are compared by content (the SHA-1 of O(files[].content), a given O(files[].sha1), or the checksum of
    another read path, O(files[].same_as)), mode, owner, group and type.
  - A result without files (the host not read, as in a render for review) is never in sync.
options:
  _input:
    description: The registered result of M(netboot.dhcp_failover.host_state).
    type: dict
    required: true
  files:
    description: The files the role manages.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file.
        type: str
        required: true
      content:
        description: Its text.
        type: str
      sha1:
        description: Its SHA-1 checksum.
        type: str
      same_as:
        description: Another path read by host_state whose checksum it must have (a copy).
        type: str
      mode:
        description: Its mode, as host_state returns it (C(0644)).
        type: str
      owner:
        description: Its owner.
        type: str
      group:
        description: Its group.
        type: str
      type:
        description: C(file) or C(directory).
        type: str
        default: file
  present:
    description: Paths that must exist, whatever their content.
    type: list
    elements: str
    default: []
  absent:
    description: Paths that must not exist.
    type: list
    elements: str
    default: []
  running:
    description: Services that must be active and enabled.
    type: list
    elements: str
    default: []
  stopped:
    description: Services that must not be active.
    type: list
    elements: str
    default: []
  disabled:
    description: Services that must not be enabled.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Note whether this host already matches
  ansible.builtin.set_fact:
    __example_diff: >-
      {{ __example_register_state | netboot.dhcp_failover.host_differences(
           files=[{'path': '/etc/dhcp/dhcpd.conf', 'content': rendered, 'mode': '0644', 'owner': 'root'}],
           running=['isc-dhcp-server'], stopped=['kea-dhcp4-server'], disabled=['kea-dhcp4-server']) }}
"""

RETURN = r"""
_value:
  description: The differences.
  type: dict
  contains:
    stale:
      description: The paths to act on, in the order given - expected files that are missing or differ, then paths
        to be absent that exist.
      type: list
      elements: str
    messages:
      description: One line per difference.
      type: list
      elements: str
    synced:
      description: Whether there is no difference at all.
      type: bool
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._host_compare import differences


def host_differences(state, files=(), present=(), absent=(), running=(), stopped=(), disabled=()):
    """The differences between a host and a role's expectations (see DOCUMENTATION)."""
    try:
        return differences(state, files, present, absent, running, stopped, disabled)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """netboot.dhcp_failover host comparison filter."""

    def filters(self):
        return {"host_differences": host_differences}
