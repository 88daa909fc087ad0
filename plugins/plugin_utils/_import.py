# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A running dhcpd.conf (and its failover partner's) as the one network
description the roles render: the import behind the ``dhcpd_import`` filter.

Private to this collection; may change without notice.

1. Each peer's text is read on its own (:mod:`_import_read`).
2. The two are merged into one description: what both say once; a pool one
   peer has and the other has not, ``served_by`` that peer; a next-server
   that is each peer's own failover address, ``self``; boot settings on the
   primary only, ``dhcpd_pxe.mode: primary_only``; anything else the
   secondary says otherwise, listed (the primary's is kept).
3. The description is checked as the roles will check it (``parse_model``).
   Each problem is traced back to the statement it came from; that
   statement leaves the description and is listed with the check's words,
   until the description passes. So what comes out renders as it is.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._import_read import ConfReader, ConfSyntaxError, read_conf
from ._model import ModelError, parse_model

__all__ = ["ImportProblem", "ConfSyntaxError", "import_conf", "checked_copy"]

_IDENTITY = {"dhcpd_subnets": "network", "subnets": "network", "dhcpd_shared_networks": "name", "dhcpd_hosts": "name",
             "dhcpd_classes": "name", "subclasses": "match_value", "zones": "name", "keys": "name"}
_MAX_ROUNDS = 200
# Declarations an import never leaves out for a problem found inside them.
_WHOLE = re.compile(r"^(dhcpd_failover|dhcpd_subnets\[\d+\]|dhcpd_shared_networks\[\d+\](\.subnets\[\d+\])?)$")


class ImportProblem(ValueError):
    """The texts cannot be imported at all (a failover pair that is not one, ...)."""


Origins = Dict[str, Tuple[str, int, str]]


def _pool_id(pool: Mapping[str, Any]) -> Any:
    return pool.get("range") or tuple(pool.get("ranges") or ())


class _Merge:
    """The two peers' descriptions as one (see the module's text)."""

    def __init__(self, primary: ConfReader, secondary: ConfReader) -> None:
        self.p, self.s = primary, secondary
        self.origins: Origins = {}
        self.notes: List[Dict[str, Any]] = []
        fo = primary.top.get("dhcpd_failover") or {}
        self.addresses = ((fo.get("primary") or {}).get("address"), (fo.get("secondary") or {}).get("address"))

    def differs(self, path_s: str, why: str) -> None:
        origin = _origin_of(self.s.origins, path_s)
        if origin:
            file, line, text = self.s.origins[origin]
            self.notes.append({"file": file, "line": line, "statement": text, "why": why})

    def value(self, a: Any, b: Any, path: str, path_a: str, path_b: str) -> Any:
        if path_a in self.p.origins:
            self.origins[path] = self.p.origins[path_a]
        if isinstance(a, dict) and isinstance(b, dict):
            return self.mapping(a, b, path, path_a, path_b)
        if isinstance(a, list) and isinstance(b, list) and path.rsplit(".", 1)[-1].split("[")[0] in ("pools",) + tuple(_IDENTITY):
            return self.keyed(a, b, path, path_a, path_b)
        if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in a + b):
            return self.strings(a, b, path, path_a, path_b)
        if a != b and not (path.endswith("next_server") and (a, b) == self.addresses):
            self.differs(path_b, "the secondary says %r where the primary says %r; the description keeps the primary's" % (b, a))
        return "self" if path.endswith("next_server") and (a, b) == self.addresses else a

    def mapping(self, a: Dict[str, Any], b: Dict[str, Any], path: str, path_a: str, path_b: str) -> Dict[str, Any]:
        out = {}
        for k in list(a) + [k for k in b if k not in a]:
            sub, sub_a, sub_b = _join(path, k), _join(path_a, k), _join(path_b, k)
            if k in a and k in b:
                out[k] = self.value(a[k], b[k], sub, sub_a, sub_b)
            elif k in a:
                out[k] = a[k]
                self._copy(self.p.origins, sub_a, sub)
                if k != "dhcpd_pxe" and not path.startswith("dhcpd_failover"):
                    self.only(sub, "primary")
            else:
                self.differs(sub_b, "only the secondary says this; the description keeps the primary's settings")
        return out

    def only(self, path: str, role: str) -> None:
        origin = self.origins.get(path)
        if origin and "pools" not in path and "dhcpd_pxe" not in path:
            file, line, text = origin
            self.notes.append({"file": file, "line": line, "statement": text,
                               "why": "only the %s says this; the description would write it on both peers" % role})

    def keyed(self, a: List[Any], b: List[Any], path: str, path_a: str, path_b: str) -> List[Any]:
        field = _IDENTITY.get(path.rsplit(".", 1)[-1].split("[")[0])
        ident = (lambda item: item.get(field)) if field else _pool_id
        b_index = {ident(item): i for i, item in enumerate(b)}
        out = []
        for i, item in enumerate(a):
            j = b_index.pop(ident(item), None)
            sub = "%s[%d]" % (path, len(out))
            if j is None:
                self._copy(self.p.origins, "%s[%d]" % (path_a, i), sub)
                out.append(self.one_sided(item, "primary", sub))
            else:
                out.append(self.value(item, b[j], sub, "%s[%d]" % (path_a, i), "%s[%d]" % (path_b, j)))
        for key, j in b_index.items():
            sub = "%s[%d]" % (path, len(out))
            self._copy(self.s.origins, "%s[%d]" % (path_b, j), sub)
            out.append(self.one_sided(b[j], "secondary", sub))
        return out

    def one_sided(self, item: Any, role: str, path: str) -> Any:
        if ".pools[" in path and isinstance(item, dict) and item.get("failover") is False:
            return dict(item, served_by=role)
        self.only(path, role)
        return item

    def strings(self, a: List[str], b: List[str], path: str, path_a: str, path_b: str) -> List[str]:
        for i, item in enumerate(a):
            self._copy(self.p.origins, "%s[%d]" % (path_a, i), "%s[%d]" % (path, i))
        for j, item in enumerate(b):
            if item not in a:
                self.differs("%s[%d]" % (path_b, j), "only the secondary says this; the description keeps the primary's settings")
        return list(a)

    def _copy(self, origins: Origins, src: str, dest: str) -> None:
        for key, value in origins.items():
            if key == src or key.startswith(src + ".") or key.startswith(src + "["):
                self.origins[dest + key[len(src):]] = value


