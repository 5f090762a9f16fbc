"""The audit spider: robots.txt first, then the site breadth-first, every answer stored.

Scrapy's own redirect, robots and offsite handling are switched off (see config.py): each of
them drops cases silently, and an auditor must record every case. The spider follows
redirects hop by hop, checks each URL against the scope and robots.txt before asking for it,
and hands every response and every failure to the store as it arrives.
"""

from __future__ import annotations

import time
from collections import deque
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import CloseSpider
from scrapy.http import TextResponse
from twisted.internet import task

from aeo.crawler.config import USER_AGENT_TOKEN, CrawlConfig
from aeo.crawler.frontier import LocalFrontier
from aeo.crawler.links import (
    canonical_link,
    looks_like_html,
    meta_refresh,
    page_links,
    parse_document,
)
from aeo.crawler.middleware import failure_kind
from aeo.crawler.resolver import ConnectTo, connect_target
from aeo.crawler.resume import Resumable
from aeo.crawler.robots import RobotsPolicy, parse_robots
from aeo.crawler.scope import MAX_URL_LENGTH, InvalidURL, Scope, normalize_url, split_url
from aeo.crawler.shared import SharedCrawl
from aeo.crawler.site_files import MAX_SITEMAP_URLS, MAX_SITEMAPS, SiteFiles
from aeo.crawler.sitemaps import MAX_BYTES, MAX_URLS
from aeo.durable import utc_now
from aeo.facts.events import Problem
from aeo.facts.reading import is_pagination
from aeo.facts.records import (
    KIND_LLMS,
    KIND_PAGE,
    KIND_ROBOTS,
    KIND_SITEMAP,
    Fetch,
)
from aeo.rundb import CrawlDB

MAX_PATH_SEGMENTS = 20
KEPT_HEADERS = ("content-type", "content-length", "content-encoding", "x-robots-tag", "location",
                "last-modified", "retry-after", "server", "cache-control", "link", "refresh")
TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json",
              "application/ld+json", "application/rss", "application/atom")
MAX_PAGINATION = 500              # pages of one paginated series crawled without adding depth


def _leads_from_start(meta: dict) -> bool:
    """The request is the start URL or a redirect hop reached from it."""
    return bool(meta.get("start") or meta.get("chain_start"))


