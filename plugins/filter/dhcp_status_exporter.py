# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcp_status_exporter
short_description: The files of the status exporter on a DHCP server (the exporter, its pools, its service and timer)
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - The dhcpd and kea roles compare a host with these files in their pre-flight and write them where
    C(dhcpd_status_exporter) or C(kea_status_exporter) is true. See docs/observe.md.
options:
  _input:
    description:
      - C(backend) (C(isc) or C(kea)), C(pools) (the list of P(netboot.dhcp_failover.dhcp_pools#filter) for this
        server's role), C(lease_file), C(role), C(pair) and C(peer) (the metrics' labels); optional C(textfile_dir)
        (default, the OS's node_exporter's), C(failover) (ISC dhcpd, the relationship's name), C(control_socket)
        (Kea), C(interval) (seconds, at least 5, default 60), C(after) (the DHCP server's unit), C(node_exporter)
        (the OS's C(package), C(service) and C(textfile_dir), empty where the OS ships none),
        C(install_node_exporter) and C(variable) (the role setting errors name).
    type: dict
    required: true
  part:
    description:
      - C(paths) - only the paths of the exporter's files (the input is not read).
      - C(units) (since 1.7.0) - only the names of its units, C(service) and C(timer) (the input is not read).
    type: str
    required: false
"""

EXAMPLES = r"""
- name: The exporter's files for this peer
  ansible.builtin.debug:
    msg: "{{ (settings | netboot.dhcp_failover.dhcp_status_exporter).files | map(attribute='path') }}"
"""

RETURN = r"""
_value:
  description:
    - C(files) - each with C(path), C(content) and C(mode) - the exporter (/usr/local/libexec/netboot-dhcp-status),
      its pools (/etc/netboot-dhcp-status/pools.json), and netboot-dhcp-status.service and .timer in
      /etc/systemd/system; C(packages) to install (node_exporter where asked); C(running), the units that must run
      (the timer, node_exporter where installed here); C(textfile_dir).
    - With O(part=paths), the list of the files' paths; with O(part=units), a mapping of C(service) and C(timer) to
      the units' names.
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._status_exporter import PATHS, SERVICE, TIMER, ExporterError, exporter


def dhcp_status_exporter(settings, part=None):
    """Filter entry point: what the exporter needs on a host (see plugin_utils/_status_exporter.py)."""
    if part == "paths":
        return list(PATHS)
    if part == "units":
        return {"service": SERVICE, "timer": TIMER}
    if part is not None:
        raise AnsibleFilterError("dhcp_status_exporter: part must be paths, units or left out, got %r" % (part,))
    if not isinstance(settings, dict):
        raise AnsibleFilterError("dhcp_status_exporter: the input must be a mapping of settings, got %s" % type(settings).__name__)
    try:
        return exporter(settings)
    except ExporterError as exc:
        raise AnsibleFilterError("dhcp_status_exporter: %s" % exc) from exc


class FilterModule:
    """netboot.dhcp_failover status exporter filter."""

    def filters(self):
        return {"dhcp_status_exporter": dhcp_status_exporter}
