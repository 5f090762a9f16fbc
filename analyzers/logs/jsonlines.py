"""JSON lines, as CDNs push them and servers write them: each field read from the first key
present among the common names (Cloudflare, ECS, nginx, Caddy, ...), dotted keys reaching into
nested objects, --field NAME=KEY first."""

from __future__ import annotations

import calendar
import json
from datetime import datetime

from aeo.analyzers.logs.formats import (
    _ESCAPED,
    Request,
    _host,
    _request_line,
    _status,
    clf_time,
    plausible,
)

# the JSON lines' canonical fields and the keys that hold them, first found wins (dotted keys
# walk nested objects); --field NAME=KEY puts a key of one's own first
JSON_FIELDS: dict[str, tuple[str, ...]] = {
    "ip": ("ClientIP", "client_ip", "remote_addr", "remote_ip", "ip", "clientIp", "c-ip",
           "client.ip", "source.ip", "request.client_ip", "request.remote_ip", "request.ip",
           "http.remote_addr"),
    "time": ("EdgeStartTimestamp", "timestamp", "@timestamp", "time", "time_iso8601",
             "time_local", "datetime", "date", "ts", "start_time", "request.time"),
    "method": ("ClientRequestMethod", "method", "request_method", "http.request.method",
               "http.method", "request.method", "cs-method"),
    "path": ("ClientRequestURI", "request_uri", "uri", "path", "url.original", "url.path",
             "http.url", "request.uri", "request.url", "url", "cs-uri-stem", "request"),
    "query": ("ClientRequestQuery", "query_string", "query", "args", "url.query"),
    "status": ("EdgeResponseStatus", "status", "status_code", "http.response.status_code",
               "response.status", "http.status", "sc-status"),
    "user_agent": ("ClientRequestUserAgent", "user_agent", "http_user_agent", "userAgent",
                   "user_agent.original", "http.user_agent", "http.request.user_agent",
                   "request.user_agent", "request.headers.User-Agent",
                   "request.headers.user-agent", "ua", "agent",
                   "cs(User-Agent)"),
    "host": ("ClientRequestHost", "host", "http_host", "server_name", "hostname", "url.domain",
             "http.host", "request.host", "cs(Host)"),
}


def _lookup(obj: dict, key: str):
    if key in obj:
        return obj[key]
    value = obj
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _first(obj: dict, name: str, keys: tuple[tuple[str, str], ...]):
    for n, k in keys:
        if n == name:
            v = _value(_lookup(obj, k))
            if v not in (None, ""):
                return v
    for k in JSON_FIELDS[name]:
        v = _value(_lookup(obj, k))
        if v not in (None, "", "-"):
            return v
    return None


def _value(v):
    """A header as Caddy logs it (a list of values) is its first value."""
    if isinstance(v, list):
        return v[0] if v and isinstance(v[0], (str, int, float)) else None
    return v if isinstance(v, (str, int, float)) and not isinstance(v, bool) else None


def json_time(value) -> float | None:
    """A JSON log's time: ISO 8601, the common log's own form, or seconds, milliseconds,
    microseconds or nanoseconds since 1970."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        n = float(value)
        if n > 1e17:
            return n / 1e9
        if n > 1e14:
            return n / 1e6
        if n > 1e11:
            return n / 1e3
        return n
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if "/" in text[:6]:
        return clf_time(text.encode("latin-1", "replace"))
    if text.replace(".", "", 1).isascii() and text.replace(".", "", 1).isdigit():
        return json_time(float(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if parsed.tzinfo is None:     # a time without a zone is read as UTC
            return calendar.timegm(parsed.timetuple()) + parsed.microsecond / 1e6
        return parsed.timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def json_request(line: bytes, keys, when_only: bool = False):
    line = line.strip()
    if line[:1] != b"{":
        return None
    try:
        obj = json.loads(line)
    except ValueError:
        if b"\\x" not in line:      # nginx's JSON without escape=json writes \x22 for "
            return None
        try:
            obj = json.loads(_ESCAPED.sub(rb"\\u00\1", line))
        except (ValueError, RecursionError):
            return None
    except RecursionError:
        return None
    if not isinstance(obj, dict):
        return None
    when = plausible(json_time(_first(obj, "time", keys)))
    if when_only or when is None:
        return when
    path = str(_first(obj, "path", keys) or "")
    method = str(_first(obj, "method", keys) or "")
    if " " in path:                          # nginx's $request: "GET /x HTTP/1.1"
        m, target = _request_line(path)
        method, path = method or m, target
    query = _first(obj, "query", keys)
    if query and "?" not in path:
        path += ("" if str(query).startswith("?") else "?") + str(query)
    return Request(ip=str(_first(obj, "ip", keys) or ""), when=when, method=method,
                   target=path, status=_status(_first(obj, "status", keys)),
                   user_agent=str(_first(obj, "user_agent", keys) or ""),
                   host=_host(str(_first(obj, "host", keys) or "")))
