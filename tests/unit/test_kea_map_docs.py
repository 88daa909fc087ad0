"""docs/kea.md's tables of the keys Kea takes or refuses as a whole, of the
options Kea names otherwise or sets itself, and the grammar of the
expressions translated are made from plugins/plugin_utils/_kea_map.py (the
table the checks and the writer walk) and _kea_expr.py: the file must hold
what they say. UPDATE_DOCS=1 rewrites them (then read the diff)."""

import os
import re

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils import _kea_map

from tests.helpers import ROOT

DOC = os.path.join(ROOT, "docs", "kea.md")
BLOCK = re.compile(r"(<!-- kea_map: (taken|refused|options|forms) -->\n)(.*?)(<!-- /kea_map -->)", re.S)


def expected(text):
    return BLOCK.sub(lambda m: m.group(1) + _kea_map.doc_table(m.group(2)) + m.group(4), text)


def test_docs_tables_are_the_map():
    with open(DOC) as fh:
        text = fh.read()
    assert [m.group(2) for m in BLOCK.finditer(text)] == ["taken", "options", "forms", "refused"]
    want = expected(text)
    if os.environ.get("UPDATE_DOCS") and want != text:
        with open(DOC, "w") as fh:
            fh.write(want)
        text = want
    assert text == want, "docs/kea.md differs from _kea_map.py: run UPDATE_DOCS=1 make unit and read the diff"


def test_every_key_is_either_taken_or_refused_and_each_taken_key_is_checked_and_written():
    for key in _kea_map.KEYS:
        assert bool(key.why) != bool(key.kea), key.name
        if key.kea:
            assert key.check and key.write, key.name
        assert key.at and all(at in ("dhcpd", "class") or at in _kea_map.ANY_SCOPE for at in key.at), key.name


def test_the_grammar_shown_is_the_parsers():
    """Each rule of GRAMMAR is a method of the parser, and each word it quotes is read there."""
    import inspect

    from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils import _kea_expr

    source = inspect.getsource(_kea_expr._Match)
    for line in _kea_expr.GRAMMAR.splitlines():
        rule, dummy, body = line.partition(":=")
        assert callable(getattr(_kea_expr._Match, rule.strip(), None)), rule
        for word in re.findall(r'"([a-z]+)"', body):
            assert '"%s"' % word in source, word
