"""What the access logs say AI crawlers fetched, joined with the crawl: the facts the log
rules (ACC011 to ACC013) read and the report's "What AI crawlers fetched" shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

PURPOSES = ("training", "search", "user", "other")
ANSWER_PURPOSES = ("search", "user")      # crawlers that fetch for live answers


def iso(seconds: float | None) -> str:
    """UTC seconds as ISO 8601 ('' for none)."""
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class BotHits:
    """One crawler's hits on one URL with one verdict on their addresses."""

    bot: str
    operator: str
    purpose: str                  # training, search, user or other (the crawler table's)
    verified: str                 # yes, no (spoofed) or unknown (no published ranges)
    url: str                      # the URL asked for (absolute, in the crawl's key form)
    page: str                     # the crawled page it is ('' when the crawl did not find it)
    hits: int
    first_seen: str
    last_seen: str
    statuses: tuple[tuple[int, int], ...]   # (HTTP status, hits); 0: the log gave none
    last_status: int = 0          # the answer to the last of these hits

    @property
    def crawled(self) -> bool:
        return bool(self.page)

    @property
    def exact(self) -> bool:
        """Asked for as the crawled page's own URL (not its trailing-slash twin)."""
        return bool(self.page) and self.page == self.url

    @property
    def error_hits(self) -> int:
        return sum(n for s, n in self.statuses if s >= 400)

    @property
    def statuses_text(self) -> str:
        return ";".join(f"{s}:{n}" for s, n in self.statuses)


@dataclass(frozen=True, slots=True)
class BotSummary:
    bot: str
    operator: str
    purpose: str
    hits: int
    verified_hits: int
    unverified_hits: int          # from outside the operator's published ranges
    unknown_hits: int             # the operator publishes no ranges
    pages: int                    # distinct URLs it fetched
    error_hits: int


@dataclass(frozen=True)
class LogFacts:
    files: tuple[str, ...]
    formats: tuple[tuple[str, str], ...]     # (input, its format)
    lines: int
    lines_skipped: int
    first: str                                # ISO 8601, UTC ('' when no line had a time)
    last: str
    rows: tuple[BotHits, ...]
    daily: tuple[tuple[str, str, str, int], ...]   # (day, bot, verified, hits)
    spoofers: tuple[tuple[str, str, int], ...]     # (bot, address, hits), most first
    other_hosts: int = 0          # crawler hits for other sites of the same log, left out
    warnings: tuple[str, ...] = ()
    ranges_retrieved: str = ""    # the days the address ranges in force were retrieved
    days_covered: int = 0         # the days (UTC) some line of the logs falls on
    joined: bool = False          # enough of what crawlers asked for is pages the crawl found

    @property
    def window_days(self) -> float:
        if not self.first or not self.last:
            return 0.0
        a = datetime.fromisoformat(self.first.replace("Z", "+00:00"))
        b = datetime.fromisoformat(self.last.replace("Z", "+00:00"))
        return (b - a).total_seconds() / 86400

    def bots(self) -> list[BotSummary]:
        """Per crawler, most hits first."""
        acc: dict[str, dict] = {}
        for r in self.rows:
            a = acc.setdefault(r.bot, {"operator": r.operator, "purpose": r.purpose, "hits": 0,
                                       "yes": 0, "no": 0, "unknown": 0, "urls": set(),
                                       "errors": 0})
            a["hits"] += r.hits
            a[r.verified] += r.hits
            a["urls"].add(r.url)
            a["errors"] += r.error_hits
        return sorted((BotSummary(bot, a["operator"], a["purpose"], a["hits"], a["yes"], a["no"],
                                  a["unknown"], len(a["urls"]), a["errors"])
                       for bot, a in acc.items()), key=lambda s: (-s.hits, s.bot))

    @cached_property
    def fetched_by_answer_crawlers(self) -> frozenset[str]:
        """The crawled pages an answer engine's search crawler fetched (hits not spoofed)."""
        return frozenset(r.page for r in self.rows if r.page and r.purpose == "search"
                         and r.verified != "no" and r.hits)

    @cached_property
    def search_crawlers_seen(self) -> tuple[str, ...]:
        """The search crawlers with hits not spoofed, by name."""
        return tuple(sorted({r.bot for r in self.rows if r.purpose == "search"
                             and r.verified != "no"}))

    @cached_property
    def answer_hits(self) -> dict[str, int]:
        """Crawled URL -> hits from answer engines' crawlers (search and user fetches, not
        spoofed): what the priorities weigh pages by."""
        hits: dict[str, int] = {}
        for r in self.rows:
            if r.page and r.purpose in ANSWER_PURPOSES and r.verified != "no":
                hits[r.page] = hits.get(r.page, 0) + r.hits
        return hits

    def to_json(self) -> dict:
        """findings.json's "logs"."""
        return {"files": list(self.files), "lines": self.lines,
                "lines_skipped": self.lines_skipped, "from": self.first, "to": self.last,
                "formats": dict(self.formats), "warnings": list(self.warnings),
                "other_hosts_hits": self.other_hosts,
                "ranges_retrieved": self.ranges_retrieved,
                "bots": [{"bot": b.bot, "operator": b.operator, "purpose": b.purpose,
                          "hits": b.hits, "verified_hits": b.verified_hits,
                          "unverified_hits": b.unverified_hits, "unknown_hits": b.unknown_hits,
                          "pages": b.pages, "error_hits": b.error_hits}
                         for b in self.bots()]}
