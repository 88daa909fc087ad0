# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and check the one network description that both DHCP peers share.

Plain Python, no Ansible: ``parse_model()`` takes the inventory variables
(a mapping whose keys are the variable names, ``dhcpd_subnets`` and so on)
and either returns a normalised :class:`Model` or raises :class:`ModelError`
listing every problem found, each one naming the variable path and the fix.

The rules come from ISC DHCP 4.4's own checks (``dhcpd -t``) and from the
failover and PXE behaviour described in docs/model.md.
"""

from __future__ import annotations

import bisect
import difflib
import ipaddress
import re
from dataclasses import dataclass, field

PEER_ROLES = ("primary", "secondary", "standalone")
PXE_MODES = ("failover", "primary_only")

# Names of the classes the collection declares itself.
PXE_CLASS = "pxe"
HTTP_CLASS = "httpboot"
BUILTIN_CLASSES = (PXE_CLASS, HTTP_CLASS)

# Option 93 (client system architecture) values, IANA registry. 9 is also
# treated as x64 UEFI because of RFC 4578 erratum 4624 (facts.md section 3).
ARCHES = (
    # key in dhcpd_pxe.boot_files, option 93 codes, description
    ("uefi_x64", (7, 9), "x64 UEFI"),
    ("uefi_arm64", (11,), "ARM64 UEFI"),
    ("uefi_ia32", (6,), "x86 (32-bit) UEFI"),
    ("uefi_arm32", (10,), "ARM32 UEFI"),
    ("bios", (0,), "x86 BIOS"),
)
HTTP_ARCHES = (
    ("http_x64", (16,), "x64 UEFI HTTP boot"),
    ("http_arm64", (19,), "ARM64 UEFI HTTP boot"),
)
DEFAULT_BOOT_FILES = {
    "bios": "pxelinux.0",
    "uefi_x64": "shimx64.efi",
    "uefi_arm64": None,
    "uefi_ia32": None,
    "uefi_arm32": None,
    "http_x64": None,
    "http_arm64": None,
}

# Option names dhcpd knows (dhcp-options(5)) with the value type the
# renderer formats them as. Only options a site sets per scope are listed.
OPTION_TYPES = {
    "routers": "ip-list",
    "domain-name-servers": "ip-list",
    "ntp-servers": "ip-list",
    "time-servers": "ip-list",
    "log-servers": "ip-list",
    "netbios-name-servers": "ip-list",
    "nis-servers": "ip-list",
    "smtp-server": "ip-list",
    "www-server": "ip-list",
    "broadcast-address": "ip",
    "subnet-mask": "ip",
    "domain-name": "text",
    "domain-search": "domain-list",
    "host-name": "text",
    "nis-domain": "text",
    "root-path": "text",
    "tftp-server-name": "text",
    "bootfile-name": "text",
    "time-offset": "int32",
    "interface-mtu": "uint16",
    "netbios-node-type": "uint8",
    "default-ip-ttl": "uint8",
    "dhcp-renewal-time": "uint32",
    "dhcp-rebinding-time": "uint32",
    "ip-forwarding": "flag",
}
OPTION_HINTS = {
    "architecture-type": (
        "dhcpd has no option named architecture-type (option 93 is "
        "pxe-system-type in ISC DHCP 4.4); the collection already chooses "
        "the boot file by option 93: set dhcpd_pxe.boot_files instead"
    ),
    "next-server": "next-server is not an option: set dhcpd_pxe.next_server",
    "filename": "filename is not an option: set dhcpd_pxe.boot_files",
}
INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "uint16": (0, 2**16 - 1),
    "uint8": (0, 255),
}

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_MAC_RE = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
_HBA_RE = re.compile(r"^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$")
_PERMIT_WORDS = {
    "known-clients": "known",
    "known clients": "known",
    "unknown-clients": "unknown",
    "unknown clients": "unknown",
    "all clients": "all",
    "dynamic bootp clients": "bootp",
    "authenticated clients": "other",
    "unauthenticated clients": "other",
}
_MEMBERS_RE = re.compile(r'^members of "([^"\\;{}]+)"$')
_AFTER_RE = re.compile(r"^after [0-9] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$")
_FORBIDDEN = re.compile(r'[;{}\n\r"\\#]')

# The kinds of client whose admission to each pool is worked out.
KIND_DHCP = "plain DHCP clients"
KIND_PXE = "PXE clients"
KIND_HTTP = "UEFI HTTP boot clients"
KIND_BOOTP = "BOOTP clients"


class ModelError(ValueError):
    """Raised with every problem found in a network description."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = ["%s: %s" % (p, m) for p, m in self.problems]
        super().__init__(
            "%d problem%s in the DHCP network description:\n  - %s"
            % (len(lines), "" if len(lines) == 1 else "s", "\n  - ".join(lines))
        )


