"""The four stages end to end, each re-runnable on a stored run: crawl, analyze, rules+report."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import date
from itertools import chain
from pathlib import Path

from aeo.analyzers import costs
from aeo.analyzers.workers import (
    Alongside,
    RecoveringPool,
    WorkersKeepDying,
    analysis_workers,
    analyze_one,
    batches,
    init_worker,
    keep,
)
from aeo.durable import utc_now
from aeo.facts.records import (
    FACTS_VERSION,
    KIND_LLMS,
    KIND_PAGE,
    KIND_PROBE,
    KIND_ROBOTS,
    KIND_SITEMAP,
    TOOL,
)
from aeo.governance import Governance
from aeo.store import Run, Workspace, host_slug

EXIT_OK, EXIT_USAGE, EXIT_UNAUDITABLE, EXIT_INCOMPLETE = 0, 2, 3, 4


class AuditError(Exception):
    """A problem a person can act on: one line, and the exit code to leave with."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


@dataclass
class Stage:
    name: str
    seconds: float
    items: int

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


def say(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


# -- stage 1: crawl -------------------------------------------------------------------------
def crawl(cfg, workspace: Workspace, gov: Governance, as_of: str, quiet: bool,
          resume: Run | None = None, redis_url: str | None = None, processes: int = 1,
          analyze_alongside: bool = False) -> tuple[Run, Stage]:
    """Crawl into a new run, or (resume) go on with an interrupted run in its own folder.
    redis_url: share the crawl through Redis with processes-1 more crawler processes here
    (and any that join from elsewhere). analyze_alongside: analyze each page while the crawl
    goes on (then the run is analyzed when this returns, see Alongside)."""
    from aeo.crawler.run import SettingsError, extra_settings
    from aeo.crawler.scope import Scope

    try:
        extra_settings()   # checked before a run folder exists
    except SettingsError as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None
    server = None
    if redis_url:
        from aeo.crawler.distributed import DistributedError, connect

        try:
            server = connect(redis_url)     # before a run folder exists
        except DistributedError as exc:
            raise AuditError(str(exc), EXIT_USAGE) from None
    cfg = replace(cfg, probe_tokens=tuple(gov["required_bots"]))
    scope = Scope.from_url(cfg.start_url)
    if resume is None:
        run = workspace.new_run(host_slug(scope.host, scope.port))
        run.write_manifest({"status": "running", "complete": False, "start_url": cfg.start_url,
                            "as_of": as_of, "started": utc_now(), "tool": TOOL,
                            "pid": os.getpid(), "settings": asdict(cfg),
                            "governance": gov.to_dict()})
        say(f"Crawling {cfg.start_url} (up to {cfg.max_pages} pages) into {run.path}", quiet)
    else:
        run = resume
        manifest = {k: v for k, v in run.manifest().items()
                    if k not in ("analyzed", "pages_analyzed", "analyzed_alongside",
                                 "analysis_seconds", "analysis_after_crawl_seconds",
                                 "finished", "overall_score")}
        manifest.update(status="running", complete=False, pid=os.getpid(),
                        settings=asdict(cfg),
                        resumed=[*manifest.get("resumed", []), utc_now()])
        run.write_manifest(manifest)
        say(f"Resuming the crawl of {cfg.start_url} in {run.path} (up to {cfg.max_pages} "
            "pages in all)", quiet)
    with run.failing_on_write():
        return _crawl_into(run, cfg, resume, server, redis_url, processes, quiet,
                           analyze_alongside)


def _crawl_into(run: Run, cfg, resume: Run | None, server, redis_url: str | None,
                processes: int, quiet: bool, analyze_alongside: bool) -> tuple[Run, Stage]:
    from aeo.crawler.scope import normalize_url

    t0 = time.monotonic()
    db = run.open_db()
    helper = None
    try:
        if server is None:
            from aeo.crawler.run import run_crawl

            if analyze_alongside and resume is None:
                helper = Alongside(run, normalize_url(cfg.start_url))
            outcome = run_crawl(cfg, db, resume=resume is not None,
                                alongside=helper.take if helper else None)
        else:
            outcome = _shared_crawl(cfg, db, run, server, redis_url, processes, quiet)
        if helper is not None:
            helper.finish(db, quiet)
    finally:
        if helper is not None:
            helper.close()
        db.close()
    if outcome.status == "incomplete" and any(
            r in outcome.reason for r in ("interrupted", "time_limit", "memory_limit")):
        outcome.message += f" Go on with: aeo crawl --resume {run.run_id}"
    seconds = time.monotonic() - t0
    # "crawled" until the report is published; then the crawl's own status (complete/incomplete)
    run.update_manifest(status="failed" if outcome.status == "failed" else "crawled",
                        crawl_status=outcome.status, complete=outcome.status == "complete",
                        reason=outcome.reason, message=outcome.message,
                        pages_crawled=outcome.pages, crawl_errors=outcome.errors,
                        limits=outcome.limits, crawl_finished=utc_now(),
                        finish_reason=outcome.stats.get("finish_reason"))
    if outcome.status == "failed":
        run.update_manifest(finished=utc_now())
        raise AuditError(f"could not audit {cfg.start_url}: {outcome.message}", EXIT_UNAUDITABLE)
    return run, Stage("crawl", seconds, outcome.pages)


def _shared_crawl(cfg, db, run: Run, server, redis_url: str, processes: int, quiet: bool):
    """This process leads a crawl shared through Redis: it publishes the settings, starts
    processes-1 helpers here (each `aeo crawl --redis URL --join KEY`), crawls with them, and
    stores everything in this run."""
    import subprocess

    from aeo.crawler.distributed import Coordinator, masked, run_key
    from aeo.crawler.run import run_crawl

    coord = Coordinator(server, run_key(run.run_id), leader=True)
    coord.cleanup()      # nothing left from an earlier crawl of the same key
    coord.publish_config(asdict(cfg), str(run.path))
    shown = masked(redis_url)
    say(f"Sharing the crawl through {shown} as {coord.k} ({processes} process"
        f"{'es' if processes > 1 else ''} here; more can join with: aeo crawl --redis "
        f"{shown} --join {coord.k})", quiet)
    helpers = []
    for n in range(1, processes):
        log = open(run.path / f"helper-{n}.log", "wb")   # noqa: SIM115 (closed below)
        helpers.append((subprocess.Popen(   # the URL (and its password) in the environment
            [sys.executable, "-m", "aeo", "crawl", "--join", coord.k, "--quiet"],
            env={**os.environ, "AEO_REDIS": redis_url}, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT), log))
    try:
        outcome = run_crawl(cfg, db, shared=coord, redis_url=redis_url)
    finally:
        for proc, log in helpers:
            try:
                proc.wait(timeout=cfg.timeout * 2 + 30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        coord.cleanup()
    return outcome


# -- stage 2: analyze (the worker processes: analyzers/workers.py) -------------------------
def require_language_model() -> None:
    """Load spaCy's English model now (before a crawl, and in the parent process so that
    forked analysis workers share it), or stop with the package to install."""
    from aeo.analyzers import nlp

    try:
        nlp.load()
    except nlp.ModelMissing as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None


def analyze(run: Run, quiet: bool = False, workers: int | None = None) -> Stage:
    from aeo.crawler.scope import normalize_url

    require_language_model()

    manifest = run.manifest()
    start_url = normalize_url(manifest["start_url"])
    db = run.open_db()
    t0 = time.monotonic()
    count = 0
    try:
        db.clear_analysis()
        total = db.count(KIND_PAGE)
        workers = workers or analysis_workers()
        fetches = db.fetches(kind=KIND_PAGE)
        tally = costs.Tally()
        if workers < 2 or total < 2:
            init_worker(start_url)
            for fetch in fetches:
                keep(db, tally, analyze_one(fetch))
                count += 1
        else:
            # worker processes even for small runs: each page gets a time and a memory budget
            pool = RecoveringPool(start_url, min(workers, total))
            try:
                for batch in batches(fetches, 64 * workers):
                    for done in pool.map(batch):
                        keep(db, tally, done)
                        count += 1
                    if not quiet and sys.stderr.isatty():
                        sys.stderr.write(f"\ranalyze: {count}/{total} pages")
                        sys.stderr.flush()
            except WorkersKeepDying as exc:
                raise AuditError(
                    f"could not analyse the pages of {start_url}: the analysis worker processes "
                    f"keep dying ({exc}; is the machine short of memory?). The crawl is kept: "
                    f"aeo analyze {run.run_id}", EXIT_UNAUDITABLE) from None
            finally:
                pool.close()
            if not quiet and sys.stderr.isatty():
                sys.stderr.write("\n")
            if pool.died:
                say(f"warning: {pool.died} analysis worker process(es) died (killed, or a crash "
                    "in a library); the pages they had were analysed again one at a time, and a "
                    "page whose worker died again is marked analysis_failed", quiet)
        db.commit()
    finally:
        db.close()
    run.update_manifest(analyzed=utc_now(), pages_analyzed=count, facts_version=FACTS_VERSION,
                        **tally.manifest())
    return Stage("analyze", time.monotonic() - t0, count)


# -- stages 3 and 4: rules and report ---------------------------------------------------------
def report(run: Run, out: Path, gov: Governance, workspace: Workspace, as_of: str | None = None,
           quiet: bool = True, pdf: bool = False) -> list[Stage]:
    """Judge the analyzed pages and write the outputs, streaming the pages from the run
    database (aeo.pageset): memory holds one page's facts at a time, plus a small row per page.
    pdf: audit.pdf too (a PDF that cannot be made is an error once the rest is written)."""
    from aeo.analyzers.identity import TEXT_FIELDS, page_texts
    from aeo.analyzers.site import build_site_facts
    from aeo.coverage import measure as measure_coverage
    from aeo.crawler.scope import Scope, normalize_url
    from aeo.judge import judge, record, save
    from aeo.pageset import FullPages, SlimPages, set_aside_theme, survey
    from aeo.reports.build import render

    manifest = run.manifest()
    if as_of:
        manifest = run.update_manifest(as_of=as_of)
    t0 = time.monotonic()
    db = run.open_db()
    try:
        found = survey(db, gov.settings.get("expected_types", {}))
        if set_aside_theme(db, found):   # pages typed again: their rows and tallies too
            found = survey(db, gov.settings.get("expected_types", {}))
        full, slim = FullPages(db), SlimPages(db)
        fetches = chain(*(db.fetches(kind=k) for k in (KIND_ROBOTS, KIND_LLMS, KIND_PROBE)),
                        db.fetches(kind=KIND_SITEMAP, with_body=False),
                        db.fetches(kind=KIND_PAGE, with_body=False))
        site = build_site_facts(Scope.from_url(manifest["start_url"]), fetches, slim,
                                db.events(), db.sitemap_urls(), gov["required_bots"],
                                gov["watched_bots"], survey=found, lookup=full.get,
                                texts=page_texts(full.reading(*TEXT_FIELDS)),
                                start_url=normalize_url(manifest["start_url"]))
        previous = workspace.previous_complete(run.path.parent.name, run.run_id)
        site = replace(site, as_of=manifest.get("as_of") or today(),
                       previous_pages=workspace.run_pages(previous["run_id"]) if previous
                       else None, logs=_logs_of(run, site.root, found))
        coverage = measure_coverage(Scope.from_url(manifest["start_url"]), found, site,
                                    manifest)
        manifest = _judge_coverage(run, manifest, coverage)
        for warning in coverage.warnings:
            say(f"warning: {warning}", quiet)
        result = judge(run=run, db=db, full=full, slim=slim, survey=found, site=site,
                       coverage=coverage, gov=gov, workspace=workspace, manifest=manifest,
                       previous=previous)
        t1 = time.monotonic()
        render(result, out)
        pdf_problem = _pdf(result, out, quiet) if pdf else ""
        save(result, db)      # after the outputs: a result that cannot be saved loses none
        record(result, run, workspace, out)
        db.commit()
    finally:
        db.close()
    t2 = time.monotonic()
    if pdf_problem:
        raise AuditError(pdf_problem, EXIT_USAGE)
    n = max(1, len(found.rows))
    return [Stage("rules", t1 - t0, n), Stage("report", t2 - t1, n)]


def render_saved(run: Run, out: Path, quiet: bool = True, pdf: bool = False) -> None:
    """Write a judged run's outputs again from its saved result: nothing is judged, nothing
    recorded in the history."""
    from aeo.judge import NotSaved, load
    from aeo.reports.build import render

    db = run.open_db()
    try:
        try:
            result = load(db)
        except NotSaved as exc:
            raise AuditError(f"{run.run_id}: {exc}; `aeo report {run.run_id}` judges it again "
                             "and writes the report", EXIT_USAGE) from None
        render(result, out)
        pdf_problem = _pdf(result, out, quiet) if pdf else ""
    finally:
        db.close()
    if pdf_problem:
        raise AuditError(pdf_problem, EXIT_USAGE)


def _pdf(result, out: Path, quiet: bool) -> str:
    """Write audit.pdf; '' when written, else why not (the other outputs stand)."""
    from aeo.reports.pdf import PdfError, write_pdf

    say("Laying out audit.pdf", quiet)
    try:
        write_pdf(result, out)
    except PdfError as exc:
        return str(exc)
    return ""


def _logs_of(run: Run, root: str, found):
    """The access logs kept with the run (aeo audit --logs, aeo logs --run), joined with
    the crawl; None without logs."""
    from aeo.analyzers.logs.join import load, log_facts

    reading = load(run.path)
    if reading is None:
        return None
    return log_facts(reading, root, crawled=found.rows.__contains__)


def _judge_coverage(run: Run, manifest: dict, coverage) -> dict:
    """A run whose coverage falls short is not a complete audit, whatever the crawl said:
    complete is the crawl's own verdict and the coverage's, recomputed on every report."""
    complete = manifest.get("crawl_status") == "complete" and not coverage.warnings
    return run.update_manifest(complete=complete, coverage_warnings=list(coverage.warnings))


def today() -> str:
    return date.today().isoformat()
