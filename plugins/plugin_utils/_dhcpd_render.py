# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write one peer's dhcpd.conf from a checked network description.

``render_config(variables, role, hosts)`` is the whole public surface:
it checks the description (``_dhcpd_model.parse_model``) and returns the
text of dhcpd.conf for the primary, the secondary or a standalone server.
Both peers get the same failover pools, classes and reservations; the
statements dhcpd allows on the primary only (mclt, split, hba) and the
primary-only PXE pool appear on the primary only. Output is deterministic.
"""

from __future__ import annotations

from ._dhcpd_model import (
    ARCHES,
    HTTP_ARCHES,
    HTTP_CLASS,
    PEER_ROLES,
    PXE_CLASS,
    ModelError,
    parse_model,
)

IND = "    "


def render_config(variables, role, hosts=None):
    """Return dhcpd.conf text for ``role`` (primary, secondary, standalone)."""
    if role not in PEER_ROLES:
        raise ModelError([("role", "must be one of %s, got %r" % (", ".join(PEER_ROLES), role))])
    model = parse_model(variables, hosts)
    if role != "standalone" and model.failover is None:
        raise ModelError([("dhcpd_failover", "role %s needs a failover relationship: set dhcpd_failover, or render with role standalone" % role)])
    return _Writer(model, role).text()


class _Writer:
    def __init__(self, model, role):
        self.m = model
        self.role = role
        self.fo = model.failover if role != "standalone" else None
        self.lines = []

    def out(self, depth=0, text=""):
        self.lines.append((IND * depth + text) if text else "")

    def text(self):
        m = self.m
        fo = self.fo
        if fo:
            self.out(0, "# ISC DHCP 4.4 %s peer of failover relationship \"%s\"" % (self.role, fo.name))
            self.out(0, "# (primary %s at %s, secondary %s at %s)" % (fo.primary.host, fo.primary.address, fo.secondary.host, fo.secondary.address))
        else:
            self.out(0, "# ISC DHCP 4.4 standalone server")
        self.out(0, "# Rendered by netboot.dhcp_failover.dhcpd_config; edit the inventory, not this file.")
        self.out()
        if m.authoritative:
            self.out(0, "authoritative;")
        self.out(0, "ddns-update-style none;")
        for key, value in m.statements:
            self.out(0, "%s %s;" % (key, value))
        self._options(0, m.options)
        if m.omapi:
            self.out()
            self.out(0, 'key "%s" {' % m.omapi["key_name"])
            self.out(1, "algorithm %s;" % m.omapi["algorithm"])
            self.out(1, 'secret "%s";' % m.omapi["key_secret"])
            self.out(0, "}")
            self.out(0, "omapi-port %d;" % m.omapi["port"])
            self.out(0, "omapi-key %s;" % m.omapi["key_name"])
        if fo:
            self._failover()
        self._classes()
        for sn in m.shared_networks:
            self.out()
            if sn.name:
                self.out(0, 'shared-network "%s" {' % sn.name)
                self._options(1, sn.options)
                for sub in sn.subnets:
                    self._subnet(1, sub)
                self.out(0, "}")
            else:
                for sub in sn.subnets:
                    self._subnet(0, sub)
        if m.hosts:
            self.out()
            self.out(0, "# Reservations, identical on both peers.")
            for h in m.hosts:
                self.out(0, "host %s {" % h.name)
                self.out(1, "hardware ethernet %s;" % h.mac)
                if h.address:
                    self.out(1, "fixed-address %s;" % h.address)
                for key, value in h.statements:
                    self.out(1, "%s %s;" % (key, value))
                self._options(1, h.options)
                self.out(0, "}")
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def _options(self, depth, options):
        for name, value in options:
            self.out(depth, "option %s %s;" % (name, value))

    def _failover(self):
        fo = self.fo
        me, peer = (fo.primary, fo.secondary) if self.role == "primary" else (fo.secondary, fo.primary)
        self.out()
        self.out(0, 'failover peer "%s" {' % fo.name)
        self.out(1, "%s;" % self.role)
        self.out(1, "address %s;" % me.address)
        self.out(1, "port %d;" % me.port)
        self.out(1, "peer address %s;" % peer.address)
        self.out(1, "peer port %d;" % peer.port)
        self.out(1, "max-response-delay %d;" % fo.max_response_delay)
        self.out(1, "max-unacked-updates %d;" % fo.max_unacked_updates)
        self.out(1, "load balance max seconds %d;" % fo.load_balance_max_seconds)
        if self.role == "primary":
            # dhcpd.conf(5): mclt and split/hba on the primary only.
            self.out(1, "mclt %d;" % fo.mclt)
            if fo.split is not None:
                self.out(1, "split %d;" % fo.split)
            else:
                self.out(1, "hba %s;" % fo.hba)
        if fo.auto_partner_down:
            self.out(1, "auto-partner-down %d;" % fo.auto_partner_down)
        for key, value in fo.tuning:
            self.out(1, "%s %d;" % (key, value))
        self.out(0, "}")

    def _serves_boot(self):
        """Does this peer hand out next-server and boot files?"""
        pxe = self.m.pxe
        if not pxe.enabled:
            return False
        return pxe.mode == "failover" or self.role in ("primary", "standalone")

    def _classes(self):
        m = self.m
        pxe = m.pxe
        self.out()
        self.out(0, "# Network boot clients. Classes come before the pools that name them.")
        boot = self._serves_boot()
        self.out(0, 'class "%s" {' % PXE_CLASS)
        self.out(1, 'match if substring (option vendor-class-identifier, 0, 9) = "PXEClient";')
        if boot:
            self.out(1, "next-server %s;" % pxe.next_server)
            if pxe.lease_time:
                self.out(1, "default-lease-time %d;" % pxe.lease_time)
                self.out(1, "max-lease-time %d;" % pxe.lease_time)
            branches = []
            if pxe.ipxe_script:
                # iPXE also says PXEClient; its user class stops the chainload loop.
                branches.append(('exists user-class and option user-class = "iPXE"', pxe.ipxe_script))
            bios = None
            for key, codes, _desc in ARCHES:
                name = pxe.boot_files.get(key)
                if not name:
                    continue
                if key == "bios":
                    bios = name
                    continue
                cond = " or ".join("option pxe-system-type = %s" % _hex16(code) for code in codes)
                branches.append((cond, name))
            if bios:
                # Old BIOS ROMs may omit option 93: treat them as BIOS.
                branches.append(("not exists pxe-system-type or option pxe-system-type = 00:00", bios))
            for i, (cond, name) in enumerate(branches):
                self.out(1, "%s %s {" % ("if" if i == 0 else "} elsif", cond))
                self.out(2, 'filename "%s";' % name)
            if branches:
                self.out(1, "}")
        self.out(0, "}")
        self.out(0, 'class "%s" {' % HTTP_CLASS)
        self.out(1, 'match if substring (option vendor-class-identifier, 0, 10) = "HTTPClient";')
        http = [(codes, pxe.boot_files.get(key)) for key, codes, _ in HTTP_ARCHES if pxe.boot_files.get(key)]
        if boot and http:
            # EDK2 takes an offer as HTTP boot only if option 60 says HTTPClient.
            self.out(1, 'option vendor-class-identifier "HTTPClient";')
            for i, (codes, url) in enumerate(http):
                cond = " or ".join("option pxe-system-type = %s" % _hex16(code) for code in codes)
                self.out(1, "%s %s {" % ("if" if i == 0 else "} elsif", cond))
                self.out(2, 'filename "%s";' % url)
            self.out(1, "}")
        self.out(0, "}")
        for k in m.classes:
            self.out(0, 'class "%s" {' % k.name)
            self.out(1, "match if %s;" % k.match)
            for key, value in k.statements:
                self.out(1, "%s %s;" % (key, value))
            self._options(1, k.options)
            self.out(0, "}")

    def _subnet(self, depth, sub):
        net = sub.network
        self.out(depth, "subnet %s netmask %s {" % (net.network_address, net.netmask))
        self._options(depth + 1, sub.options)
        for key, value in sub.statements:
            self.out(depth + 1, "%s %s;" % (key, value))
        # PXE pool first, as in the user's working configuration (order does
        # not decide which pool a client lands in; the permits do).
        pools = sorted(sub.pools, key=lambda p: 0 if p.pxe else 1)
        for pool in pools:
            if not pool.failover and self.fo is not None and pool.served_by != self.role:
                self.out(depth + 1, "# %s: served by the %s only" % (pool.path, pool.served_by))
                continue
            self._pool(depth + 1, pool)
        self.out(depth, "}")

    def _pool(self, depth, pool):
        self.out(depth, "pool {  # %s" % pool.path)
        for a, b in pool.ranges:
            # A dynamic-bootp range before the peer statement would pass -t,
            # but BOOTP leases never expire and failover cannot share them.
            if pool.bootp and not (pool.failover and self.fo):
                self.out(depth + 1, "range dynamic-bootp %s %s;" % (a, b))
            else:
                self.out(depth + 1, "range %s %s;" % (a, b))
        if pool.failover and self.fo:
            self.out(depth + 1, 'failover peer "%s";' % self.fo.name)
            self.out(depth + 1, "deny dynamic bootp clients;")
        permits_allow = [p[2] for p in pool.allow]
        permits_deny = [p[2] for p in pool.deny]
        for text in permits_allow:
            self.out(depth + 1, "allow %s;" % text)
        for text in permits_deny:
            self.out(depth + 1, "deny %s;" % text)
        for key, value in pool.statements:
            self.out(depth + 1, "%s %s;" % (key, value))
        self._options(depth + 1, pool.options)
        self.out(depth, "}")


def _hex16(code):
    return "%02x:%02x" % (code >> 8, code & 0xFF)
