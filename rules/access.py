"""ACCESS: can answer engines reach and read the site? ACC001 to ACC010 of RULES.md. The
crawl-health rules (ACC1xx), what the crawl itself ran into, are in rules/crawl.py."""

from __future__ import annotations

import re

from aeo.crawler.bots import bot
from aeo.facts.records import BotAccess, Link, LlmsTxt, PageFacts, Probe, SiteFacts
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Pages, Verdict, failed, over, rule
from aeo.rules.evidence import shortlist

ALL = ("all",)

SEARCH_ENGINES = ("chatgpt", "perplexity", "claude")

BLOCKING_DIRECTIVES = frozenset({"noindex", "nosnippet", "none", "max-snippet:0"})  # no spaces


def _bot_evidence(b: BotAccess) -> str:
    line = f"line {b.line.line_no}: {b.line.text}" if b.line else "no matching rule line"
    n = len(b.blocked_urls)
    return (f"{b.token} ({b.operator}, {b.purpose}) blocked on {n} URL{'s' * (n != 1)} "
            f"by group '{b.group}', {line}")


@rule(id="ACC001", name="robots.txt blocks an answer-engine crawler", pillar="ACCESS",
      scope="site", severity="critical", engines=SEARCH_ENGINES,
      why="Answer engines only cite pages their search crawler may fetch. A Disallow for "
          "OAI-SearchBot, PerplexityBot or Claude-SearchBot takes the blocked pages out of "
          "ChatGPT search, Perplexity or Claude answers entirely.",
      fix="Remove the Disallow lines that apply to the answer-engine crawler, or give it its "
          "own group that allows the content.",
      before="User-agent: Claude-SearchBot\nDisallow: /blog/",
      after="User-agent: Claude-SearchBot\nAllow: /",
      references=("https://www.rfc-editor.org/rfc/rfc9309",
                  "https://platform.openai.com/docs/bots"),
      examples=(
          Example("search bot blocked on the blog", True, site={"bots": (BotAccess(
              "Claude-SearchBot", "Anthropic", "search", ("https://example.com/blog/a",),
              "User-agent: Claude-SearchBot"),)}),
          Example("only a training bot blocked", False, site={"bots": (BotAccess(
              "GPTBot", "OpenAI", "training", ("https://example.com/",), "User-agent: GPTBot"),
          )}),
      ))
