# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Readers of the failover relationship, network boot, classes, shared networks, subnets and pools.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
import re

from typing import Any, List, Optional
from ._boot_rules import DEFAULT_BOOT_FILES
from ._model_checker import did_you_mean
from ._model_results import (
    Context,
    BUILTIN_CLASSES,
    MAX_CLASSES,
    PERMIT_KINDS,
    Boot,
    ClientClass,
    Failover,
    Peer,
    Permit,
    Pool,
    Pxe,
    SharedNetwork,
    Subclass,
    Subnet,
)
from ._model_schema import CLASS, FAILOVER, FAILOVER_PEER, POOL, PXE, SHARED_NETWORK, SUBCLASS, SUBNET, read_section
from ._model_scope import check_boot_complete, read_boot, read_scope
from ._model_types import read_value

_PRIMARY_ONLY = ("mclt", "split", "hba")
_SHARED_TIMERS = ("load_balance_max_seconds", "max_response_delay", "max_unacked_updates")
_HBA_RE = re.compile(r"^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$")
_MEMBERS_RE = re.compile(r'^members of "([^"\\;{}]+)"$')
_AFTER_RE = re.compile(r"^after ([0-9] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})$")


def read_failover(ctx: Context, raw: Any) -> Optional[Failover]:
    """dhcpd_failover (the FAILOVER section) -> Failover, or None (standalone or refused)."""
    if raw in (None, {}):
        return None
    c, path = ctx.c, "dhcpd_failover"
    v = read_section(c, raw, path, FAILOVER)
    if v is None:
        return None
    peers = {}
    for side in ("primary", "secondary"):
        peer = _read_peer(ctx, v[side], "%s.%s" % (path, side), side)
        if peer is not None:
            peers[side] = peer
    if len(peers) == 2:
        _check_peers_differ(ctx, path, peers["primary"], peers["secondary"])
    v["hba"] = _check_split_or_hba(c, path, v["split"], v["hba"])
    _check_load_balance_max_seconds(c, path, v["load_balance_max_seconds"])
    tuning = [(key.replace("_", "-"), v[key]) for key in _TUNING if v[key] is not None]
    _check_balance(c, path, v)
    if v["name"] is None or len(peers) != 2 or v["mclt"] is None or (v["split"] is None and v["hba"] is None):
        return None
    lbms = v["load_balance_max_seconds"]
    return Failover(v["name"], peers["primary"], peers["secondary"], v["mclt"], v["split"], v["hba"], v["max_response_delay"],
                    v["max_unacked_updates"], lbms if lbms is not None else 3, v["auto_partner_down"], tuning)


_TUNING = ("max_lease_misbalance", "max_lease_ownership", "min_balance", "max_balance")


def _read_peer(ctx, raw, path, side):
    """One side of the relationship (FAILOVER_PEER): a Peer, or None."""
    c = ctx.c
    if isinstance(raw, dict):
        for key in _PRIMARY_ONLY:
            if key in raw:
                c.add(
                    "%s.%s" % (path, key),
                    "mclt, split and hba are set once in dhcpd_failover (not per peer); "
                    "the collection writes them on the primary only, as dhcpd requires: move %s up to dhcpd_failover.%s" % (key, key),
                )
        for key in _SHARED_TIMERS:
            if key in raw:
                c.add("%s.%s" % (path, key), "set %s once in dhcpd_failover; both peers are given the same value" % key)
        raw = {k: v for k, v in raw.items() if k not in _PRIMARY_ONLY + _SHARED_TIMERS}
    v = read_section(c, raw, path, FAILOVER_PEER) if raw is not None else None
    if v is None:
        return None
    host = v["host"]
    if host is not None and not isinstance(host, str):
        c.add(path + ".host", "must be an inventory hostname (a string)")
        host = None
    if host and ctx.have_hosts and host not in ctx.hosts:
        c.add(
            path + ".host",
            "%r is not a host in the inventory%s; name the inventory host that runs the %s dhcpd" % (host, did_you_mean(host, ctx.hosts), side),
        )
    if v["address"] is None or not host:
        return None
    return Peer(host=host, address=v["address"], port=v["port"])


