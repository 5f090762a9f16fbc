"""Downloader middlewares: retries that honour Retry-After, the wait they ask for, and
compressed bodies cut off in transit."""

from __future__ import annotations

import asyncio
import time
import zlib
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from twisted.internet import defer
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed

from aeo.crawler.resolver import MappedResolver


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


_CHUNK = 1 << 20


class TruncatedBody(IgnoreRequest):
    """A compressed body whose stream stops before its end: the connection was cut."""


def _zlib_complete(body: bytes, wbits: int, max_size: int) -> bool | None:
    d = zlib.decompressobj(wbits)
    out, data = 0, body
    while not d.eof:
        produced = len(d.decompress(data, _CHUNK))
        data = d.unconsumed_tail
        out += produced
        if max_size and out > max_size:
            return None
        if not produced and not data:
            break          # input used up and no output pending: the stream stops here
    return d.eof if out else None


def _stream_complete(body: bytes, encoding: str, max_size: int) -> bool | None:
    """Whether a gzip, deflate or br body runs to its end marker. None: not checked (an
    encoding this check does not know, a body that does not decode at all, which Scrapy's
    middleware reports, or more output than max_size, which Scrapy's cap reports). The
    output is thrown away a chunk at a time, so memory stays flat."""
    if encoding in ("gzip", "x-gzip"):
        attempts = (31,)
    elif encoding == "deflate":
        attempts = (15, -15)       # zlib-wrapped, then raw deflate (what servers send)
    elif encoding == "br":
        return _brotli_complete(body, max_size)
    else:
        return None
    for wbits in attempts:
        try:
            return _zlib_complete(body, wbits, max_size)
        except zlib.error:
            continue
    return None


def _brotli_complete(body: bytes, max_size: int) -> bool | None:
    try:
        import brotli
    except ImportError:
        return None
    d = brotli.Decompressor()
    try:
        out = len(d.process(body, output_buffer_limit=_CHUNK))
        while not d.is_finished() and (not max_size or out <= max_size):
            produced = len(d.process(b"", output_buffer_limit=_CHUNK))
            if not produced:
                break
            out += produced
    except brotli.error:
        return None
    if not out or (max_size and out > max_size):
        return None    # nothing decoded (not brotli at all), or the size cap's to report
    return d.is_finished()


class TruncatedBodyMiddleware:
    """A compressed body cut off in transit still decompresses to its first part, and
    Scrapy keeps that part as the page (scrapy.utils.gz.gunzip returns "as much as
    possible"). This check runs before the decompression: a body whose outer encoding stops
    before its end marker is retried like any other cut-off response, then given up on as
    an incomplete response, never kept as a short page."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        encodings = [e.strip().lower() for v in response.headers.getlist(b"Content-Encoding")
                     for e in v.decode("latin-1", "replace").split(",") if e.strip()]
        if not encodings or request.method == "HEAD" or not response.body:
            return response
        max_size = request.meta.get("download_maxsize", self.max_size)
        if _stream_complete(response.body, encodings[-1], max_size) is not False:
            return response
        why = (f"the {encodings[-1]} body of {len(response.body):,} bytes stops before its "
               "end: the response was cut off")
        retry = None if request.meta.get("dont_retry") else get_retry_request(
            request, spider=self.crawler.spider, reason="truncated compressed body")
        if retry is not None:
            return retry
        raise TruncatedBody(why)


def failure_kind(failure) -> tuple[str, str]:
    """(short kind, message) for a failed request."""
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadTimeoutError,
        ResponseDataLossError,
    )

    exc = failure.value
    msg = str(exc)[:300] or type(exc).__name__
    if isinstance(exc, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in msg or "maxsize" in msg:
        return "too_large", msg
    if isinstance(exc, IgnoreRequest) and "exceeded" in msg.lower():
        return "too_large", msg
    if isinstance(exc, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
        return "timeout", msg
    if isinstance(exc, (CannotResolveHostError, DNSLookupError)):
        host = (urlsplit(failure.request.url).hostname or "").lower()
        if host in MappedResolver.blocked:   # the SSRF guard refused the address
            return "blocked_address", MappedResolver.blocked[host]
        return "dns", msg
    if isinstance(exc, (DownloadConnectionRefusedError, ConnectionRefusedError)):
        return "connection_refused", msg
    if isinstance(exc, (ResponseDataLossError, ResponseFailed, ConnectionLost, TruncatedBody)):
        return "incomplete_response", msg
    if isinstance(exc, defer.CancelledError):   # Scrapy cancels a body that outgrew the cap
        return "too_large", msg
    return "fetch_failed", f"{type(exc).__name__}: {msg}"
