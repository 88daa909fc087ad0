# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write one peer's dhcpd.conf (and its secrets include) from a checked model.

Private to this collection; may change without notice.

``render_config(variables, role, hosts, part, secrets_path)`` is the whole
public surface: it checks the description (``_model.parse_model``)
and returns the text of dhcpd.conf (``part='config'``) or of the owner-only
file that holds the keys (``part='secrets'``) for the primary, the secondary
or a standalone server. This module owns every byte of dhcpd syntax: quoting,
permits, option values, statements. Both peers get the same failover pools,
classes and reservations; mclt, split and hba, the primary-only PXE pool and
(in primary_only mode) the boot settings appear on the primary only; with
``next_server: self`` each peer names itself. Output is deterministic.
"""

from __future__ import annotations

from ._boot_rules import HTTP_CLASS, IPXE_USER_CLASS, PXE_CLASS, VENDOR_HTTP, VENDOR_PXE, boot_rules
from ._model import NO_SCOPE, PEER_ROLES, PERMIT_WORDS, SELF, ModelError, PlainHosts, Spelling, describe, parse_keys, parse_model

IND = "    "
DEFAULT_SECRETS_PATH = "/etc/dhcp/dhcpd.secrets.conf"
PARTS = ("config", "secrets")


def render_config(variables, role, hosts=None, part="config", secrets_path=DEFAULT_SECRETS_PATH, warnings=None):
    """Return the text of ``part`` (config or secrets) for ``role`` (primary, secondary, standalone).

    ``role`` may be a list of roles: the description is then checked once and
    a mapping of each role to its text is returned (the roles render both
    peers' files from one parse this way).
    ``warnings``: a list that receives what could not be checked (not errors).
    The secrets part reads only the keys (dhcpd_omapi, dhcpd_ddns), for a
    description the config part has already checked.
    """
    roles = list(role) if isinstance(role, (list, tuple)) else [role]
    problems = []
    for one in roles:
        if one not in PEER_ROLES:
            problems.append(("role", "must be one of %s, got %r" % (", ".join(PEER_ROLES), one)))
    if not roles:
        problems.append(("role", "name at least one of %s" % ", ".join(PEER_ROLES)))
    if part not in PARTS:
        problems.append(("part", "must be one of %s, got %r" % (", ".join(PARTS), part)))
    if not isinstance(secrets_path, str) or not secrets_path.startswith("/") or '"' in secrets_path:
        problems.append(("secrets_path", "must be an absolute path without quotes, got %r" % (secrets_path,)))
    if problems:
        raise ModelError(problems)
    if part == "secrets":
        text = render_secrets(parse_keys(variables, hosts))
        return {one: text for one in roles} if isinstance(role, (list, tuple)) else text
    model = parse_model(variables, hosts)
    if warnings is not None:
        warnings.extend(model.warnings)
    texts = {}
    for one in roles:
        if one != "standalone" and model.failover is None:
            raise ModelError([("dhcpd_failover", "role %s needs a failover relationship: set dhcpd_failover, or render with role standalone" % one)])
        texts[one] = _Writer(model, one, secrets_path).text()
    return texts if isinstance(role, (list, tuple)) else texts[role]


def render_secrets(model):
    """The keys (OMAPI, DDNS TSIG), for a file only root can read; empty when there are none."""
    lines = []
    if not model.secrets:
        return ""
    lines.append("# Keys for dhcpd.conf (included from it). Secret: keep this file owner-only.")
    keys = []
    if model.omapi:
        keys.append((model.omapi["key_name"], model.omapi["algorithm"], model.omapi["key_secret"]))
    for k in model.ddns.keys if model.ddns else []:
        keys.append((k.name, k.algorithm, k.secret))
    for name, algorithm, secret in keys:
        lines.append('key "%s" {' % name)
        lines.append(IND + "algorithm %s;" % algorithm)
        lines.append(IND + 'secret "%s";' % secret)
        lines.append("}")
    return "\n".join(lines) + "\n"


def quote(text):
    """A dhcpd string: backslashes escaped (the model has refused quotes and line breaks)."""
    return '"%s"' % text.replace("\\", "\\\\")


# dhcpd syntax of a typed option value: text and domain lists quoted.
value_text = Spelling(", ", " ", text=quote)


def _hex16(code):
    return "%02x:%02x" % (code >> 8, code & 0xFF)


def _vendor_condition(prefix):
    """Option 60 starts with ``prefix``."""
    return "substring (option vendor-class-identifier, 0, %d) = %s" % (len(prefix), quote(prefix))


def _rule_condition(rule):
    """A boot rule's test in dhcpd's syntax."""
    if rule.ipxe:
        return "exists user-class and option user-class = %s" % quote(IPXE_USER_CLASS)
    codes = " or ".join("option pxe-system-type = %s" % _hex16(code) for code in rule.codes)
    return "not exists pxe-system-type or " + codes if rule.without_arch else codes


class _Writer:
    def __init__(self, model, role, secrets_path):
        self.m = model
        self.role = role
        self.fo = model.failover if role != "standalone" else None
        self.secrets_path = secrets_path
        self.lines = []

    def out(self, depth=0, text=""):
        self.lines.append((IND * depth + text) if text else "")

    def block(self, depth, opener, body, comment=None):
        """``opener {`` body ``}``; body(depth) writes the inside."""
        self.out(depth, opener + " {" + ("  # %s" % comment if comment else ""))
        body(depth + 1)
        self.out(depth, "}")

    # -- the file ------------------------------------------------------------
    def text(self):
        m, fo = self.m, self.fo
        if fo:
            self.out(0, '# ISC DHCP 4.4 %s peer of failover relationship "%s"' % (self.role, fo.name))
            self.out(0, "# (primary %s at %s, secondary %s at %s)" % (fo.primary.host, fo.primary.address[1], fo.secondary.host, fo.secondary.address[1]))
        else:
            self.out(0, "# ISC DHCP 4.4 standalone server")
        self.out(0, "# Rendered by netboot.dhcp_failover.dhcpd_config; edit the inventory, not this file.")
        self.out()
        if m.authoritative:
            self.out(0, "authoritative;")
        self._ddns_statements()
        self._definitions()
        self.scope(0, m.scope)
        if m.secrets:
            self.out()
            self.out(0, '# Keys (OMAPI, DDNS): owner-only file, not shown in diffs or logs.')
            self.out(0, 'include "%s";' % self.secrets_path)
        if m.omapi:
            self.out(0, "omapi-port %d;" % m.omapi["port"])
            self.out(0, "omapi-key %s;" % m.omapi["key_name"])
        self._zones()
        if fo:
            self._failover()
        self._classes()
        if m.pxe.enabled and self._serves_boot():
            self.out()
            self.out(0, "# Network boot for every subnet (a scope with its own pxe: settings overrides this).")
            self._boot(0, m.pxe.boot)
        self._networks()
        self._hosts()
        if m.includes:
            self.out()
            self.out(0, "# Files kept outside the inventory (dhcpd_includes).")
            for path in m.includes:
                self.out(0, 'include "%s";' % path)
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def _networks(self):
        for sn in self.m.shared_networks:
            self.out()
            if sn.name:
                def body(d, sn=sn):
                    self.scope(d, sn.scope)
                    for sub in sn.subnets:
                        self._subnet(d, sub)
                self.block(0, 'shared-network "%s"' % sn.name, body)
            else:
                for sub in sn.subnets:
                    self._subnet(0, sub)

    def _hosts(self):
        hosts = self.m.hosts
        if not hosts:
            return
        self.out()
        self.out(0, "# Reservations, identical on both peers.")
        add, mac_line, address_line = self.lines.append, IND + "hardware ethernet %s;", IND + "fixed-address %s;"
        if isinstance(hosts, PlainHosts):
            # Only names, MACs and addresses: written straight from the lists.
            with_address = "host %s {\n" + mac_line + "\n" + address_line + "\n}"
            without = "host %s {\n" + mac_line + "\n}"
            if None not in hosts.addrs:
                self.lines.extend(map(with_address.__mod__, zip(hosts.names, hosts.macs, hosts.addrs)))
            else:
                self.lines.extend(
                    with_address % (n, mac, a) if a is not None else without % (n, mac) for n, mac, a in zip(hosts.names, hosts.macs, hosts.addrs)
                )
            return
        for h in hosts:
            if h.next_server is None and h.boot_file is None and h.scope is NO_SCOPE:
                # Most reservations: name, MAC and perhaps an address.
                add("host %s {" % h.name)
                add(mac_line % h.mac)
                if h.address:
                    add(address_line % h.address[1])
                add("}")
            else:
                self.block(0, "host %s" % h.name, lambda d, h=h: self._host(d, h))

    # -- pieces shared by every scope -------------------------------------------
    def scope(self, depth, scope):
        """Lease times, raw statements, options, then boot settings of one scope."""
        for key, seconds in scope.lease:
            self.out(depth, "%s %d;" % (key, seconds))
        for text in scope.raw:
            self.out(depth, "%s;" % text)
        for opt in scope.options:
            name = opt.name if opt.space == "dhcp" else "%s.%s" % (opt.space, opt.name)
            if opt.value[0] == "expr":
                self.out(depth, "option %s = %s;" % (name, opt.value[1]))
            else:
                self.out(depth, "option %s %s;" % (name, value_text(opt.value)))
        if scope.boot is not None and self._serves_boot():
            self._boot(depth, scope.boot)

    def _next_server(self, atom):
        if atom == SELF:
            fo = self.m.failover
            me = fo.secondary if self.role == "secondary" else fo.primary
            return me.address[1]
        return atom[1]

    def _serves_boot(self):
        """Does this peer hand out next-server and boot files?"""
        pxe = self.m.pxe
        return not (pxe.enabled and pxe.mode == "primary_only" and self.role == "secondary")

    def _boot(self, depth, boot):
        """Boot settings of a scope: its boot rules (_boot_rules.py) as if/elsif chains."""
        rules = boot_rules(boot)

        def chain(d, pairs, last=None):
            for i, (cond, name) in enumerate(pairs):
                self.out(d, "%s %s {" % ("if" if i == 0 else "} elsif", cond))
                self.out(d + 1, "filename %s;" % quote(name))
            if last and pairs:
                self.out(d, "} else {")
                self.out(d + 1, "filename %s;" % quote(last))
            elif last:
                self.out(d, "filename %s;" % quote(last))
            if pairs:
                self.out(d, "}")

        def pxe_body(d):
            # Boot files that are all http(s) URLs need no next-server.
            if rules.next_server is not None:
                self.out(d, "next-server %s;" % self._next_server(rules.next_server))
            chain(d, [(_rule_condition(r), r.file) for r in rules.pxe], rules.other)

        def http_body(d):
            self.out(d, "option vendor-class-identifier %s;" % quote(VENDOR_HTTP))
            chain(d, [(_rule_condition(r), r.file) for r in rules.http])

        if rules.http:
            self.out(depth, "if %s {" % _vendor_condition(VENDOR_HTTP))
            http_body(depth + 1)
            if rules.answers_pxe:
                self.out(depth, "} else {" if rules.clients == "all" else "} elsif %s {" % _vendor_condition(VENDOR_PXE))
                pxe_body(depth + 1)
            self.out(depth, "}")
        elif rules.clients == "all":
            pxe_body(depth)
        else:
            self.block(depth, "if %s" % _vendor_condition(VENDOR_PXE), pxe_body)

    # -- global parts ----------------------------------------------------------------
    def _ddns_statements(self):
        d = self.m.ddns
        self.out(0, "ddns-update-style %s;" % (d.style if d else "none"))
        if not d:
            return
        for keyword, flag in (("ddns-updates", d.updates), ("update-static-leases", d.update_static_leases)):
            if flag is not None:
                self.out(0, "%s %s;" % (keyword, "on" if flag else "off"))
        if d.domain_name:
            self.out(0, 'ddns-domainname %s;' % quote(d.domain_name))
        if d.rev_domain_name:
            self.out(0, 'ddns-rev-domainname %s;' % quote(d.rev_domain_name))

    def _zones(self):
        d = self.m.ddns
        for z in d.zones if d else []:
            def body(depth, z=z):
                self.out(depth, "primary %s;" % z.primary[1])
                if z.secondary:
                    self.out(depth, "secondary %s;" % z.secondary[1])
                if z.key:
                    self.out(depth, "key %s;" % z.key)
            self.block(0, "zone %s" % z.name, body)

    def _definitions(self):
        vocab = self.m.vocab
        if not vocab.definitions:
            return
        self.out()
        self.out(0, "# Option spaces and definitions (dhcpd_option_definitions), before any use.")
        for space in vocab.spaces:
            self.out(0, "option space %s;" % space)
        for d in vocab.definitions:
            name = d.name if d.space == "dhcp" else "%s.%s" % (d.space, d.name)
            kind = "encapsulate %s" % d.encapsulate if d.encapsulate else describe(d.tree)
            self.out(0, "option %s code %d = %s;" % (name, d.code, kind))

    def _failover(self):
        fo = self.fo
        me, peer = (fo.primary, fo.secondary) if self.role == "primary" else (fo.secondary, fo.primary)

        def body(d):
            self.out(d, "%s;" % self.role)
            self.out(d, "address %s;" % me.address[1])
            self.out(d, "port %d;" % me.port)
            self.out(d, "peer address %s;" % peer.address[1])
            self.out(d, "peer port %d;" % peer.port)
            self.out(d, "max-response-delay %d;" % fo.max_response_delay)
            self.out(d, "max-unacked-updates %d;" % fo.max_unacked_updates)
            self.out(d, "load balance max seconds %d;" % fo.load_balance_max_seconds)
            if self.role == "primary":
                # dhcpd.conf(5): mclt and split/hba on the primary only.
                self.out(d, "mclt %d;" % fo.mclt)
                if fo.split is not None:
                    self.out(d, "split %d;" % fo.split)
                else:
                    self.out(d, "hba %s;" % fo.hba)
            if fo.auto_partner_down:
                self.out(d, "auto-partner-down %d;" % fo.auto_partner_down)
            for key, value in fo.tuning:
                self.out(d, "%s %d;" % (key, value))

        self.out()
        self.block(0, 'failover peer "%s"' % fo.name, body)

    def _classes(self):
        m = self.m
        self.out()
        self.out(0, "# Network boot clients. Classes come before the pools that name them.")

        def pxe_body(d):
            self.out(d, "match if %s;" % _vendor_condition(VENDOR_PXE))
            if m.pxe.enabled and m.pxe.lease_time and self._serves_boot():
                self.out(d, "default-lease-time %d;" % m.pxe.lease_time)
                self.out(d, "max-lease-time %d;" % m.pxe.lease_time)

        self.block(0, 'class "%s"' % PXE_CLASS, pxe_body)
        self.block(0, 'class "%s"' % HTTP_CLASS, lambda d: self.out(d, "match if %s;" % _vendor_condition(VENDOR_HTTP)))
        for k in m.classes:
            def body(d, k=k):
                if k.subclasses and k.match:
                    self.out(d, "match %s;" % k.match)
                elif k.match:
                    self.out(d, "match if %s;" % k.match)
                if k.spawn_with:
                    self.out(d, "spawn with %s;" % k.spawn_with)
                self.scope(d, k.scope)
            self.block(0, 'class "%s"' % k.name, body)
            for sub in k.subclasses:
                opener = 'subclass "%s" %s' % (k.name, value_text(sub.value))
                if sub.scope.options or sub.scope.lease or sub.scope.raw:
                    self.block(0, opener, lambda d, sub=sub: self.scope(d, sub.scope))
                else:
                    self.out(0, opener + ";")

    # -- subnets, pools, hosts ----------------------------------------------------------
    def _subnet(self, depth, sub):
        def body(d):
            self.scope(d, sub.scope)
            # The PXE-only pool first (order does not decide which pool a
            # client lands in; the permits do).
            for pool in sorted(sub.pools, key=lambda p: 0 if p.pxe_only else 1):
                if not pool.failover and self.fo is not None and pool.served_by != self.role:
                    self.out(d, "# %s: served by the %s only" % (pool.path, pool.served_by))
                    continue
                self._pool(d, pool)

        net = sub.network
        self.block(depth, "subnet %s netmask %s" % (net.network_address, net.netmask), body)

    def _pool(self, depth, pool):
        def body(d):
            for a, b in pool.ranges:
                # BOOTP leases never expire and failover cannot share them.
                if pool.bootp and not (pool.failover and self.fo):
                    self.out(d, "range dynamic-bootp %s %s;" % (a, b))
                else:
                    self.out(d, "range %s %s;" % (a, b))
            if pool.failover and self.fo:
                self.out(d, 'failover peer "%s";' % self.fo.name)
                self.out(d, "deny dynamic bootp clients;")
            for verb, permits in (("allow", pool.allow), ("deny", pool.deny)):
                for p in permits:
                    self.out(d, "%s %s;" % (verb, _permit_text(p)))
            self.scope(d, pool.scope)

        self.block(depth, "pool", body, comment=pool.path)

    def _host(self, d, h):
        self.out(d, "hardware ethernet %s;" % h.mac)
        if h.address:
            self.out(d, "fixed-address %s;" % h.address[1])
        # In primary_only mode the secondary hands out no boot settings at all.
        if h.next_server and self._serves_boot():
            self.out(d, "next-server %s;" % self._next_server(h.next_server))
        if h.boot_file and self._serves_boot():
            self.out(d, 'filename %s;' % quote(h.boot_file))
        self.scope(d, h.scope)


def _permit_text(permit):
    if permit.kind == "members":
        return 'members of "%s"' % permit.value
    if permit.kind == "after":
        return "after %s" % permit.value
    return PERMIT_WORDS[permit.kind]
