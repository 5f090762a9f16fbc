"""The stage boundaries, enforced: rules read facts and judge, so they import the facts
package, the rule base and the governance only; the facts package imports nothing else of
the project. What still crosses is listed with its reason, and the list only shrinks: an
entry that no longer crosses fails too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES_MAY_IMPORT = ("aeo.facts", "aeo.rules", "aeo.governance")

# (rules module, imported module): why it still crosses; each moves into the facts or the
# analyzers (issue 17, "analyzers observe, rules judge")
CROSSING = {
    ("access.py", "aeo.crawler.bots"): "ACC010 names the engines a probed bot serves from the "
                                       "crawler's bot table",
}


def _project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "aeo" and node.level == 0:
            names = [f"aeo.{a.name}" for a in node.names]     # from aeo import X: aeo.X
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n == "aeo" or n.startswith("aeo."))
    return found


def test_rules_import_only_the_facts_the_rule_base_and_the_governance():
    crossing = set()
    for path in sorted((ROOT / "rules").glob("*.py")):
        for module in _project_imports(path):
            if not module.startswith(RULES_MAY_IMPORT):
                crossing.add((path.name, module))
    assert crossing - set(CROSSING) == set(), "a rule reaches past the facts"
    assert set(CROSSING) - crossing == set(), "no longer crossing: take it off the list"


def test_the_facts_package_stands_on_its_own():
    for path in sorted((ROOT / "aeo" / "facts").glob("*.py")):
        outside = {m for m in _project_imports(path)
                   if m != "aeo.__version__" and not m.startswith("aeo.facts")}
        assert outside == set(), (path.name, outside)


STORE = {"aeo/store.py", "aeo/rundb.py", "aeo/comparison.py"}


def test_the_run_database_is_reached_through_the_store_only():
    """Only the store opens SQLite or touches a database connection; the CLI may name
    sqlite3's error class to turn it into one line."""
    for path in sorted(p for d in ("aeo", "crawler", "analyzers", "rules", "reports")
                       for p in (ROOT / d).rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in STORE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr != "conn", f"{name}:{node.lineno} reaches a connection"
                if isinstance(node.value, ast.Name) and node.value.id == "sqlite3":
                    assert name == "aeo/cli.py" and node.attr == "Error", \
                        f"{name}:{node.lineno} uses sqlite3.{node.attr}"


def test_render_reads_the_audit_result_only():
    """The report stage writes what the judge decided: it runs no rule, opens no run and
    reaches no store but for its atomic file writer."""
    import inspect

    from aeo.reports.build import render

    assert list(inspect.signature(render).parameters) == ["result", "out"]
    for path in sorted((ROOT / "reports").glob("*.py")):
        for module in _project_imports(path):
            assert not module.startswith(("aeo.rules.base", "aeo.analyzers", "aeo.crawler")), \
                (path.name, module)
        text = path.read_text(encoding="utf-8")
        assert "Workspace" not in text and "open_db" not in text, path.name


def test_no_private_scrapy_attribute_is_touched():
    """The crawler reads Scrapy through its public API only (engine.scheduler, downloader
    slots and per-slot settings, signals, extensions): no `engine._slot`, no `downloader._x`."""
    scrapy_objects = ("engine", "downloader", "scheduler", "crawler", "slot", "stats")
    for path in sorted((ROOT / "crawler").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and \
                    not node.attr.startswith("__"):
                owner = ast.unparse(node.value)
                assert not any(w in owner for w in scrapy_objects), \
                    f"{path.name}:{node.lineno} {owner}.{node.attr}"


MAX_LINES = 420     # "about 400": a module a person can hold in their head
LONGER = {   # module: why it is still longer; the list only shrinks
    "demo/build.py": "the demo site's content: data more than code",
}


def test_modules_stay_short():
    long = {}
    for d in ("aeo", "crawler", "analyzers", "rules", "reports", "demo"):
        for path in (ROOT / d).rglob("*.py"):
            n = len(path.read_text(encoding="utf-8").splitlines())
            if n > MAX_LINES:
                long[str(path.relative_to(ROOT))] = n
    assert set(long) <= set(LONGER), f"over {MAX_LINES} lines: {sorted(set(long) - set(LONGER))}"
    assert set(LONGER) <= set(long), f"now short: take off LONGER {sorted(set(LONGER) - set(long))}"


def test_every_module_says_what_it_owns():
    """Each module opens with a docstring: what it owns, in a sentence or more."""
    missing = []
    for d in ("aeo", "crawler", "analyzers", "rules", "reports"):
        for path in (ROOT / d).rglob("*.py"):
            if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))):
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, missing
