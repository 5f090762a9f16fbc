"""The records passed between stages: what the crawler stores, what analyzers produce,
what rules emit. Frozen dataclasses between stages; dicts only at the JSON boundary."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aeo import __version__
from aeo.facts.entities import EntityNode
from aeo.facts.events import CrawlEvent, Problem
from aeo.facts.logs import LogFacts
from aeo.facts.parts import (  # noqa: F401 (the parts of the facts, importable from here)
    REFRESH_REDIRECT_S,
    AboutFacts,
    Answers,
    Attribution,
    AuthorCandidate,
    AuthorEntry,
    Block,
    Body,
    CanonicalTag,
    DateCandidate,
    FaqDom,
    Identity,
    JsonLdBlock,
    Language,
    LlmsTxt,
    MissingPage,
    PreviousPage,
    Quote,
    Refresh,
    Section,
    SectionTally,
    Statistic,
    ThemeMarkup,
    Unseen,
    plain,
)

TOOL = {"name": "aeo-audit", "version": __version__}

PILLARS = ("ACCESS", "STRUCT", "ENTITY", "QA", "ATTR", "FRESH", "CITE")
PAGE_TYPES = (
    "home", "article", "faq", "product", "about", "author", "contact", "listing", "legal", "other",
)
CONTENT_TYPES = ("article", "faq", "product", "about", "home")
SEVERITIES = ("critical", "high", "medium", "low")
RECORDS = ("release", "advisory", "event")    # a changelog's or a recap's kind of page

# Kinds of documents the crawler stores.
KIND_PAGE = "page"          # an HTML page (or anything reached by following links)
KIND_ROBOTS = "robots"
KIND_LLMS = "llms"
KIND_SITEMAP = "sitemap"
KIND_PROBE = "probe"        # the home page fetched with another user agent (ACC010)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# The shape of the stored page facts: a run analysed with another shape is analysed again
# before it is reported (aeo report).
FACTS_VERSION = 3


@dataclass(frozen=True)
class Fetch:
    """One URL the crawler dealt with: fetched, failed, redirected, or refused."""

    url: str
    kind: str = KIND_PAGE
    status: int | None = None           # HTTP status; None when no response arrived
    final_url: str | None = None        # where a redirect led (Location resolved)
    content_type: str = ""
    depth: int = 0
    referrer: str | None = None
    headers: dict[str, str] = field(default_factory=dict)   # only the headers that matter
    elapsed_ms: int = 0
    size: int = 0
    error: str | None = None            # failure kind: timeout, too_large, data_loss, ...
    error_detail: str = ""
    encoding: str = ""
    user_agent: str = ""                # for probes: the token whose user agent was sent
    body: bytes | None = None           # raw body (stored compressed), only for text documents
    fetched_at: str = ""


@dataclass(frozen=True)
class Link:
    url: str          # absolute, canonicalized
    text: str = ""
    internal: bool = True
    nofollow: bool = False


@dataclass(frozen=True)
class PageFacts:
    """Everything the rules may know about one stored HTML page. No judgement."""

    url: str
    status: int | None
    page_type: str = "other"
    type_unmarked: str = ""              # the type its URL and content give, markup aside
    article_markup: str = ""             # a top-level article type of its markup (BlogPosting)
    theme_markup: str = ""               # that type, when the site's theme puts it everywhere
                                         # and it was set aside for this page's type
    content_type: str = ""
    depth: int = 0
    title: str = ""
    meta_description: str = ""
    lang: str = ""
    h1: tuple[str, ...] = ()
    headings: tuple[tuple[int, str], ...] = ()
    word_count: int = 0                  # visible words in the raw HTML
    main_word_count: int = 0             # words in the main content
    main_text_hash: str = ""
    robots_directives: tuple[str, ...] = ()   # from meta robots and X-Robots-Tag, lowercased
    main_in_nosnippet: bool = False
    canonicals: tuple[str, ...] = ()     # absolute URLs of rel=canonical links
    body_canonicals: tuple[str, ...] = ()   # those of them inside <body> (engines ignore them)
    links: tuple[Link, ...] = ()
    invalid_links: tuple[str, ...] = ()
    script_count: int = 0
    app_shell: bool = False               # empty mount node plus script bundles
    schema_types: tuple[str, ...] = ()
    og_site_name: str = ""
    og_type: str = ""
    author: str = ""
    date_published: str = ""
    date_modified: str = ""
    question_headings: int = 0
    dated_kind: str = ""                 # what its title calls a dated record: 'release', ...
    fetch_error: str | None = None
    # Structured data (analyzers/structured.py: see it for the node format; the JSON-LD blocks
    # are read by analyzers/jsonld.py, the texts not on the page found by analyzers/marked_up.py).
    sd_status: dict[str, str] = field(default_factory=dict)   # syntax -> found|none|failed: ..
    jsonld_blocks: tuple[JsonLdBlock, ...] = ()   # each JSON-LD block: parsed, repaired, invalid
    entities: tuple[EntityNode, ...] = ()   # the page's entity nodes, every syntax
    entities_truncated: bool = False
    markup_checked: int = 0                # marked-up texts looked for in the visible text
    markup_unseen: tuple[Unseen, ...] = ()   # those not found on the page
    # Main content (analyzers/maintext.py) and what spaCy found in it (analyzers/nlp.py).
    main_blocks: tuple[Block, ...] = ()    # the main content, block by block
    main_source: str = ""                  # trafilatura | dom | none
    opening: str = ""                      # the opening paragraph ('' when there is none)
    language: Language = Language()        # what spaCy read: subjects, names, about facts
    # Answerability (analyzers/answers.py): sections over main_blocks (analyzers/sections.py),
    # FAQ structures, citations.
    sections: tuple[Section, ...] = ()      # the heading outline, with the blocks each owns
    answers: Answers = Answers()           # visible FAQs, outbound links, statistics, quotes
    # Who and when (analyzers/attribution.py): every candidate with its source.
    attribution: Attribution = Attribution()   # author and date candidates, reviewers
    skeleton: str = ""                     # fingerprint of the frame around the main content
    # internal hrefs with session ids ('session') or tracking parameters ('tracking')
    alias_links: dict[str, list[str]] = field(default_factory=dict)
    body: Body = Body()                    # the bytes beside their declared type and charset
    refresh: Refresh = Refresh()           # <meta http-equiv=refresh>, as written
    canonical_tags: tuple[CanonicalTag, ...] = ()   # every <link rel=canonical>, as written

    def to_dict(self) -> dict[str, Any]:
        # Shallow: the fields are JSON-shaped or typed parts written by their own to_json or
        # plain() (dataclasses.asdict would
        # deep-copy the entity graph of every page for nothing).
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["links"] = [plain(link) for link in self.links]
        d["main_blocks"] = [b.to_json() for b in self.main_blocks]
        d["sections"] = [x.to_json() for x in self.sections]
        d["attribution"] = self.attribution.to_json()
        d["language"] = self.language.to_json()
        d["answers"] = self.answers.to_json()
        d["refresh"] = self.refresh.to_json()
        d["jsonld_blocks"] = [b.to_json() for b in self.jsonld_blocks]
        d["markup_unseen"] = [plain(u) for u in self.markup_unseen]
        d["body"] = plain(self.body)
        d["canonical_tags"] = [plain(t) for t in self.canonical_tags]
        d["entities"] = [n.to_json() for n in self.entities]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], only: tuple[str, ...] | None = None,
                  without: tuple[str, ...] = ()) -> PageFacts:
        """The facts to_dict() wrote; only: just those fields, without: all but those (the
        others at their defaults), for a pass over every page that reads a few."""
        d = {k: v for k, v in d.items() if k not in without} if only is None else \
            {k: d[k] for k in only if k in d}
        d["links"] = tuple(Link(**x) for x in d.get("links", ()))
        d["headings"] = tuple(tuple(h) for h in d.get("headings", ()))
        d["main_blocks"] = tuple(Block.from_json(b) for b in d.get("main_blocks", ()))
        d["sections"] = tuple(Section.from_json(x) for x in d.get("sections", ()))
        d["attribution"] = Attribution.from_json(d.get("attribution") or {})
        d["language"] = Language.from_json(d.get("language") or {})
        d["answers"] = Answers.from_json(d.get("answers") or {})
        d["refresh"] = Refresh.from_json(d.get("refresh") or {})
        d["jsonld_blocks"] = tuple(JsonLdBlock.from_json(b) for b in d.get("jsonld_blocks", ()))
        d["markup_unseen"] = tuple(Unseen(**u) for u in d.get("markup_unseen", ()))
        d["body"] = Body(**d.get("body", {}))
        d["canonical_tags"] = tuple(CanonicalTag(**t) for t in d.get("canonical_tags", ()))
        d["entities"] = tuple(EntityNode.from_json(n) for n in d.get("entities", ()))
        for key in ("h1", "robots_directives", "canonicals", "body_canonicals", "invalid_links",
                    "schema_types"):
            d[key] = tuple(d.get(key, ()))
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class RobotsGroupLine:
    """A robots.txt rule that decided a bot's access, for evidence."""

    line_no: int
    text: str


