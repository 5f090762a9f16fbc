"""FRESH: can an engine tell how current each article is, and trust it? FR001 to FR005 of
RULES.md. They read every date candidate with its source (analyzers/dates.py), the
audit date, and the previous complete run of the same site."""

from __future__ import annotations

from datetime import date, timedelta

from aeo.facts.page_types import post_signals
from aeo.facts.reading import day, is_placeholder
from aeo.facts.records import (
    Attribution,
    DateCandidate,
    PageFacts,
    PreviousPage,
    SectionTally,
    SiteFacts,
    peers_show,
)
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Verdict, failed, rule

ALL = ("all",)
CONTENT = ("article", "faq", "product", "about", "home")


def _d(iso: str) -> date | None:
    try:
        return date.fromisoformat(day(iso)) if len(day(iso)) == 10 else None
    except ValueError:
        return None


def _dates(page, kind: str, sources: tuple[str, ...] = ()) -> list[DateCandidate]:
    return [c for c in page.attribution.dates if c.kind == kind
            and (not sources or c.source.startswith(sources))
            and not is_placeholder(c.value)]


def _c(value: str, source: str, kind: str) -> DateCandidate:
    return DateCandidate(value, value, source, kind)


def _dated_content(page, site) -> bool:
    """Is the page the kind of article that carries a date: one that says it is a post
    (article markup, a byline) or one whose section's other articles are dated? An undated
    reference or product page among undated ones (a manual, a contributor guide) is not."""
    return post_signals(page.url, page.schema_types, author=page.author) or \
        peers_show(site, page.url, "dated")


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month) - (b.day < a.day)


@rule(id="FR001", name="Article without a publication date", pillar="FRESH", scope="page",
      severity="medium", engines=ALL, page_types=("article",),
      why="Engines prefer answers they can date. An article with no publication date anywhere "
          "cannot be placed in time, so it loses to dated pages on anything time-sensitive. "
          "Judged where a date is expected: a post (article markup, a byline, a blog or news "
          "folder) or an article in a section whose other articles are dated; an undated manual or product page "
          "among undated ones is left alone.",
      fix="Show the publication date near the headline and put it in the markup "
          "(datePublished) and the article:published_time meta tag.",
      before="<h1>Month-end close in five days</h1>",
      after="<h1>Month-end close in five days</h1><p>Published <time datetime=\"2026-03-02\">"
            "2 March 2026</time></p>",
      references=("https://developers.google.com/search/docs/appearance/publication-dates",),
      examples=(
          Example("a post with a byline and no date", True, page={
              "author": "Maria Okafor", "attribution": Attribution(dates=())}),
          Example("only the URL has one, among dated posts", True,
                  site={"dated_sections": {"/blog/": SectionTally(10, 9, 0)}},
                  page={"url": "https://example.com/blog/close", "attribution": Attribution(dates=(
                      _c("2026-03-02", "URL", "published"),))}),
          Example("markup date", False, page={"attribution": Attribution(dates=(
              _c("2026-03-02", "markup datePublished", "published"),))}),
          Example("an undated guide among undated guides", None,
                  site={"dated_sections": {"/docs/": SectionTally(40, 0, 0)}},
                  page={"url": "https://example.com/docs/setup", "attribution": Attribution(dates=())}),
      ))
