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

from ._dhcpd_checker import NAME_RE as _NAME_RE, did_you_mean
from ._dhcpd_cross import Spans
from ._dhcpd_results import DDNS_STYLES, KEY_ALGORITHMS, NO_SCOPE, SCOPE_KEYS, Ddns, DdnsKey, DdnsZone, HostReservation, PlainHosts, Scope
from ._dhcpd_scope import read_address_setting, read_scope
from ._dhcpd_sections import global_boot
from ._dhcpd_types import IPV4_RE, is_domain

_HOST_KEYS = ("name", "mac", "address", "next_server", "boot_file") + SCOPE_KEYS
_OMAPI_KEYS = ("port", "key_name", "key_secret", "algorithm")
_DDNS_KEYS = ("style", "updates", "update_static_leases", "domain_name", "rev_domain_name", "keys", "zones")
_SIMPLE_HOST_KEYS = frozenset(("name", "mac", "address"))
_get_name, _get_mac, _get_address = (operator.methodcaller("get", key) for key in ("name", "mac", "address"))

_MAC_RE = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
# Many names, MACs or addresses joined by newlines, each valid (bulk checks).
_NAMES_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}(?:\n[A-Za-z0-9][A-Za-z0-9_.-]{0,62})*")
_MACS_RE = re.compile(r"(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?:\n(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2})*")
_ADDRS_RE = re.compile(r"%s(?:\n%s)*" % (IPV4_RE.pattern.strip("^$"), IPV4_RE.pattern.strip("^$")))
_SECRET_RE = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")


def read_hosts(ctx, raw, subnets):
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
        item = c.mapping(item, path, _HOST_KEYS, required=("name", "mac"))
        if item is None:
            continue
        name = c.name(item.get("name"), path + ".name", "host name") if item.get("name") else None
        mac = item.get("mac")
        if mac is not None:
            if not isinstance(mac, str) or not _MAC_RE.match(mac):
                c.add(path + ".mac", "%r is not a MAC address like 52:54:00:31:f2:7f" % (mac,))
                mac = None
            else:
                mac = mac.lower().replace("-", ":")
        address = literal = None
        if item.get("address") is not None:
            address = c.address(item.get("address"), path + ".address")
            literal = ctx.literal(address)
            if address is not None and literal is None:
                unchecked.append(address[1])
            if literal is not None:
                _check_reserved(c, path, literal, networks, ranges)
        _check_unique(c, path, name, mac, literal if literal is not None else (address[1] if address else None), names, macs, addrs)
        next_server = None
        if item.get("next_server") not in (None, ""):
            next_server = read_address_setting(ctx, item.get("next_server"), path + ".next_server")
        boot_file = c.text(item.get("boot_file"), path + ".boot_file") if item.get("boot_file") is not None else None
        if boot_file is not None and next_server is None and item.get("next_server") in (None, ""):
            gboot = global_boot(ctx)
            if gboot is not None and gboot.next_server is not None:
                next_server = gboot.next_server
            else:
                c.add(
                    path + ".boot_file",
                    "a boot file needs a next-server, or the client asks 0.0.0.0 for it: set next_server on this host, or dhcpd_pxe.next_server",
                )
        scope = Scope()
        if not item.keys().isdisjoint(SCOPE_KEYS):
            scope, dummy = read_scope(ctx, item, path, None)
        if scope.boot is not None:
            c.add(path + ".pxe", "a host takes next_server and boot_file directly, not a pxe: mapping")
        if name and mac:
            out.append(HostReservation(path, name, mac, address, next_server, boot_file, scope))
    if unchecked:
        c.warn(
            "dhcpd_hosts",
            "could not check that %s lie in a subnet and outside every pool: DNS names that are not inventory hosts with an address (dhcpd resolves"
            " them once, at start-up)"
            % ", ".join(sorted(set(unchecked))),
        )
    return out


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


