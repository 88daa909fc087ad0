# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generic readers that collect every problem of a description at once.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import difflib
import ipaddress
import re

from typing import Any, Iterable
from ._model_types import check_text, ipv4_int, read_address

NAME_RE = _NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


# dhcpd evaluates execute() when it runs the statement: a global one at every
# start and at every "dhcpd -t" (the controller's check of a render for review
# included), others as root on the peers at lease events. Nothing from a
# description may run a program (dhcpd.conf(5), "Client Classing"; dhcp-eval(5),
# "execute").
EXECUTE_REFUSED = (
    "runs a program (execute), which dhcpd does when it reads the file: at every start, and in the controller's "
    "dhcpd -t of a render for review. Remove it; to act on lease events, read the lease file or the "
    "failover/OMAPI state instead"
)
_EXECUTE_RE = re.compile(r"\bexecute\s*\(", re.I)


class ModelError(ValueError):
    """Raised with every problem found in a network description."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = ["%s: %s" % (p, m) for p, m in self.problems]
        super().__init__(
            "%d problem%s in the DHCP network description:\n  - %s"
            % (len(lines), "" if len(lines) == 1 else "s", "\n  - ".join(lines))
        )


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def did_you_mean(word: Any, choices: Iterable[str]) -> str:
    hint = difflib.get_close_matches(str(word), list(choices), n=1)
    return " (did you mean %r?)" % hint[0] if hint else ""


class Checker:
    """Collects problems (path, message) and warnings while reading."""

    def __init__(self):
        self.problems = []
        self.warnings = []

    def add(self, path, message):
        self.problems.append((path, message))

    def warn(self, path, message):
        self.warnings.append("%s: %s" % (path, message))

    def mapping(self, value, path, allowed, required=()):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.add(path, "must be a mapping (key: value), got %s" % type_name(value))
            return None
        for key in value:
            if key not in allowed:
                self.add(
                    "%s.%s" % (path, key),
                    "unknown setting%s; allowed here: %s" % (did_you_mean(key, allowed), ", ".join(sorted(allowed))),
                )
        for key in required:
            if value.get(key) in (None, ""):
                self.add("%s.%s" % (path, key), "is required")
        return value

    def sequence(self, value, path):
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            self.add(path, "must be a list, got %s" % type_name(value))
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

    def choice(self, value, path, choices, default):
        if value is None:
            return default
        if value not in choices:
            self.add(path, "must be one of %s, got %r" % (", ".join(choices), value))
            return default
        return value

    def name(self, value, path, what="name"):
        if not isinstance(value, str) or not _NAME_RE.match(value):
            self.add(
                path,
                "%s %r must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit" % (what, value),
            )
            return None
        return value

    def ip(self, value, path):
        """A literal IPv4 address (for checks that need one)."""
        if isinstance(value, str):
            number = ipv4_int(value.strip())
            if number is not None:
                return ipaddress.IPv4Address(number)
        try:
            return ipaddress.IPv4Address(str(value).strip())
        except (ipaddress.AddressValueError, ValueError):
            self.add(path, "%r is not an IPv4 address" % (value,))
            return None

    def address(self, value, path):
        """An IPv4 address or a DNS name, where dhcpd resolves names itself: atom or None."""
        try:
            return read_address(value)
        except ValueError as exc:
            self.add(path, str(exc))
            return None

    def text(self, value, path):
        try:
            return check_text(value)
        except ValueError as exc:
            self.add(path, str(exc))
            return None

    def line(self, value, path, what="statement"):
        """One dhcpd statement or expression: a single line that cannot open or close a block."""
        if not isinstance(value, str) or not value.strip():
            self.add(path, "must be one %s as a string" % what)
            return None
        text = " ".join(value.split())
        if re.search(r"[;{}\n\r\\]", value) or "#" in _strip_quoted(text):
            self.add(path, "%r must be one %s on one line, without ';', '{', '}', '#' or backslashes (the collection adds the ';')" % (value, what))
            return None
        if text.count('"') % 2:
            self.add(path, "%r has an unbalanced quote" % value)
            return None
        if _EXECUTE_RE.search(_strip_quoted(text)):
            self.add(path, "%r %s" % (value, EXECUTE_REFUSED))
            return None
        return text


def _strip_quoted(text):
    return re.sub(r'"[^"]*"', '""', text)
