"""Scrapy extensions of the audit crawl: the progress line on a terminal, and the page
analysis taken in while the crawl goes on. Both read the spider's state and Scrapy's public
engine; Scrapy makes them from the EXTENSIONS setting (crawler/config.py).
"""

from __future__ import annotations

import sys
import time

from scrapy import signals
from twisted.internet import task


class _Ticking:
    """An extension that runs tick(spider) every `every` seconds while the spider is open."""

    every = 1.0

    def __init__(self, crawler):
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def wanted(self, spider) -> bool:
        raise NotImplementedError

    def tick(self, spider) -> None:
        raise NotImplementedError

    def opened(self, spider):
        if self.wanted(spider):
            self.loop = task.LoopingCall(self.tick, spider)
            self.loop.start(self.every, now=False)

    def closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
            self.stopped(spider)

    def stopped(self, spider) -> None:
        pass


class Progress(_Ticking):
    """Pages done, queued, errors and rate, once a second, on a terminal (never with --quiet
    or when stderr is not a terminal)."""

    def wanted(self, spider) -> bool:
        cfg = getattr(spider, "cfg", None)
        return cfg is not None and not cfg.quiet and sys.stderr.isatty()

    def tick(self, spider) -> None:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        queued = len(scheduler) if scheduler is not None else 0
        times = spider.page_times
        rate = 0.0
        if len(times) > 1:
            span = times[-1] - times[0]
            rate = (len(times) - 1) / span if span > 0 else 0.0
        elapsed = int(time.monotonic() - spider.started_at)
        sys.stderr.write(f"\rcrawl: {spider.pages_done} pages, {queued} queued, "
                         f"{spider.errors} errors, {rate:.1f} pages/s, {elapsed}s   ")
        sys.stderr.flush()

    def stopped(self, spider) -> None:
        sys.stderr.write("\n")


class AnalysisAlongside(_Ticking):
    """Twice a second, in the crawl's thread: commit what was fetched, so that the analysis
    sees it, and hand the run database to the spider's alongside hook, which writes the facts
    that are ready (the crawl's thread stays the database's one writer)."""

    every = 0.5

    def wanted(self, spider) -> bool:
        return getattr(spider, "alongside", None) is not None

    def tick(self, spider) -> None:
        spider.db.commit()
        spider.alongside(spider.db)
