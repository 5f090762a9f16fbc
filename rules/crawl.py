"""ACCESS: what the crawl itself ran into (ACC101 to ACC114): robots.txt and sitemaps that
cannot be read, redirect loops and chains, pages cut short or refused, malformed and
off-site links, aliases, mislabelled content, charsets, crawl traps, refreshes, soft 404s and
canonical anomalies. Each reads the crawl's events or one page's recorded facts.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aeo.facts.records import (
    HTML_TYPES,
    PAGE_TYPES,
    REFRESH_REDIRECT_S,
    Body,
    CanonicalTag,
    PageFacts,
    Refresh,
    SiteFacts,
)
from aeo.governance import Governance
from aeo.rules.access import ALL, shortlist
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Pages, Verdict, failed, over, rule


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
def acc101(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    if not site.robots_problems:
        return PASSED
    return failed(Hit(evidence="; ".join(site.robots_problems),
                      detail="robots.txt is missing or not readable as robots.txt.",
                      url=site.root.rstrip("/") + "/robots.txt", page_type="other"))


@rule(id="ACC102", name="Redirect loop or chain too long", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL,
      why="Crawlers give up on loops and long chains; the content behind them is never fetched.",
      fix="Redirect each old URL straight to its final destination in one hop.",
      before="/a → /b → /a", after="/a → /c (200)",
      references=("https://developers.google.com/search/docs/crawling-indexing/301-redirects",),
      examples=(
          Example("loop", True, site={"crawl_events": ({"kind": "redirect_loop", "url": "https://example.com/a",
                                                        "chain": ["https://example.com/a", "https://example.com/b", "https://example.com/a"]},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc102(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
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
        hits.append(Hit(evidence=f"HTTP 429/503 with Retry-After {e.get('retry_after')} s",
                        detail="The server rate-limited the crawler; the page was not read.",
                        url=e["url"]))
    return over(max(len(site.status_by_url), len(hits)), hits) if site.status_by_url else NOT_APPLICABLE


@rule(id="ACC104", name="Malformed link", pillar="ACCESS", scope="page", severity="low",
      engines=ALL,
      why="A link whose URL cannot be parsed leads nowhere for crawlers and readers alike.",
      fix="Correct the href (a typo in the host, a space, a bad port or percent-escape).",
      before='<a href="http://exa mple.com/">', after='<a href="https://example.com/">',
      references=("https://url.spec.whatwg.org/",),
      examples=(
          Example("bad href", True, site={"crawl_events": ({"kind": "invalid_link", "url": "https://example.com/",
                                                            "href": "http://[::1", "problem": "Invalid IPv6 URL"},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc104(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    by_page: dict[str, list[str]] = {}
    for e in _events(site, "invalid_link"):
        by_page.setdefault(e["url"], []).append(f"{e.get('href')!r} ({e.get('problem')})")
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
          Example("off-site", True, site={"crawl_events": ({"kind": "redirect_offsite", "url": "https://example.com/x",
                                                            "target": "http://10.0.0.1/", "reason": "another host"},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc105(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    hits = [Hit(evidence=f"redirects to {e.get('target')} ({e.get('reason')}); not followed",
                detail="The URL redirects outside the audited site.", url=e["url"])
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
          Example("linked but blocked", True, site={"crawl_events": ({"kind": "robots_blocked",
                                                                      "url": "https://example.com/private/a"},)}),
          Example("none", False, site={"crawl_events": ()}),
      ))
def acc106(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    urls = tuple(dict.fromkeys(e["url"] for e in _events(site, "robots_blocked")))
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
          Example("broken", True, site={"crawl_events": ({"kind": "sitemap_problem", "url": "https://example.com/sitemap.xml",
                                                          "problem": "not an XML sitemap"},)}),
          Example("fine", False, site={"crawl_events": ()}),
      ))
def acc107(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    problems = _events(site, "sitemap_problem")
    if not problems:
        return PASSED
    return failed(Hit(evidence="; ".join(f"{e['url']}: {e.get('problem')}" for e in problems[:5]),
                      detail="A sitemap could not be read.", url=problems[0]["url"],
                      urls=tuple(e["url"] for e in problems), page_type="other"))


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
def acc108(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    hit_pages, session, tracking = [], [], []
    for p in pages:   # a stream: keep what the finding needs, not the pages
        if p.alias_links:
            hit_pages.append(p.url)
            session += p.alias_links.get("session", [])
            tracking += p.alias_links.get("tracking", [])
    if not hit_pages:
        return PASSED
    parts = []
    if session:
        parts.append("session ids: " + shortlist(dict.fromkeys(session)))
    if tracking:
        parts.append("tracking parameters: " + shortlist(dict.fromkeys(tracking)))
    return failed(Hit(evidence="; ".join(parts) + f" (on {len(hit_pages)} page(s); each counted "
                               "once under its clean URL)",
                      detail="Internal links carry " + " and ".join(
                          k for k, v in (("session ids", session), ("tracking parameters", tracking))
                          if v) + ".", urls=tuple(hit_pages), page_type="other"))


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
          Example("HTML as octet-stream", True, page={"body": Body(
              declared_type="application/octet-stream", looks_html=True)}),
          Example("a PDF as text/html", True, page={"body": Body(
              declared_type="text/html", signature="PDF")}),
          Example("fine", False, page={"body": Body(declared_type="text/html",
                                                    looks_html=True)}),
      ))
def acc109(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    problem = content_problem(page)
    if not problem:
        return PASSED
    return failed(Hit(evidence=f"{problem} (Content-Type: {page.content_type or 'none'})",
                      detail="The declared content type does not match what the server sent."))


def content_problem(page: PageFacts) -> str:
    """What is wrong between the declared content type and the bytes ('' when nothing)."""
    b = page.body
    if page.status == 204:
        return ""
    declared = b.declared_type
    if declared in HTML_TYPES:
        if b.empty:
            return "an empty body served as text/html"
        if b.signature:
            return f"{b.signature} bytes served as {declared}"
        if b.binary:
            return f"binary bytes served as {declared}"
    elif b.looks_html:
        return f"an HTML page served as {declared or 'no content type'}"
    return ""


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
          Example("cp1252 bytes declared utf-8", True, page={"body": Body(
              charset="utf-8", bad_byte="b'\\xe9'", bad_offset=3)}),
          Example("an unknown charset", True, page={"body": Body(
              charset="foobar", charset_known=False)}),
          Example("consistent", False, page={"body": Body(charset="utf-8")}),
      ))
def acc110(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    problem = charset_problem(page.body)
    if not problem:
        return PASSED
    return failed(Hit(evidence=problem,
                      detail="The page's bytes are not in the charset it declares."))


def charset_problem(b: Body) -> str:
    """'' when the bytes read cleanly in the declared charset; else what is wrong (T29)."""
    if not b.charset:
        return ""
    if not b.charset_known:
        return f"unknown charset {b.charset!r} declared"
    if b.bad_offset >= 0:
        return (f"declared {b.charset} but byte {b.bad_byte} at offset {b.bad_offset} is not "
                f"{b.charset}")
    if b.utf8_in_single_byte:
        return f"declared {b.charset} but the bytes are UTF-8"
    return ""


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
def acc111(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    traps = _events(site, "crawl_trap")
    if not traps:
        return PASSED
    return failed(Hit(evidence="; ".join(f"{e.get('trap')}: {e.get('pattern')} ({e.get('truncated')} "
                                         f"URLs not crawled), e.g. {e['url']}" for e in traps[:5]),
                      detail=f"{len(traps)} crawl trap(s) were cut short so the real pages could be "
                             "crawled.", url=site.root, urls=tuple(e["url"] for e in traps),
                      page_type="other"))


@rule(id="ACC112", name="Meta refresh instead of a redirect", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL,
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
              {"url": "https://example.com/a",
               "refresh": Refresh(True, "0;url=/b", 0.0, "https://example.com/b")},
              {"url": "https://example.com/b",
               "refresh": Refresh(True, "0;url=/a", 0.0, "https://example.com/a")})),
          Example("malformed", True, pages=(
              {"url": "https://example.com/a", "refresh": Refresh(True, "soon")},)),
          Example("no refresh", False, pages=({"url": "https://example.com/a"},)),
      ))
def acc112(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    refreshes = [(p.url, p.refresh) for p in pages
                 if p.refresh and p.status and 200 <= p.status < 300]
    judged = sum(1 for p in pages if p.status and 200 <= p.status < 300)
    targets = {p.url: p.refresh.target for p in pages if p.refresh}
    hits = []
    for url, r in refreshes:
        loop, seen, at = False, [url], r.target
        for _ in range(10):
            if not at:
                break
            if at in seen:
                loop = at == url or at in seen
                break
            seen.append(at)
            at = targets.get(at)
        if r.delay is None:
            why = f"malformed refresh content {r.content!r}"
        elif r.bad_target:
            why = f"unsafe or invalid target {r.bad_target!r}; not followed"
        elif loop:
            why = "refresh loop: " + " → ".join(seen + [seen[0]])
        elif r.delay > REFRESH_REDIRECT_S:
            why = (f"{r.delay:.0f} s delay before going to {r.target or 'itself'}; "
                   "too slow to count as a redirect, not followed")
        elif r.target:
            why = f"meta refresh to {r.target} after {r.delay:.0f} s"
        else:
            continue   # a page that only reloads itself
        hits.append(Hit(evidence=why, detail="The page redirects with a meta refresh.",
                        url=url))
    return over(judged, hits)


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
def acc113(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
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
        return over(1 if probe else 0, [])
    if not soft and not home_redirects:
        return over(1, [Hit(evidence=why[0] + "; no crawled page matched it",
                            detail="Unknown URLs answer 200 instead of 404.",
                            url=probe["url"], page_type="other")])
    return over(1, [Hit(evidence="; ".join(why) + f"; soft 404s: {shortlist(soft)}",
                        detail=f"{len(soft)} URL(s) are soft 404s.",
                        url=soft[0], urls=tuple(dict.fromkeys(soft)), page_type="other")])


@rule(id="ACC114", name="Canonical link anomalies", pillar="ACCESS", scope="page",
      severity="medium", engines=ALL,
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
          Example("two tags", True, pages=({"url": "https://example.com/a", "canonicals": (
              "https://example.com/a", "https://example.com/b"), "canonical_tags": (
              CanonicalTag("/a"), CanonicalTag("/b"))},)),
          Example("in the body", True, pages=({"url": "https://example.com/a", "canonicals": (
              "https://example.com/a",), "canonical_tags": (
              CanonicalTag("/a", in_body=True),)},)),
          Example("self canonical", False, pages=(
              {"url": "https://example.com/a", "canonicals": ("https://example.com/a",)},)),
      ))
def acc114(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    target = {p.url: p.canonicals[0] for p in pages if p.canonicals}
    judged = 0
    hits = []
    for p in pages:   # a stream: judged one at a time
        if not (p.status and 200 <= p.status < 300 and p.canonicals):
            continue
        judged += 1
        issues = canonical_issues(p)
        other = target.get(p.url)
        if other and other != p.url and target.get(other) == p.url:
            issues.append(f"canonical cycle: {p.url} → {other} → {p.url}")
        if issues:
            hits.append(Hit(evidence="; ".join(issues),
                            detail="The page's canonical link is ambiguous or ignored.",
                            url=p.url))
    return over(judged, hits)


def canonical_issues(p: PageFacts) -> list[str]:
    """What is wrong with a page's canonical tags as written: one inside <body>, one that is
    not an http(s) URL, several that disagree."""
    issues = []
    for tag in p.canonical_tags:
        if tag.in_body:
            issues.append(f"a canonical link inside <body> ({tag.href[:80]}): "
                          "search engines ignore it there")
        if not tag.web:
            issues.append(f"canonical is not an http(s) URL: {tag.href[:80]!r}")
    if len(set(p.canonicals)) > 1:
        issues.append(f"{len(p.canonicals)} canonical links disagree: "
                      + ", ".join(c[:80] for c in dict.fromkeys(p.canonicals)))
    return issues
