"""robots.txt as RFC 9309 reads it: which answers mean "allow all", which mean "stop", and the
first 500 KiB of the file parsed with Protego."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from protego import Protego

from aeo.facts.events import Problem

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
    problems: list[Problem] = field(default_factory=list)
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


def looks_like_text(body: bytes, content_type: str) -> Problem | None:
    """None when the body can be a robots.txt, else why not: 'binary', 'markup' (an HTML or
    XML document) or 'content_type' (served as something other than text/plain)."""
    head = body[:2048].lstrip().lower()
    if b"\x00" in body[:4096] or head.startswith((b"gif8", b"\x89png", b"%pdf", b"\xff\xd8")):
        return Problem("binary")
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        return Problem("markup")
    ctype = content_type.split(";")[0].strip().lower()
    if ctype and ctype != "text/plain":
        return Problem("content_type", value=ctype)
    return None


def parse_robots(status: int | None, body: bytes, content_type: str = "",
                 max_bytes: int = 500 * 1024) -> RobotsPolicy:
    """The policy, and what kept the file from being read as one (problems: codes from
    aeo.facts.events.ROBOTS_CODES; binary or markup bodies are read as allow-all)."""
    policy = RobotsPolicy(status=status)
    if status_policy(status) != PARSE:
        if status is not None and 300 <= status < 400:
            policy.problems.append(Problem("still_redirects", status=status))
        elif status is not None and status < 500:
            policy.problems.append(Problem("absent", status=status))
        return policy
    why = looks_like_text(body, content_type)
    if why is not None:
        policy.problems.append(why)
        if why.code in ("binary", "markup"):
            return policy
    if len(body) > max_bytes:
        policy.problems.append(Problem("too_large", size=len(body), limit=max_bytes))
        body = body[:max_bytes]
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8):]
    policy.text = body.decode("utf-8", "replace")
    policy.parser = Protego.parse(policy.text)
    return policy
