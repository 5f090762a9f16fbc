"""ACCESS: what the crawl itself ran into (ACC101 to ACC107, ACC111): robots.txt and sitemaps
that cannot be read, redirect loops and chains, pages cut short or refused, malformed and
off-site links, links robots.txt keeps every crawler from, and crawl traps. Each reads the
crawl's events. What the pages answer with is rules/served.py.
"""

from __future__ import annotations

from collections.abc import Callable

from aeo.facts.events import TEXT, CrawlEvent, Problem
from aeo.facts.records import SiteFacts
from aeo.governance import Governance
from aeo.rules.access import ALL, shortlist
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Pages, Verdict, failed, over, rule


# -- crawl health (beyond RULES.md) -------------------------------------------------------------
def _events(site, *kinds: str) -> list[CrawlEvent]:
    return [e for e in site.crawl_events if e.kind in kinds]


# What each problem code the crawler records means, in the findings' words.
ROBOTS_SAYS: dict[str, Callable[[Problem], str]] = {
    "still_redirects": lambda p: f"robots.txt still redirects after 5 hops (HTTP {p.status}); "
                                 "treated as absent",
    "absent": lambda p: f"no robots.txt (HTTP {p.status}): every crawler may fetch every page",
    "binary": lambda p: "robots.txt is binary data, not text; treated as allow-all",
    "markup": lambda p: "robots.txt is an HTML or XML document, not plain text; treated as "
                        "allow-all",
    "content_type": lambda p: f"robots.txt is served as {p.value}, not text/plain",
    "too_large": lambda p: f"robots.txt is {p.size // 1024} KiB; rules after the first "
                           f"{p.limit // 1024} KiB are ignored",
}
SITEMAP_SAYS: dict[str, Callable[[Problem], str]] = {
    "invalid_url": lambda p: "invalid sitemap URL",
    "other_host": lambda p: "sitemap on another host: not read",
    "empty": lambda p: "empty sitemap",
    "root_element": lambda p: f"not an XML sitemap (root element {p.value!r})",
    "no_root": lambda p: "not an XML sitemap",
    "not_xml": lambda p: f"not an XML sitemap: {p.value}",
    "broken_xml": lambda p: f"sitemap cut short by broken XML: {p.value}",
    "gzip_limit": lambda p: f"gzip sitemap not read past its limit: {p.value}",
    "gzip_error": lambda p: f"gzip sitemap not read: {p.value}",
    "too_large": lambda p: f"larger than the {p.limit // 2**20} MB a sitemap may be read to: "
                           "not read",
    "fetch_failed": lambda p: f"not read ({p.value})",
}
LINK_SAYS: dict[str, Callable[[Problem], str]] = {
    "too_long": lambda p: f"the URL is {p.size:,} characters long, past the {p.limit:,}-"
                          "character limit crawlers and browsers keep to: not followed",
    "unparseable": lambda p: p.value,
}
REDIRECT_SAYS = {"other_host": "another host", "invalid_target": "unsupported or invalid target"}


def say(problem: Problem | None, words: dict[str, Callable[[Problem], str]]) -> str:
    """A problem in the findings' words (a run recorded before codes keeps its own words)."""
    if problem is None:
        return "None"
    if problem.code == TEXT or problem.code not in words:
        return problem.value or problem.code
    return words[problem.code](problem)


@rule(id="ACC101", name="robots.txt missing or unreadable", pillar="ACCESS", scope="site",
      severity="low", engines=ALL,
      why="Without a readable robots.txt, every crawler decides on its own; a malformed one "
          "may be read differently by each engine.",
      fix="Serve a plain-text /robots.txt (text/plain, under 500 KiB) that states your policy.",
      before="/robots.txt → 404 (or an HTML page)", after="User-agent: *\nAllow: /",
      references=("https://www.rfc-editor.org/rfc/rfc9309",),
      examples=(
          Example("absent", True, site={"robots_problems": (Problem("absent", status=404),)}),
          Example("fine", False, site={"robots_problems": ()}),
      ))
