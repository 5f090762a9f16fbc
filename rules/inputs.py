"""What a rule reads: the page and site facts and the governance settings its check uses.

Read from the code itself (the check's syntax tree and every function of the tool it calls,
followed through the modules), so the list shown by `aeo explain` and in docs/rules.md cannot
drift from what decides.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from aeo.facts.records import PageFacts, SiteFacts

PAGE_FIELDS = frozenset(f.name for f in dataclasses.fields(PageFacts))
SITE_FIELDS = frozenset(f.name for f in dataclasses.fields(SiteFacts))
GOVERNANCE_NAMES = frozenset({"gov", "governance"})
FACT_TYPES = frozenset({"PageFacts", "SiteFacts", "Pages", "Governance"})
PAGE_NAMES = frozenset({"page", "p", "site"})   # a page or the site wherever it comes from


@dataclass(frozen=True)
class Inputs:
    page: tuple[str, ...]        # PageFacts fields read
    site: tuple[str, ...]        # SiteFacts fields read
    settings: tuple[str, ...]    # governance settings read


@functools.cache
def _tree(module: str) -> ast.Module | None:
    mod = sys.modules.get(module)
    try:
        return ast.parse(inspect.getsource(mod)) if mod else None
    except (OSError, TypeError):
        return None


def _node_of(fn: Callable) -> ast.AST | None:
    tree = _tree(fn.__module__)
    if tree is None:
        return None
    qual = fn.__qualname__.split(".")
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == qual[-1] \
                and node.lineno == fn.__code__.co_firstlineno + _decorators(node):
            return node
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None


def _decorators(node: ast.FunctionDef) -> int:
    # co_firstlineno points at the first decorator; ast's lineno at the `def`
    return node.lineno - min([d.lineno for d in node.decorator_list], default=node.lineno)


def _setting(node: ast.AST) -> str | None:
    """gov["name"], gov.get("name") or gov.settings["name"] -> name."""
    def is_gov(n: ast.AST) -> bool:
        return (isinstance(n, ast.Name) and n.id in GOVERNANCE_NAMES) or (
            isinstance(n, ast.Attribute) and n.attr == "settings" and is_gov(n.value))

    if isinstance(node, ast.Subscript) and is_gov(node.value) and \
            isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "get" and is_gov(node.func.value) and node.args and \
            isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None



@functools.cache
def inputs_of(fn: Callable) -> Inputs:
    page: set[str] = set()
    site: set[str] = set()
    settings: set[str] = set()
    seen: set[Callable] = set()
    todo = [fn]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        node = _node_of(f)
        if node is None:
            continue
        scope = getattr(f, "__globals__", {})
        # a parameter typed as another record (llms: LlmsTxt, b: Body) is not page or site
        # facts, whatever its fields are called
        others = {a.arg for fn in ast.walk(node) if isinstance(fn, (ast.FunctionDef,
                                                                    ast.AsyncFunctionDef))
                  for a in fn.args.args if a.annotation is not None
                  and ast.unparse(a.annotation) not in FACT_TYPES}
        # nor is a loop variable over anything but the pages (a block, a section, a candidate)
        others |= {t.id for n in ast.walk(node) if isinstance(n, (ast.For, ast.comprehension))
                   and not (isinstance(n.iter, ast.Name) and n.iter.id == "pages")
                   for t in ast.walk(n.target) if isinstance(t, ast.Name)
                   and t.id not in PAGE_NAMES}
        for n in ast.walk(node):
            name = _setting(n)
            if name:
                settings.add(name)
            # a field read straight off a name (page.x, site.x, p.x), not off another field
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name):
                if n.value.id in others:
                    continue
                base = n.value.id.lower()
                if n.attr in SITE_FIELDS and ("site" in base or n.attr not in PAGE_FIELDS):
                    site.add(n.attr)
                elif n.attr in PAGE_FIELDS:
                    page.add(n.attr)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                target = scope.get(n.id)
                if inspect.isfunction(target) and target.__module__.startswith("aeo.") \
                        and target.__module__ != "aeo.facts.records":
                    todo.append(target)
    return Inputs(tuple(sorted(page)), tuple(sorted(site)), tuple(sorted(settings)))