@dataclass
class Peer:
    host: str
    address: str
    port: int


@dataclass
class Failover:
    name: str
    primary: Peer
    secondary: Peer
    mclt: int
    split: int | None
    hba: str | None
    max_response_delay: int
    max_unacked_updates: int
    load_balance_max_seconds: int
    auto_partner_down: int
    tuning: list  # [(statement, value)] optional settings, written as given


@dataclass
class Pool:
    path: str
    ranges: list  # [(IPv4Address, IPv4Address)]
    failover: bool
    pxe: bool
    bootp: bool
    allow: list
    deny: list
    served_by: str
    options: list
    statements: list

    def size(self):
        return sum(int(b) - int(a) + 1 for a, b in self.ranges)


@dataclass
class Subnet:
    path: str
    network: ipaddress.IPv4Network
    options: list
    statements: list
    pools: list


@dataclass
class SharedNetwork:
    path: str
    name: str
    options: list
    subnets: list


@dataclass
class HostReservation:
    path: str
    name: str
    mac: str
    address: str | None
    options: list
    statements: list


@dataclass
class ClientClass:
    name: str
    match: str
    options: list
    statements: list


@dataclass
class Pxe:
    enabled: bool
    mode: str
    next_server: str | None
    boot_files: dict
    ipxe_script: str | None
    lease_time: int | None
    concurrent_clients: int


@dataclass
class Model:
    failover: Failover | None
    authoritative: bool
    statements: list
    options: list
    classes: list
    shared_networks: list  # SharedNetwork, including one unnamed per plain subnet
    hosts: list
    pxe: Pxe
    omapi: dict | None = None
    all_pools: list = field(default_factory=list)


class _Checker:
    """Collects problems while walking the description."""

    def __init__(self):
        self.problems = []

    def add(self, path, message):
        self.problems.append((path, message))

    # -- generic readers ---------------------------------------------------
    def mapping(self, value, path, allowed, required=()):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.add(path, "must be a mapping (key: value), got %s" % _type_name(value))
            return None
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), list(allowed), n=1)
                self.add(
                    "%s.%s" % (path, key),
                    "unknown setting"
                    + (" (did you mean %r?)" % hint[0] if hint else "")
                    + "; allowed here: %s" % ", ".join(sorted(allowed)),
                )
        for key in required:
            if value.get(key) in (None, ""):
                self.add("%s.%s" % (path, key), "is required")
        return value

    def sequence(self, value, path):
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            self.add(path, "must be a list, got %s" % _type_name(value))
            return []
        return list(value)

    def integer(self, value, path, low=None, high=None, default=None):
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
                value = int(value)
            else:
                self.add(path, "must be a whole number, got %r" % (value,))
                return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.add(path, "must be between %s and %s, got %s" % (low, high, value))
            return default
        return value

    def boolean(self, value, path, default):
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("yes", "true", "no", "false"):
            return value.lower() in ("yes", "true")
        self.add(path, "must be true or false, got %r" % (value,))
        return default

    def name(self, value, path, what="name"):
        if not isinstance(value, str) or not _NAME_RE.match(value):
            self.add(
                path,
                "%s %r must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"
                % (what, value),
            )
            return None
        return value

    def ip(self, value, path):
        try:
            return ipaddress.IPv4Address(str(value).strip())
        except (ipaddress.AddressValueError, ValueError):
            self.add(path, "%r is not an IPv4 address" % (value,))
            return None

    def text(self, value, path):
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.add(path, "must be a string, got %s" % _type_name(value))
            return None
        value = str(value)
        if _FORBIDDEN.search(value):
            self.add(path, "%r may not contain quotes, backslashes, ';', '{', '}', '#' or line breaks" % value)
            return None
        return value

    # -- options -----------------------------------------------------------
    def options(self, value, path):
        """Return [(name, formatted value)] for an options mapping."""
        out = []
        value = value if value is not None else {}
        if not isinstance(value, dict):
            self.add(path, "must be a mapping of dhcpd option names to values, got %s" % _type_name(value))
            return out
        for name in sorted(value, key=str):
            opath = "%s.%s" % (path, name)
            raw = value[name]
            if name in OPTION_HINTS:
                self.add(opath, OPTION_HINTS[name])
                continue
            kind = OPTION_TYPES.get(name)
            if kind is None:
                hint = difflib.get_close_matches(str(name), list(OPTION_TYPES), n=1)
                self.add(
                    opath,
                    "dhcpd has no option named %r%s (see dhcp-options(5)); the collection accepts: %s"
                    % (name, " (did you mean %r?)" % hint[0] if hint else "", ", ".join(sorted(OPTION_TYPES))),
                )
                continue
            formatted = self._option_value(kind, raw, opath)
            if formatted is not None:
                out.append((name, formatted))
        return out

    def _option_value(self, kind, raw, path):
        if kind in ("ip-list", "ip"):
            items = raw if isinstance(raw, (list, tuple)) else [x for x in str(raw).replace(",", " ").split()]
            if kind == "ip" and len(items) != 1:
                self.add(path, "takes exactly one IPv4 address, got %r" % (raw,))
                return None
            if not items:
                self.add(path, "needs at least one IPv4 address")
                return None
            addrs = [self.ip(i, path) for i in items]
            if None in addrs:
                return None
            return ", ".join(str(a) for a in addrs)
        if kind == "text":
            text = self.text(raw, path)
            return None if text is None else '"%s"' % text
        if kind == "domain-list":
            items = raw if isinstance(raw, (list, tuple)) else str(raw).replace(",", " ").split()
            bad = [i for i in items if not isinstance(i, str) or not _DOMAIN_RE.match(i)]
            if bad or not items:
                self.add(path, "must be a list of domain names, got %r" % (raw,))
                return None
            return ", ".join('"%s"' % i for i in items)
        if kind == "flag":
            flag = self.boolean(raw, path, None)
            return None if flag is None else ("true" if flag else "false")
        low, high = INT_RANGES[kind]
        number = self.integer(raw, path, low, high)
        return None if number is None else str(number)

    def lease_statements(self, value, path):
        """default/max/min lease time keys shared by every scope."""
        out = []
        for key in ("default_lease_time", "max_lease_time", "min_lease_time"):
            if value.get(key) is not None:
                n = self.integer(value.get(key), "%s.%s" % (path, key), 0, 2**32 - 1)
                if n is not None:
                    out.append((key.replace("_", "-"), str(n)))
        return out