def _check_peers_differ(ctx, path, p, s):
    """Two hosts, two addresses (or a warning where a DNS name hides one)."""
    c = ctx.c
    if p.host == s.host:
        c.add(path + ".secondary.host", "the primary and the secondary must be different hosts (both are %r)" % p.host)
    pa, sa = ctx.literal(p.address), ctx.literal(s.address)
    if p.address == s.address or (pa is not None and pa == sa):
        c.add(path + ".secondary.address", "the primary and the secondary must have different addresses")
    elif pa is None or sa is None:
        c.warn(
            path,
            "could not check that the peers' addresses differ: %s is a DNS name that is not an inventory host with an address (dhcpd resolves it"
            " once, at start-up)" % (p.address[1] if pa is None else s.address[1]),
        )


def _check_split_or_hba(c, path, split, hba):
    """Exactly one of split and hba; an hba is a 256-bit bitmap. The hba kept, or None."""
    if split is not None and hba is not None:
        c.add(path + ".split", "set exactly one of split and hba, not both (dhcpd.conf(5)); split 128 shares the clients evenly")
    elif split is None and hba is None:
        c.add(path + ".split", "the primary needs split (0-256) or hba: add split: 128 to share the clients evenly")
    if hba is not None and (not isinstance(hba, str) or not _HBA_RE.match(hba)):
        c.add(path + ".hba", "must be 32 colon-separated hex bytes (a 256-bit bitmap); split is simpler")
        return None
    return hba


def _check_load_balance_max_seconds(c, path, lbms):
    if lbms is not None and not 3 <= lbms <= 5:
        c.add(
            path + ".load_balance_max_seconds",
            "must be between 3 and 5 (got %s): at 0 both peers answer every client and "
            "load balancing is off; above 5 a peer waits too long to help a client its partner ignores" % lbms,
        )


def _check_balance(c, path, v):
    """dhcpd's own orderings of the lease-balancing tunables (their defaults: 10, 15, 60, 3600)."""
    own = v["max_lease_ownership"] if v["max_lease_ownership"] is not None else 10
    mis = v["max_lease_misbalance"] if v["max_lease_misbalance"] is not None else 15
    if (v["max_lease_ownership"] is not None or v["max_lease_misbalance"] is not None) and own >= mis:
        c.add(path + ".max_lease_ownership", "must be lower than max_lease_misbalance (%s >= %s); defaults are 10 and 15" % (own, mis))
    low = v["min_balance"] if v["min_balance"] is not None else 60
    high = v["max_balance"] if v["max_balance"] is not None else 3600
    if low > high:
        c.add(path + ".min_balance", "must not exceed max_balance")


def read_pxe(ctx: Context, raw: Any) -> Pxe:
    c = ctx.c
    path = "dhcpd_pxe"
    off = Pxe(False, "failover", Boot(None, {}, "pxe", None), None, 4)
    if raw in (None, {}):
        return off
    v = read_section(c, raw, path, PXE)
    if v is None:
        return off
    boot = read_boot(ctx, raw, path, None, PXE.keys, defaults=DEFAULT_BOOT_FILES)
    if v["enabled"]:
        check_boot_complete(c, boot, path)
    return Pxe(v["enabled"], v["mode"], boot, v["lease_time"], v["concurrent_clients"])


def global_boot(ctx: Context) -> Optional[Boot]:
    return ctx.pxe.boot if ctx.pxe and ctx.pxe.enabled else None


