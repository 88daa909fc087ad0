# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Readers of host reservations, the OMAPI key and dynamic DNS.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
import operator
import re
import socket
from bisect import bisect_right

from typing import Any, Dict, List, Optional, Union
from ._model_checker import NAME_RE as _NAME_RE, Checker, did_you_mean
from ._model_cross import Spans
from ._model_results import NO_SCOPE, SCOPE_KEYS, Context, Ddns, DdnsKey, DdnsZone, HostReservation, PlainHosts, Scope, Subnet
from ._model_schema import DDNS, DDNS_KEY, DDNS_ZONE, HOST, OMAPI, read_entries, read_section
from ._model_scope import read_address_setting, read_scope
from ._model_sections import global_boot
from ._model_types import IPV4_RE, is_domain

_SIMPLE_HOST_KEYS = frozenset(("name", "mac", "address"))
_get_name, _get_mac, _get_address = (operator.methodcaller("get", key) for key in ("name", "mac", "address"))

_MAC_RE = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
# Many names, MACs or addresses joined by newlines, each valid (bulk checks).
_NAMES_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}(?:\n[A-Za-z0-9][A-Za-z0-9_.-]{0,62})*")
_MACS_RE = re.compile(r"(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?:\n(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2})*")
_ADDRS_RE = re.compile(r"%s(?:\n%s)*" % (IPV4_RE.pattern.strip("^$"), IPV4_RE.pattern.strip("^$")))


def read_hosts(ctx: Context, raw: Any, subnets: List[Subnet]) -> Union[List[HostReservation], PlainHosts]:
    c = ctx.c
    out = []
    names, macs, addrs = {}, {}, {}
    ranges = Spans((int(a), int(b), p.path) for s in subnets for p in s.pools for a, b in p.ranges)
    networks = Spans((int(s.network.network_address), int(s.network.broadcast_address), s.path) for s in subnets)
    unchecked = []
    items = c.sequence(raw, "dhcpd_hosts")
    fast = _read_plain_hosts(items, networks, ranges)
    if fast is not None:
        return fast
    name_ok, mac_ok, ip_ok, simple = _NAME_RE.match, _MAC_RE.match, IPV4_RE.match, _SIMPLE_HOST_KEYS
    for i, item in enumerate(items):
        path = "dhcpd_hosts[%d]" % i
        # Most reservations are just name, MAC and an IPv4 address: checked
        # here directly (the same rules as below, in fewer steps).
        if isinstance(item, dict) and item.keys() <= simple:
            name, mac, addr = item.get("name"), item.get("mac"), item.get("address")
            if (
                isinstance(name, str) and name_ok(name) and isinstance(mac, str) and mac_ok(mac)
                and (addr is None or (isinstance(addr, str) and ip_ok(addr)))
            ):
                mac = mac.lower().replace("-", ":")
                address = literal = None
                if addr is not None:
                    address = ("ip", addr)
                    literal = int.from_bytes(socket.inet_aton(addr), "big")
                    if literal in addrs or networks.find(literal) is None or ranges.find(literal) is not None:
                        _check_reserved(c, path, literal, networks, ranges)
                        _check_unique(c, path, None, None, literal, names, macs, addrs)
                    else:
                        addrs[literal] = path
                if name in names or mac in macs:
                    _check_unique(c, path, name, mac, None, names, macs, addrs)
                else:
                    names[name] = macs[mac] = path
                out.append(HostReservation(path, name, mac, address, None, None, NO_SCOPE))
                continue
        host = _read_host(ctx, item, path, (names, macs, addrs), (networks, ranges), unchecked)
        if host is not None:
            out.append(host)
    if unchecked:
        c.warn(
            "dhcpd_hosts",
            "could not check that %s lie in a subnet and outside every pool: DNS names that are not inventory hosts with an address (dhcpd resolves"
            " them once, at start-up)"
            % ", ".join(sorted(set(unchecked))),
        )
    return out