def _type_name(value):
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


_LEASE_KEYS = ("default_lease_time", "max_lease_time", "min_lease_time")
_TOP_KEYS = (
    "dhcpd_failover",
    "dhcpd_subnets",
    "dhcpd_shared_networks",
    "dhcpd_hosts",
    "dhcpd_classes",
    "dhcpd_pxe",
    "dhcpd_options",
    "dhcpd_authoritative",
    "dhcpd_default_lease_time",
    "dhcpd_max_lease_time",
    "dhcpd_min_lease_time",
    "dhcpd_omapi",
)
_PEER_KEYS = ("host", "address", "port")
_PRIMARY_ONLY = ("mclt", "split", "hba")
_FAILOVER_KEYS = (
    "name",
    "primary",
    "secondary",
    "mclt",
    "split",
    "hba",
    "max_response_delay",
    "max_unacked_updates",
    "load_balance_max_seconds",
    "auto_partner_down",
    "max_lease_misbalance",
    "max_lease_ownership",
    "min_balance",
    "max_balance",
)
_SUBNET_KEYS = ("network", "options", "pools") + _LEASE_KEYS
_POOL_KEYS = ("range", "ranges", "failover", "pxe", "bootp", "allow", "deny", "served_by", "options") + _LEASE_KEYS
_HOST_KEYS = ("name", "mac", "address", "options", "boot_file")
_CLASS_KEYS = ("name", "match", "options") + _LEASE_KEYS
_PXE_KEYS = (
    "enabled",
    "mode",
    "next_server",
    "boot_files",
    "ipxe_script",
    "lease_time",
    "concurrent_clients",
)
_OMAPI_KEYS = ("port", "key_name", "key_secret", "algorithm")


