# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dhcpd option types: read a type string, check a value against a type.

Private to this collection; may change without notice.

A type string is written in dhcpd's option-definition grammar
(dhcp-options(5), "DEFINING NEW OPTIONS"), for example ``ip-address``,
``array of unsigned integer 8`` or ``{ boolean, array of ip-address }``.
:func:`parse_type` turns it into a small tree; :func:`read_value` checks a
value from the inventory against that tree and returns typed atoms
``(kind, value)``. The renderer turns atoms into dhcpd syntax.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import ipaddress
import re
import socket

# Atom kinds a value is made of (the renderer formats each one).
#   ip: IPv4 address   host: DNS name where dhcpd takes an address
#   ip6: IPv6 address  int: integer   bool: true/false   text: quoted text
#   hex: colon-separated bytes   dlist: one quoted domain of a domain-list
#   dname: an unquoted domain name

_INT_RE = re.compile(r"^(?:(signed|unsigned) )?integer (8|16|32)$")
_HEX_RE = re.compile(r"^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2})+$")
HOST_RE = re.compile(
    r"^(?=.{1,253}\.?$)(?=.*[A-Za-z])([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_RE = _IPV4_RE = re.compile(r"^%s(?:\.%s){3}$" % (_OCTET, _OCTET))
_BAD_TEXT = re.compile(r'["\x00-\x1f\x7f]')
ATOMS = ("boolean", "ip-address", "ip6-address", "text", "string", "domain-list", "domain-list compressed", "domain-name", "zerolen")


class TypeError_(ValueError):
    """A type string that dhcpd would refuse."""


def parse_type(text: str) -> Tuple[Any, ...]:
    """Return ('array', elem) | ('record', [fields]) | ('atom', name, bits, signed).

    Raises TypeError_ with dhcpd's own wording where it has one.
    """
    if not isinstance(text, str) or not text.strip():
        raise TypeError_("a type is a string such as 'unsigned integer 8', 'array of ip-address' or '{ text, ip-address }'")
    t = " ".join(text.replace("{", " { ").replace("}", " } ").replace(",", " , ").split())
    if t.startswith("array of "):
        if t.startswith("array of array"):
            raise TypeError_("no nested arrays (dhcpd)")
        elem = _parse_base(t[len("array of "):])
        _check_array_elem(elem)
        return ("array", elem)
    return _parse_base(t)


def _check_array_elem(elem):
    if elem[0] == "array":
        raise TypeError_("no nested arrays (dhcpd)")
    if elem[0] == "atom" and elem[1] in ("text", "string", "domain-list", "domain-list compressed", "zerolen"):
        raise TypeError_("arrays of %s are not supported by dhcpd" % elem[1])
    if elem[0] == "record":
        if any(f[0] == "array" for f in elem[1]):
            raise TypeError_("no nested arrays (dhcpd)")


def _parse_base(t):
    if t.startswith("{"):
        if not t.endswith("}"):
            raise TypeError_("a record type is '{ TYPE, TYPE, ... }'")
        inner = t[1:-1].strip()
        parts = [p.strip() for p in inner.split(",")]
        if not inner or any(not p for p in parts):
            raise TypeError_("a record type lists its fields separated by commas: '{ ip-address, unsigned integer 8 }'")
        fields = []
        for i, part in enumerate(parts):
            if part.startswith("array of "):
                if i != len(parts) - 1:
                    raise TypeError_("an array may only be the last field of a record")
                elem = _parse_atom(part[len("array of "):])
                _check_array_elem(elem)
                fields.append(("array", elem))
                continue
            if part.startswith("{"):
                raise TypeError_("records may not nest")
            atom = _parse_atom(part)
            if atom[1] in ("text", "string", "domain-list", "domain-list compressed") and i != len(parts) - 1:
                raise TypeError_("%s must be at end of record (dhcpd)" % atom[1])
            fields.append(atom)
        return ("record", fields)
    return _parse_atom(t)


def _parse_atom(t):
    m = _INT_RE.match(t)
    if m:
        return ("atom", "integer", int(m.group(2)), m.group(1) != "unsigned")
    if t in ATOMS:
        return ("atom", t, 0, False)
    raise TypeError_(
        "%r is not a dhcpd option type; use boolean, [signed|unsigned] integer 8|16|32, ip-address, ip6-address, "
        "text, string, domain-list [compressed], domain-name, 'array of TYPE' or '{ TYPE, ... }'" % t
    )


def describe(tree: Tuple[Any, ...]) -> str:
    """The type string again, normalised (for messages and documentation)."""
    if tree[0] == "array":
        return "array of " + describe(tree[1])
    if tree[0] == "record":
        return "{ %s }" % ", ".join(describe(f) for f in tree[1])
    if tree[1] == "integer":
        return "%s integer %d" % ("signed" if tree[3] else "unsigned", tree[2])
    return tree[1]


def read_value(tree: Tuple[Any, ...], raw: Any, addresses: str = "ip-or-host") -> Tuple[str, Any]:
    """Check ``raw`` against ``tree``; return the typed value or raise ValueError(reason).

    Arrays take a list (or a comma-separated string), records a list of
    fields (or a space-separated string); an array of records a list of lists.
    ``addresses``: 'ip-or-host' accepts DNS names where dhcpd takes an address.
    """
    if tree[0] == "array":
        items = _split(raw, ",")
        if not items:
            raise ValueError("needs at least one value")
        return ("array", [read_value(tree[1], item, addresses) for item in items])
    if tree[0] == "record":
        fields = tree[1]
        items = raw if isinstance(raw, (list, tuple)) else _split_record(raw, len(fields))
        last_array = fields[-1][0] == "array"
        if last_array:
            if len(items) < len(fields):
                raise ValueError("takes %d fields (%s), got %r" % (len(fields), describe(tree), raw))
            head = [read_value(f, v, addresses) for f, v in zip(fields[:-1], items[: len(fields) - 1])]
            rest = items[len(fields) - 1:]
            if len(rest) == 1 and isinstance(rest[0], (list, tuple)):
                rest = rest[0]
            return ("record", head + [read_value(fields[-1], list(rest), addresses)])
        if len(items) != len(fields):
            raise ValueError("takes %d fields (%s), got %r" % (len(fields), describe(tree), raw))
        return ("record", [read_value(f, v, addresses) for f, v in zip(fields, items)])
    return _atom(tree, raw, addresses)


def _split(raw, sep):
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(sep) if p.strip()]
    return [raw]


