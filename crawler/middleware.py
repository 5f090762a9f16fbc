"""Downloader middlewares: retries that honour Retry-After, the wait they ask for, and
compressed bodies cut off in transit."""

from __future__ import annotations

import asyncio
import time
import zlib
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest


def retry_after_seconds(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for: delta-seconds or an HTTP-date; None if absent
    or unreadable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, plus: a retried 429/503 waits as long as Retry-After asks (Scrapy
    retries within milliseconds), and a wait longer than the cap means "give up now", so the
    response is kept as a rate-limited page instead of stalling the crawl."""

    def __init__(self, settings):
        super().__init__(settings)
        self.cap = settings.getfloat("AEO_RETRY_AFTER_CAP", 60.0)

    def process_response(self, request, response):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.cap:
            response.meta["aeo_rate_limited"] = wait  # shared meta: the spider reads it
            return response
        new = self._retry(request, f"HTTP {response.status}")
        if new is None:
            return response
        if wait:
            new.meta["aeo_not_before"] = time.monotonic() + wait
        return new


class WaitMiddleware:
    """Holds a request back until the time a Retry-After named, without blocking others."""

    async def process_request(self, request):
        not_before = request.meta.get("aeo_not_before")
        if not_before:
            delay = not_before - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        return None


class TruncatedBody(IgnoreRequest):
    """A compressed body whose stream stops before its end: the connection was cut."""


def _stream_complete(body: bytes, encoding: str, max_size: int) -> bool | None:
    """Whether a gzip, deflate or br body runs to its end marker (None: not checked: an
    encoding this check does not know, or more output than max_size, which Scrapy's own cap
    reports). The output is thrown away a chunk at a time, so memory stays flat."""
    chunk = 1 << 20
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = (31, ) if encoding != "deflate" else (15, -15)   # zlib, then raw deflate
        for bits in wbits:
            d = zlib.decompressobj(bits)
            out, data = 0, body
            try:
                while data and not d.eof:
                    out += len(d.decompress(data, chunk))
                    data = d.unconsumed_tail
                    if max_size and out > max_size:
                        return None
            except zlib.error:
                if bits == wbits[-1]:
                    return None     # not this encoding at all: Scrapy's middleware decides
                continue
            return d.eof
        return None
    if encoding == "br":
        try:
            import brotli
        except ImportError:
            return None
        d = brotli.Decompressor()
        try:
            d.process(body)
        except brotli.error:
            return None
        return d.is_finished()
    return None


class TruncatedBodyMiddleware:
    """A compressed body cut off in transit still decompresses to its first part, and
    Scrapy keeps that part as the page (scrapy.utils.gz.gunzip returns "as much as
    possible"). This check runs before the decompression: a body whose outer encoding stops
    before its end marker is an incomplete response, never a short page."""

    def __init__(self, max_size: int):
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request, response):
        encodings = [e.strip().lower() for v in response.headers.getlist(b"Content-Encoding")
                     for e in v.decode("latin-1", "replace").split(",") if e.strip()]
        if not encodings or request.method == "HEAD" or not response.body:
            return response
        max_size = request.meta.get("download_maxsize", self.max_size)
        if _stream_complete(response.body, encodings[-1], max_size) is False:
            raise TruncatedBody(f"the {encodings[-1]} body of {len(response.body):,} bytes "
                                "stops before its end: the response was cut off")
        return response