def parse_model(variables, hosts=None):
    """Check and normalise a network description.

    ``variables``: mapping of the ``dhcpd_*`` inventory variables.
    ``hosts``: optional mapping of inventory hostname to address, used to
    check the failover peers' hosts and to resolve ``dhcpd_pxe.next_server``.
    Raises ModelError listing every problem.
    """
    c = _Checker()
    if not isinstance(variables, dict):
        raise ModelError([("(input)", "the network description must be a mapping of dhcpd_* variables, got %s" % _type_name(variables))])
    for key in variables:
        if key not in _TOP_KEYS:
            hint = difflib.get_close_matches(str(key), list(_TOP_KEYS), n=1)
            c.add(str(key), "unknown variable" + (" (did you mean %r?)" % hint[0] if hint else ""))
    if hosts is not None and not isinstance(hosts, dict):
        c.add("(hosts)", "the hosts argument must map inventory hostnames to addresses")
        hosts = None

    failover = _parse_failover(c, variables.get("dhcpd_failover"), hosts)
    classes = _parse_classes(c, variables.get("dhcpd_classes"))
    class_names = {k.name for k in classes} | set(BUILTIN_CLASSES)
    pxe = _parse_pxe(c, variables.get("dhcpd_pxe"), hosts)

    shared = []
    plain = c.sequence(variables.get("dhcpd_subnets"), "dhcpd_subnets")
    for i, raw in enumerate(plain):
        sub = _parse_subnet(c, raw, "dhcpd_subnets[%d]" % i, failover, pxe, class_names)
        if sub:
            shared.append(SharedNetwork(path=sub.path, name=None, options=[], subnets=[sub]))
    for i, raw in enumerate(c.sequence(variables.get("dhcpd_shared_networks"), "dhcpd_shared_networks")):
        path = "dhcpd_shared_networks[%d]" % i
        raw = c.mapping(raw, path, ("name", "subnets", "options"), required=("name", "subnets"))
        if raw is None:
            continue
        name = c.name(raw.get("name"), path + ".name", "shared-network name") if raw.get("name") else None
        subs = []
        for j, rs in enumerate(c.sequence(raw.get("subnets"), path + ".subnets")):
            sub = _parse_subnet(c, rs, "%s.subnets[%d]" % (path, j), failover, pxe, class_names)
            if sub:
                subs.append(sub)
        shared.append(SharedNetwork(path=path, name=name, options=c.options(raw.get("options"), path + ".options"), subnets=subs))

    subnets = [s for sn in shared for s in sn.subnets]
    if not subnets:
        c.add("dhcpd_subnets", "no subnet is declared: add at least one entry to dhcpd_subnets (or dhcpd_shared_networks)")
    _check_networks(c, subnets)
    pools = [p for s in subnets for p in s.pools]
    _check_ranges(c, subnets)
    _check_failover_pools(c, failover, pools)
    _check_pxe_reach(c, pxe, subnets, classes)

    hosts_out = _parse_hosts(c, variables.get("dhcpd_hosts"), subnets, pxe)
    authoritative = c.boolean(variables.get("dhcpd_authoritative"), "dhcpd_authoritative", True)
    global_options = c.options(variables.get("dhcpd_options"), "dhcpd_options")
    statements = []
    for key in ("dhcpd_default_lease_time", "dhcpd_max_lease_time", "dhcpd_min_lease_time"):
        if variables.get(key) is not None:
            n = c.integer(variables.get(key), key, 0, 2**32 - 1)
            if n is not None:
                statements.append((key[len("dhcpd_"):].replace("_", "-"), str(n)))
    omapi = _parse_omapi(c, variables.get("dhcpd_omapi"))

    if c.problems:
        raise ModelError(c.problems)
    return Model(
        failover=failover,
        authoritative=authoritative,
        statements=statements,
        options=global_options,
        classes=classes,
        shared_networks=shared,
        hosts=hosts_out,
        pxe=pxe,
        omapi=omapi,
        all_pools=pools,
    )


