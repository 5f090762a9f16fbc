"""Access-log lines, in the formats servers and CDNs write them: NCSA combined and common
(optionally after a virtual host, with any fields after the user agent, such as nginx's
$request_time), W3C extended (IIS, CloudFront; the #Fields directive names the columns) and
JSON lines (jsonlines.py).

Each format reads a line two ways: `when(line)` is the cheap check every line gets (its time
as UTC seconds, or None when the line is not of the format), and `parse(line)` the full read
of the few lines that name a crawler.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import unquote

FORMATS = ("combined", "common", "w3c", "jsonl")
MONTHS = {m.encode(): i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}

class LogFormatError(ValueError):
    """The input is not an access log of a format this reads."""


@dataclass(frozen=True, slots=True)
class Request:
    """What one log line says."""

    ip: str
    when: float | None      # UTC seconds
    method: str
    target: str             # path and query as requested
    status: int | None
    user_agent: str
    host: str = ""          # lowercased, no port ('' when the format does not say)


@dataclass(frozen=True)
class Format:
    """How the lines of one input are read. fields: W3C's columns in effect (its #Fields),
    or the JSON keys given with --field."""

    name: str
    vhost: bool = False
    fields: tuple[str, ...] = ()
    separator: str = " "
    json_keys: tuple[tuple[str, str], ...] = ()
    day: str = ""           # W3C: the #Date directive's day, for logs without a date column

    def when(self, line: bytes) -> float | None:
        if self.name in ("combined", "common"):
            return _clf_when(line)
        if self.name == "w3c":
            return _w3c_when(line, self)
        from aeo.analyzers.logs.jsonlines import json_request

        return json_request(line, self.json_keys, when_only=True)

    def parse(self, line: bytes) -> Request | None:
        if self.name in ("combined", "common"):
            return _clf_request(line, self.vhost)
        if self.name == "w3c":
            return _w3c_request(line, self)
        from aeo.analyzers.logs.jsonlines import json_request

        return json_request(line, self.json_keys)

    def with_fields(self, directive: bytes) -> Format:
        """A W3C #Fields: (or #Date:) directive in effect from here on."""
        name, _, value = directive.decode("latin-1").partition(":")
        if name == "#Date":
            return replace(self, day=value.strip()[:10])
        return replace(self, fields=tuple(value.split()))

    @property
    def columns(self) -> tuple[int, int]:
        """W3C: where the date and the time are (-1: no date column)."""
        f = self.fields
        return (f.index("date") if "date" in f else -1, f.index("time") if "time" in f else -1)


# -- NCSA common and combined ----------------------------------------------------------------
_QUOTED = rb'"((?:[^"\\]|\\.)*)"'
_CLF = re.compile(
    rb"(?P<ip>\S+) \S+ .*? \[(?P<time>[^\]]{1,40})\] " + _QUOTED.replace(b"(", b"(?P<req>", 1)
    + rb" (?P<status>\d{3}|-) (?P<size>\S+)"
    + rb'(?: ' + _QUOTED.replace(b"(", b"(?P<ref>", 1) + rb' '
    + _QUOTED.replace(b"(", b"(?P<ua>", 1) + rb")?")
_CLF_VHOST = re.compile(rb"(?P<vhost>\S+) " + _CLF.pattern)
_TIME_CACHE: dict[bytes, float | None] = {}


EARLIEST, LATEST = 631152000.0, 4102444800.0    # 1990-01-01 and 2100-01-01, UTC


def plausible(seconds: float | None) -> float | None:
    """A log time, or None for one no server wrote (before 1990, after 2099)."""
    return seconds if seconds is not None and EARLIEST <= seconds < LATEST else None


def clf_time(text: bytes) -> float | None:
    """'10/Oct/2026:13:55:36 -0700' (or with milliseconds, '13:55:36.123') as UTC seconds
    (None when it is not such a time)."""
    found = _TIME_CACHE.get(text, False)
    if found is not False:
        return found
    try:
        day, mon, rest = text.split(b"/", 2)
        year, hh, mm, ss = rest[:4], rest[5:7], rest[8:10], rest[11:13]
        if rest[4:5] != b":" or len(day) != 2 or not (1 <= int(day) <= 31 and
                                                      int(hh) <= 23 and int(mm) <= 59 and
                                                      int(ss) <= 60):
            raise ValueError
        seconds = calendar.timegm((int(year), MONTHS[mon], int(day), int(hh), int(mm),
                                   int(ss), 0, 0, 0))
        if rest[13:14] == b".":            # milliseconds or more: dropped
            rest = rest[:13] + rest[13:].lstrip(b".0123456789")
        zone = rest[13:].strip()
        if zone:
            if len(zone) != 5 or zone[:1] not in b"+-":
                raise ValueError
            offset = int(zone[1:3]) * 3600 + int(zone[3:5]) * 60
            seconds -= offset if zone[:1] == b"+" else -offset
        value: float | None = plausible(float(seconds))
    except (ValueError, KeyError, IndexError, OverflowError):
        value = None
    if len(_TIME_CACHE) > 200_000:
        _TIME_CACHE.clear()
    _TIME_CACHE[text] = value
    return value


