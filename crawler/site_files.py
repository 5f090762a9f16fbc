"""The site's own files, asked for before and beside its pages: robots.txt first (RFC 9309:
its redirects, its status policy, its Crawl-delay), then llms.txt, the sitemaps (named in
robots.txt, at the usual paths, and in sitemap indexes, within their budgets), the home page
fetched with each answer engine's user agent, and a page that cannot exist (soft 404s).

A part of the audit spider (crawler/spider.py), which it reads and writes through: its scope,
frontier, robots policy, store and page requests.
"""

from __future__ import annotations

import uuid
from urllib.parse import urljoin

from scrapy import Request
from scrapy.exceptions import CloseSpider

from aeo.crawler import bots as botlist
from aeo.crawler.config import USER_AGENT_TOKEN
from aeo.crawler.middleware import failure_kind
from aeo.crawler.robots import UNREACHABLE, parse_robots, status_policy
from aeo.crawler.scope import InvalidURL, normalize_url
from aeo.crawler.sitemaps import DEFAULT_PATHS, folder_paths, read_sitemap
from aeo.facts.events import Problem
from aeo.facts.records import (
    KIND_LLMS,
    KIND_PROBE,
    KIND_ROBOTS,
    KIND_SITEMAP,
)

MISSING_PAGE_PREFIX = "aeo-audit-missing-"
ROBOTS_MAX_HOPS = 5
MAX_SITEMAPS = 50                 # sitemap files read (an index of 50,000 sitemaps is cut here)
MAX_SITEMAP_URLS = 200_000        # sitemap entries recorded in all (the rest are counted)
UNREAD_NAMED = 100                # sitemaps left unread that the run names


class SiteFiles:
    """robots.txt, llms.txt, sitemaps and probes (a mixin of AuditSpider)."""

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
            self.db.add_event("site_unreachable", failure.request.url, error=f"{kind}: {msg}")
            raise CloseSpider("site_unreachable")
        self._robots_unreachable(f"robots.txt could not be fetched ({kind}: {msg})")

    def _robots_unreachable(self, why: str):
        if not self.cfg.obey_robots:
            self.db.add_event("robots_problem", self.scope.url_for("/robots.txt"), error=why)
            if self.shared is not None:
                self.shared.publish_robots(None, b"", "")
            return
        self.fatal = "robots_unreachable"
        self.db.add_event("robots_unreachable", self.scope.url_for("/robots.txt"), error=why)
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
        """The delay for the site's hosts, through the downloader's public slot settings: the
        slots open now, and those it opens later (one per host: the site and its www twin)."""
        downloader = self.crawler.engine.downloader
        for host in self.scope.hosts:
            downloader.per_slot_settings[host] = {
                **downloader.per_slot_settings.get(host, {}), "delay": delay, "jitter": 0.0}
        for slot in downloader.slots.values():
            slot.delay = delay
            slot.jitter = 0.0
        if record:
            self.db.add_event("crawl_delay", None, seconds=delay)

    # -- llms.txt, sitemaps and probes -----------------------------------------------------
    def _sitemap_request(self, url: str, probed: bool = False):
        """A request for a sitemap, within the scope and the MAX_SITEMAPS budget. probed: a
        path tried on the chance (/sitemap.xml), not one robots.txt or an index names."""
        try:
            url = normalize_url(url)
        except InvalidURL:
            self.db.add_event("sitemap_problem", url, problem=Problem("invalid_url"))
            return
        if self.frontier.seen("sitemap " + url):
            return
        if self.frontier.count("sitemaps") >= MAX_SITEMAPS:
            if self.frontier.claim("sitemap " + url):
                self._sitemap_unread([url])
            return
        if not self.scope.contains(url):
            if self.frontier.claim("sitemap " + url):
                self.db.add_event("sitemap_problem", url, problem=Problem("other_host"))
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
            why = Problem("too_large", limit=self.sitemap_bytes) if kind == "too_large" \
                else Problem("fetch_failed", value=kind)
            self.db.add_event("sitemap_problem", failure.request.url, problem=why)
