"""XML sitemaps, read as a stream: gzip or plain, the `<loc>` of every entry up to a cap, in
bounded memory whatever the file's size (lxml's iterparse, each entry dropped once read)."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from aeo.facts.events import Problem

DEFAULT_PATHS = ("/sitemap.xml", "/sitemap_index.xml")
MAX_BYTES = 50 * 1024 * 1024      # the protocol's limit for one sitemap, uncompressed
MAX_URLS = 50_000                 # the protocol's limit of entries in one sitemap


@dataclass
class ParsedSitemap:
    kind: str = ""                 # urlset, sitemapindex, or "" when unreadable
    locs: list[str] = field(default_factory=list)
    problem: Problem | None = None   # codes: aeo.facts.events.SITEMAP_CODES
    truncated: int = 0             # entries past max_urls, left unread (counted)


def folder_paths(start_url: str) -> list[str]:
    """The sitemap paths of the start URL's folder when the site lives in one (/ai/ →
    /ai/sitemap.xml, /ai/sitemap_index.xml); [] for a site at the root."""
    path = urlsplit(start_url).path or "/"
    folder = path.rsplit("/", 1)[0] + "/"
    last = path.rsplit("/", 1)[1]
    if last and "." not in last:      # /ai is the folder /ai/ without its slash
        folder = path + "/"
    if folder == "/":
        return []
    return [folder + p.lstrip("/") for p in DEFAULT_PATHS]


class _Capped(io.RawIOBase):
    """A decompressing reader that refuses to give more than limit bytes (a gzip bomb)."""

    def __init__(self, inner, limit: int):
        self.inner, self.left = inner, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(min(len(buffer), 64 * 1024))
        self.left -= len(data)
        if self.left < 0:
            raise ValueError("decompressed sitemap larger than the size limit")
        buffer[:len(data)] = data
        return len(data)


def _localname(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def read_sitemap(body: bytes, max_bytes: int = MAX_BYTES, max_urls: int = MAX_URLS
                 ) -> ParsedSitemap:
    """The entries of one sitemap (urlset) or sitemap index: at most max_urls of them, the
    rest counted in truncated; a gzip body decompressed up to max_bytes."""
    if not body or not body.strip():
        return ParsedSitemap(problem=Problem("empty"))
    stream = io.BytesIO(body)
    if body[:2] == b"\x1f\x8b":
        stream = io.BufferedReader(_Capped(gzip.GzipFile(fileobj=stream), max_bytes))
    out = ParsedSitemap()
    try:
        for event, el in etree.iterparse(stream, events=("start", "end"), recover=True,
                                         resolve_entities=False, no_network=True,
                                         remove_comments=True, huge_tree=False):
            name = _localname(el.tag)
            if event == "start":
                if not out.kind:
                    if name not in ("urlset", "sitemapindex"):
                        return ParsedSitemap(problem=Problem("root_element",
                                                                     value=name or "?"))
                    out.kind = name
                continue
            if name == "loc" and el.getparent() is not None and \
                    _localname(el.getparent().tag) in ("url", "sitemap"):
                loc = (el.text or "").strip()
                if loc:
                    if len(out.locs) < max_urls:
                        out.locs.append(loc)
                    else:
                        out.truncated += 1
            elif name in ("url", "sitemap"):
                el.clear()
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]      # the entries already read
    except ValueError as exc:           # the decompression cap
        out.problem = Problem("gzip_limit", value=str(exc))
    except (OSError, EOFError, zlib.error) as exc:
        out.problem = Problem("gzip_error", value=str(exc))
    except etree.XMLSyntaxError as exc:
        if not out.kind:
            return ParsedSitemap(problem=Problem("not_xml", value=str(exc)[:120]))
        out.problem = Problem("broken_xml", value=str(exc)[:120])
    if not out.kind:
        return ParsedSitemap(problem=Problem("no_root"))
    return out