def read_omapi(c, raw):
    if raw in (None, {}):
        return None
    path = "dhcpd_omapi"
    raw = c.mapping(raw, path, _OMAPI_KEYS, required=("key_name", "key_secret"))
    if raw is None:
        return None
    port = c.integer(raw.get("port"), path + ".port", 1, 65535, default=7911)
    name = c.name(raw.get("key_name"), path + ".key_name", "key name") if raw.get("key_name") else None
    secret = raw.get("key_secret")
    if secret is not None and (not isinstance(secret, str) or not _SECRET_RE.fullmatch(secret)):
        c.add(path + ".key_secret", "must be a base64 secret (for example from: openssl rand -base64 32)")
        secret = None
    algorithm = c.choice(raw.get("algorithm"), path + ".algorithm", KEY_ALGORITHMS, "hmac-sha256")
    if not (name and secret):
        return None
    return {"port": port, "key_name": name, "key_secret": secret, "algorithm": algorithm}


def read_ddns(ctx, raw):
    c = ctx.c
    if raw in (None, {}):
        return None
    path = "dhcpd_ddns"
    raw = c.mapping(raw, path, _DDNS_KEYS, required=("style",))
    if raw is None:
        return None
    style = c.choice(raw.get("style"), path + ".style", DDNS_STYLES, "none")
    updates = c.boolean(raw.get("updates"), path + ".updates", None)
    usl = c.boolean(raw.get("update_static_leases"), path + ".update_static_leases", None)
    names = {}
    for key in ("domain_name", "rev_domain_name"):
        if raw.get(key) is not None:
            value = raw.get(key)
            if not is_domain(value):
                c.add("%s.%s" % (path, key), "%r is not a domain name" % (value,))
            else:
                names[key] = value
    keys, key_names = [], set()
    for i, kraw in enumerate(c.sequence(raw.get("keys"), path + ".keys")):
        kpath = "%s.keys[%d]" % (path, i)
        kraw = c.mapping(kraw, kpath, ("name", "algorithm", "secret"), required=("name", "secret"))
        if kraw is None:
            continue
        name = c.name(kraw.get("name"), kpath + ".name", "key name") if kraw.get("name") else None
        algorithm = c.choice(kraw.get("algorithm"), kpath + ".algorithm", KEY_ALGORITHMS, "hmac-sha256")
        secret = kraw.get("secret")
        if secret is not None and (not isinstance(secret, str) or not _SECRET_RE.fullmatch(secret)):
            c.add(kpath + ".secret", "must be a base64 TSIG secret (for example from: tsig-keygen NAME, or openssl rand -base64 32)")
            secret = None
        if name in key_names:
            c.add(kpath + ".name", "key %r is declared twice" % name)
        if name and secret:
            key_names.add(name)
            keys.append(DdnsKey(name, algorithm, secret))
    zones, zone_names = [], set()
    for i, zraw in enumerate(c.sequence(raw.get("zones"), path + ".zones")):
        zpath = "%s.zones[%d]" % (path, i)
        zraw = c.mapping(zraw, zpath, ("name", "primary", "secondary", "key"), required=("name", "primary"))
        if zraw is None:
            continue
        zname = zraw.get("name")
        if not is_domain(zname):
            c.add(zpath + ".name", "%r is not a zone name such as example.com or 7.4.10.in-addr.arpa" % (zname,))
            zname = None
        else:
            zname = zname.rstrip(".") + "."
            if zname in zone_names:
                c.add(zpath + ".name", "zone %s is declared twice" % zname)
            zone_names.add(zname)
        primary = c.address(zraw.get("primary"), zpath + ".primary") if zraw.get("primary") else None
        secondary = c.address(zraw.get("secondary"), zpath + ".secondary") if zraw.get("secondary") else None
        key = zraw.get("key")
        if key is not None and key not in key_names:
            c.add(zpath + ".key", "key %r is not in dhcpd_ddns.keys%s" % (key, did_you_mean(key, key_names)))
            key = None
        if zname and primary:
            zones.append(DdnsZone(zname, primary, secondary, key))
    if style == "none" and (updates or zones or keys):
        c.add(path + ".style", "DDNS settings are given but style is none: set style: interim (or standard)")
    if style != "none" and not names.get("domain_name") and not zones:
        c.warn(path, "no domain_name and no zones: dhcpd updates DNS only for names it can place in a zone")
    return Ddns(style, updates, usl, names.get("domain_name"), names.get("rev_domain_name"), keys, zones)
