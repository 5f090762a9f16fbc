"""Judge: the rules over the stored facts, then the scores, the priorities and the comparison
with the previous complete run of the site, as one typed AuditResult. render() (reports/build.py)
writes it out and reads nothing else; record() then puts the run in the history.

The result holds what is small (scores, priorities, each rule's outcome with its first
findings, the site facts, the page survey); every finding and every page are read back from the
run database through the result's own methods, so a 100,000-page result never sits in memory.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aeo.analyzers.workers import analysis_workers, forked_pool
from aeo.comparison import Comparison
from aeo.coverage import Coverage
from aeo.durable import utc_now
from aeo.facts.codec import decode, encode, shape_hash
from aeo.facts.records import PageFacts, RuleOutcome, SiteFacts
from aeo.governance import Governance
from aeo.pageset import FullPages, SlimPages, Survey
from aeo.reports.layouts import Template, detect_templates
from aeo.reports.scoring import Priority, Scores, compute_scores, leave_alone, prioritize
from aeo.rules.base import Rule, all_rules, judge_page_all, run_rules_stream
from aeo.rundb import CrawlDB
from aeo.store import Run, Workspace

PARALLEL_PAGES = 400  # a run this large has its page rules judged in several processes
RANGE_PAGES = 64      # pages a process judges at a time
DRILL_PAGES = 300     # the pages with the most findings the report shows one by one
TREND_RUNS = 11       # earlier runs in the report's score trend


def config_hash(gov: Governance) -> str:
    """What the findings depend on besides the site: the governance in force (its [report]
    branding aside: it changes how the report looks, not what it finds)."""
    data = {k: v for k, v in gov.to_dict().items() if k not in ("source", "report")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class AuditResult:
    """Everything an audit decided, for render() and record()."""

    run: dict[str, Any]             # findings.json's "run": URL, dates, counts, coverage
    governance: Governance
    rules: dict[str, Rule]
    outcomes: list[RuleOutcome]
    scores: Scores
    priorities: list[Priority]
    leave: list[Priority]
    templates: list[Template]
    comparison: Comparison | None
    trend: list[dict]               # earlier complete runs' scores, then this one's
    site: SiteFacts
    survey: Survey
    coverage: Coverage
    limits: list
    status: str                     # the run's final status: complete, incomplete, ...
    config_hash: str
    count_by_url: Counter = field(default_factory=Counter)
    drill: list[dict] = field(default_factory=list)
    _db: CrawlDB | None = None
    _slim: SlimPages | None = None


    def findings(self) -> Iterator[dict]:
        """Every finding, in report order, from the run database."""
        return self._db.findings()

    def pages(self) -> Iterator[PageFacts]:
        """Every page's facts without its bulky text, from the run database."""
        return iter(self._slim)


