"""tests/docs_defaults.py (run by make lint) finds a documented default that
differs from the role's, and passes on the project as it is."""

import shutil

from tests import docs_defaults


def test_the_project_s_documented_defaults_match_the_roles():
    defaults, problems = docs_defaults.role_defaults()
    assert problems + docs_defaults.documented(defaults) == []
    assert defaults["dhcpd_max_clock_skew"][0] == 30


def test_a_default_stated_wrongly_is_reported_with_its_file_and_line(tmp_path, monkeypatch):
    for part in ("roles", "docs"):
        shutil.copytree(docs_defaults.ROOT + "/" + part, tmp_path / part, symlinks=True)
    shutil.copy(docs_defaults.ROOT + "/README.md", tmp_path / "README.md")
    doc = tmp_path / "docs" / "validation.md"
    doc.write_text(doc.read_text().replace("`dhcpd_max_clock_skew` (30 s)", "`dhcpd_max_clock_skew` (60 s)"))
    spec = tmp_path / "roles" / "kea" / "meta" / "argument_specs.yml"
    spec.write_text(spec.read_text().replace("default: 10\n", "default: 12\n", 1))
    monkeypatch.setattr(docs_defaults, "ROOT", str(tmp_path))
    defaults, problems = docs_defaults.role_defaults()
    problems += docs_defaults.documented(defaults)
    assert any(p.startswith("docs/validation.md:18: says dhcpd_max_clock_skew defaults to 60") for p in problems), problems
    assert any("kea_ha_max_unacked_clients): default 12, but roles/kea/defaults/main.yml has 10" in p for p in problems), problems
    assert len(problems) == 2, problems
