#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dhcp_lease_convert
short_description: Carry the leases clients hold from ISC dhcpd to Kea, or from Kea to ISC dhcpd
version_added: 1.7.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Reads the lease file of the server that has just stopped on this host and writes the lease file of the one
    about to start, so that every client keeps its address across the switch (Kea starts with no leases
    otherwise, and answers a client that asks for its address again with a DHCPNAK).
  - C(isc_to_kea) reads C(dhcpd.leases) and writes Kea's memfile CSV; each lease goes to the subnet of the Kea
    configuration (O(kea_config)) that holds its address. C(kea_to_isc) reads Kea's CSV (with the older rows
    its lease file cleanup keeps in C(FILE.2) and C(FILE.1)) and writes a C(dhcpd.leases); with
    O(failover_name), the file records both peers in state C(normal), so that dhcpd resumes without the MCLT's
    wait of the recover state.
  - Only leases clients hold are carried, those in binding state C(active) (Kea state 0) whose end is still
    ahead. The rest are counted by state in RV(skipped).
  - The file it replaces is kept, renamed C(DEST.before-switch); the new one takes the owner and group of its folder
    (the user the server runs as, as the packages set it up), mode 0644.
  - Run it only while neither server runs on the host.
options:
  direction:
    description: Which way the leases go.
    type: str
    required: true
    choices: [isc_to_kea, kea_to_isc]
  src:
    description: The lease file of the server that stopped (for Kea, the base path of its memfile CSV).
    type: path
    required: true
  dest:
    description: The lease file of the server about to start.
    type: path
    required: true
  kea_config:
    description: The Kea DHCPv4 configuration file (JSON) whose subnet ids the leases take; needed for C(isc_to_kea).
    type: path
  failover_name:
    description: For C(kea_to_isc), the name of the dhcpd failover relationship of this host, if it has one.
    type: str
extends_documentation_fragment:
  - netboot.dhcp_failover.attributes.check_no_diff
"""

EXAMPLES = r"""
- name: Carry dhcpd's leases to Kea, between stopping one and starting the other
  netboot.dhcp_failover.dhcp_lease_convert:
    direction: isc_to_kea
    src: /var/lib/dhcp/dhcpd.leases
    dest: /var/lib/kea/kea-leases4.csv
    kea_config: /etc/kea/kea-dhcp4.conf
"""

RETURN = r"""
carried:
  description: How many leases were written to O(dest).
  type: int
  returned: always
skipped:
  description: The leases of O(src) that no client holds, counted by their state (C(ended) for an active lease whose end passed).
  type: dict
  returned: always
outside:
  description: For C(isc_to_kea), the addresses of leases in no subnet of the Kea configuration (not carried).
  type: list
  elements: str
  returned: always
"""

import grp
import os
import pwd
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import _read
from ansible_collections.netboot.dhcp_failover.plugins.module_utils.lease_convert import (
    held, kea_subnets, read_isc, read_kea, read_kea_config, write_isc, write_kea)


def _convert(p, now):
    """(text to write, carried, skipped, outside)."""
    if p["direction"] == "isc_to_kea":
        subnets = kea_subnets(read_kea_config(_read(p["kea_config"]) or "{}"))
        leases, skipped = held(read_isc(_read(p["src"])), now)
        text, outside = write_kea(leases, subnets)
        return text, len(leases) - len(outside), skipped, outside
    texts = [_read(p["src"] + suffix) for suffix in (".2", ".1", "")]
    leases, skipped = held(read_kea(texts), now)
    return write_isc(leases, now, p["failover_name"]), len(leases), skipped, []


def _owner_of(dest):
    """The owner and group of the lease file's folder: the packages give it to
    the user the server runs as (Kea's _kea or kea, EL's dhcpd)."""
    st = os.stat(os.path.dirname(dest) or ".")
    return st.st_uid, st.st_gid, 0o644


def main():
    module = AnsibleModule(
        argument_spec=dict(
            direction=dict(type="str", required=True, choices=["isc_to_kea", "kea_to_isc"]),
            src=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            kea_config=dict(type="path"),
            failover_name=dict(type="str"),
        ),
        required_if=[("direction", "isc_to_kea", ("kea_config",))],
        supports_check_mode=True,
    )
    p = module.params
    try:
        text, carried, skipped, outside = _convert(p, int(time.time()))
    except (OSError, ValueError, KeyError) as exc:
        if module.check_mode:
            # A check run before the configuration is written: the leases would be carried.
            module.exit_json(changed=True, carried=0, skipped={}, outside=[], msg="not counted in check mode: %s" % exc)
        module.fail_json(msg="could not read %s: %s" % (p["src"] if p["direction"] == "kea_to_isc" else p["src"] + " or " + p["kea_config"], exc))
    result = dict(changed=True, carried=carried, skipped=skipped, outside=outside)
    if module.check_mode:
        module.exit_json(**result)
    uid, gid, mode = _owner_of(p["dest"])
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(p["dest"]), prefix=".netboot-leases-")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    if os.path.exists(p["dest"]):
        os.replace(p["dest"], p["dest"] + ".before-switch")
    # Kea reads the rows its lease file cleanup left in FILE.2 and FILE.1 before
    # FILE: rows of an earlier time on Kea would come back over these.
    for suffix in (".2", ".1") if p["direction"] == "isc_to_kea" else ():
        if os.path.exists(p["dest"] + suffix):
            os.replace(p["dest"] + suffix, p["dest"] + ".before-switch" + suffix)
    module.atomic_move(tmp, p["dest"])
    # The server that starts next writes to it (Kea runs as its own user): its owner, as before.
    os.chown(p["dest"], uid, gid)
    os.chmod(p["dest"], mode)
    result["owner"] = pwd.getpwuid(uid).pw_name if uid in [u.pw_uid for u in pwd.getpwall()] else uid
    result["group"] = grp.getgrgid(gid).gr_name if gid in [g.gr_gid for g in grp.getgrall()] else gid
    module.exit_json(**result)


if __name__ == "__main__":
    main()
