# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two dhcpd.conf texts compared statement by statement.

Private to this collection; may change without notice.

A statement is normalised: comments dropped, white space collapsed, quotes
removed, spaces around ``,`` ``=`` ``(`` and before ``)`` removed, ``on`` and
``off`` read as ``true`` and ``false`` (dhcpd reads them alike). Its scope is
the chain of declarations around it (shared-network, subnet, host, class,
subclass, failover peer, zone, key). ``pool``, ``group`` and ``if`` blocks
are left out of the chain: what they hold still applies inside the
declaration around them, and the collection writes pools and boot
conditionals where hand-written files often have none. A key's ``secret``
is never shown: it reads ``secret (not shown)``.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

from ._import_parse import tokens

DECLARATIONS = ("shared-network", "subnet", "host", "class", "subclass", "failover", "zone", "key")
HIDDEN = "secret (not shown)"

Statement = Tuple[str, str]


def normalise(words: List[str]) -> str:
    text = " ".join(w.strip('"') if w.startswith('"') else w for w in words)
    text = re.sub(r"\s*([,=(])\s*", r"\1", text)
    text = re.sub(r"\s*\)", ")", text)
    words = ["true" if w == "on" else "false" if w == "off" else w for w in text.split()]
    if words and words[0] == "secret":
        return HIDDEN
    return " ".join(words)


def statements(text: str) -> List[Statement]:
    """[(scope, statement)] of a dhcpd.conf text."""
    out: List[Statement] = []
    stack: List[str] = []
    words: List[str] = []
    for tok in (t.text for t in tokens(text)):
        if tok == "{":
            header = normalise(words)
            first = header.split(" ", maxsplit=1)[0] if header else ""
            stack.append(header if first in DECLARATIONS else "")
            words = []
        elif tok == "}":
            if words:
                out.append((_scope(stack), normalise(words)))
                words = []
            if stack:
                stack.pop()
        elif tok == ";":
            if words:
                out.append((_scope(stack), normalise(words)))
            words = []
        else:
            words.append(tok)
    return out


def _scope(stack: List[str]) -> str:
    return " / ".join(s for s in stack if s) or "global"


def compare(original: List[Statement], rendered: List[Statement]) -> Tuple[List[Statement], List[Statement], List[Statement]]:
    """Sort the original's statements into expressed in place, moved, and missing."""
    here = set(rendered)
    anywhere = {s for dummy, s in rendered}
    same: List[Statement] = []
    moved: List[Statement] = []
    missing: List[Statement] = []
    for item in original:
        if item in here:
            same.append(item)
        elif item[1] in anywhere:
            moved.append(item)
        else:
            missing.append(item)
    return same, moved, missing


def compare_texts(running: str, rendered: str) -> Dict[str, List[str]]:
    """What of ``running`` ``rendered`` says in place, in another scope, not at all; and what it adds."""
    before, after = statements(running), statements(rendered)
    same, moved, missing = compare(before, after)
    added = compare(after, before)[2]
    show = ["[%s] %s" % item for item in moved], ["[%s] %s" % item for item in missing], ["[%s] %s" % item for item in added]
    return {"same": ["[%s] %s" % item for item in same], "moved": show[0], "missing": show[1], "added": show[2]}
