"""The report stage's view of a run's analyzed pages: read from the run database as streams,
never all at once, so that judging and reporting a 100,000-page run needs about the memory of
a 10,000-page one.

- `FullPages`: every page's complete facts, one page at a time (the page rules read these).
- `SlimPages`: the same pages without their bulky text (main text blocks, links, sections,
  answers, raw JSON-LD), from a table written by `survey()`: what the site rules and the site
  facts read, as often as they need, one page at a time.
- `survey()`: one pass over the full facts that writes the slim table and keeps, per page,
  only a `PageRow` (URL, status, type, depth, template skeleton) plus the site-wide tallies the
  report needs (inlinks, 'about' links, pages by status and type, structured-data coverage).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from aeo.analyzers.page_type import theme_markup
from aeo.facts.records import (
    CONTENT_TYPES,
    PageFacts,
    ThemeMarkup,
    counted_for_titles,
    section,
    text_key,
)

# a link to the about page: 'About', 'About us', 'About Acme', 'Who we are', 'Über uns'; not
# 'Learn more about use cases' or 'About this document'
ABOUT_LINK = re.compile(r"^\s*(?:about(?!\s+(?:this|these|the\s+(?:document|page|guide|"
                        r"tutorial|author)))(?:\s+\S+){0,3}|(?:learn |read )?more about us|"
                        r"meet (?:the|our) team|who we are|our (?:story|team|"
                        r"company|mission)|company|über uns|uber uns|à propos(?: de nous)?|"
                        r"a propos|chi siamo|sobre (?:nosotros|nós)|quiénes somos|over ons|"
                        r"om oss|o nas)\s*$", re.I)

# what the site rules and site facts never read: left out of the slim copy
BULKY = ("main_blocks", "links", "opening", "sections", "answers", "jsonld_blocks",
         "markup_unseen")
INLINK_SOURCES = 5      # sources kept per link target (for evidence); all are counted
EXTERNAL_KEPT = 2000    # distinct URLs kept per external origin (all links are counted)


@dataclass(frozen=True, slots=True)
class PageRow:
    """What the report keeps in memory of one page."""

    url: str
    status: int | None
    page_type: str
    depth: int
    skeleton: str


class FullPages:
    """The pages' complete facts, streamed in crawl order; re-iterable."""

    def __init__(self, db):
        self.db = db

    def __iter__(self) -> Iterator[PageFacts]:
        for data in self.db.facts():
            yield PageFacts.from_dict(data)

    def reading(self, *fields: str) -> Iterator[PageFacts]:
        """The pages with only the named facts read, the rest at their defaults: a pass that
        needs a few fields builds no page's whole facts."""
        for data in self.db.facts():
            yield PageFacts.from_dict(data, only=("url",) + fields)

    def get(self, url: str) -> PageFacts | None:
        data = self.db.fact(url)
        return PageFacts.from_dict(data) if data is not None else None


SLIM_CACHE_PAGES = 5000   # a run this small keeps its slim pages in memory (about 30 MB)


class SlimPages:
    """The pages without their bulky text, from the slim table; re-iterable. The site rules
    read them about twenty times: a run of up to SLIM_CACHE_PAGES pages decodes them once and
    keeps them, a larger one streams them each time, so memory stays bounded either way."""

    def __init__(self, db):
        self.db = db
        self._cache: list[PageFacts] | None = None

    def __iter__(self) -> Iterator[PageFacts]:
        if self._cache is not None:
            yield from self._cache
            return
        if len(self) <= SLIM_CACHE_PAGES:
            self._cache = [PageFacts.from_dict(d) for d in self.db.slim_facts()]
            yield from self._cache
            return
        for data in self.db.slim_facts():
            yield PageFacts.from_dict(data)

    def __len__(self) -> int:
        return self.db.count_slim()

    def some(self, urls: list[str]) -> Iterator[PageFacts]:
        for data in self.db.slim_facts(urls):
            yield PageFacts.from_dict(data)

    def __bool__(self) -> bool:
        return len(self) > 0


