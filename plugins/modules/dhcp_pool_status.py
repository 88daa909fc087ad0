#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dhcp_pool_status
short_description: Count a DHCP peer's pools from its lease file (ISC dhcpd or Kea)
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - For each pool of O(pools), the number of addresses in each binding state of the lease file (the last
    entry of an address is the one in force), what this peer may hand out now and what only its partner
    may, and the utilisation; with O(failover_name), the failover states recorded in the same file.
  - With O(backend=kea), the lease file is Kea's memfile CSV (with the files its lease file cleanup left, C(FILE.2)
    and C(FILE.1), read first), and the HA state is asked of kea-dhcp4 through O(control_socket) (C(status-get)).
    Both servers of a Kea HA pair allocate from the whole pool, so every free address counts as this server's.
  - Reads the lease file a line at a time, so a large file needs little memory. Changes nothing.
  - C(playbooks/status.yml) runs it on both peers of each pair and compares them. See docs/observe.md.
options:
  pools:
    description:
      - The pools this peer leases from, as the P(netboot.dhcp_failover.dhcp_pools#filter) filter returns them
        with its O(role); each needs C(id), C(ranges) (pairs of first and last address) and C(failover).
    type: list
    elements: dict
    required: true
  lease_file:
    description: Path of dhcpd's lease file, or with O(backend=kea) of Kea's (missing - no lease yet).
    type: path
    required: true
  backend:
    description: Which server wrote O(lease_file).
    type: str
    choices: [isc, kea]
    default: isc
    version_added: 1.7.0
  control_socket:
    description:
      - With O(backend=kea), kea-dhcp4's UNIX control socket, to read its HA state (C(status-get)); unset - the
        HA state is not read.
    type: path
    version_added: 1.7.0
  failover_name:
    description: Name of the failover relationship whose state to read (ISC dhcpd; unset - none).
    type: str
  role:
    description:
      - This peer's role. In a failover pool the primary hands out C(free) leases and the secondary C(backup)
        ones, so the role tells which count is this peer's own.
    type: str
    choices: [primary, secondary, standalone]
    default: standalone
extends_documentation_fragment:
  - netboot.dhcp_failover.attributes.check_no_diff
"""

EXAMPLES = r"""
- name: Count this peer's pools
  netboot.dhcp_failover.dhcp_pool_status:
    pools: "{{ description | netboot.dhcp_failover.dhcp_pools(role='primary') }}"
    lease_file: /var/lib/dhcp/dhcpd.leases
    failover_name: dhcp-failover
    role: primary
  register: pool_status

- name: Count a Kea server's pools and read its HA state
  netboot.dhcp_failover.dhcp_pool_status:
    backend: kea
    pools: "{{ description | netboot.dhcp_failover.dhcp_pools(role='secondary') }}"
    lease_file: /var/lib/kea/kea-leases4.csv
    control_socket: /run/kea/kea4-ctrl-socket
    role: secondary
  register: pool_status
"""

RETURN = r"""
pools:
  description:
    - Each pool of O(pools) with C(size), C(active), C(free), C(backup), C(expired) (expired, released or
      reset, waiting for the partner), C(abandoned), C(unrecorded) (no entry in the file yet), C(used)
      (active and abandoned), C(utilisation) (used / size), C(own_free) (what this peer may hand out now) and
      C(partner_free) (what only its partner may).
  type: list
  elements: dict
  returned: always
failover:
  description:
    - C(found), C(my_state), C(partner_state), C(my_since), C(partner_since) (epoch seconds).
    - With O(backend=kea), the HA states (C(my_state) this server's, C(partner_state) the last its partner reported),
      C(mode), C(partner_in_touch) and C(healthy) (both in the HA mode's state and in touch); no C(since).
  type: dict
  returned: always
lease_file_size:
  description: Bytes read from the lease file.
  type: int
  returned: always
now:
  description: The host's clock when the file was read (epoch seconds), to compare the peers' clocks.
  type: float
  returned: always
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.pool_status import pool_status


def main():
    module = AnsibleModule(
        argument_spec={
            "pools": {"type": "list", "elements": "dict", "required": True},
            "lease_file": {"type": "path", "required": True},
            "failover_name": {"type": "str"},
            "role": {"type": "str", "choices": ["primary", "secondary", "standalone"], "default": "standalone"},
            "backend": {"type": "str", "choices": ["isc", "kea"], "default": "isc"},
            "control_socket": {"type": "path"},
        },
        supports_check_mode=True,
    )
    p = module.params
    for i, pool in enumerate(p["pools"]):
        if not isinstance(pool.get("id"), str) or not isinstance(pool.get("ranges"), list):
            module.fail_json(msg="pools[%d]: each pool needs id and ranges, as the dhcp_pools filter returns them" % i)
    try:
        result = pool_status(p["pools"], p["lease_file"], p["failover_name"], p["role"], p["backend"], p["control_socket"])
    except (OSError, ValueError) as exc:
        module.fail_json(msg="cannot count the pools from %s%s: %s" % (
            p["lease_file"], " or ask %s" % p["control_socket"] if p["control_socket"] else "", exc))
    module.exit_json(changed=False, now=time.time(), **result)


if __name__ == "__main__":
    main()
