"""Which URLs belong to the audited site, and the one URL form the crawl keys on."""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna
from w3lib.url import canonicalize_url, safe_url_string

ALLOWED_SCHEMES = ("http", "https")


class InvalidURL(ValueError):
    """A URL the tool cannot or will not fetch."""


@functools.lru_cache(maxsize=4096)   # a site has few hosts and IDNA encoding is slow
def normalize_host(host: str) -> str:
    """Lowercase, no trailing dot, punycode (IDNA 2008 with UTS 46 mapping)."""
    host = host.strip().rstrip(".").lower()
    if not host:
        raise InvalidURL("empty host")
    if host.startswith("["):
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        if all(c.isalnum() or c in "-._" for c in host):
            return host  # e.g. underscores in internal names: keep as is
        raise InvalidURL(f"invalid host name {host!r}") from None


def display_host(host: str) -> str:
    """The Unicode form of a punycode host, for people."""
    try:
        return idna.decode(host)
    except idna.IDNAError:
        return host


def split_url(url: str) -> tuple[str, str, int | None]:
    """(scheme, normalized host, explicit port or None); raises InvalidURL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidURL(f"unsupported scheme {scheme + ':' if scheme else '(none)'} in {url!r}")
    if not parts.hostname or " " in (parts.netloc or ""):
        raise InvalidURL(f"no valid host in {url!r}")
    host = normalize_host(parts.hostname)
    if port is not None and port == {"http": 80, "https": 443}[scheme]:
        port = None
    return scheme, host, port


def _origin_parts(url: str) -> tuple[str, str, int | None]:
    """split_url of the URL's scheme and authority alone (all split_url reads), cached: a
    page's links share a few origins."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return split_url(url)
    end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    return _split_origin(scheme + sep + rest[:end])


@functools.lru_cache(maxsize=4096)
def _split_origin(origin: str) -> tuple[str, str, int | None]:
    return split_url(origin)


TRACKING_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
                   "utm_id", "gclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid",
                   "dclid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "twclid", "li_fat_id")
SESSION_PARAMS = ("jsessionid", "phpsessid", "aspsessionid", "sessionid", "session_id",
                  "sessid", "cfid", "cftoken", "sid")
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sessionid)=[^/?#]*", re.I)


def _strip_params(url: str) -> tuple[str, bool, bool]:
    """(url without tracking and session parameters, had tracking, had a session id)."""
    parts = urlsplit(url)
    path, n = _PATH_SESSION.subn("", parts.path)
    had_session = n > 0
    had_tracking = False
    if parts.query:
        names = [q.split("=", 1)[0].lower() for q in parts.query.split("&") if q]
        tracking = [x for x in names if x in TRACKING_PARAMS or x.startswith("utm_")]
        session = [x for x in names if x in SESSION_PARAMS or x.startswith("aspsessionid")]
        if tracking or session:
            had_tracking, had_session = bool(tracking), had_session or bool(session)
            keep = [q for q in parts.query.split("&") if q and q.split("=", 1)[0].lower()
                    not in set(tracking) | set(session)]
            url = urlunsplit((parts.scheme, parts.netloc, path, "&".join(keep), ""))
            return url, had_tracking, had_session
    if n:
        url = urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    return url, had_tracking, had_session


def url_aliases(url: str) -> tuple[bool, bool]:
    """(carries tracking parameters, carries a session id): what normalize_url drops."""
    _, tracking, session = _strip_params(url)
    return tracking, session


def normalize_url(url: str) -> str:
    """The key form of an http(s) URL: scheme and host lowercased, punycode, default port
    dropped, tracking parameters (utm_*, gclid, fbclid, ...) and session ids (jsessionid,
    PHPSESSID, sid, ...) dropped, query sorted, fragment dropped, path percent-encoded the
    one way."""
    scheme, host, port = split_url(url)
    parts = urlsplit(safe_url_string(url.strip()))
    netloc = host if port is None else f"{host}:{port}"
    path = parts.path or "/"
    rebuilt, _, _ = _strip_params(urlunsplit((scheme, netloc, path, parts.query, "")))
    return canonicalize_url(rebuilt, keep_fragments=False)


MAX_URL_LENGTH = 2083   # Scrapy's URLLENGTH_LIMIT in crawler/config.py


def validate_start_url(url: str) -> str:
    """Check a start URL given by a person; return its normalized form or raise InvalidURL."""
    if not url or not url.strip():
        raise InvalidURL("empty URL")
    raw = url.strip()
    if raw.startswith("-"):
        raise InvalidURL(f"{raw!r} looks like an option, not a URL")
    if "://" not in raw:
        raise InvalidURL(f"{raw!r} is not an absolute http(s) URL")
    if any(c in raw for c in "\n\r\t"):
        raise InvalidURL("control characters in URL")
    normalized = normalize_url(raw)
    if len(normalized) > MAX_URL_LENGTH:   # Scrapy would drop it with a log line nobody sees
        raise InvalidURL(f"the URL is {len(normalized):,} characters long, past the "
                         f"{MAX_URL_LENGTH:,}-character limit crawlers and browsers keep to")
    host = (urlsplit(normalized).hostname or "").strip("[]")
    if _OBFUSCATED_IPV4.match(host) and not _DOTTED_QUAD.match(host):
        try:   # 2130706433, 0x7f000001, 0177.0.0.1, 127.1: what a socket makes of them
            canonical = socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            canonical = ""
        if canonical and not ipaddress.ip_address(canonical).is_global:
            raise InvalidURL(f"target resolves to non-public address {canonical} (written as "
                             f"{host!r}); give the address as {canonical} if you mean it")
    return normalized


_OBFUSCATED_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.I)
_DOTTED_QUAD = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")


def twin(host: str) -> str:
    """The www/apex twin of a host name."""
    return host[4:] if host.startswith("www.") else f"www.{host}"


@dataclass(frozen=True)
class Scope:
    """The audited site: one host and its www/apex twin, on one port."""

    scheme: str
    host: str
    port: int | None

    @classmethod
    def from_url(cls, url: str) -> Scope:
        scheme, host, port = split_url(url)
        return cls(scheme, host, port)

    @functools.cached_property
    def hosts(self) -> frozenset[str]:
        """The host and its www/apex twin (an address or a dotless name alone); worked out
        once: every link of every page is tested against it."""
        if _is_ip(self.host) or "." not in self.host:
            return frozenset({self.host})
        return frozenset({self.host, twin(self.host)})

    @property
    def root(self) -> str:
        netloc = self.host if self.port is None else f"{self.host}:{self.port}"
        return f"{self.scheme}://{netloc}/"

    def contains(self, url: str) -> bool:
        try:
            scheme, host, port = _origin_parts(url)
        except InvalidURL:
            return False
        if host not in self.hosts:
            return False
        # The same site may answer on http and https; a port other than ours is another site.
        if self.port is None:
            return port is None
        return port == self.port

    def url_for(self, path: str) -> str:
        return self.root.rstrip("/") + path


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False