def read_classes(ctx: Context, raw: Any) -> List[ClientClass]:
    """dhcpd_classes (CLASS sections) -> [ClientClass]."""
    c = ctx.c
    out, seen = [], set()
    for i, item in enumerate(c.sequence(raw, "dhcpd_classes")):
        k = _read_class(ctx, item, "dhcpd_classes[%d]" % i, seen)
        if k is not None:
            seen.add(k.name)
            out.append(k)
    if len(out) + len(BUILTIN_CLASSES) > MAX_CLASSES:
        c.warn(
            "dhcpd_classes",
            "%d classes are declared next to the collection's two PXE classes: dhcpd applies at most %d matching classes "
            "to one client and logs 'too many classes match' past that, so make sure no client matches more than %d of them"
            % (len(out), MAX_CLASSES, MAX_CLASSES - len(BUILTIN_CLASSES)),
        )
    return out


def _read_class(ctx, raw, path, seen):
    c = ctx.c
    v = read_section(c, raw, path, CLASS)
    if v is None:
        return None
    name = v["name"]
    if name in BUILTIN_CLASSES:
        c.add(path + ".name", "class %r is declared by the collection itself (PXE handling); pick another name" % name)
        return None
    name = c.name(name, path + ".name", "class name") if name else None
    match = None
    if v["match"] is not None:
        match = c.line(v["match"], path + ".match", 'dhcpd match expression, for example: option user-class = "lab",')
        if match and match.startswith("match if "):
            match = match[len("match if ") :]
    subclasses = []
    for j, sraw in enumerate(c.sequence(v["subclasses"], path + ".subclasses")):
        sub = _read_subclass(ctx, sraw, "%s.subclasses[%d]" % (path, j))
        if sub is not None:
            subclasses.append(sub)
    _check_class_matches(c, path, v)
    if name in seen:
        c.add(path + ".name", "class %r is declared twice" % name)
    scope, dummy = read_scope(ctx, v.raw, path, global_boot(ctx))
    return ClientClass(path, name, match, v["spawn_with"], subclasses, scope, v["kea_test"]) if name else None


def _read_subclass(ctx, raw, path):
    c = ctx.c
    v = read_section(c, raw, path, SUBCLASS)
    if v is None or v["match_value"] in (None, ""):
        return None
    try:
        value = read_value(("atom", "string", 0, False), v["match_value"])
    except ValueError as exc:
        c.add(path + ".match_value", str(exc))
        return None
    scope, dummy = read_scope(ctx, {k: x for k, x in v.raw.items() if k != "match_value"}, path, None)
    return Subclass(value, scope)


def _check_class_matches(c, path, v):
    """A class is matched one way: match, spawn_with, or subclasses with match."""
    given = {key for key in ("match", "spawn_with", "subclasses") if v[key] is not None}
    if "subclasses" in given and "match" not in given:
        c.add(
            path + ".match",
            "a class with subclasses needs match: the data expression the subclass values are compared with, "
            "for example: hardware, or substring (option vendor-class-identifier, 0, 9)",
        )
    if not given:
        c.add(path + ".match", "is required: a boolean expression (match if ...), or spawn_with, or subclasses with match")
    if given >= {"spawn_with", "subclasses"}:
        c.add(path + ".spawn_with", "use spawn_with or subclasses, not both: spawned subclasses are made by dhcpd itself")


def read_shared_network(ctx: Context, raw: Any, path: str) -> Optional[SharedNetwork]:
    c = ctx.c
    v = read_section(c, raw, path, SHARED_NETWORK)
    if v is None:
        return None
    name = v["name"]
    scope, boot = read_scope(ctx, v.raw, path, global_boot(ctx))
    subs = []
    for j, rs in enumerate(c.sequence(v["subnets"], path + ".subnets")):
        sub = read_subnet(ctx, rs, "%s.subnets[%d]" % (path, j), boot)
        if sub:
            subs.append(sub)
    return SharedNetwork(path, name, scope, subs)


