"""What the crawl ran into, as observations: the crawl's events (a redirect loop, a link that
does not parse, a sitemap past the cap) and why a robots.txt, a sitemap or a link could not be
read. The crawler records codes and numbers; the rule that reports them words them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# Problem codes, by what they concern (the rules in rules/crawl.py word each one).
ROBOTS_CODES = ("still_redirects", "absent", "binary", "markup", "content_type", "too_large")
SITEMAP_CODES = ("invalid_url", "other_host", "empty", "root_element", "no_root", "not_xml",
                 "broken_xml", "gzip_limit", "gzip_error", "too_large", "fetch_failed")
LINK_CODES = ("too_long", "unparseable")
TEXT = "text"     # a run recorded before problems had codes: its words, as they were


@dataclass(frozen=True, slots=True)
class Problem:
    """Why something could not be read as what it should be: a code and what goes with it."""

    code: str
    status: int | None = None     # the HTTP status that answered
    size: int = 0                 # bytes (robots.txt) or characters (a URL) found
    limit: int = 0                # the limit they passed, in the same unit
    value: str = ""               # a content type, a root element, a parser's or fetch's error

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code}
        d.update((f.name, getattr(self, f.name)) for f in fields(self)[1:]
                 if getattr(self, f.name) not in (None, 0, ""))
        return d

    @classmethod
    def from_json(cls, d: Any) -> Problem | None:
        if not d:
            return None
        if isinstance(d, str):
            return cls(TEXT, value=d)
        return cls(**{k: v for k, v in d.items() if k in _PROBLEM_FIELDS})


_PROBLEM_FIELDS = {f.name for f in fields(Problem)}


@dataclass(frozen=True, slots=True)
class CrawlEvent:
    """One thing the crawl ran into, as the crawler recorded it. Which fields a kind fills:

    robots_problem, sitemap_problem: problem          invalid_link: href, problem
    robots_blocked, not_mapped: referrer              rate_limited: retry_after
    redirect_loop, redirect_too_long: chain (hops)    redirect_no_location: status
    redirect_offsite: target, reason ('other_host', 'invalid_target')
    start_redirect_offsite: target                    crawl_delay: seconds
    sitemap_read: type, urls, truncated                sitemap_unread: (the URL only)
    sitemap_limit: sitemaps_read, sitemaps_skipped, urls_per_file, urls_in_all, urls_skipped
    crawl_trap: pattern, trap, truncated               limit: limit
    error_rate: consecutive_failures                   resumed: pages_stored
    site_unreachable, robots_unreachable: error (why the crawl stopped)
    """

    kind: str
    url: str = ""                 # the URL it concerns; '' for the crawl as a whole
    referrer: str | None = None
    href: str = ""
    problem: Problem | None = None
    status: int | None = None
    target: str = ""
    reason: str = ""
    chain: tuple[str, ...] = ()
    hops: int = 0
    retry_after: float | None = None
    seconds: float = 0.0
    type: str = ""
    urls: int = 0
    truncated: int = 0
    sitemaps_read: int = 0
    sitemaps_skipped: int = 0
    urls_per_file: int = 0
    urls_in_all: int = 0
    urls_skipped: int = 0
    pattern: str = ""
    trap: str = ""
    limit: str = ""
    consecutive_failures: int = 0
    pages_stored: int = 0
    error: str = ""

    @classmethod
    def from_row(cls, kind: str, url: str | None, detail: dict[str, Any]) -> CrawlEvent:
        """An event as the run database holds it (kind, URL, the rest as JSON); keys a later
        version no longer knows are left out, a problem recorded as words is kept as words."""
        d = {k: v for k, v in detail.items() if k in _EVENT_FIELDS}
        if "problem" in d:
            d["problem"] = Problem.from_json(d["problem"])
        if "chain" in d:
            d["chain"] = tuple(d["chain"])
        return cls(kind=kind, url=url or "", **d)


_EVENT_FIELDS = {f.name for f in fields(CrawlEvent)} - {"kind", "url"}


def stored(detail: dict[str, Any]) -> dict[str, Any]:
    """An event's detail as the run database and a shared crawl's queue hold it (JSON)."""
    return {k: v.to_json() if isinstance(v, Problem) else v for k, v in detail.items()}
