"""Downloader middlewares: retries that honour Retry-After, and the wait they ask for."""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware


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