def read_subnet(ctx: Context, raw: Any, path: str, inherited_boot: Optional[Boot]) -> Optional[Subnet]:
    c = ctx.c
    v = read_section(c, raw, path, SUBNET)
    if v is None or not v["network"]:
        return None
    try:
        network = ipaddress.IPv4Network(str(v["network"]), strict=True)
    except ValueError as exc:
        hint = ""
        try:
            hint = " (did you mean %s?)" % ipaddress.IPv4Network(str(v["network"]), strict=False)
        except ValueError:
            pass
        c.add(path + ".network", "%r is not an IPv4 network in CIDR form like 10.4.0.0/16: %s%s" % (v["network"], exc, hint))
        return None
    if inherited_boot is None:
        inherited_boot = global_boot(ctx)
    scope, boot = read_scope(ctx, v.raw, path, inherited_boot)
    sub = Subnet(path, network, scope, [])
    for i, praw in enumerate(c.sequence(v["pools"], path + ".pools")):
        pool = read_pool(ctx, praw, "%s.pools[%d]" % (path, i), network, boot)
        if pool:
            sub.pools.append(pool)
    return sub


def _read_range(c, value, path):
    """'a b', 'a-b', 'a - b' or [a, b] to (IPv4Address, IPv4Address)."""
    if isinstance(value, (list, tuple)):
        parts = list(value)
    elif isinstance(value, str):
        parts = value.replace(" - ", " ").replace("-", " ").split()
    else:
        parts = []
    if len(parts) != 2:
        c.add(path, "must be 'FIRST LAST' (two IPv4 addresses), got %r" % (value,))
        return None
    first, last = c.ip(parts[0], path), c.ip(parts[1], path)
    if first is None or last is None:
        return None
    if first > last:
        c.add(path, "starts after it ends (%s > %s): swap the two addresses" % (first, last))
        return None
    return (first, last)


def read_pool(ctx: Context, raw: Any, path: str, network: ipaddress.IPv4Network, inherited_boot: Optional[Boot]) -> Optional[Pool]:
    """A pool (the POOL section) of the subnet ``network`` -> Pool, or None."""
    c, failover = ctx.c, ctx.failover
    v = read_section(c, raw, path, POOL)
    if v is None:
        return None
    raw = v.raw
    specs = ([(v["range"], path + ".range")] if v["range"] is not None else []) + [
        (r, "%s.ranges[%d]" % (path, i)) for i, r in enumerate(c.sequence(v["ranges"], path + ".ranges"))]
    if not specs:
        c.add(path + ".range", "a pool needs an address range (dhcpd: 'Pool declaration with no address range'): add range: 'FIRST LAST'")
    ranges = []
    for value, rpath in specs:
        rng = _read_pool_range(c, value, rpath, network)
        if rng is not None:
            ranges.append(rng)
    # pxe: true marks the primary-only PXE pool; a pxe: mapping sets boot files.
    is_pxe = False
    if not isinstance(v["pxe"], dict):
        is_pxe = c.boolean(v["pxe"], path + ".pxe", False)
        raw = {k: x for k, x in raw.items() if k != "pxe"}
    fo = c.boolean(v["failover"], path + ".failover", failover is not None and not is_pxe)
    _check_pool_kind(ctx, path, dict(v, served_by=raw.get("served_by")), is_pxe, fo)
    class_names = {k.name for k in ctx.classes} | set(BUILTIN_CLASSES)
    allow = _read_permits(c, v["allow"], path + ".allow", class_names)
    deny = _read_permits(c, v["deny"], path + ".deny", class_names)
    if ctx.pxe.enabled and ctx.pxe.mode == "primary_only":
        _primary_only_permits(c, path, is_pxe, v["bootp"], allow, deny)
    scope, dummy = read_scope(ctx, raw, path, inherited_boot, where="pool")
    if not specs:
        return None
    return Pool(path, ranges, bool(fo and failover is not None), is_pxe, v["bootp"], allow, deny, v["served_by"], scope)


