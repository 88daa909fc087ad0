# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcpd_compare
short_description: Compare two dhcpd.conf texts statement by statement
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes a running C(dhcpd.conf) and a rendering of it (say the description
    P(netboot.dhcp_failover.dhcpd_import#filter) made of it, rendered by P(netboot.dhcp_failover.dhcpd_config#filter))
    and sorts each statement of the running text into C(same) (in the same scope), C(moved) (said in another
    scope) and C(missing) (not said); C(added) holds what the rendering says that the running text does not.
  - A statement's scope is the chain of declarations around it (shared-network, subnet, host, class, subclass,
    failover peer, zone, key); pools, groups and C(if) blocks are not part of it. Comments, white space and
    quotes do not count; C(on)/C(off) read as C(true)/C(false), as dhcpd reads them.
  - A key's C(secret) is never shown; it reads C(secret (not shown)).
options:
  _input:
    description: The running C(dhcpd.conf) text.
    type: str
    required: true
  rendered:
    description: The text to compare it with.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Show what an imported description says of the running file
  ansible.builtin.debug:
    msg: "{{ running | netboot.dhcp_failover.dhcpd_compare(imported.review_vars | netboot.dhcp_failover.dhcpd_config(role='primary')) }}"
"""

RETURN = r"""
_value:
  description: C(same), C(moved), C(missing) and C(added), each a list of C([SCOPE] STATEMENT) lines.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._conf_compare import compare_texts
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._import_parse import ConfSyntaxError


def dhcpd_compare(running, rendered):
    """Filter entry point: the statements of ``running`` sorted by what ``rendered`` says of them."""
    if not isinstance(running, str) or not isinstance(rendered, str):
        raise AnsibleFilterError("dhcpd_compare: both the running text and the rendered one must be strings")
    try:
        return compare_texts(running, rendered)
    except ConfSyntaxError as exc:
        raise AnsibleFilterError("dhcpd_compare: %s" % exc) from exc


class FilterModule:
    """netboot.dhcp_failover filters."""

    def filters(self):
        return {"dhcpd_compare": dhcpd_compare}
