"""Render a judged audit (aeo/judge.py): findings.json, findings.csv, pages.csv,
entities.csv, backlog.csv, bot_hits.csv and audit.html, from the AuditResult alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from aeo.branding import branding_of
from aeo.comparison import KINDS
from aeo.durable import atomic_write
from aeo.facts.records import TOOL
from aeo.judge import AuditResult
from aeo.pageset import coverage_rows
from aeo.reports.export import (
    BACKLOG_COLUMNS,
    BOT_HIT_COLUMNS,
    ENTITY_COLUMNS,
    FINDING_COLUMNS,
    PAGE_COLUMNS,
    Stream,
    bot_hit_rows,
    entity_rows,
    findings_rows,
    write_csv,
    write_json,
)
from aeo.reports.html import render_report, report_context
from aeo.reports.scoring import expected_overall, fix_first, precision_bar


def backlog_rows(priorities, outcomes, scores, gov, rules) -> list[dict]:
    """backlog.csv: one row per priority, ready to import as tickets."""
    rows = []
    for p in priorities:
        after = expected_overall(outcomes, p.rule, gov, rules)
        impact = (round(after - scores.overall, 1)
                  if after is not None and scores.overall is not None else "")
        rows.append({"rank": p.rank, "title": p.title, "rule": p.rule, "pillar": p.pillar,
                     "severity": p.severity, "pages": p.pages, "template": p.template or "",
                     "effort": p.effort, "impact": impact, "owner": "", "why": p.why,
                     "urls": " ".join(p.urls[:20])})
    return rows


def render(result: AuditResult, out: Path) -> dict:
    """Write every output of a judged audit into out: findings.json, the CSVs and audit.html.
    It reads the result only; findings and pages stream from it, so the outputs of a large
    run never sit in memory. Returns findings.json's data."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    gov, rules, outcomes, scores = result.governance, result.rules, result.outcomes, result.scores
    site, comparison = result.site, result.comparison
    bar = precision_bar(gov)
    data = {
        "tool": TOOL,
        "run": result.run,
        "governance": gov.to_dict(),
        "scores": {"overall": scores.overall, "pillars": scores.pillars},
        "priorities": [p.to_dict() for p in result.priorities],
        "fix_first": [p.rule for p in fix_first(result.priorities)],
        "leave_alone": [p.rule for p in result.leave],
        "rules": [{"rule": o.rule, "pillar": o.pillar, "applicable": o.applicable,
                   "failed": o.failed, "pass_rate": scores.rules.get(o.rule), "error": o.error,
                   "precision": (rules[o.rule].precision or {}).get("precision"),
                   "advisory": rules[o.rule].advisory_at(bar)}
                  for o in outcomes],
        "advisory": [o.rule for o in outcomes if rules[o.rule].advisory_at(bar) and o.total],
        "findings": Stream(result.findings()),
        "comparison": None if comparison is None else {
            "previous_run": comparison.previous_run,
            **{k: Stream(comparison.iter(k)) for k in KINDS},
            "config_changed": comparison.config_changed},
        "identity": site.identity.to_json(),
        "authors": {k: a.to_json() for k, a in site.authors.items()},
        "logs": site.logs.to_json() if site.logs is not None else None,
    }
    write_json(out / "findings.json", data)
    write_csv(out / "findings.csv", findings_rows(result.findings()), FINDING_COLUMNS)
    write_csv(out / "pages.csv", (_page_row(p, result.count_by_url, site,
                                            result.coverage.orphan_set)
                                  for p in result.pages()), PAGE_COLUMNS)
    write_csv(out / "entities.csv", entity_rows(result.pages(), site.entities_by_id),
              ENTITY_COLUMNS)
    rows = result.survey.rows
    write_csv(out / "bot_hits.csv", bot_hit_rows(
        site.logs, lambda u: rows[u].page_type if u in rows else ""), BOT_HIT_COLUMNS)
    write_csv(out / "backlog.csv", backlog_rows(result.priorities, outcomes, scores, gov, rules),
              BACKLOG_COLUMNS)
    atomic_write(out / "audit.html", render_report(context_of(result)))
    return data


def context_of(result: AuditResult, print_mode: bool = False) -> dict:
    """What the report's template shows, for the screen (audit.html) or for paper."""
    gov = result.governance
    return report_context(tool=TOOL, run=result.run, site=result.site, scores=result.scores,
                          priorities=result.priorities, leave=result.leave,
                          outcomes=result.outcomes, rules=result.rules, survey=result.survey,
                          governance=gov, limits=result.limits, comparison=result.comparison,
                          trend=result.trend, templates=result.templates, drill=result.drill,
                          coverage=coverage_rows(result.survey.coverage,
                                                 gov.settings.get("expected_types", {})),
                          branding=branding_of(gov.report), print_mode=print_mode)


def _page_row(p, count_by_url: Counter, site, orphans: frozenset = frozenset()) -> dict:
    return {"url": p.url, "status": "" if p.status is None else str(p.status),
            "page_type": p.page_type, "title": p.title,
            "word_count": p.word_count, "author": p.author, "date_published": p.date_published,
            "date_modified": p.date_modified, "schema_types": " ".join(p.schema_types),
            "question_headings": p.question_headings, "findings": count_by_url.get(p.url, 0),
            "depth": p.depth,
            "inlinks": site.inlink_counts.get(p.url, len(site.inlinks.get(p.url, ()))),
            "in_sitemap": "yes" if p.url in site.sitemap_urls else "",
            "orphan": "yes" if p.url in orphans else "",
            "canonical": p.canonicals[0] if p.canonicals else "",
            "content_type": p.content_type, "error": p.fetch_error or ""}
