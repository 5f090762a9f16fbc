"""Everything the report stage writes: scores, priorities, the comparison with the previous
run, findings.json / findings.csv / pages.csv / entities.csv / audit.html, and the history
index."""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections import Counter
from pathlib import Path

from aeo.records import CONTENT_TYPES, TOOL
from aeo.reports.export import (
    BACKLOG_COLUMNS,
    ENTITY_COLUMNS,
    FINDING_COLUMNS,
    PAGE_COLUMNS,
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
    findings_of,
    fix_first,
    leave_alone,
    prioritize,
)
from aeo.store import atomic_write, utc_now


def compare(current: list[dict], pages_now: dict[str, int | None], previous: dict | None,
            workspace, complete: bool = True, config_changed: bool = False,
            known_rules: set[str] | None = None) -> dict | None:
    """new / fixed / persisting / not_comparable, keyed by (rule, url). A finding of the
    previous run counts as fixed only where the page was fetched again with a 2xx answer, the
    crawl is complete, the governance is the same and the rule still exists; elsewhere it was
    not re-checked the same way."""
    if previous is None:
        return None
    before = workspace.run_findings(previous["run_id"])
    key = lambda f: (f["rule"], f["url"])  # noqa: E731
    now_keys = {key(f): f for f in current}
    before_keys = {key(f): f for f in before}
    rechecked = {u for u, s in pages_now.items() if s is not None and 200 <= s < 300}
    new = [now_keys[k] for k in now_keys if k not in before_keys]
    persisting = [now_keys[k] for k in now_keys if k in before_keys]
    fixed, not_comparable = [], []
    for k, f in before_keys.items():
        if k in now_keys:
            continue
        site_file = f["url"].endswith(("/robots.txt", "/llms.txt", "/sitemap.xml"))
        same_rule = known_rules is None or f["rule"] in known_rules
        ok = complete and not config_changed and same_rule and (
            f["url"] in rechecked or site_file)
        (fixed if ok else not_comparable).append(f)
    slim = lambda fs: [{"rule": f["rule"], "url": f["url"], "severity": f["severity"]}  # noqa: E731
                       for f in fs]
    return {"previous_run": previous["run_id"], "new": slim(new), "fixed": slim(fixed),
            "persisting": slim(persisting), "not_comparable": slim(not_comparable),
            "config_changed": config_changed}


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


def build_outputs(*, run, manifest, out: Path, pages, site, outcomes, rules, gov, workspace):
    if os.environ.get("AEO_FAULT") == "kill_before_publish":   # durability tests only
        os.kill(os.getpid(), signal.SIGKILL)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    scores = compute_scores(outcomes, gov, rules)
    templates = detect_templates(pages)
    priorities = prioritize(outcomes, pages, site, gov, rules, templates)
    leave = leave_alone(priorities)
    findings = [f.to_dict() for f in findings_of(outcomes)]
    count_by_url = Counter(f["url"] for f in findings)
    finished = utc_now()
    complete = bool(manifest.get("complete"))
    analyzed = sum(1 for p in pages if p.word_count or p.title or p.h1)  # HTML pages read

    previous = workspace.previous_complete(run.path.parent.name, run.run_id)
    chash = config_hash(gov)
    earlier = workspace.find_run(previous["run_id"]) if previous else None
    before_hash = earlier.manifest().get("config_hash") if earlier else None
    comparison = compare(findings, {p.url: p.status for p in pages}, previous, workspace,
                         complete=complete,
                         config_changed=bool(before_hash and before_hash != chash),
                         known_rules=set(rules))

    run_info = {"start_url": manifest.get("start_url"), "as_of": manifest.get("as_of"),
                "started": manifest.get("started"), "finished": finished, "complete": complete,
                "pages_crawled": manifest.get("pages_crawled", len(pages)),
                "pages_analyzed": analyzed,
                "reason": manifest.get("reason"), "message": manifest.get("message", ""),
                "status": manifest.get("crawl_status"),
                "run_id": run.run_id}
    data = {
        "tool": TOOL,
        "run": run_info,
        "governance": gov.to_dict(),
        "scores": {"overall": scores.overall, "pillars": scores.pillars},
        "priorities": [p.to_dict() for p in priorities],
        "fix_first": [p.rule for p in fix_first(priorities)],
        "leave_alone": [p.rule for p in leave],
        "rules": [{"rule": o.rule, "pillar": o.pillar, "applicable": o.applicable,
                   "failed": o.failed, "pass_rate": scores.rules.get(o.rule), "error": o.error}
                  for o in outcomes],
        "findings": findings,
        "comparison": comparison,
        "identity": site.identity,
        "authors": site.authors,
    }
    write_json(out / "findings.json", data)
    write_csv(out / "findings.csv", findings_rows(findings), FINDING_COLUMNS)
    page_rows = []
    for p in pages:
        page_rows.append({
            "url": p.url, "status": "" if p.status is None else str(p.status),
            "page_type": p.page_type, "title": p.title,
            "word_count": p.word_count, "author": p.author, "date_published": p.date_published,
            "date_modified": p.date_modified, "schema_types": " ".join(p.schema_types),
            "question_headings": p.question_headings, "findings": count_by_url.get(p.url, 0),
            "depth": p.depth, "inlinks": len(site.inlinks.get(p.url, ())),
            "canonical": p.canonicals[0] if p.canonicals else "",
            "content_type": p.content_type, "error": p.fetch_error or ""})
    write_csv(out / "pages.csv", page_rows, PAGE_COLUMNS)
    write_csv(out / "entities.csv", entity_rows(pages, site.entities_by_id), ENTITY_COLUMNS)
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
                         pages=pages, governance=gov, limits=manifest.get("limits", []),
                         comparison=comparison, trend=trend, templates=templates)
    atomic_write(out / "audit.html", render_report(ctx))
    manifest = run.update_manifest(status=manifest.get("crawl_status", "complete"),
                                   config_hash=chash,
                                   finished=finished, report_dir=str(out.resolve()),
                        overall_score=scores.overall,
                        content_pages=sum(1 for p in pages if p.page_type in CONTENT_TYPES))
    workspace.record_run(run, manifest, findings,
                         [{"url": p.url, "status": p.status, "page_type": p.page_type,
                           "main_text_hash": p.main_text_hash,
                           "date_modified": p.date_modified} for p in pages], scores.overall)
    return data
