# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: tftp_plan
short_description: What the tftp_server role puts in the TFTP root, and every path it reads to compare a host with it
version_added: 1.5.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Takes one OS's values (the C(__tftp_server_os) mapping of the role's C(vars/<OS>.yml)) and the role's
    settings, and returns the folders, boot loader copies, menus and configuration files the role writes, and
    C(paths), every absolute path the role reads on the host to tell whether anything must change.
  - With O(distribution) left out, the loaders of every EFI vendor folder the OS values name are listed, so
    the paths can be read before the facts are gathered, in the same round trip.
  - An internal helper of the role; its result may change between minor versions.
options:
  _input:
    description:
      - The per-OS values, with the keys C(binary), C(service), C(default_root), C(defaults_file), C(dropin),
        C(module_dir), C(bios_loaders), C(uefi_loaders), C(grub_cfg_paths), and optionally C(efi_vendors)
        (a mapping of distribution to EFI folder; C({efi_vendor}) in a loader's C(src) is replaced by it).
    type: dict
    required: true
  settings:
    description:
      - C(root), C(bios), C(uefi), C(bios_modules), C(files) and C(downloads), as the role's C(tftp_server_*)
        variables of those names.
    type: dict
    required: true
  distribution:
    description: The host's C(ansible_facts['distribution']); leave it out for the paths of every distribution.
    type: str
    required: false
  contents:
    description:
      - The texts of the menus (C(grub), C(pxelinux)) and configuration files (C(defaults), C(dropin)), and
        C(file_sha1), the checksums of the C(files) of O(settings) in order.
      - With them the menus and configuration files carry their C(content), and the plan its C(expect) for
        P(netboot.dhcp_failover.host_differences#filter)
        (C(server) and C(boot)).
    type: dict
    required: false
"""

EXAMPLES = r"""
- name: Read everything the role would compare, before the facts are known
  netboot.dhcp_failover.host_state:
    paths: "{{ (__tftp_server_os | netboot.dhcp_failover.tftp_plan({'root': '/srv/tftp'})).paths }}"
"""

RETURN = r"""
_value:
  description:
    - C(root) and C(default_root); C(dirs), folders relative to the root; C(copies), a list of C(src) (on the
      host) and C(dest) (relative to the root); C(menus), a list of C(dest) and C(menu) (C(pxelinux) or C(grub));
      C(config_files), a list of C(path) and C(kind) (C(defaults) or C(dropin)); C(paths), every path to read.
    - With O(contents), C(content) on each menu and configuration file, and C(expect), the arguments of
      P(netboot.dhcp_failover.host_differences#filter) for the server (C(expect.server)) and the boot tree
      (C(expect.boot)).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._tftp_plan import PlanError
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._tftp_plan import tftp_plan as _plan


def tftp_plan(os_values, settings, distribution=None, contents=None):
    """Filter entry point: the tftp_server role's plan for one OS (see plugin_utils/_tftp_plan.py)."""
    if not isinstance(os_values, dict) or not isinstance(settings, dict) or not isinstance(contents, (dict, type(None))):
        raise AnsibleFilterError("tftp_plan: the per-OS values, the settings and the contents must be mappings")
    try:
        return _plan(os_values, settings, distribution or None, contents)
    except PlanError as exc:
        raise AnsibleFilterError("tftp_plan: %s" % exc) from exc


class FilterModule:
    """netboot.dhcp_failover TFTP plan filter."""

    def filters(self):
        return {"tftp_plan": tftp_plan}
