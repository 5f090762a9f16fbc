"""Links out of an HTML page, resolved one at a time so that one bad href loses nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from extruct.xmldom import XmlDomHTMLParser
from lxml import etree

from aeo.crawler.scope import ALLOWED_SCHEMES, InvalidURL, normalize_url


@dataclass(frozen=True)
class RawLink:
    href: str
    url: str | None      # absolute normalized http(s) URL, None when invalid or non-web
    text: str
    rel: str
    problem: str = ""    # why the href is not usable, for invalid ones


def parse_html(body: bytes, encoding: str | None = None) -> etree._Element | None:
    """One lxml parse of a page; None for a body lxml cannot make a document of.

    The tree's elements also speak the xml.dom API, so extruct's RDFa reader can use this same
    tree: the page is parsed once for every analyzer."""
    if not body or not body.strip():
        return None
    parser = XmlDomHTMLParser(encoding=encoding or None, huge_tree=False, remove_comments=True)
    try:
        root = lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError, LookupError):
        try:
            root = lxml.html.document_fromstring(body)
        except (etree.ParserError, ValueError):
            return None
    return root


def base_url(root: etree._Element, page_url: str) -> str:
    for href in root.xpath("//head/base/@href"):
        href = str(href).strip()
        if href:
            try:
                return urljoin(page_url, href)
            except ValueError:
                break
    return page_url


def resolve_href(href: str, base: str) -> tuple[str | None, str]:
    """(normalized absolute URL or None, problem). Links to anything but http(s) pages
    (javascript:, mailto:, tel:, file:, data:, ...) give (None, ''): skipped, not invalid."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None, ""
    try:
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme.lower() not in ALLOWED_SCHEMES:
            return None, ""
        return normalize_url(absolute), ""
    except (InvalidURL, ValueError) as exc:
        return None, str(exc)[:200]


def extract_links(root: etree._Element | None, page_url: str) -> list[RawLink]:
    if root is None:
        return []
    base = base_url(root, page_url)
    out = []
    for el in root.iter("a", "area"):
        href = el.get("href")
        if href is None:
            continue
        url, problem = resolve_href(href, base)
        text = " ".join(el.text_content().split())[:200] if el.tag == "a" else el.get("alt", "")
        out.append(RawLink(href=href[:500], url=url, text=text, rel=(el.get("rel") or "").lower(),
                           problem=problem))
    return out
