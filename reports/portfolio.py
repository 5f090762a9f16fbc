"""portfolio.html: every site of a workspace side by side, for a consultant who runs the
monthly audit for several clients: the latest complete audit's date and scores, the trend
over its runs, the critical and high findings still open, what changed since the run before,
and a link to each report. One self-contained, script-free page, autoescaped."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aeo.durable import atomic_write, utc_now
from aeo.facts.records import PILLARS, TOOL
from aeo.reports.html import environment


@dataclass
class SiteRow:
    site: str
    start_url: str
    client: str = ""
    latest: dict | None = None          # the latest complete run: date, scores, report
    newest: dict | None = None          # the newest run, when it is not the latest complete
    pillars: dict = field(default_factory=dict)
    open_counts: Counter = field(default_factory=Counter)
    new: int | None = None              # findings new since the complete run before
    fixed: int | None = None
    trend: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)   # every run with a report: date, link


def site_rows(workspace, out: Path) -> list[SiteRow]:
    """One row per site of the workspace, by site name."""
    runs = workspace.history()
    by_site: dict[str, list[dict]] = {}
    for r in runs:
        by_site.setdefault(r["site"], []).append(r)
    rows = []
    for site, mine in sorted(by_site.items()):
        rows.append(_row(workspace, site, mine, out))
    return rows


def _manifest(workspace, run_id: str) -> dict:
    """A run's manifest, or {} when its folder is gone or the file is not ours."""
    run = workspace.find_run(run_id)
    try:
        manifest = run.manifest() if run else {}
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _report_link(manifest: dict, out: Path) -> str:
    folder = manifest.get("report_dir")
    if not isinstance(folder, str) or not (Path(folder) / "audit.html").is_file():
        return ""
    return os.path.relpath(Path(folder) / "audit.html", out.resolve())


def _row(workspace, site: str, runs: list[dict], out: Path) -> SiteRow:
    row = SiteRow(site=site, start_url=runs[-1]["start_url"] or "")
    complete = [r for r in runs if r["complete"] and r["overall_score"] is not None]
    for r in runs:
        manifest = _manifest(workspace, r["run_id"])
        day = manifest.get("as_of") or (r["started"] or "")[:10]
        if r["overall_score"] is not None:
            row.trend.append({"day": day, "score": r["overall_score"],
                              "complete": bool(r["complete"])})
        link = _report_link(manifest, out)
        if link:
            row.reports.append({"day": day, "link": link, "complete": bool(r["complete"])})
        report = (manifest.get("governance") or {}).get("report") or {}
        client = report.get("client") if isinstance(report, dict) else ""
        row.client = client if isinstance(client, str) and client else row.client
    if complete:
        latest = complete[-1]
        manifest = _manifest(workspace, latest["run_id"])
        row.latest = {"day": (latest["started"] or "")[:10], "as_of": manifest.get("as_of", ""),
                      "score": latest["overall_score"], "pages": latest["pages_crawled"],
                      "link": _report_link(manifest, out)}
        scores = manifest.get("pillar_scores")
        row.pillars = {p: v for p, v in scores.items() if isinstance(v, (int, float))} \
            if isinstance(scores, dict) else {}
        findings = workspace.run_findings(latest["run_id"])
        row.open_counts = Counter(f["severity"] for f in findings)
        if len(complete) > 1:
            before = {(f["rule"], f["url"]) for f in workspace.run_findings(complete[-2]["run_id"])}
            now = {(f["rule"], f["url"]) for f in findings}
            row.new, row.fixed = len(now - before), len(before - now)
    newest = runs[-1]
    if not complete or newest["run_id"] != complete[-1]["run_id"]:
        manifest = _manifest(workspace, newest["run_id"])
        row.newest = {"day": manifest.get("as_of") or (newest["started"] or "")[:10],
                      "status": newest["status"] or "?",
                      "message": manifest.get("message") or "",
                      "link": _report_link(manifest, out)}
    return row


def _trend_svg_points(trend: list[dict]) -> list[dict]:
    n = len(trend)
    return [{**t, "x": round(6 + (i * 148 / (n - 1) if n > 1 else 74), 1),
             "y": round(44 - (t["score"] or 0) * 0.4, 1)} for i, t in enumerate(trend)]


def render_portfolio(workspace, out: Path) -> Path:
    """Write out/portfolio.html; returns its path."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    rows = site_rows(workspace, out)
    html = environment().get_template("portfolio.html.j2").render(
        tool=TOOL, rows=rows, pillars=PILLARS, generated=utc_now(),
        workspace=str(Path(workspace.root).resolve()),
        points={r.site: _trend_svg_points(r.trend) for r in rows})
    path = out / "portfolio.html"
    atomic_write(path, html)
    return path
