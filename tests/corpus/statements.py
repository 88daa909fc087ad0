"""dhcpd.conf as a list of (scope, statement) pairs, for comparing two files.

A statement is normalised: comments dropped, whitespace collapsed, quotes
removed, spaces around ',' and '=' removed. Its scope is the chain of
declarations around it (shared-network, subnet, host, class, subclass,
failover peer, zone, key). pool, group and if/elsif/else blocks are left
out of the chain: what they hold still applies inside the declaration
around them, and the collection writes pools and boot conditionals where
hand-written files often used none.
"""

import re

DECLARATIONS = ("shared-network", "subnet", "host", "class", "subclass", "failover", "zone", "key")


def tokens(text):
    """Words, quoted strings and the three punctuation marks, comments dropped."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
        elif ch == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif ch in "{};":
            out.append(ch)
            i += 1
        elif ch.isspace():
            i += 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in '{};"#':
                j += 1
            out.append(text[i:j])
            i = j
    return out


def normalise(words):
    text = " ".join(w.strip('"') if w.startswith('"') else w for w in words)
    text = re.sub(r"\s*([,=(])\s*", r"\1", text)
    text = re.sub(r"\s*\)", ")", text)
    # dhcpd reads on/off and true/false alike.
    words = ["true" if w == "on" else "false" if w == "off" else w for w in text.split()]
    return " ".join(words)


def statements(text):
    """[(scope, statement)] of a dhcpd.conf text."""
    out, stack, words = [], [], []
    for tok in tokens(text):
        if tok == "{":
            header = normalise(words)
            first = header.split(" ", maxsplit=1)[0] if header else ""
            stack.append(header if first in DECLARATIONS else None)
            words = []
        elif tok == "}":
            if words:
                out.append((_scope(stack), normalise(words)))
                words = []
            stack.pop()
        elif tok == ";":
            if words:
                out.append((_scope(stack), normalise(words)))
            words = []
        else:
            words.append(tok)
    return out


def _scope(stack):
    return " / ".join(s for s in stack if s) or "global"


def compare(original, rendered):
    """Sort the original's statements into expressed in place, moved, and missing."""
    here = set(rendered)
    anywhere = {s for dummy, s in rendered}
    same, moved, missing = [], [], []
    for item in original:
        if item in here:
            same.append(item)
        elif item[1] in anywhere:
            moved.append(item)
        else:
            missing.append(item)
    return same, moved, missing
