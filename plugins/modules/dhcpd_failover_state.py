#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dhcpd_failover_state
short_description: Read an ISC dhcpd failover peer's state from its lease file
version_added: 1.0.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - dhcpd records every failover state change in its lease file as a
    C(failover peer "NAME" state { my state ...; partner state ...; }) block.
    This module reads the last such block for one relationship and returns the
    local and partner states with their times. It only reads; it never writes the lease file.
  - Needs no OMAPI key, so it works on every peer whatever its configuration.
options:
  name:
    description: Name of the failover relationship.
    type: str
    required: true
  lease_file:
    description: Path of dhcpd's lease file.
    type: path
    required: true
  wait_normal_since:
    description:
      - Wait, on the host, until both states are C(normal) and the partner's has changed at or after this
        time (epoch seconds on the host's clock, say a restart's), reading the lease file every 0.2 s.
        One round trip however long the wait, where an C(until) loop makes one per try.
      - Unset, the module only reads.
    type: int
    version_added: 1.4.0
  bindings:
    description:
      - Also return the binding state of every address in the lease file (the last entry of each, as dhcpd
        reads the file), for comparing the two peers' databases (C(playbooks/failover_state.yml) does).
    type: bool
    default: false
    version_added: 1.6.0
  wait_timeout:
    description: Seconds to wait with O(wait_normal_since) before failing with the last state read.
    type: int
    default: 120
    version_added: 1.4.0
extends_documentation_fragment:
  - netboot.dhcp_failover.attributes.check_no_diff
"""

EXAMPLES = r"""
- name: Read the state
  netboot.dhcp_failover.dhcpd_failover_state:
    name: dhcp-failover
    lease_file: /var/lib/dhcp/dhcpd.leases
  register: state

- name: Wait until the pair is back to normal after a restart at 1795740000 (host clock)
  netboot.dhcp_failover.dhcpd_failover_state:
    name: dhcp-failover
    lease_file: /var/lib/dhcp/dhcpd.leases
    wait_normal_since: 1795740000
    wait_timeout: 120
"""

RETURN = r"""
found:
  description: Whether the lease file holds a state block for the relationship.
  type: bool
  returned: always
my_state:
  description: This server's failover state (normal, communications-interrupted, partner-down, recover, ...), or null.
  type: str
  returned: always
partner_state:
  description: The partner's state as this server last knew it, or null.
  type: str
  returned: always
my_since:
  description: Epoch seconds (UTC) of this server's last state change, or null.
  type: int
  returned: always
partner_since:
  description: Epoch seconds (UTC) of the partner's last known state change, or null.
  type: int
  returned: always
bindings:
  description:
    - With O(bindings), address to its binding state (C(active), C(free), C(backup), C(expired), C(released),
      C(abandoned), ...), from the last entry of the address in the lease file.
  type: dict
  returned: when O(bindings) is true
  sample: {"10.4.45.10": "active", "10.4.45.11": "free"}
  version_added: 1.6.0
lease_file_size:
  description: Size of the lease file in bytes (0 where it is missing).
  type: int
  returned: always
  version_added: 1.6.0
lease_folder_free:
  description:
    - Bytes still free to an unprivileged writer on the lease file's file system. With the folder full,
      dhcpd keeps answering but logs C(unable to commit) and records nothing; the leases it handed out
      are lost at its next start.
  type: int
  returned: always
  version_added: 1.6.0
waited:
  description: Seconds spent waiting (0 without O(wait_normal_since)).
  type: float
  returned: always
  version_added: 1.4.0
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import parse_bindings, parse_state


def read_state(module):
    try:
        with open(module.params["lease_file"], encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        module.fail_json(msg="cannot read %s: %s" % (module.params["lease_file"], exc))
    state = parse_state(text, module.params["name"])
    if module.params.get("bindings"):
        state["bindings"] = parse_bindings(text)
    return state


def normal_since(state, since):
    return (state["my_state"] == "normal" and state["partner_state"] == "normal"
            and (state["partner_since"] or 0) >= since)


def main():
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "lease_file": {"type": "path", "required": True},
            "wait_normal_since": {"type": "int"},
            "wait_timeout": {"type": "int", "default": 120},
            "bindings": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    since = module.params["wait_normal_since"]
    start = time.monotonic()
    state = read_state(module)
    if since is not None:
        while not normal_since(state, since):
            if time.monotonic() - start >= module.params["wait_timeout"]:
                module.fail_json(
                    msg="failover %s: not back to normal %d s after the restart (my state %s, partner state %s)" % (
                        module.params["name"], module.params["wait_timeout"], state["my_state"], state["partner_state"]),
                    waited=round(time.monotonic() - start, 1), **state)
            time.sleep(0.2)
            state = read_state(module)
    module.exit_json(changed=False, waited=round(time.monotonic() - start, 1), **dict(state, **space(module.params["lease_file"])))


def space(lease_file):
    """The lease file's size and the free space of its folder, in bytes."""
    try:
        size = os.stat(lease_file).st_size
    except OSError:
        size = 0
    try:
        st = os.statvfs(os.path.dirname(lease_file) or ".")
        free = st.f_bavail * st.f_frsize
    except OSError:
        free = 0
    return {"lease_file_size": size, "lease_folder_free": free}


if __name__ == "__main__":
    main()
