"""robots.txt as RFC 9309 reads it: which answers mean "allow all", which mean "stop", and the
first 500 KiB of the file parsed with Protego."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from protego import Protego

# What to do with the final answer to GET /robots.txt (after retries and up to 5 redirects).
ALLOW_ALL = "allow_all"
PARSE = "parse"
UNREACHABLE = "unreachable"


def status_policy(status: int | None) -> str:
    """RFC 9309 2.3.1: 2xx parse; 4xx "unavailable" (allow all); 5xx or no answer
    "unreachable" (assume complete disallow: the audit stops)."""
    if status is None or status >= 500:
        return UNREACHABLE
    if 200 <= status < 300:
        return PARSE
    return ALLOW_ALL


@dataclass
class RobotsPolicy:
    status: int | None = None
    text: str = ""
    problems: list[str] = field(default_factory=list)
    parser: Protego | None = None

    @property
    def found(self) -> bool:
        return self.parser is not None

    def can_fetch(self, url: str, agent: str) -> bool:
        return True if self.parser is None else bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


def looks_like_text(body: bytes, content_type: str) -> str:
    """'' when the body can be a robots.txt, else why not."""
    head = body[:2048].lstrip().lower()
    if b"\x00" in body[:4096] or head.startswith((b"gif8", b"\x89png", b"%pdf", b"\xff\xd8")):
        return "robots.txt is binary data, not text"
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        return "robots.txt is an HTML or XML document, not plain text"
    ctype = content_type.split(";")[0].strip().lower()
    if ctype and ctype != "text/plain":
        return f"robots.txt is served as {ctype}, not text/plain"
    return ""


def parse_robots(status: int | None, body: bytes, content_type: str = "",
                 max_bytes: int = 500 * 1024) -> RobotsPolicy:
    policy = RobotsPolicy(status=status)
    if status_policy(status) != PARSE:
        if status is not None and 300 <= status < 400:
            policy.problems.append(f"robots.txt still redirects after 5 hops (HTTP {status}); "
                                   "treated as absent")
        elif status is not None and status < 500:
            policy.problems.append(f"no robots.txt (HTTP {status}): every crawler may fetch "
                                   "every page")
        return policy
    why = looks_like_text(body, content_type)
    if why.startswith(("robots.txt is binary", "robots.txt is an HTML")):
        policy.problems.append(why + "; treated as allow-all")
        return policy
    if why:
        policy.problems.append(why)
    if len(body) > max_bytes:
        policy.problems.append(f"robots.txt is {len(body) // 1024} KiB; rules after the first "
                               f"{max_bytes // 1024} KiB are ignored")
        body = body[:max_bytes]
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8):]
    policy.text = body.decode("utf-8", "replace")
    policy.parser = Protego.parse(policy.text)
    return policy
