# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dhcpd_option_definitions for Kea: each definition as an ``option-def``
entry (Kea Administrator Reference Manual, "Custom DHCPv4 Options" and
"DHCPv4 Vendor-Specific Options"), the name an option setting has in Kea,
and what cannot be translated, with its reason.

- A new option of the main space becomes an ``option-def`` of Kea's
  ``dhcp4`` space. A code that Kea defines itself cannot be defined again
  (kea-dhcp4 refuses it: "unable to override definition of option ... in
  standard option space"); where dhcpd has a name for that code too, the
  user's name is spoken as dhcpd's (both name one option, as dhcpd warns),
  else it is refused.
- A new space's options become ``option-def`` entries of that space; an
  ``encapsulate`` definition becomes an option of type ``empty`` that
  encapsulates the space, and Kea puts the space's options it sends inside
  it.
- Types: integers as (u)int8/16/32, ip-address ipv4-address, ip6-address
  ipv6-address, text and string string, domain-name fqdn, domain-list fqdn
  array, boolean, zerolen empty, arrays with ``array: true``, records as
  ``record`` with ``record-types``. A record with an array field and an
  array of records are refused (the description would have to say what Kea
  repeats)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ._kea_expr import KEA_NAMES
from ._model import OPTIONS

# The DHCPv4 codes Kea 2.2 defines in its dhcp4 space, which an option-def
# may not define again (each code from 1 to 254 tried with kea-dhcp4 -t).
KEA_STANDARD_CODES = frozenset(
    list(range(1, 43)) + list(range(44, 80)) + [81, 82] + list(range(85, 95)) + list(range(97, 102))
    + [108, 112, 113, 114, 116, 117, 118, 119, 124, 125, 136, 137, 138, 141, 146, 159, 212, 213])

_ATOMS = {"boolean": "boolean", "ip-address": "ipv4-address", "ip6-address": "ipv6-address", "text": "string",
          "string": "string", "domain-name": "fqdn", "domain-list": "fqdn", "domain-list compressed": "fqdn",
          "zerolen": "empty"}
_LISTS = ("domain-list", "domain-list compressed")
_DHCPD_BY_CODE = {code: name for name, (code, _t) in OPTIONS["dhcp"].items()}


def _atom(tree: Tuple[Any, ...]) -> str:
    if tree[1] == "integer":
        return "%sint%d" % ("" if tree[3] else "u", tree[2])
    return _ATOMS[tree[1]]


def kea_type(tree: Tuple[Any, ...]) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """A dhcpd type tree -> (the option-def's type keys, None) or (None, why Kea cannot take it)."""
    if tree[0] == "atom":
        return {"type": _atom(tree), "array": tree[1] in _LISTS}, None
    if tree[0] == "array":
        if tree[1][0] == "record":
            return None, "an array of records has no Kea option-def (Kea repeats single values only)"
        return {"type": _atom(tree[1]), "array": True}, None
    fields = tree[1]
    if any(f[0] == "array" or f[1] in _LISTS for f in fields):
        return None, "a record that ends in a list has no Kea option-def the collection can write"
    return {"type": "record", "record-types": ", ".join(_atom(f) for f in fields), "array": False}, None


class KeaDefinitions:
    """The model's definitions as Kea sees them: option-def entries, names, refusals."""

    def __init__(self, definitions: List[Any]) -> None:
        self.entries: List[Dict[str, Any]] = []
        self.refusals: List[Tuple[str, str]] = []
        self.names: Dict[Tuple[str, str], str] = {}
        self.encapsulating: Dict[str, str] = {}  # space -> the main-space option that carries it
        for i, d in enumerate(definitions):
            path = "dhcpd_option_definitions[%d]" % i
            if d.space == "dhcp" and d.code in KEA_STANDARD_CODES:
                builtin = _DHCPD_BY_CODE.get(d.code)
                if builtin is None or d.encapsulate:
                    self.refusals.append((path + ".code", "code %d is a standard Kea option, which Kea does not let a"
                                          " configuration define again; use that option by its Kea name" % d.code))
                else:
                    self.names[(d.space, d.name)] = KEA_NAMES.get(builtin, builtin)
                continue
            entry = {"name": d.name, "code": d.code, "space": "dhcp4" if d.space == "dhcp" else d.space}
            if d.encapsulate:
                entry.update({"type": "empty", "array": False, "encapsulate": d.encapsulate})
                if d.space == "dhcp":
                    self.encapsulating[d.encapsulate] = d.name
            else:
                keys, why = kea_type(d.tree)
                if why:
                    self.refusals.append((path + ".type", why))
                    continue
                entry.update(keys)
            self.entries.append(entry)
            self.names[(d.space, d.name)] = d.name

    def option(self, opt: Any) -> Dict[str, Any]:
        """The name (and space) an option setting has in Kea's option-data."""
        if opt.space == "dhcp":
            return {"name": self.names.get(("dhcp", opt.name), KEA_NAMES.get(opt.name, opt.name))}
        return {"name": opt.name, "space": opt.space}
