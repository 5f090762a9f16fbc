"""Is a crawler's request really the crawler's? Its address against the ranges its operator
publishes (shipped in ranges/, dated, with their source URLs in ranges/sources.toml; `aeo bots
update` refreshes them), and, with --verify-dns, the reverse-and-forward DNS check for the
operators that document one.

    yes       the address is in the operator's published ranges (or its DNS checks out)
    no        it claims the crawler's user agent from outside them (or its DNS does not)
    unknown   the operator publishes no ranges (and no DNS check was asked or documented),
              or the log holds no address
"""

from __future__ import annotations

import json
import os
import socket
import tomllib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from pathlib import Path

RANGES_PACKAGE = "aeo.analyzers.logs"
RANGES_FOLDER = "ranges"


@dataclass(frozen=True)
class Source:
    """One published file of address ranges."""

    file: str
    url: str
    operator: str
    bots: tuple[str, ...]
    retrieved: str          # the day the shipped copy was taken from url
    created: str = ""       # the file's own creationTime, when it has one


@dataclass(frozen=True)
class DnsCheck:
    operator: str
    suffixes: tuple[str, ...]   # the host names' endings the operator documents
    url: str


@dataclass
class RangeData:
    sources: list[Source]
    dns: dict[str, DnsCheck]
    folder: Path | None = None
    documented: list[dict] = field(default_factory=list)
    networks: dict[str, list] = field(default_factory=dict)   # operator -> networks

    def age_days(self, today: date | None = None) -> int | None:
        days = [s.retrieved for s in self.sources if s.retrieved]
        if not days:
            return None
        return ((today or date.today()) - date.fromisoformat(min(days))).days


def ranges_dir() -> Path:
    return Path(str(resources.files(RANGES_PACKAGE).joinpath(RANGES_FOLDER)))


def read_sources(folder: Path) -> tuple[list[Source], dict[str, DnsCheck], list[dict]]:
    """The published files, the DNS checks, and the ranges an operator states in its
    documentation rather than in a file ([[documented]]: operator, ranges, url, words)."""
    data = tomllib.loads((folder / "sources.toml").read_text(encoding="utf-8"))
    sources = [Source(file=s["file"], url=s["url"], operator=s["operator"],
                      bots=tuple(s.get("bots", ())), retrieved=str(s.get("retrieved", "")),
                      created=str(s.get("created", "")))
               for s in data.get("source", [])]
    dns = {d["operator"]: DnsCheck(d["operator"], tuple(d["suffixes"]), d.get("url", ""))
           for d in data.get("dns", [])}
    return sources, dns, data.get("documented", [])


def networks_of(payload) -> list:
    """Every address range in a published file: the prefixes of Google's, Bing's, OpenAI's,
    Perplexity's and Apple's JSON ({"prefixes": [{"ipv4Prefix": ...}]}) or any list of
    CIDR strings. Raises ValueError when it holds none."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and ("." in value or ":" in value) and \
                any(c.isdigit() for c in value) and len(value) < 50:
            try:
                found.append(ip_network(value.strip(), strict=False))
            except ValueError:
                pass

    walk(payload)
    if not found:
        raise ValueError("no address ranges in it")
    return found


def updated_dir() -> Path:
    """Where `aeo bots update` keeps the ranges it fetched: $AEO_RANGES_DIR, else
    $XDG_DATA_HOME/aeo/ranges (~/.local/share/aeo/ranges)."""
    if os.environ.get("AEO_RANGES_DIR"):
        return Path(os.environ["AEO_RANGES_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aeo" / "ranges"


@cache
def active() -> RangeData:
    """The ranges in force: those `aeo bots update` fetched when it has run, else the ones
    shipped with the package."""
    folder = updated_dir()
    if (folder / "sources.toml").is_file():
        try:
            return load(folder)
        except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError):
            pass      # a damaged update: the shipped copy stands
    return load(ranges_dir())



def load(folder: Path) -> RangeData:
    sources, dns, documented = read_sources(folder)
    data = RangeData(sources, dns, folder=folder, documented=documented)
    for d in documented:
        data.networks.setdefault(d["operator"], []).extend(
            ip_network(n, strict=False) for n in d["ranges"])
    for s in sources:
        nets = networks_of(json.loads((folder / s.file).read_text(encoding="utf-8")))
        data.networks.setdefault(s.operator, []).extend(nets)
    return data


class _Ranges:
    """An operator's ranges as sorted intervals, looked up by bisection."""

    def __init__(self, networks):
        self.v4 = _intervals(n for n in networks if n.version == 4)
        self.v6 = _intervals(n for n in networks if n.version == 6)

    def __contains__(self, addr: IPv4Address | IPv6Address) -> bool:
        starts, ends = self.v4 if addr.version == 4 else self.v6
        i = bisect_right(starts, int(addr)) - 1
        return i >= 0 and int(addr) <= ends[i]


