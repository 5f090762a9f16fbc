"""findings.json, findings.csv and pages.csv: written atomically, spreadsheet-safe."""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import pandas as pd

from aeo.durable import atomic_file
from aeo.facts.entities import EntityNode, Ref, props_json

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0", "|", "%")


def csv_safe(value):
    """Neutralize text a spreadsheet would run as a formula; numbers stay numbers."""
    if isinstance(value, str) and value and (value[0] in FORMULA_START
                                             or value.lstrip()[:1] in FORMULA_START):
        return "'" + value
    return value


CHUNK = 5000    # rows per pandas frame: a million-row export never sits in memory at once


def write_csv(path: Path, rows: Iterable[dict], columns: list[str]) -> int:
    """rows (a list or a stream) to path, spreadsheet-safe, atomically; the rows written."""
    written = 0
    with atomic_file(path) as fh:
        it = iter(rows)
        first = True
        while True:
            chunk = list(islice(it, CHUNK))
            if not chunk and not first:
                break
            frame = pd.DataFrame(chunk, columns=columns)
            for col in frame.columns:
                if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
                    frame[col] = frame[col].map(csv_safe)
            frame.to_csv(fh, index=False, header=first)
            written += len(chunk)
            first = False
            if len(chunk) < CHUNK:
                break
    return written


class Stream:
    """A list too long to hold: written to JSON item by item."""

    def __init__(self, items: Iterable):
        self.items = items


def write_json(path: Path, data: dict) -> None:
    """data as indented JSON, atomically; a Stream value is written as a list item by item."""
    with atomic_file(path) as fh:
        _write(fh, data, 0)


def _write(fh, value, level: int) -> None:
    pad = "  " * (level + 1)
    if isinstance(value, Stream):
        fh.write("[")
        sep = "\n"
        for item in value.items:
            fh.write(sep + pad + json.dumps(item, ensure_ascii=False, allow_nan=False))
            sep = ",\n"
        fh.write("]" if sep == "\n" else "\n" + "  " * level + "]")
    elif isinstance(value, dict) and any(isinstance(v, (Stream, dict)) for v in value.values()):
        fh.write("{")
        sep = "\n"
        for k, v in value.items():
            fh.write(sep + pad + json.dumps(k) + ": ")
            _write(fh, v, level + 1)
            sep = ",\n"
        fh.write("}" if sep == "\n" else "\n" + "  " * level + "}")
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
        fh.write(text.replace("\n", "\n" + "  " * level))


FINDING_COLUMNS = ["rule", "pillar", "severity", "engines", "url", "page_type", "evidence",
                   "detail", "urls"]
PAGE_COLUMNS = ["url", "status", "page_type", "title", "word_count", "author", "date_published",
                "date_modified", "schema_types", "question_headings", "findings", "depth",
                "inlinks", "in_sitemap", "orphan", "canonical", "content_type", "error"]


BOT_HIT_COLUMNS = ["bot", "operator", "purpose", "verified", "hits", "first_seen", "last_seen",
                   "statuses", "error_hits", "url", "crawled", "page", "page_type"]


def bot_hit_rows(logs, page_type_of) -> Iterable[dict]:
    """bot_hits.csv: one row per (crawler, verdict on its addresses, URL), most hits first.
    page_type_of: URL -> the crawled page's type ('' when the crawl did not find it)."""
    if logs is None:
        return
    for r in sorted(logs.rows, key=lambda r: (r.bot, -r.hits, r.url, r.verified)):
        yield {"bot": r.bot, "operator": r.operator, "purpose": r.purpose,
               "verified": r.verified, "hits": r.hits, "first_seen": r.first_seen,
               "last_seen": r.last_seen, "statuses": r.statuses_text,
               "error_hits": r.error_hits, "url": r.url, "crawled": "yes" if r.crawled else "no",
               "page": r.page,
               "page_type": page_type_of(r.page) if r.crawled else ""}


BACKLOG_COLUMNS = ["rank", "title", "rule", "pillar", "severity", "pages", "template", "effort",
                   "impact", "owner", "why", "urls"]
ENTITY_COLUMNS = ["url", "node", "syntax", "types", "id", "parent", "property", "name",
                  "properties", "references"]


def entity_rows(pages, entities_by_id: dict[str, EntityNode]) -> Iterable[dict]:
    """entities.csv: one row per structured-data node on every page. References name the
    node they resolve to (on the page as #n, elsewhere as url#n) or say 'unresolved'."""
    for page in pages:
        for node in page.entities:
            refs = []
            for values in node.props.values():
                for v in values:
                    if not isinstance(v, Ref):
                        continue
                    if v.node is not None and not v.id:
                        continue   # a nested item: its own row names this one as parent
                    target = f"#{v.node}" if v.node is not None else (
                        f"{entities_by_id[v.id].url}#{entities_by_id[v.id].n}"
                        if v.id in entities_by_id else "unresolved")
                    refs.append(f"{v.id} -> {target}")
            names = node.strings("name")
            yield {
                "url": page.url, "node": node.n, "syntax": node.syntax,
                "types": " ".join(node.types), "id": node.id,
                "parent": "" if node.parent is None else node.parent,
                "property": node.prop, "name": names[0][:200] if names else "",
                "properties": json.dumps(props_json(node.props), ensure_ascii=False)[:2000],
                "references": " | ".join(refs)}


def findings_rows(findings: Iterable[dict]) -> Iterable[dict]:
    return ({**f, "engines": " ".join(f["engines"]), "urls": " ".join(f.get("urls", []))}
            for f in findings)
