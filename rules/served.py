"""ACCESS: what the pages answer with (ACC108 to ACC110, ACC112 to ACC114): internal links
that carry session ids or tracking parameters, a content type or a charset that does not
match the bytes, a meta refresh standing in for a redirect, soft 404s, and canonical tags
engines ignore or cannot follow. Each reads what the analysis recorded of one page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aeo.facts.records import (
    HTML_TYPES,
    PAGE_TYPES,
    REFRESH_REDIRECT_S,
    Body,
    CanonicalTag,
    MissingPage,
    PageFacts,
    Refresh,
    SiteFacts,
)
from aeo.governance import Governance
from aeo.rules.access import ALL, shortlist
from aeo.rules.base import PASSED, Example, Hit, Pages, Verdict, failed, over, rule


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
                loop = True
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
          Example("catch-all 200", True, site={"missing_page": MissingPage(
              "https://example.com/aeo-audit-missing-1", 200, "Not found", "abc", 9)},
                  pages=({"url": "https://example.com/gone", "main_text_hash": "abc",
                          "title": "Not found"},)),
          Example("a real 404", False, site={"missing_page": MissingPage(
              "https://example.com/aeo-audit-missing-1", 404)},
                  pages=({"url": "https://example.com/a"},)),
      ))
def acc113(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    probe = site.missing_page
    soft: list[str] = []
    why = []
    if probe and probe.status and 200 <= probe.status < 300:
        why.append(f"catch-all 200: a made-up URL ({probe.url}) answers HTTP "
                   f"{probe.status} '{probe.title[:60]}'")
        for p in pages:
            if p.url == probe.url or not p.status or not 200 <= p.status < 300:
                continue
            same_text = probe.main_text_hash and p.main_text_hash == probe.main_text_hash
            same_title = probe.title and p.title == probe.title and \
                p.main_word_count <= max(50, 2 * probe.words)
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
                            url=probe.url, page_type="other")])
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
