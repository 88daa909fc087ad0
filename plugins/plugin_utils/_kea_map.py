# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The keys of a description that Kea takes or refuses as a whole, declared
once: where each is found, and either why Kea refuses it or how it is
checked and written.

The checks (_kea_check.py) walk this table before anything is written and
the writer (_kea_render.py) walks it again to write; docs/kea.md's two
tables of these keys are made from it (``doc_table``; a unit test holds the
file to it, ``UPDATE_DOCS=1`` rewrites them). A key Kea can now take is one
entry changed here: its ``why`` becomes ``kea``, ``check`` and ``write``.

Where a key is found (``at``): ``dhcpd`` (the description's global keys),
``class`` (a class of dhcpd_classes), or ``scope:<kind>`` with kind one of
global, shared_network, subnet, class, subclass, pool, host.

Private to this collection; may change without notice.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, List, NamedTuple, Optional, Tuple

from ._kea_expr import GRAMMAR, KEA_NAMES, KEA_REFUSED, Untranslatable, literal, translate_data

SCOPES = ("global", "shared_network", "subnet", "class", "subclass", "pool", "host")
ANY_SCOPE = tuple("scope:" + kind for kind in SCOPES)
Found = List[Tuple[str, Any]]  # (variable path, value) of each place the key is set


class Key(NamedTuple):
    """A key Kea refuses (``why``) or takes (``kea``, ``check``, ``write``)."""

    name: str  # as docs/kea.md names it
    at: Tuple[str, ...]
    found: Callable[[Any, str, str], Found]  # (object, path, statements path)
    why: str = ""  # refused: the reason with its fix; "{value}" is the value found
    doc_why: str = ""  # the reason as docs/kea.md gives it (default: why)
    kea: str = ""  # taken: what Kea gets, as docs/kea.md gives it
    check: Optional[Callable[[Any, Any, str], None]] = None  # (checks, object, path where found)
    # (writer, object, out, me): out is the Dhcp4 mapping (dhcpd), the class's
    # list of Kea classes (class), or the scope's own entry (scope:<kind>).
    write: Optional[Callable[[Any, Any, Any, Any], None]] = None


# -- subclasses: a Kea class per value, before the class, which holds its members
def subclass_name(k: Any, j: int) -> str:
    """Kea's name of subclass ``j`` of class ``k`` (a ':' no description class name has)."""
    return "%s:%d" % (k.name, j + 1)


def _data(k: Any) -> str:
    return k.kea_test if k.kea_test is not None else translate_data(k.match)


def _check_subclasses(checks: Any, k: Any, path: str) -> None:
    try:
        _data(k)
    except Untranslatable as exc:
        checks.problems.append(
            (k.path + ".match",
             "the kea backend cannot translate %r (%s), the data its subclasses are compared with: give the class kea_test, "
             "that data in Kea's expression language (for example pkt4.mac)" % (k.match, exc))
        )
    for j, sub in enumerate(k.subclasses):
        sub_path = "%s[%d]" % (path, j)
        if literal(sub.value) is None:
            checks.problems.append((sub_path + ".match_value", "%r holds a quote, which a Kea string cannot: give the value as bytes (aa:bb:...)"
                                    % sub.value[1]))
        checks.scope(sub.scope, sub_path, sub_path + ".statements", "subclass")


def _write_subclasses(writer: Any, k: Any, out: list, me: Any) -> None:
    data, subs = _data(k), []
    for j, sub in enumerate(k.subclasses):
        cls = {"name": subclass_name(k, j), "test": "%s == %s" % (data, literal(sub.value))}
        writer.common(sub.scope, cls, "subclass")
        subs.append(cls)
    # dhcpd makes a subclass's members members of its class too; Kea's member()
    # names classes defined before the test (Kea ARM, "Client Classification"),
    # so the subclasses go first. out is [the class].
    parent = out[0]
    test = " or ".join("member('%s')" % cls["name"] for cls in subs)
    out[0] = dict({"name": parent["name"], "test": test}, **{key: value for key, value in parent.items() if key not in ("name", "test")})
    out[:0] = subs


# -- the keys ------------------------------------------------------------------
def _includes(m: Any, path: str, spath: str) -> Found:
    return [("dhcpd_includes[%d]" % i, include) for i, include in enumerate(m.includes)]


def _lease(scope: Any, path: str, spath: str) -> Found:
    return [("%s.%s" % (path, key.replace("-", "_")), key) for key, dummy in scope.lease]


def _statements(scope: Any, path: str, spath: str) -> Found:
    return [("%s[%d]" % (spath, i), text) for i, text in enumerate(scope.raw)]


def _on_class(attr: str) -> Callable[[Any, str, str], Found]:
    def found(k: Any, path: str, spath: str) -> Found:
        value = getattr(k, attr)
        return [(path + "." + attr, value)] if value else []

    return found


KEYS = (
    Key("`dhcpd_includes`", ("dhcpd",), _includes, why="Kea reads one JSON file; {value} would not be read", doc_why="Kea reads one JSON file"),
    Key("lease times on pools and hosts", ("scope:pool", "scope:host"), _lease,
        why="Kea sets lease times on subnets, shared networks and classes, not here",
        doc_why="Kea sets lease times on subnets, shared networks and classes"),
    Key("`dhcpd_statements`, `statements:` of any scope", ANY_SCOPE, _statements,
        why="{value!r} is a dhcpd statement; Kea has no raw statements", doc_why="raw dhcpd statements; Kea has no raw statements"),
    Key("`subclasses` of a class", ("class",), _on_class("subclasses"), check=_check_subclasses, write=_write_subclasses,
        kea="a class per value, named `CLASS:N`, before the class, with test `DATA == VALUE` (DATA: the class's `match` translated "
            "by the grammar below (`hardware` as `concat(substring(pkt4.htype,-1,all),pkt4.mac)`), or the class's `kea_test`), and "
            "the subclass's options and lease times; the class's test is `member('CLASS:1') or ...`, so its members are the "
            "subclasses' members, as in dhcpd"),
    Key("`spawn_with` of a class", ("class",), _on_class("spawn_with"), why="Kea does not spawn classes"),
)


def refusals(at: str, obj: Any, path: str, spath: str = "") -> Iterable[Tuple[str, str]]:
    """(path, reason) of each refused key set on ``obj``, found at ``at``."""
    for key in KEYS:
        if key.why and at in key.at:
            for where, value in key.found(obj, path, spath):
                yield where, key.why.format(value=value)


def check(at: str, checks: Any, obj: Any, path: str, spath: str = "") -> None:
    """Run the checks of each key Kea takes that ``obj`` sets."""
    for key in KEYS:
        if key.check and at in key.at:
            for where, dummy in key.found(obj, path, spath):
                key.check(checks, obj, where)


def write(at: str, writer: Any, obj: Any, out: Any, me: Any = None, path: str = "") -> None:
    """Write each key Kea takes that ``obj`` sets into ``out``."""
    for key in KEYS:
        if key.write and at in key.at and key.found(obj, path, ""):
            key.write(writer, obj, out, me)


def doc_table(kind: str) -> str:
    """docs/kea.md's table of the keys Kea takes (``taken``) or refuses
    (``refused``), of the options Kea names otherwise or sets itself
    (``options``, from _kea_expr.py's KEA_NAMES and KEA_REFUSED), or the
    dhcpd expressions translated (``forms``, _kea_expr.py's GRAMMAR)."""
    if kind == "forms":
        return "```\n" + GRAMMAR + "```\n"
    if kind == "options":
        rows = ["| dhcpd option | Kea |", "|---|---|"]
        rows += ["| `%s` | written as `%s` |" % (name, kea) for name, kea in KEA_NAMES.items() if name != kea]
        rows += ["| `%s` | refused: %s |" % (name, why) for name, why in KEA_REFUSED.items()]
        return "\n".join(rows) + "\n"
    taken = kind == "taken"
    rows = ["| description | %s |" % ("Kea (kea-dhcp4.conf)" if taken else "why"), "|---|---|"]
    for key in KEYS:
        if bool(key.kea) == taken:
            text = key.kea if taken else (key.doc_why or key.why).format(value="it")
            rows.append("| %s | %s |" % (key.name, text))
    return "\n".join(rows) + "\n"