@dataclass
class Survey:
    rows: dict[str, PageRow] = field(default_factory=dict)
    inlinks: dict[str, list[str]] = field(default_factory=dict)
    inlink_counts: Counter = field(default_factory=Counter)
    about_links: Counter = field(default_factory=Counter)   # target -> pages linking so
    home_about_links: set[str] = field(default_factory=set)

    def about_pages(self) -> frozenset[str]:
        """Targets a menu calls 'About': linked so from the home page or from two pages
        ('About pip', one page's table of contents, is a section)."""
        return frozenset(u for u, n in self.about_links.items()
                         if n >= 2 or u in self.home_about_links)
    analysis_errors: dict[str, str] = field(default_factory=dict)
    main_hash_by_url: dict[str, str] = field(default_factory=dict)
    by_status: Counter = field(default_factory=Counter)
    by_type: Counter = field(default_factory=Counter)
    coverage: dict[str, dict] = field(default_factory=dict)
    analyzed: int = 0           # HTML pages read (a title, a heading or words)
    content_pages: int = 0
    # where the links and canonicals that leave the site go ('scheme://host[:port]' → count):
    # a copy of a site whose links are absolute to its real name shows it here
    internal_link_count: int = 0
    external_links: Counter = field(default_factory=Counter)
    external_targets: dict[str, set] = field(default_factory=dict)   # up to EXTERNAL_KEPT each
    canonical_origins: Counter = field(default_factory=Counter)
    refresh_targets: dict[str, str] = field(default_factory=dict)   # quick meta refreshes
    title_counts: Counter = field(default_factory=Counter)         # text_key -> pages
    description_counts: Counter = field(default_factory=Counter)
    titled_pages: int = 0
    # article markup types and where they sit, for a theme that puts one on every page
    # (aeo.analyzers.page_type.theme_markup)
    content_with_words: int = 0                                   # status 200, some words
    article_markup: Counter = field(default_factory=Counter)      # type -> pages
    unmarked: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    theme: dict[str, ThemeMarkup] = field(default_factory=dict)   # the theme's types, if any
    # first path folder -> [articles, dated, with an author]
    dated_sections: dict[str, list[int]] = field(default_factory=dict)

    def url(self, url: str) -> str:
        """The one string object for a page's URL (so that a million findings of a hundred
        thousand pages keep a hundred thousand URL strings)."""
        row = self.rows.get(url)
        return row.url if row is not None else url


# what the survey never reads of a page: not built for it (the text's blocks are most of a page)
SURVEY_SKIPS = ("main_blocks", "sections", "answers", "jsonld_blocks", "markup_unseen",
                "attribution", "language", "opening")


