"""DNS resolution with fixed answers for chosen host names (like curl --resolve): audit a
staging server under its real name, or point test names at loopback."""

from __future__ import annotations

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from aeo.crawler.scope import normalize_host


class MappedResolver(CachingThreadedResolver):
    mapping: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler, reactor):
        obj = super().from_crawler(crawler, reactor)
        raw = crawler.settings.getdict("AEO_RESOLVE")
        obj.mapping = {normalize_host(k): v for k, v in raw.items()}
        return obj

    def getHostByName(self, name, timeout=()):
        ip = self.mapping.get(name.rstrip(".").lower())
        if ip:
            return defer.succeed(ip)
        return super().getHostByName(name, timeout)
