# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dhcpd's words in Kea's: option names and the options Kea refuses, option
values in Kea's CSV form, dhcpd match expressions as Kea test expressions,
and the tests of the boot rules (_boot_rules.py).

Kea ARM, "Client Classification" (the expression language) and "DHCPv4
Option Definitions".

Private to this collection; may change without notice.
"""

from __future__ import annotations

import re

from ._boot_rules import IPXE_USER_CLASS, VENDOR_HTTP, VENDOR_PXE
from ._model import OPTIONS, Spelling

# dhcpd option names that Kea spells differently (Kea ARM, "DHCPv4 Option
# Definitions" table); the other names of the dhcp space are the same in both.
KEA_NAMES = {"pxe-system-type": "client-system", "dhcp-client-identifier": "dhcp-client-identifier"}
# Options a server configuration cannot set in Kea: Kea writes them itself or
# has no definition for them.
KEA_REFUSED = {
    "dhcp-lease-time": "Kea sends the lease time itself: use default_lease_time",
    "dhcp-message-type": "Kea writes the message type itself",
    "dhcp-server-identifier": "Kea writes the server identifier itself (Kea 2.2 cannot override it)",
    "dhcp-parameter-request-list": "a client option; Kea reads it, a server does not set it",
    "dhcp-requested-address": "a client option",
    "dhcp-renewal-time": "set renew-timer in Kea, which the description has no key for",
    "dhcp-rebinding-time": "set rebind-timer in Kea, which the description has no key for",
}


def vendor_test(prefix):
    """Option 60 starts with ``prefix``."""
    return "substring(option[60].hex,0,%d) == '%s'" % (len(prefix), prefix)


PXE_TEST = vendor_test(VENDOR_PXE)
HTTP_TEST = vendor_test(VENDOR_HTTP)
IPXE_TEST = "option[77].hex == '%s'" % IPXE_USER_CLASS


def arch_test(rule):
    """A boot rule's architecture test (option 93) in Kea's syntax."""
    codes = " or ".join("substring(option[93].hex,0,2) == 0x%04x" % c for c in rule.codes)
    return "not option[93].exists or " + codes if rule.without_arch else codes


# -- dhcpd match expressions -> Kea test expressions --------------------------
_TOKEN_RE = re.compile(
    r'\s*(?:(?P<str>"[^"]*")|(?P<hex>[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2})+)|(?P<num>\d+)|(?P<word>[A-Za-z][A-Za-z0-9_.-]*)|(?P<op>!=|=|\(|\)|,))'
)


class Untranslatable(ValueError):
    pass


def _hex(data):
    """Colon-separated bytes (1:a:ff) as a Kea hex literal (0x010aff)."""
    return "0x" + "".join("%02x" % int(b, 16) for b in data.split(":"))


def _option_code(name):
    space, dummy, plain = name.rpartition(".")
    if space and space != "dhcp":
        raise Untranslatable("option %s is in the %s space, which the translation does not cover" % (name, space))
    entry = OPTIONS["dhcp"].get(plain)
    if entry is None:
        raise Untranslatable("unknown option %s" % name)
    return entry[0]


def _tokens(expr):
    tokens, pos = [], 0
    while pos < len(expr):
        m = _TOKEN_RE.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip() == "":
                break
            raise Untranslatable("cannot read %r" % expr[pos:])
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    return tokens


# The dhcpd expressions _Match reads, one rule per method (docs/kea.md shows
# this text: change it with the parser).
GRAMMAR = """\
disjunction := conjunction ("or" conjunction)*
conjunction := atom ("and" atom)*
atom        := "not" atom | "(" disjunction ")" | "exists" NAME | data ("=" | "!=") data
data        := "option" NAME | "substring" "(" data "," START "," LENGTH ")" | "hardware" | "TEXT" | hex bytes (01:aa:...)
"""


class _Match:
    """A recursive-descent reading of one dhcpd boolean expression (a
    ``disjunction`` of GRAMMAR) or data expression (a ``data``)."""

    def __init__(self, expr):
        self.tokens = _tokens(expr)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise Untranslatable("expected %s" % (value or "more"))
        self.i += 1
        return tok

    def substring(self):
        self.take("(")
        inner = self.data()
        self.take(",")
        start = self.take()[1]
        self.take(",")
        length = self.take()[1]
        self.take(")")
        return "substring(%s,%s,%s)" % (inner, start, length)

    def data(self):
        kind, value = self.take()
        if kind == "word" and value == "hardware":
            # dhcpd's hardware is the type byte, then the address (dhcp-eval(5));
            # Kea's pkt4.htype is that byte padded to four (Kea ARM,
            # "Using Expressions in Classification"): its last byte, then pkt4.mac.
            return "concat(substring(pkt4.htype,-1,all),pkt4.mac)"
        if kind == "word" and value == "option":
            return "option[%d].hex" % _option_code(self.take()[1])
        if kind == "word" and value == "substring":
            return self.substring()
        if kind == "str":
            return "'%s'" % value[1:-1].replace("'", "")
        if kind == "hex":
            return _hex(value)
        raise Untranslatable("%r has no translation" % value)

    def atom(self):
        kind, value = self.peek()
        if (kind, value) == ("word", "not"):
            self.take()
            return "not " + self.atom()
        if (kind, value) == ("op", "("):
            self.take()
            inner = self.disjunction()
            self.take(")")
            return "(%s)" % inner
        if (kind, value) == ("word", "exists"):
            self.take()
            return "option[%d].exists" % _option_code(self.take()[1])
        left = self.data()
        op = self.take()[1]
        if op not in ("=", "!="):
            raise Untranslatable("expected = or != after %s" % left)
        right = self.data()
        return "%s == %s" % (left, right) if op == "=" else "not (%s == %s)" % (left, right)

    def joined(self, word, part):
        parts = [part()]
        while self.peek() == ("word", word):
            self.take()
            parts.append(part())
        return (" %s " % word).join(parts)

    def conjunction(self):
        return self.joined("and", self.atom)

    def disjunction(self):
        return self.joined("or", self.conjunction)

    def whole(self, part=None):
        result = (part or self.disjunction)()
        if self.peek()[0] is not None:
            raise Untranslatable("cannot read %r" % " ".join(t[1] for t in self.tokens[self.i :]))
        return result


def translate_match(expr):
    """A Kea test for a dhcpd boolean expression of the common forms, or raise Untranslatable.

    Covered: ``option NAME = "text"`` or bytes, ``substring (option NAME, A, B) = ...``,
    ``hardware``, ``exists NAME``, ``not``, ``and``, ``or`` and parentheses.
    """
    return _Match(expr).whole()


def translate_data(expr):
    """Kea's expression for a dhcpd data expression (the ``match`` of a class
    with subclasses): ``option NAME``, ``substring (...)``, ``hardware``, or
    raise Untranslatable."""
    reading = _Match(expr)
    return reading.whole(reading.data)


def literal(value):
    """A subclass value, ("text", ...) or ("hex", ...), as a Kea literal (None:
    text with a quote, which Kea's strings cannot hold)."""
    kind, data = value
    if kind == "hex":
        return _hex(data)
    return None if "'" in data else "'%s'" % data


# -- option values -------------------------------------------------------------
# Kea's CSV form of a typed option value: commas inside text escaped.
def _escape_commas(data):
    return str(data).replace(",", "\\,")


csv = Spelling(", ", ", ", text=_escape_commas, name=_escape_commas)
