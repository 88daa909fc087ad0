# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: dhcpd_import
short_description: Read a running dhcpd.conf (and its failover partner's) into the collection's network description
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes the text of an ISC DHCP 4.4 C(dhcpd.conf) and, for a failover pair, its partner's, and returns the
    network description as the inventory variables the roles read (C(dhcpd_failover), C(dhcpd_subnets),
    C(dhcpd_shared_networks), C(dhcpd_hosts), C(dhcpd_classes), C(dhcpd_pxe), C(dhcpd_options),
    C(dhcpd_option_definitions), C(dhcpd_ddns), C(dhcpd_statements), C(dhcpd_includes) and the others).
  - Each statement goes to the key the description has for it; a statement the description has no key for is
    kept as a raw statement of its scope. Boot-file choices (C(next-server), C(filename) and C(if) chains on
    option 93, C(PXEClient), C(HTTPClient) and iPXE's user class) become C(pxe) settings.
  - The two peers' files become one description. A pool only one peer has is C(served_by) that peer; a
    next-server that is each peer's own failover address becomes C(self); boot settings on the primary only
    become C(dhcpd_pxe.mode=primary_only).
  - The result is checked as the roles check a description. A statement the checks refuse is left out and
    listed under C(unexpressed) with the check's words, so the returned C(vars) render as they are.
  - Keys (OMAPI and dynamic DNS) come out as references to variables (C(vault_dhcpd_key_NAME)) for the user to
    put in Vault; their secrets are never read into the result.
  - Text dhcpd would not read either (an unclosed block, a statement without its C(;)) is an error naming the
    file and line.
options:
  _input:
    description: The text of one peer's C(dhcpd.conf).
    type: str
    required: true
  partner:
    description: The text of the failover partner's C(dhcpd.conf); one of the two must be the primary.
    type: str
    required: false
  includes:
    description:
      - Mapping of path to text of the files the first text includes. An included file that is given is read
        as if it stood in place of its C(include); one that is not stays in C(dhcpd_includes) and is listed
        under C(not_read).
    type: dict
    required: false
  partner_includes:
    description: The same for the partner's text.
    type: dict
    required: false
  hosts:
    description: C(primary) and C(secondary), the inventory hostnames of the two peers (the failover C(host) keys).
    type: dict
    required: false
  source:
    description: The name the first text is given in C(unexpressed) and in errors (its path, say).
    type: str
    default: dhcpd.conf
  partner_source:
    description: The same for the partner's text.
    type: str
    default: partner dhcpd.conf
"""

EXAMPLES = r"""
- name: Import both peers' running configuration
  ansible.builtin.set_fact:
    imported: >-
      {{ primary_conf | netboot.dhcp_failover.dhcpd_import(partner=secondary_conf,
           hosts={'primary': 'dhcp1', 'secondary': 'dhcp2'}) }}

- name: Write the description for review
  ansible.builtin.copy:
    dest: inventory/group_vars/dhcp/dhcp.yml
    content: "{{ imported.vars | to_nice_yaml }}"
    mode: "0644"
"""

RETURN = r"""
_value:
  description:
    - C(vars), the description; C(review_vars), the same with a stand-in for each secret, to render and review
      it before the secrets are in Vault (never to deploy); C(unexpressed), a list of C(file), C(line), C(statement) and C(why) for each
      statement the description does not say; C(not_read), the included files that were not given;
      C(secrets), a list of C(key) and C(variable), the variables to put in Vault; C(role), what the first
      text is (C(primary), C(secondary) or C(standalone)); C(warnings), checks that could not be made.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._import import ConfSyntaxError, ImportProblem, import_conf


def dhcpd_import(text, partner=None, includes=None, partner_includes=None, hosts=None, source="dhcpd.conf",
                 partner_source="partner dhcpd.conf"):
    """Filter entry point: the description a running dhcpd.conf says (see plugin_utils/_import.py)."""
    for name, value in (("the input", text), ("partner", partner)):
        if value is not None and not isinstance(value, str):
            raise AnsibleFilterError("dhcpd_import: %s must be the text of a dhcpd.conf" % name)
    for name, value in (("includes", includes), ("partner_includes", partner_includes), ("hosts", hosts)):
        if value is not None and not isinstance(value, dict):
            raise AnsibleFilterError("dhcpd_import: %s must be a mapping" % name)
    try:
        return import_conf(str(text), None if partner is None else str(partner), includes, partner_includes, hosts, source, partner_source)
    except (ConfSyntaxError, ImportProblem) as exc:
        raise AnsibleFilterError("dhcpd_import: %s" % exc) from exc


class FilterModule:
    """netboot.dhcp_failover filters."""

    def filters(self):
        return {"dhcpd_import": dhcpd_import}
