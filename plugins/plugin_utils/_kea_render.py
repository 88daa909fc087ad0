# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the network description as a Kea DHCPv4 high-availability pair.

Private to this collection; may change without notice.

The same model that dhcpd.conf is written from (``_model``) is
written here as each peer's kea-dhcp4 configuration (JSON) and, when the
peers talk through the Kea Control Agent, its configuration too. What has no
Kea equivalent is refused with the variable path and the reason; nothing is
left out without a word.

The mapping follows the Kea Administrator Reference Manual (ARM) of the
version the host runs ("The DHCPv4 Server", "Client Classification" and
"libdhcp_ha.so: High Availability Outage Resilience for Kea Servers"):

* a failover relationship becomes the HA hook (libdhcp_ha.so, with
  libdhcp_lease_cmds.so that it needs to send lease updates), in
  load-balancing mode with every failover pool split in two halves, one
  restricted to each server's ``HA_<server name>`` class, or in hot-standby
  mode with the pools whole;
* every subnet gets an explicit ``id`` made from its network address, so
  both peers (and every later rendering) agree without counting;
* boot settings become client classes: the ones of a user class are
  evaluated for every packet and come first, the ones of a shared network,
  subnet or pool are ``only-if-required`` classes that the pool requires.
  Kea uses the first class that sets a boot file, so iPXE's class comes
  before the others;
* ``kea-dhcp4 -t`` does not look at the HA settings, so :func:`check_pair`
  checks what it lets through (both peers' subnet ids, peers and names, the
  hooks, pools restricted to the HA classes, multi-threading on both sides).
"""

from __future__ import annotations

import ipaddress

from ._boot_rules import HTTP_CLASS, PXE_CLASS, VENDOR_HTTP, boot_rules
from . import _kea_ddns, _kea_map
from ._model import ModelError, parse_keys, parse_model
from ._kea_check import boot_key, kea_problems, option_refusal, permit_class, resolve
from ._kea_expr import HTTP_TEST, IPXE_TEST, PXE_TEST, arch_test, csv, translate_match
from ._kea_optdefs import KeaDefinitions
from ._kea_pair import check_pair
from ._kea_settings import AUTH_PASSWORD_FILE, AUTH_PASSWORD_MARK, AUTH_REALM, DEFAULT_HEARTBEAT_MS, PARTS, TLS_FILES, read_settings, version_tuple

PXE_TEST_ALL = "not option[60].exists or option[60].exists"


def subnet_id(network):
    """The subnet's id: its network address as a number, plus one (never 0), the same on every rendering."""
    return int(network.network_address) % 4294967294 + 1


