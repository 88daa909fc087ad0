# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``kea-dhcp4 -t`` does not check of an HA pair: both servers'
rendered configurations read side by side.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
import re

from ._kea_settings import HA_MODES


def _ha(conf):
    libs = conf.get("Dhcp4", {}).get("hooks-libraries", [])
    names = [str(lib.get("library", "")).rsplit("/", 1)[-1] for lib in libs]
    ha = None
    for lib in libs:
        if str(lib.get("library", "")).endswith("libdhcp_ha.so"):
            ha = (lib.get("parameters") or {}).get("high-availability", [None])[0]
    return names, ha


def _subnets(conf):
    d = conf.get("Dhcp4", {})
    out = list(d.get("subnet4", []))
    for sn in d.get("shared-networks", []):
        out.extend(sn.get("subnet4", []))
    return out


def _peer_url_problems(base, peers):
    problems = []
    for i, peer in enumerate(peers):
        url = str(peer.get("url", ""))
        m = re.match(r"^https?://([^/:]+)(:\d+)?/?$", url)
        try:
            ipaddress.ip_address(m.group(1) if m else "")
        except ValueError:
            problems.append(("%s.high-availability.peers[%d].url" % (base, i), "%r: the HA hook takes an IP address in a peer URL, not a host name" % url))
    return problems


def _pool_problems(tag, conf):
    """In load-balancing mode, every pool restricted to one server's HA class."""
    problems = []
    for sub in _subnets(conf):
        for j, pool in enumerate(sub.get("pools", [])):
            classes = pool.get("client-classes") or ([pool["client-class"]] if pool.get("client-class") else [])
            if not any(str(c).startswith(("HA_", "NETBOOT_HA_")) for c in classes):
                problems.append(
                    (
                        "%s:subnet %s.pools[%d]" % (tag, sub.get("subnet"), j),
                        "in load-balancing mode every pool must be restricted to one server's HA_<name> class, or both servers hand out its addresses",
                    )
                )
    return problems


def _server_problems(tag, conf, names, ha):
    """One server's HA hook: the lease commands beside it, itself among the
    peers, a mode, IP peer URLs, multi-threading as in the server."""
    base = "%s:Dhcp4.hooks-libraries" % tag
    problems = []
    if "libdhcp_lease_cmds.so" not in names:
        problems.append((base, "libdhcp_lease_cmds.so is missing: the HA hook needs it to send lease updates, and fails only at start"))
    peer_names = [p.get("name") for p in ha.get("peers") or []]
    if ha.get("this-server-name") not in peer_names:
        problems.append((base + ".high-availability.this-server-name", "%r is not one of the peers %s" % (ha.get("this-server-name"), peer_names)))
    if ha.get("mode") not in HA_MODES + ("passive-backup",):
        problems.append((base + ".high-availability.mode", "%r is not a Kea HA mode (load-balancing, hot-standby)" % ha.get("mode")))
    problems += _peer_url_problems(base, ha.get("peers") or [])
    core_mt = bool(conf["Dhcp4"].get("multi-threading", {}).get("enable-multi-threading", False))
    hook_mt = bool((ha.get("multi-threading") or {}).get("enable-multi-threading", False))
    if hook_mt and not core_mt:
        problems.append(
            (base + ".high-availability.multi-threading", "on in the hook but off in the server: Kea only logs it, and both servers then answer every client")
        )
    if ha.get("mode") == "load-balancing":
        problems += _pool_problems(tag, conf)
    return problems


def _between_problems(configs, a, b):
    """The two servers against each other: names, mode, peers, subnet ids."""
    problems = []
    if a.get("this-server-name") == b.get("this-server-name"):
        problems.append(("secondary:Dhcp4.hooks-libraries.high-availability.this-server-name", "both servers call themselves %r" % a.get("this-server-name")))
    for key in ("mode", "peers"):
        if a.get(key) != b.get(key):
            problems.append(("secondary:Dhcp4.hooks-libraries.high-availability.%s" % key, "differs from the primary's: both servers need the same %s" % key))
    ids = {tag: {s.get("subnet"): s.get("id") for s in _subnets(conf)} for tag, conf in configs}
    if ids["primary"] != ids["secondary"]:
        problems.append(
            ("secondary:Dhcp4.subnet4", "subnet ids differ from the primary's (%s vs %s): clients get offers but no acks" % (ids["primary"], ids["secondary"]))
        )
    return problems


def check_pair(first, second):
    """Problems of an HA pair that ``kea-dhcp4 -t`` accepts: [(path, message)], empty when none.

    ``first`` and ``second`` are the two servers' configurations (mappings with ``Dhcp4``).
    """
    problems = []
    configs = (("primary", first), ("secondary", second))
    has = {}
    for tag, conf in configs:
        names, ha = _ha(conf)
        if ha is None:
            problems.append(("%s:Dhcp4.hooks-libraries" % tag, "libdhcp_ha.so with a high-availability entry is missing"))
            continue
        problems += _server_problems(tag, conf, names, ha)
        has[tag] = ha
    if len(has) == 2:
        problems += _between_problems(configs, has["primary"], has["secondary"])
    return problems
