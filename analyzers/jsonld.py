"""JSON-LD blocks, read one by one as Google reads them: strictly first (a block that fails is
reported with the parser's message and line), then leniently where a repair can recover its
data for the other checks (comments, trailing commas, raw control characters, several
objects, HTML-escaped quotes, NaN), within size and nesting limits.
"""

from __future__ import annotations

import html
import json
import math
import re

import jstyleson
from lxml import etree

from aeo.facts.parts import JsonLdBlock

MAX_BLOCK_CHARS = 1_000_000     # a bigger block is reported, not parsed

MAX_DEPTH = 64                  # nesting deeper than this is reported, not walked

_COMMENT_LINE = re.compile(r"^\s*(//.*|<!--.*-->)\s*$", re.M)

_WRAPPERS = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")

_TRAILING_COMMA = re.compile(r",\s*[}\]]")

_COMMENT = re.compile(r"/\*|(?:^|[\s,{\[])//")


class _Unrepairable(ValueError):
    pass


def _float(literal: str):
    value = float(literal)
    return value if math.isfinite(value) else literal


def _decode(text: str, strict: bool) -> tuple[list, list[str]]:
    """All JSON values in text (several concatenated ones allowed when not strict)."""
    notes: list[str] = []

    def constant(name: str):
        if strict:
            raise ValueError(f"{name} is not valid JSON")
        if "constants" not in notes:
            notes.append("constants")
        return None

    decoder = json.JSONDecoder(strict=strict, parse_constant=constant, parse_float=_float)
    if strict:
        return [decoder.decode(text)], notes
    values, idx, end = [], 0, len(text)
    while True:
        while idx < end and (text[idx].isspace() or text[idx] == ";"):
            idx += 1
        if idx >= end:
            break
        value, idx = decoder.raw_decode(text, idx)
        values.append(value)
    if not values:
        raise ValueError("no JSON value")
    if len(values) > 1:
        notes.append("concatenated_values")
    return values, notes


def _depth(data) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def _lenient(text: str) -> tuple[list, list[str]]:
    """Values recovered from a block that strict JSON rejects, and the repairs it took."""
    attempts: list[tuple[str, str]] = [("", text)]
    current = text
    stripped = _WRAPPERS.sub("", _COMMENT_LINE.sub("", current))
    if stripped != current:
        current = stripped
        attempts.append(("html_or_js_comment_lines", current))
    disposed = jstyleson.dispose(current)
    if disposed != current:
        label = []
        if _COMMENT.search(current):
            label.append("comments")
        if _TRAILING_COMMA.search(current):
            label.append("trailing_commas")
        current = disposed
        attempts.append(("+".join(label) or "comments", current))
    if "&quot;" in current or "&#" in current or "&amp;" in current:
        current = html.unescape(current)
        attempts.append(("html_entities", current))
    repairs: list[str] = []
    for label, candidate in attempts:
        if label:
            repairs.append(label)
        try:
            values, notes = _decode(candidate, strict=True)
        except RecursionError:
            raise _Unrepairable("too_deep") from None
        except ValueError as strict_error:
            try:
                values, notes = _decode(candidate, strict=False)
            except RecursionError:
                raise _Unrepairable("too_deep") from None
            except ValueError:
                continue
            if "control character" in str(strict_error):
                notes.append("control_characters")
            if candidate.rstrip().endswith(";"):
                notes.append("trailing_semicolon")
        return values, repairs + notes
    raise _Unrepairable("not_json")


def jsonld_scripts(root: etree._Element) -> list[etree._Element]:
    out = []
    for script in root.iter("script"):
        mime = (script.get("type") or "").split(";")[0].strip().lower()
        if mime == "application/ld+json":
            out.append(script)
    return out


def read_block(index: int, script: etree._Element) -> tuple[JsonLdBlock, list]:
    block, values = _read(index, script)
    return JsonLdBlock(**block), values


def _read(index: int, script: etree._Element) -> tuple[dict, list]:
    """One JSON-LD block: (what happened to it, the values it yields)."""
    text = script.text or ""
    line = script.sourceline or 0
    inside = next((a.tag for a in script.iterancestors() if a.tag in ("template", "noscript")),
                  "")
    info = {"index": index, "line": line, "status": "parsed", "error": "", "error_line": "",
            "error_at": line, "repairs": (), "reason": "", "inside": inside,
            "chars": len(text)}
    if len(text) > MAX_BLOCK_CHARS:
        info.update(status="invalid", reason="too_large",
                    error=f"block of {len(text):,} characters is over the "
                          f"{MAX_BLOCK_CHARS:,} limit; not read")
        return info, []
    if not text.strip():
        info.update(status="invalid", reason="empty", error="the block is empty")
        return info, []
    try:
        values, _ = _decode(text, strict=True)
    except RecursionError:
        info.update(status="invalid", reason="too_deep",
                    error=f"nested more than {MAX_DEPTH} levels deep")
        return info, []
    except ValueError as exc:
        lineno, colno = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        lines = text.splitlines() or [""]
        offending = lines[min(lineno, len(lines)) - 1]
        if len(offending) > 160:   # a one-line block: show the text around the error
            start = max(0, colno - 100)
            offending = ("…" if start else "") + offending[start:colno + 40] + \
                ("…" if colno + 40 < len(offending) else "")
        info.update(error=getattr(exc, "msg", str(exc))[:200]
                    + (f" (line {lineno} column {exc.colno} of the block)"
                       if hasattr(exc, "colno") else ""),
                    error_line=offending.strip()[:200], error_at=line + lineno - 1)
        try:
            values, repairs = _lenient(text)
        except _Unrepairable as why:
            info.update(status="invalid", reason=str(why))
            return info, []
        info.update(status="repaired", repairs=tuple(repairs))
    if any(_depth(v) > MAX_DEPTH for v in values):
        info.update(status="invalid", reason="too_deep",
                    error=info["error"] or f"nested more than {MAX_DEPTH} levels deep")
        return info, []
    return info, values
