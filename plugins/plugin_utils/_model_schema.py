# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The description's sections as data: each section's keys, with their
kind, range, default and whether they are required, and one reader that
walks a section's table.

The section readers (_model_sections.py, _model_hosts.py, _model_options.py)
take what ``read_section`` returns and keep only their policy: the checks
that span several keys. The same tables are what the dhcpd role's
meta/argument_specs.yml and docs/model.md list; a unit test holds the three
together (tests/unit/plugins/filter/test_schema.py).

Private to this collection; may change without notice.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterator, NamedTuple, Optional, Tuple

from ._model_checker import Checker
from ._model_results import DDNS_STYLES, KEY_ALGORITHMS, LEASE_KEYS, PXE_MODES
from ._model_types import is_domain

SECRET_RE = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")
MAX_INT = 2**31 - 1


class Field(NamedTuple):
    """One key of a section. ``kind`` says how it is read: int (``low`` to
    ``high``), bool, choice (one of ``choices``), name, line (one dhcpd
    expression), text, address (IPv4 or DNS name), domain, secret (base64),
    or raw (the section's policy reads it: nested sections, lists). ``what``
    is the thing a name or line is (for its message), or for a choice,
    domain or secret the message of a refused value."""

    key: str
    kind: str = "raw"
    low: Optional[int] = None
    high: Optional[int] = None
    default: Any = None
    choices: Tuple[str, ...] = ()
    required: bool = False
    what: str = ""


class Section(NamedTuple):
    """The keys one mapping of the description takes, in reading order."""

    name: str
    fields: Tuple[Field, ...]

    @property
    def keys(self) -> Tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @property
    def required(self) -> Tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.required)


def _refused(c: Checker, value: Any, path: str, field: Field, ok: bool) -> Any:
    if ok:
        return value
    c.add(path, field.what % (value,) if "%r" in field.what else field.what)
    return field.default


def _choice(c: Checker, value: Any, path: str, f: Field) -> Any:
    if f.what and value is not None:
        return _refused(c, value, path, f, value in f.choices)
    return c.choice(value, path, f.choices, f.default)


READERS: Dict[str, Callable[[Checker, Any, str, Field], Any]] = {
    "int": lambda c, v, p, f: c.integer(v, p, f.low, f.high, default=f.default),
    "bool": lambda c, v, p, f: c.boolean(v, p, f.default),
    "choice": _choice,
    "name": lambda c, v, p, f: c.name(v, p, f.what or "name") if v else None,
    "line": lambda c, v, p, f: c.line(v, p, f.what) if v is not None else None,
    "text": lambda c, v, p, f: c.text(v, p) if v is not None else None,
    "address": lambda c, v, p, f: c.address(v, p) if v is not None else None,
    "domain": lambda c, v, p, f: None if v is None else _refused(c, v, p, f, is_domain(v)),
    "secret": lambda c, v, p, f: None if v is None else _refused(c, v, p, f, isinstance(v, str) and bool(SECRET_RE.fullmatch(v))),
    "raw": lambda c, v, p, f: v,
}


class Values(dict):
    """A section's values by key; ``raw``, the mapping they were read from."""

    raw: Dict[str, Any] = {}


def read_section(c: Checker, raw: Any, path: str, section: Section) -> Optional[Values]:
    """Read ``raw`` at ``path`` as ``section``: unknown keys (with the
    nearest known one) and missing required ones reported, each key read by
    its kind. Returns every key of the section (None or the default where
    not given or refused) and the mapping as ``.raw`` (empty where none was
    given), or None when ``raw`` is not a mapping."""
    raw = c.mapping(raw, path, section.keys, required=section.required)
    if raw is None:
        return None
    values = Values((f.key, READERS[f.kind](c, raw.get(f.key), "%s.%s" % (path, f.key), f)) for f in section.fields)
    values.raw = raw
    return values


def read_entries(c: Checker, raw: Any, path: str, section: Section) -> Iterator[Tuple[str, Values]]:
    """(path, values) of each entry of a list of ``section`` mappings; an
    entry that is not a mapping is reported and left out."""
    for i, item in enumerate(c.sequence(raw, path)):
        ipath = "%s[%d]" % (path, i)
        values = read_section(c, item, ipath, section)
        if values is not None:
            yield ipath, values


LEASE_FIELDS = tuple(Field(key) for key in LEASE_KEYS)
SCOPE_FIELDS = (Field("options"), Field("statements"), Field("pxe")) + LEASE_FIELDS

