# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: os_values
short_description: The per-OS values of a role, every supported OS at once
version_added: 1.5.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Reads every C(vars/*.yml) of the role folder given, except C(vars/main.yml), and returns their
    mappings, in file name order, as written (templates in them are not rendered).
  - The collection's roles read the paths, units and programs of every OS they support in their
    pre-flight's one round trip, before the facts choose the OS; this is where those lists come from.
options:
  _terms:
    description: Role folders (C(role_path)).
    type: list
    elements: path
    required: true
"""

EXAMPLES = r"""
- name: Every unit name any supported OS gives dhcpd
  ansible.builtin.debug:
    msg: "{{ query('netboot.dhcp_failover.os_values', role_path) | map(attribute='__dhcpd_service') | list }}"
"""

RETURN = r"""
_raw:
  description: One mapping per per-OS values file, of every role folder given.
  type: list
  elements: dict
"""

import glob
import os

import yaml
from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        out = []
        for role_path in terms:
            for path in sorted(glob.glob(os.path.join(role_path, "vars", "*.yml"))):
                if os.path.basename(path) == "main.yml":
                    continue
                try:
                    with open(path) as fh:
                        values = yaml.safe_load(fh)
                except (OSError, yaml.YAMLError) as exc:
                    raise AnsibleError("os_values: cannot read %s: %s" % (path, exc)) from exc
                if not isinstance(values, dict):
                    raise AnsibleError("os_values: %s is not a mapping" % path)
                out.append(values)
        return out
