"""How much of the site a run covered, and, when it covered much less than the site's links or
sitemap announce, why and which option fixes it.

A run with a coverage warning is never presented as a complete audit: the report and
findings.json say so at the top and the command exits 4, like a crawl stopped by a limit.
Notes are for what the reader should know but that does not make the audit partial (a few
links to a variant the --connect-to mapping leaves out, a sitemap index cut at its limit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aeo.crawler.scope import Scope, normalize_url, split_url
from aeo.facts.events import CrawlEvent
from aeo.pageset import origin

ORPHANS_LISTED = 200          # orphan URLs named in findings.json and the report (all counted)
SIBLING_SHARE = 0.1           # pages named on the site's other origin, against pages analysed
MIN_SHORTFALL = 5             # URLs left out before any warning: a small site is not warned
UNREAD_SHOWN = 5              # unread sitemaps named in the coverage warning (100 in the events)


@dataclass
class Coverage:
    pages_analyzed: int = 0
    known_urls: int = 0           # URLs of the site seen: fetched, linked, in the sitemaps
    sitemap_urls: int = 0         # distinct URLs the sitemaps list, on any host
    sitemap_urls_crawled: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_fetched: dict[str, int] = field(default_factory=dict)   # why known URLs were not
    orphans: int = 0              # in the sitemap, answered 200, linked from no crawled page
    orphan_urls: list[str] = field(default_factory=list)
    orphan_set: frozenset = frozenset()      # all of them (pages.csv), not in to_dict

    def to_dict(self) -> dict:
        return {"pages_analyzed": self.pages_analyzed, "known_urls": self.known_urls,
                "sitemap_urls": self.sitemap_urls,
                "sitemap_urls_crawled": self.sitemap_urls_crawled,
                "warnings": list(self.warnings), "notes": list(self.notes),
                "not_fetched": dict(self.not_fetched), "orphans": self.orphans,
                "orphan_urls": list(self.orphan_urls)}


def _events(site, kind: str) -> list[CrawlEvent]:
    return [e for e in site.crawl_events if e.kind == kind]


def _port_of(url: str) -> int:
    scheme, _, port = split_url(url)
    return port or (443 if scheme == "https" else 80)


def measure(scope: Scope, survey, site, manifest: dict) -> Coverage:
    """The run's coverage from what the report stage already holds: survey (aeo.pageset),
    site facts (sitemap URLs, crawl events) and the run manifest (limits, settings)."""
    settings = manifest.get("settings") or {}
    fetched = set(survey.rows)
    linked = set(survey.inlinks)
    in_sitemap = set(site.sitemap_urls)
    sitemap_here = {u for u in in_sitemap if scope.contains(u)}
    known = fetched | linked | sitemap_here
    c = Coverage(pages_analyzed=survey.analyzed, known_urls=len(known),
                 sitemap_urls=len(in_sitemap), sitemap_urls_crawled=len(in_sitemap & fetched))

    blocked = {e.url for e in _events(site, "robots_blocked")}
    unmapped = {e.url for e in _events(site, "not_mapped")}
    trapped = sum(e.truncated for e in _events(site, "crawl_trap"))
    left = known - fetched
    reasons = {"robots.txt": len(left & blocked), "not_mapped": len(left & unmapped),
               "crawl_trap": trapped}
    limits = set(manifest.get("limits") or [])
    # trapped URLs are claimed, not stored one by one: they are among the rest
    other = max(0, len(left - blocked - unmapped) - trapped)
    if "page_limit" in limits:
        reasons["page_limit"] = other
    elif "depth_limit" in limits:
        reasons["depth_limit"] = other
    elif other:
        reasons["other"] = other
    c.not_fetched = {k: v for k, v in reasons.items() if v}

    reached = _reached(linked, site.redirects, survey.refresh_targets)
    start = normalize_url(manifest.get("start_url") or scope.root)
    orphans = sorted(u for u in in_sitemap & fetched
                     if survey.rows[u].status == 200 and u not in reached
                     and u not in (start, scope.root))
    c.orphans, c.orphan_urls = len(orphans), orphans[:ORPHANS_LISTED]
    c.orphan_set = frozenset(orphans)

    root = scope.root
    _sibling(c, scope, survey, site, fetched, settings)
    _sitemap_shortfall(c, scope, site, in_sitemap, sitemap_here, fetched, limits, settings)
    if "page_limit" in limits:
        c.warnings.append(
            f"The crawl stopped at its page budget (--max-pages "
            f"{settings.get('max_pages', '?')}) with {reasons.get('page_limit', 0)} more URLs "
            f"of the site known and not fetched: raise --max-pages to audit them.")
    if "depth_limit" in limits:
        c.warnings.append(
            f"{reasons.get('depth_limit', 0) or 'Some'} URLs lay more than --max-depth "
            f"{settings.get('max_depth', '?')} links from {root} and were not fetched: raise "
            "--max-depth to audit them.")
    if unmapped:
        _unmapped(c, unmapped, known, settings)
    unread = [e.url for e in _events(site, "sitemap_unread")]
    for e in _events(site, "sitemap_limit"):
        if e.sitemaps_skipped:
            shown = unread[:UNREAD_SHOWN]
            named = ", ".join(shown) + (f" and {e.sitemaps_skipped - len(shown):,} more"
                                        if e.sitemaps_skipped > len(shown) else "")
            c.warnings.append(
                f"The sitemap indexes list {e.sitemaps_skipped:,} more sitemaps than the "
                f"{e.sitemaps_read} the crawl reads; their URLs were not read"
                + (f": {named}." if unread else "."))
        if e.urls_skipped:
            c.notes.append(f"{e.urls_skipped:,} sitemap entries were not read: past "
                           f"{e.urls_per_file or 50000:,} in one sitemap (the protocol's "
                           f"limit) or {e.urls_in_all or 200000:,} in all.")
    if c.orphans:
        c.notes.append(f"{c.orphans} page(s) in the sitemap are linked from no crawled page "
                       "(orphans): crawlers that follow links never find them.")
    return c


def _reached(linked: set[str], redirects: dict[str, str], refreshes: dict[str, str]
             ) -> set[str]:
    """The URLs links lead to: the linked URLs and where their redirects and quick meta
    refreshes end."""
    reached = set(linked)
    for url in linked:
        seen = {url}
        while True:
            nxt = redirects.get(url) or refreshes.get(url)
            if not nxt:
                break
            try:
                nxt = normalize_url(nxt)
            except ValueError:
                break
            if nxt in seen:
                break
            seen.add(nxt)
            reached.add(nxt)
            url = nxt
    return reached


def _copy_command(target: str, scope: Scope) -> str:
    """How to audit the local copy under target's name (target: 'scheme://host[:port]')."""
    parts = urlsplit(target)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    here = scope.port or (443 if scope.scheme == "https" else 80)
    tls = ""
    if parts.scheme == "https" and scope.scheme == "http":
        tls = " (the copy must then answer HTTPS on that port; any certificate will do)"
    return (f"aeo audit {target}/ --connect-to {_bracketed(parts.hostname or '')}:{port}:"
            f"{_bracketed(scope.host)}:{here}" + tls)


