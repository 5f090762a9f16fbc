"""Run one crawl in this process and say how it ended."""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from aeo.crawler.config import CrawlConfig, scrapy_settings
from aeo.crawler.spider import AuditSpider

# Scrapy finish reasons that mean "stopped early".
_EARLY = {
    "closespider_timeout": "time_limit",
    "shutdown": "interrupted",
    "memusage_exceeded": "memory_limit",
    "error_rate": "error_rate",
}


@dataclass
class CrawlOutcome:
    status: str                  # complete, incomplete, failed
    reason: str                  # finished, page_limit, robots_unreachable, ...
    message: str = ""            # one line for a person when not complete
    pages: int = 0
    errors: int = 0
    limits: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


class SettingsError(ValueError):
    pass


def extra_settings() -> dict:
    """Raw Scrapy settings from the AEO_SCRAPY_SETTINGS environment variable (a JSON object),
    laid over ours: for a proxy, another DNS resolver, or a test double. Advanced use only."""
    raw = os.environ.get("AEO_SCRAPY_SETTINGS", "").strip()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SettingsError(f"AEO_SCRAPY_SETTINGS is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError("AEO_SCRAPY_SETTINGS must be a JSON object of Scrapy settings")
    if data.get("HTTPCACHE_ENABLED") not in (None, False, 0, "False", "false", "0", ""):
        raise SettingsError("HTTPCACHE_ENABLED would answer this month's crawl from an earlier "
                            "month's responses and hide every change; the audit refuses it")
    for key in ("TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED"):
        if data.get(key) not in (None, False, 0, "False", "false", "0", ""):
            raise SettingsError(f"{key} opens a control port during the crawl; the audit "
                                "refuses it")
    return data


def run_crawl(cfg: CrawlConfig, db, resume: bool = False, shared=None,
              redis_url: str | None = None, alongside=None) -> CrawlOutcome:
    """Crawl into db. resume: db holds an interrupted crawl of the same site; what it stored
    is not fetched again. shared: a distributed.Coordinator when several processes share the
    crawl through Redis (redis_url); db is then the run database for the leader and a
    RecordSink for a process that joined. alongside(db): called twice a second in the crawl's
    thread (the page analysis takes in its results there)."""
    logging.getLogger("scrapy").setLevel(logging.ERROR)
    settings = {**scrapy_settings(cfg), **extra_settings(), "LOG_INSTALL_ROOT_HANDLER": False}
    frontier = None
    jobdir = None
    if shared is None and getattr(db, "path", None) is not None:
        # pending requests wait on disk, not in memory: a 100,000-page frontier costs no RAM
        jobdir = Path(db.path).parent / ".queue"
        shutil.rmtree(jobdir, ignore_errors=True)   # a killed crawl's queue is not resumed
        settings["JOBDIR"] = str(jobdir)
    if shared is not None:
        from aeo.crawler.distributed import RedisFrontier, redis_settings

        settings.update(redis_settings(redis_url, shared.k))
        frontier = RedisFrontier(shared.r, shared.k)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AuditSpider)
    process.crawl(crawler, config=cfg, db=db, resume=resume, frontier=frontier, shared=shared,
                  alongside=alongside)
    try:
        process.start()
    finally:
        if jobdir is not None:
            shutil.rmtree(jobdir, ignore_errors=True)
    spider: AuditSpider = crawler.spider
    if shared is not None and not shared.leader:
        return CrawlOutcome("complete", "joined", "", spider.pages_done, spider.errors)
    if shared is not None:
        _gather(shared, db, spider, wait=cfg.timeout * 2 + 30)
    db.commit()
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
             for k, v in (crawler.stats.get_stats() or {}).items()}
    # Scrapy records a finish reason whenever the spider closes; none means the reactor was
    # stopped under it (a second Ctrl-C): the user stopped the crawl
    finish = stats.get("finish_reason", "shutdown")
    return judge(spider, finish, stats)


def _gather(shared, db, spider, wait: float) -> None:
    """The leader, its own crawl over: wait for the other processes to leave (they stop on
    the leader's signal), take in their last records and the whole crawl's tallies."""
    import time

    from aeo.crawler.distributed import drain

    deadline = time.monotonic() + wait
    while shared.members() and time.monotonic() < deadline:
        drain(shared.r, shared.k, db)
        time.sleep(0.2)
    drain(shared.r, shared.k, db)
    spider.shared_outcome()


def judge(spider: AuditSpider, finish: str, stats: dict) -> CrawlOutcome:
    pages, errors, limits = spider.pages_done, spider.errors, sorted(spider.limits_hit)
    if spider.fatal == "site_unreachable":
        why = spider.db.events("site_unreachable")
        detail = why[0].error if why else "no answer"
        if detail.startswith("blocked_address: "):   # the SSRF guard, not the network
            return CrawlOutcome("failed", "site_unreachable",
                                "refused: " + detail.removeprefix("blocked_address: "),
                                pages, errors, limits, stats)
        return CrawlOutcome("failed", "site_unreachable",
                            f"the site could not be reached ({detail}); check the URL and that "
                            "the site is up.", pages, errors, limits, stats)
    if spider.fatal == "robots_unreachable":
        why = spider.db.events("robots_unreachable")
        detail = why[0].error if why else "robots.txt unreachable"
        return CrawlOutcome("failed", "robots_unreachable",
                            f"{detail}; RFC 9309 treats that as 'disallow all', so nothing was "
                            "crawled. Fix robots.txt or re-run with --ignore-robots-errors.",
                            pages, errors, limits, stats)
    if spider.fatal == "start_redirect_offsite":
        ev = spider.db.events("start_redirect_offsite")
        target = ev[0].target if ev else "another host"
        return CrawlOutcome("failed", "start_redirect_offsite",
                            f"the start URL redirects to {target}, outside the audited site; "
                            "audit that URL instead.", pages, errors, limits, stats)
    if not spider.start_ok and finish == "shutdown":
        # Ctrl-C before the first page answered: the user stopped it, the site did not fail
        return CrawlOutcome("incomplete", "interrupted",
                            "interrupted before the start page answered; nothing was crawled.",
                            pages, errors, limits, stats)
    if not spider.start_ok:
        failures = [f for f in spider.db.fetches(kind="page", with_body=False)
                    if f.url == spider.start_url]
        if failures and failures[0].error:
            why = f"{failures[0].error}: {failures[0].error_detail}"
        elif failures and failures[0].status:
            why = f"HTTP {failures[0].status}"
        else:
            why = "no answer"
        return CrawlOutcome("failed", "site_unreachable",
                            f"the start URL could not be fetched ({why}); check the URL and "
                            "that the site is up.", pages, errors, limits, stats)
    reasons = list(limits)
    if finish in _EARLY:
        reasons.append(_EARLY[finish])
    elif finish != "finished":
        reasons.append(finish)
    if spider.stop_reason and spider.stop_reason not in reasons:
        reasons.append(spider.stop_reason)
    if reasons:
        # a cap on what was read (sitemaps past the 50th) leaves part unread without a stop
        what = "left part of the site unread" if set(reasons) <= {"sitemap_limit"} \
            else "stopped early"
        return CrawlOutcome("incomplete", ",".join(reasons),
                            f"the crawl {what} ({', '.join(reasons)}); the report covers "
                            f"the {pages} pages fetched.", pages, errors, limits, stats)
    return CrawlOutcome("complete", "finished", "", pages, errors, limits, stats)
