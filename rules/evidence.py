"""How findings quote what they found: the same few shapes in every rule's evidence."""

from __future__ import annotations

from collections.abc import Iterable


def shortlist(items: Iterable[str], n: int = 3) -> str:
    """'a, b, c and 4 more'."""
    items = list(items)
    more = f" and {len(items) - n} more" if len(items) > n else ""
    return ", ".join(items[:n]) + more


def join_evidence(items: Iterable[str], n: int = 6) -> str:
    """'first problem; second problem; and 3 more'."""
    items = list(items)
    more = f"; and {len(items) - n} more" if len(items) > n else ""
    return "; ".join(items[:n]) + more


def snippet(value, n: int = 80) -> str:
    """A value on one line, cut to n characters with an ellipsis."""
    text = " ".join(str(value).split())
    return text if len(text) <= n else text[:n - 1] + "…"


def first_words(text: str, n: int = 14) -> str:
    """The first n words of a text, with an ellipsis when there are more."""
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def quoted(text: str, n: int = 160) -> str:
    """A text in quotation marks, cut to n characters."""
    return f"\"{text[:n]}{'…' if len(text) > n else ''}\""