def _bracketed(host: str) -> str:
    host = host.strip("[]")
    return f"[{host}]" if ":" in host else host


def _uncovered(targets: set[str], fetched: set[str]) -> list[str]:
    """The targets (URLs on another origin) whose page the crawl did not fetch here: neither
    the same path nor the same last path segment (a copy may live under another folder)."""
    paths, lasts = set(), set()
    for url in fetched:
        path = urlsplit(url).path
        paths.add(path)
        last = [x for x in path.split("/") if x]
        if last and last[-1] not in GENERIC_SEGMENTS:
            lasts.add(last[-1])
    out = []
    for url in targets:
        path = urlsplit(url).path
        last = [x for x in path.split("/") if x]
        if path in paths or (last and last[-1] in lasts):
            continue
        out.append(url)
    return out


GENERIC_SEGMENTS = {"index.html", "index.htm", "index", "overview", "home", "about",
                    "contact", "blog", "news", "docs", "en"}


def _site_origins(scope: Scope, survey, site, pages: int) -> list[str]:
    """Other origins that are this site's own name: most pages name it as their canonical,
    most sitemap entries sit there, or it is the audited host on another port. Most linked first. (A few canonicals to another origin are
    syndicated posts, not a copy.)"""
    found = {o for o, n in survey.canonical_origins.items() if n >= 0.5 * max(1, pages)}
    listed: dict[str, int] = {}
    for u in site.sitemap_urls:
        listed[origin(u)] = listed.get(origin(u), 0) + 1
    found |= {o for o, n in listed.items() if n >= 0.5 * len(site.sitemap_urls)}
    found |= {o for o in survey.external_links if urlsplit(o).hostname in scope.hosts}
    # the site's own variants (scheme, www twin) are the audited site, not another name
    found = {o for o in found if o and not scope.contains(o + "/")}
    return sorted(found, key=lambda o: -survey.external_links.get(o, 0))