class AuditSpider(SiteFiles, Resumable, SharedCrawl, Spider):
    name = "aeo-audit"

    def __init__(self, config: CrawlConfig, db: CrawlDB, resume: bool = False,
                 frontier=None, shared=None, alongside=None, **kw):
        super().__init__(**kw)
        self.cfg = config
        self.db = db
        self.resume = resume
        self.scope = Scope.from_url(config.start_url)
        self.start_url = normalize_url(config.start_url)
        self.robots = RobotsPolicy()
        # --connect-to: when it maps the start URL's own host and port, the run audits a copy,
        # and a variant of the site it does not map (the other scheme, the www twin) is not
        # fetched from wherever the public name points: recorded as not mapped instead
        self.connect_to = tuple(ConnectTo.parse(c) for c in config.connect_to)
        self.copy_mode = bool(self.connect_to) and self._mapped(self.start_url)
        # a sitemap may be as large as the protocol allows, whatever the page limit
        self.sitemap_bytes = max(config.max_page_bytes, MAX_BYTES)
        # claims (URLs, sitemaps), budgets (pages, query variants per path) and traps
        self.frontier = frontier if frontier is not None else LocalFrontier()
        # several crawler processes (crawler/distributed.py): the Coordinator, else None
        self.shared = shared
        self.pages_done = 0
        self.errors = 0
        self.error_streak = 0
        self.limits_hit: set[str] = set()
        self.stop_reason: str | None = None     # why the crawl stopped early (our own reasons)
        self.fatal: str | None = None           # why the site could not be audited at all
        self.start_ok = False
        self.started_at = time.monotonic()
        self.page_times = deque(maxlen=10)    # when the last pages came (the progress line's rate)
        self._tick = None
        # work done alongside the crawl (the page analysis): called twice a second in the
        # crawl's thread with the run database, which only this thread writes
        # (crawler/extensions.py, AnalysisAlongside)
        self.alongside = alongside
        if shared is not None and not shared.leader:
            robots = shared.robots()   # read by the leader, published before any page
            if robots is not None and robots[0] is not None:
                self.robots = parse_robots(robots[0], robots[1], robots[2],
                                           config.robots_max_bytes)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        if spider.shared is not None:
            crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    # -- start: robots.txt before anything else ------------------------------------------
    async def start(self):
        if self.shared is not None and not self.shared.leader:
            return      # a joined process takes its requests from the shared queue
            yield
        if self.resume:
            requests = self._resume_requests()
            if requests is not None:
                for request in requests:
                    yield request
                return
        yield self._robots_request(self.scope.url_for("/robots.txt"), hops=0)

    # -- pages -----------------------------------------------------------------------------
    def _mapped(self, url: str) -> bool:
        """--connect-to maps the URL's host and port."""
        scheme, host, port = split_url(url)
        return connect_target(self.connect_to, host,
                              port or (443 if scheme == "https" else 80)) is not None

    def _page_request(self, url: str, depth: int, referrer: str | None, start: bool = False,
                      chain: tuple[str, ...] = (), stub: bool = False, listed: bool = False):
        """Yield a request for url if it is new, in scope, allowed and within limits. The URL
        is claimed first, so that of several crawler processes only one asks for it. stub:
        the request follows a meta refresh or a canonical link (once: not from another stub).
        listed: a sitemap lists the URL (a page the site declares, never a crawl trap)."""
        frontier = self.frontier
        if frontier.seen(url) or not self.scope.contains(url):
            return
        if len(url) > MAX_URL_LENGTH:   # Scrapy would drop the request with a log line only
            if frontier.claim(url):
                self.db.add_event("invalid_link", referrer or url, href=url[:500],
                                  problem=Problem("too_long", size=len(url),
                                                  limit=MAX_URL_LENGTH))
            return
        if self.copy_mode and not self._mapped(url):
            if frontier.claim(url):
                self.db.add_event("not_mapped", url, referrer=referrer)
            return
        if self.cfg.obey_robots and not self.robots.can_fetch(url, USER_AGENT_TOKEN):
            if frontier.claim(url):
                self.db.add_event("robots_blocked", url, referrer=referrer)
            return
        if not chain and not start and not listed and self._trapped(url, referrer):
            return
        if not chain and depth > self.cfg.max_depth:
            self._limit("depth_limit")
            return
        if not frontier.claim(url):
            return
        if not chain and frontier.incr("pages_scheduled") > self.cfg.max_pages:
            frontier.release(url)   # not fetched: a later run with a larger budget may
            self._limit("page_limit")
            return
        yield Request(url, callback=self.on_page, errback=self.on_page_error, dont_filter=True,
                      priority=-depth,
                      meta={"kind": KIND_PAGE, "depth": depth, "referrer": referrer,
                            "chain": chain, "start": start, "stub": stub})

    def _trapped(self, url: str, referrer: str | None) -> bool:
        """Crawl traps: a path that keeps growing by repeating itself (/a/a/a/...), and a
        path with more query variants than the budget (calendars, facets, sort orders). The
        URL is skipped and counted, so traps cannot starve the real pages."""
        parts = urlsplit(url)
        segments = [x for x in parts.path.split("/") if x]
        repeated = any(segments[i] == segments[i + 1] == segments[i + 2]
                       for i in range(len(segments) - 2))
        if repeated or len(segments) > MAX_PATH_SEGMENTS:
            self._trap(f"{parts.path[:80]}…", "repeating path", url)
            return True
        if parts.query and not is_pagination(url):   # page=N has the pagination budget
            if self.frontier.incr("query " + parts.path) > self.cfg.max_query_variants:
                names = {q.split("=", 1)[0] for q in parts.query.split("&") if q}
                kind = "faceted navigation" if len(names) >= 2 else "endless parameter"
                self._trap(f"{parts.path}?*", kind, url)
                return True
        return False

    def _trap(self, pattern: str, kind: str, url: str) -> None:
        if self.frontier.claim(url):
            self.frontier.trap(pattern, kind, url[:300])

    def _limit(self, which: str) -> None:
        if which in self.limits_hit:
            return       # once (each call is a round trip to a shared frontier)
        self.limits_hit.add(which)
        if self.frontier.flag("limit " + which):
            self.db.add_event("limit", None, limit=which)

    def on_page(self, response):
        meta = response.meta
        self.pages_done += 1
        self.page_times.append(time.monotonic())
        status = response.status
        if meta.get("aeo_rate_limited"):
            self.db.add_event("rate_limited", response.url, retry_after=meta["aeo_rate_limited"])
        self._store(response, KIND_PAGE)
        self._outcome(ok=status < 500)
        if 300 <= status < 400:
            yield from self._redirect(response)
            return
        if _leads_from_start(meta):
            self.start_ok = self.start_ok or 200 <= status < 300
        if not (200 <= status < 300) or not isinstance(response, TextResponse):
            return
        if not looks_like_html(response.headers.get(b"Content-Type", b"").decode("latin-1"),
                        response.body):
            return
        yield from self._follow(response.body, response.encoding, response.url,
                                meta.get("depth", 0), stub=bool(meta.get("stub")))

    def _follow(self, body: bytes, encoding: str, url: str, depth: int, record: bool = True,
                stub: bool = False):
        """Requests for the links of an HTML page, its quick meta refresh and its canonical.
        A link to the next page of a paginated series (rel=next, /page/3/, ?page=3) does not
        add depth, up to MAX_PAGINATION pages a series: depth stops link chains, not archives.
        A meta refresh or canonical target is followed at the page's own depth, once (not
        from a page reached that way). record: False when a resumed run re-reads a stored
        page, whose invalid links are already recorded."""
        root, cut = parse_document(body, encoding)
        for link in page_links(root, cut, body, encoding, url):
            if link.problem:
                if record:
                    self.db.add_event("invalid_link", url, href=link.href, problem=link.problem)
            elif link.url and not self.frontier.seen(link.url):   # (most links are not new)
                step = 1
                series = is_pagination(link.url, link.rel, link.text)
                if series and self.frontier.incr("series " + series) <= MAX_PAGINATION:
                    step = 0      # (the budget counts the series' new pages, not its links)
                yield from self._page_request(link.url, depth + step, url)
        step = 1 if stub else 0
        refresh = meta_refresh(root, url)
        if refresh.redirects:
            # a quick meta refresh is a redirect to browsers and crawlers: follow it
            yield from self._page_request(refresh.target, depth + step, url, stub=True)
        canonical = canonical_link(root, url)
        if canonical and canonical != url:
            yield from self._page_request(canonical, depth + step, url, stub=True)

    def _redirect(self, response):
        meta = response.meta
        chain = tuple(meta.get("chain", ())) + (response.url,)
        location = response.headers.get(b"Location")
        if not location:
            self.db.add_event("redirect_no_location", response.url, status=response.status)
            return
        try:
            raw = location.decode("utf-8")
        except UnicodeDecodeError:
            raw = location.decode("latin-1")
        try:
            target = normalize_url(urljoin(response.url, raw.strip()))
        except (InvalidURL, ValueError):
            self.db.add_event("redirect_offsite", response.url, target=raw[:300],
                              reason="invalid_target")
            if meta.get("start"):
                self.fatal = "start_redirect_offsite"
            return
        if target in chain:
            self.db.add_event("redirect_loop", chain[0], chain=list(chain) + [target])
            return
        if not self.scope.contains(target):
            self.db.add_event("redirect_offsite", response.url, target=target,
                              reason="other_host")
            if _leads_from_start(meta):
                self.fatal = "start_redirect_offsite"
                self.db.add_event("start_redirect_offsite", response.url, target=target)
            return
        if len(chain) >= self.cfg.max_redirects:
            self.db.add_event("redirect_too_long", chain[0], chain=list(chain) + [target],
                              hops=len(chain))
            return
        if self.frontier.seen(target):
            if _leads_from_start(meta):
                self.start_ok = True
            return
        for req in self._page_request(target, meta.get("depth", 0), response.url, chain=chain):
            req.meta["chain_start"] = _leads_from_start(meta)
            yield req

    def on_page_error(self, failure):
        kind, msg = failure_kind(failure)
        request = failure.request
        self._store_failure(request, KIND_PAGE, kind, msg)
        self.pages_done += 1
        self._outcome(ok=False)

    def _outcome(self, ok: bool) -> None:
        if ok:
            self.error_streak = 0
            return
        self.errors += 1
        self.error_streak += 1
        if self.error_streak >= self.cfg.error_streak and self.stop_reason is None:
            self.stop_reason = "error_rate"
            self.db.add_event("error_rate", None, consecutive_failures=self.error_streak)
            raise CloseSpider("error_rate")

    # -- storing ---------------------------------------------------------------------------
    def _store(self, response, kind: str) -> None:
        headers = {}
        for name in KEPT_HEADERS:
            values = response.headers.getlist(name)
            if values:
                headers[name] = ", ".join(v.decode("latin-1", "replace") for v in values)[:2000]
        ctype = headers.get("content-type", "")
        body = response.body
        is_text = (not ctype or ctype.lower().startswith(TEXT_TYPES)
                   or isinstance(response, TextResponse)
                   or kind in (KIND_ROBOTS, KIND_SITEMAP, KIND_LLMS))
        location = headers.get("location")
        meta = response.meta
        self.db.add_fetch(Fetch(
            url=response.url, kind=kind, status=response.status,
            final_url=urljoin(response.url, location) if location else None,
            content_type=ctype, depth=meta.get("depth", 0), referrer=meta.get("referrer"),
            headers=headers, elapsed_ms=int(1000 * (meta.get("download_latency") or 0)),
            size=len(body), encoding=getattr(response, "encoding", "") or "",
            user_agent=meta.get("probe", ""), body=body if is_text else None,
            error="dataloss" if "dataloss" in response.flags else None,
            fetched_at=utc_now()))

    def _store_failure(self, request, kind: str, error: str, detail: str) -> None:
        self.db.add_fetch(Fetch(
            url=request.url, kind=kind, status=None, depth=request.meta.get("depth", 0),
            referrer=request.meta.get("referrer"), error=error, error_detail=detail,
            user_agent=request.meta.get("probe", ""), fetched_at=utc_now()))

    # -- opening and closing ----------------------------------------------------------------
    def _opened(self, spider):
        if self.shared is not None:
            self.shared.register()
            if not self.shared.leader:
                self._obey_crawl_delay(record=False)   # the leader recorded it
            self._tick = task.LoopingCall(self._shared_tick)
            self._tick.start(0.25, now=False)

    def _closed(self, spider, reason):
        if self._tick is not None and self._tick.running:
            self._tick.stop()
        if self.shared is not None:
            self._publish_totals()
            if self.shared.leader:
                self.shared.finish()    # the leader stopping stops the others
            self.shared.deregister()
        if self.shared is None or self.shared.leader:
            skipped = (self.frontier.count("sitemaps_skipped"),
                       self.frontier.count("sitemap_urls_skipped"))
            if any(skipped):
                self.db.add_event("sitemap_limit", None, sitemaps_read=MAX_SITEMAPS,
                                  sitemaps_skipped=skipped[0], urls_per_file=MAX_URLS,
                                  urls_in_all=MAX_SITEMAP_URLS, urls_skipped=skipped[1])
            for pattern, trap in self.frontier.traps().items():
                self.db.add_event("crawl_trap", trap["example"], pattern=pattern,
                                  trap=trap["kind"], truncated=trap["truncated"])
        self.db.commit()
