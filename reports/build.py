"""Everything the report stage writes: scores, priorities, the comparison with the previous
run, findings.json / findings.csv / pages.csv / entities.csv / audit.html, and the history
index."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from aeo.facts.records import TOOL
from aeo.pageset import coverage_rows
from aeo.reports.compare import KINDS, classify, compare  # noqa: F401 (compare: aeo compare)
from aeo.reports.export import (
    BACKLOG_COLUMNS,
    ENTITY_COLUMNS,
    FINDING_COLUMNS,
    PAGE_COLUMNS,
    Stream,
    entity_rows,
    findings_rows,
    write_csv,
    write_json,
)
from aeo.reports.html import render_report, report_context
from aeo.reports.layouts import detect_templates
from aeo.reports.scoring import (
    compute_scores,
    expected_overall,
    fix_first,
    leave_alone,
    precision_bar,
    prioritize,
)
from aeo.store import atomic_write, utc_now


def config_hash(gov) -> str:
    """What the findings depend on besides the site: the governance in force."""
    data = {k: v for k, v in gov.to_dict().items() if k != "source"}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


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


def build_outputs(*, run, manifest, out: Path, db, survey, slim, site, outcomes, rules, gov,
                  workspace, coverage):
    """Write every output. Findings are read back from the run database (db) as streams, and
    pages from the slim table (slim), so the outputs of a large run never sit in memory."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    scores = compute_scores(outcomes, gov, rules)
    bar = precision_bar(gov)
    rows = survey.rows
    templates = detect_templates(rows.values())
    priorities = prioritize(outcomes, rows, site, gov, rules, templates)
    leave = leave_alone(priorities)
    count_by_url = Counter(u for o in outcomes for u in o.finding_urls)
    finished = utc_now()
    complete = bool(manifest.get("complete"))

    previous = workspace.previous_complete(run.path.parent.name, run.run_id)
    chash = config_hash(gov)
    earlier = workspace.find_run(previous["run_id"]) if previous else None
    before_hash = earlier.manifest().get("config_hash") if earlier else None
    comparison = None
    if previous is not None:
        comparison = classify(
            db.conn, db.finding_keys(), workspace.finding_keys(previous["run_id"]),
            (r.url for r in rows.values() if r.status is not None and 200 <= r.status < 300),
            previous["run_id"], complete=complete,
            config_changed=bool(before_hash and before_hash != chash), known_rules=set(rules))

    run_info = {"start_url": manifest.get("start_url"), "as_of": manifest.get("as_of"),
                "started": manifest.get("started"), "finished": finished, "complete": complete,
                "pages_crawled": manifest.get("pages_crawled", len(rows)),
                "pages_analyzed": survey.analyzed,
                "reason": manifest.get("reason"), "message": manifest.get("message", ""),
                "status": manifest.get("crawl_status"),
                "run_id": run.run_id, "coverage": coverage.to_dict()}
    data = {
        "tool": TOOL,
        "run": run_info,
        "governance": gov.to_dict(),
        "scores": {"overall": scores.overall, "pillars": scores.pillars},
        "priorities": [p.to_dict() for p in priorities],
        "fix_first": [p.rule for p in fix_first(priorities)],
        "leave_alone": [p.rule for p in leave],
        "rules": [{"rule": o.rule, "pillar": o.pillar, "applicable": o.applicable,
                   "failed": o.failed, "pass_rate": scores.rules.get(o.rule), "error": o.error,
                   "precision": (rules[o.rule].precision or {}).get("precision"),
                   "advisory": rules[o.rule].advisory_at(bar)}
                  for o in outcomes],
        "advisory": [o.rule for o in outcomes if rules[o.rule].advisory_at(bar) and o.total],
        "findings": Stream(db.findings()),
        "comparison": None if comparison is None else {
            "previous_run": comparison.previous_run,
            **{k: Stream(comparison.iter(k)) for k in KINDS},
            "config_changed": comparison.config_changed},
        "identity": site.identity,
        "authors": site.authors,
    }
    write_json(out / "findings.json", data)
    write_csv(out / "findings.csv", findings_rows(db.findings()), FINDING_COLUMNS)
    write_csv(out / "pages.csv", (_page_row(p, count_by_url, site, coverage.orphan_set)
                                  for p in slim), PAGE_COLUMNS)
    write_csv(out / "entities.csv", entity_rows(slim, site.entities_by_id), ENTITY_COLUMNS)
    write_csv(out / "backlog.csv", backlog_rows(priorities, outcomes, scores, gov, rules),
              BACKLOG_COLUMNS)
    trend = [{"run": r["run_id"].split("/")[-1], "score": r["overall_score"],
              "complete": bool(r["complete"])}
             for r in workspace.history(run.path.parent.name, exact=True)
             if r["run_id"] != run.run_id and r["overall_score"] is not None][-11:]
    trend.append({"run": run.run_id.split("/")[-1], "score": scores.overall,
                  "complete": complete})
    ctx = report_context(tool=TOOL, run=run_info, site=site, scores=scores,
                         priorities=priorities, leave=leave, outcomes=outcomes, rules=rules,
                         survey=survey, governance=gov, limits=manifest.get("limits", []),
                         comparison=comparison, trend=trend, templates=templates,
                         drill=_drill(db, slim, count_by_url),
                         coverage=coverage_rows(survey.coverage,
                                                gov.settings.get("expected_types", {})))
    atomic_write(out / "audit.html", render_report(ctx))
    status = manifest.get("crawl_status", "complete")
    if status == "complete" and not complete:
        status = "incomplete"    # the coverage fell short (aeo.coverage)
    manifest = run.update_manifest(status=status,
                                   config_hash=chash,
                                   finished=finished, report_dir=str(out.resolve()),
                                   overall_score=scores.overall,
                                   content_pages=survey.content_pages)
    workspace.record_run(run, manifest, db.findings(),
                         ({"url": p.url, "status": p.status, "page_type": p.page_type,
                           "main_text_hash": p.main_text_hash,
                           "date_modified": p.date_modified} for p in slim), scores.overall)
    return data


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


DRILL_PAGES = 300


def _drill(db, slim, count_by_url: Counter) -> list[dict]:
    """The pages with the most findings (the first DRILL_PAGES), each with its facts and
    every finding on it."""
    top = sorted(count_by_url.items(), key=lambda kv: (-kv[1], kv[0]))[:DRILL_PAGES]
    wanted = [u for u, _ in top]
    findings: dict[str, list[dict]] = {u: [] for u in wanted}
    marks = ",".join("?" * len(wanted))
    if wanted:
        for f in db.findings(f"WHERE url IN ({marks})", tuple(wanted)):
            findings[f["url"]].append(f)
    facts = {p.url: p for p in slim.some(wanted)}
    rows = []
    for url, _ in top:
        p = facts.get(url)
        rows.append({"url": url, "type": p.page_type if p else "other",
                     "status": p.status if p else None, "words": p.main_word_count if p else 0,
                     "author": p.author if p else "", "published": p.date_published if p else "",
                     "modified": p.date_modified if p else "",
                     "schema": " ".join(p.schema_types[:6]) if p else "",
                     "findings": findings[url]})
    return rows