def acc101(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    if not site.robots_problems:
        return PASSED
    return failed(Hit(evidence="; ".join(say(p, ROBOTS_SAYS) for p in site.robots_problems),
                      detail="robots.txt is missing or not readable as robots.txt.",
                      url=site.root.rstrip("/") + "/robots.txt", page_type="other"))


@rule(id="ACC102", name="Redirect loop or chain too long", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL,
      why="Crawlers give up on loops and long chains; the content behind them is never fetched.",
      fix="Redirect each old URL straight to its final destination in one hop.",
      before="/a → /b → /a", after="/a → /c (200)",
      references=("https://developers.google.com/search/docs/crawling-indexing/301-redirects",),
      examples=(
          Example("loop", True, site={"crawl_events": (CrawlEvent(
              "redirect_loop", "https://example.com/a", chain=(
                  "https://example.com/a", "https://example.com/b", "https://example.com/a")),)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc102(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    hits = []
    for e in _events(site, "redirect_loop", "redirect_too_long", "redirect_no_location"):
        if e.kind == "redirect_no_location":
            hits.append(Hit(evidence=f"HTTP {e.status} without a Location header",
                            detail="A redirect that names no target.", url=e.url))
            continue
        chain = e.chain
        what = "redirect loop" if e.kind == "redirect_loop" else \
            f"redirect chain too long ({len(chain) - 1} hops)"
        hits.append(Hit(evidence=f"{what}: {' → '.join(chain[:12])}"
                                 f"{' → …' if len(chain) > 12 else ''}",
                        detail=f"A {what}: crawlers never reach content through it.",
                        url=e.url, urls=tuple(chain[:50])))
    judged = max(len(site.redirects), len(hits))
    return over(judged, hits) if judged else NOT_APPLICABLE


@rule(id="ACC103", name="Page could not be fetched", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL,
      why="A page that times out, is cut off, is too large or is rate-limited is a page no "
          "crawler can read or cite.",
      fix="Check the server logs for these URLs: slow backends, oversized pages and aggressive "
          "rate limits are the usual causes.",
      before="/report → timed out after 30 s", after="/report → 200 in 400 ms",
      references=("https://developers.google.com/search/docs/crawling-indexing/http-network-errors",),
      examples=(
          Example("timeout", True, site={"fetch_errors": {"https://example.com/a": "timeout: took too long"},
                                         "status_by_url": {"https://example.com/a": None}}),
          Example("all fetched", False, site={"status_by_url": {"https://example.com/a": 200}}),
      ))
def acc103(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    hits = [Hit(evidence=why, url=url,
                detail="The page could not be read to its end." if why.startswith("cut_short")
                else "The page could not be fetched completely.")
            for url, why in sorted(site.fetch_errors.items())]
    for e in _events(site, "rate_limited"):
        hits.append(Hit(evidence=f"HTTP 429/503 with Retry-After {e.retry_after} s",
                        detail="The server rate-limited the crawler; the page was not read.",
                        url=e.url))
    return over(max(len(site.status_by_url), len(hits)), hits) if site.status_by_url else NOT_APPLICABLE


@rule(id="ACC104", name="Malformed link", pillar="ACCESS", scope="page", severity="low",
      engines=ALL,
      why="A link whose URL cannot be parsed leads nowhere for crawlers and readers alike.",
      fix="Correct the href (a typo in the host, a space, a bad port or percent-escape).",
      before='<a href="http://exa mple.com/">', after='<a href="https://example.com/">',
      references=("https://url.spec.whatwg.org/",),
      examples=(
          Example("bad href", True, site={"crawl_events": (CrawlEvent(
              "invalid_link", "https://example.com/", href="http://[::1",
              problem=Problem("unparseable", value="Invalid IPv6 URL")),)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc104(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    by_page: dict[str, list[str]] = {}
    for e in _events(site, "invalid_link"):
        by_page.setdefault(e.url, []).append(f"{e.href!r} ({say(e.problem, LINK_SAYS)})")
    hits = [Hit(evidence="; ".join(v[:5]) + (f" and {len(v) - 5} more" if len(v) > 5 else ""),
                detail=f"{len(v)} link(s) on this page cannot be followed.", url=url)
            for url, v in by_page.items()]
    return over(max(len(pages), len(hits)), hits) if (pages or hits) else NOT_APPLICABLE


@rule(id="ACC105", name="Redirect leaves the site or uses another scheme", pillar="ACCESS",
      scope="page", severity="low", engines=ALL,
      why="A redirect off the site or to a non-web scheme hands the crawler to someone else's "
          "content (or to nothing); the audit does not follow it.",
      fix="Redirect to the page's new home on this site, or link to the external URL directly.",
      before="/docs → 302 → https://other.example/docs", after='<a href="https://other.example/docs">',
      references=("https://developers.google.com/search/docs/crawling-indexing/301-redirects",),
      examples=(
          Example("off-site", True, site={"crawl_events": (CrawlEvent(
              "redirect_offsite", "https://example.com/x", target="http://10.0.0.1/",
              reason="other_host"),)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc105(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    hits = [Hit(evidence=f"redirects to {e.target} ({REDIRECT_SAYS.get(e.reason, e.reason)}); "
                         "not followed",
                detail="The URL redirects outside the audited site.", url=e.url)
            for e in _events(site, "redirect_offsite")]
    total = len(site.redirects) + len(hits)
    return over(total, hits) if total else NOT_APPLICABLE


@rule(id="ACC106", name="Pages robots.txt keeps every crawler away from", pillar="ACCESS",
      scope="site", severity="low", engines=ALL,
      why="URLs the site links to but robots.txt disallows for all crawlers are invisible to "
          "answer engines; make sure none of them is content you want cited.",
      fix="Allow the paths that hold public content; keep Disallow for private areas only.",
      before="User-agent: *\nDisallow: /resources/", after="User-agent: *\nDisallow: /admin/",
      references=("https://www.rfc-editor.org/rfc/rfc9309",),
      examples=(
          Example("linked but blocked", True, site={"crawl_events": (
              CrawlEvent("robots_blocked", "https://example.com/private/a"),)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc106(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    urls = tuple(dict.fromkeys(e.url for e in _events(site, "robots_blocked")))
    if not urls:
        return PASSED
    return failed(Hit(evidence=f"{len(urls)} linked URL(s) disallowed for our crawler: {shortlist(urls)}",
                      detail="robots.txt keeps crawlers away from these linked URLs; the audit could "
                             "not read them either.", urls=urls, page_type="other"))


@rule(id="ACC107", name="XML sitemap unreadable", pillar="ACCESS", scope="site",
      severity="medium", engines=("google", "copilot", "chatgpt", "perplexity"),
      why="A sitemap that cannot be read (broken XML, a corrupt or oversized gzip) is no "
          "sitemap at all to a crawler.",
      fix="Serve valid sitemap XML (gzip optional, under 50 MB uncompressed and 50,000 URLs per "
          "file); split large sitemaps under a sitemap index.",
      before="/sitemap.xml.gz → truncated gzip", after="/sitemap.xml → <urlset>…</urlset>",
      references=("https://www.sitemaps.org/protocol.html",),
      examples=(
          Example("broken", True, site={"crawl_events": (CrawlEvent(
              "sitemap_problem", "https://example.com/sitemap.xml", problem=Problem("no_root")),)}),
          Example("fine", False, site={"crawl_events": ()}),
      ))
def acc107(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    problems = _events(site, "sitemap_problem")
    if not problems:
        return PASSED
    return failed(Hit(evidence="; ".join(f"{e.url}: {say(e.problem, SITEMAP_SAYS)}"
                                         for e in problems[:5]),
                      detail="A sitemap could not be read.", url=problems[0].url,
                      urls=tuple(e.url for e in problems), page_type="other"))


@rule(id="ACC111", name="Crawl trap", pillar="ACCESS", scope="site", severity="low",
      engines=ALL,
      why="Endless calendars, faceted filters in every combination and paths that repeat "
          "themselves give crawlers an infinite site: they spend their budget there and reach "
          "the real pages late or not at all.",
      fix="Link only the useful facet and date pages; mark the rest nofollow or disallow their "
          "parameters in robots.txt, and fix relative links that stack path segments.",
      before='<a href="cal?m=13">next month</a> (forever)',
      after='robots.txt: Disallow: /cal?m=',
      references=("https://developers.google.com/search/docs/crawling-indexing/crawling-managing-faceted-navigation",),
      examples=(
          Example("calendar", True, site={"crawl_events": (
              CrawlEvent("crawl_trap", "https://example.com/cal?m=60", pattern="/cal?*",
                         trap="endless parameter", truncated=120),)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc111(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    traps = _events(site, "crawl_trap")
    if not traps:
        return PASSED
    return failed(Hit(evidence="; ".join(f"{e.trap}: {e.pattern} ({e.truncated} "
                                         f"URLs not crawled), e.g. {e.url}" for e in traps[:5]),
                      detail=f"{len(traps)} crawl trap(s) were cut short so the real pages could be "
                             "crawled.", url=site.root, urls=tuple(e.url for e in traps),
                      page_type="other"))