def _intervals(networks) -> tuple[list[int], list[int]]:
    spans = sorted((int(n.network_address), int(n.broadcast_address)) for n in networks)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [s for s, _ in merged], [e for _, e in merged]


def address(text: str) -> IPv4Address | IPv6Address | None:
    """The client address of a log line: IPv4, IPv6 (bracketed or not, an IPv4-mapped one
    as its IPv4 address), or None (a host name, '-')."""
    text = text.strip()
    if text.startswith("[") and "]" in text:      # [2001:db8::1]:443
        text = text[1:text.index("]")]
    elif text.count(":") == 1:                     # 192.0.2.1:5678
        text = text.split(":", 1)[0]
    if "%" in text:                      # fe80::1%eth0
        text = text.split("%", 1)[0]
    try:
        addr = ip_address(text)
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


# addresses a log holds when it records a load balancer, a reverse proxy or the machine itself
# instead of the client (private, loopback, link-local, carrier-grade NAT): nothing to judge
PROXY_NETWORKS = tuple(ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
    "100.64.0.0/10", "::1/128", "fc00::/7", "fe80::/10"))

Resolver = Callable[[str], tuple[list[str], list[str]]]   # ip -> (host names, and each one's addresses)


def system_resolver(ip: str) -> tuple[list[str], list[str]]:
    """The reverse lookup of ip, then the forward lookup of the name it gives."""
    try:
        name, aliases, _ = socket.gethostbyaddr(ip)
    except (OSError, UnicodeError):
        return [], []
    names = [name, *aliases]
    addrs: list[str] = []
    for n in names[:1]:
        try:
            addrs += [i[4][0] for i in socket.getaddrinfo(n, None)]
        except (OSError, UnicodeError):
            pass
    return names, addrs


class Verifier:
    """Verdicts on (operator, address), each address looked up once."""

    def __init__(self, data: RangeData | None = None, resolver: Resolver | None = None):
        self.data = data or active()
        self.ranges = {op: _Ranges(nets) for op, nets in self.data.networks.items()}
        self.resolver = resolver
        self._seen: dict[tuple[str, str], str] = {}

    def __call__(self, operator: str, ip: str) -> str:
        key = (operator, ip)
        verdict = self._seen.get(key)
        if verdict is None:
            verdict = self._seen[key] = self._judge(operator, ip)
            if len(self._seen) > 500_000:
                self._seen.clear()
        return verdict

    def _judge(self, operator: str, ip: str) -> str:
        addr = address(ip)
        if addr is None:
            return "unknown"
        ranges = self.ranges.get(operator)
        if ranges is not None and addr in ranges:
            return "yes"
        if any(addr in net for net in PROXY_NETWORKS if net.version == addr.version):
            return "unknown"     # a load balancer's or proxy's address, not the client's
        check = self.data.dns.get(operator)
        if self.resolver is not None and check is not None:
            return "yes" if self._dns_ok(str(addr), check.suffixes) else "no"
        return "no" if ranges is not None else "unknown"

    def _dns_ok(self, ip: str, suffixes: tuple[str, ...]) -> bool:
        names, addrs = self.resolver(ip)
        if not names:
            return False
        name = names[0].rstrip(".").lower()
        if not any(name == s.lstrip(".") or name.endswith("." + s.lstrip("."))
                   for s in suffixes):
            return False
        mapped = {str(address(a)) for a in addrs if address(a) is not None}
        return str(address(ip)) in mapped
