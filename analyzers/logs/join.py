"""A reading of the logs kept with its run (logs.json), and joined with the crawl: each path a
crawler asked for mapped to the crawled URL it names (the site's scheme and host, the URL's
key form, a trailing slash or a query string aside), hits on other sites of the same log left
out."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from aeo.analyzers.logs.reader import OTHER_PATHS, Reading, Tally
from aeo.analyzers.logs.verify import active
from aeo.crawler.bots import bot as bot_entry
from aeo.crawler.scope import normalize_url
from aeo.durable import atomic_write
from aeo.facts.logs import PURPOSES, BotHits, LogFacts, iso

LOGS_FILE = "logs.json"


def save(reading: Reading, folder: Path) -> Path:
    t = reading.tally
    data = {"files": reading.files, "formats": reading.formats, "warnings": reading.warnings,
            "lines": t.lines, "skipped": t.skipped, "first": t.first, "last": t.last,
            "hits": [[*k, n, a, b, {str(s): c for s, c in st.items()}]
                     for k, (n, a, b, st) in t.hits.items()],
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
        t = Tally(lines=data["lines"], skipped=data["skipped"], first=data["first"],
                  last=data["last"],
                  hits={tuple(h[:4]): [h[4], h[5], h[6], {int(s): c for s, c in h[7].items()}]
                        for h in data["hits"]},
                  days={tuple(d[:4]): d[4] for d in data["days"]},
                  spoofers=data.get("spoofers", {}))
        return Reading(files=data["files"], tally=t, formats=data.get("formats", {}),
                       warnings=data.get("warnings", []))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def same_site_hosts(root: str) -> set[str]:
    host = (urlsplit(root).hostname or "").lower()
    bare = host[4:] if host.startswith("www.") else host
    return {host, bare, "www." + bare}


def log_facts(reading: Reading, root: str | None = None,
              crawled: Callable[[str], bool] | None = None) -> LogFacts:
    """The reading as facts. root: the audited site's root URL (its hosts are kept, other
    hosts of the same log left out, paths made absolute); crawled: is a URL one the crawl
    found (None: no crawl to join with)."""
    t = reading.tally
    hosts = same_site_hosts(root) if root else None
    base = root.rstrip("/") if root else ""
    rows, other = [], 0
    for (token, verdict, host, target), (n, first, last, statuses) in t.hits.items():
        if hosts is not None and host and host not in hosts:
            other += n
            continue
        url, found = _url(target, host, base, crawled)
        entry = bot_entry(token)
        purpose = entry.purpose if entry.purpose in PURPOSES else "other"
        rows.append(BotHits(bot=token, operator=entry.operator, purpose=purpose,
                            verified=verdict, url=url, crawled=found, hits=n,
                            first_seen=iso(first), last_seen=iso(last),
                            statuses=tuple(sorted(statuses.items()))))
    rows = _merged(rows)
    warnings = list(reading.warnings)
    proxied = _behind_a_proxy(rows, t.spoofers)
    if proxied:
        rows = [replace(r, verified="unknown") if r.verified == "no" else r for r in rows]
        rows = _merged(rows)
        warnings.append(proxied)
    daily: dict[tuple[str, str, str], int] = {}
    for (token, verdict, host, day), n in t.days.items():
        if hosts is not None and host and host not in hosts:
            continue
        if proxied and verdict == "no":
            verdict = "unknown"
        key = (datetime.fromtimestamp(day * 86400, UTC).date().isoformat(), token, verdict)
        daily[key] = daily.get(key, 0) + n
    spoofers = sorted(((b, ip, n) for b, seen in t.spoofers.items() for ip, n in seen.items()),
                      key=lambda x: (-x[2], x[0], x[1])) if not proxied else []
    days = sorted(s.retrieved for s in active().sources if s.retrieved)
    retrieved = (days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}") if days else ""
    return LogFacts(files=tuple(reading.files), formats=tuple(reading.formats.items()),
                    lines=t.lines, lines_skipped=t.skipped, first=iso(t.first), last=iso(t.last),
                    rows=tuple(sorted(rows, key=lambda r: (r.bot, r.url, r.verified))),
                    daily=tuple((d, b, v, n) for (d, b, v), n in sorted(daily.items())),
                    spoofers=tuple(spoofers[:500]), other_hosts=other,
                    warnings=tuple(warnings), ranges_retrieved=retrieved)


def _behind_a_proxy(rows: list[BotHits], spoofers: dict[str, dict[str, int]]) -> str:
    """Why every crawler looks spoofed, when it is the log that hides them: no hit verified,
    the crawlers of two operators or more 'spoofed' from three addresses or fewer. A log that
    records a CDN's or load balancer's address instead of the client's looks like that; then
    no address says anything ('' when the log is not such a log)."""
    if any(r.verified == "yes" for r in rows):
        return ""
    spoofed = [r for r in rows if r.verified == "no"]
    addresses = {ip for r in spoofed for ip in spoofers.get(r.bot, {})}
    if len({r.operator for r in spoofed}) < 2 or len(addresses) > 3:
        return ""
    return (f"no crawler hit comes from its operator's addresses, and {len(addresses)} "
            f"address{'es' * (len(addresses) != 1)} ({', '.join(sorted(addresses))}) claim "
            f"{len({r.bot for r in spoofed})} crawlers of {len({r.operator for r in spoofed})} "
            "operators: the log seems to record a proxy's or load balancer's address, not the "
            "client's (log the X-Forwarded-For or CF-Connecting-IP header instead), so no hit "
            "was judged spoofed")


def _url(target: str, host: str, base: str, crawled) -> tuple[str, bool]:
    if target == OTHER_PATHS or not target:
        return target or "(no path)", False
    if target.startswith(("http://", "https://")):       # a proxy's absolute form
        absolute = target
    elif base:
        absolute = base + (target if target.startswith("/") else "/" + target)
    elif host:
        absolute = f"https://{host}" + (target if target.startswith("/") else "/" + target)
    else:
        return target, False
    try:
        url = normalize_url(absolute)
    except Exception:   # noqa: BLE001 (a path no URL parser accepts: kept as written)
        return absolute, False
    if crawled is None:
        return url, False
    for candidate in _variants(url):
        if crawled(candidate):
            return candidate, True
    return url, False


def _variants(url: str):
    yield url
    parts = urlsplit(url)
    path = parts.path
    toggled = path[:-1] if path.endswith("/") and len(path) > 1 else path + "/"
    plain = f"{parts.scheme}://{parts.netloc}"
    yield plain + toggled + (f"?{parts.query}" if parts.query else "")
    if parts.query:
        yield plain + path
        yield plain + toggled


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
        by[key] = BotHits(r.bot, r.operator, r.purpose, r.verified, r.url,
                          old.crawled or r.crawled, old.hits + r.hits,
                          min(x for x in (old.first_seen, r.first_seen) if x) if
                          (old.first_seen or r.first_seen) else "",
                          max(old.last_seen, r.last_seen), tuple(sorted(statuses.items())))
    return list(by.values())
