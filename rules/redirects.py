"""ACCESS: links and sitemap entries that do not lead straight to the page (ACC115, ACC116)."""

from __future__ import annotations

from urllib.parse import urlsplit

from aeo.facts.records import Link, SiteFacts
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Pages, Verdict, failed, over, rule

CRAWLERS = ("google", "copilot", "chatgpt", "perplexity")
MAX_HOPS = 10
LISTED = 500      # affected URLs a site finding lists (every one is counted)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _twins(a: str, b: str) -> bool:
    return a != b and (a == f"www.{b}" or b == f"www.{a}")


TEMPORARY = (302, 303, 307)


def follow(url: str, site) -> tuple[list[str], bool]:
    """The hops from url to where its redirects and quick meta refreshes end ([url] when it
    answers directly), and whether a meta refresh was among them."""
    hops, refreshed = [url], False
    while len(hops) <= MAX_HOPS:
        nxt = site.redirects.get(hops[-1])
        if nxt is None and hops[-1] in site.refreshes:
            nxt, refreshed = site.refreshes[hops[-1]], True
        if nxt is None or nxt in hops:
            break
        hops.append(nxt)
    return hops, refreshed


def redirect_kinds(start: str, end: str, refreshed: bool = False) -> list[str]:
    """What changes between a URL and where its redirects end, in a person's words."""
    a, b = urlsplit(start), urlsplit(end)
    kinds = []
    if a.scheme != b.scheme:
        kinds.append(f"{a.scheme} to {b.scheme}")
    if a.hostname != b.hostname:
        if _twins(a.hostname or "", b.hostname or ""):
            kinds.append("bare host to www" if (b.hostname or "").startswith("www.")
                         else "www to bare host")
        else:
            kinds.append("another host")
    if a.path != b.path or a.query != b.query:
        if a.path.rstrip("/") == b.path.rstrip("/") and a.query == b.query:
            kinds.append("trailing slash added" if b.path.endswith("/")
                         else "trailing slash removed")
        else:
            kinds.append("old path")
    if refreshed:
        kinds.append("meta refresh")
    return kinds or ["redirect"]


@rule(id="ACC115", name="Internal links go through redirects", pillar="ACCESS", scope="page",
      severity="low", engines=CRAWLERS,
      title="Internal links point at URLs that redirect",
      why="Every internal link that lands on a redirect costs crawlers a second request, and "
          "the link passes its signal to a URL that is not the page. Answer engines that fetch "
          "pages live (ChatGPT-User, Claude-User, Perplexity-User) follow fewer hops and time "
          "out sooner than search crawlers; a site-wide navigation link to a redirect repeats "
          "the cost on every page.",
      fix="Link to the final URL: the form with the trailing slash, https and the host the "
          "site answers on. One fix in the navigation template fixes every page that shares it.",
      before='<a href="http://acme.example/pricing">  (→ 301 https://www.acme.example/pricing/)',
      after='<a href="https://www.acme.example/pricing/">',
      references=("https://developers.google.com/search/docs/crawling-indexing/301-redirects",
                  "https://developers.google.com/search/docs/crawling-indexing/links-crawlable"),
      examples=(
          Example("navigation link without its slash", True, pages=(
              {"url": "https://example.com/", "links": (Link("https://example.com/about"),)},),
              site={"redirects": {"https://example.com/about": "https://example.com/about/"},
                    "status_by_url": {"https://example.com/about": 301,
                                      "https://example.com/about/": 200},
                    "inlinks": {"https://example.com/about": ("https://example.com/",)}}),
          Example("link to the final URL", False, pages=(
              {"url": "https://example.com/", "links": (Link("https://example.com/about/"),)},),
              site={"status_by_url": {"https://example.com/about/": 200},
                    "inlinks": {"https://example.com/about/": ("https://example.com/",)}}),
          Example("a temporary redirect to another path (a login, a language)", False, pages=(
              {"url": "https://example.com/", "links": (Link("https://example.com/account"),)},),
              site={"redirects": {"https://example.com/account": "https://example.com/login"},
                    "status_by_url": {"https://example.com/account": 302,
                                      "https://example.com/login": 200},
                    "inlinks": {"https://example.com/account": ("https://example.com/",)}}),
          Example("redirect to a broken page (ACC009's finding)", False, pages=(
              {"url": "https://example.com/", "links": (Link("https://example.com/old"),)},),
              site={"redirects": {"https://example.com/old": "https://example.com/gone"},
                    "status_by_url": {"https://example.com/old": 301,
                                      "https://example.com/gone": 404},
                    "inlinks": {"https://example.com/old": ("https://example.com/",)}}),
      ))
