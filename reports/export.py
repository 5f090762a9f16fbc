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


def findings_rows(findings: list[dict]) -> list[dict]:
    return [{**f, "engines": " ".join(f["engines"]), "urls": " ".join(f.get("urls", []))}
            for f in findings]