def _read_host(ctx, raw, path, seen, spans, unchecked):
    """One reservation (the HOST section) -> HostReservation, or None. ``seen``
    holds the names, MACs and addresses used so far, ``spans`` the subnets and
    pools; a DNS name that could not be checked is added to ``unchecked``."""
    c = ctx.c
    v = read_section(c, raw, path, HOST)
    if v is None:
        return None
    mac = v["mac"]
    if mac is not None:
        if not isinstance(mac, str) or not _MAC_RE.match(mac):
            c.add(path + ".mac", "%r is not a MAC address like 52:54:00:31:f2:7f" % (mac,))
            mac = None
        else:
            mac = mac.lower().replace("-", ":")
    address, literal = v["address"], None
    if address is not None:
        literal = ctx.literal(address)
        if literal is None:
            unchecked.append(address[1])
        else:
            _check_reserved(c, path, literal, *spans)
    _check_unique(c, path, v["name"], mac, literal if literal is not None else (address[1] if address else None), *seen)
    next_server = _host_next_server(ctx, path, v)
    scope = Scope()
    if not v.raw.keys().isdisjoint(SCOPE_KEYS):
        scope, dummy = read_scope(ctx, v.raw, path, None)
    if scope.boot is not None:
        c.add(path + ".pxe", "a host takes next_server and boot_file directly, not a pxe: mapping")
    if not (v["name"] and mac):
        return None
    return HostReservation(path, v["name"], mac, address, next_server, v["boot_file"], scope)


def _host_next_server(ctx, path, v):
    """A host's next-server: its own, else dhcpd_pxe's where it has a boot file."""
    next_server = None
    if v["next_server"] not in (None, ""):
        next_server = read_address_setting(ctx, v["next_server"], path + ".next_server")
    elif v["boot_file"] is not None:
        gboot = global_boot(ctx)
        if gboot is not None and gboot.next_server is not None:
            next_server = gboot.next_server
        else:
            ctx.c.add(
                path + ".boot_file",
                "a boot file needs a next-server, or the client asks 0.0.0.0 for it: set next_server on this host, or dhcpd_pxe.next_server",
            )
    return next_server


def _read_plain_hosts(items, networks, ranges):
    """Reservations that all have only a name, a MAC and an IPv4 address, and
    break no rule, checked in bulk (the same rules as read_hosts); None when
    any of them needs a closer look, which read_hosts then gives each."""
    # map() keeps these loops in C: a large site has tens of thousands of items.
    if not (set(map(type, items)) <= {dict} and all(map(_SIMPLE_HOST_KEYS.issuperset, map(dict.keys, items)))):
        return None
    names = list(map(_get_name, items))
    macs = list(map(_get_mac, items))
    addrs = list(map(_get_address, items))
    given = [a for a in addrs if a is not None]
    if not (
        set(map(type, names)) <= {str}
        and set(map(type, macs)) <= {str}
        and set(map(type, given)) <= {str}
        and _all_match(_NAMES_RE, names)
        and _all_match(_MACS_RE, macs)
        and (not given or _all_match(_ADDRS_RE, given))
    ):
        return None
    macs = [m.lower().replace("-", ":") for m in macs]
    aton = socket.inet_aton
    literals = [int.from_bytes(aton(a), "big") for a in given]
    if len(set(names)) != len(names) or len(set(macs)) != len(macs) or len(set(literals)) != len(literals):
        return None
    # Each address in a subnet and in no pool (Spans.find, inlined).
    nstarts, nspans, rstarts, rspans = networks.starts, networks.spans, ranges.starts, ranges.spans
    for x in literals:
        i = bisect_right(nstarts, x) - 1
        if i < 0 or x > nspans[i][1]:
            return None
        i = bisect_right(rstarts, x) - 1
        if i >= 0 and x <= rspans[i][1]:
            return None
    return PlainHosts(names, macs, addrs)