def _parse_failover(c, raw, hosts):
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
                        "the collection writes them on the primary only, as dhcpd requires: move %s up to dhcpd_failover.%s"
                        % (key, key),
                    )
            for key in ("load_balance_max_seconds", "max_response_delay", "max_unacked_updates"):
                if key in praw:
                    c.add("%s.%s" % (spath, key), "set %s once in dhcpd_failover; both peers are given the same value" % key)
            praw = {k: v for k, v in praw.items() if k not in _PRIMARY_ONLY + ("load_balance_max_seconds", "max_response_delay", "max_unacked_updates")}
        praw = c.mapping(praw, spath, _PEER_KEYS, required=("host", "address")) if praw is not None else None
        if praw is None:
            continue
        host = praw.get("host")
        if host is not None and not isinstance(host, str):
            c.add(spath + ".host", "must be an inventory hostname (a string)")
            host = None
        if host and hosts is not None and host not in hosts:
            close = difflib.get_close_matches(host, list(hosts), n=1)
            c.add(
                spath + ".host",
                "%r is not a host in the inventory%s; name the inventory host that runs the %s dhcpd"
                % (host, " (did you mean %r?)" % close[0] if close else "", side),
            )
        address = c.ip(praw.get("address"), spath + ".address") if praw.get("address") else None
        port = c.integer(praw.get("port"), spath + ".port", 1, 65535, default=647)
        if address is not None and host:
            peers[side] = Peer(host=host, address=str(address), port=port)
    if len(peers) == 2:
        if peers["primary"].host == peers["secondary"].host:
            c.add(path + ".secondary.host", "the primary and the secondary must be different hosts (both are %r)" % peers["primary"].host)
        if peers["primary"].address == peers["secondary"].address:
            c.add(path + ".secondary.address", "the primary and the secondary must have different addresses")
    mclt = c.integer(raw.get("mclt"), path + ".mclt", 1, 2**32 - 1)
    split = raw.get("split")
    hba = raw.get("hba")
    if split is not None and hba is not None:
        c.add(path + ".split", "set exactly one of split and hba, not both (dhcpd.conf(5)); split 128 shares the clients evenly")
    elif split is None and hba is None:
        c.add(path + ".split", "the primary needs split (0-256) or hba: add split: 128 to share the clients evenly")
    if split is not None:
        split = c.integer(split, path + ".split", 0, 256)
    if hba is not None:
        if not isinstance(hba, str) or not _HBA_RE.match(hba):
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
    apd = c.integer(raw.get("auto_partner_down"), path + ".auto_partner_down", 0, 2**31 - 1, default=0)
    tuning = []
    values = {}
    for key in ("max_lease_misbalance", "max_lease_ownership", "min_balance", "max_balance"):
        if raw.get(key) is not None:
            n = c.integer(raw.get(key), "%s.%s" % (path, key), 0, 2**31 - 1)
            if n is not None:
                values[key] = n
                tuning.append((key.replace("_", "-"), n))
    own = values.get("max_lease_ownership", 10)
    mis = values.get("max_lease_misbalance", 15)
    if ("max_lease_ownership" in values or "max_lease_misbalance" in values) and not own < mis:
        c.add(path + ".max_lease_ownership", "must be lower than max_lease_misbalance (%s >= %s); defaults are 10 and 15" % (own, mis))
    if values.get("min_balance", 60) > values.get("max_balance", 3600):
        c.add(path + ".min_balance", "must not exceed max_balance")
    if name is None or len(peers) != 2 or mclt is None or (split is None and hba is None):
        return None
    return Failover(
        name=name,
        primary=peers["primary"],
        secondary=peers["secondary"],
        mclt=mclt,
        split=split,
        hba=hba,
        max_response_delay=mrd,
        max_unacked_updates=muu,
        load_balance_max_seconds=lbms if lbms is not None else 3,
        auto_partner_down=apd,
        tuning=tuning,
    )


def _parse_classes(c, raw):
    out = []
    seen = set()
    for i, item in enumerate(c.sequence(raw, "dhcpd_classes")):
        path = "dhcpd_classes[%d]" % i
        item = c.mapping(item, path, _CLASS_KEYS, required=("name", "match"))
        if item is None:
            continue
        name = item.get("name")
        if name in BUILTIN_CLASSES:
            c.add(path + ".name", "class %r is declared by the collection itself (PXE handling); pick another name" % name)
            continue
        name = c.name(name, path + ".name", "class name") if name else None
        match = item.get("match")
        if match is not None:
            if not isinstance(match, str) or re.search(r"[;{}\n\r#]", match):
                c.add(path + ".match", "must be one dhcpd match expression without ';', '{', '}' or line breaks, for example: option user-class = \"lab\"")
                match = None
            else:
                match = match.strip()
                if match.startswith("match if "):
                    match = match[len("match if "):]
        if name in seen:
            c.add(path + ".name", "class %r is declared twice" % name)
        if name and match:
            seen.add(name)
            out.append(
                ClientClass(
                    name=name,
                    match=match,
                    options=c.options(item.get("options"), path + ".options"),
                    statements=c.lease_statements(item, path),
                )
            )
    if len(out) + len(BUILTIN_CLASSES) > 5:
        # dhcpd applies at most five matching classes per packet (class.c).
        c.add("dhcpd_classes", "at most %d classes may be declared next to the collection's two PXE classes: dhcpd applies only 5 matching classes to a client and logs 'too many classes match' past that" % (5 - len(BUILTIN_CLASSES)))
    return out


