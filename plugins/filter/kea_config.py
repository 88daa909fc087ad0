# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: kea_config
short_description: Render one Kea DHCPv4 high-availability peer's configuration from the same network description
version_added: 1.3.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the network description that M(netboot.dhcp_failover.dhcpd_config) reads (the C(dhcpd_*)
    variables) and returns one Kea server's C(kea-dhcp4) configuration, or its Control Agent's, as a
    mapping (write it with C(to_nice_json)).
  - The failover relationship becomes the HA hook (C(libdhcp_ha.so) with C(libdhcp_lease_cmds.so)) in
    load-balancing mode, every pool split in two halves restricted to the C(HA_<server>) classes, or in
    hot-standby mode. Subnet ids are made from the network address, the same on both peers.
  - Boot settings (per scope, by client architecture, iPXE and UEFI HTTP boot) become client classes.
  - C(dhcpd_ddns) (since 1.7.0) becomes kea-dhcp4's DDNS settings and the configuration of kea-dhcp-ddns
    (O(part=d2)), which sends the updates; its TSIG keys are returned apart (O(part=d2_keys)), for an owner-only file.
  - What has no Kea equivalent (raw dhcpd statements, includes, DDNS style interim, dhcpd expressions that cannot be
    translated, spawned classes) is refused with the variable path and the reason (since 1.7.0 subclasses are written,
    a Kea class per value); what Kea does differently
    (dhcpd_omapi, split other than 128, PXE mode primary_only) is said in a warning.
  - With both peers rendered at once (O(role) a list), the pair is checked for the HA mistakes that
    C(kea-dhcp4 -t) lets through. The roles still run C(kea-dhcp4 -t) on each host. See docs/kea.md.
options:
  _input:
    description: Mapping of the network description variables, keyed by variable name (as for dhcpd_config).
    type: dict
    required: true
  role:
    description:
      - C(primary), C(secondary) or C(standalone); a list of these returns a mapping of each to its configuration.
    type: raw
    required: true
  hosts:
    description:
      - Mapping of inventory hostname to address. Kea takes no DNS names in peer URLs or next-server, so
        names there must be inventory hosts.
    type: dict
    required: false
  settings:
    description:
      - Kea settings that are not part of the network description, from the role's C(kea_*) variables.
      - C(version) (the Kea version on the host, default C(2.2.0)), C(mode) (C(load-balancing) or
        C(hot-standby)), C(transport) (C(agent) or C(dedicated); empty or left out, C(agent) below Kea 3.0 and C(dedicated) from 3.0),
        C(hooks_path), C(interfaces), C(http_port), C(control_socket), C(lease_file),
        C(max_unacked_clients), C(heartbeat_delay), C(delayed_updates_limit), C(auth_user), C(config_dir),
        C(d2_port) and C(d2_control_socket).
      - C(heartbeat_delay) (since 1.6.0), seconds between HA heartbeats, shorter than the description's
        C(max_response_delay); left out, a third of it. C(delayed_updates_limit) (since 1.6.0, default 100), written
        in load-balancing mode only.
      - C(auth_user) (since 1.6.0) turns on HTTP basic authentication of the HA channel where the peers talk through
        the Control Agent; the password never passes through the filter. Each peer entry gets C(basic-auth-user) and
        C(basic-auth-password) set to the stand-in C(netboot:include-ha-password), which the kea role replaces with
        C(<?include "CONFIG_DIR/netboot-ha-auth.json"?>), an owner-only file holding the password; the Control
        Agent's configuration asks for the same user with its password read from C(CONFIG_DIR/kea-api-password)
        (the name Debian's and Fedora's packages give it; C(netboot-ha-password) before 1.7.0).
      - C(d2_port) (since 1.7.0, default 53001), the UDP port on 127.0.0.1 where kea-dhcp-ddns takes kea-dhcp4's
        name change requests; C(d2_control_socket) (since 1.7.0) its control socket.
    type: dict
    required: false
  part:
    description:
      - C(dhcp4) returns the kea-dhcp4 configuration; C(ctrl_agent) the Kea Control Agent's.
      - C(d2) (since 1.7.0) returns kea-dhcp-ddns's configuration, an empty mapping when the description asks for
        no DNS updates. Its C(tsig-keys) is the stand-in C(netboot:include-ddns-keys), which the kea role replaces
        with C(<?include "CONFIG_DIR/netboot-ddns-keys.json"?>).
      - C(d2_keys) (since 1.7.0) returns the text of that owner-only file (a JSON list of the TSIG keys, secrets
        included; empty without keys). Write it with C(no_log) and without a diff.
      - C(ddns) (since 1.7.0) returns whether kea-dhcp-ddns runs beside kea-dhcp4 (C(dhcpd_ddns) with a style other
        than C(none)), from C(dhcpd_ddns) alone, which a role needs to know before anything is installed or rendered.
    type: str
    choices: [dhcp4, ctrl_agent, d2, d2_keys, ddns]
    default: dhcp4
"""

EXAMPLES = r"""
- name: Render this peer's kea-dhcp4.conf
  ansible.builtin.copy:
    dest: /etc/kea/kea-dhcp4.conf
    content: >-
      {{ description | netboot.dhcp_failover.kea_config(role='primary', settings={'interfaces': ['eth0']})
         | ansible.builtin.to_nice_json }}
    mode: "0640"
    validate: kea-dhcp4 -t %s
"""

RETURN = r"""
_value:
  description:
    - The configuration as a mapping (C(Dhcp4), C(Control-agent) or C(DhcpDdns) at the top), the keys file's text
      for O(part=d2_keys), or a boolean for O(part=ddns).
    - A mapping of role to that configuration when O(role) is a list.
  type: raw
"""

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model_checker import ModelError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea


def kea_config(description, role, hosts=None, settings=None, part="dhcp4"):
    """Filter entry point: check the description and render ``role``'s Kea configuration."""
    if not isinstance(description, dict):
        raise AnsibleFilterError("kea_config: the input must be a mapping of dhcpd_* variables, got %s" % type(description).__name__)
    warnings = []
    try:
        result = render_kea(
            dict(description), role, dict(hosts) if hosts is not None else None, dict(settings) if settings else None, part, warnings=warnings
        )
    except ModelError as exc:
        raise AnsibleFilterError("kea_config: %s" % exc) from exc
    for message in warnings:
        Display().warning("kea_config: %s" % message)
    return result


class FilterModule:
    """netboot.dhcp_failover Kea filter."""

    def filters(self):
        return {"kea_config": kea_config}
