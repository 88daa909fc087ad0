# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: kea_tls_check
short_description: Check a Kea peer's TLS certificate, key and CA before they reach the host
version_added: 1.6.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes a peer's C(kea_ha_tls_ca_cert), C(kea_ha_tls_cert) and C(kea_ha_tls_key) (PEM text) and returns what is
    wrong with them, one message per problem, each naming the variable (not PEM, an encrypted key, a key that is not
    the certificate's, a certificate the CA did not sign, no IP subjectAltName for the peer's failover address).
  - Kea's own C(-t) checks do not open these files; a mismatch would otherwise show only when the server starts.
  - Reads the PEM text in memory; the key's content never appears in what it returns.
options:
  _input:
    description: The CA certificate (PEM).
    type: str
    required: true
  cert:
    description: This peer's certificate (PEM).
    type: str
    required: true
  key:
    description: Its private key (PEM, unencrypted).
    type: str
    required: true
  address:
    description: This peer's failover address, which the certificate must name.
    type: str
"""

EXAMPLES = r"""
- name: Check this peer's TLS material
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: >-
      {{ kea_ha_tls_ca_cert | netboot.dhcp_failover.kea_tls_check(cert=kea_ha_tls_cert, key=kea_ha_tls_key,
         address='10.4.7.9') }}
"""

RETURN = r"""
_value:
  description: One line per problem, the variable's name, a colon and what is wrong; empty when the three belong together.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_tls import tls_problems


def kea_tls_check(ca, cert, key, address=None):
    """Problems with one peer's TLS material (see DOCUMENTATION)."""
    try:
        return ["%s: %s" % problem for problem in tls_problems(ca, cert, key, address)]
    except RuntimeError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """netboot.dhcp_failover Kea TLS check filter."""

    def filters(self):
        return {"kea_tls_check": kea_tls_check}
