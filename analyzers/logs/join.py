"""A reading of the logs kept with its run (logs.json), and joined with the crawl: each path a
crawler asked for mapped to the crawled page it names (the site's scheme and host, the URL's
key form, a trailing slash aside), hits on other sites of the same log left out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from aeo.analyzers.logs.reader import OTHER_PATHS, Reading, Tally
from aeo.analyzers.logs.verify import active
from aeo.crawler.bots import bot as bot_entry
from aeo.crawler.scope import Scope, normalize_url
from aeo.durable import atomic_write
from aeo.facts.logs import PURPOSES, BotHits, LogFacts, iso

LOGS_FILE = "logs.json"


FORMAT = 2      # the shape of logs.json; another shape is read as no logs (read them again)


def save(reading: Reading, folder: Path) -> Path:
    t = reading.tally
    data = {"format": FORMAT, "files": reading.files, "formats": reading.formats,
            "warnings": reading.warnings, "lines": t.lines, "skipped": t.skipped,
            "first": t.first, "last": t.last, "covered": sorted(t.covered),
            "hits": [[*k, n, a, b, {str(s): c for s, c in st.items()}, last]
                     for k, (n, a, b, st, last) in t.hits.items()],
            "days": [[*k, n] for k, n in t.days.items()],
            "spoofers": t.spoofers}
    path = Path(folder) / LOGS_FILE
    atomic_write(path, json.dumps(data, ensure_ascii=False))
    return path


def load(folder: Path) -> Reading | None:
    """The reading kept with a run, or None when the run has none (or it is unreadable)."""
    path = Path(folder) / LOGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        t = Tally(lines=data["lines"], skipped=data["skipped"], first=data["first"],
                  last=data["last"], covered=set(data["covered"]),
                  hits={tuple(h[:4]): [h[4], h[5], h[6], {int(s): c for s, c in h[7].items()},
                                       h[8]] for h in data["hits"]},
                  days={tuple(d[:4]): d[4] for d in data["days"]},
                  spoofers=data.get("spoofers", {}))
        return Reading(files=data["files"], tally=t, formats=data.get("formats", {}),
                       warnings=data.get("warnings", []))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def log_facts(reading: Reading, root: str | None = None,
              crawled: Callable[[str], bool] | None = None) -> LogFacts:
    """The reading as facts. root: the audited site's root URL (its hosts are kept, other
    hosts of the same log left out, paths made absolute); crawled: is a URL one the crawl
    found (None: no crawl to join with)."""
    t = reading.tally
    hosts = Scope.from_url(root).hosts if root else None   # the host and its www twin
    base = root.rstrip("/") if root else ""
    rows, other = [], 0
    for (token, verdict, host, target), (n, first, last, statuses, last_status) in \
            t.hits.items():
        if target.startswith(("http://", "https://")):     # a proxy's absolute form
            host = (urlsplit(target).hostname or host or "").lower()
        if hosts is not None and host and host not in hosts:
            other += n
            continue
        url, page = _url(target, host, base, crawled)
        entry = bot_entry(token)
        purpose = entry.purpose if entry.purpose in PURPOSES else "other"
        rows.append(BotHits(bot=token, operator=entry.operator, purpose=purpose,
                            verified=verdict, url=url, page=page, hits=n,
                            first_seen=iso(first), last_seen=iso(last),
                            statuses=tuple(sorted(statuses.items())), last_status=last_status))
    rows = _merged(rows)
    warnings = list(reading.warnings)
    proxied = _behind_a_proxy(rows, t.spoofers)
    if proxied:
        rows = _merged([replace(r, verified="unknown") if r.verified == "no" else r
                        for r in rows])
        warnings.append(proxied)
    daily: dict[tuple[str, str, str], int] = {}
    for (token, verdict, host, day), n in t.days.items():
        if hosts is not None and host and host not in hosts:
            continue
        if proxied and verdict == "no":
            verdict = "unknown"
        key = (datetime.fromtimestamp(day * 86400, UTC).date().isoformat(), token, verdict)
        daily[key] = daily.get(key, 0) + n
    spoofers = [] if proxied else sorted(
        ((b, ip, n) for b, seen in t.spoofers.items() for ip, n in seen.items()),
        key=lambda x: (-x[2], x[0], x[1]))
    days = sorted(s.retrieved for s in active().sources if s.retrieved)
    retrieved = (days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}") if days else ""
    joined = _joined_share(rows) if crawled is not None else None
    if joined is not None and joined < MIN_JOINED:
        warnings.append(f"only {joined:.0%} of the pages crawlers asked for are pages this "
                        "crawl found: these logs may be another site's, or another part of "
                        "it; which pages no crawler fetched is not judged")
    return LogFacts(files=tuple(reading.files), formats=tuple(reading.formats.items()),
                    lines=t.lines, lines_skipped=t.skipped, first=iso(t.first), last=iso(t.last),
                    rows=tuple(sorted(rows, key=lambda r: (r.bot, r.url, r.verified))),
                    daily=tuple((d, b, v, n) for (d, b, v), n in sorted(daily.items())),
                    spoofers=tuple(spoofers[:500]), other_hosts=other,
                    warnings=tuple(warnings), ranges_retrieved=retrieved,
                    days_covered=len(t.covered),
                    joined=joined is not None and joined >= MIN_JOINED)


MIN_JOINED = 0.2     # of the pages crawlers asked for, the share the crawl must have found
_ASSET = re.compile(r"\.(?:css|js|mjs|map|json|xml|txt|ico|png|jpe?g|gif|webp|avif|svg|woff2?|"
                    r"ttf|otf|eot|mp4|webm|mp3|pdf|zip|gz)$", re.I)


def _joined_share(rows: list[BotHits]) -> float | None:
    """Of the page-like paths crawlers asked for (not assets, not robots.txt or a sitemap),
    the share the crawl found; None when they asked for none."""
    asked = {r.url for r in rows if r.verified != "no" and r.url.startswith("http")
             and not _ASSET.search(urlsplit(r.url).path)}
    if not asked:
        return None
    found = {r.url for r in rows if r.url in asked and r.page}
    return len(found) / len(asked)


def _behind_a_proxy(rows: list[BotHits], spoofers: dict[str, dict[str, int]]) -> str:
    """Why every crawler looks spoofed, when it is the log that hides them: no hit verified
    while the crawlers of two operators or more are all 'spoofed'. A log that records a CDN's
    or load balancer's address instead of the client's looks like that (real sites get real
    Googlebot and Bingbot visits); then no address says anything ('' when the log is not
    such a log)."""
    if any(r.verified == "yes" for r in rows):
        return ""
    spoofed = [r for r in rows if r.verified == "no"]
    operators = {r.operator for r in spoofed}
    if len(operators) < 2:
        return ""
    addresses = {ip for r in spoofed for ip in spoofers.get(r.bot, {})}
    shown = ", ".join(sorted(addresses)[:5]) + (" and more" if len(addresses) > 5 else "")
    return (f"no crawler hit comes from its operator's published addresses, while crawlers of "
            f"{len(operators)} operators ({', '.join(sorted(operators))}) come from "
            f"{len(addresses)} other address{'es' * (len(addresses) != 1)} ({shown}): the log "
            "seems to record a CDN's, proxy's or load balancer's address, not the client's (log the "
            "X-Forwarded-For or CF-Connecting-IP header instead), so no hit was judged spoofed")


def _url(target: str, host: str, base: str, crawled) -> tuple[str, str]:
    """(the URL asked for, the crawled page it is: the same URL or the same with its trailing
    slash toggled; '' when the crawl did not find it)."""
    if target == OTHER_PATHS or not target:
        return target or "(no path)", ""
    if target.startswith(("http://", "https://")):       # a proxy's absolute form
        absolute = target
    elif base:
        absolute = base + (target if target.startswith("/") else "/" + target)
    elif host:
        absolute = f"https://{host}" + (target if target.startswith("/") else "/" + target)
    else:
        return target, ""
    try:
        url = normalize_url(absolute)
    except Exception:   # noqa: BLE001 (a path no URL parser accepts: kept as written)
        return absolute, ""
    if crawled is None:
        return url, ""
    for candidate in (url, _slash_toggled(url)):
        if candidate and crawled(candidate):
            return url, candidate
    return url, ""


def _slash_toggled(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path
    if path in ("", "/"):
        return ""
    toggled = path[:-1] if path.endswith("/") else path + "/"
    return f"{parts.scheme}://{parts.netloc}{toggled}" + (f"?{parts.query}" if parts.query
                                                          else "")


def _merged(rows: list[BotHits]) -> list[BotHits]:
    """Rows that name the same (crawler, verdict, URL) once mapped, as one."""
    by: dict[tuple[str, str, str], BotHits] = {}
    for r in rows:
        key = (r.bot, r.verified, r.url)
        old = by.get(key)
        if old is None:
            by[key] = r
            continue
        statuses: dict[int, int] = dict(old.statuses)
        for s, n in r.statuses:
            statuses[s] = statuses.get(s, 0) + n
        later = r if r.last_seen >= old.last_seen else old
        firsts = [x for x in (old.first_seen, r.first_seen) if x]
        by[key] = replace(old, page=old.page or r.page, hits=old.hits + r.hits,
                          first_seen=min(firsts) if firsts else "",
                          last_seen=later.last_seen, last_status=later.last_status,
                          statuses=tuple(sorted(statuses.items())))
    return list(by.values())