def _parse_pxe(c, raw, hosts):
    path = "dhcpd_pxe"
    if raw in (None, {}):
        return Pxe(False, "failover", None, dict(DEFAULT_BOOT_FILES), None, None, 4)
    raw = c.mapping(raw, path, _PXE_KEYS)
    if raw is None:
        return Pxe(False, "failover", None, dict(DEFAULT_BOOT_FILES), None, None, 4)
    enabled = c.boolean(raw.get("enabled"), path + ".enabled", True)
    mode = raw.get("mode", "failover")
    if mode not in PXE_MODES:
        c.add(path + ".mode", "must be one of %s, got %r" % (", ".join(PXE_MODES), mode))
        mode = "failover"
    next_server = None
    ns = raw.get("next_server")
    if ns in (None, ""):
        if enabled:
            c.add(
                path + ".next_server",
                "boot files are served without a next-server, so clients would ask 0.0.0.0 for them: "
                "set it to the TFTP server's inventory hostname or IPv4 address",
            )
    else:
        try:
            next_server = str(ipaddress.IPv4Address(str(ns)))
        except ValueError:
            if hosts is not None and isinstance(ns, str) and ns in hosts and hosts[ns]:
                try:
                    next_server = str(ipaddress.IPv4Address(str(hosts[ns])))
                except ValueError:
                    c.add(path + ".next_server", "inventory host %r has address %r, which is not IPv4: set tftp_server_address in its host_vars" % (ns, hosts[ns]))
            else:
                c.add(
                    path + ".next_server",
                    "%r is neither an IPv4 address nor an inventory host with an address: "
                    "use the TFTP server's inventory hostname (with tftp_server_address or ansible_host set) or its IPv4 address" % (ns,),
                )
    files = dict(DEFAULT_BOOT_FILES)
    fraw = c.mapping(raw.get("boot_files"), path + ".boot_files", tuple(DEFAULT_BOOT_FILES))
    for key, value in (fraw or {}).items():
        if key not in DEFAULT_BOOT_FILES:
            continue
        fpath = "%s.boot_files.%s" % (path, key)
        if value in (None, ""):
            files[key] = None
            continue
        value = c.text(value, fpath)
        if value is None:
            continue
        if key.startswith("http_") and not re.match(r"^https?://", value):
            c.add(fpath, "UEFI HTTP boot needs a full http:// or https:// URL, got %r" % value)
            continue
        if not key.startswith("http_") and re.match(r"^[a-z]+://", value):
            c.add(fpath, "a PXE boot file is a path on the TFTP server, not a URL (%r); URLs go in http_x64/http_arm64" % value)
            continue
        files[key] = value
    if enabled:
        for key in ("bios", "uefi_x64"):
            if not files.get(key):
                c.add("%s.boot_files.%s" % (path, key), "is required when PXE is enabled (option 93 value %s)" % ("0" if key == "bios" else "7 and 9"))
    ipxe = raw.get("ipxe_script")
    if ipxe is not None:
        ipxe = c.text(ipxe, path + ".ipxe_script")
    lease = c.integer(raw.get("lease_time"), path + ".lease_time", 30, 2**31 - 1)
    conc = c.integer(raw.get("concurrent_clients"), path + ".concurrent_clients", 1, 100000, default=4)
    return Pxe(enabled, mode, next_server, files, ipxe, lease, conc)


def _parse_range(c, value, path):
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


def _parse_subnet(c, raw, path, failover, pxe, class_names):
    raw = c.mapping(raw, path, _SUBNET_KEYS, required=("network",))
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
    sub = Subnet(path=path, network=network, options=c.options(raw.get("options"), path + ".options"), statements=c.lease_statements(raw, path), pools=[])
    for i, praw in enumerate(c.sequence(raw.get("pools"), path + ".pools")):
        pool = _parse_pool(c, praw, "%s.pools[%d]" % (path, i), network, failover, pxe, class_names)
        if pool:
            sub.pools.append(pool)
    return sub