def _sibling(c: Coverage, scope: Scope, survey, site, fetched: set[str],
             settings: dict) -> None:
    """The links name pages on another origin that is this site's own name, and the crawl
    never fetched them here: a copy served under another name than the one its links use.
    Canonicals alone pointing there make a note: the pages were crawled, but canonical,
    sitemap and link findings judge them against the other name."""
    for top in _site_origins(scope, survey, site, c.pages_analyzed):
        host = urlsplit(top).hostname or ""
        if settings.get("connect_to"):
            fix = f"add --connect-to for {_bracketed(host)}:{_port_of(top + '/')}"
        else:
            fix = ("if this is a copy of that site, audit it under its real name: "
                   + _copy_command(top, scope))
        missing = _uncovered(survey.external_targets.get(top, set()), fetched)
        canonical_there = survey.canonical_origins.get(top, 0)
        if len(missing) >= max(MIN_SHORTFALL, SIBLING_SHARE * c.pages_analyzed):
            c.warnings.append(
                f"The crawled pages link to {len(missing)} pages on {top} that were never "
                f"fetched, against {c.pages_analyzed} pages analysed on the audited "
                f"{scope.root}"
                + (f"; {canonical_there} page(s) name {top} as their canonical"
                   if canonical_there else "") + f": {fix}.")
            return
        if canonical_there >= 0.5 * max(1, c.pages_analyzed):
            c.notes.append(
                f"{canonical_there} of the {c.pages_analyzed} pages name {top} as their "
                f"canonical, not the audited {scope.root}: canonical, sitemap and link "
                f"findings judge them against that name; {fix}.")
            return


def _sitemap_shortfall(c: Coverage, scope: Scope, site, in_sitemap: set, here: set,
                       fetched: set, limits: set, settings: dict) -> None:
    """Most of what the sitemaps list was never fetched, and far fewer pages were."""
    missing = len(in_sitemap) - c.sitemap_urls_crawled
    if missing < MIN_SHORTFALL or c.sitemap_urls_crawled >= 0.5 * len(in_sitemap) or \
            c.pages_analyzed >= 0.5 * len(in_sitemap):
        return
    elsewhere = in_sitemap - here
    if len(elsewhere) > missing / 2:
        origins: dict[str, int] = {}
        for u in elsewhere:
            origins[origin(u)] = origins.get(origin(u), 0) + 1
        top = max(origins, key=origins.get)
        fix = ("if this is a copy of that site, audit it under its real name: "
               + _copy_command(top, scope))
        why = f"{len(elsewhere)} of them are on {top}, not on the audited {scope.root}"
    elif "page_limit" in limits:
        why, fix = "the page budget ran out first", "raise --max-pages"
    else:
        why = "the crawl did not reach them"
        fix = "check robots.txt, the --connect-to mapping and the crawl's errors in the report"
    c.warnings.append(f"The sitemaps list {len(in_sitemap)} URLs and only "
                      f"{c.sitemap_urls_crawled} were crawled: {why}; {fix}.")


def _unmapped(c: Coverage, unmapped: set, known: set, settings: dict) -> None:
    by_origin: dict[str, int] = {}
    for u in unmapped:
        by_origin[origin(u)] = by_origin.get(origin(u), 0) + 1
    parts = ", ".join(f"{n} on {o}" for o, n in sorted(by_origin.items(), key=lambda x: -x[1]))
    first = max(by_origin, key=by_origin.get)
    text = (f"{len(unmapped)} URLs of the site were not fetched because --connect-to does not "
            f"map their host and port ({parts}): add --connect-to "
            f"{_bracketed(urlsplit(first).hostname or '')}:{_port_of(first + '/')}:ADDR:PORT "
            "to follow them.")
    if len(unmapped) >= MIN_SHORTFALL and len(unmapped) > 0.1 * len(known):
        c.warnings.append(text)
    else:
        c.notes.append(text)
