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
    ("access.py", "aeo.crawler.bots"): "the crawler table names each bot's operator in findings",
    ("cite.py", "aeo.analyzers.answers"): "the metric and setting patterns are read in the rule",
    ("qa.py", "aeo.analyzers.answers"): "the FAQ heading pattern and the word count of answers",
}


def _project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
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
                   if m != "aeo" and not m.startswith("aeo.facts")}   # ('aeo': its version)
        assert outside == set(), (path.name, outside)
