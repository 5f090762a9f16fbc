"""Is what the markup says on the page? The FAQ questions and answers, author names and headlines
of a page's structured data, looked for in its visible text once both are normalized (tags,
entities, Unicode forms, case, punctuation, whitespace); a value cut with an ellipsis is
matched up to its cut (SD006 reads the result).
"""

from __future__ import annotations

import html
import re
import unicodedata

from aeo.facts.entities import EntityNode, Ref
from aeo.facts.parts import Unseen

_TAG = re.compile(r"<[^>]{0,500}>")

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

_ELLIPSIS = re.compile(r"(\.\.\.|…)\s*$")


def normalize_text(text: str) -> str:
    if "<" in text:    # (a page's visible text holds no tags: its scan is spared)
        text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def _needle(text: str) -> str:
    if _ELLIPSIS.search(text):   # a truncated value: match what is left, minus the cut word
        words = normalize_text(_ELLIPSIS.sub("", text)).split()
        return " ".join(words[:-1] if len(words) > 3 else words)
    return normalize_text(text)


def _strings(values) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.strip()]


def _node_name(nodes: list[EntityNode], value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Ref) and value.node is not None:
        names = _strings(nodes[value.node].values("name"))
        return names[0] if names else ""
    return ""


def marked_up_texts(nodes: list[EntityNode]) -> list[tuple[str, int, str]]:
    """(kind, node, text) for FAQ questions and answers, author names and headlines."""
    out: list[tuple[str, int, str]] = []
    for node in nodes:
        if node.syntax == "opengraph":
            continue
        if "FAQPage" in node.types:
            for q in node.values("mainEntity"):
                if not (isinstance(q, Ref) and q.node is not None):
                    continue
                question = nodes[q.node]
                out += [("question", question.n, t) for t in _strings(question.values("name"))]
                for key in ("acceptedAnswer", "suggestedAnswer"):
                    for a in question.values(key):
                        if isinstance(a, Ref) and a.node is not None:
                            out += [("answer", a.node, t)
                                    for t in _strings(nodes[a.node].values("text"))]
        out += [("headline", node.n, t) for t in _strings(node.values("headline"))]
        for author in node.values("author"):
            name = _node_name(nodes, author)
            if name.strip():
                out.append(("author", node.n, name))
    return out


def unseen_markup(nodes: list[EntityNode], visible: str) -> tuple[int, list[dict]]:
    """How many marked-up texts were checked, and those the visible text does not contain."""
    haystack = normalize_text(visible)
    checked, missing, seen = 0, [], set()
    for kind, n, text in marked_up_texts(nodes):
        needle = _needle(text)
        if not needle or (kind, needle) in seen:
            continue
        seen.add((kind, needle))
        checked += 1
        if needle not in haystack:
            missing.append(Unseen(kind, n, " ".join(text.split())[:200]))
    return checked, missing
