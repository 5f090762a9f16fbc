"""Site facts: robots.txt per crawler, llms.txt, sitemaps, probes, link graph, crawl events."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from aeo.analyzers.authors import author_matrix
from aeo.analyzers.identity import build_identity
from aeo.crawler.bots import bot
from aeo.crawler.robots import parse_robots
from aeo.crawler.scope import InvalidURL, Scope, display_host, normalize_url
from aeo.facts.events import CrawlEvent
from aeo.facts.reading import entity_index
from aeo.facts.records import (
    CONTENT_TYPES,
    KIND_LLMS,
    KIND_PAGE,
    KIND_PROBE,
    KIND_ROBOTS,
    KIND_SITEMAP,
    BotAccess,
    Fetch,
    LlmsTxt,
    MissingPage,
    Probe,
    RobotsGroupLine,
    SectionTally,
    SiteFacts,
)

# Text that marks a bot-challenge or block page served with any status.
CHALLENGE_MARKERS = (
    "cf-challenge", "challenge-platform", "just a moment...", "attention required!",
    "cf-browser-verification", "_incapsula_resource", "px-captcha", "captcha-delivery",
    "are you a robot", "verify you are human", "access denied", "request unsuccessful",
)


def is_challenge(body: bytes | None) -> bool:
    head = (body or b"")[:20000].decode("utf-8", "replace").lower()
    return any(m in head for m in CHALLENGE_MARKERS)


# -- robots.txt evidence -----------------------------------------------------------------------
_LINE = re.compile(r"^\s*([A-Za-z-]+)\s*:\s*(.*?)\s*(?:#.*)?$")


def robots_groups(text: str) -> list[tuple[list[str], list[tuple[int, str, str, str]]]]:
    """[(user agents, [(line no, directive, value, line text)])], as the file groups them."""
    groups: list[tuple[list[str], list]] = []
    agents: list[str] = []
    rules: list = []
    last_was_agent = False
    for no, line in enumerate(text.splitlines(), 1):
        m = _LINE.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if key == "user-agent":
            if not last_was_agent and (agents or rules):
                groups.append((agents, rules))
                agents, rules = [], []
            agents.append(value.lower())
            last_was_agent = True
        elif key in ("allow", "disallow"):
            rules.append((no, key, value, line.strip()))
            last_was_agent = False
        else:
            last_was_agent = False
    if agents or rules:
        groups.append((agents, rules))
    return groups


def _pattern(value: str) -> re.Pattern:
    anchored = value.endswith("$")
    body = re.escape(value.rstrip("$")).replace(r"\*", ".*")
    return re.compile(body + ("$" if anchored else ""))


def robots_evidence(text: str, token: str, url: str) -> tuple[str, RobotsGroupLine | None]:
    """The group that applies to token (RFC 9309: the most specific user-agent match, else
    '*') and the longest rule in it matching url's path."""
    token_l = token.lower()
    groups = robots_groups(text)
    chosen = [g for g in groups if token_l in g[0]]
    label = token
    if not chosen:
        chosen = [g for g in groups if "*" in g[0]]
        label = "*"
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    best: tuple[int, str, str, str] | None = None
    for _agents, rules in chosen:
        for rule in rules:
            no, key, value, line = rule
            if value and _pattern(value).match(path):
                if best is None or len(value) > len(best[2]) or (
                        len(value) == len(best[2]) and key == "allow"):
                    best = rule
    line = RobotsGroupLine(best[0], best[3]) if best else None
    return f"User-agent: {label}", line


# -- llms.txt ------------------------------------------------------------------------------
def read_llms(status: int | None, body: bytes | None, content_type: str) -> LlmsTxt:
    """What /llms.txt is: its status, and the lines the llms.txt format is made of (an H1
    title first, an optional blockquote summary, then H2 sections of markdown link lists).
    ACC003 judges it."""
    if status is None or not (200 <= status < 300):
        return LlmsTxt(status=status)
    stripped = (body or b"").decode("utf-8", "replace").lstrip("\ufeff").lstrip()
    lines = [ln.rstrip() for ln in stripped.splitlines()]
    return LlmsTxt(
        status=status, empty=not stripped,
        html=stripped[:200].lower().startswith(("<!doctype", "<html"))
        or "html" in content_type.lower(),
        first_line=next((ln for ln in lines if ln.strip()), "")[:200],
        h1=sum(1 for ln in lines if re.match(r"^#\s+\S", ln)),
        h2=sum(1 for ln in lines if re.match(r"^##\s+\S", ln)),
        links=sum(1 for ln in lines if re.match(r"^\s*[-*]\s*\[[^\]]+\]\([^)]+\)", ln)))