def acc115(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    """One finding per link target that redirects (its url is the link as written, its urls the
    pages that carry it), so a navigation link on every page is one fix. Chains that end in an
    error are ACC009's; chains that leave the site or were not followed are not judged."""
    hits, judged = [], 0
    for target in sorted(site.inlinks):
        if target not in site.status_by_url:
            continue                      # never fetched: nothing to judge
        judged += 1
        hops, refreshed = follow(target, site)
        if len(hops) < 2 or site.status_by_url.get(hops[-1]) != 200:
            continue
        kinds = redirect_kinds(target, hops[-1], refreshed)
        if "old path" in kinds and any(site.status_by_url.get(h) in TEMPORARY
                                       for h in hops[:-1]):
            continue   # /account → 302 /login, / → 302 /en/: a decision made per visit
        sources = site.inlinks[target]
        n = site.inlink_counts.get(target, len(sources))
        shown = sources[:3]
        more = f" and {n - len(shown)} more" if n > len(shown) else ""
        how = ", ".join(kinds)
        via = f" in {len(hops) - 1} hops" if len(hops) > 2 else ""
        hits.append(Hit(
            evidence=f"link {target} → {hops[-1]} ({how}{via}); on "
                     f"{', '.join(shown)}{more}",
            detail=f"{n} page(s) link to a URL that redirects ({how}) instead of the page "
                   "itself.", url=target, urls=tuple(sources), page_type="other"))
    return over(judged, hits) if judged else NOT_APPLICABLE


@rule(id="ACC116", name="Sitemap lists URLs that are not the final, canonical page",
      pillar="ACCESS", scope="site", severity="medium", engines=CRAWLERS,
      why="A sitemap is a promise: 'these are my pages, crawl these'. Entries that redirect, "
          "fail, name another URL as canonical or sit on another host or scheme waste the "
          "crawl budget the sitemap should direct, and engines learn to trust the file less.",
      fix="List only the final URL of each indexable page (the one that answers 200 and is "
          "its own canonical), on the host and scheme the site answers on. Regenerate the "
          "sitemap from the CMS rather than by hand.",
      before="<loc>http://acme.example/pricing</loc>  (→ 301, canonical /pricing/)",
      after="<loc>https://www.acme.example/pricing/</loc>",
      references=("https://www.sitemaps.org/protocol.html",
                  "https://developers.google.com/search/docs/crawling-indexing/sitemaps/build-sitemap"),
      examples=(
          Example("entries that redirect and fail", True, pages=(
              {"url": "https://example.com/a/", "canonicals": ("https://example.com/a/",)},),
              site={"sitemap_urls": frozenset({"https://example.com/a", "https://example.com/b",
                                               "https://example.com/a/"}),
                    "sitemaps_found": ("https://example.com/sitemap.xml",),
                    "redirects": {"https://example.com/a": "https://example.com/a/"},
                    "status_by_url": {"https://example.com/a": 301, "https://example.com/a/": 200,
                                      "https://example.com/b": 404}}),
          Example("a canonical that redirects back to the listed page", False, pages=(
              {"url": "https://example.com/a/", "canonicals": ("https://example.com/a",)},),
              site={"sitemap_urls": frozenset({"https://example.com/a/"}),
                    "redirects": {"https://example.com/a": "https://example.com/a/"},
                    "status_by_url": {"https://example.com/a/": 200,
                                      "https://example.com/a": 301}}),
          Example("every entry final and canonical", False, pages=(
              {"url": "https://example.com/a/", "canonicals": ("https://example.com/a/",)},),
              site={"sitemap_urls": frozenset({"https://example.com/a/"}),
                    "sitemaps_found": ("https://example.com/sitemap.xml",),
                    "status_by_url": {"https://example.com/a/": 200}}),
          Example("a site in a folder whose host root redirects elsewhere", False, pages=(
              {"url": "https://example.com/ai/", "canonicals": ("https://example.com/ai/",)},),
              site={"start_url": "https://example.com/ai/",
                    "sitemap_urls": frozenset({"https://example.com/ai/"}),
                    "redirects": {"https://example.com/": "https://corp.example/"},
                    "status_by_url": {"https://example.com/": 301,
                                      "https://example.com/ai/": 200}}),
          Example("no sitemap (ACC006's finding)", None, site={"sitemap_urls": frozenset()}),
      ))
def acc116(site: SiteFacts, pages: Pages, gov: Governance) -> Verdict:
    if not site.sitemap_urls:
        return NOT_APPLICABLE
    start = site.start_url or site.root
    home, _ = follow(start, site)
    # the origin the start URL ends on (not one off the site, which was never fetched)
    site_origin = _origin(home[-1] if home[-1] in site.status_by_url else start)
    kinds: dict[str, list[str]] = {"redirect": [], "fail": [], "not canonical": [],
                                   "another host or scheme": []}
    examples: dict[str, list[str]] = {k: [] for k in kinds}
    fetched_ok = set()
    for url in sorted(site.sitemap_urls):
        if _origin(url) != site_origin:
            kinds["another host or scheme"].append(url)
            continue
        status = site.status_by_url.get(url, -1)
        if status == -1 and url not in site.fetch_errors:
            continue                       # not crawled (a budget): not judged
        if status is not None and 300 <= status < 400:
            hops, _ = follow(url, site)
            kinds["redirect"].append(url)
            examples["redirect"].append(f"{url} → {hops[-1]}")
        elif status is None or status >= 400:
            kinds["fail"].append(url)
            examples["fail"].append(f"{url} ({'HTTP ' + str(status) if status else 'no answer'})")
        else:
            fetched_ok.add(url)
    for p in pages:   # a stream: only the pages the sitemap lists are read closely
        if p.url not in fetched_ok or not p.canonicals or p.url in p.canonicals:
            continue
        if follow(p.canonicals[0], site)[0][-1] == p.url:
            continue      # a canonical that redirects back here: the entry is the page
        kinds["not canonical"].append(p.url)
        examples["not canonical"].append(f"{p.url} names {p.canonicals[0]}")
    bad = {k: v for k, v in kinds.items() if v}
    if not bad:
        return PASSED
    parts = []
    for kind, urls in bad.items():
        shown = examples[kind][:2] or urls[:2]
        parts.append(f"{len(urls)} {kind} (e.g. {'; '.join(shown)})")
    affected = [u for urls in bad.values() for u in urls]
    sitemap = site.sitemaps_found[0] if site.sitemaps_found else site.root
    return failed(Hit(evidence=f"of {len(site.sitemap_urls)} sitemap URLs: " + ", ".join(parts),
                      detail=f"{len(affected)} of the {len(site.sitemap_urls)} URLs in the sitemap "
                             "are not final, canonical pages of this site.",
                      url=sitemap, urls=tuple(affected[:LISTED]), page_type="other"))