def acc001(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    required = {t.lower() for t in gov["required_bots"]}
    blocked = [b for b in site.bots if b.token.lower() in required and b.blocked_urls]
    if not blocked:
        return PASSED
    urls = tuple(dict.fromkeys(u for b in blocked for u in b.blocked_urls))
    return failed(Hit(evidence="; ".join(_bot_evidence(b) for b in blocked),
                      detail=f"robots.txt keeps {', '.join(b.token for b in blocked)} away from "
                             f"{len(urls)} page(s), so those engines cannot cite them.",
                      url=site.root.rstrip("/") + "/robots.txt", urls=urls, page_type="other"))


@rule(id="ACC002", name="robots.txt blocks an AI crawler (informational)", pillar="ACCESS",
      scope="site", severity="low", engines=ALL,
      why="Training and other AI crawlers (GPTBot, ClaudeBot, Google-Extended, CCBot...) do "
          "not power live answers, but blocking them is a business decision that shapes what "
          "future models know about the brand. Make it knowingly.",
      fix="Keep the block if it is intended; otherwise allow the crawler in robots.txt.",
      before="User-agent: GPTBot\nDisallow: /", after="User-agent: GPTBot\nAllow: /",
      references=("https://www.rfc-editor.org/rfc/rfc9309",),
      examples=(
          Example("GPTBot blocked", True, site={"bots": (BotAccess(
              "GPTBot", "OpenAI", "training", ("https://example.com/",), "User-agent: GPTBot"),)}),
          Example("nothing blocked", False, site={"bots": (BotAccess(
              "GPTBot", "OpenAI", "training", ()),)}),
      ))
def acc002(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    required = {t.lower() for t in gov["required_bots"]}
    watched = {t.lower() for t in gov["watched_bots"]} - required
    blocked = [b for b in site.bots if b.token.lower() in watched and b.blocked_urls]
    if not blocked:
        return PASSED
    urls = tuple(dict.fromkeys(u for b in blocked for u in b.blocked_urls))
    return failed(Hit(evidence="; ".join(_bot_evidence(b) for b in blocked),
                      detail=f"robots.txt blocks {', '.join(b.token for b in blocked)}; this is "
                             "informational: decide whether that is intended.",
                      url=site.root.rstrip("/") + "/robots.txt", urls=urls, page_type="other"))


@rule(id="ACC003", name="llms.txt missing or not in the llms.txt format", pillar="ACCESS",
      scope="site", severity="low", engines=SEARCH_ENGINES,
      why="llms.txt gives language-model tools a curated map of the site. Google Search ignores "
          "it; some assistants and agents read it. Cheap to add, low impact.",
      fix="Publish /llms.txt: an H1 with the site name, a one-line blockquote summary, then H2 "
          "sections of markdown links to the key pages.",
      before="Welcome to our site! See /docs",
      after="# Acme Analytics\n> Product analytics for SaaS teams.\n## Docs\n- [Guide](https://acme.example/guide): setup",
      references=("https://llmstxt.org/",),
      examples=(
          Example("missing", True, site={"llms": LlmsTxt(status=404)}),
          Example("an HTML page", True, site={"llms": LlmsTxt(status=200, html=True)}),
          Example("no sections", True, site={"llms": LlmsTxt(
              status=200, first_line="# Acme", h1=1, links=3)}),
          Example("well formed", False, site={"llms": LlmsTxt(
              status=200, first_line="# Acme", h1=1, h2=2, links=3)}),
      ))
def acc003(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    problems = llms_problems(site.llms)
    if not problems:
        return PASSED
    return failed(Hit(evidence="; ".join(problems),
                      detail="llms.txt is missing or malformed; it can help ChatGPT, Perplexity and "
                             "Claude tools find key pages (Google Search ignores it).",
                      url=site.root.rstrip("/") + "/llms.txt", page_type="other"))


def llms_problems(llms: LlmsTxt) -> list[str]:
    """What keeps /llms.txt from the llms.txt format: it answers, is not empty, is markdown,
    starts with one H1 title, and lists its links under H2 sections ([] when all hold)."""
    if llms.status is None or not (200 <= llms.status < 300):
        return [f"/llms.txt is missing (HTTP {llms.status if llms.status is not None else 'no answer'})"]
    if llms.empty:
        return ["/llms.txt is empty"]
    if llms.html:
        return ["/llms.txt answers with an HTML page, not markdown"]
    problems = []
    if not re.match(r"^#\s+\S", llms.first_line):
        problems.append("/llms.txt does not start with an H1 title (first line: "
                        f"{llms.first_line[:80]!r})")
    if llms.h1 > 1:
        problems.append("/llms.txt has more than one H1 title")
    if not llms.links:
        problems.append("/llms.txt has no markdown link list ('- [name](url): notes')")
    elif not llms.h2:
        problems.append("/llms.txt has links but no H2 sections")
    return problems


@rule(id="ACC004", name="Main text needs JavaScript to appear", pillar="ACCESS", scope="page",
      severity="critical", engines=ALL,
      why="Most answer-engine crawlers do not run JavaScript. A page whose text only appears "
          "after scripts run is an empty page to them.",
      fix="Render the main content on the server (SSR or static generation) so it is in the "
          "HTML response.",
      before='<div id="root"></div><script src="/app.js"></script>',
      after='<div id="root"><h1>Pricing</h1><p>Plans start at...</p></div><script src="/app.js"></script>',
      references=("https://developers.google.com/search/docs/crawling-indexing/javascript/javascript-seo-basics",),
      examples=(
          Example("app shell", True, page={"word_count": 12, "app_shell": True}),
          Example("server-rendered", False, page={"word_count": 900, "app_shell": False}),
      ))
def acc004(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if page.word_count < gov["min_raw_text_words"] and page.app_shell:
        return failed(Hit(evidence=f"{page.word_count} words of visible text in the raw HTML; "
                                   f"empty mount node and {page.script_count} script(s)",
                          detail="The page's text only appears after JavaScript runs, which most "
                                 "answer-engine crawlers never do."))
    return PASSED


@rule(id="ACC005", name="Content page opts out of indexing or snippets", pillar="ACCESS",
      scope="page", severity="high", engines=ALL,
      why="noindex removes a page from search (and so from AI Overviews and most answer "
          "engines); nosnippet, max-snippet:0 and data-nosnippet forbid quoting it, which is "
          "what an answer engine does.",
      fix="Remove the directive from the meta robots tag or the X-Robots-Tag header (and the "
          "data-nosnippet attribute around the main content).",
      before='<meta name="robots" content="noindex, nofollow">',
      after='<meta name="robots" content="index, follow">',
      references=("https://developers.google.com/search/docs/crawling-indexing/robots-meta-tag",),
      examples=(
          Example("noindex", True, page={"robots_directives": ("noindex", "follow")}),
          Example("max-snippet:0 header", True, page={"robots_directives": ("max-snippet:0",)}),
          Example("main text in data-nosnippet", True, page={"main_in_nosnippet": True}),
          Example("indexable", False, page={"robots_directives": ("index", "follow")}),
      ))
def acc005(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    found = [d for d in page.robots_directives if d.replace(" ", "") in BLOCKING_DIRECTIVES]
    if found:   # one finding per page: a directive outranks data-nosnippet
        return failed(Hit(evidence=f"robots directives: {', '.join(page.robots_directives)}",
                          detail=f"The page says {', '.join(found)}, so engines may not index or "
                                 "quote it."))
    if page.main_in_nosnippet:
        return failed(Hit(evidence="main content inside an element with data-nosnippet",
                          detail="The main content is marked data-nosnippet, so it cannot be quoted "
                                 "in answers."))
    return PASSED


@rule(id="ACC006", name="No XML sitemap", pillar="ACCESS", scope="site", severity="medium",
      engines=("google", "copilot", "chatgpt", "perplexity"),
      why="A sitemap tells crawlers which pages exist and when they changed; without one, deep "
          "or new pages are found late or never.",
      fix="Publish /sitemap.xml listing every indexable page and name it in robots.txt.",
      before="(no sitemap; robots.txt has no Sitemap: line)",
      after="Sitemap: https://acme.example/sitemap.xml",
      references=("https://www.sitemaps.org/protocol.html",),
      examples=(
          Example("none found", True, site={"sitemaps_found": ()}),
          Example("found", False, site={"sitemaps_found": ("https://example.com/sitemap.xml",)}),
      ))
def acc006(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    if site.sitemaps_found:
        return PASSED
    tried = shortlist(site.sitemaps_tried, 5) if site.sitemaps_tried else \
        "robots.txt Sitemap: lines, /sitemap.xml or /sitemap_index.xml"
    return failed(Hit(evidence=f"no XML sitemap at {tried}",
                      detail="No XML sitemap was found, so crawlers must discover every page by links.",
                      url=site.root.rstrip("/") + "/sitemap.xml", page_type="other"))


def indexable(page) -> bool:
    if any(d in ("noindex", "none") for d in page.robots_directives):
        return False
    return not page.canonicals or page.url in page.canonicals


@rule(id="ACC007", name="Indexable content page missing from the sitemap", pillar="ACCESS",
      scope="page", severity="low", engines=("google", "copilot", "chatgpt", "perplexity"),
      why="Pages left out of the sitemap are crawled later and less often, so answers quote "
          "stale versions or miss them.",
      fix="Add the page to the XML sitemap (most CMSs do this when the page is published and "
          "indexable).",
      before="<urlset><url><loc>https://acme.example/</loc></url></urlset>",
      after="<urlset>...<url><loc>https://acme.example/pricing</loc></url></urlset>",
      references=("https://www.sitemaps.org/protocol.html",),
      examples=(
          Example("not listed", True, page={"url": "https://example.com/a", "canonicals": ()},
                  site={"sitemaps_found": ("https://example.com/sitemap.xml",),
                        "sitemap_urls": frozenset({"https://example.com/"})}),
          Example("listed", False, page={"url": "https://example.com/a", "canonicals": ()},
                  site={"sitemaps_found": ("https://example.com/sitemap.xml",),
                        "sitemap_urls": frozenset({"https://example.com/a"})}),
          Example("a sitemap cut at its limit says nothing of missing pages", None,
                  page={"url": "https://example.com/a", "canonicals": ()},
                  site={"sitemaps_found": ("https://example.com/sitemap.xml",),
                        "sitemap_urls": frozenset({"https://example.com/"}),
                        "sitemaps_complete": False}),
      ))
def acc007(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not site.sitemaps_found or not site.sitemaps_complete or not indexable(page):
        return NOT_APPLICABLE   # a sitemap not read whole cannot say a page is missing from it
    if page.url in site.sitemap_urls:
        return PASSED
    return failed(Hit(evidence=f"not listed in {shortlist(site.sitemaps_found, 2)}",
                      detail="This indexable page is not in the XML sitemap."))


def _final_status(url: str, site) -> int | None:
    seen = set()
    while url in site.redirects and url not in seen:
        seen.add(url)
        url = site.redirects[url]
    return site.status_by_url.get(url, -1)


@rule(id="ACC008", name="Canonical link missing or wrong", pillar="ACCESS", scope="page",
      severity="medium", engines=("google", "copilot", "chatgpt", "perplexity"),
      why="The canonical link tells engines which URL to index and cite. Missing, it leaves "
          "them to guess among duplicates; pointing elsewhere or at a dead URL, it asks them to "
          "drop this page.",
      fix="Give each page one rel=canonical to its own clean URL (or to the true original of a "
          "duplicate), answering 200.",
      before='<link rel="canonical" href="https://acme.example/old-pricing">',
      after='<link rel="canonical" href="https://acme.example/pricing">',
      references=("https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls",),
      examples=(
          Example("missing", True, page={"canonicals": ()}),
          Example("points to a 404", True, page={"url": "https://example.com/a",
                                                 "canonicals": ("https://example.com/b",)},
                  site={"status_by_url": {"https://example.com/b": 404}}),
          Example("self", False, page={"url": "https://example.com/a",
                                       "canonicals": ("https://example.com/a",)}),
      ))
def acc008(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    # the canonicals engines honour, in <head>: one inside <body> is ignored (ACC114's)
    canon = [c for c in dict.fromkeys(page.canonicals) if c not in page.body_canonicals]
    if not canon:
        return failed(Hit(evidence="no <link rel=canonical> in <head>" + (
                              " (the one inside <body> is ignored by engines)"
                              if page.body_canonicals else ""),
                          detail="The page has no canonical link."))
    if len(canon) > 1:
        return failed(Hit(evidence=f"{len(canon)} different canonicals: {shortlist(canon)}",
                          detail="The page declares more than one canonical URL; engines ignore all."))
    target = canon[0]
    if target == page.url:
        return PASSED
    if not target.startswith(("http://", "https://")):
        return failed(Hit(evidence=f"canonical {target!r} is not an http(s) URL",
                          detail="The canonical link is not a usable URL."))
    status = _final_status(target, site)
    if status == -1:
        return failed(Hit(evidence=f"canonical → {target} (not part of the crawled site)",
                          detail="The canonical points to another URL, so engines index that one "
                                 "instead of this page."))
    if status != 200:
        return failed(Hit(evidence=f"canonical → {target} answers "
                                   f"{'HTTP ' + str(status) if status else 'nothing'}",
                          detail="The canonical points to a URL that does not answer 200."))
    if site.main_hash_by_url.get(target) == page.main_text_hash and page.main_text_hash:
        return PASSED   # a duplicate pointing at its original: that is what canonicals are for
    return failed(Hit(evidence=f"canonical → {target}, a page with different content",
                      detail="The canonical points to a different page, so engines drop this one."))


@rule(id="ACC009", name="Internal link to a broken page", pillar="ACCESS", scope="page",
      severity="high", engines=ALL,
      why="Broken internal links waste crawl budget, cut the paths crawlers use to find "
          "content, and signal neglect.",
      fix="Point the links at the live page, or redirect the dead URL to its replacement.",
      before='<a href="/blog/old-post">', after='<a href="/blog/new-post">',
      references=("https://developers.google.com/search/docs/crawling-indexing/http-network-errors",),
      examples=(
          Example("link to a 404", True, pages=({"url": "https://example.com/a", "links": (
              Link("https://example.com/gone"),)},),
              site={"status_by_url": {"https://example.com/gone": 404},
                    "inlinks": {"https://example.com/gone": ("https://example.com/a",)}}),
          Example("all links live", False, pages=({"url": "https://example.com/a", "links": (
              Link("https://example.com/b"),)},),
              site={"status_by_url": {"https://example.com/b": 200},
                    "inlinks": {"https://example.com/b": ("https://example.com/a",)}}),
      ))
def acc009(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    hits = []
    judged = 0
    for target, sources in sorted(site.inlinks.items()):
        if target not in site.status_by_url:
            continue
        judged += 1
        status = _final_status(target, site)
        if status is not None and status >= 400:
            n = site.inlink_counts.get(target, len(sources))
            more = f" and {n - 3} more" if n > 3 else ""
            hits.append(Hit(evidence=f"HTTP {status}; linked from "
                                     f"{', '.join(list(sources)[:3])}{more}",
                            detail=f"{n} page(s) link to this URL, which answers "
                                   f"HTTP {status}.", url=target, urls=tuple(sources),
                            page_type="other"))
    return over(judged, hits) if judged else NOT_APPLICABLE


def _blocked(p: Probe, browser: Probe) -> bool:
    if p.status in (401, 403, 429):
        return True
    return p.challenge and not browser.challenge


@rule(id="ACC010", name="Answer-engine crawler blocked at the server or CDN", pillar="ACCESS",
      scope="site", severity="critical", engines=SEARCH_ENGINES,
      why="A firewall or CDN rule that refuses answer-engine user agents blocks them as surely "
          "as robots.txt, but invisibly: robots.txt looks open while the bots get 403s or "
          "challenge pages.",
      fix="Allow the verified answer-engine crawlers in the CDN or firewall bot rules (most CDNs "
          "have a 'verified bots' list).",
      before="OAI-SearchBot → 403 Forbidden (browser → 200)",
      after="OAI-SearchBot → 200 OK",
      references=("https://platform.openai.com/docs/bots",),
      examples=(
          Example("403 for a bot", True, site={
              "browser_probe": Probe("browser", 200, False),
              "bot_probes": (Probe("PerplexityBot", 403, False),)}),
          Example("same answer", False, site={
              "browser_probe": Probe("browser", 200, False),
              "bot_probes": (Probe("PerplexityBot", 200, False),)}),
      ))
def acc010(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    browser = site.browser_probe
    if browser is None or browser.status != 200 or not site.bot_probes:
        return NOT_APPLICABLE
    required = {t.lower() for t in gov["required_bots"]}
    bad = [p for p in site.bot_probes if p.token.lower() in required and _blocked(p, browser)]
    if not bad:
        return PASSED
    ev = "; ".join(f"{p.token} → {'HTTP ' + str(p.status) if p.status else p.error}"
                   f"{' (challenge page)' if p.challenge else ''}" for p in bad)
    engines = sorted({e for p in bad for e in bot(p.token).engines})
    return failed(Hit(evidence=f"{ev}; browser → HTTP 200",
                      detail=f"The home page answers {', '.join(p.token for p in bad)} differently "
                             f"from a browser, cutting off {', '.join(engines) or 'those engines'}.",
                      url=site.root, page_type="home"))
