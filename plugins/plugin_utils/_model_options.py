# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options: the built-in vocabulary plus dhcpd_option_definitions.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from typing import Any, List
from ._model_checker import Checker, did_you_mean
from ._model_schema import OPTION_DEFINITION, read_section
from ._model_types import TypeError_, describe, parse_type, read_value
from ._model_vocab import OPTION_HINTS, OPTIONS

BUILTIN_SPACES = tuple(OPTIONS) + ("server", "vendor-class", "vendor")
_OPT_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")


@dataclass
class Definition:
    space: str  # "dhcp" for the main space
    name: str
    code: int
    tree: tuple | None  # parsed type, or None for an encapsulation
    encapsulate: str | None = None


@dataclass
class OptionSetting:
    space: str
    name: str
    value: tuple  # typed value from _model_types.read_value, or ("expr", text)


class Vocabulary:
    """Every option name usable in an options: mapping."""

    def __init__(self):
        self.types = {}
        for space, table in OPTIONS.items():
            for name, (code, type_text) in table.items():
                self.types[(space, name)] = parse_type(type_text)
        self.definitions = []  # user definitions, in order
        self.spaces = []  # user spaces, in order of first use

    def names(self):
        return [n if s == "dhcp" else "%s.%s" % (s, n) for s, n in self.types]

    def lookup(self, key):
        space, dummy, name = key.rpartition(".")
        return (space or "dhcp", name)


def read_definitions(c: Checker, raw: Any) -> Vocabulary:
    """dhcpd_option_definitions (OPTION_DEFINITION sections) -> a Vocabulary with the user's names added."""
    vocab = Vocabulary()
    codes = {}
    for space, table in OPTIONS.items():
        for name, (code, _t) in table.items():
            codes[(space, code)] = "%s%s" % ("" if space == "dhcp" else space + ".", name)
    pending_encaps = []
    for i, item in enumerate(c.sequence(raw, "dhcpd_option_definitions")):
        path = "dhcpd_option_definitions[%d]" % i
        d = _read_definition(c, item, path)
        if d is None:
            continue
        space, name, code, tree = d
        full = name if space == "dhcp" else "%s.%s" % (space, name)
        if (space, name) in vocab.types:
            c.add(path + ".name", "%s is already an ISC DHCP 4.4 option or defined above: use it in options: directly" % full)
            continue
        if (space, code) in codes:
            c.warn(
                path + ".code",
                "code %d is also %s (dhcp-options(5)); dhcpd accepts the new name for it, but both names now mean one option"
                % (code, codes[(space, code)]),
            )
        if tree[0] == "encapsulate":
            pending_encaps.append((path, tree[1]))
        codes[(space, code)] = full
        vocab.types[(space, name)] = tree
        if space != "dhcp" and space not in vocab.spaces:
            vocab.spaces.append(space)
        vocab.definitions.append(Definition(space, name, code, None if tree[0] == "encapsulate" else tree,
                                            tree[1] if tree[0] == "encapsulate" else None))
    for path, encap in pending_encaps:
        if encap not in vocab.spaces:
            c.add(path + ".encapsulate", "space %r has no options defined in dhcpd_option_definitions (define them with space: %s)" % (encap, encap))
    return vocab


def _read_definition(c, raw, path):
    """One definition -> (space, name, code, type tree or ("encapsulate", space)), or None."""
    v = read_section(c, raw, path, OPTION_DEFINITION)
    if v is None:
        return None
    space = v["space"] or "dhcp"
    if v["space"] is not None:
        if not isinstance(space, str) or not _OPT_NAME_RE.match(space):
            c.add(path + ".space", "%r is not an option space name (letters, digits, '-' and '_')" % (space,))
            return None
        if space in BUILTIN_SPACES:
            c.add(path + ".space", "%r is a space dhcpd declares itself; pick another name for a new space" % space)
            return None
    name = v["name"]
    if not isinstance(name, str) or not _OPT_NAME_RE.match(name):
        c.add(path + ".name", "%r is not an option name (a letter, then letters, digits, '-' or '_')" % (name,))
        return None
    if v["code"] is None:
        return None
    if (v["type"] is not None) == (v["encapsulate"] is not None):
        c.add(path, "set exactly one of type (for example 'unsigned integer 8') and encapsulate (a space name)")
        return None
    if v["type"] is not None:
        try:
            return space, name, v["code"], parse_type(v["type"])
        except TypeError_ as exc:
            c.add(path + ".type", str(exc))
            return None
    encap = v["encapsulate"]
    if not isinstance(encap, str) or not _OPT_NAME_RE.match(encap):
        c.add(path + ".encapsulate", "must name an option space, got %r" % (encap,))
        return None
    return space, name, v["code"], ("encapsulate", encap)


def read_options(c: Checker, vocab: Vocabulary, raw: Any, path: str) -> List[OptionSetting]:
    """An options: mapping -> [OptionSetting], sorted by name for stable output."""
    out = []
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        c.add(path, "must be a mapping of dhcpd option names to values, got %s" % type(raw).__name__)
        return out
    for key in sorted(raw, key=str):
        opath = "%s.%s" % (path, key)
        value = raw[key]
        if key in OPTION_HINTS:
            c.add(opath, OPTION_HINTS[key])
            continue
        space, name = vocab.lookup(str(key))
        tree = vocab.types.get((space, name))
        if tree is None:
            c.add(
                opath,
                "%r is not an ISC DHCP 4.4 option%s; define it with dhcpd_option_definitions (name, code, type) or check dhcp-options(5)"
                % (key, did_you_mean(key, vocab.names())),
            )
            continue
        if tree[0] == "encapsulate":
            c.add(opath, "%s encapsulates space %s: set its options (%s.NAME) instead" % (key, tree[1], tree[1]))
            continue
        if isinstance(value, dict):
            if set(value) != {"expression"}:
                c.add(opath, "a mapping value must be {expression: EXPR} (written as option %s = EXPR)" % key)
                continue
            expr = c.line(value["expression"], opath + ".expression", "expression")
            if expr is not None:
                out.append(OptionSetting(space, name, ("expr", expr)))
            continue
        if value is None:
            c.add(opath, "has no value: give it one (%s) or remove it" % describe(tree))
            continue
        try:
            frozen = _frozen(value)
            try:
                typed = _read_value_cached(tree, frozen) if frozen is not None else read_value(tree, value)
            except TypeError:  # a type tree of dhcpd_option_definitions that holds lists: not cached
                typed = read_value(tree, value)
            out.append(OptionSetting(space, name, typed))
        except ValueError as exc:
            c.add(opath, str(exc))
    return out


def _frozen(value):
    """A hashable key for a plain option value (with the types, since True == 1), or None."""
    if isinstance(value, (str, int, float)):
        return (type(value), value)
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return (list,) + tuple((type(v), v) for v in value)
    return None


@functools.lru_cache(maxsize=4096)
def _read_value_cached(tree, frozen):
    """read_value for a value sites repeat in many scopes (name servers, domains), read once.
    The typed result is shared, and never changed by the renderers."""
    if frozen[0] is list:
        return read_value(tree, [v for dummy, v in frozen[1:]])
    return read_value(tree, frozen[1])
