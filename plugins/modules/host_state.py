#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_state
short_description: Read in one round trip what a converge must know of a host (files, services, clock)
version_added: 1.2.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Returns, for each of O(paths), whether it exists, its SHA-1 checksum and size (files), the free space
    of its file system (directories), mode, owner and group;
    for each of O(services), its systemd C(ActiveState) and C(UnitFileState); the host's clock; and the
    interface of its IPv4 default route.
  - All services are read with one C(systemctl show); only a unit that systemd generated from a SysV
    init script (Debian's C(isc-dhcp-server)) is asked again with C(systemctl is-enabled), which
    answers for those through the distribution's C(systemd-sysv-install).
  - The roles of this collection compare this with what they would write, and skip every task of a
    host that already matches, so that a converge that changes nothing costs one round trip per host
    instead of one per task.
  - Only reads; never changes anything, also outside check mode.
options:
  paths:
    description: Files or directories to describe.
    type: list
    elements: path
    default: []
  services:
    description: systemd units to describe (a name without a suffix means C(NAME.service)).
    type: list
    elements: str
    default: []
  facts:
    description:
      - Also gather, in the same run, the facts the collection's roles need, with Ansible's own fact
        collectors (as M(ansible.builtin.setup) with C(gather_subset=!all,!min,distribution,platform,selinux,pkg_mgr,service_mgr)),
        and return them as host facts. Spares a separate setup round trip.
    type: bool
    default: false
    version_added: 1.4.0
  versions:
    description:
      - Programs to ask for their version, each run as C(PROGRAM -v) when it exists (as Kea's daemons
        print theirs). A program that is missing or fails gives an empty string.
    type: list
    elements: path
    default: []
    version_added: 1.5.0
extends_documentation_fragment:
  - netboot.dhcp_failover.attributes.check_no_diff
"""

EXAMPLES = r"""
- name: Read the managed files and the service in one go
  netboot.dhcp_failover.host_state:
    paths:
      - /etc/dhcp/dhcpd.conf
      - /usr/sbin/dhcpd
    services:
      - isc-dhcp-server
  register: state
"""

RETURN = r"""
now:
  description: The host's clock, seconds since the epoch.
  type: float
  returned: always
files:
  description:
    - Path to C(exists), C(type) (C(file), C(directory), C(other)), C(sha1) and C(size) in bytes (files
      only), C(free) (directories only; bytes still free to an unprivileged writer on its file system,
      since 1.6.0), C(mode) (four octal digits), C(owner) and C(group).
  type: dict
  returned: always
  sample: {"/etc/dhcp/dhcpd.conf": {"exists": true, "type": "file", "sha1": "3f78...", "size": 2048, "mode": "0644", "owner": "root", "group": "root"}}
services:
  description:
    - Unit name to C(active) and C(enabled), what C(systemctl is-active) and C(systemctl is-enabled) print
      (C(is-enabled) also answers for SysV init scripts); empty strings without systemd.
    - C(enabled) is C(not-found) for a unit that does not exist, as Debian 13's systemctl prints it (Debian 12's
      prints nothing).
    - C(active) is C(exited) for a unit that is active with none of its processes left (SubState
      C(exited)), as the unit systemd generates from an init script stays once the daemon it started
      has died; C(systemctl start) does nothing for it, C(restart) starts the daemon again.
  type: dict
  returned: always
  sample: {"isc-dhcp-server": {"active": "active", "enabled": "enabled"}}
default_interface:
  description:
    - The interface of the IPv4 default route with the lowest metric (from C(/proc/net/route)), or an
      empty string when there is none. The roles listen there unless told otherwise; reading it here
      spares gathering the network facts.
  type: str
  returned: always
  sample: eth0
  version_added: 1.4.0
addresses:
  description:
    - Interface to its IPv4 addresses as C(ADDRESS/PREFIX) (from C(ip -o -4 addr show)); empty when C(ip) is
      missing. The pre-flight checks the failover address and the declared subnets against them.
  type: dict
  returned: always
  sample: {"eth0": ["10.4.7.9/16"]}
  version_added: 1.6.0
versions:
  description: Program to the first line that C(PROGRAM -v) printed, or an empty string.
  type: dict
  returned: always
  sample: {"/usr/sbin/kea-dhcp4": "2.2.0"}
  version_added: 1.5.0
ansible_facts:
  description: With O(facts), the distribution, platform, SELinux, package manager and service manager facts.
  type: dict
  returned: when O(facts) is true
  version_added: 1.4.0