def judge(*, run: Run, db: CrawlDB, full: FullPages, slim: SlimPages, survey: Survey,
          site: SiteFacts, coverage: Coverage, gov: Governance, workspace: Workspace,
          manifest: dict, previous: dict | None) -> AuditResult:
    """The rules over the pages (page rules on the full facts one page at a time, site rules
    on the slim ones; every finding stored as it is made), then scores, priorities, templates,
    the comparison with the previous complete run (previous: its history row, or None) and
    the score trend."""
    rules = all_rules()
    db.clear_findings()
    workers = analysis_workers()
    in_processes = _in_processes(db, site, gov, workers) \
        if workers > 1 and len(survey.rows) >= PARALLEL_PAGES else None
    outcomes = run_rules_stream(full, slim, site, gov, rules, db, _PageTypes(survey.rows),
                                intern=survey.url, judged_pages=in_processes)
    db.commit()

    rows = survey.rows
    scores = compute_scores(outcomes, gov, rules)
    templates = detect_templates(rows.values())
    priorities = prioritize(outcomes, rows, site, gov, rules, templates)
    count_by_url = Counter(u for o in outcomes for u in o.finding_urls)
    complete = bool(manifest.get("complete"))
    chash = config_hash(gov)

    comparison = None
    if previous is not None:
        earlier = workspace.find_run(previous["run_id"])
        before_hash = earlier.manifest().get("config_hash") if earlier else None
        comparison = db.compare_with(
            workspace.finding_keys(previous["run_id"]),
            (r.url for r in rows.values() if r.status is not None and 200 <= r.status < 300),
            previous["run_id"], complete=complete,
            config_changed=bool(before_hash and before_hash != chash), known_rules=set(rules))

    run_info = {"start_url": manifest.get("start_url"), "as_of": manifest.get("as_of"),
                "started": manifest.get("started"), "finished": utc_now(),
                "complete": complete,
                "pages_crawled": manifest.get("pages_crawled", len(rows)),
                "pages_analyzed": survey.analyzed,
                "reason": manifest.get("reason"), "message": manifest.get("message", ""),
                "status": manifest.get("crawl_status"),
                "run_id": run.run_id, "coverage": coverage.to_dict(),
                "previous_audit": (previous.get("as_of") or previous["run_id"].split("/")[-1])
                if previous else None}
    trend = [{"run": r["run_id"].split("/")[-1], "score": r["overall_score"],
              "complete": bool(r["complete"])}
             for r in workspace.history(run.path.parent.name, exact=True)
             if r["run_id"] != run.run_id and r["overall_score"] is not None][-TREND_RUNS:]
    trend.append({"run": run.run_id.split("/")[-1], "score": scores.overall,
                  "complete": complete})
    status = manifest.get("crawl_status", "complete")
    if status == "complete" and not complete:
        status = "incomplete"    # the coverage fell short (aeo.coverage)
    return AuditResult(
        run=run_info, governance=gov, rules=rules, outcomes=outcomes,
        scores=scores, priorities=priorities, leave=leave_alone(priorities),
        templates=templates, comparison=comparison, trend=trend, site=site, survey=survey,
        coverage=coverage, limits=manifest.get("limits", []), status=status,
        config_hash=chash, count_by_url=count_by_url,
        drill=_drill(db, slim, count_by_url), _db=db, _slim=slim)


# -- saved with the run, read back for a later render -----------------------------------------
SAVED = {"outcomes": list[RuleOutcome], "scores": Scores, "priorities": list[Priority],
         "leave": list[Priority], "templates": list[Template], "site": SiteFacts,
         "survey": Survey, "coverage": Coverage, "count_by_url": Counter}
# Of the site facts and the survey, what render() shows (the rest is the rules' and stays in
# the run database's facts): a 100,000-page result is saved without its link graph twice.
SITE_SHOWN = ("root", "host", "start_url", "bots", "bot_probes", "authors", "identity",
              "entities_by_id", "inlinks", "inlink_counts", "sitemap_urls", "logs", "as_of")
SURVEY_SHOWN = ("rows", "by_status", "by_type", "coverage", "analyzed", "content_pages")
# The saved form's version: the shape of every saved type, so a result saved before a field
# changed is never read as if it had the new one.
RESULT_VERSION = shape_hash(SAVED, SITE_SHOWN, SURVEY_SHOWN)


def save(result: AuditResult, db: CrawlDB) -> None:
    """The result in the run database: what render() reads, but the findings and pages,
    which are there already (the comparison's classified findings too)."""
    shown = {"site": SITE_SHOWN, "survey": SURVEY_SHOWN}
    data = {name: encode(getattr(result, name), shown.get(name)) for name in SAVED}
    data.update(version=RESULT_VERSION, run=result.run,
                governance=result.governance.to_dict(), rules=list(result.rules),
                trend=result.trend, limits=result.limits, status=result.status,
                config_hash=result.config_hash, drill=result.drill,
                comparison=None if result.comparison is None else {
                    "previous_run": result.comparison.previous_run,
                    "config_changed": result.comparison.config_changed})
    db.put_result(data)
    db.commit()


class NotSaved(Exception):
    """The run has no saved result this version reads: judge it again (aeo report)."""


