"""XML sitemaps: gunzip under the page size cap, then Scrapy's lenient sitemap reader."""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

DEFAULT_PATHS = ("/sitemap.xml", "/sitemap_index.xml")


@dataclass
class ParsedSitemap:
    kind: str = ""                 # urlset, sitemapindex, or "" when unreadable
    locs: list[str] = field(default_factory=list)
    problem: str = ""


def read_sitemap(body: bytes, max_bytes: int) -> ParsedSitemap:
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_bytes)
        except ValueError as exc:   # the size cap (a decompression bomb) or a broken stream
            return ParsedSitemap(problem=f"gzip sitemap not read: {exc}")
        except (OSError, EOFError) as exc:
            return ParsedSitemap(problem=f"gzip sitemap not read: {exc}")
    if not body.strip():
        return ParsedSitemap(problem="empty sitemap")
    try:
        sm = Sitemap(body)
        locs = [d["loc"] for d in sm if d.get("loc")]
    except Exception as exc:  # lxml raises many kinds on garbage; any of them means unreadable
        return ParsedSitemap(problem=f"not an XML sitemap: {type(exc).__name__}")
    if sm.type not in ("urlset", "sitemapindex"):
        return ParsedSitemap(problem=f"not an XML sitemap (root element {sm.type!r})")
    return ParsedSitemap(kind=sm.type, locs=locs)
