# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the kea backend refuses, and warns about, in a model: worked out in
full before anything of a Kea configuration is written (_kea_render.py then
only writes). Each refusal names the variable path and the reason; nothing
is left out without a word.

The writer asks the same questions through the functions here (an
option's refusal, a pool's client class, an address), so the two cannot
disagree.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
from typing import Any, List, Mapping, Optional, Tuple

from . import _kea_ddns, _kea_map
from ._kea_optdefs import KeaDefinitions
from ._kea_expr import KEA_REFUSED, Untranslatable, translate_match
from ._model import BUILTIN_CLASSES, SELF

Problem = Tuple[str, str]
REFUSED = "has no Kea equivalent for the kea backend: %s"
# A pool's one permit as Kea's class (None: the member class itself).
PERMIT_CLASSES = {
    ("allow", "members"): None,
    ("allow", "known"): "KNOWN",
    ("allow", "unknown"): "UNKNOWN",
    ("deny", "unknown"): "KNOWN",
    ("deny", "known"): "UNKNOWN",
}


def resolve(atom: Any, hosts: Mapping[str, Any], me: Any = None,
            where: str = "HA peer URLs and next-server alike") -> Tuple[Optional[str], Optional[str]]:
    """(IPv4 address, None) for an address of the model, or (None, why not):
    Kea takes no DNS names, so names resolve through the inventory's hosts;
    ``self`` is the peer ``me``; ``where`` names the settings that take only
    addresses, for the message."""
    if atom == SELF:
        atom = me.address if me else None
        if atom is None:
            return None, "next_server: self needs a failover relationship (each peer names itself)"
    if atom[0] == "ip":
        return atom[1], None
    try:
        return str(ipaddress.IPv4Address(str(hosts.get(atom[1], "")).strip())), None
    except ValueError:
        return None, ("%s is a DNS name; Kea takes only IPv4 addresses here (%s): "
                      "give the address, or make it an inventory host with ansible_host" % (atom[1], where))


def option_name(opt: Any) -> str:
    return opt.name if opt.space == "dhcp" else "%s.%s" % (opt.space, opt.name)


def option_refusal(opt: Any, spaces: Any = ()) -> Optional[str]:
    """Why Kea cannot take this option setting, or None (``spaces``: the
    option spaces dhcpd_option_definitions declares, which Kea gets too)."""
    if opt.space != "dhcp" and opt.space not in spaces:
        return "options of the %s space are not translated; Kea defines its own spaces" % opt.space
    if opt.value[0] == "expr":
        return "a dhcpd expression as an option value (Kea's flex_option hook is not configured by the collection)"
    return KEA_REFUSED.get(opt.name)


def pool_permits(model: Any, pool: Any) -> List[Tuple[str, Any]]:
    """A pool's permits as Kea sees them: in mode primary_only without the
    ones the model adds (PXE clients to the PXE pool only, BOOTP there),
    which the mode's warning covers."""
    permits = [("allow", p) for p in pool.allow] + [("deny", p) for p in pool.deny]
    if model.pxe.enabled and model.pxe.mode == "primary_only":
        permits = [(v, p) for v, p in permits if not ((p.kind == "members" and p.value in BUILTIN_CLASSES) or p.kind == "bootp")]
    return permits


def permit_class(model: Any, pool: Any) -> Tuple[Optional[str], Optional[Problem]]:
    """(the Kea class a pool's permit becomes, or None; the refusal, or None).
    The collection's own classes come back as PXE_CLASS and HTTP_CLASS."""
    permits = pool_permits(model, pool)
    if not permits:
        return None, None
    if len(permits) > 1:
        return None, (pool.path + ".allow", "a Kea pool takes one client class; this pool has %d permits" % len(permits))
    verb, p = permits[0]
    if (verb, p.kind) not in PERMIT_CLASSES:
        return None, ("%s.%s" % (pool.path, verb), "the permit %s %s has no Kea class" % (verb, p.kind))
    if p.kind == "members":
        return p.value, None
    return PERMIT_CLASSES[(verb, p.kind)], None


def boot_key(boot: Any, hosts: Mapping[str, Any], me: Any) -> Any:
    """Boot settings that give the same boot classes have the same key (the
    writer makes one set of classes per key: _kea_render.boot_set)."""
    if boot is None:
        return None
    next_server = resolve(boot.next_server, hosts, me)[0] if boot.next_server else None
    return (tuple(sorted(boot.files.items())), next_server, boot.clients, boot.ipxe_script)


