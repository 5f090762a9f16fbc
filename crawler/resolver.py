"""DNS for the crawl: fixed answers for chosen host names (like curl --resolve), connections
for a host and port sent to another address and port (like curl --connect-to), and the SSRF
guard.

Every address a connection is about to use passes through `check`: a non-public address
(loopback, private, link-local, carrier-grade NAT, unspecified, metadata) is refused unless the
user asked for it: the start URL is that address literally, `--resolve` maps a name to it,
`--allow-private` names its range, or `--connect-to` names it for one host and port (for that
host and port only: the address is not opened to any other name). The check runs on every resolution, at connect
time, so a name that first answers with a public address and later with an internal one (DNS
rebinding) is caught on the later answer. Resolution failures fail closed.

`--connect-to` works where Twisted turns a host name into the addresses to connect to (the
reactor's name resolver, which answers with an address *and a port*): the URL, the Host header
and the TLS server name stay those of the URL, only the socket goes elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address, ip_network

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer, error
from twisted.internet._resolver import HostResolution, SimpleResolverComplexifier
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver
from zope.interface import implementer

from aeo.crawler.scope import InvalidURL, normalize_host

BLOCKED = "target resolves to non-public address"


class ConnectToError(ValueError):
    """A --connect-to value that is not HOST1:PORT1:HOST2:PORT2."""


@dataclass(frozen=True)
class ConnectTo:
    """One curl-style --connect-to HOST1:PORT1:HOST2:PORT2. An empty HOST1 or PORT1 matches any
    host or port; an empty HOST2 or PORT2 keeps the request's own. IPv6 addresses go in
    brackets."""

    host: str            # normalized; "" for any
    port: int | None     # None for any
    to_host: str         # a name or an address (IPv6 without brackets); "" to keep the host
    to_port: int | None  # None to keep the port

    @classmethod
    def parse(cls, value: str) -> ConnectTo:
        fields = _split_fields(value.strip())
        if len(fields) != 4:
            raise ConnectToError(f"{value!r} is not HOST1:PORT1:HOST2:PORT2 (e.g. "
                                 "example.com:443:127.0.0.1:8443)")
        host, port, to_host, to_port = fields
        try:
            host = normalize_host(host) if host else ""
            to_host = normalize_host(to_host).strip("[]") if to_host else ""
        except InvalidURL as exc:
            raise ConnectToError(f"{value!r}: {exc}") from None
        return cls(host.strip("[]"), _port(port, value), to_host, _port(to_port, value))

    def target(self, host: str, port: int) -> tuple[str, int] | None:
        """Where a connection for host:port goes, or None when this entry does not match."""
        if (self.host and self.host != host) or (self.port is not None and self.port != port):
            return None
        return (self.to_host or host, self.to_port or port)

    def __str__(self) -> str:
        def show(h: str) -> str:
            return f"[{h}]" if ":" in h else h
        return (f"{show(self.host)}:{self.port or ''}:{show(self.to_host)}:"
                f"{self.to_port or ''}")


def _split_fields(value: str) -> list[str]:
    """Split on ':' outside brackets (IPv6 addresses)."""
    fields, current, depth = [], "", 0
    for c in value:
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        if c == ":" and depth == 0:
            fields.append(current)
            current = ""
        else:
            current += c
    fields.append(current)
    return fields


def _port(text: str, value: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConnectToError(f"{value!r}: {text!r} is not a port number")
    return int(text)


def connect_entry(entries, host: str, port: int) -> ConnectTo | None:
    """The first --connect-to entry that maps host:port (curl uses the first match)."""
    host = host.strip("[]").rstrip(".").lower()
    return next((e for e in entries if e.target(host, port) is not None), None)


def connect_target(entries, host: str, port: int) -> tuple[str, int] | None:
    """Where the first --connect-to entry for host:port sends its connections, or None."""
    entry = connect_entry(entries, host, port)
    return entry.target(host.strip("[]").rstrip(".").lower(), port) if entry else None


# where cloud providers serve instance metadata and credentials: link-local ranges, AWS's
# IPv6 endpoint, Alibaba Cloud's address in the shared range
METADATA_NETWORKS = tuple(ip_network(n) for n in ("169.254.0.0/16", "fe80::/10",
                                                  "fd00:ec2::254/128", "100.100.100.200/32"))


def _is_address(host: str) -> bool:
    try:
        ip_address(host)
        return True
    except ValueError:
        return False


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
    connect_to: tuple[ConnectTo, ...] = ()
    blocked: dict[str, str] = {}   # host -> why the guard refused it (read by the spider)

    @classmethod
    def from_crawler(cls, crawler, reactor):
        obj = super().from_crawler(crawler, reactor)
        raw = crawler.settings.getdict("AEO_RESOLVE")
        obj.mapping = {normalize_host(k): v for k, v in raw.items()}
        obj.allowed = [ip_network(n) for n in crawler.settings.getlist("AEO_ALLOWED_NETWORKS")]
        obj.connect_to = tuple(ConnectTo.parse(v)
                               for v in crawler.settings.getlist("AEO_CONNECT_TO"))
        return obj

    def install_on_reactor(self) -> None:
        super().install_on_reactor()
        if self.connect_to:   # after installResolver, which replaces the name resolver
            self.reactor.installNameResolver(ConnectingResolver(self))

    def lookup(self, name, timeout=()):
        """The address DNS gives for name (tests override this to play DNS)."""
        return super().getHostByName(name, timeout)

    def getHostByName(self, name, timeout=()):
        ip = self.mapping.get(name.rstrip(".").lower())
        if not ip and _is_address(name.strip("[]")):
            ip = name.strip("[]")
        d = defer.succeed(ip) if ip else self.lookup(name, timeout)
        d.addCallback(self.check, name)
        return d

    def check(self, ip: str, name: str, trusted: bool = False) -> str:
        try:
            addr = ip_address(ip)
        except ValueError:
            raise error.DNSLookupError(f"{name}: unusable address {ip!r}") from None
        if addr.version == 6 and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        if trusted or addr.is_global or any(addr in net for net in self.allowed):
            return ip
        if any(addr in net for net in METADATA_NETWORKS):
            # never suggest opening the range where clouds serve instance credentials
            why = (f"{BLOCKED} {ip} for {name}: a link-local or cloud metadata address, "
                   "which is never audited")
        else:
            why = (f"{BLOCKED} {ip} for {name}; pass --allow-private {ip}/32 (or its range) "
                   "to audit an internal site")
        MappedResolver.blocked[name.rstrip(".").lower()] = why
        raise error.DNSLookupError(why)


@implementer(IHostnameResolver)
class ConnectingResolver:
    """The reactor's name resolver when --connect-to is given: a host and port it maps resolve
    to the mapped address and port; anything else resolves as usual (through the simple
    resolver: --resolve answers and the SSRF guard)."""

    def __init__(self, simple: MappedResolver):
        self.simple = simple
        self.usual = SimpleResolverComplexifier(simple)

    def resolveHostName(self, receiver, hostName, portNumber=0, addressTypes=None,
                        transportSemantics="TCP"):
        entry = connect_entry(self.simple.connect_to, hostName, portNumber)
        if entry is None:
            return self.usual.resolveHostName(receiver, hostName, portNumber, addressTypes,
                                              transportSemantics)
        to_port = entry.to_port or portNumber
        resolution = HostResolution(hostName)
        receiver.resolutionBegan(resolution)
        simple = self.simple
        if entry.to_host:
            # the user named where this host and port connect: that address, and only for
            # this host and port, passes the guard (a name there resolves as --resolve says)
            if _is_address(entry.to_host):
                d = defer.succeed(entry.to_host)
            elif entry.to_host in simple.mapping:
                d = defer.succeed(simple.mapping[entry.to_host])
            else:
                d = simple.lookup(entry.to_host)
            d.addCallback(simple.check, entry.to_host, True)
        else:   # only the port changes: the host resolves, and is checked, as usual
            d = simple.getHostByName(hostName)

        def resolved(ip: str) -> None:
            kind = IPv6Address if ":" in ip else IPv4Address
            receiver.addressResolved(kind("TCP", ip, to_port))

        d.addCallback(resolved)
        d.addErrback(lambda failure: failure.trap(error.DNSLookupError))
        d.addBoth(lambda _: receiver.resolutionComplete())
        return resolution