def _join(path: str, key: str) -> str:
    return "%s.%s" % (path, key) if path else key


def _origin_of(origins: Origins, path: str) -> Optional[str]:
    """The longest path with an origin that ``path`` lies in."""
    while path:
        if path in origins:
            return path
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            return None
        path = path[:cut]
    return None


def _under(origins: Origins, path: str) -> List[str]:
    return [k for k in origins if k == path or k.startswith(path + ".") or k.startswith(path + "[")]


def _steps(path: str) -> List[Any]:
    return [int(x[1:-1]) if x.startswith("[") else x for x in re.findall(r"\[\d+\]|[^.\[\]]+", path)]


def _remove(data: Dict[str, Any], origins: Origins, path: str) -> None:
    steps = _steps(path)
    parent: Any = data
    for step in steps[:-1]:
        parent = parent[step]
    last = steps[-1]
    if isinstance(last, int):
        del parent[last]
        prefix = path[: path.rfind("[")]
        _reindex(origins, prefix, last)
    else:
        parent.pop(last, None)
    for key in _under(origins, path):
        del origins[key]


def _reindex(origins: Origins, prefix: str, removed: int) -> None:
    pattern = re.compile(r"^%s\[(\d+)\]" % re.escape(prefix))
    moved = {}
    for key in list(origins):
        m = pattern.match(key)
        if m and int(m.group(1)) > removed:
            moved["%s[%d]%s" % (prefix, int(m.group(1)) - 1, key[m.end():])] = origins.pop(key)
    origins.update(moved)


