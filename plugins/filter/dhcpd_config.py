# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcpd_config
short_description: Render one ISC DHCP 4.4 failover peer's dhcpd.conf from one network description
version_added: 1.0.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the network description shared by both failover peers (the C(dhcpd_*) inventory
    variables gathered in one mapping) and returns the complete C(dhcpd.conf) text for one peer.
  - Both peers get identical failover pools, classes and host reservations. C(mclt) and
    C(split)/C(hba) are written on the primary only, and in PXE mode C(primary_only) the
    non-failover PXE pool is written on the primary only.
  - PXE clients are recognised by option 60 (C(PXEClient)); the boot file is chosen by option 93
    (C(pxe-system-type)); iPXE is recognised by user-class C(iPXE); UEFI HTTP boot clients get
    C(HTTPClient) echoed back.
  - The description is checked first. Every problem is reported at once, each naming the
    variable path (for example C(dhcpd_subnets[0].pools[1].range)) and the fix. See docs/model.md.
  - The output is deterministic. It still has to pass C(dhcpd -t) on the host; the roles do that.
  - Keys (C(dhcpd_omapi), C(dhcpd_ddns.keys)) are never in C(dhcpd.conf). It includes them from
    O(secrets_path), whose text C(part=secrets) returns; write that file owner-only and never log it.
  - C(part=secrets) reads only the keys, so that the secrets file can be rendered apart (in tasks
    that log nothing) from a description whose configuration was rendered, and checked, once.
  - Warnings (checks that could not be made, such as addresses given as DNS names that are not
    inventory hosts) are shown as Ansible warnings; they do not stop the run.
options:
  _input:
    description:
      - Mapping of the network description variables, keyed by variable name
        (C(dhcpd_failover), C(dhcpd_subnets), C(dhcpd_shared_networks), C(dhcpd_hosts),
        C(dhcpd_classes), C(dhcpd_pxe), C(dhcpd_options), C(dhcpd_authoritative),
        C(dhcpd_default_lease_time), C(dhcpd_max_lease_time), C(dhcpd_min_lease_time), C(dhcpd_omapi)).
    type: dict
    required: true
  role:
    description:
      - Which configuration to write - C(primary), C(secondary) or C(standalone).
      - A list of these returns a mapping of each to its text, from one check of the description
        (the roles render both failover peers' files this way, once per play).
    type: raw
    required: true
  hosts:
    description:
      - Mapping of inventory hostname to the address clients reach it at. Used to check that
        the failover peers are inventory hosts and to resolve C(dhcpd_pxe.next_server) when it
        names the TFTP server's inventory host.
    type: dict
    required: false
  part:
    description:
      - C(config) returns dhcpd.conf; C(secrets) returns the file of keys it includes (empty when
        the description has no keys).
    type: str
    choices: [config, secrets]
    default: config
  secrets_path:
    description: Absolute path, on the DHCP host, of the secrets file that dhcpd.conf includes.
    type: str
    default: /etc/dhcp/dhcpd.secrets.conf
"""

EXAMPLES = r"""
- name: Render the primary's configuration
  ansible.builtin.copy:
    dest: /etc/dhcp/dhcpd.conf
    content: >-
      {{ {'dhcpd_failover': dhcpd_failover, 'dhcpd_subnets': dhcpd_subnets, 'dhcpd_pxe': dhcpd_pxe}
         | netboot.dhcp_failover.dhcpd_config(role='primary', hosts={'tftp1': '10.4.7.9'}) }}
    mode: "0644"
    validate: dhcpd -t -cf %s

- name: Write the keys it includes (owner-only, never logged)
  ansible.builtin.copy:
    dest: /etc/dhcp/dhcpd.secrets.conf
    content: "{{ description | netboot.dhcp_failover.dhcpd_config(role='primary', part='secrets') }}"
    mode: "0600"
  no_log: true
"""

RETURN = r"""
_value:
  description:
    - The complete dhcpd.conf text (or the secrets file's text), ending in a newline.
    - A mapping of role to that text when O(role) is a list.
  type: raw
"""

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_checker import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import DEFAULT_SECRETS_PATH, render_config


def dhcpd_config(description, role, hosts=None, part="config", secrets_path=DEFAULT_SECRETS_PATH):
    """Filter entry point: validate the description and render ``role``'s dhcpd.conf (or its secrets)."""
    if not isinstance(description, dict):
        raise AnsibleFilterError(
            "dhcpd_config: the input must be a mapping of dhcpd_* variables, got %s" % type(description).__name__
        )
    warnings = []
    try:
        text = render_config(
            dict(description), role, dict(hosts) if hosts is not None else None, part, secrets_path, warnings=warnings
        )
    except ModelError as exc:
        raise AnsibleFilterError("dhcpd_config: %s" % exc) from exc
    if part == "config":
        for message in warnings:
            Display().warning("dhcpd_config: %s" % message)
    return text


class FilterModule:
    """netboot.dhcp_failover filters."""

    def filters(self):
        return {"dhcpd_config": dhcpd_config}