def _all_match(pattern, values):
    """Every value matches (one regular-expression pass over them all)."""
    joined = "\n".join(values)
    return joined.count("\n") == len(values) - 1 and pattern.fullmatch(joined) is not None


def _check_reserved(c, path, literal, networks, ranges):
    """A reserved address lies in a declared subnet and outside every pool."""
    if networks.find(literal) is None:
        c.add(path + ".address", "%s is in none of the declared subnets: dhcpd would never hand it out" % ipaddress.IPv4Address(literal))
    span = ranges.find(literal)
    if span is not None:
        c.add(
            path + ".address",
            "%s lies inside the dynamic range of %s: a reservation must be outside every pool, or both peers may lease it to another"
            " client" % (ipaddress.IPv4Address(literal), span[2]),
        )


def _check_unique(c, path, name, mac, address, names, macs, addrs):
    """Name, MAC and address of a reservation are each used once."""
    for key, table, what, sub in ((name, names, "name", "name"), (mac, macs, "MAC address", "mac"), (address, addrs, "address", "address")):
        if key is None:
            continue
        if key in table:
            shown = ipaddress.IPv4Address(key) if isinstance(key, int) else key
            c.add(path + "." + sub, "the %s %s is already used by %s" % (what, shown, table[key]))
        else:
            table[key] = path


def read_omapi(c: Checker, raw: Any) -> Optional[Dict[str, Any]]:
    """dhcpd_omapi (the OMAPI section) -> its settings, or None."""
    if raw in (None, {}):
        return None
    v = read_section(c, raw, "dhcpd_omapi", OMAPI)
    if v is None or not (v["key_name"] and v["key_secret"]):
        return None
    return v


def read_ddns(ctx: Context, raw: Any) -> Optional[Ddns]:
    """dhcpd_ddns (the DDNS section, its keys and zones) -> Ddns, or None."""
    c = ctx.c
    if raw in (None, {}):
        return None
    path = "dhcpd_ddns"
    v = read_section(c, raw, path, DDNS)
    if v is None:
        return None
    keys = _read_ddns_keys(c, v["keys"], path + ".keys")
    zones = _read_ddns_zones(c, v["zones"], path + ".zones", {k.name for k in keys})
    style = v["style"]
    if style == "none" and (v["updates"] or zones or keys):
        c.add(path + ".style", "DDNS settings are given but style is none: set style: interim (or standard)")
    if style != "none" and not v["domain_name"] and not zones:
        c.warn(path, "no domain_name and no zones: dhcpd updates DNS only for names it can place in a zone")
    return Ddns(style, v["updates"], v["update_static_leases"], v["domain_name"], v["rev_domain_name"], keys, zones)


def _read_ddns_keys(c, raw, path):
    keys, names = [], set()
    for kpath, v in read_entries(c, raw, path, DDNS_KEY):
        if v["name"] in names:
            c.add(kpath + ".name", "key %r is declared twice" % v["name"])
        if v["name"] and v["secret"]:
            names.add(v["name"])
            keys.append(DdnsKey(v["name"], v["algorithm"], v["secret"]))
    return keys


def _read_ddns_zones(c, raw, path, key_names):
    zones, names = [], set()
    for zpath, v in read_entries(c, raw, path, DDNS_ZONE):
        zname = v["name"]
        if not is_domain(zname):
            c.add(zpath + ".name", "%r is not a zone name such as example.com or 7.4.10.in-addr.arpa" % (zname,))
            zname = None
        else:
            zname = zname.rstrip(".") + "."
            if zname in names:
                c.add(zpath + ".name", "zone %s is declared twice" % zname)
            names.add(zname)
        key = v["key"]
        if key is not None and key not in key_names:
            c.add(zpath + ".key", "key %r is not in dhcpd_ddns.keys%s" % (key, did_you_mean(key, key_names)))
            key = None
        if zname and v["primary"]:
            zones.append(DdnsZone(zname, v["primary"], v["secondary"], key))
    return zones