# -- the whole site ------------------------------------------------------------------------
def build_site_facts(scope: Scope, fetches: Iterable[Fetch], pages, events: list[CrawlEvent],
                     sitemap_urls: set[str], required: list[str], watched: list[str],
                     survey, lookup=None, texts=None, start_url: str = "") -> SiteFacts:
    """The site's facts. pages: the (slim) pages, re-iterable; survey: aeo.pageset.Survey of
    the same pages (inlinks, analysis failures, hashes); lookup(url): a page's full facts (an
    author's profile page); texts: (url, main text) of every page, for the brand name."""
    robots: Fetch | None = None
    llms: Fetch | None = None
    missing: Fetch | None = None
    # the crawler read each sitemap as it arrived (under the run's size cap): not again here
    sitemaps_found = [e.url for e in events if e.kind == "sitemap_read"]
    sitemaps_tried: list[str] = []
    probes: list[Probe] = []
    browser: Probe | None = None
    status_by_url: dict[str, int | None] = {}
    redirects: dict[str, str] = {}
    fetch_errors: dict[str, str] = {}
    for f in fetches:
        if f.kind == KIND_ROBOTS:
            robots = f  # the last hop of the robots.txt chain decides
        elif f.kind == KIND_LLMS:
            llms = f
        elif f.kind == KIND_SITEMAP:
            sitemaps_tried.append(f.url)
        elif f.kind == KIND_PROBE and f.user_agent == "missing-page":
            missing = f
        elif f.kind == KIND_PROBE:
            p = Probe(token=f.user_agent, status=f.status,
                      challenge=is_challenge(f.body) if f.status else False, error=f.error)
            if f.user_agent == "browser":
                browser = p
            else:
                probes.append(p)
        elif f.kind == KIND_PAGE:
            url = survey.url(f.url)
            status_by_url[url] = f.status
            if f.error:
                fetch_errors[url] = f"{f.error}: {f.error_detail}"[:300]
            if f.final_url and f.status and 300 <= f.status < 400:
                try:
                    redirects[url] = normalize_url(f.final_url)
                except (InvalidURL, ValueError):
                    redirects[url] = f.final_url

    # pages the analysis gave up on (time budget, a parser failure)
    fetch_errors.update(survey.analysis_errors)
    if robots is None:   # no robots.txt fetch stored: the same as a 404
        policy = parse_robots(404, b"")
    else:
        policy = parse_robots(robots.status, robots.body or b"", robots.content_type)
    content_urls = [scope.root] + [r.url for r in survey.rows.values()
                                   if r.page_type in CONTENT_TYPES]
    bots: list[BotAccess] = []
    for token in dict.fromkeys(list(required) + list(watched)):
        info = bot(token)
        blocked = tuple(u for u in dict.fromkeys(content_urls) if not policy.can_fetch(u, token))
        group, line = ("", None)
        if blocked and policy.text:
            group, line = robots_evidence(policy.text, token, blocked[0])
        bots.append(BotAccess(token=info.token, operator=info.operator, purpose=info.purpose,
                              blocked_urls=blocked, group=group, line=line))

    return SiteFacts(
        root=scope.root, host=display_host(scope.host), start_url=start_url or scope.root,
        robots_status=robots.status if robots else None, robots_found=policy.found,
        robots_problems=tuple(policy.problems), bots=tuple(bots),
        llms=read_llms(llms.status if llms else None, llms.body if llms else None,
                       llms.content_type if llms else ""),
        sitemaps_found=tuple(sitemaps_found), sitemap_urls=frozenset(sitemap_urls),
        sitemaps_tried=tuple(dict.fromkeys(sitemaps_tried)),
        sitemaps_complete=not any(e.kind in ("sitemap_problem", "sitemap_limit")
                                  for e in events),
        browser_probe=browser, bot_probes=tuple(probes), status_by_url=status_by_url,
        inlinks=survey.inlinks, inlink_counts=survey.inlink_counts,   # shared, not copied
        about_links=survey.about_pages(),
        redirects=redirects, refreshes=dict(survey.refresh_targets), fetch_errors=fetch_errors,
        main_hash_by_url=survey.main_hash_by_url,
        title_counts=survey.title_counts, description_counts=survey.description_counts,
        titled_pages=survey.titled_pages,
        crawl_events=tuple(events),
        entities_by_id=entity_index(pages),
        identity=build_identity(pages, scope.root, texts),
        theme_markup=survey.theme,
        dated_sections={k: SectionTally(*v) for k, v in survey.dated_sections.items()},
        authors=author_matrix(pages, lookup),
        missing_page=missing_page_fingerprint(missing, scope),
    )


def missing_page_fingerprint(fetch: Fetch | None, scope: Scope) -> MissingPage | None:
    """What the site answers for a URL that cannot exist: a 404 is right; a 200 is a
    catch-all whose title and main text identify the soft 404s among the pages."""
    if fetch is None:
        return None
    info = MissingPage(fetch.url, fetch.status)
    if fetch.status and 200 <= fetch.status < 300 and fetch.body:
        from aeo.analyzers.page import analyze_page

        try:
            facts = analyze_page(dataclasses.replace(fetch, kind=KIND_PAGE), scope, scope.root)
        except Exception:  # noqa: BLE001 - a fingerprint is a nicety, never a crash
            return info
        info = dataclasses.replace(info, title=facts.title, main_text_hash=facts.main_text_hash,
                                   words=facts.main_word_count)
    return info