def _parse_pool(c, raw, path, network, failover, pxe, class_names):
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
        rng = _parse_range(c, value, rpath)
        if rng is None:
            continue
        if rng[0] not in network or rng[1] not in network:
            c.add(rpath, "%s - %s is not inside the subnet %s: move the range into the subnet or fix the subnet's network" % (rng[0], rng[1], network))
            continue
        if network.prefixlen < 31 and (rng[0] == network.network_address or rng[1] == network.broadcast_address):
            c.add(rpath, "%s - %s includes the network or broadcast address of %s: start at %s and end at %s at the widest" % (rng[0], rng[1], network, network.network_address + 1, network.broadcast_address - 1))
            continue
        ranges.append((rng, rpath))
    is_pxe = c.boolean(raw.get("pxe"), path + ".pxe", False)
    default_failover = failover is not None and not is_pxe
    fo = c.boolean(raw.get("failover"), path + ".failover", default_failover)
    bootp = c.boolean(raw.get("bootp"), path + ".bootp", False)
    if fo and raw.get("failover") is not None and failover is None and raw.get("failover"):
        c.add(path + ".failover", "the pool asks for failover but dhcpd_failover is not set: define the failover relationship or set failover: false")
    if is_pxe and fo:
        c.add(path + ".pxe", "a PXE-only pool is served by one peer outside failover: set failover: false on it (in dhcpd_pxe.mode failover, PXE clients use the failover pools and need no pool of their own)")
    if is_pxe and pxe.mode != "primary_only":
        c.add(path + ".pxe", "a PXE-only pool is used only with dhcpd_pxe.mode: primary_only; in the default mode PXE clients are served from the failover pools by both peers: remove pxe: true (or set the mode)")
    if bootp and fo and failover is not None:
        c.add(
            path + ".bootp",
            "dynamic BOOTP is not allowed in a failover pool (dhcpd: 'dynamic-bootp flag is not permitted for address range declarations where there is a failover peer in scope'): "
            "put BOOTP clients in a pool with failover: false",
        )
    served_by = raw.get("served_by", "primary")
    if served_by not in ("primary", "secondary"):
        c.add(path + ".served_by", "must be primary or secondary (a non-failover pool is served by one peer only, or both peers would hand out the same addresses)")
        served_by = "primary"
    if raw.get("served_by") is not None and fo:
        c.add(path + ".served_by", "only pools with failover: false are served by one peer; failover pools are on both")
    allow = _parse_permits(c, raw.get("allow"), path + ".allow", class_names)
    deny = _parse_permits(c, raw.get("deny"), path + ".deny", class_names)
    if pxe.enabled and pxe.mode == "primary_only":
        # Pools are not exclusive of each other (dhcp.c): the PXE pool must
        # allow the boot classes and every other pool must deny them.
        for cls in (PXE_CLASS, HTTP_CLASS):
            permit = ("members", cls, 'members of "%s"' % cls)
            if is_pxe:
                if permit not in allow:
                    allow.append(permit)
            elif permit in allow:
                c.add(
                    path + ".allow",
                    "in dhcpd_pxe.mode primary_only only the pool with pxe: true may admit members of \"%s\"; "
                    "this pool must keep them out (the collection denies them here): remove the allow" % cls,
                )
            elif permit not in deny:
                deny.append(permit)
        if is_pxe and bootp and ("bootp", None, "dynamic bootp clients") not in allow:
            allow.append(("bootp", None, "dynamic bootp clients"))
    return Pool(
        path=path,
        ranges=[r for r, _ in ranges],
        failover=bool(fo and failover is not None),
        pxe=is_pxe,
        bootp=bootp,
        allow=allow,
        deny=deny,
        served_by=served_by,
        options=c.options(raw.get("options"), path + ".options"),
        statements=c.lease_statements(raw, path),
    ) if specs else None


def _parse_permits(c, raw, path, class_names):
    out = []
    for i, item in enumerate(c.sequence(raw, path)):
        ipath = "%s[%d]" % (path, i)
        if not isinstance(item, str):
            c.add(ipath, "must be a permit string such as 'members of \"lab\"' or 'unknown-clients'")
            continue
        text = " ".join(item.split())
        m = _MEMBERS_RE.match(text)
        if m:
            if m.group(1) not in class_names:
                c.add(ipath, "class %r is not declared (dhcpd: 'no such class'): add it to dhcpd_classes, or use the collection's classes \"pxe\"/\"httpboot\"" % m.group(1))
                continue
            out.append(("members", m.group(1), text))
        elif text in _PERMIT_WORDS:
            out.append((_PERMIT_WORDS[text], None, text))
        elif _AFTER_RE.match(text):
            out.append(("other", None, text))
        else:
            c.add(ipath, "%r is not a dhcpd permit; use one of: members of \"CLASS\", known-clients, unknown-clients, all clients, dynamic bootp clients, authenticated clients, unauthenticated clients, after DATE" % item)
    return out


# -- cross checks ----------------------------------------------------------

def _sweep_overlaps(spans):
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


def _check_networks(c, subnets):
    spans = sorted(
        ((int(s.network.network_address), int(s.network.broadcast_address), s) for s in subnets),
        key=lambda t: (t[0], -t[1]),
    )
    for sub, other in _sweep_overlaps(spans):
        c.add(sub.path + ".network", "%s overlaps %s declared at %s: each address belongs to one subnet" % (sub.network, other.network, other.path))


class _Spans:
    """Sorted, disjoint address spans with a bisect look-up."""

    def __init__(self, spans):
        self.spans = sorted(spans)
        self.starts = [s[0] for s in self.spans]

    def find(self, addr):
        i = bisect.bisect_right(self.starts, addr) - 1
        if i >= 0 and self.spans[i][0] <= addr <= self.spans[i][1]:
            return self.spans[i]
        return None


def _check_ranges(c, subnets):
    spans = sorted(
        (int(a), int(b), (pool.path, a, b)) for sub in subnets for pool in sub.pools for a, b in pool.ranges
    )
    for (path, first, last), (other_path, _, _) in _sweep_overlaps(spans):
        c.add(path, "range %s - %s overlaps a range in %s (dhcpd: 'lease ... is declared twice!'): make the ranges disjoint" % (first, last, other_path))


def _check_failover_pools(c, failover, pools):
    if failover is None:
        return
    if not any(p.failover for p in pools):
        c.add(
            "dhcpd_failover",
            "no pool refers to the failover peer (dhcpd: 'Failover peer %s has no referring pools'): give at least one pool failover: true, which is the default" % failover.name,
        )