def survey(db, expected_types: dict[str, list[str]],
           skips: tuple[str, ...] = SURVEY_SKIPS) -> Survey:
    """One pass over the full facts: the slim table, one PageRow per page, site tallies."""
    s = Survey()
    db.clear_slim()
    for data in db.facts():
        url = sys.intern(data["url"])
        p = PageFacts.from_dict(data, without=skips)
        db.put_slim(url, {k: v for k, v in data.items() if k not in BULKY})
        # page types and skeletons repeat across pages: one string object each
        s.rows[url] = PageRow(url, p.status, sys.intern(p.page_type), p.depth,
                              sys.intern(p.skeleton))
        s.by_status[str(p.status)] += 1
        if p.word_count or p.title or p.h1:
            s.analyzed += 1
        if p.page_type in CONTENT_TYPES:
            s.content_pages += 1
        if p.fetch_error and p.fetch_error.startswith(("analysis_", "cut_short")):
            s.analysis_errors[url] = p.fetch_error[:300]
        if p.main_text_hash:
            s.main_hash_by_url[url] = p.main_text_hash
        if counted_for_titles(p):
            s.titled_pages += 1
            s.title_counts[text_key(p.title)] += 1
            s.description_counts[text_key(p.meta_description)] += 1
        if p.refresh.redirects:
            s.refresh_targets[url] = p.refresh.target
        for canonical in set(p.canonicals):
            key = origin(canonical)
            if key:
                s.canonical_origins[key] += 1
        targets: set[str] = set()
        about_here: set[str] = set()
        for link in p.links:
            if not link.internal:
                key = origin(link.url)
                if not key:
                    continue
                s.external_links[key] += 1
                kept = s.external_targets.setdefault(key, set())
                if len(kept) < EXTERNAL_KEPT:
                    kept.add(link.url)
                continue
            s.internal_link_count += 1
            if link.url != url:
                if ABOUT_LINK.match(link.text) and link.url not in about_here:
                    about_here.add(link.url)
                    s.about_links[sys.intern(link.url)] += 1
                    if p.page_type == "home":
                        s.home_about_links.add(link.url)
                if link.url in targets:
                    continue
                targets.add(link.url)
                target = sys.intern(link.url)
                s.inlink_counts[target] += 1
                sources = s.inlinks.setdefault(target, [])
                if len(sources) < INLINK_SOURCES:
                    sources.append(url)
        if p.status == 200:
            s.by_type[p.page_type] += 1
            _cover(s.coverage, p, expected_types)
            if p.page_type == "article":
                tally = s.dated_sections.setdefault(section(url), [0, 0, 0])
                tally[0] += 1
                tally[1] += bool(p.date_published)
                tally[2] += bool(p.author)
            if p.main_word_count and not p.refresh.target:
                s.content_with_words += 1
                if p.article_markup:
                    s.article_markup[p.article_markup] += 1
                    if p.type_unmarked != "article":
                        s.unmarked.setdefault(p.article_markup, {}).setdefault(
                            p.type_unmarked, []).append(url)
    db.commit()
    s.theme = theme_markup(s.article_markup, s.content_with_words, s.unmarked)
    return s


def set_aside_theme(db, s: Survey) -> int:
    """Type again, without the theme's article type, the pages that type alone made articles
    (a privacy page marked BlogPosting by a theme that marks every page so is a legal page).
    Returns how many pages changed type (0 when the theme put no type everywhere, or when an
    earlier report already set it aside)."""
    changed = 0
    for name in s.theme:
        for kind, urls in s.unmarked.get(name, {}).items():
            for url in urls:
                data = db.fact(url)
                if data is None or data.get("page_type") != "article":
                    continue
                data["page_type"], data["theme_markup"] = kind, name
                db.put_facts(url, data)
                changed += 1
    db.commit()
    return changed


def origin(url: str) -> str:
    """'scheme://host[:port]' of an http(s) URL (IPv6 in brackets, no default port); '' for
    anything else (a canonical the page wrote as garbage)."""
    from aeo.crawler.scope import InvalidURL, split_url

    try:
        scheme, host, port = split_url(url)
    except InvalidURL:
        return ""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def _cover(coverage: dict, p: PageFacts, expected_types: dict) -> None:
    """Structured data by page type: pages, pages with any markup, with the expected type,
    and the types seen."""
    c = coverage.setdefault(p.page_type, {"pages": 0, "marked": 0, "with_expected": 0,
                                          "seen": Counter()})
    c["pages"] += 1
    if any(n.syntax != "opengraph" for n in p.entities):
        c["marked"] += 1
    if set(expected_types.get(p.page_type, [])) & set(p.schema_types):
        c["with_expected"] += 1
    c["seen"].update(set(p.schema_types))


def coverage_rows(coverage: dict, expected_types: dict) -> list[dict]:
    rows = []
    for ptype in sorted(coverage):
        c = coverage[ptype]
        want = set(expected_types.get(ptype, []))
        rows.append({"type": ptype, "pages": c["pages"], "marked": c["marked"],
                     "expected": ", ".join(sorted(want)) if want else "",
                     "with_expected": c["with_expected"] if want else None,
                     "seen": ", ".join(f"{t} ({n})" for t, n in
                                      sorted(c["seen"].items(), key=lambda kv: (-kv[1], kv[0]))[:5])})
    return rows
