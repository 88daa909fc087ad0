# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One reader per part of the network description; typed results only.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from ._dhcpd_checker import did_you_mean
from ._dhcpd_options import read_options
from ._dhcpd_types import HOST_RE, ipv4_int, read_value
from ._dhcpd_vocab import MANAGED_STATEMENTS

PEER_ROLES = ("primary", "secondary", "standalone")
PXE_MODES = ("failover", "primary_only")
CLIENTS = ("pxe", "all")
DDNS_STYLES = ("none", "interim", "standard")
KEY_ALGORITHMS = ("hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512")

# Names of the classes the collection declares itself.
PXE_CLASS = "pxe"
HTTP_CLASS = "httpboot"
BUILTIN_CLASSES = (PXE_CLASS, HTTP_CLASS)
MAX_CLASSES = 5  # dhcpd applies at most 5 matching classes to one packet

# Option 93 (client system architecture) values, IANA registry. 9 is also
# treated as x64 UEFI (RFC 4578 erratum 4624: firmware sends 7 or 9).
ARCHES = (
    # key in boot_files, option 93 codes, description
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
BOOT_FILE_KEYS = tuple(k for k, _, _ in ARCHES + HTTP_ARCHES) + ("other",)
DEFAULT_BOOT_FILES = {"bios": "pxelinux.0", "uefi_x64": "shimx64.efi"}

LEASE_KEYS = ("default_lease_time", "max_lease_time", "min_lease_time")
_SCOPE_KEYS = ("options", "statements", "pxe") + LEASE_KEYS
_PEER_KEYS = ("host", "address", "port")
_PRIMARY_ONLY = ("mclt", "split", "hba")
_SHARED_TIMERS = ("load_balance_max_seconds", "max_response_delay", "max_unacked_updates")
_FAILOVER_KEYS = ("name", "primary", "secondary") + _PRIMARY_ONLY + _SHARED_TIMERS + (
    "auto_partner_down",
    "max_lease_misbalance",
    "max_lease_ownership",
    "min_balance",
    "max_balance",
)
_POOL_KEYS = ("range", "ranges", "failover", "bootp", "allow", "deny", "served_by") + _SCOPE_KEYS
_HOST_KEYS = ("name", "mac", "address", "next_server", "boot_file") + _SCOPE_KEYS
_CLASS_KEYS = ("name", "match", "spawn_with", "subclasses") + _SCOPE_KEYS
_SUBCLASS_KEYS = ("match_value", "options", "statements") + LEASE_KEYS
_PXE_KEYS = ("enabled", "mode", "next_server", "boot_files", "ipxe_script", "lease_time", "concurrent_clients", "clients")
_SCOPE_PXE_KEYS = ("next_server", "boot_files", "ipxe_script", "clients")
_OMAPI_KEYS = ("port", "key_name", "key_secret", "algorithm")
_DDNS_KEYS = ("style", "updates", "update_static_leases", "domain_name", "rev_domain_name", "keys", "zones")

_MAC_RE = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
_HBA_RE = re.compile(r"^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")
_PERMITS = {
    "known-clients": "known",
    "known clients": "known",
    "unknown-clients": "unknown",
    "unknown clients": "unknown",
    "all clients": "all",
    "dynamic bootp clients": "bootp",
    "authenticated clients": "authenticated",
    "unauthenticated clients": "unauthenticated",
}
_MEMBERS_RE = re.compile(r'^members of "([^"\\;{}]+)"$')
_AFTER_RE = re.compile(r"^after ([0-9] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})$")

# The kinds of client whose admission to each pool is worked out.
KIND_DHCP = "plain DHCP clients"
KIND_PXE = "PXE clients"
KIND_HTTP = "UEFI HTTP boot clients"
KIND_BOOTP = "BOOTP clients"

SELF = ("self", None)


# -- typed results -----------------------------------------------------------

@dataclass
class Peer:
    host: str
    address: tuple  # ("ip", "10.4.7.9") or ("host", "dhcp1.example.com")
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
    tuning: list  # [(statement keyword, int)]


@dataclass
class Boot:
    """Boot settings in force in a scope (inherited values merged in)."""

    next_server: tuple | None  # address atom, SELF, or None
    files: dict  # boot_files key -> file name or URL
    clients: str  # pxe | all
    ipxe_script: str | None


@dataclass
class Scope:
    options: list = field(default_factory=list)  # [OptionSetting]
    lease: list = field(default_factory=list)  # [(keyword, seconds)]
    raw: list = field(default_factory=list)  # [statement text]
    boot: Boot | None = None  # set where the scope has a pxe: mapping


@dataclass
class Permit:
    kind: str  # members known unknown all bootp authenticated unauthenticated after
    value: str | None = None  # class name, or the date of "after"


@dataclass
class Pool:
    path: str
    ranges: list  # [(IPv4Address, IPv4Address)]
    failover: bool
    pxe_only: bool
    bootp: bool
    allow: list
    deny: list
    served_by: str
    scope: Scope

    def size(self):
        return sum(int(b) - int(a) + 1 for a, b in self.ranges)


@dataclass
class Subnet:
    path: str
    network: ipaddress.IPv4Network
    scope: Scope
    pools: list


@dataclass
class SharedNetwork:
    path: str
    name: str | None
    scope: Scope
    subnets: list


@dataclass
class HostReservation:
    path: str
    name: str
    mac: str
    address: tuple | None
    next_server: tuple | None
    boot_file: str | None
    scope: Scope


@dataclass
class Subclass:
    value: tuple  # ("text", ...) or ("hex", ...)
    scope: Scope


@dataclass
class ClientClass:
    path: str
    name: str
    match: str | None  # boolean expression (match if), or data expression with subclasses
    spawn_with: str | None
    subclasses: list
    scope: Scope


@dataclass
class Pxe:
    enabled: bool
    mode: str
    boot: Boot
    lease_time: int | None
    concurrent_clients: int


@dataclass
class DdnsKey:
    name: str
    algorithm: str
    secret: str


@dataclass
class DdnsZone:
    name: str
    primary: tuple
    secondary: tuple | None
    key: str | None


@dataclass
class Ddns:
    style: str
    updates: bool | None
    update_static_leases: bool | None
    domain_name: str | None
    rev_domain_name: str | None
    keys: list
    zones: list


class Context:
    """What the readers share: the checker, the inventory addresses, earlier parts."""

    def __init__(self, checker, hosts, have_hosts):
        self.c = checker
        self.hosts = hosts
        self.have_hosts = have_hosts
        self.vocab = None
        self.failover = None
        self.pxe = None
        self.classes = []

    def literal(self, atom):
        """The IPv4 address (as an integer) behind an address atom, through the inventory for names."""
        if atom is None or atom == SELF:
            return None
        if atom[0] == "ip":
            return ipv4_int(atom[1])
        return ipv4_int(str(self.hosts.get(atom[1], "")).strip())


# -- shared pieces -------------------------------------------------------------

def read_lease_times(c, raw, path_format):
    out = []
    for key in LEASE_KEYS:
        if raw.get(key) is not None:
            n = c.integer(raw.get(key), path_format % key, 0, 2**32 - 1)
            if n is not None:
                out.append((key.replace("_", "-"), n))
    return out


def read_statements(ctx, raw, path, where="scope"):
    """Raw statements: one line each; statements the model manages are refused."""
    c = ctx.c
    out = []
    for i, item in enumerate(c.sequence(raw, path)):
        ipath = "%s[%d]" % (path, i)
        text = c.line(item, ipath)
        if text is None:
            continue
        words = text.split()
        first = words[0].lower()
        key = MANAGED_STATEMENTS.get(first)
        if first in ("not", "authoritative") and "authoritative" not in " ".join(words[:2]).lower():
            key = None
        if first == "peer" and len(words) > 1 and words[1].lower() != "address":
            key = None
        if key is not None:
            c.add(ipath, "%r is written by the collection from its own keys: set %s instead" % (text, key))
            continue
        if where == "pool" and first in ("allow", "deny", "ignore"):
            # dhcpd reads allow/deny in a pool as permits only ('expecting permit type').
            c.add(ipath, "in a pool, allow and deny are permits: put them in the pool's allow/deny lists, where the collection checks which clients each pool serves (other allow/deny statements go in the subnet)")
            continue
        out.append(text)
    return out


def read_includes(c, raw):
    out = []
    for i, item in enumerate(c.sequence(raw, "dhcpd_includes")):
        ipath = "dhcpd_includes[%d]" % i
        if not isinstance(item, str) or not item.startswith("/") or re.search(r'["\\;{}\s]', item):
            c.add(ipath, "must be an absolute path on the DHCP hosts without quotes, spaces or ';', got %r" % (item,))
            continue
        out.append(item)
    return out


def read_address_setting(ctx, value, path, allow_self=True, what="next_server"):
    """next_server-like settings: IPv4, inventory host, FQDN, or self."""
    c = ctx.c
    if value == "self" and allow_self:
        if ctx.failover is None:
            c.add(path, "self means each failover peer's own address, and needs dhcpd_failover: set an address or a host instead")
            return None
        return SELF
    if isinstance(value, str) and value in ctx.hosts:
        try:
            return ("ip", str(ipaddress.IPv4Address(str(ctx.hosts[value]))))
        except ValueError:
            c.add(path, "inventory host %r has address %r, which is not IPv4: set tftp_server_address in its host_vars" % (value, ctx.hosts[value]))
            return None
    try:
        return ("ip", str(ipaddress.IPv4Address(str(value).strip())))
    except ValueError:
        pass
    if isinstance(value, str) and HOST_RE.match(value) and "." in value.rstrip(".") and not re.fullmatch(r"[0-9.]+", value):
        return ("host", value.rstrip("."))
    c.add(
        path,
        "%r is neither an IPv4 address nor an inventory host with an address%s: use the TFTP server's inventory hostname "
        "(with tftp_server_address or ansible_host set), its IPv4 address or a fully qualified DNS name%s"
        % (value, did_you_mean(value, ctx.hosts) if isinstance(value, str) else "", ", or self" if allow_self else ""),
    )
    return None


def read_boot(ctx, raw, path, inherited, keys):
    """A pxe: mapping (or dhcpd_pxe) -> Boot, merged over the inherited settings."""
    c = ctx.c
    raw = c.mapping(raw, path, keys)
    if raw is None:
        return inherited
    base = inherited or Boot(None, {}, "pxe", None)
    next_server = base.next_server
    if raw.get("next_server") not in (None, ""):
        next_server = read_address_setting(ctx, raw.get("next_server"), path + ".next_server")
    clients = c.choice(raw.get("clients"), path + ".clients", CLIENTS, base.clients)
    files = dict(base.files)
    if "boot_files" in raw:
        fraw = c.mapping(raw.get("boot_files"), path + ".boot_files", BOOT_FILE_KEYS)
        for key, value in (fraw or {}).items():
            if key not in BOOT_FILE_KEYS or value in (None, ""):
                files.pop(key, None)
                continue
            fpath = "%s.boot_files.%s" % (path, key)
            value = c.text(value, fpath)
            if value is None:
                continue
            if key.startswith("http_") and not re.match(r"^https?://", value):
                c.add(fpath, "UEFI HTTP boot needs a full http:// or https:// URL, got %r" % value)
                continue
            if not key.startswith("http_") and key != "other" and re.match(r"^[a-z]+://", value):
                c.add(fpath, "a PXE boot file is a path on the TFTP server, not a URL (%r); URLs go in http_x64/http_arm64" % value)
                continue
            files[key] = value
    elif inherited is None:
        files = dict(DEFAULT_BOOT_FILES)
    ipxe = base.ipxe_script
    if raw.get("ipxe_script") is not None:
        ipxe = c.text(raw.get("ipxe_script"), path + ".ipxe_script")
    return Boot(next_server, files, clients, ipxe)


def check_boot_complete(c, boot, path):
    files = list(boot.files.values()) + ([boot.ipxe_script] if boot.ipxe_script else [])
    if not files:
        if boot.clients == "all" and boot.next_server is not None:
            return  # next-server for every client; files come from elsewhere (hosts, includes)
        c.add(path + ".boot_files", "no boot file is set: give at least one (bios, uefi_x64, ... or other)")
    elif boot.next_server is None and not all(re.match(r"^https?://", f) for f in files):
        c.add(
            path + ".next_server",
            "boot files are served without a next-server, so clients would ask 0.0.0.0 for them: "
            "set it to the TFTP server's inventory hostname, its IPv4 address, or self",
        )


def read_scope(ctx, raw, path, inherited_boot, where="scope"):
    """options, statements, lease times and pxe of one scope; returns (Scope, boot in force)."""
    c = ctx.c
    scope = Scope(
        options=read_options(c, ctx.vocab, raw.get("options"), path + ".options"),
        lease=read_lease_times(c, raw, path + ".%s"),
        raw=read_statements(ctx, raw.get("statements"), path + ".statements", where),
    )
    boot = inherited_boot
    if raw.get("pxe") is not None:
        boot = read_boot(ctx, raw.get("pxe"), path + ".pxe", inherited_boot, _SCOPE_PXE_KEYS)
        if boot is not None:
            check_boot_complete(c, boot, path + ".pxe")
            scope.boot = boot
    return scope, boot


# -- the parts -------------------------------------------------------------------

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
            c.add(spath + ".host", "%r is not a host in the inventory%s; name the inventory host that runs the %s dhcpd" % (host, did_you_mean(host, ctx.hosts), side))
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
            c.warn(path, "could not check that the peers' addresses differ: %s is a DNS name that is not an inventory host with an address (dhcpd resolves it once, at start-up)"
                   % (p.address[1] if pa is None else s.address[1]))
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
    apd = c.integer(raw.get("auto_partner_down"), path + ".auto_partner_down", 0, 2**31 - 1, default=0)
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
    return Failover(name, peers["primary"], peers["secondary"], mclt, split, hba, mrd, muu,
                    lbms if lbms is not None else 3, apd, tuning)


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
    boot = read_boot(ctx, raw, path, None, _PXE_KEYS)
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
            match = c.line(item.get("match"), path + ".match", "dhcpd match expression, for example: option user-class = \"lab\",")
            if match and match.startswith("match if "):
                match = match[len("match if "):]
        spawn = c.line(item.get("spawn_with"), path + ".spawn_with", "data expression") if item.get("spawn_with") is not None else None
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
            sscope, _ = read_scope(ctx, {k: v for k, v in sraw.items() if k != "match_value"}, spath, None)
            subclasses.append(Subclass(value, sscope))
        if item.get("subclasses") is not None and match is None and item.get("match") is None:
            c.add(path + ".match", "a class with subclasses needs match: the data expression the subclass values are compared with, "
                  "for example: hardware, or substring (option vendor-class-identifier, 0, 9)")
        if match is None and spawn is None and item.get("subclasses") is None and item.get("match") is None:
            c.add(path + ".match", "is required: a boolean expression (match if ...), or spawn_with, or subclasses with match")
        if spawn is not None and item.get("subclasses") is not None:
            c.add(path + ".spawn_with", "use spawn_with or subclasses, not both: spawned subclasses are made by dhcpd itself")
        if name in seen:
            c.add(path + ".name", "class %r is declared twice" % name)
        scope, _ = read_scope(ctx, item, path, global_boot(ctx))
        if name:
            seen.add(name)
            out.append(ClientClass(path, name, match, spawn, subclasses, scope))
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
    raw = c.mapping(raw, path, ("name", "subnets") + _SCOPE_KEYS, required=("name", "subnets"))
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
    raw = c.mapping(raw, path, ("network", "pools") + _SCOPE_KEYS, required=("network",))
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
            c.add(rpath, "%s - %s is not inside the subnet %s: move the range into the subnet or fix the subnet's network" % (rng[0], rng[1], network))
            continue
        if network.prefixlen < 31 and (rng[0] == network.network_address or rng[1] == network.broadcast_address):
            c.add(rpath, "%s - %s includes the network or broadcast address of %s: start at %s and end at %s at the widest"
                  % (rng[0], rng[1], network, network.network_address + 1, network.broadcast_address - 1))
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
                    "in dhcpd_pxe.mode primary_only only the pool with pxe: true may admit members of \"%s\"; "
                    "this pool must keep them out (the collection denies them here): remove the allow" % cls,
                )
            elif permit not in deny:
                deny.append(permit)
        if is_pxe and bootp and Permit("bootp") not in allow:
            allow.append(Permit("bootp"))
    scope, _ = read_scope(ctx, raw, path, inherited_boot, where="pool")
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
                c.add(ipath, "class %r is not declared (dhcpd: 'no such class'): add it to dhcpd_classes, or use the collection's classes \"pxe\"/\"httpboot\"" % m.group(1))
                continue
            out.append(Permit("members", m.group(1)))
        elif text in _PERMITS:
            out.append(Permit(_PERMITS[text]))
        elif after:
            out.append(Permit("after", after.group(1)))
        else:
            c.add(ipath, "%r is not a dhcpd permit; use one of: members of \"CLASS\", known-clients, unknown-clients, all clients, dynamic bootp clients, authenticated clients, unauthenticated clients, after DATE" % item)
    return out


