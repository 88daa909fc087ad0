"""Real, published dhcpd.conf files of other people's sites, migrated to the
collection's description (tests/corpus/*.yml): each renders, passes dhcpd -t,
and says every statement of the original, statement by statement, except the
ones its YAML lists as not expressed, each with the reason."""

import glob
import os
import tempfile

import pytest
import yaml

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from tests.corpus.statements import compare, statements
from tests.helpers import ROOT, assert_dhcpd_accepts

CORPUS = os.path.join(ROOT, "tests", "corpus")
SITES = sorted(glob.glob(os.path.join(CORPUS, "*.yml")))
CASES = []
for _site in SITES:
    with open(_site) as _fh:
        for _render in yaml.safe_load(_fh)["renders"]:
            CASES.append((_site, _render["role"], _render["original"]))


def read_original(name):
    out = []
    with open(os.path.join(CORPUS, name)) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            scope, statement = line.rstrip("\n").split("\t")
            out.append((scope, statement))
    return out


def render_site(site, role):
    """Render one peer of a site and pass it (with its includes and keys) through dhcpd -t."""
    with open(site) as fh:
        data = yaml.safe_load(fh)
    with tempfile.TemporaryDirectory() as tmp:
        secrets_path = os.path.join(tmp, "secrets.conf")
        text = render_config(data["description"], role, data.get("hosts") or {}, secrets_path=secrets_path)
        secrets = render_config(data["description"], role, data.get("hosts") or {}, part="secrets", secrets_path=secrets_path)
        files, checked = {}, text
        if secrets:
            files[secrets_path] = secrets
        for i, (path, content) in enumerate(sorted((data.get("includes") or {}).items())):
            stand_in = os.path.join(tmp, "include-%d.conf" % i)
            files[stand_in] = content + "\n"
            checked = checked.replace('include "%s";' % path, 'include "%s";' % stand_in)
        assert_dhcpd_accepts(checked, files)
    return data, text.replace(secrets_path, "/etc/dhcp/dhcpd.secrets.conf"), secrets


def report(site, role):
    data, text, secrets = render_site(site, role)
    original = [x for x in CASES if x[0] == site and x[1] == role][0][2]
    same, moved, missing = compare(read_original(original), statements(text + "\n" + secrets))
    return data, original, same, moved, missing


@pytest.mark.parametrize("site,role,original", CASES, ids=["%s-%s" % (os.path.basename(s)[:-4], r) for s, r, dummy in CASES])
def test_site_is_expressed_statement_by_statement(site, role, original):
    data, original, same, moved, missing = report(site, role)
    expected = {item["statement"] for item in (data.get("not_expressed") or {}).get(original, [])}
    for item in (data.get("not_expressed") or {}).get(original, []):
        assert item.get("why"), "every statement left out says why"
    lines = ["%s (%s): %d statements, %d in place, %d in another scope, %d not expressed"
             % (os.path.basename(site), role, len(same) + len(moved) + len(missing), len(same), len(moved), len(missing))]
    lines += ["  moved:   [%s] %s" % m for m in moved]
    lines += ["  missing: [%s] %s" % m for m in missing]
    print("\n".join(lines))
    assert {s for dummy, s in missing} == expected, "\n".join(lines)


def test_corpus_covers_the_kinds_of_site():
    kinds = []
    for site in SITES:
        with open(site) as fh:
            data = yaml.safe_load(fh)
        kinds.append(data["kind"])
        for src in data["sources"]:
            assert set(src) == {"repository", "path", "commit"} and len(src["commit"]) == 40
    assert len(SITES) >= 5
    for word in ("failover", "PXE", "DDNS", "iPXE"):
        assert any(word in k for k in kinds), (word, kinds)
