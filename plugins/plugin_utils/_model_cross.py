# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks across the parts of a description: overlaps, and which pool serves whom.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import bisect

from typing import Any, Iterable, Iterator, List, Optional, Tuple
from ._boot_rules import HTTP_CLASS, PXE_CLASS
from ._model_checker import Checker
from ._model_results import KIND_BOOTP, KIND_DHCP, KIND_HTTP, KIND_PXE, ClientClass, Context, Failover, PlainHosts, Pool, Pxe, SharedNetwork, Subnet
from ._model_types import ipv4_int


def sweep_overlaps(spans: Iterable[Tuple[int, int, Any]]) -> Iterator[Tuple[Any, Any]]:
    """Yield (item, earlier) for each span that starts inside an earlier one.

    ``spans`` are (first, last, item) in sweep order (by first address); an
    overlap always shows against the span reaching furthest so far, so one
    pass after the sort finds them all: O(n log n) for thousands of spans.
    """
    reach, reach_item = -1, None
    for first, last, item in spans:
        if first <= reach:
            yield item, reach_item
        if last > reach:
            reach, reach_item = last, item


def check_networks(c: Checker, subnets: List[Subnet]) -> None:
    spans = sorted(
        ((int(s.network.network_address), int(s.network.broadcast_address), s) for s in subnets),
        key=lambda t: (t[0], -t[1]),
    )
    for sub, other in sweep_overlaps(spans):
        c.add(sub.path + ".network", "%s overlaps %s declared at %s: each address belongs to one subnet" % (sub.network, other.network, other.path))


class Spans:
    """Sorted, disjoint address spans with a bisect look-up."""

    def __init__(self, spans):
        self.spans = sorted(spans)
        self.starts = [s[0] for s in self.spans]

    def find(self, addr):
        i = bisect.bisect_right(self.starts, addr) - 1
        if i >= 0 and self.spans[i][0] <= addr <= self.spans[i][1]:
            return self.spans[i]
        return None


def check_ranges(c: Checker, subnets: List[Subnet]) -> None:
    spans = sorted((int(a), int(b), (pool.path, a, b)) for sub in subnets for pool in sub.pools for a, b in pool.ranges)
    for (path, first, last), (other_path, dummy, dummy) in sweep_overlaps(spans):
        c.add(
            path, "range %s - %s overlaps a range in %s (dhcpd: 'lease ... is declared twice!'): make the ranges disjoint" % (first, last, other_path)
        )


def check_failover_pools(c: Checker, failover: Optional[Failover], pools: List[Pool]) -> None:
    if failover is None:
        return
    if not any(p.failover for p in pools):
        c.add(
            "dhcpd_failover",
            "no pool refers to the failover peer (dhcpd: 'Failover peer %s has no referring pools'): give at least one pool failover: true, which is"
            " the default"
            % failover.name,
        )


def _admits(pool, kind, classes):
    """Can a client of this kind get an address from the pool?"""

    def matches(permit):
        what, name = permit.kind, permit.value
        if what == "all":
            return True
        if what == "bootp":
            return kind == KIND_BOOTP
        if what == "members":
            return _class_matches(name, kind, classes)
        return None  # depends on the client (known, unknown, after ...)

    if kind == KIND_BOOTP and not pool.bootp and not any(p.kind == "bootp" for p in pool.allow):
        return False
    for permit in pool.deny:
        if matches(permit) is True:
            return False
    if pool.allow:
        return any(matches(p) is not False for p in pool.allow)
    return True


def _class_matches(name, kind, classes):
    """True: every client of this kind is a member. False: none is. None: some may be."""
    if name == PXE_CLASS:
        return kind == KIND_PXE
    if name == HTTP_CLASS:
        return kind == KIND_HTTP
    for k in classes:
        if k.name == name:
            if k.match is None or k.spawn_with or k.subclasses:
                return None
            expr = " ".join(k.match.split()).lower()
            if expr in ("exists dhcp-message-type", "exists option dhcp-message-type"):
                # PXE ROMs send option 53 too: every DHCP client matches.
                return kind != KIND_BOOTP
            if '"pxeclient"' in expr:
                return kind == KIND_PXE
            return None
    return None


