"""Fail when a documented default differs from the role's.

Three places say what a role variable defaults to: the role's
defaults/main.yml (what Ansible uses), its meta/argument_specs.yml (what
ansible-doc and argument validation show) and the prose of README.md and
docs/*.md. This check (run by `make lint`) reads the first two for every
role and entry point, and every default the prose states in one of the
forms the docs use:

    `dhcpd_max_clock_skew` (30 s ...)      a number, optionally with a unit
    `dhcpd_authoritative` ... (default **true** ...)   in the same table row
    `verify_timeout` defaults to 3         in prose

and prints each disagreement with its file and line. Exit code 1 if any.
"""

import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def role_defaults():
    """{variable: (value, where)} from defaults/main.yml, checked against
    the argument specs; returns (defaults, problems)."""
    defaults, problems = {}, []
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "defaults", "main.yml"))):
        with open(path) as fh:
            for name, value in (yaml.safe_load(fh) or {}).items():
                defaults[name] = (value, os.path.relpath(path, ROOT))
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml"))):
        with open(path) as fh:
            specs = (yaml.safe_load(fh) or {}).get("argument_specs", {})
        role_dir = os.path.dirname(os.path.dirname(path))
        own = os.path.join(role_dir, "defaults", "main.yml")
        with open(own) if os.path.exists(own) else open(os.devnull) as fh:
            own_defaults = yaml.safe_load(fh) or {}
        for entry, spec in specs.items():
            for name, option in (spec.get("options") or {}).items():
                where = "%s (%s.%s)" % (os.path.relpath(path, ROOT), entry, name)
                if entry == "playbooks":
                    # Run-wide variables of the playbooks (documentation only): their
                    # defaults are the playbooks' own, stated in the prose check below.
                    if "default" in option:
                        defaults.setdefault(name, (option["default"], where))
                    continue
                if "default" in option:
                    if name not in defaults:
                        problems.append("%s: default %r, but no role's defaults/main.yml sets %s" % (where, option["default"], name))
                    elif defaults[name][0] != option["default"]:
                        problems.append("%s: default %r, but %s has %r" % (where, option["default"], defaults[name][1], defaults[name][0]))
                elif own_defaults.get(name) is not None and entry == "main" and not option.get("required"):
                    problems.append("%s: no default in the spec, but defaults/main.yml has %r" % (where, own_defaults[name]))
    return defaults, problems


def _same(stated, value):
    stated = stated.strip().strip("*`'\"")
    if isinstance(value, bool):
        return stated.lower() in (("true", "yes") if value else ("false", "no"))
    if isinstance(value, (int, float)):
        try:
            return float(stated) == float(value)
        except ValueError:
            return False
    if value in (None, "", [], {}):
        return stated in ("", "null", "none", "[]", "{}", "''", '""', "empty")
    return stated == str(value)


def documented(defaults):
    """Every default the prose states, compared with the role's."""
    problems = []
    names = "|".join(sorted((re.escape(n) for n in defaults), key=len, reverse=True))
    forms = [
        # `name` (30 s   /   `name` (default 30
        re.compile(r"`(%s)` \((?:default:? )?(-?\d+(?:\.\d+)?)(?=[ ,;)])" % names),
        # `name` defaults to 3
        re.compile(r"`(%s)` defaults to `?([^\s`,;.)]+)" % names),
    ]
    files = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    for path in files:
        with open(path) as fh:
            text = fh.read()
        # Prose wraps lines: read paragraphs as one line, report the first line.
        flat = re.sub(r"(?<!\n)\n(?![\n|#`-])", " ", text)
        for form in forms:
            for m in form.finditer(flat):
                name, stated = m.group(1), m.group(2)
                if not _same(stated, defaults[name][0]):
                    line = text.count("\n", 0, text.find(name, max(0, m.start() - 200))) + 1
                    problems.append("%s:%d: says %s defaults to %s; %s has %r" % (
                        os.path.relpath(path, ROOT), line, name, stated, defaults[name][1], defaults[name][0]))
        for row in re.finditer(r"^\|[^\n]*\(default \*\*([^*]+)\*\*[^\n]*$", text, re.M):
            found = re.findall(r"`(%s)`" % names, row.group(0))
            for name in found[:1]:
                if not _same(row.group(1), defaults[name][0]):
                    problems.append("%s:%d: says %s defaults to %s; %s has %r" % (
                        os.path.relpath(path, ROOT), text.count("\n", 0, row.start()) + 1, name, row.group(1),
                        defaults[name][1], defaults[name][0]))
    return problems


def main():
    defaults, problems = role_defaults()
    problems += documented(defaults)
    for problem in problems:
        print(problem)
    if problems:
        print("%d documented default(s) differ from the roles'" % len(problems))
        return 1
    print("docs defaults: %d role variables, every stated default matches" % len(defaults))
    return 0


if __name__ == "__main__":
    sys.exit(main())
