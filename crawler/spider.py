"""The audit spider: robots.txt first, then the site breadth-first, every answer stored.

Scrapy's own redirect, robots and offsite handling are switched off (see config.py): each of
them drops cases silently, and an auditor must record every case. The spider follows
redirects hop by hop, checks each URL against the scope and robots.txt before asking for it,
and hands every response and every failure to the store as it arrives.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections import deque
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest
from scrapy.http import TextResponse
from twisted.internet import defer, task
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed

from aeo.crawler import bots as botlist
from aeo.crawler.config import USER_AGENT_TOKEN, CrawlConfig
from aeo.crawler.frontier import LocalFrontier
from aeo.crawler.links import (
    canonical_link,
    meta_refresh,
    page_links,
    parse_document,
)
from aeo.crawler.middleware import TruncatedBody
from aeo.crawler.resolver import ConnectTo, MappedResolver, connect_target
from aeo.crawler.robots import UNREACHABLE, RobotsPolicy, parse_robots, status_policy
from aeo.crawler.scope import MAX_URL_LENGTH, InvalidURL, Scope, normalize_url, split_url, too_long
from aeo.crawler.sitemaps import DEFAULT_PATHS, MAX_BYTES, MAX_URLS, folder_paths, read_sitemap
from aeo.facts.reading import is_pagination
from aeo.facts.records import (
    KIND_LLMS,
    KIND_PAGE,
    KIND_PROBE,
    KIND_ROBOTS,
    KIND_SITEMAP,
    REFRESH_REDIRECT_S,
    Fetch,
)
from aeo.store import CrawlDB, utc_now

MAX_PATH_SEGMENTS = 20
MISSING_PAGE_PREFIX = "aeo-audit-missing-"
KEPT_HEADERS = ("content-type", "content-length", "content-encoding", "x-robots-tag", "location",
                "last-modified", "retry-after", "server", "cache-control", "link", "refresh")
TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json",
              "application/ld+json", "application/rss", "application/atom")
ROBOTS_MAX_HOPS = 5
MAX_SITEMAPS = 50                 # sitemap files read (an index of 50,000 sitemaps is cut here)
MAX_SITEMAP_URLS = 200_000        # sitemap entries recorded in all (the rest are counted)
UNREAD_NAMED = 100                # sitemaps left unread that the run names
MAX_PAGINATION = 500              # pages of one paginated series crawled without adding depth


def failure_kind(failure) -> tuple[str, str]:
    """(short kind, message) for a failed request."""
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadTimeoutError,
        ResponseDataLossError,
    )

    exc = failure.value
    msg = str(exc)[:300] or type(exc).__name__
    if isinstance(exc, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in msg or "maxsize" in msg:
        return "too_large", msg
    if isinstance(exc, IgnoreRequest) and "exceeded" in msg.lower():
        return "too_large", msg
    if isinstance(exc, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
        return "timeout", msg
    if isinstance(exc, (CannotResolveHostError, DNSLookupError)):
        host = (urlsplit(failure.request.url).hostname or "").lower()
        if host in MappedResolver.blocked:   # the SSRF guard refused the address
            return "blocked_address", MappedResolver.blocked[host]
        return "dns", msg
    if isinstance(exc, (DownloadConnectionRefusedError, ConnectionRefusedError)):
        return "connection_refused", msg
    if isinstance(exc, (ResponseDataLossError, ResponseFailed, ConnectionLost, TruncatedBody)):
        return "incomplete_response", msg
    if isinstance(exc, defer.CancelledError):   # Scrapy cancels a body that outgrew the cap
        return "too_large", msg
    return "fetch_failed", f"{type(exc).__name__}: {msg}"


def _is_html(content_type: str, body: bytes) -> bool:
    return "html" in (content_type or "").lower() or body.lstrip()[:15].lower().startswith(
        (b"<!doctype html", b"<html"))


def _leads_from_start(meta: dict) -> bool:
    """The request is the start URL or a redirect hop reached from it."""
    return bool(meta.get("start") or meta.get("chain_start"))


class AuditSpider(Spider):
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
        self._rate = deque(maxlen=10)
        self._progress = None
        self._tick = None
        # work done alongside the crawl (the page analysis): called twice a second in the
        # crawl's thread with the run database, which only this thread writes
        self.alongside = alongside
        self._alongside_tick = None
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
            self.frontier.claim(event["url"])
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
            elif 200 <= status < 300 and f.body and _is_html(f.content_type, f.body):
                requests += self._follow(f.body, f.encoding, f.url, f.depth, record=False)
        return requests

    def _robots_request(self, url: str, hops: int) -> Request:
        return Request(url, callback=self.on_robots, errback=self.on_robots_error,
                       dont_filter=True, priority=100,
                       meta={"kind": KIND_ROBOTS, "hops": hops, "depth": 0})

    def on_robots(self, response):
        self._store(response, KIND_ROBOTS)
        status = response.status
        if 300 <= status < 400 and b"Location" in response.headers:
            hops = response.meta["hops"] + 1
            target = urljoin(response.url, response.headers[b"Location"].decode("latin-1"))
            if hops <= ROBOTS_MAX_HOPS and target.startswith(("http://", "https://")):
                # RFC 9309: follow at least five redirects, even to another host.
                yield self._robots_request(target, hops)
                return
        if status_policy(status) == UNREACHABLE:
            self._robots_unreachable(f"robots.txt answered HTTP {status}")
        self.robots = parse_robots(status, response.body,
                                   response.headers.get(b"Content-Type", b"").decode("latin-1"),
                                   self.cfg.robots_max_bytes)
        for problem in self.robots.problems:
            self.db.add_event("robots_problem", response.url, problem=problem)
        if self.shared is not None:
            self.shared.publish_robots(status, response.body,
                                       response.headers.get(b"Content-Type", b"").decode("latin-1"))
        yield from self._after_robots()

    def on_robots_error(self, failure):
        self.errors += 1
        kind, msg = failure_kind(failure)
        self._store_failure(failure.request, KIND_ROBOTS, kind, msg)
        if kind in ("dns", "connection_refused", "blocked_address") and \
                failure.request.meta["hops"] == 0:
            # not a robots.txt problem: the site itself cannot be reached
            self.fatal = "site_unreachable"
            self.db.add_event("site_unreachable", failure.request.url, problem=f"{kind}: {msg}")
            raise CloseSpider("site_unreachable")
        self._robots_unreachable(f"robots.txt could not be fetched ({kind}: {msg})")

    def _robots_unreachable(self, why: str):
        if not self.cfg.obey_robots:
            self.db.add_event("robots_problem", self.scope.url_for("/robots.txt"), problem=why)
            if self.shared is not None:
                self.shared.publish_robots(None, b"", "")
            return
        self.fatal = "robots_unreachable"
        self.db.add_event("robots_unreachable", self.scope.url_for("/robots.txt"), problem=why)
        raise CloseSpider("robots_unreachable")

    def _after_robots(self, stored: frozenset[tuple[str, str]] = frozenset()):
        """The crawl's first requests once robots.txt is known. stored: (kind, user agent)
        of site documents a resumed run already has, which are not asked for again."""
        self._obey_crawl_delay()
        yield from self._page_request(self.start_url, depth=0, referrer=None, start=True)
        if (KIND_LLMS, "") not in stored:
            yield Request(self.scope.url_for("/llms.txt"), callback=self.on_document,
                          errback=self.on_document_error, dont_filter=True, priority=50,
                          meta={"kind": KIND_LLMS, "depth": 0})
        for url in self.robots.sitemaps():      # declared: a problem with one is a finding
            yield from self._sitemap_request(urljoin(self.scope.url_for("/robots.txt"), url))
        for path in DEFAULT_PATHS + tuple(folder_paths(self.start_url)):
            # probed: a site that answers these paths with an HTML page has no sitemap there
            yield from self._sitemap_request(self.scope.url_for(path), probed=True)
        if self.cfg.probe_bots:
            yield from (r for r in self._probe_requests()
                        if (KIND_PROBE, r.meta["probe"]) not in stored)
        missing = self.scope.url_for(f"/{MISSING_PAGE_PREFIX}{uuid.uuid4().hex[:16]}")
        if (KIND_PROBE, "missing-page") not in stored and \
                self.robots.can_fetch(missing, USER_AGENT_TOKEN):
            # a URL that cannot exist: a 200 here means unknown paths get a "soft 404"
            yield Request(missing, callback=self.on_document, errback=self.on_document_error,
                          dont_filter=True, priority=30,
                          meta={"kind": KIND_PROBE, "depth": 0, "probe": "missing-page",
                                "dont_retry": True})

    def _obey_crawl_delay(self, record: bool = True) -> None:
        """robots.txt's Crawl-delay (up to 30 s) where it is longer than ours."""
        delay = self.robots.crawl_delay(USER_AGENT_TOKEN)
        if delay and delay > self.cfg.delay:
            self._apply_delay(min(delay, 30.0), record)

    def _apply_delay(self, delay: float, record: bool = True) -> None:
        downloader = self.crawler.engine.downloader
        downloader._delay = delay
        downloader._jitter = 0.0
        for slot in downloader.slots.values():
            slot.delay = delay
            slot.jitter = 0.0
        if record:
            self.db.add_event("crawl_delay", None, seconds=delay)

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
                                  problem=too_long(url))
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
        self._rate.append(time.monotonic())
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
        if not _is_html(response.headers.get(b"Content-Type", b"").decode("latin-1"),
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
            elif link.url:
                step = 1
                series = is_pagination(link.url, link.rel, link.text)
                if series and not self.frontier.seen(link.url) and \
                        self.frontier.incr("series " + series) <= MAX_PAGINATION:
                    step = 0      # (the budget counts the series' new pages, not its links)
                yield from self._page_request(link.url, depth + step, url)
        step = 1 if stub else 0
        refresh = meta_refresh(root, url)
        if refresh.get("target") and refresh["delay"] is not None and \
                refresh["delay"] <= REFRESH_REDIRECT_S:
            # a quick meta refresh is a redirect to browsers and crawlers: follow it
            yield from self._page_request(refresh["target"], depth + step, url, stub=True)
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
                              reason="unsupported or invalid target")
            if meta.get("start"):
                self.fatal = "start_redirect_offsite"
            return
        if target in chain:
            self.db.add_event("redirect_loop", chain[0], chain=list(chain) + [target])
            return
        if not self.scope.contains(target):
            self.db.add_event("redirect_offsite", response.url, target=target,
                              reason="another host")
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

    # -- site documents --------------------------------------------------------------------
    def _sitemap_request(self, url: str, probed: bool = False):
        """A request for a sitemap, within the scope and the MAX_SITEMAPS budget. probed: a
        path tried on the chance (/sitemap.xml), not one robots.txt or an index names."""
        try:
            url = normalize_url(url)
        except InvalidURL:
            self.db.add_event("sitemap_problem", url, problem="invalid sitemap URL")
            return
        if self.frontier.seen("sitemap " + url):
            return
        if self.frontier.count("sitemaps") >= MAX_SITEMAPS:
            if self.frontier.claim("sitemap " + url):
                self._sitemap_unread([url])
            return
        if not self.scope.contains(url):
            if self.frontier.claim("sitemap " + url):
                self.db.add_event("sitemap_problem", url,
                                  problem="sitemap on another host: not read")
            return
        if self.copy_mode and not self._mapped(url):
            if self.frontier.claim("sitemap " + url):
                self.db.add_event("not_mapped", url, referrer="sitemap")
            return
        if not self.frontier.claim("sitemap " + url):
            return
        if self.frontier.incr("sitemaps") > MAX_SITEMAPS:
            self._sitemap_unread([url])
            return
        yield Request(url, callback=self.on_document, errback=self.on_document_error,
                      dont_filter=True, priority=40,
                      meta={"kind": KIND_SITEMAP, "depth": 0, "probed": probed,
                            "download_maxsize": self.sitemap_bytes})

    def _probe_requests(self):
        root = self.scope.root
        tokens = [("browser", botlist.BROWSER_UA)]
        for token in self.cfg.probe_tokens:
            bot = botlist.bot(token)
            # a token with no user agent of its own (robots.txt-only) cannot be probed; a bot
            # robots.txt keeps from the home page is ACC001's finding, not a probe's
            if bot.user_agent and self.robots.can_fetch(root, bot.token):
                tokens.append((bot.token, bot.user_agent))
        for token, ua in tokens:
            yield Request(root, callback=self.on_document, errback=self.on_document_error,
                          dont_filter=True, priority=30, headers={"User-Agent": ua},
                          meta={"kind": KIND_PROBE, "depth": 0, "probe": token,
                                "dont_retry": True})

    def on_document(self, response):
        kind = response.meta["kind"]
        self._store(response, kind)
        if kind == KIND_SITEMAP and 300 <= response.status < 400 and \
                b"Location" in response.headers:
            # /sitemap.xml → /sitemap.xml/ or to the www host: the sitemap is where it leads
            target = urljoin(response.url,
                             response.headers[b"Location"].decode("latin-1").strip())
            yield from self._sitemap_request(target, probed=response.meta.get("probed", False))
        elif kind == KIND_SITEMAP and 200 <= response.status < 300:
            parsed = read_sitemap(response.body, self.sitemap_bytes)
            if parsed.kind:
                self.db.add_event("sitemap_read", response.url, type=parsed.kind,
                                  urls=len(parsed.locs) + parsed.truncated,
                                  truncated=parsed.truncated)
            if parsed.problem and (parsed.kind or not response.meta.get("probed")):
                self.db.add_event("sitemap_problem", response.url, problem=parsed.problem)
            yield from self._sitemap_follow(parsed, response.url)

    def _sitemap_follow(self, parsed, sitemap_url: str):
        if parsed.kind == "sitemapindex":
            for n, loc in enumerate(parsed.locs):
                if self.frontier.count("sitemaps") >= MAX_SITEMAPS:
                    # the rest counted at once, the first ones named; not those already read
                    # or named (listed in robots.txt or another index too, or stored by the
                    # run a resumed crawl goes on with)
                    rest = []
                    for loc in parsed.locs[n:]:
                        try:
                            url = normalize_url(loc)
                        except InvalidURL:
                            continue
                        if self.frontier.claim("sitemap " + url):
                            rest.append(url)
                    self._sitemap_unread(rest, parsed.truncated)
                    break
                yield from self._sitemap_request(loc)
            else:
                if parsed.truncated:
                    self._sitemap_unread([], parsed.truncated)
            return
        recorded = self.frontier.count("sitemap_urls")
        for loc in parsed.locs:
            try:
                url = normalize_url(loc)
            except InvalidURL:
                continue
            if recorded >= MAX_SITEMAP_URLS:
                self._limit("sitemap_limit")
                self.frontier.incr("sitemap_urls_skipped")
                continue
            self.db.add_sitemap_url(url, sitemap_url)
            recorded = self.frontier.incr("sitemap_urls")
            yield from self._page_request(url, 1, sitemap_url, listed=True)
        self.frontier.incr("sitemap_urls_skipped", parsed.truncated)

    def _sitemap_unread(self, urls: list[str], more: int = 0) -> None:
        """Sitemaps past MAX_SITEMAPS: counted, the first UNREAD_NAMED named in the run's
        events, and the cap is a limit the run hit. more: entries of an index past the
        number of URLs one file may list, counted without their names."""
        count = len(urls) + more
        if not count:
            return
        self._limit("sitemap_limit")
        before = self.frontier.incr("sitemaps_skipped", count) - count
        for url in urls[:max(0, UNREAD_NAMED - before)]:
            self.db.add_event("sitemap_unread", url)

    def on_document_error(self, failure):
        self.errors += 1
        kind, msg = failure_kind(failure)
        self._store_failure(failure.request, failure.request.meta["kind"], kind, msg)
        meta = failure.request.meta
        if meta["kind"] == KIND_SITEMAP and (kind == "too_large" or not meta.get("probed")):
            why = (f"larger than the {self.sitemap_bytes // 2**20} MB a sitemap may be read "
                   "to: not read" if kind == "too_large" else f"not read ({kind})")
            self.db.add_event("sitemap_problem", failure.request.url, problem=why)

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

    # -- several processes -----------------------------------------------------------------
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
        if engine is None or engine._slot is None:
            return
        if self.shared.leader:
            from aeo.crawler.distributed import drain

            self.shared.beat()
            drain(self.shared.r, self.shared.k, self.db)
        elif (self.shared.done() or not self.shared.leader_alive()) and \
                engine._slot.closing is None:   # the leader has finished, or died
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="shutdown"))
            return
        engine._slot.nextcall.schedule()

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

    # -- progress --------------------------------------------------------------------------
    def _run_alongside(self):
        self.db.commit()          # what was fetched becomes visible to the analysis
        self.alongside(self.db)

    def _opened(self, spider):
        if self.alongside is not None:
            self._alongside_tick = task.LoopingCall(self._run_alongside)
            self._alongside_tick.start(0.5, now=False)
        if self.shared is not None:
            self.shared.register()
            if not self.shared.leader:
                self._obey_crawl_delay(record=False)   # the leader recorded it
            self._tick = task.LoopingCall(self._shared_tick)
            self._tick.start(0.25, now=False)
        if not self.cfg.quiet and sys.stderr.isatty():
            self._progress = task.LoopingCall(self._show_progress)
            self._progress.start(1.0, now=False)

    def _show_progress(self):
        engine = self.crawler.engine
        queued = len(engine._slot.scheduler) if engine and engine._slot else 0
        rate = 0.0
        if len(self._rate) > 1:
            span = self._rate[-1] - self._rate[0]
            rate = (len(self._rate) - 1) / span if span > 0 else 0.0
        elapsed = int(time.monotonic() - self.started_at)
        sys.stderr.write(f"\rcrawl: {self.pages_done} pages, {queued} queued, "
                         f"{self.errors} errors, {rate:.1f} pages/s, {elapsed}s   ")
        sys.stderr.flush()

    def _closed(self, spider, reason):
        for tick in (self._tick, self._alongside_tick):
            if tick is not None and tick.running:
                tick.stop()
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
        if self._progress is not None and self._progress.running:
            self._progress.stop()
            sys.stderr.write("\n")