_MINUTES: dict[bytes, float | None] = {}


def _clf_when(line: bytes) -> float | None:
    """The time of a common-log line, or None: the line's cheap check. Its minute (and zone)
    is read once and kept; most lines only add their seconds."""
    start = line.find(b" [")
    if start < 0:
        return None
    end = line.find(b"] ", start)
    if end < 0 or line[end + 2:end + 3] != b'"':
        return None
    text = line[start + 2:end]
    minute = text[:17] + text[20:] if text[20:21] != b"." else \
        text[:17] + text[text.find(b" ", 20) if b" " in text[20:] else len(text):]
    base = _MINUTES.get(minute, False)
    if base is False:
        if len(_MINUTES) > 100_000:
            _MINUTES.clear()
        base = _MINUTES[minute] = clf_time(text[:17] + b":00" + minute[17:])
    seconds = text[18:20]
    if base is None or text[17:18] != b":" or not seconds.isdigit():
        return clf_time(text)
    return base + int(seconds)


def _clf_request(line: bytes, vhost: bool) -> Request | None:
    m = (_CLF_VHOST if vhost else _CLF).match(line)
    if m is None and vhost is False:   # mixed inputs: the other shape before giving up
        m = _CLF_VHOST.match(line)
    elif m is None:
        m = _CLF.match(line)
    if m is None:
        return None
    method, target = _request_line(_unescape(m["req"]))
    host = (m.groupdict().get("vhost") or b"").decode("latin-1")
    # a user agent with a quote the server did not escape breaks the last two fields: the
    # rest of the line then stands for them
    agent = m["ua"] if m["ua"] is not None else line[m.end():]
    return Request(ip=m["ip"].decode("latin-1"), when=clf_time(m["time"]), method=method,
                   target=target, status=_status(m["status"]),
                   user_agent=_unescape(agent), host=_host(host))


_ESCAPED = re.compile(rb"\\x([0-9A-Fa-f]{2})")


def _unescape(raw: bytes) -> str:
    """A quoted field as the server escaped it (Apache: \\" and \\xhh; nginx: \\xhh); the
    \\xhh are bytes of UTF-8 text (a raw 'é' is \\xC3\\xA9)."""
    if b"\\" in raw:
        raw = _ESCAPED.sub(lambda m: bytes([int(m[1], 16)]), raw)
        raw = raw.replace(b'\\"', b'"').replace(b"\\\\", b"\\")
    return raw.decode("utf-8", "replace")


def _request_line(text: str) -> tuple[str, str]:
    parts = text.split(" ")
    if len(parts) >= 2 and parts[0].isalpha() and parts[0].isupper():
        if len(parts) > 3 and parts[-1].startswith("HTTP/"):   # spaces in the target
            return parts[0], " ".join(parts[1:-1])
        return parts[0], parts[1]
    return "", ""            # "-", a TLS handshake sent in the clear, a truncated line


def _status(raw) -> int | None:
    try:
        n = int(raw)
    except (TypeError, ValueError):
        return None
    return n if 100 <= n <= 599 else None


def _host(text: str) -> str:
    text = text.strip().lower()
    if text in ("", "-"):
        return ""
    if text.startswith("["):           # [::1]:443
        return text.split("]")[0] + "]"
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


# -- W3C extended (IIS, CloudFront) ------------------------------------------------------------
def _w3c_when(line: bytes, fmt: Format) -> float | None:
    if line[:1] == b"#":
        return None
    d, t = fmt.columns
    if t < 0:
        return None
    parts = line.split(fmt.separator.encode(), max(d, t) + 1)
    if len(parts) <= max(d, t):
        return None
    return _w3c_time(parts[d] if d >= 0 else fmt.day.encode(), parts[t])


def _w3c_time(day: bytes, clock: bytes) -> float | None:
    key = day + b" " + clock
    found = _TIME_CACHE.get(key, False)
    if found is not False:
        return found
    try:
        value: float | None = plausible(calendar.timegm(datetime.strptime(
            key.decode("ascii")[:19], "%Y-%m-%d %H:%M:%S").timetuple()))
    except (ValueError, UnicodeDecodeError):
        value = None
    if len(_TIME_CACHE) > 200_000:
        _TIME_CACHE.clear()
    _TIME_CACHE[key] = value
    return value