FAILOVER_PEER = Section("dhcpd_failover.primary (and .secondary)", (
    Field("host", required=True),
    Field("address", "address", required=True),
    Field("port", "int", 1, 65535, 647),
))
FAILOVER = Section("dhcpd_failover", (
    Field("name", "name", required=True, what="failover relationship name"),
    Field("primary", required=True),
    Field("secondary", required=True),
    Field("mclt", "int", 1, 2**32 - 1, required=True),
    Field("split", "int", 0, 256),
    Field("hba"),
    Field("max_response_delay", "int", 1, 3600, 30),
    Field("max_unacked_updates", "int", 1, 65535, 10),
    Field("load_balance_max_seconds", "int", 0, 255, 3),
    Field("auto_partner_down", "int", 0, MAX_INT),
    Field("max_lease_misbalance", "int", 0, MAX_INT),
    Field("max_lease_ownership", "int", 0, MAX_INT),
    Field("min_balance", "int", 0, MAX_INT),
    Field("max_balance", "int", 0, MAX_INT),
))
PXE = Section("dhcpd_pxe", (
    Field("enabled", "bool", default=True),
    Field("mode", "choice", default="failover", choices=PXE_MODES),
    Field("next_server"),
    Field("boot_files"),
    Field("ipxe_script"),
    Field("lease_time", "int", 30, MAX_INT),
    Field("concurrent_clients", "int", 1, 100000, 4),
    Field("clients"),
))
SCOPE_PXE = Section("(any scope).pxe", (Field("next_server"), Field("boot_files"), Field("ipxe_script"), Field("clients")))
POOL = Section("dhcpd_subnets[].pools[]", (
    Field("range"),
    Field("ranges"),
    Field("failover"),
    Field("bootp", "bool", default=False),
    Field("allow"),
    Field("deny"),
    Field("served_by", "choice", default="primary", choices=("primary", "secondary"),
          what="must be primary or secondary (a non-failover pool is served by one peer only, or both peers would hand out the same addresses)"),
) + SCOPE_FIELDS)
SUBNET = Section("dhcpd_subnets[]", (Field("network", required=True), Field("pools")) + SCOPE_FIELDS)
SHARED_NETWORK = Section("dhcpd_shared_networks[]", (
    Field("name", "name", required=True, what="shared-network name"),
    Field("subnets", required=True),
) + SCOPE_FIELDS)
CLASS = Section("dhcpd_classes[]", (
    Field("name", required=True),
    Field("match"),
    Field("spawn_with", "line", what="data expression"),
    Field("subclasses"),
    Field("kea_test", "line", what="Kea test expression"),
) + SCOPE_FIELDS)
SUBCLASS = Section("dhcpd_classes[].subclasses[]", (Field("match_value", required=True), Field("options"), Field("statements")) + LEASE_FIELDS)
HOST = Section("dhcpd_hosts[]", (
    Field("name", "name", required=True, what="host name"),
    Field("mac", required=True),
    Field("address", "address"),
    Field("next_server"),
    Field("boot_file", "text"),
) + SCOPE_FIELDS)
OMAPI = Section("dhcpd_omapi", (
    Field("port", "int", 1, 65535, 7911),
    Field("key_name", "name", required=True, what="key name"),
    Field("key_secret", "secret", required=True, what="must be a base64 secret (for example from: openssl rand -base64 32)"),
    Field("algorithm", "choice", default="hmac-sha256", choices=KEY_ALGORITHMS),
))
DDNS = Section("dhcpd_ddns", (
    Field("style", "choice", default="none", choices=DDNS_STYLES, required=True),
    Field("updates", "bool"),
    Field("update_static_leases", "bool"),
    Field("domain_name", "domain", what="%r is not a domain name"),
    Field("rev_domain_name", "domain", what="%r is not a domain name"),
    Field("keys"),
    Field("zones"),
))
DDNS_KEY = Section("dhcpd_ddns.keys[]", (
    Field("name", "name", required=True, what="key name"),
    Field("algorithm", "choice", default="hmac-sha256", choices=KEY_ALGORITHMS),
    Field("secret", "secret", required=True,
          what="must be a base64 TSIG secret (for example from: tsig-keygen NAME, or openssl rand -base64 32)"),
))
DDNS_ZONE = Section("dhcpd_ddns.zones[]", (
    Field("name", required=True),
    Field("primary", "address", required=True),
    Field("secondary", "address"),
    Field("key"),
))
OPTION_DEFINITION = Section("dhcpd_option_definitions[]", (
    Field("space"),
    Field("name", required=True),
    Field("code", "int", 1, 254, required=True),
    Field("type"),
    Field("encapsulate"),
))

# Every section, by where it sits in the description (the argument specs'
# nesting and docs/model.md's key lists follow these paths).
SECTIONS = (FAILOVER, FAILOVER_PEER, PXE, SCOPE_PXE, SUBNET, POOL, SHARED_NETWORK, CLASS, SUBCLASS, HOST, OMAPI, DDNS, DDNS_KEY,
            DDNS_ZONE, OPTION_DEFINITION)
