"""findings.json, findings.csv and pages.csv: written atomically, spreadsheet-safe."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from aeo.store import atomic_write

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0", "|", "%")


def csv_safe(value):
    """Neutralize text a spreadsheet would run as a formula; numbers stay numbers."""
    if isinstance(value, str) and value and (value[0] in FORMULA_START
                                             or value.lstrip()[:1] in FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    frame = pd.DataFrame(rows, columns=columns)
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].map(csv_safe)
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    atomic_write(path, buf.getvalue())


def write_json(path: Path, data: dict) -> None:
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


FINDING_COLUMNS = ["rule", "pillar", "severity", "engines", "url", "page_type", "evidence",
                   "detail", "urls"]
PAGE_COLUMNS = ["url", "status", "page_type", "title", "word_count", "author", "date_published",
                "date_modified", "schema_types", "question_headings", "findings", "depth",
                "inlinks", "canonical", "content_type", "error"]


BACKLOG_COLUMNS = ["rank", "title", "rule", "pillar", "severity", "pages", "template", "effort",
                   "impact", "owner", "why", "urls"]
ENTITY_COLUMNS = ["url", "node", "syntax", "types", "id", "parent", "property", "name",
                  "properties", "references"]


def entity_rows(pages, entities_by_id: dict[str, dict]) -> list[dict]:
    """entities.csv: one row per structured-data node on every page. References name the
    node they resolve to (on the page as #n, elsewhere as url#n) or say 'unresolved'."""
    rows = []
    for page in pages:
        for node in page.entities:
            refs = []
            for values in node["props"].values():
                for v in values:
                    if not isinstance(v, dict):
                        continue
                    if "ref" in v and "id" not in v:
                        continue   # a nested item: its own row names this one as parent
                    target = f"#{v['ref']}" if "ref" in v else (
                        f"{entities_by_id[v['id']]['url']}#{entities_by_id[v['id']]['n']}"
                        if v["id"] in entities_by_id else "unresolved")
                    refs.append(f"{v['id']} -> {target}")
            names = [v for v in node["props"].get("name", []) if isinstance(v, str)]
            rows.append({
                "url": page.url, "node": node["n"], "syntax": node["syntax"],
                "types": " ".join(node["types"]), "id": node["id"],
                "parent": "" if node["parent"] is None else node["parent"],
                "property": node["prop"], "name": names[0][:200] if names else "",
                "properties": json.dumps(node["props"], ensure_ascii=False)[:2000],
                "references": " | ".join(refs)})
    return rows


def findings_rows(findings: list[dict]) -> list[dict]:
    return [{**f, "engines": " ".join(f["engines"]), "urls": " ".join(f.get("urls", []))}
            for f in findings]