def _split_record(raw, count):
    if isinstance(raw, str):
        parts = raw.split(None, count - 1)
        return [p.strip().strip('"') if i == count - 1 else p for i, p in enumerate(parts)]
    return [raw]


def _integer(tree, raw):
    bits, signed = tree[2], tree[3]
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    if isinstance(raw, bool):
        raise ValueError("must be a whole number, got %r" % (raw,))
    try:
        n = int(str(raw).strip(), 0) if isinstance(raw, str) else int(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("must be a whole number, got %r" % (raw,)) from None
    if isinstance(raw, float) and raw != n:
        raise ValueError("must be a whole number, got %r" % (raw,))
    if not low <= n <= high:
        raise ValueError("must be between %d and %d (%s), got %d" % (low, high, describe(tree), n))
    return ("int", n)


def _boolean(tree, raw):
    if isinstance(raw, bool):
        return ("bool", raw)
    word = str(raw).strip().lower()
    if word in ("true", "yes", "on", "1"):
        return ("bool", True)
    if word in ("false", "no", "off", "0"):
        return ("bool", False)
    raise ValueError("must be true or false, got %r" % (raw,))


def _ip6(tree, raw):
    try:
        return ("ip6", str(ipaddress.IPv6Address(str(raw).strip())))
    except ValueError:
        raise ValueError("%r is not an IPv6 address" % (raw,)) from None


def _string(tree, raw):
    if isinstance(raw, str) and _HEX_RE.match(raw.strip()):
        return ("hex", ":".join("%02x" % int(b, 16) for b in raw.strip().split(":")))
    return ("text", check_text(raw))


def _zero_length(tree, raw):
    raise ValueError("zero-length options take no value")


# How each atom kind reads one value: (kind, data), or ValueError.
_ATOM_READERS = {
    "integer": _integer,
    "boolean": _boolean,
    "ip6-address": _ip6,
    "text": lambda tree, raw: ("text", check_text(raw)),
    "string": _string,
    "domain-name": lambda tree, raw: ("dname", check_domain(raw)),
}


def _atom(tree, raw, addresses):
    kind = tree[1]
    if kind in ("domain-list", "domain-list compressed"):
        names = list(raw) if isinstance(raw, (list, tuple)) else str(raw).replace(",", " ").split()
        if not names:
            raise ValueError("needs at least one domain name")
        return ("array", [("dlist", check_domain(n)) for n in names])
    if raw is None:
        raise ValueError("has no value: give it one (%s)" % describe(tree))
    if isinstance(raw, (list, tuple, dict)):
        raise ValueError("takes one %s, got %r" % (describe(tree), raw))
    if kind == "ip-address":
        return read_address(raw, addresses)
    return _ATOM_READERS.get(kind, _zero_length)(tree, raw)


# Every kind of value read_value returns, as (kind, data), and what it is
# for a configuration syntax: "list" and "record" (data: values), "bool",
# "text" (words a syntax quotes or escapes), "name" (a domain name) or
# "plain" (numbers and addresses, written as they are). A new kind is one
# line here; each syntax says once how it writes each of these.
VALUE_CLASSES = {
    "array": "list", "record": "record", "bool": "bool",
    "text": "text", "dlist": "text", "dname": "name",
    "int": "plain", "hex": "plain", "ip": "plain", "host": "plain", "ip6": "plain", "expr": "plain",
}


class Spelling:
    """How a configuration syntax writes a typed value: the separators of
    lists and records, and a function for each value class it does not write
    as it is (see VALUE_CLASSES). Each renderer has one."""

    def __init__(self, list_sep: str, record_sep: str, **writers: Any) -> None:
        self.list_sep, self.record_sep, self.writers = list_sep, record_sep, writers

    def __call__(self, value: Tuple[str, Any]) -> str:
        kind, data = value
        cls = VALUE_CLASSES[kind]
        if cls in ("list", "record"):
            return (self.list_sep if cls == "list" else self.record_sep).join(self(v) for v in data)
        if cls == "bool":
            return "true" if data else "false"
        return self.writers[cls](data) if cls in self.writers else str(data)


def ipv4_int(text: str) -> Optional[int]:
    """The integer of a dotted-quad IPv4 address (no leading zeros), or None; fast."""
    if isinstance(text, str) and _IPV4_RE.match(text):
        return int.from_bytes(socket.inet_aton(text), "big")
    return None


def read_address(raw: Any, addresses: str = "ip-or-host") -> Tuple[str, str]:
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    if text is None:
        raise ValueError("%r is not an IPv4 address" % (raw,))
    if _IPV4_RE.match(text):
        return ("ip", text)
    if addresses == "ip-or-host" and HOST_RE.match(text) and "." in text.rstrip(".") and not re.fullmatch(r"[0-9.]+", text):
        return ("host", text.rstrip("."))
    raise ValueError(
        "%r is not an IPv4 address%s" % (raw, " or a fully qualified DNS name" if addresses == "ip-or-host" else "")
    )


def check_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ValueError("must be a string, got %r" % (raw,))
    value = str(raw)
    if _BAD_TEXT.search(value):
        raise ValueError("%r may not contain quotes, line breaks or other control characters" % value)
    return value


def is_domain(raw: Any) -> bool:
    """A domain name (reverse zones such as 4.10.in-addr.arpa included)."""
    return isinstance(raw, str) and bool(HOST_RE.match(raw.strip()))


def check_domain(raw: Any) -> str:
    if not is_domain(raw):
        raise ValueError("%r is not a domain name" % (raw,))
    return raw.strip()
