"""ACCESS: can answer engines reach and read the site? ACC001 to ACC010 of RULES.md, plus the
crawl-health rules (ACC1xx) that report what the crawl itself ran into."""

from __future__ import annotations

from urllib.parse import urlsplit

from aeo.crawler.bots import bot
from aeo.facts.records import PAGE_TYPES, BotAccess, Link, Probe
from aeo.rules.base import Example, Hit, Judged, rule

ALL = ("all",)
SEARCH_ENGINES = ("chatgpt", "perplexity", "claude")
BLOCKING_DIRECTIVES = frozenset({"noindex", "nosnippet", "none", "max-snippet:0"})  # no spaces


def _bot_evidence(b: BotAccess) -> str:
    line = f"line {b.line.line_no}: {b.line.text}" if b.line else "no matching rule line"
    n = len(b.blocked_urls)
    return (f"{b.token} ({b.operator}, {b.purpose}) blocked on {n} URL{'s' * (n != 1)} "
            f"by group '{b.group}', {line}")


def _short(urls, n: int = 3) -> str:
    urls = list(urls)
    more = f" and {len(urls) - n} more" if len(urls) > n else ""
    return ", ".join(urls[:n]) + more


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
def acc001(site, pages, gov):
    required = {t.lower() for t in gov["required_bots"]}
    blocked = [b for b in site.bots if b.token.lower() in required and b.blocked_urls]
    if not blocked:
        return []
    urls = tuple(dict.fromkeys(u for b in blocked for u in b.blocked_urls))
    return [Hit(evidence="; ".join(_bot_evidence(b) for b in blocked),
                detail=f"robots.txt keeps {', '.join(b.token for b in blocked)} away from "
                       f"{len(urls)} page(s), so those engines cannot cite them.",
                url=site.root.rstrip("/") + "/robots.txt", urls=urls, page_type="other")]


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
def acc002(site, pages, gov):
    required = {t.lower() for t in gov["required_bots"]}
    watched = {t.lower() for t in gov["watched_bots"]} - required
    blocked = [b for b in site.bots if b.token.lower() in watched and b.blocked_urls]
    if not blocked:
        return []
    urls = tuple(dict.fromkeys(u for b in blocked for u in b.blocked_urls))
    return [Hit(evidence="; ".join(_bot_evidence(b) for b in blocked),
                detail=f"robots.txt blocks {', '.join(b.token for b in blocked)}; this is "
                       "informational: decide whether that is intended.",
                url=site.root.rstrip("/") + "/robots.txt", urls=urls, page_type="other")]


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
          Example("missing", True, site={"llms_status": 404,
                                         "llms_problems": ("/llms.txt is missing (HTTP 404)",)}),
          Example("well formed", False, site={"llms_status": 200, "llms_problems": ()}),
      ))
def acc003(site, pages, gov):
    if not site.llms_problems:
        return []
    return [Hit(evidence="; ".join(site.llms_problems),
                detail="llms.txt is missing or malformed; it can help ChatGPT, Perplexity and "
                       "Claude tools find key pages (Google Search ignores it).",
                url=site.root.rstrip("/") + "/llms.txt", page_type="other")]


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
def acc004(page, site, gov):
    if page.word_count < gov["min_raw_text_words"] and page.app_shell:
        return [Hit(evidence=f"{page.word_count} words of visible text in the raw HTML; "
                             f"empty mount node and {page.script_count} script(s)",
                    detail="The page's text only appears after JavaScript runs, which most "
                           "answer-engine crawlers never do.")]
    return []


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
def acc005(page, site, gov):
    found = [d for d in page.robots_directives if d.replace(" ", "") in BLOCKING_DIRECTIVES]
    if found:   # one finding per page: a directive outranks data-nosnippet
        return [Hit(evidence=f"robots directives: {', '.join(page.robots_directives)}",
                    detail=f"The page says {', '.join(found)}, so engines may not index or "
                           "quote it.")]
    if page.main_in_nosnippet:
        return [Hit(evidence="main content inside an element with data-nosnippet",
                    detail="The main content is marked data-nosnippet, so it cannot be quoted "
                           "in answers.")]
    return []


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
def acc006(site, pages, gov):
    if site.sitemaps_found:
        return []
    tried = _short(site.sitemaps_tried, 5) if site.sitemaps_tried else \
        "robots.txt Sitemap: lines, /sitemap.xml or /sitemap_index.xml"
    return [Hit(evidence=f"no XML sitemap at {tried}",
                detail="No XML sitemap was found, so crawlers must discover every page by links.",
                url=site.root.rstrip("/") + "/sitemap.xml", page_type="other")]