@dataclass(frozen=True)
class BotAccess:
    """What robots.txt says one crawler token may fetch."""

    token: str
    operator: str
    purpose: str                 # search, user, training
    blocked_urls: tuple[str, ...] = ()   # site root / content pages this bot may not fetch
    group: str = ""              # the User-agent line of the group that applies ("*" if default)
    line: RobotsGroupLine | None = None


@dataclass(frozen=True)
class Probe:
    token: str
    status: int | None
    challenge: bool
    error: str | None = None


@dataclass(frozen=True)
class SiteFacts:
    """Facts about the whole site, computed from all page facts and the site documents."""

    root: str
    host: str
    start_url: str = ""                   # the audit's start URL ('' reads as the root)
    robots_status: int | None = None
    robots_found: bool = False
    robots_problems: tuple[Problem, ...] = ()   # what kept robots.txt from being read
    bots: tuple[BotAccess, ...] = ()
    llms: LlmsTxt = LlmsTxt()
    sitemaps_found: tuple[str, ...] = ()
    sitemap_urls: frozenset[str] = frozenset()
    sitemaps_tried: tuple[str, ...] = ()      # every sitemap URL asked for, found or not
    sitemaps_complete: bool = True            # every sitemap read whole (no cap, no failure)
    browser_probe: Probe | None = None
    bot_probes: tuple[Probe, ...] = ()
    status_by_url: dict[str, int | None] = field(default_factory=dict)
    inlinks: dict[str, tuple[str, ...]] = field(default_factory=dict)   # target -> sources
    # (the report keeps the first five sources of each target; inlink_counts counts them all)
    inlink_counts: dict[str, int] = field(default_factory=dict)   # target -> all its sources
    about_links: frozenset[str] = frozenset()   # internal link targets whose text says 'about'
    redirects: dict[str, str] = field(default_factory=dict)      # url -> where its 3xx leads
    refreshes: dict[str, str] = field(default_factory=dict)      # url -> quick meta refresh target
    fetch_errors: dict[str, str] = field(default_factory=dict)           # url -> why it failed
    main_hash_by_url: dict[str, str] = field(default_factory=dict)
    # titles and meta descriptions of the HTML pages that answer 200 (text_key -> pages; ''
    # keys the missing ones) and how many pages were counted: ACC117's 'shared by most'
    title_counts: dict[str, int] = field(default_factory=dict)
    description_counts: dict[str, int] = field(default_factory=dict)
    titled_pages: int = 0
    crawl_events: tuple[CrawlEvent, ...] = ()   # redirect loops, failures, off-site redirects, ...
    entities_by_id: dict[str, EntityNode] = field(default_factory=dict)   # @id -> node, at its url
    identity: Identity = Identity()       # the organization's name and its variants
    theme_markup: dict[str, ThemeMarkup] = field(default_factory=dict)   # on every page: type ->
    dated_sections: dict[str, SectionTally] = field(default_factory=dict)   # first folder ->
    authors: dict[str, AuthorEntry] = field(default_factory=dict)   # name key -> their chain
    as_of: str = ""                                # the audit date freshness counts from
    previous_pages: dict[str, PreviousPage] | None = None   # the previous complete run's, if any
    missing_page: MissingPage | None = None        # what a made-up URL answers (soft 404)
    logs: LogFacts | None = None          # what the access logs say crawlers fetched, if given