class KeaChecks:
    """Every refusal and warning of one server's configuration (``role``;
    ``part`` dhcp4 or ctrl_agent), collected by ``run()``."""

    def __init__(self, model: Any, settings: Mapping[str, Any], hosts: Mapping[str, Any], role: str, part: str = "dhcp4") -> None:
        self.m, self.s, self.hosts, self.part = model, settings, hosts, part
        self.fo = model.failover if role != "standalone" else None
        self.me = (self.fo.primary if role == "primary" else self.fo.secondary) if self.fo else None
        self.role = role
        self.problems: List[Problem] = []
        self.warnings: List[str] = []

    def refuse(self, path: str, why: str) -> None:
        self.problems.append((path, REFUSED % why))

    def address(self, atom: Any, path: str, me: Any = None) -> None:
        dummy, why = resolve(atom, self.hosts, me)
        if why:
            self.problems.append((path, why))

    def run(self) -> Tuple[List[Problem], List[str]]:
        if self.part == "ctrl_agent":
            if self.fo:
                self.address(self.me.address, "dhcpd_failover.%s.address" % self.role)
            return self.problems, self.warnings
        m = self.m
        self.check_global()
        self.scope(m.scope, "dhcpd", "dhcpd_statements", "global")
        for k in m.classes:
            self.user_class(k)
        default_boot = m.pxe.boot if m.pxe.enabled else None
        for sn in m.shared_networks:
            for sub in sn.subnets:
                self.subnet(sub, sn.scope.boot or default_boot)
            if sn.name:
                self.scope(sn.scope, sn.path, sn.path + ".statements", "shared_network")
        for h in m.hosts:
            if not h.address:
                self.reservation(h)
        self.hooks()
        return self.problems, self.warnings

    # -- the parts ----------------------------------------------------------------
    def keys(self, at: str, obj: Any, path: str, statements_path: str = "") -> None:
        """The keys of _kea_map.py set on ``obj`` (found at ``at``): refused, or checked."""
        for where, why in _kea_map.refusals(at, obj, path, statements_path):
            self.refuse(where, why)
        _kea_map.check(at, self, obj, path, statements_path)

    def scope(self, scope: Any, path: str, statements_path: str, kind: str) -> None:
        """The keys of _kea_map.py in a scope of ``kind``, options Kea cannot take."""
        self.keys("scope:" + kind, scope, path, statements_path)
        for opt in scope.options:
            why = option_refusal(opt, self.m.vocab.spaces)
            if why:
                self.refuse("%s.options.%s" % (path, option_name(opt)), why)

    def check_global(self) -> None:
        m, fo = self.m, self.fo
        self.keys("dhcpd", m, "dhcpd")
        ddns_problems, ddns_warnings = _kea_ddns.refusals(m, lambda atom: resolve(atom, self.hosts, where=_kea_ddns.SERVERS))
        for path, why in ddns_problems:
            self.refuse(path, why)
        self.warnings.extend(ddns_warnings)
        for path, why in KeaDefinitions(m.vocab.definitions).refusals:
            self.refuse(path, why)
        if m.omapi:
            self.warnings.append("dhcpd_omapi: not used by Kea, which is controlled through its control socket")
        if fo and m.pxe.enabled and m.pxe.mode == "primary_only":
            self.warnings.append(
                "dhcpd_pxe.mode: primary_only works around dhcpd failover; a Kea pair boots clients from both servers, so the PXE pool "
                "is one more shared pool there%s"
                % (" (split between the servers, so not kept for PXE clients only)" if self.s["mode"] == "load-balancing" else "")
            )
        if fo:
            self.split_settings(fo)

    def split_settings(self, fo: Any) -> None:
        """dhcpd's split and hba against Kea's modes."""
        if self.s["mode"] != "load-balancing":
            return
        if fo.split is not None and fo.split != 128:
            if fo.split in (0, 255, 256):
                self.problems.append(
                    ("dhcpd_failover.split",
                     "split %d gives every client to one peer; with Kea that is hot-standby mode: set the kea mode to hot-standby" % fo.split)
                )
            else:
                self.warnings.append("dhcpd_failover.split: Kea load balancing always splits clients 50/50; split %d is not kept" % fo.split)
        if fo.hba is not None:
            self.warnings.append("dhcpd_failover.hba: Kea load balancing always splits clients 50/50 by a hash; hba is not kept")

    def user_class(self, k: Any) -> None:
        self.keys("class", k, k.path)
        if k.kea_test is None and k.match is not None and not k.subclasses:
            try:
                translate_match(k.match)
            except Untranslatable as exc:
                self.problems.append(
                    (k.path + ".match",
                     "the kea backend cannot translate %r (%s): give the class kea_test, its test in Kea's expression language" % (k.match, exc))
                )
        self.scope(k.scope, k.path, k.path + ".statements", "class")
        if k.scope.boot is not None:
            self.boot(k.scope.boot, k.path + ".pxe")

    def boot(self, boot: Any, path: str) -> None:
        if boot is not None and boot.next_server:
            self.address(boot.next_server, path + ".next_server", self.me)

    def subnet(self, sub: Any, outer_boot: Any) -> None:
        self.scope(sub.scope, sub.path, sub.path + ".statements", "subnet")
        sub_boot = sub.scope.boot or outer_boot
        pool_boots = set()
        for pool in sub.pools:
            boot = pool.scope.boot or sub_boot
            self.boot(boot, pool.path + ".pxe" if pool.scope.boot else sub.path + ".pxe")
            pool_boots.add(boot_key(boot, self.hosts, self.me))
            self.pool(pool)
        # In the writer's order: literal addresses first, then inventory names.
        reservations = [h for h in self.m.hosts if h.address and h.address[0] == "ip" and self._in(h, sub)]
        reservations += [h for h in self.m.hosts if h.address and h.address[0] == "host" and self._in(h, sub)]
        for h in reservations:
            self.reservation(h)
        inherit = [h for h in reservations if not h.boot_file]
        if inherit and sub_boot is not None:
            self.boot(sub_boot, sub.path + ".pxe")
            if pool_boots and pool_boots != {boot_key(sub_boot, self.hosts, self.me)}:
                self.problems.append(
                    (inherit[0].path,
                     "this reservation takes its boot files from %s, whose pools have boot settings of their own; Kea evaluates the "
                     "subnet's boot classes before a pool's and keeps the first boot file, so both cannot hold: give the host its own boot_file"
                     % sub.path)
                )

    def _in(self, h: Any, sub: Any) -> bool:
        if h.address[0] == "ip":
            return ipaddress.IPv4Address(h.address[1]) in sub.network
        try:
            return ipaddress.IPv4Address(str(self.hosts.get(h.address[1]))) in sub.network
        except ValueError:
            return False

    def pool(self, pool: Any) -> None:
        fo, path = self.fo, pool.path
        if fo and not pool.failover and not pool.pxe_only:
            self.warnings.append(
                "%s.failover: a Kea HA pair shares every pool (leases are synchronised), so this pool is served by both servers, not the %s only"
                % (path, pool.served_by)
            )
        self.scope(pool.scope, path, path + ".statements", "pool")
        cls, refusal = permit_class(self.m, pool)
        if refusal:
            self.refuse(*refusal)
        split = fo is not None and self.s["mode"] == "load-balancing"
        if split and cls and not pool.pxe_only:
            self.refuse(path + ".allow", "in load-balancing mode a pool's one client class is the HA class of its server (Kea %s)" % self.s["version"])
        if split:
            for a, b in pool.ranges:
                if int(b) - int(a) + 1 < 2:
                    self.problems.append(
                        (path + ".range", "%s - %s has one address; load balancing splits each range between the peers, so give it two or more" % (a, b))
                    )

    def reservation(self, h: Any) -> None:
        if h.address:
            self.address(h.address, h.path + ".address")
        if h.next_server:
            self.address(h.next_server, h.path + ".next_server", self.me)
        elif h.boot_file and self.m.pxe.enabled and self.m.pxe.boot and self.m.pxe.boot.next_server:
            self.address(self.m.pxe.boot.next_server, h.path + ".next_server", self.me)
        self.scope(h.scope, h.path, h.path + ".statements", "host")

    def hooks(self) -> None:
        fo, s = self.fo, self.s
        if not fo:
            return
        for peer_role, peer in (("primary", fo.primary), ("secondary", fo.secondary)):
            self.address(peer.address, "dhcpd_failover.%s.address" % peer_role)
        if s["heartbeat_delay"] is not None and s["heartbeat_delay"] >= fo.max_response_delay:
            self.problems.append(
                ("kea_ha_heartbeat_delay", "%d s: must be shorter than dhcpd_failover.max_response_delay (%d s), or a partner is declared "
                                           "down between two heartbeats" % (s["heartbeat_delay"], fo.max_response_delay))
            )


def kea_problems(model: Any, settings: Mapping[str, Any], hosts: Mapping[str, Any], role: str, part: str = "dhcp4") -> Tuple[List[Problem], List[str]]:
    """(problems, warnings) of one server's Kea configuration, before any is written."""
    return KeaChecks(model, settings, hosts or {}, role, part).run()