def _indexable(page) -> bool:
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
def acc007(page, site, gov):
    if not site.sitemaps_found or not site.sitemaps_complete or not _indexable(page):
        return None   # a sitemap not read whole cannot say a page is missing from it
    if page.url in site.sitemap_urls:
        return []
    return [Hit(evidence=f"not listed in {_short(site.sitemaps_found, 2)}",
                detail="This indexable page is not in the XML sitemap.")]


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
def acc008(page, site, gov):
    # the canonicals engines honour, in <head>: one inside <body> is ignored (ACC114's)
    canon = [c for c in dict.fromkeys(page.canonicals) if c not in page.body_canonicals]
    if not canon:
        return [Hit(evidence="no <link rel=canonical> in <head>" + (
                        " (the one inside <body> is ignored by engines)"
                        if page.body_canonicals else ""),
                    detail="The page has no canonical link.")]
    if len(canon) > 1:
        return [Hit(evidence=f"{len(canon)} different canonicals: {_short(canon)}",
                    detail="The page declares more than one canonical URL; engines ignore all.")]
    target = canon[0]
    if target == page.url:
        return []
    if not target.startswith(("http://", "https://")):
        return [Hit(evidence=f"canonical {target!r} is not an http(s) URL",
                    detail="The canonical link is not a usable URL.")]
    status = _final_status(target, site)
    if status == -1:
        return [Hit(evidence=f"canonical → {target} (not part of the crawled site)",
                    detail="The canonical points to another URL, so engines index that one "
                           "instead of this page.")]
    if status != 200:
        return [Hit(evidence=f"canonical → {target} answers "
                             f"{'HTTP ' + str(status) if status else 'nothing'}",
                    detail="The canonical points to a URL that does not answer 200.")]
    if site.main_hash_by_url.get(target) == page.main_text_hash and page.main_text_hash:
        return []   # a duplicate pointing at its original: that is what canonicals are for
    return [Hit(evidence=f"canonical → {target}, a page with different content",
                detail="The canonical points to a different page, so engines drop this one.")]