def check_pxe_reach(c: Checker, pxe: Pxe, subnets: List[Subnet], classes: List[ClientClass]) -> None:
    """Every pool must serve the clients it exists for, and PXE clients need a pool."""
    for sub in subnets:
        for pool in sub.pools:
            purpose = KIND_PXE if pool.pxe_only else (KIND_BOOTP if pool.bootp and not pool.failover else KIND_DHCP)
            if not _admits(pool, purpose, classes):
                culprit = ['members of "%s"' % p.value for p in pool.deny if p.kind == "members" and _class_matches(p.value, purpose, classes)]
                if culprit:
                    c.add(
                        pool.path + ".deny",
                        "%s denies %s, a class that all %s are members of (a PXE ROM sends DHCP message type 53 like any DHCP client), "
                        "so the pool serves none of the clients it exists for: remove that deny" % (pool.path, culprit[0], purpose),
                    )
                else:
                    c.add(pool.path + ".allow", "the permits leave this pool no %s, the clients it exists for: fix allow/deny" % purpose)
        if not pxe.enabled or not sub.pools:
            continue
        if pxe.mode == "failover":
            if not any(p.failover or not p.pxe_only for p in sub.pools if _admits(p, KIND_PXE, classes)):
                c.add(
                    sub.path + ".pools",
                    "no pool admits PXE clients, so they get 'no free leases' (or 'peer holds all free leases'): in dhcpd_pxe.mode failover, do not"
                    ' deny members of "pxe" in the failover pools',
                )
        else:
            pxe_pools = [p for p in sub.pools if p.pxe_only]
            if not pxe_pools:
                c.add(
                    sub.path + ".pools",
                    "dhcpd_pxe.mode is primary_only but this subnet has no pool with pxe: true and failover: false: add one, or use mode failover",
                )
            for p in pxe_pools:
                need = 3 * pxe.concurrent_clients
                if p.size() < need:
                    c.add(
                        p.path + ".range",
                        "the PXE pool holds %d address%s, but each booting client can hold up to 3 at once (firmware, iPXE or the boot loader, "
                        "and the installer each use their own client id, and every offer holds an address): for the %d clients "
                        "dhcpd_pxe.concurrent_clients expects, widen it to at least %d addresses or lower dhcpd_pxe.concurrent_clients"
                        % (p.size(), "" if p.size() == 1 else "es", pxe.concurrent_clients, need),
                    )
                if p.served_by != "primary":
                    c.add(p.path + ".served_by", "in mode primary_only the PXE pool is served by the primary")


def check_served(ctx: Context, shared: List[SharedNetwork], hosts: Any) -> None:
    """Warnings, at deploy time, for what serves no client: a subnet with
    neither a pool nor a reservation in it, and a shared network of one
    subnet. Neither stops a run: dhcpd needs a subnet declaration for each
    interface it listens on, served or not (dhcpd.conf(5), "The subnet
    statement"), and a shared network of one subnet is valid."""
    subnets = [sub for sn in shared for sub in sn.subnets]
    if isinstance(hosts, PlainHosts):
        addresses, unknown = [ipv4_int(a) for a in hosts.addrs if a], False
    else:
        addresses = [ctx.literal(h.address) for h in hosts if h.address]
        unknown = None in addresses
    spans = Spans((int(s.network.network_address), int(s.network.broadcast_address), i) for i, s in enumerate(subnets))
    reserved = set()
    for address in addresses:
        found = spans.find(address) if address is not None else None
        if found:
            reserved.add(found[2])
    for i, sub in enumerate(subnets):
        if not sub.pools and i not in reserved and not unknown:
            ctx.c.warn(sub.path, "%s has neither a pool nor a reservation, so it serves no client: right where it only declares"
                                 " the network of an interface dhcpd listens on; otherwise add a pool or a reservation, or remove it"
                       % sub.network)
    for sn in shared:
        if sn.name is not None and len(sn.subnets) == 1:
            ctx.c.warn(sn.path, "shared network %r holds one subnet, which is the same as that subnet alone: declare it in"
                                " dhcpd_subnets, or add the subnets that share its link" % sn.name)
