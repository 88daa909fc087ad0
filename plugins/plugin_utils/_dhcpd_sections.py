# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Readers of the failover relationship, network boot, classes, shared networks, subnets and pools.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
import re

from ._boot_rules import DEFAULT_BOOT_FILES
from ._dhcpd_checker import did_you_mean
from ._dhcpd_results import (
    BUILTIN_CLASSES,
    LEASE_KEYS,
    MAX_CLASSES,
    PERMIT_KINDS,
    PXE_MODES,
    SCOPE_KEYS,
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
from ._dhcpd_scope import check_boot_complete, read_boot, read_scope
from ._dhcpd_types import read_value

_PEER_KEYS = ("host", "address", "port")
_PRIMARY_ONLY = ("mclt", "split", "hba")
_SHARED_TIMERS = ("load_balance_max_seconds", "max_response_delay", "max_unacked_updates")
_FAILOVER_KEYS = (
    ("name", "primary", "secondary")
    + _PRIMARY_ONLY
    + _SHARED_TIMERS
    + (
        "auto_partner_down",
        "max_lease_misbalance",
        "max_lease_ownership",
        "min_balance",
        "max_balance",
    )
)
_POOL_KEYS = ("range", "ranges", "failover", "bootp", "allow", "deny", "served_by") + SCOPE_KEYS
_CLASS_KEYS = ("name", "match", "spawn_with", "subclasses", "kea_test") + SCOPE_KEYS
_SUBCLASS_KEYS = ("match_value", "options", "statements") + LEASE_KEYS
_PXE_KEYS = ("enabled", "mode", "next_server", "boot_files", "ipxe_script", "lease_time", "concurrent_clients", "clients")
_HBA_RE = re.compile(r"^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$")
_MEMBERS_RE = re.compile(r'^members of "([^"\\;{}]+)"$')
_AFTER_RE = re.compile(r"^after ([0-9] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})$")


def read_failover(ctx, raw):
    c = ctx.c
    if raw in (None, {}):
        return None
    path = "dhcpd_failover"
    raw = c.mapping(raw, path, _FAILOVER_KEYS, required=("name", "primary", "secondary", "mclt"))
    if raw is None:
        return None
    name = c.name(raw.get("name"), path + ".name", "failover relationship name") if raw.get("name") else None
    peers = {}
    for side in ("primary", "secondary"):
        spath = "%s.%s" % (path, side)
        praw = raw.get(side)
        if isinstance(praw, dict):
            for key in _PRIMARY_ONLY:
                if key in praw:
                    c.add(
                        "%s.%s" % (spath, key),
                        "mclt, split and hba are set once in dhcpd_failover (not per peer); "
                        "the collection writes them on the primary only, as dhcpd requires: move %s up to dhcpd_failover.%s" % (key, key),
                    )
            for key in _SHARED_TIMERS:
                if key in praw:
                    c.add("%s.%s" % (spath, key), "set %s once in dhcpd_failover; both peers are given the same value" % key)
            praw = {k: v for k, v in praw.items() if k not in _PRIMARY_ONLY + _SHARED_TIMERS}
        praw = c.mapping(praw, spath, _PEER_KEYS, required=("host", "address")) if praw is not None else None
        if praw is None:
            continue
        host = praw.get("host")
        if host is not None and not isinstance(host, str):
            c.add(spath + ".host", "must be an inventory hostname (a string)")
            host = None
        if host and ctx.have_hosts and host not in ctx.hosts:
            c.add(
                spath + ".host",
                "%r is not a host in the inventory%s; name the inventory host that runs the %s dhcpd" % (host, did_you_mean(host, ctx.hosts), side),
            )
        address = c.address(praw.get("address"), spath + ".address") if praw.get("address") else None
        port = c.integer(praw.get("port"), spath + ".port", 1, 65535, default=647)
        if address is not None and host:
            peers[side] = Peer(host=host, address=address, port=port)
    if len(peers) == 2:
        p, s = peers["primary"], peers["secondary"]
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
    mclt = c.integer(raw.get("mclt"), path + ".mclt", 1, 2**32 - 1)
    split, hba = raw.get("split"), raw.get("hba")
    if split is not None and hba is not None:
        c.add(path + ".split", "set exactly one of split and hba, not both (dhcpd.conf(5)); split 128 shares the clients evenly")
    elif split is None and hba is None:
        c.add(path + ".split", "the primary needs split (0-256) or hba: add split: 128 to share the clients evenly")
    if split is not None:
        split = c.integer(split, path + ".split", 0, 256)
    if hba is not None and (not isinstance(hba, str) or not _HBA_RE.match(hba)):
        c.add(path + ".hba", "must be 32 colon-separated hex bytes (a 256-bit bitmap); split is simpler")
        hba = None
    mrd = c.integer(raw.get("max_response_delay"), path + ".max_response_delay", 1, 3600, default=30)
    muu = c.integer(raw.get("max_unacked_updates"), path + ".max_unacked_updates", 1, 65535, default=10)
    lbms = c.integer(raw.get("load_balance_max_seconds"), path + ".load_balance_max_seconds", 0, 255, default=3)
    if lbms is not None and not 3 <= lbms <= 5:
        c.add(
            path + ".load_balance_max_seconds",
            "must be between 3 and 5 (got %s): at 0 both peers answer every client and "
            "load balancing is off; above 5 a peer waits too long to help a client its partner ignores" % lbms,
        )
    # None when not given: dhcpd's default (never on its own); Kea keeps its
    # own default then (take over on its own), and follows an explicit 0.
    apd = c.integer(raw.get("auto_partner_down"), path + ".auto_partner_down", 0, 2**31 - 1)
    tuning, values = [], {}
    for key in ("max_lease_misbalance", "max_lease_ownership", "min_balance", "max_balance"):
        if raw.get(key) is not None:
            n = c.integer(raw.get(key), "%s.%s" % (path, key), 0, 2**31 - 1)
            if n is not None:
                values[key] = n
                tuning.append((key.replace("_", "-"), n))
    own, mis = values.get("max_lease_ownership", 10), values.get("max_lease_misbalance", 15)
    if ("max_lease_ownership" in values or "max_lease_misbalance" in values) and not own < mis:
        c.add(path + ".max_lease_ownership", "must be lower than max_lease_misbalance (%s >= %s); defaults are 10 and 15" % (own, mis))
    if values.get("min_balance", 60) > values.get("max_balance", 3600):
        c.add(path + ".min_balance", "must not exceed max_balance")
    if name is None or len(peers) != 2 or mclt is None or (split is None and hba is None):
        return None
    return Failover(name, peers["primary"], peers["secondary"], mclt, split, hba, mrd, muu, lbms if lbms is not None else 3, apd, tuning)


def read_pxe(ctx, raw):
    c = ctx.c
    path = "dhcpd_pxe"
    off = Pxe(False, "failover", Boot(None, {}, "pxe", None), None, 4)
    if raw in (None, {}):
        return off
    raw = c.mapping(raw, path, _PXE_KEYS)
    if raw is None:
        return off
    enabled = c.boolean(raw.get("enabled"), path + ".enabled", True)
    mode = c.choice(raw.get("mode"), path + ".mode", PXE_MODES, "failover")
    boot = read_boot(ctx, raw, path, None, _PXE_KEYS, defaults=DEFAULT_BOOT_FILES)
    if enabled:
        check_boot_complete(c, boot, path)
    lease = c.integer(raw.get("lease_time"), path + ".lease_time", 30, 2**31 - 1)
    conc = c.integer(raw.get("concurrent_clients"), path + ".concurrent_clients", 1, 100000, default=4)
    return Pxe(enabled, mode, boot, lease, conc)


def global_boot(ctx):
    return ctx.pxe.boot if ctx.pxe and ctx.pxe.enabled else None


def read_classes(ctx, raw):
    c = ctx.c
    out, seen = [], set()
    for i, item in enumerate(c.sequence(raw, "dhcpd_classes")):
        path = "dhcpd_classes[%d]" % i
        item = c.mapping(item, path, _CLASS_KEYS, required=("name",))
        if item is None:
            continue
        name = item.get("name")
        if name in BUILTIN_CLASSES:
            c.add(path + ".name", "class %r is declared by the collection itself (PXE handling); pick another name" % name)
            continue
        name = c.name(name, path + ".name", "class name") if name else None
        match = None
        if item.get("match") is not None:
            match = c.line(item.get("match"), path + ".match", 'dhcpd match expression, for example: option user-class = "lab",')
            if match and match.startswith("match if "):
                match = match[len("match if ") :]
        spawn = c.line(item.get("spawn_with"), path + ".spawn_with", "data expression") if item.get("spawn_with") is not None else None
        kea_test = c.line(item.get("kea_test"), path + ".kea_test", "Kea test expression") if item.get("kea_test") is not None else None
        subclasses = []
        for j, sraw in enumerate(c.sequence(item.get("subclasses"), path + ".subclasses")):
            spath = "%s.subclasses[%d]" % (path, j)
            sraw = c.mapping(sraw, spath, _SUBCLASS_KEYS, required=("match_value",))
            if sraw is None or sraw.get("match_value") in (None, ""):
                continue
            try:
                value = read_value(("atom", "string", 0, False), sraw["match_value"])
            except ValueError as exc:
                c.add(spath + ".match_value", str(exc))
                continue
            sscope, dummy = read_scope(ctx, {k: v for k, v in sraw.items() if k != "match_value"}, spath, None)
            subclasses.append(Subclass(value, sscope))
        if item.get("subclasses") is not None and match is None and item.get("match") is None:
            c.add(
                path + ".match",
                "a class with subclasses needs match: the data expression the subclass values are compared with, "
                "for example: hardware, or substring (option vendor-class-identifier, 0, 9)",
            )
        if match is None and spawn is None and item.get("subclasses") is None and item.get("match") is None:
            c.add(path + ".match", "is required: a boolean expression (match if ...), or spawn_with, or subclasses with match")
        if spawn is not None and item.get("subclasses") is not None:
            c.add(path + ".spawn_with", "use spawn_with or subclasses, not both: spawned subclasses are made by dhcpd itself")
        if name in seen:
            c.add(path + ".name", "class %r is declared twice" % name)
        scope, dummy = read_scope(ctx, item, path, global_boot(ctx))
        if name:
            seen.add(name)
            out.append(ClientClass(path, name, match, spawn, subclasses, scope, kea_test))
    if len(out) + len(BUILTIN_CLASSES) > MAX_CLASSES:
        c.warn(
            "dhcpd_classes",
            "%d classes are declared next to the collection's two PXE classes: dhcpd applies at most %d matching classes "
            "to one client and logs 'too many classes match' past that, so make sure no client matches more than %d of them"
            % (len(out), MAX_CLASSES, MAX_CLASSES - len(BUILTIN_CLASSES)),
        )
    return out


def read_shared_network(ctx, raw, path):
    c = ctx.c
    raw = c.mapping(raw, path, ("name", "subnets") + SCOPE_KEYS, required=("name", "subnets"))
    if raw is None:
        return None
    name = c.name(raw.get("name"), path + ".name", "shared-network name") if raw.get("name") else None
    scope, boot = read_scope(ctx, raw, path, global_boot(ctx))
    subs = []
    for j, rs in enumerate(c.sequence(raw.get("subnets"), path + ".subnets")):
        sub = read_subnet(ctx, rs, "%s.subnets[%d]" % (path, j), boot)
        if sub:
            subs.append(sub)
    return SharedNetwork(path, name, scope, subs)


def read_subnet(ctx, raw, path, inherited_boot):
    c = ctx.c
    raw = c.mapping(raw, path, ("network", "pools") + SCOPE_KEYS, required=("network",))
    if raw is None or not raw.get("network"):
        return None
    try:
        network = ipaddress.IPv4Network(str(raw["network"]), strict=True)
    except ValueError as exc:
        hint = ""
        try:
            hint = " (did you mean %s?)" % ipaddress.IPv4Network(str(raw["network"]), strict=False)
        except ValueError:
            pass
        c.add(path + ".network", "%r is not an IPv4 network in CIDR form like 10.4.0.0/16: %s%s" % (raw["network"], exc, hint))
        return None
    if inherited_boot is None:
        inherited_boot = global_boot(ctx)
    scope, boot = read_scope(ctx, raw, path, inherited_boot)
    sub = Subnet(path, network, scope, [])
    for i, praw in enumerate(c.sequence(raw.get("pools"), path + ".pools")):
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


def read_pool(ctx, raw, path, network, inherited_boot):
    c, failover, pxe = ctx.c, ctx.failover, ctx.pxe
    raw = c.mapping(raw, path, _POOL_KEYS)
    if raw is None:
        return None
    specs = []
    if raw.get("range") is not None:
        specs.append((raw["range"], path + ".range"))
    for i, r in enumerate(c.sequence(raw.get("ranges"), path + ".ranges")):
        specs.append((r, "%s.ranges[%d]" % (path, i)))
    if not specs:
        c.add(path + ".range", "a pool needs an address range (dhcpd: 'Pool declaration with no address range'): add range: 'FIRST LAST'")
    ranges = []
    for value, rpath in specs:
        rng = _read_range(c, value, rpath)
        if rng is None:
            continue
        if rng[0] not in network or rng[1] not in network:
            c.add(
                rpath, "%s - %s is not inside the subnet %s: move the range into the subnet or fix the subnet's network" % (rng[0], rng[1], network)
            )
            continue
        if network.prefixlen < 31 and (rng[0] == network.network_address or rng[1] == network.broadcast_address):
            c.add(
                rpath,
                "%s - %s includes the network or broadcast address of %s: start at %s and end at %s at the widest"
                % (rng[0], rng[1], network, network.network_address + 1, network.broadcast_address - 1),
            )
            continue
        ranges.append(rng)
    # pxe: true marks the primary-only PXE pool; a pxe: mapping sets boot files.
    is_pxe = False
    if not isinstance(raw.get("pxe"), dict):
        is_pxe = c.boolean(raw.get("pxe"), path + ".pxe", False)
        raw = {k: v for k, v in raw.items() if k != "pxe"}
    fo = c.boolean(raw.get("failover"), path + ".failover", failover is not None and not is_pxe)
    bootp = c.boolean(raw.get("bootp"), path + ".bootp", False)
    if raw.get("failover") and failover is None:
        c.add(path + ".failover", "the pool asks for failover but dhcpd_failover is not set: define the failover relationship or set failover: false")
    if is_pxe and fo:
        c.add(
            path + ".pxe",
            "a PXE-only pool is served by one peer outside failover: set failover: false on it (in dhcpd_pxe.mode failover, PXE clients use the"
            " failover pools and need no pool of their own)",
        )
    if is_pxe and pxe.mode != "primary_only":
        c.add(
            path + ".pxe",
            "a PXE-only pool is used only with dhcpd_pxe.mode: primary_only; in the default mode PXE clients are served from the failover pools by"
            " both peers: remove pxe: true (or set the mode)",
        )
    if bootp and fo and failover is not None:
        c.add(
            path + ".bootp",
            "dynamic BOOTP is not allowed in a failover pool (dhcpd: 'dynamic-bootp flag is not permitted for address range declarations where there"
            " is a failover peer in scope'): put BOOTP clients in a pool with failover: false",
        )
    served_by = raw.get("served_by", "primary")
    if served_by not in ("primary", "secondary"):
        c.add(
            path + ".served_by",
            "must be primary or secondary (a non-failover pool is served by one peer only, or both peers would hand out the same addresses)",
        )
        served_by = "primary"
    if raw.get("served_by") is not None and fo:
        c.add(path + ".served_by", "only pools with failover: false are served by one peer; failover pools are on both")
    class_names = {k.name for k in ctx.classes} | set(BUILTIN_CLASSES)
    allow = _read_permits(c, raw.get("allow"), path + ".allow", class_names)
    deny = _read_permits(c, raw.get("deny"), path + ".deny", class_names)
    if pxe.enabled and pxe.mode == "primary_only":
        # Pools are not exclusive of each other (dhcp.c): the PXE pool must
        # allow the boot classes and every other pool must deny them.
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
    scope, dummy = read_scope(ctx, raw, path, inherited_boot, where="pool")
    if not specs:
        return None
    return Pool(path, ranges, bool(fo and failover is not None), is_pxe, bootp, allow, deny, served_by, scope)


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