def load(db: CrawlDB) -> AuditResult:
    """The result save() stored, with the run database behind it for the findings and pages;
    NotSaved when there is none (a run judged by an earlier version, or not judged)."""
    try:
        data = db.result()
    except ValueError as exc:
        raise NotSaved(f"its saved result cannot be read ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("version") != RESULT_VERSION:
        raise NotSaved("this run has no saved result of this version")
    registry = all_rules()
    try:
        missing = [r for r in data["rules"] if r not in registry]
        if missing:
            raise NotSaved(f"rules {', '.join(missing[:3])} are no longer in the catalogue")
        cmp = data["comparison"]
        return AuditResult(
            **{name: decode(tp, data[name]) for name, tp in SAVED.items()},
            run=data["run"], governance=Governance.from_dict(data["governance"]),
            rules={r: registry[r] for r in data["rules"]}, trend=data["trend"],
            limits=data["limits"], status=data["status"], config_hash=data["config_hash"],
            drill=data["drill"], comparison=None if cmp is None else
            db.comparison(cmp["previous_run"], cmp["config_changed"]),
            _db=db, _slim=SlimPages(db))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NotSaved(f"its saved result is damaged ({type(exc).__name__})") from None


def record(result: AuditResult, run: Run, workspace: Workspace, out: Path) -> dict:
    """After the outputs are written: the run's manifest says how it ended, and the history
    index gets its findings and pages (the next run compares against them)."""
    manifest = run.update_manifest(status=result.status, config_hash=result.config_hash,
                                   finished=result.run["finished"],
                                   report_dir=str(Path(out).resolve()),
                                   overall_score=result.scores.overall,
                                   pillar_scores=result.scores.pillars,
                                   content_pages=result.survey.content_pages)
    workspace.record_run(run, manifest, result.findings(),
                         ({"url": p.url, "status": p.status, "page_type": p.page_type,
                           "main_text_hash": p.main_text_hash,
                           "date_modified": p.date_modified} for p in result.pages()),
                         result.scores.overall)
    return manifest


_SHARED: dict[str, Any] = {}   # what the forked processes judge with (not pickled)


def _in_processes(db: CrawlDB, site: SiteFacts, gov: Governance, workers: int):
    """judged_pages for run_rules_stream: the page rules over the stored pages in worker
    processes forked now (they share the site facts, the governance and the rules as they
    are), RANGE_PAGES pages at a time, each reading its pages through its own connection;
    the results come back in crawl order, so the findings are stored as one process would.
    A worker that dies (killed, out of memory) ends the audit with an error, never a wait."""

    def judged(page_rules: list[Rule]) -> Iterator[list]:
        ranges = db.fact_ranges(RANGE_PAGES)
        _SHARED.update(site=site, gov=gov, rules=page_rules, path=db.path)
        pool, results = _fork_pool(db, workers, ranges)
        try:
            for found in results:
                yield from found
        except BaseException:            # (an error, Ctrl-C, the caller stopping early)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        else:
            pool.shutdown(wait=True)
        finally:
            _SHARED.clear()

    return judged


def _fork_pool(db: CrawlDB, workers: int, ranges: list[tuple[int, int]]):
    """The worker processes, forked at once (analyzers.workers.forked_pool), without the run
    database open (SQLite connections must not cross a fork) and with the parent's objects
    frozen out of the collector (so that the workers do not copy the pages they share); and
    their results in order."""
    db.close()
    gc.freeze()
    try:
        pool = forked_pool(workers)
        results = pool.map(_judge_range, ranges)
    finally:
        gc.unfreeze()
        db.reopen()
    return pool, results


def _judge_range(bounds: tuple[int, int]) -> list[list]:
    site, gov, rules = _SHARED["site"], _SHARED["gov"], _SHARED["rules"]
    return [judge_page_all(PageFacts.from_dict(data), site, gov, rules)
            for data in CrawlDB.facts_between(_SHARED["path"], *bounds)]


class _PageTypes:
    """URL -> page type, read from the survey's page rows (for the site rules' findings)."""

    def __init__(self, rows):
        self.rows = rows

    def get(self, url, default="other"):
        row = self.rows.get(url)
        return row.page_type if row is not None else default


def _drill(db: CrawlDB, slim: SlimPages, count_by_url: Counter) -> list[dict]:
    """The pages with the most findings (the first DRILL_PAGES), each with its facts and
    every finding on it."""
    top = sorted(count_by_url.items(), key=lambda kv: (-kv[1], kv[0]))[:DRILL_PAGES]
    wanted = [u for u, _ in top]
    findings: dict[str, list[dict]] = {u: [] for u in wanted}
    if wanted:
        for f in db.findings(wanted):
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