"""

import grp
import hashlib
import os
import pwd
import stat
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.facts import ansible_collector, default_collectors
from ansible.module_utils.facts.namespace import PrefixFactNamespace

# The fact groups the roles read (every role gathers them through this module).
FACT_SUBSET = ["!all", "!min", "distribution", "platform", "selinux", "pkg_mgr", "service_mgr"]


def describe(path):
    try:
        st = os.stat(path)
    except OSError:
        return {"exists": False}
    out = {"exists": True, "mode": "%04o" % stat.S_IMODE(st.st_mode)}
    try:
        out["owner"] = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        out["owner"] = str(st.st_uid)
    try:
        out["group"] = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        out["group"] = str(st.st_gid)
    if stat.S_ISREG(st.st_mode):
        out["type"] = "file"
        out["size"] = st.st_size
        digest = hashlib.sha1()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 16), b""):
                digest.update(block)
        out["sha1"] = digest.hexdigest()
    elif stat.S_ISDIR(st.st_mode):
        out["type"] = "directory"
        out["free"] = free_bytes(path)
    else:
        out["type"] = "other"
    return out


def free_bytes(path):
    """Bytes an unprivileged writer may still use on the file system of path
    (f_bavail: dhcpd drops to its own user on the Red Hat family)."""
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def services_state(module, names):
    out = {name: {"active": "", "enabled": ""} for name in names}
    systemctl = module.get_bin_path("systemctl")
    if not names or not systemctl:
        return out
    # One call for all units: systemctl show prints one block per unit, in
    # the order asked, also for a unit that does not exist (not-found).
    rc, text, dummy = module.run_command(
        [systemctl, "show", "--property=LoadState,ActiveState,SubState,UnitFileState", "--"] + list(names))
    blocks = text.strip().split("\n\n") if rc == 0 else []
    if len(blocks) != len(names):
        # No systemd running (a container without it, a chroot): empty states.
        return out
    for name, block in zip(names, blocks):
        props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        state = out[name]
        state["active"] = props.get("ActiveState", "")
        if state["active"] == "active" and props.get("SubState") == "exited":
            state["active"] = "exited"
        state["enabled"] = props.get("UnitFileState", "")
        if props.get("LoadState") == "not-found":
            # As systemctl is-enabled prints it on Debian 13 (systemd 257);
            # Debian 12's (252) prints nothing for a unit that does not exist.
            state["enabled"] = "not-found"
        elif state["enabled"] == "generated" or (state["enabled"] == "" and props.get("LoadState") == "loaded"):
            # A SysV script: is-enabled asks the distribution's own tool.
            dummy, text, dummy = module.run_command([systemctl, "is-enabled", "--", name])
            lines = text.strip().splitlines()
            state["enabled"] = lines[-1].strip() if lines else ""
    return out


def default_interface(table="/proc/net/route"):
    """The interface of the IPv4 default route with the lowest metric, or ''."""
    best = None
    try:
        with open(table) as fh:
            rows = [line.split() for line in fh.readlines()[1:]]
    except OSError:
        return ""
    for row in rows:
        # Iface Destination Gateway Flags RefCnt Use Metric Mask ...; flag 1 = up.
        if len(row) >= 8 and row[1] == "00000000" and row[7] == "00000000" and int(row[3], 16) & 1:
            if best is None or int(row[6]) < best[0]:
                best = (int(row[6]), row[0])
    return best[1] if best else ""


def addresses(module):
    """Interface -> its IPv4 ADDRESS/PREFIX list, as ip -o -4 addr show prints them."""
    ip = module.get_bin_path("ip")
    out = {}
    if not ip:
        return out
    rc, text, dummy = module.run_command([ip, "-o", "-4", "addr", "show"])
    if rc != 0:
        return out
    for line in text.splitlines():
        # "2: eth0    inet 10.4.7.9/16 brd 10.4.255.255 scope global eth0 ..."
        words = line.split()
        if len(words) >= 4 and words[2] == "inet":
            out.setdefault(words[1].split("@")[0], []).append(words[3])
    return out


def versions(module, programs):
    """PROGRAM -v's first line for each program that exists, else ''."""
    out = {}
    for program in programs:
        out[program] = ""
        if os.path.isfile(program) and os.access(program, os.X_OK):
            rc, text, dummy = module.run_command([program, "-v"])
            lines = text.strip().splitlines()
            out[program] = lines[0].strip() if rc == 0 and lines else ""
    return out


def gather_facts(module):
    collector = ansible_collector.get_ansible_collector(
        all_collector_classes=default_collectors.collectors,
        namespace=PrefixFactNamespace(namespace_name="ansible", prefix="ansible_"),
        filter_spec=[], gather_subset=FACT_SUBSET, gather_timeout=10, minimal_gather_subset=frozenset())
    facts = collector.collect(module=module)
    # Not a full gather: leave Ansible's "facts were gathered" mark unset, so
    # that a later play with gather_facts still gathers everything.
    facts.pop("module_setup", None)
    return facts


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", default=[]),
            services=dict(type="list", elements="str", default=[]),
            facts=dict(type="bool", default=False),
            versions=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    files = {path: describe(path) for path in module.params["paths"]}
    extra = {"ansible_facts": gather_facts(module)} if module.params["facts"] else {}
    module.exit_json(changed=False, now=time.time(), files=files, services=services_state(module, module.params["services"]),
                     default_interface=default_interface(), addresses=addresses(module), versions=versions(module, module.params["versions"]), **extra)


if __name__ == "__main__":
    main()