def fr001(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    found = [c for c in _dates(page, "published") if c.source != "URL"]
    if found:
        return PASSED
    if not _dated_content(page, site):
        return NOT_APPLICABLE     # an undated guide or product page among undated ones: no gap there
    return failed(Hit(evidence="no datePublished in markup, no publication meta tag, no <time> or "
                               "visible 'Published' date",
                      detail="The article shows no publication date."))


@rule(id="FR002", name="Article not updated for a long time", pillar="FRESH", scope="page",
      severity="medium", engines=ALL, page_types=("article",),
      why="For most questions engines prefer recent answers. An article last touched years "
          "ago is passed over for fresher ones, even when its content still holds. Records of "
          "a moment (release notes, security advisories, event recaps, case studies, news, "
          "by their headline, URL or NewsArticle markup) are dated by nature and left alone.",
      fix="Review the article: update what has changed (rules, prices, screenshots), then "
          "update dateModified and the visible 'Updated' date. If nothing changed, leave the "
          "date alone: moving it without changing the page is artificial freshening (FR004).",
      before="Published 20 November 2019", after="Published 20 November 2019 · Updated 3 "
                                                 "March 2026",
      references=("https://developers.google.com/search/docs/appearance/publication-dates",),
      examples=(
          Example("last touched in 2019", True, site={"as_of": "2026-11-22"}, page={
              "date_published": "2019-11-20", "date_modified": "2019-12-01"}),
          Example("updated this year", False, site={"as_of": "2026-11-22"}, page={
              "date_published": "2019-11-20", "date_modified": "2026-03-01"}),
          Example("a release announcement from 2019", None, site={"as_of": "2026-11-22"}, page={
              "date_published": "2019-11-20", "dated_kind": "release"}),
      ))
def fr002(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if page.dated_kind:
        return NOT_APPLICABLE     # a release note, advisory, recap or case study is dated by nature
    last = _d(page.date_modified) or _d(page.date_published)
    as_of = _d(site.as_of) if site.as_of else date.today()
    if last is None or as_of is None:
        return NOT_APPLICABLE
    months = _months_between(last, as_of)
    if months <= gov["stale_months"]:
        return PASSED
    which = "modified" if _d(page.date_modified) else "published"
    return failed(Hit(evidence=f"last {which} {last.isoformat()}, {months} months before the audit "
                               f"date {as_of.isoformat()} (limit {gov['stale_months']})",
                      detail=f"The article was last {which} {months} months ago."))


@rule(id="FR003", name="Dates contradict each other", pillar="FRESH", scope="page",
      severity="medium", engines=ALL, page_types=CONTENT,
      why="When the visible date and the markup disagree, or the page was 'modified' before it "
          "was published, engines cannot trust either date and may show the wrong one.",
      fix="Generate every date from one source in the template: the visible dates, the "
          "markup and the meta tags.",
      before="Published 10 August 2026 ... \"dateModified\": \"2026-05-01\"",
      after="Published 10 August 2026 ... \"dateModified\": \"2026-08-10\"",
      references=("https://developers.google.com/search/docs/appearance/publication-dates",),
      examples=(
          Example("modified before published", True, site={"as_of": "2026-11-22"}, page={
              "attribution": Attribution(dates=(_c("2026-08-10", "markup datePublished", "published"),
                                        _c("2026-05-01", "markup dateModified", "modified")))}),
          Example("visible and markup disagree", True, site={"as_of": "2026-11-22"}, page={
              "attribution": Attribution(dates=(_c("2025-03-03", "markup datePublished", "published"),
                                        _c("2026-06-02", "visible text", "published")))}),
          Example("consistent", False, site={"as_of": "2026-11-22"}, page={
              "attribution": Attribution(dates=(_c("2026-08-10", "markup datePublished", "published"),
                                        _c("2026-08-10", "visible text", "published"),
                                        _c("2026-09-01", "markup dateModified", "modified")))}),
      ))
def fr003(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    # placeholders ('0001-01-01') are FR005's: no arithmetic on them here
    cands = [c for c in page.attribution.dates if not is_placeholder(c.value)]
    if not cands:
        return NOT_APPLICABLE
    problems = []
    for kind in ("published", "modified"):
        markup = [c for c in cands if c.kind == kind and c.source.startswith("markup")]
        visible = [c for c in cands if c.kind == kind and c.source in ("visible text",
                                                                             "time element")]
        for m in markup[:1]:
            for v in visible[:1]:
                a, b = _d(m.value), _d(v.value)
                if a and b and abs((a - b).days) > 1:
                    problems.append(f"{kind}: {m.source} {a} vs {v.source} {b}")
    published = [d for d in (_d(c.value) for c in cands if c.kind == "published") if d]
    modified = [(d, c) for d, c in ((_d(c.value), c) for c in cands
                                    if c.kind == "modified") if d]
    if published:
        first = min(published)
        for d, c in modified:
            if d < first - timedelta(days=1):
                problems.append(f"modified {d} ({c.source}) is before published {first}")
                break
    as_of = _d(site.as_of) if site.as_of else date.today()
    future = [(d, c) for d, c in ((_d(c.value), c) for c in cands) if d and as_of and
              d > as_of + timedelta(days=1)]
    if future:
        d, c = future[0]
        problems.append(f"{c.kind} date {d} ({c.source}) is after the audit date {as_of}")
    if not problems:
        return PASSED
    return failed(Hit(evidence="; ".join(dict.fromkeys(problems)),
                      detail="The page's dates contradict each other."))


@rule(id="FR004", name="Date moved forward without a content change", pillar="FRESH",
      scope="page", severity="medium", engines=ALL, page_types=CONTENT,
      why="Bumping dateModified (or the visible 'Updated' date) without changing the content "
          "is artificial freshening: engines compare versions, and a page caught doing it "
          "loses the trust its dates were meant to earn.",
      fix="Change the modified date only when the content changes; say what changed.",
      before="run 1: Updated 2026-09-15 · run 2: Updated 2026-10-15 (same text)",
      after="run 2: Updated 2026-09-15 (unchanged), or new content with its new date",
      references=("https://developers.google.com/search/docs/appearance/publication-dates",),
      examples=(
          Example("date bumped, same text", True, site={"previous_pages": {
              "https://example.com/blog/post": PreviousPage(200, "abc", "2026-09-15")}},
                  page={"main_text_hash": "abc", "date_modified": "2026-10-15"}),
          Example("text changed too", False, site={"previous_pages": {
              "https://example.com/blog/post": PreviousPage(200, "abc", "2026-09-15")}},
                  page={"main_text_hash": "def", "date_modified": "2026-10-15"}),
          Example("no previous run: not applicable", None, site={"previous_pages": None},
                  page={"main_text_hash": "abc", "date_modified": "2026-10-15"}),
      ))
def fr004(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if site.previous_pages is None:
        return NOT_APPLICABLE   # no previous run to compare with: not applicable, not passed
    before = site.previous_pages.get(page.url)
    if not before or not before.main_text_hash or not page.main_text_hash:
        return NOT_APPLICABLE
    then, now = _d(before.date_modified or ""), _d(page.date_modified)
    if not then or not now:
        return NOT_APPLICABLE
    if now > then and before.main_text_hash == page.main_text_hash:
        return failed(Hit(evidence=f"dateModified moved from {then} to {now}; the main text is "
                                   "unchanged since the previous run",
                          detail="The modified date moved forward but the content did not change."))
    return PASSED


MACHINE = ("markup", "meta")


@rule(id="FR005", name="Placeholder or impossible date in markup", pillar="FRESH",
      scope="page", severity="medium", engines=ALL, page_types=CONTENT,
      why="A datePublished of 0001-01-01 or 1970-01-01, a date after today, or a "
          "dateModified before datePublished is what a template writes when it has no real "
          "date. Engines read these dates as given: the page looks ancient, from the future, "
          "or edited before it existed, and the real date is lost.",
      fix="Fill the markup and meta dates from the article's real publication and update "
          "dates, or leave the property out when there is none.",
      before='"datePublished": "0001-01-01T00:00:00"',
      after='"datePublished": "2026-03-03T09:00:00+01:00"',
      references=("https://developers.google.com/search/docs/appearance/publication-dates",),
      examples=(
          Example("year one", True, site={"as_of": "2026-11-22"}, page={"attribution": Attribution(
              dates=(_c("0001-01-01", "markup datePublished", "published"),))}),
          Example("the Unix epoch in meta", True, site={"as_of": "2026-11-22"}, page={
              "attribution": Attribution(dates=(_c("1970-01-01T00:00:00+00:00",
                                           "meta article:modified_time", "modified"),))}),
          Example("modified before published", True, site={"as_of": "2026-11-22"}, page={
              "attribution": Attribution(dates=(_c("2026-08-10", "markup datePublished", "published"),
                                        _c("2026-05-01", "markup dateModified", "modified")))}),
          Example("real dates", False, site={"as_of": "2026-11-22"}, page={"attribution": Attribution(
              dates=(_c("2026-08-10", "markup datePublished", "published"),
                     _c("2026-09-01", "markup dateModified", "modified")))}),
          Example("no machine-readable date", None, site={"as_of": "2026-11-22"}, page={
              "attribution": Attribution(dates=(_c("2026-08-10", "visible text", "published"),))}),
      ))
def fr005(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    cands = [c for c in page.attribution.dates if c.source.startswith(MACHINE)]
    if not cands:
        return NOT_APPLICABLE
    problems = [f"{c.source} {c.raw or c.value} is a placeholder"
                for c in cands if is_placeholder(c.value)]
    real = [(d, c) for d, c in ((_d(c.value), c) for c in cands if not is_placeholder(
        c.value)) if d]
    as_of = _d(site.as_of) if site.as_of else date.today()
    problems += [f"{c.source} {d} is after the audit date {as_of}" for d, c in real
                 if as_of and d > as_of + timedelta(days=1)]
    published = [d for d, c in real if c.kind == "published"]
    modified = [(d, c) for d, c in real if c.kind == "modified"]
    if published:
        first = min(published)
        problems += [f"{c.source} {d} is before datePublished {first}"
                     for d, c in modified if d < first - timedelta(days=1)][:1]
    if not problems:
        return PASSED
    return failed(Hit(evidence="; ".join(dict.fromkeys(problems))[:500],
                      detail="The page's markup or meta carries a date no real page can have."))