def _settle(variables: Dict[str, Any], origins: Origins, hosts: Optional[Mapping[str, Any]]) -> Tuple[List[Dict[str, Any]], List[str]]:
    """Drop what the description's checks refuse, statement by statement, until it passes."""
    notes: List[Dict[str, Any]] = []
    for dummy in range(_MAX_ROUNDS):
        try:
            model = parse_model(checked_copy(variables), hosts)
            return notes, list(model.warnings)
        except ModelError as exc:
            problems = exc.problems
        traced = [(path, why, path if _under(origins, path) else _origin_of(origins, path)) for path, why in problems]
        if not any(found for dummy, dummy, found in traced):
            raise ImportProblem("the imported description is refused, and the statements behind it could not be told apart:\n  - "
                                + "\n  - ".join("%s: %s" % (p, w) for p, w in problems))
        path, why, found = sorted((t for t in traced if t[2]), key=lambda t: -len(t[2]))[0]
        if found != path and _WHOLE.match(found):
            raise ImportProblem("the imported description is refused: %s: %s (%s:%d, %s)" % ((path, why) + origins[found]))
        for key in _under(origins, found):
            file, line, text = origins[key]
            lead = "" if key == found or found not in origins else "it is inside %s, which is left out: " % origins[found][2]
            notes.append({"file": file, "line": line, "statement": text, "why": "%s%s: %s" % (lead, path, why)})
        _remove(variables, origins, found)
    raise ImportProblem("the imported description still has problems after %d statements were left out" % _MAX_ROUNDS)


def import_conf(text: str, partner: Optional[str] = None, includes: Optional[Mapping[str, str]] = None,
                partner_includes: Optional[Mapping[str, str]] = None, hosts: Optional[Mapping[str, str]] = None,
                source: str = "dhcpd.conf", partner_source: str = "partner dhcpd.conf") -> Dict[str, Any]:
    """The description one peer's text (and its partner's) says; see the module's text."""
    first = read_conf(text, source, includes, hosts)
    readers = [first]
    if partner is not None:
        second = read_conf(partner, partner_source, partner_includes, hosts)
        roles = {first.role, second.role}
        if roles != {"primary", "secondary"}:
            raise ImportProblem("%s says %s and %s says %s: a failover pair is one primary and one secondary"
                                % (source, first.role or "no failover peer", partner_source, second.role or "no failover peer"))
        readers = sorted([first, second], key=lambda r: r.role != "primary")
    if len(readers) == 2:
        merge = _Merge(readers[0], readers[1])
        variables = merge.value(readers[0].top, readers[1].top, "", "", "")
        _primary_only_boot(variables, readers, merge.origins)
        origins, notes = merge.origins, merge.notes
    else:
        variables, origins, notes = first.top, dict(first.origins), []
    unexpressed = [n for r in readers for n in r.unexpressed] + notes
    guessed = _secondary_alone(variables) if len(readers) == 1 and first.role == "secondary" else []
    refused, warnings = _settle(variables, origins, None)
    warnings = guessed + warnings
    return {
        "vars": variables,
        "review_vars": checked_copy(variables),
        "unexpressed": unexpressed + refused,
        "not_read": sorted({p for r in readers for p in r.not_read}),
        "secrets": [dict(s) for s in sorted({tuple(sorted(x.items())) for r in readers for x in r.secrets})],
        "role": first.role or "standalone",
        "warnings": warnings,
    }


def _secondary_alone(variables: Dict[str, Any]) -> List[str]:
    """A secondary's file has no mclt and split (dhcpd.conf(5) puts them on the
    primary only): dhcpd's customary values stand in, and a warning says so."""
    fo = variables.get("dhcpd_failover") or {}
    if "mclt" in fo or "hba" in fo:
        return []
    fo.setdefault("mclt", 3600)
    fo.setdefault("split", 128)
    return ["dhcpd_failover: a secondary's file holds no mclt or split (the primary's does): mclt 3600 and split 128 stand in;"
            " import the pair (partner=) to keep the primary's values"]