def _w3c_request(line: bytes, fmt: Format) -> Request | None:
    fields = fmt.fields
    values = line.decode("utf-8", "replace").rstrip("\r").split(fmt.separator)
    if not fields or len(values) < len(fields) or line[:1] == b"#":
        return None
    row = dict(zip(fields, values, strict=False))
    if "date" not in row and fmt.day:
        row["date"] = fmt.day

    def get(*names: str) -> str:
        for n in names:
            v = row.get(n)
            if v not in (None, "-", ""):
                return v
        return ""

    when = _w3c_time(get("date").encode(), get("time").encode())
    if when is None:
        return None
    path, query = get("cs-uri-stem"), get("cs-uri-query")
    agent = get("cs(User-Agent)")
    agent = unquote(unquote(agent)) if "%" in agent else agent.replace("+", " ")
    return Request(ip=get("c-ip"), when=when, method=get("cs-method"),
                   target=path + ("?" + query if query else ""),
                   status=_status(get("sc-status")), user_agent=agent,
                   host=_host(get("x-host-header", "cs-host", "cs(Host)")))   # CloudFront: the viewer's


# -- which format ------------------------------------------------------------------------------
@dataclass
class _Votes:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1


def sniff(head: bytes, name: str, forced: str = "auto",
          json_keys: tuple[tuple[str, str], ...] = ()) -> Format:
    """The format of an input from its first lines (forced: the format the user named).
    Raises LogFormatError for an input that is not a log of these formats."""
    lines = [ln.rstrip(b"\r") for ln in head.split(b"\n")[:400]]
    if len(head) >= 65536:            # the last line may be cut
        lines = lines[:-1]
    lines = [ln for ln in lines if ln.strip() and len(ln) < 65536]
    fields_line = next((ln for ln in lines if ln.startswith(b"#Fields:")), None)
    data = [ln for ln in lines if not ln.startswith(b"#")][:100]
    if forced == "w3c" or (forced == "auto" and fields_line is not None):
        if fields_line is None:
            raise LogFormatError(f"{name}: W3C log without a #Fields: line")
        sep = "\t" if any(b"\t" in ln for ln in data[:5]) else " "
        fmt = Format("w3c", separator=sep, json_keys=json_keys).with_fields(fields_line)
        date_line = next((ln for ln in lines if ln.startswith(b"#Date:")), None)
        if date_line is not None:
            fmt = fmt.with_fields(date_line)
        return _checked(fmt, data, name, "W3C extended")
    if forced == "jsonl" or (forced == "auto" and data and
                             sum(ln.lstrip()[:1] == b"{" for ln in data) * 2 > len(data)):
        return _checked(Format("jsonl", json_keys=json_keys), data, name, "JSON lines")
    if forced not in ("auto", "combined", "common"):
        raise LogFormatError(f"unknown log format {forced!r}")
    votes = _Votes()
    for ln in data:
        if _clf_when(ln) is None:
            continue
        m = _CLF_VHOST.match(ln)
        plain = _CLF.match(ln)
        # a leading virtual host shifts the fields: the address is then the second one
        vhost = m is not None and _looks_like_address(m["ip"]) and \
            not _looks_like_address(m["vhost"])
        if plain is None and m is None:
            continue
        kind = "combined" if (m if vhost else plain)["ua"] is not None else "common"
        votes.add(kind + ("+vhost" if vhost else ""))
    if not votes.counts:
        raise LogFormatError(f"{name}: not an access log (no line of its first "
                             f"{len(data)} reads as NCSA combined or common, W3C or JSON lines)")
    best = max(votes.counts, key=votes.counts.get)
    kind, _, vh = best.partition("+")
    if forced in ("combined", "common"):
        kind = forced
    fmt = Format(kind, vhost=bool(vh), json_keys=json_keys)
    return _checked(fmt, data, name, "NCSA " + kind)


def _looks_like_address(raw: bytes) -> bool:
    """A client address (IPv4 or IPv6), not a virtual host ('cafe.de:443', '10.0.0.2:80')."""
    from ipaddress import ip_address

    try:
        ip_address(raw.decode("ascii").strip("[]"))
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _checked(fmt: Format, data: list[bytes], name: str, label: str) -> Format:
    if data and not any(fmt.when(ln) is not None for ln in data):
        raise LogFormatError(f"{name}: not an access log (its first {len(data)} lines do not "
                             f"read as {label})")
    return fmt