@rule(id="ACC009", name="Internal link to a broken page", pillar="ACCESS", scope="page",
      severity="high", engines=ALL, site_level=True,
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
def acc009(site, pages, gov):
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
    return Judged(judged, hits) if judged else None


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
def acc010(site, pages, gov):
    browser = site.browser_probe
    if browser is None or browser.status != 200 or not site.bot_probes:
        return None
    required = {t.lower() for t in gov["required_bots"]}
    bad = [p for p in site.bot_probes if p.token.lower() in required and _blocked(p, browser)]
    if not bad:
        return []
    ev = "; ".join(f"{p.token} → {'HTTP ' + str(p.status) if p.status else p.error}"
                   f"{' (challenge page)' if p.challenge else ''}" for p in bad)
    engines = sorted({e for p in bad for e in bot(p.token).engines})
    return [Hit(evidence=f"{ev}; browser → HTTP 200",
                detail=f"The home page answers {', '.join(p.token for p in bad)} differently "
                       f"from a browser, cutting off {', '.join(engines) or 'those engines'}.",
                url=site.root, page_type="home")]


# -- crawl health (beyond RULES.md) -------------------------------------------------------------
def _events(site, *kinds: str) -> list[dict]:
    return [e for e in site.crawl_events if e["kind"] in kinds]


@rule(id="ACC101", name="robots.txt missing or unreadable", pillar="ACCESS", scope="site",
      severity="low", engines=ALL,
      why="Without a readable robots.txt, every crawler decides on its own; a malformed one "
          "may be read differently by each engine.",
      fix="Serve a plain-text /robots.txt (text/plain, under 500 KiB) that states your policy.",
      before="/robots.txt → 404 (or an HTML page)", after="User-agent: *\nAllow: /",
      references=("https://www.rfc-editor.org/rfc/rfc9309",),
      examples=(
          Example("absent", True, site={"robots_problems": ("no robots.txt (HTTP 404)",)}),
          Example("fine", False, site={"robots_problems": ()}),
      ))
def acc101(site, pages, gov):
    if not site.robots_problems:
        return []
    return [Hit(evidence="; ".join(site.robots_problems),
                detail="robots.txt is missing or not readable as robots.txt.",
                url=site.root.rstrip("/") + "/robots.txt", page_type="other")]


@rule(id="ACC102", name="Redirect loop or chain too long", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL, site_level=True,
      why="Crawlers give up on loops and long chains; the content behind them is never fetched.",
      fix="Redirect each old URL straight to its final destination in one hop.",
      before="/a → /b → /a", after="/a → /c (200)",
      references=("https://developers.google.com/search/docs/crawling-indexing/301-redirects",),
      examples=(
          Example("loop", True, site={"crawl_events": ({"kind": "redirect_loop", "url": "https://example.com/a",
                                                        "chain": ["https://example.com/a", "https://example.com/b", "https://example.com/a"]},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc102(site, pages, gov):
    hits = []
    for e in _events(site, "redirect_loop", "redirect_too_long", "redirect_no_location"):
        if e["kind"] == "redirect_no_location":
            hits.append(Hit(evidence=f"HTTP {e.get('status')} without a Location header",
                            detail="A redirect that names no target.", url=e["url"]))
            continue
        chain = e.get("chain", [])
        what = "redirect loop" if e["kind"] == "redirect_loop" else \
            f"redirect chain too long ({len(chain) - 1} hops)"
        hits.append(Hit(evidence=f"{what}: {' → '.join(chain[:12])}"
                                 f"{' → …' if len(chain) > 12 else ''}",
                        detail=f"A {what}: crawlers never reach content through it.",
                        url=e["url"], urls=tuple(chain[:50])))
    judged = max(len(site.redirects), len(hits))
    return Judged(judged, hits) if judged else None


@rule(id="ACC103", name="Page could not be fetched", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL, site_level=True,
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
def acc103(site, pages, gov):
    hits = [Hit(evidence=why, url=url,
                detail="The page could not be read to its end." if why.startswith("cut_short")
                else "The page could not be fetched completely.")
            for url, why in sorted(site.fetch_errors.items())]
    for e in _events(site, "rate_limited"):
        hits.append(Hit(evidence=f"HTTP 429/503 with Retry-After {e.get('retry_after')} s",
                        detail="The server rate-limited the crawler; the page was not read.",
                        url=e["url"]))
    return Judged(max(len(site.status_by_url), len(hits)), hits) if site.status_by_url else None


@rule(id="ACC104", name="Malformed link", pillar="ACCESS", scope="page", severity="low",
      engines=ALL, site_level=True,
      why="A link whose URL cannot be parsed leads nowhere for crawlers and readers alike.",
      fix="Correct the href (a typo in the host, a space, a bad port or percent-escape).",
      before='<a href="http://exa mple.com/">', after='<a href="https://example.com/">',
      references=("https://url.spec.whatwg.org/",),
      examples=(
          Example("bad href", True, site={"crawl_events": ({"kind": "invalid_link", "url": "https://example.com/",
                                                            "href": "http://[::1", "problem": "Invalid IPv6 URL"},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc104(site, pages, gov):
    by_page: dict[str, list[str]] = {}
    for e in _events(site, "invalid_link"):
        by_page.setdefault(e["url"], []).append(f"{e.get('href')!r} ({e.get('problem')})")
    hits = [Hit(evidence="; ".join(v[:5]) + (f" and {len(v) - 5} more" if len(v) > 5 else ""),
                detail=f"{len(v)} link(s) on this page cannot be followed.", url=url)
            for url, v in by_page.items()]
    return Judged(max(len(pages), len(hits)), hits) if (pages or hits) else None


@rule(id="ACC105", name="Redirect leaves the site or uses another scheme", pillar="ACCESS",
      scope="page", severity="low", engines=ALL, site_level=True,
      why="A redirect off the site or to a non-web scheme hands the crawler to someone else's "
          "content (or to nothing); the audit does not follow it.",
      fix="Redirect to the page's new home on this site, or link to the external URL directly.",
      before="/docs → 302 → https://other.example/docs", after='<a href="https://other.example/docs">',
      references=("https://developers.google.com/search/docs/crawling-indexing/301-redirects",),
      examples=(
          Example("off-site", True, site={"crawl_events": ({"kind": "redirect_offsite", "url": "https://example.com/x",
                                                            "target": "http://10.0.0.1/", "reason": "another host"},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc105(site, pages, gov):
    hits = [Hit(evidence=f"redirects to {e.get('target')} ({e.get('reason')}); not followed",
                detail="The URL redirects outside the audited site.", url=e["url"])
            for e in _events(site, "redirect_offsite")]
    total = len(site.redirects) + len(hits)
    return Judged(total, hits) if total else None


@rule(id="ACC106", name="Pages robots.txt keeps every crawler away from", pillar="ACCESS",
      scope="site", severity="low", engines=ALL,
      why="URLs the site links to but robots.txt disallows for all crawlers are invisible to "
          "answer engines; make sure none of them is content you want cited.",
      fix="Allow the paths that hold public content; keep Disallow for private areas only.",
      before="User-agent: *\nDisallow: /resources/", after="User-agent: *\nDisallow: /admin/",
      references=("https://www.rfc-editor.org/rfc/rfc9309",),
      examples=(
          Example("linked but blocked", True, site={"crawl_events": ({"kind": "robots_blocked",
                                                                      "url": "https://example.com/private/a"},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc106(site, pages, gov):
    urls = tuple(dict.fromkeys(e["url"] for e in _events(site, "robots_blocked")))
    if not urls:
        return []
    return [Hit(evidence=f"{len(urls)} linked URL(s) disallowed for our crawler: {_short(urls)}",
                detail="robots.txt keeps crawlers away from these linked URLs; the audit could "
                       "not read them either.", urls=urls, page_type="other")]


@rule(id="ACC107", name="XML sitemap unreadable", pillar="ACCESS", scope="site",
      severity="medium", engines=("google", "copilot", "chatgpt", "perplexity"),
      why="A sitemap that cannot be read (broken XML, a corrupt or oversized gzip) is no "
          "sitemap at all to a crawler.",
      fix="Serve valid sitemap XML (gzip optional, under 50 MB uncompressed and 50,000 URLs per "
          "file); split large sitemaps under a sitemap index.",
      before="/sitemap.xml.gz → truncated gzip", after="/sitemap.xml → <urlset>…</urlset>",
      references=("https://www.sitemaps.org/protocol.html",),
      examples=(
          Example("broken", True, site={"crawl_events": ({"kind": "sitemap_problem", "url": "https://example.com/sitemap.xml",
                                                          "problem": "not an XML sitemap"},)}),
          Example("fine", False, site={"crawl_events": ()}),
      ))
def acc107(site, pages, gov):
    problems = _events(site, "sitemap_problem")
    if not problems:
        return []
    return [Hit(evidence="; ".join(f"{e['url']}: {e.get('problem')}" for e in problems[:5]),
                detail="A sitemap could not be read.", url=problems[0]["url"],
                urls=tuple(e["url"] for e in problems), page_type="other")]


@rule(id="ACC108", name="Internal links carry session IDs or tracking parameters",
      pillar="ACCESS", scope="site", severity="low", engines=ALL,
      why="A session id or utm_ parameter in an internal link makes every visit a new URL: "
          "crawlers fetch the same page many times under different addresses, split its "
          "signals, and may cite an address that expires. The audit counts each page once.",
      fix="Link to the clean URL; keep sessions in cookies and campaign tags on external "
          "campaigns only.",
      before='<a href="/pricing?utm_source=nav&PHPSESSID=8f2c...">',
      after='<a href="/pricing">',
      references=("https://developers.google.com/search/docs/crawling-indexing/url-structure",),
      examples=(
          Example("session ids", True, pages=({"alias_links": {
              "session": ["/a;jsessionid=ABC"]}},)),
          Example("clean links", False, pages=({"alias_links": {}},)),
      ))
def acc108(site, pages, gov):
    hit_pages, session, tracking = [], [], []
    for p in pages:   # a stream: keep what the finding needs, not the pages
        if p.alias_links:
            hit_pages.append(p.url)
            session += p.alias_links.get("session", [])
            tracking += p.alias_links.get("tracking", [])
    if not hit_pages:
        return []
    parts = []
    if session:
        parts.append("session ids: " + _short(dict.fromkeys(session)))
    if tracking:
        parts.append("tracking parameters: " + _short(dict.fromkeys(tracking)))
    return [Hit(evidence="; ".join(parts) + f" (on {len(hit_pages)} page(s); each counted "
                         "once under its clean URL)",
                detail="Internal links carry " + " and ".join(
                    k for k, v in (("session ids", session), ("tracking parameters", tracking))
                    if v) + ".", urls=tuple(hit_pages), page_type="other")]


@rule(id="ACC109", name="Content type does not match the content", pillar="ACCESS",
      scope="page", severity="medium", engines=ALL,
      page_types=PAGE_TYPES,
      why="Crawlers trust the Content-Type header. An HTML page served as "
          "application/octet-stream may be skipped as a download; a PDF or an empty body "
          "served as text/html is an error page to them.",
      fix="Serve pages as text/html; charset=utf-8, files with their own type, and never an "
          "empty 200.",
      before="Content-Type: application/octet-stream  (an HTML page)",
      after="Content-Type: text/html; charset=utf-8",
      references=("https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Type",),
      examples=(
          Example("HTML as octet-stream", True, page={
              "content_problem": "an HTML page served as application/octet-stream"}),
          Example("fine", False, page={"content_problem": ""}),
      ))
def acc109(page, site, gov):
    if not page.content_problem:
        return []
    return [Hit(evidence=f"{page.content_problem} (Content-Type: {page.content_type or 'none'})",
                detail="The declared content type does not match what the server sent.")]


@rule(id="ACC110", name="Declared charset does not match the bytes", pillar="ACCESS",
      scope="page", severity="medium", engines=ALL,
      page_types=PAGE_TYPES,
      why="A page whose bytes are not in the charset it declares turns into mojibake "
          "('CafÃ©', 'Caf�') for every crawler that believes the declaration: names, prices "
          "and quotes are then misread or dropped.",
      fix="Save the page in UTF-8 and declare charset=utf-8 in both the Content-Type header "
          "and <meta charset>.",
      before="Content-Type: text/html; charset=utf-8  (the file is windows-1252)",
      after="Content-Type: text/html; charset=utf-8  (the file is UTF-8)",
      references=("https://www.w3.org/International/questions/qa-html-encoding-declarations",),
      examples=(
          Example("cp1252 bytes declared utf-8", True, page={
              "charset_problem": "declared utf-8 but byte b'\\xe9' at offset 3 is not utf-8"}),
          Example("consistent", False, page={"charset_problem": ""}),
      ))
def acc110(page, site, gov):
    if not page.charset_problem:
        return []
    return [Hit(evidence=page.charset_problem,
                detail="The page's bytes are not in the charset it declares.")]


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
              {"kind": "crawl_trap", "url": "https://example.com/cal?m=60",
               "pattern": "/cal?*", "trap": "endless parameter", "truncated": 120},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc111(site, pages, gov):
    traps = _events(site, "crawl_trap")
    if not traps:
        return []
    return [Hit(evidence="; ".join(f"{e.get('trap')}: {e.get('pattern')} ({e.get('truncated')} "
                                   f"URLs not crawled), e.g. {e['url']}" for e in traps[:5]),
                detail=f"{len(traps)} crawl trap(s) were cut short so the real pages could be "
                       "crawled.", url=site.root, urls=tuple(e["url"] for e in traps),
                page_type="other")]


@rule(id="ACC112", name="Meta refresh instead of a redirect", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL, site_level=True,
      page_types=PAGE_TYPES,
      why="A meta refresh is a redirect only some crawlers follow, and a slow one, a loop, an "
          "unsafe target or a malformed tag leaves them on a page that says nothing. An HTTP "
          "301 says the same thing to every crawler.",
      fix="Replace the meta refresh with an HTTP 301 redirect to the final URL.",
      before='<meta http-equiv="refresh" content="0;url=/new-page">',
      after="HTTP/1.1 301 Moved Permanently\nLocation: /new-page",
      references=("https://developers.google.com/search/docs/crawling-indexing/301-redirects",),
      examples=(
          Example("refresh loop", True, pages=(
              {"url": "https://example.com/a", "refresh": {
                  "content": "0;url=/b", "delay": 0.0, "target": "https://example.com/b",
                  "problem": ""}},
              {"url": "https://example.com/b", "refresh": {
                  "content": "0;url=/a", "delay": 0.0, "target": "https://example.com/a",
                  "problem": ""}})),
          Example("no refresh", False, pages=({"url": "https://example.com/a"},)),
      ))
def acc112(site, pages, gov):
    refreshes = [(p.url, p.refresh) for p in pages
                 if p.refresh and p.status and 200 <= p.status < 300]
    judged = sum(1 for p in pages if p.status and 200 <= p.status < 300)
    targets = {p.url: p.refresh.get("target") for p in pages if p.refresh}
    hits = []
    for url, r in refreshes:
        loop, seen, at = False, [url], r.get("target")
        for _ in range(10):
            if not at:
                break
            if at in seen:
                loop = at == url or at in seen
                break
            seen.append(at)
            at = targets.get(at)
        if r.get("problem") == "malformed":
            why = f"malformed refresh content {r['content']!r}"
        elif r.get("problem"):
            why = f"{r['problem']}; not followed"
        elif loop:
            why = "refresh loop: " + " → ".join(seen + [seen[0]])
        elif r.get("delay") is not None and r["delay"] > 5:
            why = (f"{r['delay']:.0f} s delay before going to {r.get('target') or 'itself'}; "
                   "too slow to count as a redirect, not followed")
        elif r.get("target"):
            why = f"meta refresh to {r['target']} after {r['delay']:.0f} s"
        else:
            continue   # a page that only reloads itself
        hits.append(Hit(evidence=why, detail="The page redirects with a meta refresh.",
                        url=url))
    return Judged(judged, hits)


@rule(id="ACC113", name="Soft 404s", pillar="ACCESS", scope="site", severity="medium",
      engines=ALL,
      why="A missing page that answers 200, or an old URL sent to the home page, tells crawlers "
          "the page exists: they keep and may cite a 'page not found' template, and the real "
          "answer's signals are diluted.",
      fix="Answer 404 (or 410) for pages that do not exist, and 301 old URLs to their real "
          "successor, not to the home page.",
      before="GET /no-such-page → 200 'Page not found'",
      after="GET /no-such-page → 404 'Page not found'",
      references=("https://developers.google.com/search/docs/crawling-indexing/http-network-errors",),
      examples=(
          Example("catch-all 200", True, site={"missing_page": {
              "url": "https://example.com/aeo-audit-missing-1", "status": 200,
              "title": "Not found", "main_text_hash": "abc", "words": 9}},
                  pages=({"url": "https://example.com/gone", "main_text_hash": "abc",
                          "title": "Not found"},)),
          Example("a real 404", False, site={"missing_page": {
              "url": "https://example.com/aeo-audit-missing-1", "status": 404}},
                  pages=({"url": "https://example.com/a"},)),
      ))
def acc113(site, pages, gov):
    probe = site.missing_page
    soft: list[str] = []
    why = []
    if probe and probe.get("status") and 200 <= probe["status"] < 300:
        why.append(f"catch-all 200: a made-up URL ({probe['url']}) answers HTTP "
                   f"{probe['status']} '{(probe.get('title') or '')[:60]}'")
        for p in pages:
            if p.url == probe["url"] or not p.status or not 200 <= p.status < 300:
                continue
            same_text = probe.get("main_text_hash") and p.main_text_hash == probe[
                "main_text_hash"]
            same_title = probe.get("title") and p.title == probe["title"] and \
                p.main_word_count <= max(50, 2 * (probe.get("words") or 0))
            if same_text or same_title:
                soft.append(p.url)
    root = site.root.rstrip("/")
    home_redirects = [u for u, final in site.redirects.items()
                      if final.rstrip("/") == root and u.rstrip("/") != root
                      and urlsplit(u).path not in ("", "/", "/index.html")]
    if home_redirects:
        why.append(f"{len(home_redirects)} old URL(s) redirect to the home page")
    soft += home_redirects
    if not soft and not why:
        return Judged(1 if probe else 0, [])
    if not soft and not home_redirects:
        return Judged(1, [Hit(evidence=why[0] + "; no crawled page matched it",
                              detail="Unknown URLs answer 200 instead of 404.",
                              url=probe["url"], page_type="other")])
    return Judged(1, [Hit(evidence="; ".join(why) + f"; soft 404s: {_short(soft)}",
                          detail=f"{len(soft)} URL(s) are soft 404s.",
                          url=soft[0], urls=tuple(dict.fromkeys(soft)), page_type="other")])


@rule(id="ACC114", name="Canonical link anomalies", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL, site_level=True,
      page_types=PAGE_TYPES,
      why="A canonical link tells engines which URL to index and cite. Two that disagree, one "
          "in <body>, one that is not a web URL, or two pages naming each other leave engines "
          "to guess, and they may pick neither.",
      fix="Give each page one <link rel=canonical> in <head>, with the absolute http(s) URL of "
          "the page to index, and make that page canonical to itself.",
      before='<link rel="canonical" href="/a"> ... <link rel="canonical" href="/b">',
      after='<link rel="canonical" href="https://example.com/a">',
      references=("https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls",),
      examples=(
          Example("canonical cycle", True, pages=(
              {"url": "https://example.com/a", "canonicals": ("https://example.com/b",)},
              {"url": "https://example.com/b", "canonicals": ("https://example.com/a",)})),
          Example("two tags", True, pages=({"url": "https://example.com/a", "canonical_issues": (
              "2 canonical links disagree: https://example.com/a, https://example.com/b",)},)),
          Example("self canonical", False, pages=(
              {"url": "https://example.com/a", "canonicals": ("https://example.com/a",)},)),
      ))
def acc114(site, pages, gov):
    target = {p.url: p.canonicals[0] for p in pages if p.canonicals}
    judged = 0
    hits = []
    for p in pages:   # a stream: judged one at a time
        if not (p.status and 200 <= p.status < 300 and (p.canonicals or p.canonical_issues)):
            continue
        judged += 1
        issues = list(p.canonical_issues)
        other = target.get(p.url)
        if other and other != p.url and target.get(other) == p.url:
            issues.append(f"canonical cycle: {p.url} → {other} → {p.url}")
        if issues:
            hits.append(Hit(evidence="; ".join(issues),
                            detail="The page's canonical link is ambiguous or ignored.",
                            url=p.url))
    return Judged(judged, hits)
