"""Every function of plugins/ stays small enough to read at once: at most 60
lines and a McCabe complexity of at most 15 (the mccabe package, flake8's
measure). A function past either bound is named with its figures."""

import ast
import os

import mccabe

from tests.helpers import ROOT

MAX_LINES = 60
MAX_COMPLEXITY = 15


def measure(path):
    """(name, first line, lines, complexity) of each function of one file."""
    with open(path) as fh:
        tree = ast.parse(fh.read(), path)
    visitor = mccabe.PathGraphingAstVisitor()
    visitor.preorder(tree, visitor)
    complexity = {}
    for graph in visitor.graphs.values():
        complexity[graph.lineno] = max(complexity.get(graph.lineno, 0), graph.complexity())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1, complexity.get(node.lineno, 1)


def python_files():
    for folder, dummy, names in os.walk(os.path.join(ROOT, "plugins")):
        for name in sorted(names):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def test_no_function_in_plugins_is_over_60_lines_or_complexity_15():
    measured, too_big = 0, []
    for path in python_files():
        for name, line, lines, complexity in measure(path):
            measured += 1
            if lines > MAX_LINES or complexity > MAX_COMPLEXITY:
                too_big.append("%s:%d %s: %d lines, complexity %d" % (os.path.relpath(path, ROOT), line, name, lines, complexity))
    assert measured > 300, "the walk found only %d functions" % measured
    assert not too_big, "\n".join(too_big)


def test_the_measure_sees_a_long_branchy_function(tmp_path):
    body = "".join("    if x == %d:\n        return %d\n" % (i, i) for i in range(40))
    sample = tmp_path / "sample.py"
    sample.write_text("def branchy(x):\n" + body + "    return -1\n")
    [(name, line, lines, complexity)] = list(measure(str(sample)))
    assert (name, lines, complexity) == ("branchy", 82, 41)


def imports(path):
    with open(path) as fh:
        tree = ast.parse(fh.read(), path)
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}


def test_the_renderers_and_the_fleet_read_the_model_through_its_one_entry_point():
    """_model.py is the model's face: the renderers, the Kea modules and the
    fleet checks import it, never the _model_* files behind it, and the
    model never imports a renderer."""
    utils = os.path.join(ROOT, "plugins", "plugin_utils")
    readers = [name for name in sorted(os.listdir(utils)) if name.startswith(("_dhcpd_render", "_kea_", "_fleet"))]
    assert len(readers) >= 6
    for name in readers:
        behind = sorted(m for m in imports(os.path.join(utils, name)) if m.startswith("_model_"))
        assert not behind, "%s imports %s; import them from _model" % (name, ", ".join(behind))
    for name in sorted(os.listdir(utils)):
        if name.startswith("_model"):
            upward = sorted(m for m in imports(os.path.join(utils, name)) if m.startswith(("_dhcpd_render", "_kea_", "_fleet")))
            assert not upward, "%s imports %s" % (name, ", ".join(upward))


def test_the_model_s_public_functions_are_annotated():
    utils = os.path.join(ROOT, "plugins", "plugin_utils")
    bare = []
    for name in sorted(os.listdir(utils)):
        if not (name.startswith("_model") or name == "_boot_rules.py"):
            continue
        with open(os.path.join(utils, name)) as fh:
            tree = ast.parse(fh.read(), name)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if node.returns is None or any(a.annotation is None for a in node.args.args):
                    bare.append("%s: %s" % (name, node.name))
    assert not bare, "\n".join(bare)