def _read_pool_range(c, value, path, network):
    """One range of a pool, inside its subnet and off its network and broadcast addresses."""
    rng = _read_range(c, value, path)
    if rng is None:
        return None
    if rng[0] not in network or rng[1] not in network:
        c.add(path, "%s - %s is not inside the subnet %s: move the range into the subnet or fix the subnet's network" % (rng[0], rng[1], network))
        return None
    if network.prefixlen < 31 and (rng[0] == network.network_address or rng[1] == network.broadcast_address):
        c.add(
            path,
            "%s - %s includes the network or broadcast address of %s: start at %s and end at %s at the widest"
            % (rng[0], rng[1], network, network.network_address + 1, network.broadcast_address - 1),
        )
        return None
    return rng


def _check_pool_kind(ctx, path, v, is_pxe, fo):
    """Failover, the PXE-only pool, BOOTP and served_by (as given): which go together."""
    c, failover = ctx.c, ctx.failover
    if v["failover"] and failover is None:
        c.add(path + ".failover", "the pool asks for failover but dhcpd_failover is not set: define the failover relationship or set failover: false")
    if is_pxe and fo:
        c.add(
            path + ".pxe",
            "a PXE-only pool is served by one peer outside failover: set failover: false on it (in dhcpd_pxe.mode failover, PXE clients use the"
            " failover pools and need no pool of their own)",
        )
    if is_pxe and ctx.pxe.mode != "primary_only":
        c.add(
            path + ".pxe",
            "a PXE-only pool is used only with dhcpd_pxe.mode: primary_only; in the default mode PXE clients are served from the failover pools by"
            " both peers: remove pxe: true (or set the mode)",
        )
    if v["bootp"] and fo and failover is not None:
        c.add(
            path + ".bootp",
            "dynamic BOOTP is not allowed in a failover pool (dhcpd: 'dynamic-bootp flag is not permitted for address range declarations where there"
            " is a failover peer in scope'): put BOOTP clients in a pool with failover: false",
        )
    if v["served_by"] is not None and fo:
        c.add(path + ".served_by", "only pools with failover: false are served by one peer; failover pools are on both")


def _primary_only_permits(c, path, is_pxe, bootp, allow, deny):
    """In dhcpd_pxe.mode primary_only the PXE pool admits the boot classes and
    every other pool denies them: pools are not exclusive of each other
    (dhcp.c), so the collection adds the permits."""
    for cls in BUILTIN_CLASSES:
        permit = Permit("members", cls)
        if is_pxe:
            if permit not in allow:
                allow.append(permit)
        elif permit in allow:
            c.add(
                path + ".allow",
                'in dhcpd_pxe.mode primary_only only the pool with pxe: true may admit members of "%s"; '
                "this pool must keep them out (the collection denies them here): remove the allow" % cls,
            )
        elif permit not in deny:
            deny.append(permit)
    if is_pxe and bootp and Permit("bootp") not in allow:
        allow.append(Permit("bootp"))


def _read_permits(c, raw, path, class_names):
    out = []
    for i, item in enumerate(c.sequence(raw, path)):
        ipath = "%s[%d]" % (path, i)
        if not isinstance(item, str):
            c.add(ipath, "must be a permit string such as 'members of \"lab\"' or 'unknown-clients'")
            continue
        text = " ".join(item.split())
        m = _MEMBERS_RE.match(text)
        after = _AFTER_RE.match(text)
        if m:
            if m.group(1) not in class_names:
                c.add(
                    ipath,
                    'class %r is not declared (dhcpd: \'no such class\'): add it to dhcpd_classes, or use the collection\'s classes "pxe"/"httpboot"'
                    % m.group(1),
                )
                continue
            out.append(Permit("members", m.group(1)))
        elif text in PERMIT_KINDS:
            out.append(Permit(PERMIT_KINDS[text]))
        elif after:
            out.append(Permit("after", after.group(1)))
        else:
            c.add(
                ipath,
                '%r is not a dhcpd permit; use one of: members of "CLASS", known-clients, unknown-clients, all clients, dynamic bootp clients,'
                " authenticated clients, unauthenticated clients, after DATE" % item,
            )
    return out