class _Renderer:
    def __init__(self, model, settings, hosts):
        self.m = model
        self.s = settings
        self.hosts = hosts
        self.version = version_tuple(settings["version"])
        self.boot_classes = []  # class definitions made for boot settings
        self._boot_sets = {}  # key of a Boot -> list of class names (only-if-required)
        self.bootp = False  # a pool serves BOOTP clients: load the bootp hook
        self.client_classes_key = "client-classes" if self.version >= (2, 7, 5) else "client-class"
        self.defs = KeaDefinitions(model.vocab.definitions)  # dhcpd_option_definitions as option-def entries

    # -- addresses -------------------------------------------------------------
    def address(self, atom, path, me=None):
        """An IPv4 address for Kea (kea_problems has refused what has none)."""
        address, why = resolve(atom, self.hosts, me)
        if why:
            raise ModelError([(path, why)])  # not reached: kea_problems refuses it first
        return address

    # -- scopes ----------------------------------------------------------------
    def options(self, scope):
        out = []
        for opt in scope.options:
            if option_refusal(opt, self.m.vocab.spaces):
                continue
            entry = self.defs.option(opt)
            if opt.value[0] == "hex":
                entry.update({"csv-format": False, "data": opt.value[1].replace(":", "").upper()})
            else:
                entry["data"] = csv(opt.value)
            out.append(entry)
        # An option of a space that a main-space option encapsulates goes out
        # inside that option, which must then be sent too (it has no data of its own).
        named = {e["name"] for e in out if "space" not in e}
        for space in dict.fromkeys(e["space"] for e in out if "space" in e):
            carrier = self.defs.encapsulating.get(space)
            if carrier and carrier not in named:
                out.append({"name": carrier})
                named.add(carrier)
        return out

    @staticmethod
    def lease(scope, into):
        keys = {"default-lease-time": "valid-lifetime", "max-lease-time": "max-valid-lifetime", "min-lease-time": "min-valid-lifetime"}
        for key, seconds in scope.lease:
            into[keys[key]] = seconds

    def common(self, scope, into, kind):
        """A scope's lease times, options and the keys of _kea_map.py set in it."""
        self.lease(scope, into)
        opts = self.options(scope)
        if opts:
            into["option-data"] = opts
        _kea_map.write("scope:" + kind, self, scope, into)

    # -- boot ------------------------------------------------------------------
    def boot_set(self, boot, path, me, required=True, member=None, prefix=None):
        """Class names that give ``boot``'s settings, made once per distinct setting."""
        if boot is None:
            return []
        next_server = self.address(boot.next_server, path + ".next_server", me) if boot.next_server else None
        # The same key the checks compare boot settings by (_kea_check.boot_key).
        set_key = (boot_key(boot, self.hosts, me), required, member)
        if set_key in self._boot_sets:
            return self._boot_sets[set_key]
        n = len(self._boot_sets) + 1
        prefix = prefix or "NETBOOT_BOOT%d" % n
        names = []
        pxe_lease = self.m.pxe.lease_time if self.m.pxe.enabled else None

        def add(suffix, test, fields, http=False):
            name = "%s_%s" % (prefix, suffix)
            if member:
                test = "member('%s') and (%s)" % (member, test)
            cls = {"name": name, "test": test}
            if required:
                cls["only-if-required"] = True
            if next_server and not http:
                cls["next-server"] = next_server
            cls.update(fields)
            if http:
                cls["option-data"] = [{"name": "vendor-class-identifier", "data": VENDOR_HTTP}]
            if pxe_lease and self.version >= (1, 9, 0):
                cls["valid-lifetime"] = pxe_lease
            self.boot_classes.append(cls)
            names.append(name)

        rules = boot_rules(boot)
        kind_test = None if rules.clients == "all" else PXE_TEST
        for rule in [r for r in rules.pxe if r.ipxe]:
            add(rule.key, IPXE_TEST, {"boot-file-name": rule.file})
        for rule in rules.http:
            add(rule.key, "%s and (%s)" % (HTTP_TEST, arch_test(rule)), {"boot-file-name": rule.file}, http=True)
        for rule in rules.pxe:
            if rule.ipxe:
                continue
            test = "(%s) and (%s)" % (kind_test, arch_test(rule)) if kind_test else arch_test(rule)
            if rules.has_ipxe:
                test = "not %s and %s" % (IPXE_TEST, test)
            add(rule.key, test, {"boot-file-name": rule.file})
        if rules.other:
            add("other", kind_test or PXE_TEST_ALL, {"boot-file-name": rules.other})
        self._boot_sets[set_key] = names
        return names

    # -- the configuration -------------------------------------------------------
    def dhcp4(self, role):
        m, s = self.m, self.s
        fo = m.failover if role != "standalone" else None
        me = None
        if fo:
            me = fo.primary if role == "primary" else fo.secondary
        conf = {
            "interfaces-config": {"interfaces": list(s["interfaces"])},
            "control-socket": {"socket-type": "unix", "socket-name": s["control_socket"]},
            "lease-database": {"type": "memfile", "persist": True, "name": s["lease_file"], "lfc-interval": 3600},
            "authoritative": bool(m.authoritative),
        }
        dedicated = self.transport() == "dedicated"
        conf["multi-threading"] = {"enable-multi-threading": dedicated}
        if self.defs.entries:
            conf["option-def"] = self.defs.entries
        conf.update(_kea_ddns.dhcp4_settings(m, s))
        self.common(m.scope, conf, "global")
        _kea_map.write("dhcpd", self, m, conf)
        classes = []
        for k in m.classes:
            classes.extend(self.user_class(k, me))
        pool_boot_default = m.pxe.boot if m.pxe.enabled else None
        subnets_out, shared_out = [], []
        for sn in m.shared_networks:
            sn_boot = sn.scope.boot or pool_boot_default
            subs = [self.subnet(sub, sn_boot, me, fo) for sub in sn.subnets]
            if sn.name:
                entry = {"name": sn.name}
                self.common(sn.scope, entry, "shared_network")
                entry["subnet4"] = subs
                shared_out.append(entry)
            else:
                subnets_out.extend(subs)
        self.hosts_global(conf, me)
        conf["client-classes"] = classes + self.boot_classes
        if not conf["client-classes"]:
            del conf["client-classes"]
        if shared_out:
            conf["shared-networks"] = shared_out
        conf["subnet4"] = subnets_out
        conf["hooks-libraries"] = self.bootp_hook() + self.hooks(fo, role)
        conf["loggers"] = [{"name": "kea-dhcp4", "output_options": [{"output": "stdout", "pattern": "%-5p %m\n"}], "severity": "INFO"}]
        return {"Dhcp4": conf}

    def write(self, role, part):
        if part == "d2":
            return _kea_ddns.d2_config(self.m, self.s, lambda atom: resolve(atom, self.hosts))
        return self.dhcp4(role) if part == "dhcp4" else self.ctrl_agent(role)

    def transport(self):
        t = self.s.get("transport")
        return t or ("dedicated" if self.version >= (3, 0, 0) else "agent")

    def user_class(self, k, me):
        cls = {"name": k.name}
        test = k.kea_test if k.kea_test is not None else (translate_match(k.match) if k.match is not None and not k.subclasses else None)
        if test:
            cls["test"] = test
        self.common(k.scope, cls, "class")
        if k.scope.boot is not None:
            self.boot_set(k.scope.boot, k.path + ".pxe", me, required=False, member=k.name, prefix="NETBOOT_%s" % k.name)
        out = [cls]
        _kea_map.write("class", self, k, out, me, k.path)
        return out

    def subnet(self, sub, outer_boot, me, fo):
        entry = {"id": subnet_id(sub.network), "subnet": str(sub.network)}
        self.common(sub.scope, entry, "subnet")
        sub_boot = sub.scope.boot or outer_boot
        pools = []
        for pool in sub.pools:
            boot = pool.scope.boot or sub_boot
            required = self.boot_set(boot, pool.path + ".pxe" if pool.scope.boot else sub.path + ".pxe", me)
            pools.extend(self.pool(pool, required, fo, me))
        if pools:
            entry["pools"] = pools
        reservations = [h for h in self.m.hosts if h.address and h.address[0] == "ip" and ipaddress.IPv4Address(h.address[1]) in sub.network]
        reservations += [h for h in self.m.hosts if h.address and h.address[0] == "host" and self._host_in(h, sub)]
        if reservations:
            entry["reservations"] = [self.reservation(h, me) for h in reservations]
            if pools:
                # The description refuses a reservation inside a pool's range, so
                # Kea may skip looking for one when it hands out a pool address
                # (ARM, "Fine-Tuning DHCPv4 Host Reservation").
                entry["reservations-out-of-pool"] = True
            inherit = [h for h in reservations if not h.boot_file]
            if inherit and sub_boot is not None:
                # (Pools with boot settings of their own: kea_problems refused it.)
                sub_set = self.boot_set(sub_boot, sub.path + ".pxe", me)
                if sub_set:
                    entry["require-client-classes"] = sub_set
        return entry

    def _host_in(self, h, sub):
        found = self.hosts.get(h.address[1])
        try:
            return ipaddress.IPv4Address(str(found)) in sub.network
        except ValueError:
            return False

    def pool(self, pool, required, fo, me):
        if pool.bootp:
            self.bootp = True
        opts = self.options(pool.scope)
        permit_class = self.permit_class(pool)
        ranges = ["%s - %s" % (a, b) for a, b in pool.ranges]
        split = fo is not None and self.s["mode"] == "load-balancing"
        if pool.pxe_only and not permit_class and not split:
            permit_class = self.pxe_class()
        out = []
        if split:
            for first, second in zip(*pool.halves()):
                for name, (lo, hi) in ((fo.primary.host, first), (fo.secondary.host, second)):
                    entry = {"pool": "%s - %s" % (lo, hi), self.client_classes_key: self._classes_value(self.half_class(name))}
                    self._pool_extras(entry, opts, required)
                    _kea_map.write("scope:pool", self, pool.scope, entry, me)
                    out.append(entry)
            return out
        for text in ranges:
            entry = {"pool": text}
            if permit_class:
                entry[self.client_classes_key] = self._classes_value(permit_class)
            self._pool_extras(entry, opts, required)
            _kea_map.write("scope:pool", self, pool.scope, entry, me)
            out.append(entry)
        return out

    def half_class(self, name):
        """The class of the pool half of server ``name``: its own clients (HA_<name>,
        the HA hook's class) for new leases, and any client asking for an address
        again (a DHCPREQUEST), so that a lease in the other half (one a client was
        given by ISC dhcpd, or by the partner alone) is renewed, not refused with a
        DHCPNAK. A request for an address the server has no lease of is refused
        all the same (the server is authoritative)."""
        half = "NETBOOT_HA_" + name
        if not any(c["name"] == half for c in self.boot_classes):
            self.boot_classes.append({"name": half, "test": "member('HA_%s') or pkt4.msgtype == 3" % name})
        return half

    def pxe_class(self):
        """The class of PXE clients (option 60 starts with PXEClient), declared once."""
        if not any(c["name"] == "NETBOOT_PXE" for c in self.boot_classes):
            self.boot_classes.insert(0, {"name": "NETBOOT_PXE", "test": PXE_TEST})
        return "NETBOOT_PXE"

    def http_class(self):
        """The class of UEFI HTTP boot clients (option 60 starts with HTTPClient), declared once."""
        if not any(c["name"] == "NETBOOT_HTTP" for c in self.boot_classes):
            self.boot_classes.insert(0, {"name": "NETBOOT_HTTP", "test": HTTP_TEST})
        return "NETBOOT_HTTP"

    def _classes_value(self, name):
        return [name] if self.client_classes_key == "client-classes" else name

    @staticmethod
    def _pool_extras(entry, opts, required):
        if opts:
            entry["option-data"] = opts
        if required:
            entry["require-client-classes"] = list(required)

    def permit_class(self, pool):
        """The Kea class of the pool's one permit (kea_problems refused more, or one Kea has no class for)."""
        cls, dummy = permit_class(self.m, pool)
        if cls == PXE_CLASS:
            return self.pxe_class()
        if cls == HTTP_CLASS:
            return self.http_class()
        return cls

    def reservation(self, h, me):
        r = {"hw-address": h.mac}
        if h.address:
            r["ip-address"] = self.address(h.address, h.path + ".address")
        r["hostname"] = h.name
        if h.next_server:
            r["next-server"] = self.address(h.next_server, h.path + ".next_server", me)
        elif h.boot_file:
            boot = self.m.pxe.boot if self.m.pxe.enabled else None
            if boot and boot.next_server:
                r["next-server"] = self.address(boot.next_server, h.path + ".next_server", me)
        if h.boot_file:
            r["boot-file-name"] = h.boot_file
        opts = self.options(h.scope)
        if opts:
            r["option-data"] = opts
        _kea_map.write("scope:host", self, h.scope, r, me)
        return r

    def hosts_global(self, conf, me):
        out = [self.reservation(h, me) for h in self.m.hosts if not h.address]
        if out:
            conf["reservations-global"] = True
            conf["reservations-in-subnet"] = True
            conf["reservations"] = out

    def hooks(self, fo, role):
        if not fo:
            return []
        s = self.s
        base = s["hooks_path"].rstrip("/")
        dedicated = self.transport() == "dedicated"
        peers = []
        for peer_role, peer in (("primary", fo.primary), ("secondary", fo.secondary)):
            address = self.address(peer.address, "dhcpd_failover.%s.address" % peer_role)
            entry = {
                "name": peer.host,
                "url": "%s://%s:%d/" % ("https" if s["tls"] else "http", address, s["http_port"]),
                "role": "standby" if (peer_role == "secondary" and s["mode"] == "hot-standby") else peer_role,
                # auto_partner_down: 0 is "never take over on your own" on both
                # backends; not given, Kea keeps its default (it does).
                "auto-failover": fo.auto_partner_down != 0,
            }
            if s.get("auth_user") and not dedicated:
                # The credentials this server sends to that peer's Control Agent.
                entry["basic-auth-user"] = s["auth_user"]
                entry["basic-auth-password"] = AUTH_PASSWORD_MARK
            peers.append(entry)
        ha = {
            "this-server-name": fo.primary.host if role == "primary" else fo.secondary.host,
            "mode": s["mode"],
            # dhcpd's failover timers, in milliseconds, and the secs after which a client unanswered
            # by the partner counts as unacked (dhcpd's load balance max seconds). The heartbeat is
            # DEFAULT_HEARTBEAT_MS unless set (_kea_settings.py says why).
            "heartbeat-delay": (int(s["heartbeat_delay"]) * 1000 if s["heartbeat_delay"] is not None
                                else DEFAULT_HEARTBEAT_MS),
            "max-response-delay": fo.max_response_delay * 1000,
            "max-ack-delay": fo.load_balance_max_seconds * 1000,
            "max-unacked-clients": int(s["max_unacked_clients"]),
            "multi-threading": {"enable-multi-threading": dedicated, "http-dedicated-listener": dedicated},
            "peers": peers,
        }
        if s["mode"] == "load-balancing":
            ha["delayed-updates-limit"] = int(s["delayed_updates_limit"])
        if s["tls"]:
            # The HA hook as a client of the partner; with the dedicated
            # listener (Kea >= 2.1.7) also its server side, which then asks
            # for the partner's certificate.
            ha.update(self.tls_files())
            if dedicated:
                ha["require-client-certs"] = True
        return [
            {"library": base + "/libdhcp_lease_cmds.so"},
            {"library": base + "/libdhcp_ha.so", "parameters": {"high-availability": [ha]}},
        ]

    def bootp_hook(self):
        return [{"library": self.s["hooks_path"].rstrip("/") + "/libdhcp_bootp.so"}] if self.bootp else []

    def tls_files(self):
        return {key: "%s/%s" % (self.s["config_dir"].rstrip("/"), name) for key, name in TLS_FILES.items()}

    def ctrl_agent(self, role):
        fo = self.m.failover if role != "standalone" else None
        host = "127.0.0.1"
        if fo:
            me = fo.primary if role == "primary" else fo.secondary
            host = self.address(me.address, "dhcpd_failover.%s.address" % role) or host
        agent = {
            "http-host": host,
            "http-port": int(self.s["http_port"]),
            "control-sockets": {"dhcp4": {"socket-type": "unix", "socket-name": self.s["control_socket"]}},
            "loggers": [{"name": "kea-ctrl-agent", "output_options": [{"output": "stdout", "pattern": "%-5p %m\n"}], "severity": "INFO"}],
        }
        if self.s.get("auth_user"):
            # Every command, the partner's HA commands included, needs the
            # credentials: whoever else reaches the port gets 401.
            agent["authentication"] = {
                "type": "basic",
                "realm": AUTH_REALM,
                "directory": self.s["config_dir"],
                "clients": [{"user": self.s["auth_user"], "password-file": AUTH_PASSWORD_FILE}],
            }
        if self.s["tls"] and fo:
            # HTTPS only, and only for a client whose certificate the pair's
            # CA signed (the partner's HA hook, the role's own kea_ha calls).
            agent.update(self.tls_files())
            agent["cert-required"] = True
        return {"Control-agent": agent}