def text_key(text: str) -> str:
    """A short key for a title or description: case and spacing aside ('' for none)."""
    import hashlib

    norm = " ".join(text.casefold().split())
    return hashlib.sha1(norm.encode()).hexdigest()[:16] if norm else ""


def counted_for_titles(p) -> bool:
    """The pages ACC117 counts and judges: HTML that answers 200, read, and neither an
    instant meta-refresh stub nor kept out of search by noindex."""
    return p.status == 200 and bool(p.word_count or p.title or p.h1) and not \
        p.refresh.redirects \
        and not {"noindex", "none"} & set(p.robots_directives)


@dataclass(frozen=True)
class Finding:
    rule: str
    pillar: str
    severity: str
    engines: tuple[str, ...]
    url: str
    page_type: str
    evidence: str
    detail: str
    urls: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "pillar": self.pillar, "severity": self.severity,
                "engines": list(self.engines), "url": self.url, "page_type": self.page_type,
                "evidence": self.evidence, "detail": self.detail, "urls": list(self.urls)}


@dataclass(frozen=True)
class RuleOutcome:
    """How one rule did over the audit: what it looked at and what it found."""

    rule: str
    pillar: str
    applicable: int          # pages (or 1 for a site rule) the rule judged
    failed: int              # of those, how many failed
    findings: tuple[Finding, ...] = ()   # all of them, or (count given) the first ones
    error: str | None = None  # the rule raised: shown, not scored
    count: int | None = None             # findings in all, when findings holds a sample
    urls: tuple[str, ...] | None = None  # every finding's URL, when findings holds a sample

    @property
    def total(self) -> int:
        return len(self.findings) if self.count is None else self.count

    @property
    def finding_urls(self) -> tuple[str, ...]:
        return tuple(f.url for f in self.findings) if self.urls is None else self.urls


def section(url: str) -> str:
    """The first folder of a URL's path ('/blog/' for /blog/a-post, '/' for /about): the
    part of the site a page sits in."""
    parts = urlsplit(url).path.split("/")
    return f"/{parts[1]}/" if len(parts) > 2 else "/"


POST_PEERS = (3, 0.5)    # articles in a section, and the share of them that show a thing


def peers_show(site, url: str, which: str) -> bool:
    """Do most articles of the page's section show a date (which='dated') or an author
    ('authored')?"""
    tally = site.dated_sections.get(section(url)) or SectionTally()
    return tally.articles >= POST_PEERS[0] and \
        getattr(tally, which) >= POST_PEERS[1] * tally.articles
