# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""dhcpd.conf as a tree of statements and blocks, for importing it.

Private to this collection; may change without notice.

The grammar is the one dhcpd.conf(5) describes: a statement is words up to
a ``;``; a declaration is words followed by a block in ``{ }``, which holds
statements and declarations; ``#`` starts a comment that runs to the end of
the line; a string is double-quoted with backslash escapes. ``if``,
``elsif`` and ``else`` are blocks like any other here (their headers are
their conditions). Each node keeps its line and its text with comments
dropped and white space collapsed, so that what cannot be imported can be
shown as the user wrote it.
"""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Tuple


class ConfSyntaxError(ValueError):
    """A text dhcpd would not read either: ``where`` is ``file:line``."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__("%s: %s" % (where, why))
        self.where = where


class Token(NamedTuple):
    text: str
    line: int


class Node(NamedTuple):
    """A statement (``children`` is None) or a block, with its first line."""

    words: Tuple[str, ...]
    line: int
    children: Optional[List["Node"]] = None

    @property
    def text(self) -> str:
        """The words as one line, the way the renderers write a statement."""
        return join_words(self.words)

    @property
    def keyword(self) -> str:
        return self.words[0].lower() if self.words else ""


_PUNCT = "{};"


def _string_end(text: str, i: int, source: str, line: int) -> int:
    j = i + 1
    while j < len(text) and text[j] != '"':
        j += 2 if text[j] == "\\" else 1
    if j >= len(text):
        raise ConfSyntaxError("%s:%d" % (source, line), "a string is not closed (a '\"' is missing)")
    return j + 1


def tokens(text: str, source: str = "dhcpd.conf") -> List[Token]:
    """Words, strings (quotes kept) and ``{``, ``}``, ``;`` with their line numbers."""
    out, i, line = [], 0, 1
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
        elif ch.isspace():
            i += 1
        elif ch == '"':
            j = _string_end(text, i, source, line)
            out.append(Token(text[i:j], line))
            line += text.count("\n", i, j)
            i = j
        elif ch in _PUNCT:
            out.append(Token(ch, line))
            i += 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in _PUNCT + '"#':
                j += 1
            out.append(Token(text[i:j], line))
            i = j
    return out


def parse(text: str, source: str = "dhcpd.conf") -> List[Node]:
    """The top-level nodes of a dhcpd.conf text, or ConfSyntaxError with file:line."""
    stack: List[Tuple[Tuple[str, ...], int, List[Node]]] = [((), 0, [])]
    words: List[str] = []
    first_line = 0
    for tok in tokens(text, source):
        if tok.text == "{":
            stack.append((tuple(words), first_line or tok.line, []))
            words, first_line = [], 0
        elif tok.text == "}":
            if words:
                raise ConfSyntaxError("%s:%d" % (source, first_line), "%r has no ';' before the '}'" % join_words(tuple(words)))
            if len(stack) == 1:
                raise ConfSyntaxError("%s:%d" % (source, tok.line), "a '}' closes no block")
            head, line, children = stack.pop()
            stack[-1][2].append(Node(head, line, children))
        elif tok.text == ";":
            if words:
                stack[-1][2].append(Node(tuple(words), first_line))
            words, first_line = [], 0
        else:
            first_line = first_line or tok.line
            words.append(tok.text)
    if words:
        raise ConfSyntaxError("%s:%d" % (source, first_line), "%r has no ';' at its end" % join_words(tuple(words)))
    if len(stack) > 1:
        raise ConfSyntaxError("%s:%d" % (source, stack[-1][1]), "the block opened here is not closed (a '}' is missing)")
    return stack[0][2]


def join_words(words: Tuple[str, ...]) -> str:
    """Words joined by one space, none before a comma; a key's secret is never shown."""
    if words and words[0].lower() == "secret":
        return "secret (not shown)"
    out = ""
    for word in words:
        out += word if not out or word.startswith(",") else " " + word
    return out


def unquote(word: str) -> str:
    """A word with its double quotes and backslash escapes undone."""
    if len(word) >= 2 and word[0] == '"' and word[-1] == '"':
        out, i, body = [], 0, word[1:-1]
        while i < len(body):
            if body[i] == "\\" and i + 1 < len(body):
                out.append(body[i + 1])
                i += 2
            else:
                out.append(body[i])
                i += 1
        return "".join(out)
    return word


def split_commas(words: Tuple[str, ...]) -> List[List[str]]:
    """Words of a value split at top-level commas: ``a, b c`` -> [[a], [b, c]]."""
    items: List[List[str]] = [[]]
    for word in words:
        if word.startswith('"'):
            items[-1].append(word)
            continue
        parts = word.split(",")
        for k, part in enumerate(parts):
            if k:
                items.append([])
            if part:
                items[-1].append(part)
    return [item for item in items if item]
