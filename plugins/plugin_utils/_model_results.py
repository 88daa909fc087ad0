# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed results of reading a description, and the vocabulary of network boot.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ._boot_rules import HTTP_CLASS, PXE_CLASS
from ._model_types import ipv4_int

PEER_ROLES = ("primary", "secondary", "standalone")
PXE_MODES = ("failover", "primary_only")
CLIENTS = ("pxe", "all")
DDNS_STYLES = ("none", "interim", "standard")
KEY_ALGORITHMS = ("hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512")

BUILTIN_CLASSES = (PXE_CLASS, HTTP_CLASS)
MAX_CLASSES = 5  # dhcpd applies at most 5 matching classes to one packet

# Pool permits (dhcpd.conf(5), "PERMIT LISTS"): each kind and the words
# dhcpd.conf writes for it; dhcpd reads "known clients" and "unknown
# clients" too.
PERMIT_WORDS = {
    "known": "known-clients",
    "unknown": "unknown-clients",
    "all": "all clients",
    "bootp": "dynamic bootp clients",
    "authenticated": "authenticated clients",
    "unauthenticated": "unauthenticated clients",
}
PERMIT_KINDS = dict({words: kind for kind, words in PERMIT_WORDS.items()}, **{"known clients": "known", "unknown clients": "unknown"})

LEASE_KEYS = ("default_lease_time", "max_lease_time", "min_lease_time")
SCOPE_KEYS = ("options", "statements", "pxe") + LEASE_KEYS

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
    auto_partner_down: int | None  # None: not given
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


# The scope of every reservation without scope settings (shared, never changed).
NO_SCOPE = Scope()


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

    def halves(self):
        """Each range cut in two, as a load-balancing pair shares it (the Kea
        backend): (the primary's first halves, the secondary's second
        halves); the first holds size // 2 addresses of its range."""
        first, second = [], []
        for a, b in self.ranges:
            mid = ipaddress.IPv4Address(int(a) + (int(b) - int(a) + 1) // 2 - 1)
            first.append((a, mid))
            second.append((mid + 1, b))
        return first, second


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


@dataclass(slots=True)
class HostReservation:
    path: str
    name: str
    mac: str
    address: tuple | None
    next_server: tuple | None
    boot_file: str | None
    scope: Scope


class PlainHosts:
    """Reservations that have only a name, a MAC and perhaps an IPv4 address
    (most of a large site), kept as three lists; read as a sequence of
    HostReservation, made when first asked for. The renderer writes them
    straight from the lists."""

    __slots__ = ("names", "macs", "addrs", "_items")

    def __init__(self, names, macs, addrs):
        self.names, self.macs, self.addrs = names, macs, addrs
        self._items = None

    def _built(self):
        if self._items is None:
            self._items = [
                HostReservation("dhcpd_hosts[%d]" % i, name, mac, None if a is None else ("ip", a), None, None, NO_SCOPE)
                for i, (name, mac, a) in enumerate(zip(self.names, self.macs, self.addrs))
            ]
        return self._items

    def __len__(self):
        return len(self.names)

    def __iter__(self):
        return iter(self._built())

    def __getitem__(self, index):
        return self._built()[index]


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
    kea_test: str | None = None  # the class's test for the Kea backend, when given


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