_BOOT_PERMITS = ('members of "pxe"', 'members of "httpboot"')


def _primary_only_boot(variables: Dict[str, Any], readers: List[ConfReader], origins: Origins) -> None:
    """Boot settings on the primary and none on the secondary: dhcpd_pxe.mode
    primary_only, whose PXE pool (the primary's own pool that admits the boot
    classes) is ``pxe: true``; the permits that mode writes itself go. Boot
    settings written in that pool alone move to ``dhcpd_pxe``."""
    primary, secondary = readers
    pxe_pools = [(path, p) for path, p in _pools(variables) if p.get("served_by") == "primary" and _BOOT_PERMITS[0] in p.get("allow", [])]
    if "dhcpd_pxe" in secondary.top or not pxe_pools:
        return
    if "dhcpd_pxe" not in variables:
        path, pool = pxe_pools[0]
        if not isinstance(pool.get("pxe"), dict):
            return
        variables["dhcpd_pxe"] = {k: v for k, v in pool.pop("pxe").items() if k != "clients"}
        if path + ".pxe" in origins:
            origins["dhcpd_pxe"] = origins.pop(path + ".pxe")
    variables["dhcpd_pxe"] = dict(variables["dhcpd_pxe"], mode="primary_only")
    for path, pool in _pools(variables):
        if (path, pool) in pxe_pools:
            # The PXE pool's size is checked against this; the file does not say it.
            variables["dhcpd_pxe"].setdefault("concurrent_clients", max(1, _size(pool) // 3))
            pool.pop("served_by")
            pool["pxe"] = True
            pool["allow"] = [p for p in pool["allow"] if p not in _BOOT_PERMITS and not (pool.get("bootp") and p == "dynamic bootp clients")]
        else:
            pool["deny"] = [p for p in pool.get("deny", []) if p not in _BOOT_PERMITS]
        for key in ("allow", "deny"):
            if key in pool and not pool[key]:
                del pool[key]


def _size(pool: Dict[str, Any]) -> int:
    total = 0
    for text in [pool["range"]] if "range" in pool else pool.get("ranges", []):
        first, dummy, last = text.partition(" ")
        total += int(ipaddress.IPv4Address(last or first)) - int(ipaddress.IPv4Address(first)) + 1
    return total


def _pools(variables: Dict[str, Any]) -> List[Tuple[str, Dict[str, Any]]]:
    subnets = [("dhcpd_subnets[%d]" % i, s) for i, s in enumerate(variables.get("dhcpd_subnets", []))]
    for j, sn in enumerate(variables.get("dhcpd_shared_networks", [])):
        subnets += [("dhcpd_shared_networks[%d].subnets[%d]" % (j, i), s) for i, s in enumerate(sn.get("subnets", []))]
    return [("%s.pools[%d]" % (path, i), p) for path, s in subnets for i, p in enumerate(s.get("pools", []))]


# Stand-ins for the secrets the import leaves to the user's vault, for the
# check only: the description it returns keeps the references.
_STAND_IN = "c3RhbmQtaW4tZm9yLWEtdmF1bHRlZC1zZWNyZXQ="


def checked_copy(variables: Dict[str, Any]) -> Dict[str, Any]:
    """``variables`` with each vaulted secret replaced by a stand-in, to check or render without the vault."""
    out = copy.deepcopy(variables)
    for item in (out.get("dhcpd_ddns") or {}).get("keys", []):
        if _is_reference(item.get("secret")):
            item["secret"] = _STAND_IN
    omapi = out.get("dhcpd_omapi") or {}
    if _is_reference(omapi.get("key_secret")):
        omapi["key_secret"] = _STAND_IN
    return out


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{{") and value.endswith("}}")
