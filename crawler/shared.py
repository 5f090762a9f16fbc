"""A crawl shared by several processes through Redis (crawler/distributed.py), as the audit
spider sees it: wait while another process still works, look for work in the shared queue
four times a second, stop when the leader stops or dies, and add up the whole crawl's tallies.
A part of the audit spider (crawler/spider.py).
"""

from __future__ import annotations

from scrapy.exceptions import DontCloseSpider


class SharedCrawl:
    """The spider's side of a shared crawl (a mixin of AuditSpider)."""

    _closing = False

    def _idle(self, spider):
        """The shared queue may be empty for now while another process is still fetching: this
        one waits until every process is idle at once (then nothing is in flight anywhere)."""
        if self.shared.idle_everywhere() or self.shared.done():
            return
        raise DontCloseSpider

    def _shared_tick(self):
        """Four times a second: look for work in the shared queue (Scrapy's own heartbeat
        is five seconds), stop when the leader has stopped or died, and (leader) say it is
        alive and take in the records of the other processes."""
        engine = self.crawler.engine
        if engine is None or engine.scheduler is None or self._closing:
            return
        if self.shared.leader:
            from aeo.crawler.distributed import drain

            self.shared.beat()
            drain(self.shared.r, self.shared.k, self.db)
        elif self.shared.done() or not self.shared.leader_alive():
            # the leader has finished, or died
            from scrapy.utils.defer import deferred_from_coro

            self._closing = True
            deferred_from_coro(engine.close_spider_async(reason="shutdown"))
            return
        if not engine.needs_backout() and engine.scheduler.has_pending_requests():
            # room here while the shared queue has work: take one request and schedule it
            # again through the public engine.crawl(), which also wakes the engine (Scrapy's
            # own heartbeat would look again in five seconds)
            request = engine.scheduler.next_request()
            if request is not None:
                engine.crawl(request)

    def _publish_totals(self):
        f = self.frontier
        f.incr("pages_done", self.pages_done)
        f.incr("errors", self.errors)
        for name, on in (("start_ok", self.start_ok), (f"fatal {self.fatal}", self.fatal),
                         (f"stop {self.stop_reason}", self.stop_reason)):
            if on:
                f.flag(name)

    def shared_outcome(self) -> None:
        """(leader, after every process has left) the whole crawl's tallies, for judge()."""
        f = self.frontier
        flags = f.flags()
        self.pages_done, self.errors = f.count("pages_done"), f.count("errors")
        self.start_ok = "start_ok" in flags
        self.limits_hit = {x.removeprefix("limit ") for x in flags if x.startswith("limit ")}
        fatal = sorted(x.removeprefix("fatal ") for x in flags if x.startswith("fatal "))
        self.fatal = self.fatal or (fatal[0] if fatal else None)
        stops = sorted(x.removeprefix("stop ") for x in flags if x.startswith("stop "))
        self.stop_reason = self.stop_reason or (stops[0] if stops else None)