def read_hosts(ctx, raw, subnets):
    from ._dhcpd_cross import Spans  # noqa: PLC0415 - one-way dependency at call time

    c = ctx.c
    out = []
    names, macs, addrs = {}, {}, {}
    ranges = Spans((int(a), int(b), p.path) for s in subnets for p in s.pools for a, b in p.ranges)
    networks = Spans((int(s.network.network_address), int(s.network.broadcast_address), s.path) for s in subnets)
    unchecked = []
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
        address = literal = None
        if item.get("address") is not None:
            address = c.address(item.get("address"), path + ".address")
            literal = ctx.literal(address)
            if address is not None and literal is None:
                unchecked.append(address[1])
            if literal is not None:
                if networks.find(literal) is None:
                    c.add(path + ".address", "%s is in none of the declared subnets: dhcpd would never hand it out" % ipaddress.IPv4Address(literal))
                span = ranges.find(literal)
                if span is not None:
                    c.add(path + ".address", "%s lies inside the dynamic range of %s: a reservation must be outside every pool, or both peers may lease it to another client" % (ipaddress.IPv4Address(literal), span[2]))
        key_addr = literal if literal is not None else (address[1] if address else None)
        for key, table, what, sub in ((name, names, "name", "name"), (mac, macs, "MAC address", "mac"), (key_addr, addrs, "address", "address")):
            if key is None:
                continue
            if key in table:
                shown = ipaddress.IPv4Address(key) if isinstance(key, int) else key
                c.add(path + "." + sub, "the %s %s is already used by %s" % (what, shown, table[key]))
            else:
                table[key] = path
        next_server = None
        if item.get("next_server") not in (None, ""):
            next_server = read_address_setting(ctx, item.get("next_server"), path + ".next_server")
        boot_file = c.text(item.get("boot_file"), path + ".boot_file") if item.get("boot_file") is not None else None
        if boot_file is not None and next_server is None and item.get("next_server") in (None, ""):
            gboot = global_boot(ctx)
            if gboot is not None and gboot.next_server is not None:
                next_server = gboot.next_server
            else:
                c.add(path + ".boot_file", "a boot file needs a next-server, or the client asks 0.0.0.0 for it: set next_server on this host, or dhcpd_pxe.next_server")
        scope = Scope()
        if any(key in item for key in _SCOPE_KEYS):
            scope, _ = read_scope(ctx, item, path, None)
        if scope.boot is not None:
            c.add(path + ".pxe", "a host takes next_server and boot_file directly, not a pxe: mapping")
        if name and mac:
            out.append(HostReservation(path, name, mac, address, next_server, boot_file, scope))
    if unchecked:
        c.warn("dhcpd_hosts", "could not check that %s lie in a subnet and outside every pool: DNS names that are not inventory hosts with an address (dhcpd resolves them once, at start-up)" % ", ".join(sorted(set(unchecked))))
    return out


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
            if not isinstance(value, str) or not (HOST_RE.match(value) or re.fullmatch(r"([0-9]+\.)*in-addr\.arpa\.?", value)):
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
        if not isinstance(zname, str) or not (HOST_RE.match(zname) or re.fullmatch(r"([0-9]+\.)*in-addr\.arpa\.?", zname)):
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