def render_kea(variables, role, hosts=None, settings=None, part="dhcp4", warnings=None):
    """Each peer's Kea configuration (a mapping) for ``role`` (or a list of roles -> {role: mapping})."""
    roles = list(role) if isinstance(role, (list, tuple)) else [role]
    problems = []
    for one in roles:
        if one not in ("primary", "secondary", "standalone"):
            problems.append(("(role)", "%r is not primary, secondary or standalone" % (one,)))
    if part not in PARTS:
        problems.append(("(part)", "%r: use %s" % (part, ", ".join(PARTS))))
    if problems:
        raise ModelError(problems)
    s = read_settings(settings)
    if part in ("d2_keys", "ddns"):
        # Only dhcpd_ddns (checked with the rest by the dhcp4 part's
        # rendering): the keys' text, or whether kea-dhcp-ddns runs.
        keys = parse_keys(variables, hosts)
        value = _kea_ddns.d2_keys_text(keys.ddns.keys if keys.ddns else None) if part == "d2_keys" else _kea_ddns.active(keys)
        return {one: value for one in roles} if isinstance(role, (list, tuple)) else value
    model = parse_model(variables, hosts)
    found_warnings = list(model.warnings)
    # Every refusal first (_kea_check.py): nothing is written for a model Kea cannot take.
    for one in roles:
        if one != "standalone" and model.failover is None:
            raise ModelError([("dhcpd_failover", "role %s needs a failover relationship: set dhcpd_failover, or render with role standalone" % one)])
        problems, found = kea_problems(model, s, hosts or {}, one, part)
        if problems:
            raise ModelError(_unique(problems))
        found_warnings += found
    out = {one: _Renderer(model, s, hosts or {}).write(one, part) for one in roles}
    if part == "dhcp4" and "primary" in out and "secondary" in out:
        pair = check_pair(out["primary"], out["secondary"])
        if pair:
            raise ModelError(pair)
    if warnings is not None:
        warnings.extend(dict.fromkeys(found_warnings))
    return out if isinstance(role, (list, tuple)) else out[role]


def _unique(problems):
    return list(dict.fromkeys(problems))
