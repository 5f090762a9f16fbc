"""Templates: pages built from one layout share a URL pattern and the frame around their main
content (header, navigation, sidebars, footer: the page's DOM skeleton). A problem on (nearly)
every page of a template is one fix in the template, not one per page.

A template is named by its URL pattern: the path with its last segment (and any segment that
is a number, date or ID) replaced by '*', e.g. '/blog/*'. Pages with the same pattern but a
different skeleton are different templates ('/blog/*' and '/blog/* (layout 2)').
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from aeo.facts.records import PageFacts

MIN_TEMPLATE_PAGES = 3      # fewer pages than this are not worth calling a template
NEARLY_ALL = 0.8            # a finding on this share of a template's pages is in the template
_VARIABLE = re.compile(r"^(\d+|\d{4}-\d{2}(-\d{2})?|[0-9a-f]{8,}|[\w-]*\d[\w-]*)$", re.I)


@dataclass(frozen=True)
class Template:
    name: str
    pattern: str
    skeleton: str
    urls: tuple[str, ...]


def url_pattern(url: str) -> str:
    path = urlsplit(url).path or "/"
    if path == "/":
        return "/"
    segments = [s for s in path.split("/") if s]
    trailing = path.endswith("/")
    out = ["*" if _VARIABLE.match(s) else s for s in segments[:-1]]
    if len(segments) == 1:
        return "/*" + ("/" if trailing else "")
    return "/" + "/".join(out + ["*"])


def detect_templates(pages: list[PageFacts]) -> list[Template]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in pages:
        if p.status and 200 <= p.status < 300 and p.skeleton:
            groups[(url_pattern(p.url), p.skeleton)].append(p.url)
    by_pattern: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for (pattern, skel), urls in groups.items():
        by_pattern[pattern].append((skel, urls))
    templates = []
    for pattern, variants in by_pattern.items():
        variants.sort(key=lambda v: -len(v[1]))
        for i, (skel, urls) in enumerate(variants):
            if len(urls) < MIN_TEMPLATE_PAGES:
                continue
            name = pattern if i == 0 else f"{pattern} (layout {i + 1})"
            templates.append(Template(name, pattern, skel, tuple(sorted(urls))))
    return sorted(templates, key=lambda t: (-len(t.urls), t.name))


def rollup(urls: list[str] | tuple[str, ...], templates: list[Template]
           ) -> tuple[list[tuple[Template, int]], list[str]]:
    """Split a finding's URLs into templates it covers (nearly) entirely and the rest:
    ([(template, pages hit)], loose urls)."""
    hit = set(urls)
    covered: list[tuple[Template, int]] = []
    for t in templates:
        n = len(hit & set(t.urls))
        if n >= MIN_TEMPLATE_PAGES and n >= NEARLY_ALL * len(t.urls):
            covered.append((t, n))
            hit -= set(t.urls)
    return covered, [u for u in urls if u in hit]