def _admits(pool, kind, classes):
    """Can a client of this kind get an address from the pool?"""
    def matches(permit):
        what, name, _ = permit
        if what == "all":
            return True
        if what == "bootp":
            return kind == KIND_BOOTP
        if what == "members":
            return _class_matches(name, kind, classes)
        return None  # depends on the client (known, unknown, after ...)
    if kind == KIND_BOOTP and not pool.bootp and not any(p[0] == "bootp" for p in pool.allow):
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
            expr = " ".join(k.match.split()).lower()
            if expr in ("exists dhcp-message-type", "exists option dhcp-message-type"):
                # PXE ROMs send option 53 too: every DHCP client matches.
                return kind != KIND_BOOTP
            if '"pxeclient"' in expr:
                return kind == KIND_PXE
            return None
    return None


def _check_pxe_reach(c, pxe, subnets, classes):
    """Every pool must serve the clients it exists for, and PXE clients need a pool."""
    for sub in subnets:
        for pool in sub.pools:
            purpose = KIND_PXE if pool.pxe else (KIND_BOOTP if pool.bootp and not pool.failover else KIND_DHCP)
            if not _admits(pool, purpose, classes):
                culprit = [p[2] for p in pool.deny if p[0] == "members" and _class_matches(p[1], purpose, classes)]
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
            if not any(p.failover or not p.pxe for p in sub.pools if _admits(p, KIND_PXE, classes)):
                c.add(sub.path + ".pools", "no pool admits PXE clients, so they get 'no free leases' (or 'peer holds all free leases'): in dhcpd_pxe.mode failover, do not deny members of \"pxe\" in the failover pools")
        else:
            pxe_pools = [p for p in sub.pools if p.pxe]
            if not pxe_pools:
                c.add(sub.path + ".pools", "dhcpd_pxe.mode is primary_only but this subnet has no pool with pxe: true and failover: false: add one, or use mode failover")
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


def _parse_hosts(c, raw, subnets, pxe):
    out = []
    names, macs, addrs = {}, {}, {}
    ranges = _Spans((int(a), int(b), p.path) for s in subnets for p in s.pools for a, b in p.ranges)
    networks = _Spans((int(s.network.network_address), int(s.network.broadcast_address), s.path) for s in subnets)
    for i, item in enumerate(c.sequence(raw, "dhcpd_hosts")):
        path = "dhcpd_hosts[%d]" % i
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
        address = None
        if item.get("address") is not None:
            addr = c.ip(item.get("address"), path + ".address")
            if addr is not None:
                if networks.find(int(addr)) is None:
                    c.add(path + ".address", "%s is in none of the declared subnets: dhcpd would never hand it out" % addr)
                span = ranges.find(int(addr))
                if span is not None:
                    c.add(path + ".address", "%s lies inside the dynamic range of %s: a reservation must be outside every pool, or both peers may lease it to another client" % (addr, span[2]))
                address = str(addr)
        for key, table, what in ((name, names, "name"), (mac, macs, "MAC address"), (address, addrs, "address")):
            if key is None:
                continue
            if key in table:
                c.add(path + "." + ("mac" if what == "MAC address" else what), "the %s %s is already used by %s" % (what, key, table[key]))
            else:
                table[key] = path
        boot = item.get("boot_file")
        statements = []
        if boot is not None:
            boot = c.text(boot, path + ".boot_file")
            if boot is not None:
                if not pxe.next_server:
                    c.add(path + ".boot_file", "a boot file needs a next-server: set dhcpd_pxe.next_server")
                statements.append(("filename", '"%s"' % boot))
        if name and mac:
            out.append(HostReservation(path=path, name=name, mac=mac, address=address, options=c.options(item.get("options"), path + ".options"), statements=statements))
    return out


def _parse_omapi(c, raw):
    if raw in (None, {}):
        return None
    path = "dhcpd_omapi"
    raw = c.mapping(raw, path, _OMAPI_KEYS, required=("key_name", "key_secret"))
    if raw is None:
        return None
    port = c.integer(raw.get("port"), path + ".port", 1, 65535, default=7911)
    name = c.name(raw.get("key_name"), path + ".key_name", "key name") if raw.get("key_name") else None
    secret = raw.get("key_secret")
    if secret is not None and (not isinstance(secret, str) or not re.fullmatch(r"[A-Za-z0-9+/=]{16,}", secret)):
        c.add(path + ".key_secret", "must be a base64 secret (for example from: openssl rand -base64 32)")
        secret = None
    algorithm = raw.get("algorithm", "hmac-sha256")
    if algorithm not in ("hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"):
        c.add(path + ".algorithm", "must be one of hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512")
    if not (name and secret):
        return None
    return {"port": port, "key_name": name, "key_secret": secret, "algorithm": algorithm}
