# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: file_sha1
short_description: SHA-1 checksums of files on the controller, found as the copy module finds its src
version_added: 1.2.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Returns the SHA-1 checksum of each file, or an empty string for a file that is not found.
  - A relative path is looked up in the C(files) folders of the role and the playbook, as
    M(ansible.builtin.copy) looks up O(ansible.builtin.copy#module:src).
  - Lets a role compare a file it would copy with the host's copy without a task (and a round
    trip) per file; binary files are read as bytes.
options:
  _terms:
    description: Paths of files on the controller.
    type: list
    elements: path
    required: true
"""

EXAMPLES = r"""
- name: Skip a boot file the TFTP server already has
  ansible.builtin.copy:
    src: files/vmlinuz
    dest: /srv/tftp/vmlinuz
    mode: "0644"
  when: lookup('netboot.dhcp_failover.file_sha1', 'files/vmlinuz') != host_sums['/srv/tftp/vmlinuz']
"""

RETURN = r"""
_raw:
  description: One SHA-1 checksum (hexadecimal) per term, or an empty string when the file is not found.
  type: list
  elements: str
"""

import hashlib
import os

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        out = []
        for term in terms:
            path = term if os.path.isabs(term) else self.find_file_in_search_path(variables, "files", term, ignore_missing=True)
            if not path or not os.path.isfile(path):
                out.append("")
                continue
            digest = hashlib.sha1()
            try:
                with open(path, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 16), b""):
                        digest.update(block)
            except OSError as exc:
                raise AnsibleError("file_sha1: cannot read %s: %s" % (path, exc)) from exc
            out.append(digest.hexdigest())
        return out
