"""DNS for the crawl: fixed answers for chosen host names (like curl --resolve), and the SSRF
guard. Every address a connection is about to use passes through `check`: a non-public
address (loopback, private, link-local, carrier-grade NAT, unspecified, metadata) is refused
unless the user asked for it: the start URL is that address literally, `--resolve` maps a name
to it, or `--allow-private` names its range. The check runs on every resolution, at connect
time, so a name that first answers with a public address and later with an internal one (DNS
rebinding) is caught on the later answer. Resolution failures fail closed."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer, error

from aeo.crawler.scope import normalize_host

BLOCKED = "target resolves to non-public address"


def allowed_networks(start_host: str, resolve: dict[str, str], allow: list[str]) -> list[str]:
    """The non-public ranges this crawl may connect to, as CIDR strings."""
    nets = []
    try:
        addr = ip_address(start_host.strip("[]"))
        # typing a loopback or private address is intent; link-local (cloud metadata),
        # unspecified and reserved addresses are never audited without --allow-private
        if (addr.is_private or addr.is_loopback) and not (
                addr.is_link_local or addr.is_unspecified or addr.is_reserved
                or addr.is_multicast):
            nets.append(str(ip_network(addr)))
    except ValueError:
        pass
    for ip in resolve.values():
        nets.append(str(ip_network(ip)))
    nets += [str(ip_network(a, strict=False)) for a in allow]
    return nets


class MappedResolver(CachingThreadedResolver):
    mapping: dict[str, str] = {}
    allowed: list = []
    blocked: dict[str, str] = {}   # host -> why the guard refused it (read by the spider)

    @classmethod
    def from_crawler(cls, crawler, reactor):
        obj = super().from_crawler(crawler, reactor)
        raw = crawler.settings.getdict("AEO_RESOLVE")
        obj.mapping = {normalize_host(k): v for k, v in raw.items()}
        obj.allowed = [ip_network(n) for n in crawler.settings.getlist("AEO_ALLOWED_NETWORKS")]
        return obj

    def lookup(self, name, timeout=()):
        """The address DNS gives for name (tests override this to play DNS)."""
        return super().getHostByName(name, timeout)

    def getHostByName(self, name, timeout=()):
        ip = self.mapping.get(name.rstrip(".").lower())
        d = defer.succeed(ip) if ip else self.lookup(name, timeout)
        d.addCallback(self.check, name)
        return d

    def check(self, ip: str, name: str) -> str:
        try:
            addr = ip_address(ip)
        except ValueError:
            raise error.DNSLookupError(f"{name}: unusable address {ip!r}") from None
        if addr.version == 6 and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        if addr.is_global or any(addr in net for net in self.allowed):
            return ip
        why = (f"{BLOCKED} {ip} for {name}; pass --allow-private {ip}/32 (or its range) to "
               "audit an internal site")
        MappedResolver.blocked[name.rstrip(".").lower()] = why
        raise error.DNSLookupError(why)
