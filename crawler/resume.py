"""Going on with an interrupted crawl: what the run stored is read back, every stored URL is
claimed, and the frontier is rebuilt from the stored pages' links, redirects and sitemaps, so
that only what is missing is fetched. A part of the audit spider (crawler/spider.py).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request

from aeo.crawler.links import (
    looks_like_html,
)
from aeo.crawler.robots import parse_robots
from aeo.crawler.scope import InvalidURL, normalize_url
from aeo.crawler.sitemaps import read_sitemap
from aeo.facts.records import (
    KIND_PAGE,
    KIND_ROBOTS,
    KIND_SITEMAP,
)


class Resumable:
    """A resumed run's first requests (a mixin of AuditSpider)."""

    def _resume_requests(self) -> list[Request] | None:
        """A resumed run: rebuild what the interrupted crawl knew from what it stored, and ask
        only for what it had not stored yet. Every stored URL is claimed; the links of every
        stored page, the targets of stored redirects and the stored sitemaps are followed
        again (from the stored bodies), so the frontier is the one the crawl stopped with.
        None when robots.txt was never read: then the crawl starts over from robots.txt."""
        robots = [f for f in self.db.fetches(kind=KIND_ROBOTS)
                  if not (f.status and 300 <= f.status < 400)]
        if not robots:
            return None
        last = robots[-1]
        if last.status is not None:
            self.robots = parse_robots(last.status, last.body or b"", last.content_type,
                                       self.cfg.robots_max_bytes)
        # what the new crawl decides again: its limits, traps, delay and error-rate stop
        self.db.drop_events("limit", "crawl_trap", "crawl_delay", "error_rate", "sitemap_limit",
                            "sitemap_unread")
        for event in self.db.events("robots_blocked"):
            self.frontier.claim(event.url)
        stored: set[tuple[str, str]] = set()
        pages = []
        redirect_targets = set()
        for f in self.db.fetches(with_body=False):
            if f.kind == KIND_PAGE:
                self.frontier.claim(f.url)
                pages.append(f)
                if f.final_url and f.status and 300 <= f.status < 400:
                    redirect_targets.add(f.final_url)
            elif f.kind == KIND_SITEMAP:
                self.frontier.claim("sitemap " + f.url)
                self.frontier.incr("sitemaps")
            else:
                stored.add((f.kind, f.user_agent or ""))
        by_url = {f.url: f for f in pages}
        self.pages_done = len(pages)
        self.errors = sum(1 for f in pages if f.error or (f.status or 0) >= 500)
        for f in pages:
            if f.url not in redirect_targets:
                self.frontier.incr("pages_scheduled")
            query_path = urlsplit(f.url)
            if query_path.query:
                self.frontier.incr("query " + query_path.path)
        at, hops = by_url.get(self.start_url), 0
        while at is not None and at.status and 300 <= at.status < 400 and at.final_url \
                and hops < self.cfg.max_redirects:
            at, hops = by_url.get(normalize_url(at.final_url)), hops + 1
        self.start_ok = bool(at is not None and at.status and 200 <= at.status < 300)
        self.db.add_event("resumed", None, pages_stored=len(pages))

        requests = list(self._after_robots(frozenset(stored)))
        for f in self.db.fetches(kind=KIND_SITEMAP):
            if f.status and 200 <= f.status < 300 and f.body:
                requests += self._sitemap_follow(read_sitemap(f.body, self.sitemap_bytes),
                                                 f.url)
            elif f.status and 300 <= f.status < 400 and f.final_url:
                requests += self._sitemap_request(f.final_url)   # a redirect not yet followed
        for f in self.db.fetches(kind=KIND_PAGE):
            status = f.status or 0
            if 300 <= status < 400 and f.final_url:
                try:
                    target = normalize_url(f.final_url)
                except (InvalidURL, ValueError):
                    continue
                requests += self._page_request(target, f.depth, f.url, chain=(f.url,))
            elif 200 <= status < 300 and f.body and looks_like_html(f.content_type, f.body):
                requests += self._follow(f.body, f.encoding, f.url, f.depth, record=False)
        return requests
